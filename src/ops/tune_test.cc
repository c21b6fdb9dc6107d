#include "ops/tune.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "pg/connection.h"
#include "sandbox/sandbox.h"
#include "sandbox/test_util.h"

namespace dbarch::ops {
namespace {

constexpr int64_t kGB = 1024LL * 1024 * 1024;

std::map<std::string, TuneSetting> ByName(const TuneResult& r) {
  std::map<std::string, TuneSetting> out;
  for (const TuneSetting& s : r.settings) out[s.name] = s;
  return out;
}

// The formulas pgtune publishes, for inputs whose results are easy to check by hand: a web
// workload on 16 GB, 2 CPUs, SSD gives a quarter of memory to shared_buffers, three
// quarters as effective cache, 1/16 for maintenance, and (16 GB - 4 GB) / (200 x 3) of
// work_mem.
TEST(Tune, WebOn16GbMatchesPgtunesFormulas) {
  TuneResult r = RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb,
                                   std::nullopt);
  auto s = ByName(r);
  EXPECT_EQ(s["max_connections"].recommended, "200");
  EXPECT_EQ(s["shared_buffers"].recommended, "4GB");
  EXPECT_EQ(s["effective_cache_size"].recommended, "12GB");
  EXPECT_EQ(s["maintenance_work_mem"].recommended, "1GB");
  EXPECT_EQ(s["checkpoint_completion_target"].recommended, "0.9");
  EXPECT_EQ(s["wal_buffers"].recommended, "16MB");
  EXPECT_EQ(s["default_statistics_target"].recommended, "100");
  EXPECT_EQ(s["random_page_cost"].recommended, "1.1");
  EXPECT_EQ(s["effective_io_concurrency"].recommended, "200");
  EXPECT_EQ(s["work_mem"].recommended, "20971kB");
  EXPECT_EQ(s["huge_pages"].recommended, "off");
  EXPECT_EQ(s["min_wal_size"].recommended, "1GB");
  EXPECT_EQ(s["max_wal_size"].recommended, "4GB");
  EXPECT_EQ(s.count("max_parallel_workers_per_gather"), 0u);  // 2 cores: no parallel settings
  EXPECT_TRUE(s["shared_buffers"].needs_restart);
  EXPECT_FALSE(s["work_mem"].needs_restart);
}

TEST(Tune, WarehouseOn64GbWith16Cores) {
  TuneResult r = RecommendSettings({64 * kGB, 16, StorageKind::kHdd, 0},
                                   WorkloadKind::kDataWarehouse, std::nullopt);
  auto s = ByName(r);
  EXPECT_EQ(s["max_connections"].recommended, "40");
  EXPECT_EQ(s["shared_buffers"].recommended, "16GB");
  EXPECT_EQ(s["maintenance_work_mem"].recommended, "2GB");  // capped
  EXPECT_EQ(s["default_statistics_target"].recommended, "500");
  EXPECT_EQ(s["random_page_cost"].recommended, "4");
  EXPECT_EQ(s["effective_io_concurrency"].recommended, "2");
  EXPECT_EQ(s["max_parallel_workers_per_gather"].recommended, "8");
  EXPECT_EQ(s["max_worker_processes"].recommended, "16");
  // (64 GB - 16 GB) / (40 x 3) / 8 workers / 2 for analytics.
  EXPECT_EQ(s["work_mem"].recommended, "26214kB");
  EXPECT_EQ(s["huge_pages"].recommended, "try");
  EXPECT_EQ(s["max_wal_size"].recommended, "16GB");
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("vm.nr_hugepages = 9011"), std::string::npos) << r.notes.back();
}

