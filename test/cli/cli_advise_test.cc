// End-to-end tests of `dbarch advise` (label "sandbox": each starts a private PostgreSQL 15
// server with HypoPG). They assert the recommended DDL, the JSON shape, that --verify
// measures a speed-up for the query the index serves, and exit codes; no timing thresholds
// beyond "faster".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

using Json = nlohmann::json;

const std::string kDir = "test/fixtures/advise/";
const std::string kDdl =
    "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id)";

Json ParseJson(const RunResult& r) {
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << Describe(r);
  return j;
}

std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  for (auto& [key, value] : object.items()) keys.push_back(key);
  return keys;
}

// Issue 5: the unindexed filter column gets an index, with a rationale naming the query.
TEST(CliAdvise, RecommendsIndexOnFilteredColumn) {
  RunResult r =
      RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload", kDir + "workload.sql"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find(kDdl + ";"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("equality on customer_id for q 'orders of one customer'"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("recommended: 1 index(es)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("what-if calls: "), std::string::npos) << r.out;
}

TEST(CliAdvise, JsonShapeIsStable) {
  RunResult r = RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload",
                           kDir + "workload.sql", "--budget-mb", "50", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r);
  EXPECT_EQ(Keys(j),
            (std::vector<std::string>{"budget_mb", "candidates", "cost_cache_hits", "cost_with",
                                      "cost_without", "indexes", "max_indexes", "max_width",
                                      "queries", "rejected", "relative_cost", "runtime_ms", "skipped",
                                      "target",
                                      "total_size_bytes", "verify", "whatif_calls"}));
  EXPECT_EQ(j["budget_mb"], 50.0);
  EXPECT_EQ(j["max_width"], 2);
  EXPECT_EQ(j["queries"], 2);
  EXPECT_TRUE(j["verify"].is_null());
  EXPECT_GT(j["whatif_calls"].get<int>(), 0);
  EXPECT_LT(j["relative_cost"].get<double>(), 1.0);
  ASSERT_EQ(j["indexes"].size(), 1u) << j.dump(2);
  const Json& idx = j["indexes"][0];
  EXPECT_EQ(Keys(idx),
            (std::vector<std::string>{"columns", "ddl", "drop_reason", "dropped", "helps", "include",
                                      "method", "name", "note", "predicate", "rationale",
                                      "size_bytes", "table"}));
  EXPECT_EQ(idx["method"], "btree");
  EXPECT_EQ(idx["predicate"], "");
  EXPECT_EQ(idx["include"], Json::array());
  EXPECT_EQ(j["rejected"], Json::array());
  EXPECT_EQ(idx["note"], "");
  EXPECT_EQ(idx["ddl"], kDdl);
  EXPECT_EQ(idx["name"], "orders_customer_id_idx");
  EXPECT_EQ(idx["table"], "public.orders");
  EXPECT_EQ(idx["columns"], Json::array({"customer_id"}));
  EXPECT_GT(idx["size_bytes"].get<int64_t>(), 0);
  ASSERT_EQ(idx["helps"].size(), 1u) << idx.dump(2);
  const Json& help = idx["helps"][0];
  EXPECT_EQ(help["query"], "orders of one customer");
  EXPECT_EQ(help["weight"], 50.0);
  EXPECT_LT(help["cost_after"].get<double>(), help["cost_before"].get<double>());
}

TEST(CliAdvise, VerifyMeasuresASpeedUp) {
  RunResult r = RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload",
                           kDir + "workload.sql", "--verify", "--runs", "3", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r);
  ASSERT_TRUE(j["verify"].is_object()) << j.dump(2);
  EXPECT_EQ(j["verify"]["runs"], 3);
  const Json& q = j["verify"]["queries"][0];
  EXPECT_EQ(q["query"], "orders of one customer");
  EXPECT_EQ(q["before_outcome"], "ok");
  EXPECT_EQ(q["after_outcome"], "ok");
  ASSERT_TRUE(q["speed_up"].is_number()) << q.dump(2);
  EXPECT_GT(q["speed_up"].get<double>(), 1.0) << q.dump(2);
  EXPECT_EQ(q["indexes_after"], Json::array({"orders_customer_id_idx"})) << q.dump(2);
  ASSERT_EQ(j["indexes"].size(), 1u);
  EXPECT_EQ(j["indexes"][0]["dropped"], false) << j["indexes"][0].dump(2);
  EXPECT_EQ(j["indexes"][0]["helps"][0]["used_in_plan"], true);
}

// An index on a partitioned table exists per partition under other names; --verify must
// still credit it, and the DDL cannot use CONCURRENTLY there.
TEST(CliAdvise, PartitionedTableIndexIsVerified) {
  RunResult r =
      RunDbarch({"advise", "--schema", kDir + "partitioned.sql", "--workload",
                 kDir + "partitioned_workload.sql", "--verify", "--runs", "2", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r);
  ASSERT_EQ(j["indexes"].size(), 1u) << j.dump(2);
  const Json& idx = j["indexes"][0];
  EXPECT_EQ(idx["ddl"], "CREATE INDEX events_device_id_idx ON public.events (device_id)");
  EXPECT_NE(idx["note"].get<std::string>().find("partitioned table"), std::string::npos);
  EXPECT_EQ(idx["dropped"], false) << idx.dump(2);
  EXPECT_EQ(idx["helps"][0]["used_in_plan"], true) << idx.dump(2);
  const Json& q = j["verify"]["queries"][0];
  EXPECT_EQ(q["indexes_after"],
            Json::array({"events_2025_h1_device_id_idx", "events_2025_h2_device_id_idx"}))
      << q.dump(2);
  ASSERT_TRUE(q["speed_up"].is_number()) << q.dump(2);
  EXPECT_GT(q["speed_up"].get<double>(), 1.0);
}

TEST(CliAdvise, TextAndMarkdownVerify) {
  RunResult r =
      RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload", kDir + "workload.sql",
                 "--verify", "--runs", "1", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("| `orders_customer_id_idx` |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("```sql\n" + kDdl + ";\n```"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| orders of one customer | 50 |"), std::string::npos) << r.out;
}

TEST(CliAdvise, UsageErrorsExit2) {
  RunResult no_schema = RunDbarch({"advise", "--workload", kDir + "workload.sql"});
  EXPECT_EQ(no_schema.exit_code, 2) << Describe(no_schema);
  EXPECT_NE(no_schema.err.find("advise needs --schema"), std::string::npos) << no_schema.err;

  RunResult dsn =
      RunDbarch({"advise", "--dsn", "host=localhost", "--workload", kDir + "workload.sql"});
  EXPECT_EQ(dsn.exit_code, 2) << Describe(dsn);
  EXPECT_NE(dsn.err.find("--dsn is not supported yet"), std::string::npos) << dsn.err;

  RunResult width = RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload",
                               kDir + "workload.sql", "--width", "4"});
  EXPECT_EQ(width.exit_code, 2) << Describe(width);
  RunResult budget = RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload",
                                kDir + "workload.sql", "--budget-mb", "0"});
  EXPECT_EQ(budget.exit_code, 2) << Describe(budget);
  EXPECT_TRUE(budget.out.empty());
}

TEST(CliAdvise, BadWorkloadIsExit3) {
  RunResult r = RunDbarch({"advise", "--schema", kDir + "schema.sql", "--workload",
                           "test/fixtures/bench/bad_workload.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("bad_workload.sql:2:43: error: syntax error"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dbarch::cli_test
