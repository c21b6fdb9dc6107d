// `dbarch tune --verify` end to end, short: pgbench select-only at scale 1 and the bench
// fixtures' own workload (schema, data files, queries) as the user's benchmark, two rounds of
// one-second runs; the JSON carries the measured groups; usage errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
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

// A server log in which a sort writes 90 MB temporary files 200 times an hour: --log raises
// work_mem from the formula's 20971kB (16 GB, web, 200 connections) towards what one call
// spills, capped at 4x the formula (81MB), and says why.
TEST(CliTune, LogSpillsRaiseWorkMem) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dbarch-tune-log-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "postgresql.log").string();
  {
    std::ofstream out(log);
    for (int i = 0; i < 200; ++i) {
      char ts[64];
      std::snprintf(ts, sizeof(ts), "2026-03-01 10:%02d:%02d.000 UTC", i * 18 / 60, i * 18 % 60);
      out << ts << " [" << 300 + i << "] app@shop LOG:  temporary file: path "
          << "\"base/pgsql_tmp/pgsql_tmp" << 300 + i << ".0\", size 94371840\n"
          << ts << " [" << 300 + i << "] app@shop STATEMENT:  SELECT * FROM orders WHERE "
          << "customer_id = " << i << " ORDER BY total\n"
          << ts << " [" << 300 + i << "] app@shop LOG:  duration: 812.5 ms  statement: "
          << "SELECT * FROM orders WHERE customer_id = " << i << " ORDER BY total\n";
    }
  }
  RunResult r = RunDbarch({"tune", "--memory", "16GB", "--cpus", "2", "--workload", "web",
                           "--log", log, "--format", "json"});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& s : j["settings"]) {
    if (s["name"] != "work_mem") continue;
    found = true;
    EXPECT_EQ(s["recommended"], "81MB") << s.dump();
    EXPECT_NE(s["reason"].get<std::string>().find("1 statements in the server log"),
              std::string::npos)
        << s.dump();
  }
  EXPECT_TRUE(found) << r.out;
  r = RunDbarch({"tune", "--memory", "16GB", "--cpus", "2", "--log", "no/such.log"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
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