TEST(Tune, MeasuredSpillsAndRequestedCheckpointsAdjustTheFormulas) {
  ServerSignals signals;
  signals.settings["max_connections"] = {"100", "postmaster"};
  signals.settings["work_mem"] = {"4MB", "user"};
  signals.settings["max_wal_size"] = {"1GB", "sighup"};
  signals.settings["shared_buffers"] = {"4GB", "postmaster"};
  signals.temp_files = 1000;
  signals.temp_bytes = 200 * kGB;  // 200 MB per file
  signals.stats_age_s = 86400;
  signals.checkpoints_timed = 10;
  signals.checkpoints_req = 30;
  TuneResult r = RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb,
                                   signals);
  auto s = ByName(r);
  // The server's connection limit is kept, not cut to the kind's 200... or raised.
  EXPECT_EQ(s["max_connections"].recommended, "100");
  EXPECT_EQ(s["max_connections"].current, "100");
  EXPECT_FALSE(s["max_connections"].changes());
  // (16 - 4) GB / 300 = 40 MB by formula; spills average 200 MB: raised to 4x the formula.
  EXPECT_EQ(s["work_mem"].recommended, "163MB");
  EXPECT_NE(s["work_mem"].reason.find("1000 temporary files"), std::string::npos);
  EXPECT_EQ(s["max_wal_size"].recommended, "4GB");
  EXPECT_NE(s["max_wal_size"].reason.find("30 of 40 checkpoints"), std::string::npos);
  // Same value written differently is not a change.
  EXPECT_FALSE(s["shared_buffers"].changes());
}

TEST(Tune, StatementsThatSpillRaiseWorkMemWhenTheyRunOften) {
  ServerSignals signals;
  signals.settings["max_connections"] = {"100", "postmaster"};
  signals.stats_age_s = 86400;
  signals.statement_spills = 3;
  signals.spilling_calls = 5000;
  signals.spill_per_call_p90_bytes = 90LL * 1024 * 1024;
  // (16 GB - 4 GB) / 300 = 40 MB by formula; 90 % of the spilling calls write up to 90 MB.
  auto s =
      ByName(RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb, signals));
  EXPECT_EQ(s["work_mem"].recommended, "90MB");
  EXPECT_NE(s["work_mem"].reason.find("3 statements in pg_stat_statements"), std::string::npos)
      << s["work_mem"].reason;
  // Rare statements do not pay for more memory on every connection.
  signals.spilling_calls = 50;
  s = ByName(RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb, signals));
  EXPECT_EQ(s["work_mem"].recommended, "41943kB");
  // Nor do spills smaller than the formula's work_mem.
  signals.spilling_calls = 5000;
  signals.spill_per_call_p90_bytes = 10LL * 1024 * 1024;
  s = ByName(RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb, signals));
  EXPECT_EQ(s["work_mem"].recommended, "41943kB");
}

// A log's spilling statements stand in for pg_stat_statements when it gave none, with the
// log's own time span; a server's pg_stat_statements figures and counters are kept.
TEST(Tune, LogSpillsStandInForPgStatStatements) {
  workload::LogReport log;
  log.summary.covered_seconds = 3600;
  log.summary.temp_files = 300;
  log.summary.temp_bytes = 300LL * 50 * 1024 * 1024;
  workload::LogGroup big;  // 200 calls writing 90 MB each
  big.calls = 200;
  big.temp_files = 200;
  big.temp_bytes = 200LL * 90 * 1024 * 1024;
  workload::LogGroup small;  // 100 calls writing 1 MB each
  small.calls = 100;
  small.temp_files = 100;
  small.temp_bytes = 100LL * 1024 * 1024;
  workload::LogGroup quiet;  // no spill: not counted
  quiet.calls = 5000;
  log.groups = {big, small, quiet};

  ServerSignals offline;
  AddLogSpills(log, /*from_server=*/false, offline);
  EXPECT_EQ(offline.statement_spills, 2);
  EXPECT_EQ(offline.spilling_calls, 300);
  EXPECT_EQ(offline.spill_per_call_p90_bytes, 90LL * 1024 * 1024);  // 90 % of calls: the 90 MB
  EXPECT_EQ(offline.temp_files, 300);
  EXPECT_EQ(offline.stats_age_s, 3600);
  auto s = ByName(RecommendSettings({16 * kGB, 2, StorageKind::kSsd, 0}, WorkloadKind::kWeb,
                                    offline));
  // (16 GB - 4 GB) / (200 connections x 3) = 20971kB by formula; raised towards 90 MB but
  // at most 4x the formula.
  EXPECT_EQ(s["work_mem"].recommended, "81MB");
  EXPECT_NE(s["work_mem"].reason.find("2 statements in the server log"), std::string::npos)
      << s["work_mem"].reason;

  ServerSignals server;
  server.temp_files = 7;
  server.stats_age_s = 86400;
  server.statement_spills = 0;  // pg_stat_statements read, nothing spilled
  AddLogSpills(log, /*from_server=*/true, server);
  EXPECT_EQ(server.statement_spills, 0);
  EXPECT_EQ(server.temp_files, 7);
  EXPECT_EQ(server.stats_age_s, 86400);
}

