// End to end from a server log to index recommendations (label "sandbox"): the workload that
// `dbarch workload --emit-workload` writes from a crafted log of the advise fixture's shop
// schema is read by `dbarch advise`, which recommends the index the logged statements need;
// `advise` and `bench` read the log directly with --workload-from log:PATH; and
// `dbarch workload --dsn` reads pg_stat_statements snapshots of a real server.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_dbarch.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

TEST(CliWorkloadAdvise, EmittedWorkloadGetsRecommendations) {
  TempDir tmp;
  std::string workload = (tmp.path() / "from_log.sql").string();
  RunResult emit = RunDbarch({"workload", "test/fixtures/logs/advise_shop.log", "--emit-workload",
                              workload, "-o", (tmp.path() / "report.txt").string()});
  ASSERT_EQ(emit.exit_code, 0) << Describe(emit);
  std::string text = ReadFile(workload);
  // Two query groups; BEGIN and COMMIT are not queries.
  EXPECT_NE(text.find("-- weight: 3\n-- params: '1999'\nSELECT id, placed_at, total FROM orders "
                      "WHERE customer_id = $1::integer;"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("-- weight: 2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("BEGIN"), std::string::npos) << text;

  RunResult advise =
      RunDbarch({"advise", "--schema", "test/fixtures/advise/schema.sql", "--workload", workload});
  ASSERT_EQ(advise.exit_code, 0) << Describe(advise);
  EXPECT_NE(advise.out.find(
                "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);"),
            std::string::npos)
      << advise.out;
  EXPECT_NE(advise.out.find("workload: 2 queries analysed"), std::string::npos) << advise.out;
}

TEST(CliWorkloadAdvise, AdviseAndBenchReadTheLogDirectly) {
  RunResult advise =
      RunDbarch({"advise", "--schema", "test/fixtures/advise/schema.sql", "--workload-from",
                 "log:test/fixtures/logs/advise_shop.log", "--format", "json"});
  ASSERT_EQ(advise.exit_code, 0) << Describe(advise);
  auto j = nlohmann::json::parse(advise.out);
  EXPECT_EQ(j["workload_source"], "logs");
  EXPECT_NE(advise.out.find("\"ddl\": \"CREATE INDEX CONCURRENTLY orders_customer_id_idx ON "
                            "public.orders (customer_id)\""),
            std::string::npos)
      << advise.out;

  // --log-database: the log's entries are all of database "shop".
  RunResult other =
      RunDbarch({"advise", "--schema", "test/fixtures/advise/schema.sql", "--workload-from",
                 "log:test/fixtures/logs/advise_shop.log", "--log-database", "not_shop"});
  EXPECT_EQ(other.exit_code, 3) << Describe(other);
  EXPECT_NE(other.err.find("no SELECT, INSERT, UPDATE, DELETE or MERGE"), std::string::npos)
      << other.err;

  RunResult bench =
      RunDbarch({"bench", "--schema", "test/fixtures/advise/schema.sql", "--workload-from",
                 "log:test/fixtures/logs/advise_shop.log", "--runs", "1", "--format", "json"});
  ASSERT_EQ(bench.exit_code, 0) << Describe(bench);
  auto measured = nlohmann::json::parse(bench.out);
  ASSERT_EQ(measured["queries"].size(), 2u) << bench.out;
  EXPECT_EQ(measured["queries"][0]["name"], "log 4770f694d84f3bbf");
  EXPECT_EQ(measured["queries"][0]["error"], nullptr);
  EXPECT_EQ(measured["queries"][1]["error"], nullptr);

  RunResult pgss = RunDbarch(
      {"bench", "--schema", "test/fixtures/advise/schema.sql", "--workload-from", "pgss"});
  EXPECT_EQ(pgss.exit_code, 2) << Describe(pgss);
  EXPECT_NE(pgss.err.find("pg_stat_statements keeps no parameter values"), std::string::npos);
  RunResult bad = RunDbarch({"advise", "--schema", "test/fixtures/advise/schema.sql",
                             "--workload-from", "test/fixtures/logs/advise_shop.log"});
  EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
  EXPECT_NE(bad.err.find("expected pg_stat_statements, pgss or log:PATH"), std::string::npos);
}

// A live server (--dsn, read-only, HypoPG installed): the log's entries of the connected
// database ("shop", as in the log) are the workload.
TEST(CliWorkloadAdvise, LiveAdviseReadsTheLogOfItsDatabase) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase("shop").ok());
  pg::ConnectOptions options;
  options.conninfo = (*box)->ConnInfo() + " dbname=shop";
  options.read_only = false;
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->ExecScript(ReadFile(SourceDir() + "/test/fixtures/advise/schema.sql")).ok());
  ASSERT_TRUE(conn->ExecScript("CREATE EXTENSION hypopg").ok());
  std::string dsn = (*box)->TcpConnInfo() + " dbname=shop";
  RunResult advise = RunDbarch({"advise", "--dsn", dsn, "--workload-from",
                                "log:test/fixtures/logs/advise_shop.log", "--format", "json"});
  ASSERT_EQ(advise.exit_code, 0) << Describe(advise);
  auto j = nlohmann::json::parse(advise.out);
  EXPECT_EQ(j["workload_source"], "logs");
  EXPECT_NE(advise.out.find("CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders "
                            "(customer_id)"),
            std::string::npos)
      << advise.out;
}

