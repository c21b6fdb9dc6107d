// `dbarch tune --verify` end to end, short: pgbench select-only at scale 1 and the bench
// fixtures' own workload (schema, data files, queries) as the user's benchmark, two rounds of
// one-second runs; the JSON carries the measured groups; usage errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

TEST(CliTune, VerifyMeasuresEveryGroupWithTheUsersWorkload) {
  RunResult r = RunDbarch({"tune", "--memory", "1GB", "--cpus", "1", "--workload", "web",
                           "--verify", "--benchmarks", "select-only", "--rounds", "2",
                           "--pgbench-scale", "1", "--pgbench-seconds", "1", "--bench-schema",
                           "test/fixtures/bench/schema.sql", "--bench-data",
                           "test/fixtures/bench/data", "--bench-workload",
                           "test/fixtures/bench/workload", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& v = j.at("verification");
  EXPECT_EQ(v.at("rounds"), 2);
  EXPECT_EQ(v.at("sandbox_cpus"), 1);
  EXPECT_EQ(v.at("pgbench").at("clients"), 2);
  EXPECT_EQ(v.at("baseline").at("source"), "PostgreSQL 15 defaults");
  EXPECT_EQ(v.at("baseline").at("settings").at("shared_buffers"), "128MB");
  // 1 GB, web: memory, checkpoints and planner change; connections are applied unmeasured.
  std::vector<std::string> groups;
  for (const nlohmann::json& g : v.at("groups")) {
    groups.push_back(g.at("group"));
    if (g.at("group") == "connections") {
      EXPECT_EQ(g.at("verdict"), "not measured");
      EXPECT_TRUE(g.at("benchmarks").empty());
      continue;
    }
    ASSERT_EQ(g.at("benchmarks").size(), 2u) << g.dump();
    EXPECT_EQ(g.at("benchmarks")[0].at("benchmark"), "pgbench select-only");
    EXPECT_EQ(g.at("benchmarks")[0].at("unit"), "tps");
    EXPECT_EQ(g.at("benchmarks")[1].at("benchmark"), "workload");
    EXPECT_EQ(g.at("benchmarks")[1].at("unit"), "ms");
    for (const nlohmann::json& b : g.at("benchmarks")) {
      EXPECT_EQ(b.at("before").at("runs").size(), 2u);
      EXPECT_EQ(b.at("after").at("runs").size(), 2u);
      EXPECT_NE(b.at("verdict"), "failed") << b.dump();
    }
    // A dropped group's settings are gone from the recommendation.
    if (!g.at("kept").get<bool>()) {
      for (const auto& [name, value] : g.at("settings").items()) {
        for (const nlohmann::json& s : j.at("settings")) EXPECT_NE(s.at("name"), name);
      }
    }
  }
  EXPECT_EQ(groups, (std::vector<std::string>{"memory", "checkpoints", "planner", "connections"}));
}

TEST(CliTune, VerifyUsageErrors) {
  RunResult r = RunDbarch({"tune", "--memory", "1GB", "--cpus", "1", "--benchmarks", "tpcb"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("need --verify"), std::string::npos) << r.err;
  r = RunDbarch({"tune", "--memory", "1GB", "--cpus", "1", "--verify", "--benchmarks", "tpch"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("--tpch DIR"), std::string::npos) << r.err;
  r = RunDbarch({"tune", "--memory", "1GB", "--cpus", "1", "--verify", "--bench-workload",
                 "test/fixtures/bench/workload"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("--bench-schema"), std::string::npos) << r.err;
  r = RunDbarch({"tune", "--memory", "4096GB", "--cpus", "1", "--verify"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("cannot be sized like the target"), std::string::npos) << r.err;
  r = RunDbarch({"tune", "--verify", "--rounds", "1"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

}  // namespace
}  // namespace dbarch::cli_test
