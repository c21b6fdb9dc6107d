// End-to-end tests of `dbarch bench` (label "sandbox": each starts private PostgreSQL 15
// servers). They assert outcomes (plans, row counts, timeouts, exit codes), never timings.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

using Json = nlohmann::json;

const std::string kDir = "test/fixtures/bench/";

Json ParseJson(const RunResult& r) {
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << Describe(r);
  return j;
}

bool Contains(const Json& list, const std::string& value) {
  return list.is_array() && std::find(list.begin(), list.end(), value) != list.end();
}

TEST(CliBench, CompareIndexChangesThePlan) {
  RunResult r = RunDbarch({"bench", "--schema", kDir + "schema.sql", "--data", kDir + "data",
                           "--workload", kDir + "workload", "--compare", kDir + "compare.sql",
                           "--runs", "2", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r);
  ASSERT_EQ(j["queries"].size(), 3u) << j.dump(2);
  const Json& customer = j["queries"][0];
  EXPECT_EQ(customer["name"], "orders of one customer");
  EXPECT_EQ(customer["weight"], 10.0);
  EXPECT_EQ(customer["outcome"], "ok");
  // The base plan has no index to use; the compare plan uses the one compare.sql made.
  EXPECT_FALSE(Contains(customer["plan"]["indexes"], "orders_customer_idx")) << customer.dump(2);
  EXPECT_TRUE(Contains(customer["compare"]["plan"]["indexes"], "orders_customer_idx"))
      << customer.dump(2);
  EXPECT_TRUE(customer["speed_up"].is_number());
  EXPECT_TRUE(j["compare"]["weighted_speed_up"].is_number());
  EXPECT_EQ(j["compare"]["label"], kDir + "compare.sql");
  // $1 = 42 from "-- params:": customers 42, 1042, ... of 50,000 orders.
  EXPECT_EQ(customer["rows"], 50);
  EXPECT_EQ(customer["runs_ms"].size(), 2u);
  // Default names: stem#k for a file with two queries; regions came from data/regions.csv.
  EXPECT_EQ(j["queries"][1]["name"], "open order total");
  EXPECT_EQ(j["queries"][2]["name"], "02_reports#2");
  EXPECT_EQ(j["queries"][2]["rows"], 3);
}

TEST(CliBench, JsonShapeIsStable) {
  RunResult r = RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload",
                           kDir + "workload/01_customer_orders.sql", "--runs", "1", "--setting",
                           "work_mem=8MB", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r);
  std::vector<std::string> keys;
  for (auto& [key, value] : j.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"complete", "queries", "runs", "settings", "target",
                                            "timeout_ms", "weighted_total_ms"}));
  EXPECT_EQ(j["settings"]["work_mem"], "8MB");
  EXPECT_EQ(j["runs"], 1);
  EXPECT_EQ(j["timeout_ms"], 30000);
  EXPECT_EQ(j["complete"], true);
  std::vector<std::string> query_keys;
  for (auto& [key, value] : j["queries"][0].items()) query_keys.push_back(key);
  EXPECT_EQ(query_keys, (std::vector<std::string>{"error", "median_ms", "name", "outcome", "p95_ms",
                                                  "plan", "rows", "runs_ms", "weight"}));
  std::vector<std::string> plan_keys;
  for (auto& [key, value] : j["queries"][0]["plan"].items()) plan_keys.push_back(key);
  EXPECT_EQ(plan_keys,
            (std::vector<std::string>{"execution_ms", "indexes", "rows", "shared_hit_blocks",
                                      "shared_read_blocks", "top_node"}));
  EXPECT_EQ(j["queries"][0]["plan"]["rows"], 50);
}

TEST(CliBench, TimeoutIsReportedAndRunsAreSkipped) {
  RunResult r = RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload",
                           kDir + "sleep.sql", "--timeout", "1s", "--runs", "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("timeout (>1 s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 timed out"), std::string::npos) << r.out;

  RunResult j =
      RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload", kDir + "sleep.sql",
                 "--timeout", "500ms", "--runs", "3", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << Describe(j);
  Json doc = ParseJson(j);
  EXPECT_EQ(doc["queries"][0]["outcome"], "timeout");
  EXPECT_TRUE(doc["queries"][0]["runs_ms"].empty());  // warm-up timed out: no timed runs
  EXPECT_EQ(doc["complete"], false);
}

TEST(CliBench, MarkdownTable) {
  RunResult r =
      RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload",
                 kDir + "workload/01_customer_orders.sql", "--runs", "1", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("| query | weight | median | p95 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| orders of one customer | 10 |"), std::string::npos) << r.out;
}

TEST(CliBench, BadWorkloadSqlIsExit3WithPosition) {
  RunResult r = RunDbarch(
      {"bench", "--schema", kDir + "schema.sql", "--workload", kDir + "bad_workload.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find(kDir + "bad_workload.sql:2:43: error: syntax error"), std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliBench, QueryErrorIsExit3AfterTheReport) {
  TempDir dir;
  std::ofstream(dir.path() / "w.sql") << "SELECT * FROM no_such_table;\nSELECT 1;\n";
  RunResult r = RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload",
                           (dir.path() / "w.sql").string(), "--runs", "1"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.out.find("error"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no_such_table"), std::string::npos) << r.err;
}

TEST(CliBench, UsageErrors) {
  RunResult no_target = RunDbarch({"bench", "--workload", kDir + "sleep.sql"});
  EXPECT_EQ(no_target.exit_code, 2) << Describe(no_target);
  for (const char* flag : {"--compare", "--indexes", "--data"}) {
    RunResult r = RunDbarch({"bench", "--dsn", "host=/nonexistent", "--workload",
                             kDir + "sleep.sql", flag, kDir + "compare.sql"});
    EXPECT_EQ(r.exit_code, 2) << flag << "\n" << Describe(r);
    EXPECT_NE(r.err.find("never writes to a --dsn server"), std::string::npos) << r.err;
  }
  RunResult bad_timeout = RunDbarch({"bench", "--schema", kDir + "schema.sql", "--workload",
                                     kDir + "sleep.sql", "--timeout", "soon"});
  EXPECT_EQ(bad_timeout.exit_code, 2) << Describe(bad_timeout);
  RunResult help = RunDbarch({"bench", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--compare"), std::string::npos);
}

TEST(CliBench, LiveServerReadOnlyWithoutPassword) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  std::string dsn = (*box)->TcpConnInfo();
  TempDir dir;
  std::ofstream(dir.path() / "a.sql")
      << "-- params: 3\nSELECT g FROM generate_series(1, $1::int) g;\n";
  std::ofstream(dir.path() / "b.sql")
      << "CREATE VIEW bench_v AS SELECT 1 AS a;\nSELECT a FROM bench_v;\nDROP VIEW bench_v;\n";
  RunResult r = RunDbarch({"bench", "--dsn", dsn, "--workload", dir.path().string(), "--runs", "1",
                           "--format", "json"});
  // The unit with CREATE VIEW fails: the session is read-only (nothing is written).
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  Json j = ParseJson(r);
  ASSERT_EQ(j["queries"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["queries"][0]["outcome"], "ok");
  EXPECT_EQ(j["queries"][0]["rows"], 3);
  EXPECT_EQ(j["queries"][1]["outcome"], "error");
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  size_t at = dsn.find("password=");
  ASSERT_NE(at, std::string::npos);
  std::string password = dsn.substr(at + 9, dsn.find(' ', at) - at - 9);
  EXPECT_EQ(r.out.find(password), std::string::npos);
  EXPECT_EQ(r.err.find(password), std::string::npos);
}

}  // namespace
}  // namespace dbarch::cli_test
