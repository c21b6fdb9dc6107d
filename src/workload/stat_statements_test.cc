#include "workload/stat_statements.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/test_util.h"

namespace dbarch::workload {
namespace {

StatStatement Row(const std::string& id, const std::string& sql, int64_t calls) {
  return StatStatement{id, sql, calls, 1.0};
}

TEST(StatStatements, KeepsPlannableStatementsWeightedByCallsAndSkipsTheRest) {
  std::vector<StatStatement> rows = {
      Row("1", "SELECT * FROM orders WHERE customer_id = $1 AND total > $2", 40),
      Row("2", "SET work_mem = $1", 500),
      Row("3", "SELECT c.relname FROM pg_class c WHERE c.oid = $1", 90),
      Row("4", "SELECT hypopg_reset()", 9),
      Row("5", "UPDATE orders SET note = $1 WHERE id = $2", 7),
      Row("6", "SELECT $1", 3),
      Row("7", "<insufficient privilege>", 3),
      Row("8", "SELECT count(*) FROM orders;", 1),
  };
  StatStatementsWorkload w = WorkloadFromStatStatements(rows, StatStatementsOptions{50, 2});
  std::string skipped;
  for (const SkippedStatement& s : w.skipped) skipped += s.name + ": " + s.reason + "\n";
  ASSERT_EQ(w.workload.queries.size(), 2u) << skipped;
  const Query& q = w.workload.queries[0];
  EXPECT_EQ(q.name, "pgss 1");
  EXPECT_EQ(q.weight, 40);
  EXPECT_TRUE(q.generic_plan);
  EXPECT_TRUE(q.has_params);
  EXPECT_EQ(q.params.size(), 2u);
  EXPECT_EQ(w.workload.queries[1].name, "pgss 5");
  EXPECT_EQ(w.workload.queries[1].params.size(), 2u);
  ASSERT_EQ(w.skipped.size(), 5u);
  EXPECT_EQ(w.skipped[0].reason, "utility statement (SET)");
  EXPECT_NE(w.skipped[1].reason.find("reads system catalog pg_class"), std::string::npos);
  EXPECT_NE(w.skipped[2].reason.find("hypopg_reset"), std::string::npos);
  EXPECT_EQ(w.skipped[3].reason, "reads no table");
  EXPECT_NE(w.skipped[4].reason.find("pg_read_all_stats"), std::string::npos);
  EXPECT_EQ(w.statements_read, 7);  // row 8 has fewer than 2 calls
}

TEST(StatStatements, TopCountsKeptQueriesOnly) {
  std::vector<StatStatement> rows = {Row("1", "BEGIN", 9), Row("2", "SELECT a FROM t", 9),
                                     Row("3", "SELECT b FROM t", 9)};
  StatStatementsWorkload w = WorkloadFromStatStatements(rows, StatStatementsOptions{1, 1});
  ASSERT_EQ(w.workload.queries.size(), 1u);
  EXPECT_EQ(w.workload.queries[0].name, "pgss 2");
  EXPECT_FALSE(w.workload.queries[0].generic_plan);
  EXPECT_EQ(w.skipped.size(), 1u);
}

TEST(StatStatements, RepairsConstantsWhereTheGrammarWantsALiteral) {
  EXPECT_EQ(RepairNormalizedText("where o_orderdate >= date $1 and o_orderdate < date $2 + "
                                 "interval $3 month"),
            "where o_orderdate >= $1::date and o_orderdate < $2::date + $3::interval month");
  EXPECT_EQ(RepairNormalizedText("select extract($1 from o_orderdate) as o_year"),
            "select pg_catalog.extract($1::text, o_orderdate) as o_year");
  EXPECT_EQ(RepairNormalizedText("select INTERVAL $12 DAY TO SECOND, timestamp $4"),
            "select $12::interval DAY TO SECOND, $4::timestamp");
  EXPECT_EQ(RepairNormalizedText("select a from t where d = $1 and date_col > $2"),
            "select a from t where d = $1 and date_col > $2");
}

// A server started with shared_preload_libraries = pg_stat_statements (its own sandbox).
TEST(StatStatements, ReadsTheServersStatementsAndFailsClearlyWithoutTheExtension) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = {{"shared_preload_libraries", "pg_stat_statements"}};
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions connect;
  connect.conninfo = (*box)->ConnInfo();
  connect.read_only = false;
  auto conn = pg::Connection::Open(connect);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();

  auto missing = LoadStatStatements(*conn, StatStatementsOptions{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().hint().find("CREATE EXTENSION pg_stat_statements"), std::string::npos);

  ASSERT_TRUE(conn->ExecScript("CREATE EXTENSION pg_stat_statements;"
                               "CREATE TABLE ss_t (a int, b int);"
                               "SELECT pg_stat_statements_reset()")
                  .ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(conn->ExecScript("SELECT b FROM ss_t WHERE a = " + std::to_string(i)).ok());
  }
  auto read = LoadStatStatements(*conn, StatStatementsOptions{10, 5});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->workload.queries.size(), 1u);
  EXPECT_EQ(read->workload.queries[0].sql, "SELECT b FROM ss_t WHERE a = $1");
  EXPECT_EQ(read->workload.queries[0].weight, 5);
  EXPECT_TRUE(read->workload.queries[0].generic_plan);
}

TEST(StatStatements, NotPreloadedIsNotFound) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->ExecScript("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").ok());
  auto read = LoadStatStatements(*conn, StatStatementsOptions{});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound) << read.status().ToString();
  EXPECT_NE(read.status().message().find("shared_preload_libraries"), std::string::npos)
      << read.status().ToString();
}

}  // namespace
}  // namespace dbarch::workload
