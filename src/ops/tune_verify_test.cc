#include "ops/tune_verify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/source_span.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"
#include "workload/workload.h"

namespace dbarch::ops {
namespace {

constexpr int64_t kGB = 1024LL * 1024 * 1024;

BenchmarkRuns Runs(std::string unit, std::vector<double> values) {
  BenchmarkRuns r;
  r.unit = std::move(unit);
  r.values = std::move(values);
  return r;
}

// Every group's benchmarks with their runs and errors, for failure messages.
std::string Describe(const TuneVerification& v) {
  std::string out;
  for (const GroupVerification& g : v.groups) {
    out += g.group + ": " + std::string(VerdictName(g.verdict)) + " - " + g.reason + "\n";
    for (const BenchmarkComparison& c : g.benchmarks) {
      out += "  " + c.benchmark + " " + std::string(VerdictName(c.verdict)) + " change " +
             std::to_string(c.change) + " noise " + std::to_string(c.noise) + " before";
      for (double x : c.before.values) out += " " + std::to_string(x);
      out += " after";
      for (double x : c.after.values) out += " " + std::to_string(x);
      out += " " + c.before.error + " " + c.after.error + "\n";
    }
  }
  for (const std::string& n : v.notes) out += "note: " + n + "\n";
  return out;
}

TEST(TuneVerify, CompareJudgesAgainstTheNoise) {
  struct Case {
    const char* unit;
    std::vector<double> before, after;
    Verdict verdict;
  };
  const Case cases[] = {
      // tps: higher is better; a 20 % gain beyond a 2 % spread is faster.
      {"tps", {100, 101, 99}, {120, 121, 119}, Verdict::kFaster},
      {"tps", {100, 101, 99}, {80, 81, 79}, Verdict::kSlower},
      // A 10 % change inside a 30 % spread is noise.
      {"tps", {100, 130, 115}, {105, 104, 106}, Verdict::kNoChange},
      // Below the minimum effect (3 %) even with no spread at all.
      {"tps", {100, 100}, {98, 98}, Verdict::kNoChange},
      // Every run worse than every before run is slower, however noisy one side is.
      {"tps", {100, 400}, {60, 70}, Verdict::kSlower},
      {"ms", {0.02, 4.1}, {37.6, 56.9}, Verdict::kSlower},
      // ... but not faster: that still needs the noise beaten.
      {"tps", {100, 400}, {450, 500}, Verdict::kNoChange},
      // ms: lower is better.
      {"ms", {200, 202, 198}, {100, 101, 99}, Verdict::kFaster},
      {"ms", {100, 101, 99}, {200, 202, 198}, Verdict::kSlower},
  };
  for (const Case& c : cases) {
    BenchmarkComparison r = Compare("b", Runs(c.unit, c.before), Runs(c.unit, c.after), 0.03);
    EXPECT_EQ(r.verdict, c.verdict) << c.unit << " " << c.before[0] << " -> " << c.after[0];
  }
  BenchmarkComparison slower = Compare("b", Runs("ms", {100, 100}), Runs("ms", {200, 200}), 0.03);
  EXPECT_DOUBLE_EQ(slower.change, -0.5);  // half the speed
  EXPECT_DOUBLE_EQ(slower.noise, 0.03);
  BenchmarkRuns failed = Runs("tps", {});
  failed.error = "pgbench failed";
  EXPECT_EQ(Compare("b", Runs("tps", {1, 1}), failed, 0.03).verdict, Verdict::kFailed);
}

TEST(TuneVerify, EveryRecommendedSettingHasAGroupAndADefault) {
  for (WorkloadKind kind : {WorkloadKind::kWeb, WorkloadKind::kOltp, WorkloadKind::kDataWarehouse,
                            WorkloadKind::kMixed, WorkloadKind::kDesktop}) {
    TuneResult r = RecommendSettings({64 * kGB, 16, StorageKind::kSsd, 0}, kind, std::nullopt);
    for (const TuneSetting& s : r.settings) {
      EXPECT_NE(SettingGroup(s.name), "other") << s.name;
      EXPECT_FALSE(Pg15Default(s.name).empty()) << s.name;
    }
  }
}

TEST(TuneVerify, ApplyVerificationRemovesDroppedGroupsAndSaysWhy) {
  TuneResult r =
      RecommendSettings({8 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb, std::nullopt);
  TuneVerification v;
  GroupVerification planner;
  planner.group = "planner";
  planner.settings = {{"random_page_cost", "1.1"}, {"effective_cache_size", "6GB"}};
  planner.kept = false;
  planner.verdict = Verdict::kSlower;
  planner.reason = "dropped: measured slower: pgbench select-only 100 tps -> 50 tps";
  GroupVerification memory;
  memory.group = "memory";
  memory.settings = {{"shared_buffers", "2GB"}};
  memory.kept = true;
  v.groups = {planner, memory};
  ApplyVerification(v, r);
  bool has_shared_buffers = false;
  for (const TuneSetting& s : r.settings) {
    EXPECT_NE(s.name, "random_page_cost");
    EXPECT_NE(s.name, "effective_cache_size");
    has_shared_buffers |= s.name == "shared_buffers";
  }
  EXPECT_TRUE(has_shared_buffers);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes.back(),
            "not recommended: the planner group (random_page_cost, effective_cache_size) "
            "measured slower: pgbench select-only 100 tps -> 50 tps");
}

TEST(TuneVerify, RefusesATargetLargerThanThisMachine) {
  TuneResult r =
      RecommendSettings({64 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb, std::nullopt);
  VerifyBenchmark b;
  b.name = "pgbench select-only";
  b.kind = VerifyBenchmark::Kind::kPgbenchSelectOnly;
  VerifyOptions options;
  options.host_memory_bytes = 8 * kGB;
  auto v = VerifyRecommendations(r, std::nullopt, {b}, options);
  ASSERT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("cannot be sized like the target"), std::string::npos);
  options.host_memory_bytes = 0;
  options.rounds = 1;
  EXPECT_EQ(VerifyRecommendations(r, std::nullopt, {b}, options).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyRecommendations(r, std::nullopt, {}, VerifyOptions{}).status().code(),
            StatusCode::kInvalidArgument);
}

// A recommendation with a planner group that turns every primary-key lookup into a
// sequential scan (random_page_cost 100000): pgbench select-only and a SQL workload of key
// lookups both measure it far slower than any noise, so it is dropped; a harmless
// checkpoint group goes through the same runs. A short run: scale 1, 1 s per pgbench run.
TEST(TuneVerify, AGroupThatMeasuresSlowerIsDropped) {
  TuneResult r;
  r.machine = {2 * kGB, 2, StorageKind::kSsd, 0};
  r.settings = {{"random_page_cost", "", "100000", "sabotage", false},
                {"min_wal_size", "", "160MB", "harmless", false}};
  VerifyBenchmark pgbench;
  pgbench.name = "pgbench select-only";
  pgbench.kind = VerifyBenchmark::Kind::kPgbenchSelectOnly;
  VerifyBenchmark sql;
  sql.name = "lookups";
  sql.kind = VerifyBenchmark::Kind::kSql;
  auto workload = workload::ParseWorkload(
      SourceFile("lookups.sql", "-- name: by_key\nSELECT v FROM t WHERE id = 4242;\n"));
  ASSERT_TRUE(workload.ok()) << workload.status().ToString();
  sql.workload = *workload;
  bool loaded = false;
  sql.load = [&loaded](pg::Connection& conn) -> Status {
    loaded = true;
    Status created = conn.ExecScript(
        "CREATE TABLE t (id int PRIMARY KEY, v text);"
        "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 200000) g");
    if (!created.ok()) return created;
    return conn.ExecScript("VACUUM ANALYZE t");
  };
  VerifyOptions options;
  options.sandbox_base_dir = sandbox::test_util::TestOptions().base_dir;
  options.rounds = 2;
  options.pgbench_scale = 1;
  options.pgbench_seconds = 1;
  options.pgbench_clients = 2;
  options.sql_runs = 3;
  std::vector<std::string> progress;
  options.progress = [&progress](const std::string& line) { progress.push_back(line); };
  auto v = VerifyRecommendations(r, std::nullopt, {pgbench, sql}, options);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  SCOPED_TRACE(Describe(*v));
  EXPECT_TRUE(loaded);
  EXPECT_EQ(v->baseline_source, "PostgreSQL 15 defaults");
  ASSERT_EQ(v->groups.size(), 2u);
  const GroupVerification& checkpoints = v->groups[0];
  const GroupVerification& planner = v->groups[1];
  EXPECT_EQ(checkpoints.group, "checkpoints");
  EXPECT_EQ(planner.group, "planner");
  EXPECT_EQ(planner.verdict, Verdict::kSlower) << planner.reason;
  EXPECT_FALSE(planner.kept);
  ASSERT_EQ(planner.benchmarks.size(), 2u);
  for (const BenchmarkComparison& c : planner.benchmarks) {
    EXPECT_EQ(c.verdict, Verdict::kSlower) << c.benchmark;
    EXPECT_EQ(c.before.values.size(), 2u);
    EXPECT_EQ(c.after.values.size(), 2u);
    EXPECT_LT(c.change, -0.5) << c.benchmark;  // at least twice as slow
  }
  EXPECT_EQ(planner.benchmarks[0].before.unit, "tps");
  EXPECT_EQ(planner.benchmarks[1].before.unit, "ms");
  EXPECT_NE(planner.reason.find("dropped: measured slower: pgbench select-only"), std::string::npos)
      << planner.reason;
  // Phase 2 runs exactly when a group was kept.
  EXPECT_EQ(v->overall.empty(), !checkpoints.kept);
  ApplyVerification(*v, r);
  for (const TuneSetting& s : r.settings) EXPECT_NE(s.name, "random_page_cost");
  EXPECT_FALSE(progress.empty());
}

}  // namespace
}  // namespace dbarch::ops
