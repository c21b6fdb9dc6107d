#include "measure/plan_summary.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "measure/measurement.h"

namespace dbarch::measure {
namespace {

TEST(SummarizeExplainJson, RootFiguresAndEveryIndex) {
  const char* json = R"([{"Plan": {"Node Type": "Nested Loop", "Actual Rows": 7,
      "Shared Hit Blocks": 12, "Shared Read Blocks": 3, "Plans": [
        {"Node Type": "Index Scan", "Index Name": "b_idx", "Plans": []},
        {"Node Type": "Bitmap Heap Scan", "Plans": [
          {"Node Type": "Bitmap Index Scan", "Index Name": "a_idx"}]},
        {"Node Type": "Index Only Scan", "Index Name": "b_idx"}]},
      "Planning Time": 0.1, "Execution Time": 2.5}])";
  auto s = SummarizeExplainJson(json);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->top_node, "Nested Loop");
  EXPECT_EQ(s->rows, 7);
  EXPECT_EQ(s->shared_hit_blocks, 12);
  EXPECT_EQ(s->shared_read_blocks, 3);
  EXPECT_EQ(s->execution_ms, 2.5);
  EXPECT_EQ(s->indexes, (std::vector<std::string>{"a_idx", "b_idx"}));
}

// Real PostgreSQL 15 output (test/fixtures/explain/README.md): an aggregate over a nested loop
// of an Index Scan and a Bitmap Heap Scan, with BUFFERS figures on every node.
TEST(SummarizeExplainJson, ServerOutput) {
  std::ifstream in(std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/explain/analyze_join.json");
  std::stringstream json;
  json << in.rdbuf();
  ASSERT_FALSE(json.str().empty());
  auto s = SummarizeExplainJson(json.str());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->top_node, "Aggregate");
  EXPECT_EQ(s->rows, 1);
  EXPECT_EQ(s->shared_hit_blocks, 18);
  EXPECT_EQ(s->shared_read_blocks, 0);
  EXPECT_EQ(s->execution_ms, 0.190);
  EXPECT_EQ(s->indexes, (std::vector<std::string>{"customers_email_key", "orders_customer_idx"}));
}

// Found by fuzz/explain_json_fuzz.cc: a deeply nested document overflowed the call stack
// (a recursive walk, and a copy of the top array element), and a count beyond int64's range
// was converted from double with undefined behaviour.
TEST(SummarizeExplainJson, DeepNestingAndOutOfRangeCounts) {
  constexpr size_t kDepth = 200000;
  std::string deep = R"([{"Plan": {"Node Type": "Seq Scan", "Plans": )" + std::string(kDepth, '[') +
                     R"({"Index Name": "deep_idx"})" + std::string(kDepth, ']') + "}}]";
  auto s = SummarizeExplainJson(deep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->indexes, (std::vector<std::string>{"deep_idx"}));
  EXPECT_FALSE(
      SummarizeExplainJson("[" + std::string(kDepth, '[') + std::string(kDepth, ']') + "]").ok());
  auto huge = SummarizeExplainJson(
      R"([{"Plan": {"Node Type": "Seq Scan", "Actual Rows": 1e300, "Shared Hit Blocks": -1e300,
          "Shared Read Blocks": 18446744073709551615}}])");
  ASSERT_TRUE(huge.ok()) << huge.status().ToString();
  EXPECT_EQ(huge->rows, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(huge->shared_hit_blocks, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(huge->shared_read_blocks, std::numeric_limits<int64_t>::max());
}

TEST(SummarizeExplainJson, RejectsNonPlans) {
  EXPECT_FALSE(SummarizeExplainJson("not json").ok());
  EXPECT_FALSE(SummarizeExplainJson("[{}]").ok());
}

TEST(Statistics, MedianAndNearestRankPercentile) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 2, 3}), 2.5);
  EXPECT_EQ(Median({}), 0);
  EXPECT_EQ(Percentile({5, 1, 4, 2, 3}, 95), 5);
  EXPECT_EQ(Percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 95),
            19);
}

TEST(Statistics, SpeedUpsSkipUnfinishedQueries) {
  WorkloadMeasurement base;
  WorkloadMeasurement cmp;
  QueryMeasurement a{.name = "a", .weight = 2, .median_ms = 10};
  QueryMeasurement b{.name = "b", .weight = 1, .outcome = Outcome::kTimeout};
  base.queries = {a, b};
  a.median_ms = 5;
  b.outcome = Outcome::kOk;
  b.median_ms = 1;
  cmp.queries = {a, b};
  auto per_query = QuerySpeedUps(base, cmp);
  ASSERT_EQ(per_query.size(), 2u);
  EXPECT_EQ(per_query[0], 2.0);
  EXPECT_FALSE(per_query[1].has_value());
  EXPECT_EQ(WeightedSpeedUp(base, cmp), 2.0);
}

}  // namespace
}  // namespace dbarch::measure
