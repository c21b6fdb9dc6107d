#include "advisor/explain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "advisor/whatif.h"
#include "sandbox/test_util.h"

namespace dbarch::advisor {
namespace {

// 200,000 rows, a = 42 matches 20: an index on a pays off only if the planner sees it.
class ExplainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = sandbox::test_util::ConnectToSharedSandbox();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    rw_ = std::make_unique<pg::Connection>(std::move(*conn));
    Status st = rw_->ExecScript(
        "CREATE EXTENSION IF NOT EXISTS hypopg;"
        "DROP TABLE IF EXISTS ex_t CASCADE;"
        "CREATE TABLE ex_t (a int, b int, pad text);"
        "INSERT INTO ex_t SELECT g % 10000, g % 97, repeat('x', 40) "
        "  FROM generate_series(1, 200000) g;"
        "ANALYZE ex_t;");
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::unique_ptr<pg::Connection> rw_;
};

workload::Query Generic(const std::string& sql, size_t params) {
  workload::Query q;
  q.name = "generic";
  q.sql = sql;
  q.params.assign(params, std::nullopt);
  q.has_params = true;
  q.generic_plan = true;
  return q;
}

// A pg_stat_statements text has $n without values; its generic plan must see
// hypothetical indexes (the statement is prepared anew on every EXPLAIN).
TEST_F(ExplainTest, GenericPlanSeesHypotheticalIndexes) {
  auto session = WhatIfSession::Open(*rw_);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int q = session->AddQuery(Generic("SELECT * FROM ex_t WHERE a = $1 AND b < $2", 2),
                            {{"public", "ex_t"}});
  auto without = session->Cost(q, {});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  auto with = session->Cost(q, {IndexDef::OnColumns({"public", "ex_t"}, {"a"})});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_LT(*with, *without / 10) << "without " << *without << ", with " << *with;
  auto again = session->Cost(q, {IndexDef::OnColumns({"public", "ex_t"}, {"b"})});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  // Nothing left behind: no prepared statement, plan_cache_mode back to auto.
  auto left = rw_->Exec("SELECT count(*) FROM pg_prepared_statements");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->GetInt(0, 0), 0);
  auto mode = rw_->Exec("SHOW plan_cache_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->Get(0, 0), "auto");
}

TEST_F(ExplainTest, GenericPlanThatDoesNotPrepareIsAnError) {
  auto r = ExplainQueryJson(*rw_, Generic("SELECT * FROM ex_t WHERE no_such = $1", 1), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("preparing the generic plan"), std::string::npos)
      << r.status().ToString();
  auto later = ExplainQueryJson(*rw_, Generic("SELECT * FROM ex_t WHERE a = $1", 1), {});
  EXPECT_TRUE(later.ok()) << later.status().ToString();
}

// A read-only session (a live server): the setup's view exists only inside a transaction
// that is rolled back, and the session still refuses writes afterwards.
TEST_F(ExplainTest, SetupRunsInARolledBackTransactionOnAReadOnlySession) {
  auto ro = sandbox::test_util::ConnectToSharedSandbox(/*read_only=*/true);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  workload::Query q;
  q.name = "q15-like";
  q.setup = {"CREATE VIEW ex_v AS SELECT a, count(*) AS n FROM ex_t GROUP BY a"};
  q.sql = "SELECT * FROM ex_v WHERE n = (SELECT max(n) FROM ex_v)";
  q.teardown = {"DROP VIEW ex_v"};

  // Without the transaction the read-only session refuses the setup.
  auto plain = ExplainQueryJson(*ro, q, {});
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("read-only"), std::string::npos)
      << plain.status().ToString();

  WhatIfOptions options;
  options.create_extension = false;
  options.explain.setup_in_rolled_back_transaction = true;
  auto session = WhatIfSession::Open(*ro, options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  int id = session->AddQuery(q, {{"public", "ex_t"}});
  auto without = session->Cost(id, {});
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  auto with = session->Cost(id, {IndexDef::OnColumns({"public", "ex_t"}, {"a"})});
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_GT(*without, 0);

  auto view = rw_->Exec("SELECT to_regclass('ex_v') IS NULL");
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->GetBool(0, 0)) << "the view must not survive the rollback";
  Status write = ro->ExecScript("INSERT INTO ex_t VALUES (1, 1, 'x')");
  ASSERT_FALSE(write.ok());
  EXPECT_NE(write.message().find("read-only"), std::string::npos) << write.ToString();
  auto tx = ro->Exec("SELECT now() = statement_timestamp()");  // not inside a transaction
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_TRUE(tx->GetBool(0, 0));
}

// Real PostgreSQL 15 output (test/fixtures/explain/README.md): index names at every depth.
TEST(IndexNamesFromExplainJson, ServerOutput) {
  auto read = [](const std::string& name) {
    std::ifstream in(std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/explain/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto join = IndexNamesFromExplainJson(read("analyze_join.json"));
  ASSERT_TRUE(join.ok()) << join.status().ToString();
  EXPECT_EQ(*join, (std::vector<std::string>{"customers_email_key", "orders_customer_idx"}));
  auto update = IndexNamesFromExplainJson(read("analyze_update.json"));
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(*update, (std::vector<std::string>{"orders_pkey"}));
  auto seq = IndexNamesFromExplainJson(read("costs_limit_sort.json"));
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_TRUE(seq->empty());
  EXPECT_FALSE(IndexNamesFromExplainJson("not json").ok());
}

// Found by fuzz/explain_json_fuzz.cc: the recursive walk overflowed the call stack on a
// deeply nested document.
TEST(IndexNamesFromExplainJson, DeepNesting) {
  constexpr size_t kDepth = 200000;
  auto names = IndexNamesFromExplainJson(
      std::string(kDepth, '[') + R"({"Index Name": "deep_idx"})" + std::string(kDepth, ']'));
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"deep_idx"}));
}

}  // namespace
}  // namespace dbarch::advisor