// pg_stat_statements on a real server: sorts larger than a session's 64kB work_mem write
// temporary files, and ReadServerSignals sees the statement and its spill per call.
TEST(Tune, ReadsSpillsFromPgStatStatements) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = {{"shared_preload_libraries", "pg_stat_statements"}};
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions c;
  c.conninfo = (*box)->ConnInfo();
  c.read_only = false;
  auto conn = pg::Connection::Open(c);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto before = ReadServerSignals(*conn);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->statement_spills, -1);  // not installed
  ASSERT_TRUE(conn->ExecScript("CREATE EXTENSION pg_stat_statements; SET work_mem = '64kB'").ok());
  for (int i = 0; i < 3; ++i) {
    auto sorted =
        conn->Exec("SELECT g FROM generate_series(1, 200000) g ORDER BY md5(g::text) LIMIT 1");
    ASSERT_TRUE(sorted.ok()) << sorted.status().ToString();
  }
  auto after = ReadServerSignals(*conn);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_GE(after->statement_spills, 1);
  EXPECT_GE(after->spilling_calls, 3);
  EXPECT_GT(after->spill_per_call_p90_bytes, 64 * 1024);
}

TEST(Tune, SizesRoundTrip) {
  EXPECT_EQ(ConfSize(6 * kGB), "6GB");
  EXPECT_EQ(ConfSize(1536LL * 1024 * 1024), "1536MB");
  EXPECT_EQ(ConfSize(64 * 1024), "64kB");
  EXPECT_EQ(ParseConfSize("128MB"), 128LL * 1024 * 1024);
  EXPECT_EQ(ParseConfSize("8192", 8192), 8192LL * 8192);
  EXPECT_FALSE(ParseConfSize("lots").has_value());
}

// Every recommended value is one PostgreSQL 15 accepts: ALTER SYSTEM validates each.
TEST(Tune, RecommendationsAreAcceptedByTheServer) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto signals = ReadServerSignals(*conn);
  ASSERT_TRUE(signals.ok()) << signals.status().ToString();
  EXPECT_EQ(signals->settings.at("shared_buffers").context, "postmaster");
  EXPECT_FALSE(signals->settings.at("work_mem").value.empty());
  for (WorkloadKind kind : {WorkloadKind::kWeb, WorkloadKind::kOltp,
                            WorkloadKind::kDataWarehouse, WorkloadKind::kMixed,
                            WorkloadKind::kDesktop}) {
    TuneResult r = RecommendSettings({24 * kGB, 8, StorageKind::kSan, 0}, kind, *signals);
    for (const TuneSetting& s : r.settings) {
      auto st = conn->Exec("ALTER SYSTEM SET " + s.name + " = '" + s.recommended + "'");
      EXPECT_TRUE(st.ok()) << s.name << " = " << s.recommended << ": " << st.status().ToString();
    }
  }
  ASSERT_TRUE(conn->Exec("ALTER SYSTEM RESET ALL").ok());
}

}  // namespace
}  // namespace dbarch::ops