// pg_stat_statements of a real server through `dbarch workload --dsn`: a snapshot saved,
// statements run, the window since the snapshot; the same window from the two files alone.
TEST(CliWorkloadStats, SnapshotsGiveTheActivityOfAWindow) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = {{"shared_preload_libraries", "pg_stat_statements"}};
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions connect;
  connect.conninfo = (*box)->ConnInfo();
  connect.read_only = false;
  auto conn = pg::Connection::Open(connect);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->ExecScript("CREATE EXTENSION pg_stat_statements;"
                               "CREATE TABLE win_t (a int, b int);"
                               "SELECT b FROM win_t WHERE a = 0")
                  .ok());
  TempDir tmp;
  std::string s1 = (tmp.path() / "s1.json").string();
  std::string s2 = (tmp.path() / "s2.json").string();
  RunResult first = RunDbarch({"workload", "--dsn", (*box)->ConnInfo(), "--save-snapshot", s1});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  EXPECT_NE(first.out.find("cumulative figures since the statistics were reset"), std::string::npos)
      << first.out;
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(conn->ExecScript("SELECT b FROM win_t WHERE a = " + std::to_string(i)).ok());
  }
  RunResult window = RunDbarch({"workload", "--dsn", (*box)->ConnInfo(), "--since", s1,
                                "--save-snapshot", s2, "--format", "json"});
  ASSERT_EQ(window.exit_code, 0) << Describe(window);
  auto j = nlohmann::json::parse(window.out);
  EXPECT_EQ(j["source"], "pg_stat_statements");
  EXPECT_FALSE(j["window"]["since_reset"].get<bool>());
  int64_t calls = -1;
  for (const auto& s : j["statements"]) {
    if (s["query"] == "SELECT b FROM win_t WHERE a = $1") calls = s["calls"];
  }
  EXPECT_EQ(calls, 4) << window.out;

  RunResult offline = RunDbarch({"workload", "--since", s1, "--until", s2, "--format", "json"});
  ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
  EXPECT_EQ(offline.out, window.out);
  RunResult other_db = RunDbarch(
      {"workload", "--since", s1, "--until", s2, "--format", "json", "-d", "not_this_database"});
  ASSERT_EQ(other_db.exit_code, 0) << Describe(other_db);
  EXPECT_TRUE(nlohmann::json::parse(other_db.out)["statements"].empty()) << other_db.out;
  RunResult reversed = RunDbarch({"workload", "--since", s2, "--until", s1});
  EXPECT_EQ(reversed.exit_code, 3) << Describe(reversed);
  EXPECT_NE(reversed.err.find("was taken after the later one"), std::string::npos);
}

}  // namespace
}  // namespace dbarch::cli_test
