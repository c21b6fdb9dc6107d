#include "advisor/regression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

namespace dbarch::advisor {
namespace {

// A query whose time depends only on which of the set's indexes are shown: `slow_if` says
// whether the shown ones make it slow (400 ms) or not (330 ms). No noise.
TimeWithHidden Model(const RegressionInput& in,
                     std::function<bool(const std::set<size_t>& shown)> slow_if) {
  return [in, slow_if](const std::vector<size_t>& hide_a,
                       const std::vector<size_t>& hide_b) -> Result<PairedTimes> {
    auto ms = [&](const std::vector<size_t>& hidden) {
      std::set<size_t> shown;
      for (size_t i : in.on_tables) {
        if (std::find(hidden.begin(), hidden.end(), i) == hidden.end()) shown.insert(i);
      }
      return slow_if(shown) ? 400.0 : 330.0;
    };
    return PairedTimes{true, ms(hide_a), ms(hide_b)};
  };
}

RegressionInput Input() {
  RegressionInput in;
  // 0: orders (o_custkey); 1: orders (o_custkey) INCLUDE (...); 2: customer (c_custkey);
  // 3: orders (o_orderdate).
  in.on_tables = {0, 1, 2, 3};
  in.leading_key = {"orders|o_custkey", "orders|o_custkey", "customer|c_custkey",
                    "orders|o_orderdate"};
  return in;
}

TEST(RegressionGuard, TwoIndexesOnTheSameKeyAreBlamedTogether) {
  RegressionInput in = Input();
  in.in_plan = {0, 2};
  // Either index on o_custkey gives the slow plan: hiding one alone changes nothing.
  auto f = FindRegressionCulprits(
      in, Model(in, [](const std::set<size_t>& s) { return s.count(0) || s.count(1); }));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->confirmed);
  EXPECT_EQ(f->culprits, (std::vector<size_t>{0, 1}));
  EXPECT_DOUBLE_EQ(f->culprit_with_ms, 400);
  EXPECT_DOUBLE_EQ(f->culprit_without_ms, 330);
}

TEST(RegressionGuard, OneIndexOfThePlanAlone) {
  RegressionInput in = Input();
  in.in_plan = {0, 2};
  auto f = FindRegressionCulprits(
      in, Model(in, [](const std::set<size_t>& s) { return s.count(2) > 0; }));
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->confirmed);
  EXPECT_EQ(f->culprits, (std::vector<size_t>{2}));
}

TEST(RegressionGuard, AnIndexOutsideThePlanIsFoundAmongTheTablesIndexes) {
  RegressionInput in = Input();
  in.in_plan = {0};
  auto f = FindRegressionCulprits(
      in, Model(in, [](const std::set<size_t>& s) { return s.count(3) > 0; }));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->culprits, (std::vector<size_t>{3}));
}

TEST(RegressionGuard, ASlowdownNotSeenSideBySideIsNotBlamedOnTheSet) {
  RegressionInput in = Input();
  in.in_plan = {0, 2};
  auto f = FindRegressionCulprits(in, Model(in, [](const std::set<size_t>&) { return false; }));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->confirmed);
  EXPECT_TRUE(f->culprits.empty());
  EXPECT_EQ(f->timings, 1);
  EXPECT_DOUBLE_EQ(f->with_ms, 330);
}

TEST(RegressionGuard, ASlowdownSeenOnlyOnceIsRecheckedAndNotBlamed) {
  RegressionInput in = Input();
  in.in_plan = {0};
  int calls = 0;
  // Only the first side-by-side timing shows it (noise), every later one does not.
  auto f = FindRegressionCulprits(
      in, [&](const std::vector<size_t>&, const std::vector<size_t>&) -> Result<PairedTimes> {
        return ++calls == 1 ? PairedTimes{true, 400, 330} : PairedTimes{true, 331, 330};
      });
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->confirmed);
  EXPECT_TRUE(f->culprits.empty());
  // The last group tried is the confirmation's own comparison, timed again.
  EXPECT_DOUBLE_EQ(f->recheck_with_ms, 331);
  EXPECT_DOUBLE_EQ(f->recheck_without_ms, 330);
}

TEST(RegressionGuard, SmallDifferencesAreNotSlowdowns) {
  RegressionInput in = Input();
  in.in_plan = {0};
  in.min_ms = 100;  // 70 ms slower is below it
  auto f = FindRegressionCulprits(
      in, Model(in, [](const std::set<size_t>& s) { return s.count(0) > 0; }));
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->confirmed);
}

TEST(RegressionGuard, ATimingErrorIsReturned) {
  RegressionInput in = Input();
  in.in_plan = {0};
  auto f = FindRegressionCulprits(
      in, [](const std::vector<size_t>&, const std::vector<size_t>&) -> Result<PairedTimes> {
        return Status::Connection("server closed the connection");
      });
  EXPECT_FALSE(f.ok());
}

}  // namespace
}  // namespace dbarch::advisor
