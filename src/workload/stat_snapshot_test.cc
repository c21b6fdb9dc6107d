#include "workload/stat_snapshot.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/test_util.h"

namespace dbarch::workload {
namespace {

StatEntry Entry(const std::string& queryid, int64_t calls, double ms,
                const std::string& query = "SELECT 1") {
  StatEntry e;
  e.userid = "10";
  e.dbid = "5";
  e.queryid = queryid;
  e.user = "app";
  e.database = "shop";
  e.query = query;
  e.counters.calls = calls;
  e.counters.total_exec_ms = ms;
  e.counters.rows = calls;
  return e;
}

StatSnapshot Snap(double epoch, std::vector<StatEntry> entries, int64_t dealloc = 0,
                  const std::string& reset = "2026-03-01 09:00:00+00") {
  StatSnapshot s;
  s.taken_at = "t" + std::to_string(static_cast<int>(epoch));
  s.taken_at_epoch = epoch;
  s.system_identifier = "7300000000000000001";
  s.stats_reset = reset;
  s.dealloc = dealloc;
  s.max_entries = 100;
  s.entries = std::move(entries);
  return s;
}

const StatEntry* Find(const StatWindow& w, const std::string& queryid) {
  for (const StatEntry& e : w.entries) {
    if (e.queryid == queryid) return &e;
  }
  return nullptr;
}

std::string Notes(const StatWindow& w) {
  std::string out;
  for (const std::string& n : w.notes) out += n + "\n";
  return out;
}

TEST(StatSnapshot, DifferenceSubtractsAndSaysWhatItDidWithNewRestartedAndGoneEntries) {
  StatSnapshot before =
      Snap(1000, {Entry("1", 10, 100), Entry("2", 5, 50), Entry("3", 7, 70), Entry("4", 2, 20)}, 3);
  StatSnapshot after = Snap(1600,
                            {Entry("1", 25, 400),  // +15 calls, +300 ms
                             Entry("2", 5, 50),    // idle in the window: left out
                             Entry("3", 2, 30),    // went down: deallocated and back
                             Entry("5", 4, 8)},    // new
                            9);                    // "4" is gone
  auto w = DiffStatSnapshots(before, after);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_FALSE(w->since_reset);
  EXPECT_EQ(w->from, "t1000");
  EXPECT_EQ(w->to, "t1600");
  EXPECT_DOUBLE_EQ(w->seconds, 600);
  ASSERT_EQ(w->entries.size(), 3u);
  EXPECT_EQ(w->entries[0].queryid, "1");  // by total time
  EXPECT_EQ(w->entries[0].counters.calls, 15);
  EXPECT_DOUBLE_EQ(w->entries[0].counters.total_exec_ms, 300);
  EXPECT_EQ(Find(*w, "2"), nullptr);
  ASSERT_NE(Find(*w, "3"), nullptr);
  EXPECT_TRUE(Find(*w, "3")->restarted);
  EXPECT_EQ(Find(*w, "3")->counters.calls, 2);
  ASSERT_NE(Find(*w, "5"), nullptr);
  EXPECT_EQ(Find(*w, "5")->counters.calls, 4);
  EXPECT_EQ(w->new_entries, 1);
  EXPECT_EQ(w->restarted_entries, 1);
  EXPECT_EQ(w->vanished_entries, 1);
  EXPECT_EQ(w->deallocations, 6);
  EXPECT_EQ(w->total.calls, 21);
  std::string notes = Notes(*w);
  EXPECT_NE(notes.find("1 entries appeared in the window"), std::string::npos) << notes;
  EXPECT_NE(notes.find("1 entries restarted from zero"), std::string::npos) << notes;
  EXPECT_NE(notes.find("1 entries of the earlier snapshot are gone"), std::string::npos) << notes;
  EXPECT_NE(notes.find("6 deallocations in the window (pg_stat_statements.max = 100)"),
            std::string::npos)
      << notes;
}

TEST(StatSnapshot, AResetInsideTheWindowCountsFromTheReset) {
  StatSnapshot before = Snap(1000, {Entry("1", 10, 100)});
  StatSnapshot after = Snap(1600, {Entry("1", 3, 30)}, 0, "2026-03-01 10:20:00+00");
  after.stats_reset_epoch = 1500;
  auto w = DiffStatSnapshots(before, after);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(w->since_reset);
  EXPECT_EQ(w->from, "2026-03-01 10:20:00+00");
  EXPECT_DOUBLE_EQ(w->seconds, 100);
  ASSERT_EQ(w->entries.size(), 1u);
  EXPECT_EQ(w->entries[0].counters.calls, 3);
  EXPECT_NE(Notes(*w).find("the statistics were reset at 2026-03-01 10:20:00+00, inside the "
                           "window"),
            std::string::npos)
      << Notes(*w);
}

TEST(StatSnapshot, SnapshotsOfAnotherServerOrInTheWrongOrderAreErrors) {
  StatSnapshot a = Snap(1000, {});
  StatSnapshot b = Snap(2000, {});
  b.system_identifier = "7300000000000000002";
  auto other = DiffStatSnapshots(a, b);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("different servers"), std::string::npos);
  auto order = DiffStatSnapshots(Snap(2000, {}), Snap(1000, {}));
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.status().message().find("was taken after the later one"), std::string::npos);
}

TEST(StatSnapshot, JsonRoundTripAndBadFiles) {
  StatSnapshot s = Snap(1234.5, {Entry("-8000000000000000001", 3, 1.25, "SELECT 'Zoë' = $1")});
  s.entries[0].toplevel = false;
  s.entries[0].counters.wal_bytes = 123456789012;
  s.postmaster_start = "2026-03-01 08:00:00+00";
  auto back = StatSnapshotFromJson(StatSnapshotToJson(s), "snap.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(StatSnapshotToJson(*back), StatSnapshotToJson(s));
  EXPECT_EQ(back->entries[0].query, "SELECT 'Zoë' = $1");
  EXPECT_FALSE(back->entries[0].toplevel);
  EXPECT_EQ(back->entries[0].counters.wal_bytes, 123456789012);

  for (const char* bad : {"", "[]", "{\"format\": \"other\"}",
                          "{\"format\": \"dbarch-pgss-snapshot\", \"version\": 2}",
                          "{\"format\": \"dbarch-pgss-snapshot\", \"version\": 1}"}) {
    auto r = StatSnapshotFromJson(bad, "snap.json");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("snap.json: not a pg_stat_statements snapshot", 0), 0u)
        << r.status().message();
  }
}

// A real server with pg_stat_statements loaded (pg_stat_statements.max at its minimum, 100,
// so deallocation can be provoked): snapshots through a read-only session, the difference
// of a window, a reset inside a window, and deallocation.
TEST(StatSnapshot, WindowsOfARealServer) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = {{"shared_preload_libraries", "pg_stat_statements"},
                      {"pg_stat_statements.max", "100"}};
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions admin_options;
  admin_options.conninfo = (*box)->ConnInfo();
  admin_options.read_only = false;
  auto admin = pg::Connection::Open(admin_options);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  pg::ConnectOptions reader_options;
  reader_options.conninfo = (*box)->ConnInfo();
  reader_options.read_only = true;
  reader_options.statement_timeout_ms = 10000;
  reader_options.lock_timeout_ms = 1000;
  auto reader = pg::Connection::Open(reader_options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  auto missing = TakeStatSnapshot(*reader);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(admin
                  ->ExecScript("CREATE EXTENSION pg_stat_statements;"
                               "CREATE TABLE snap_t (a int, b int);"
                               "INSERT INTO snap_t SELECT g, g FROM generate_series(1, 100) g;")
                  .ok());
  auto run = [&](const std::string& sql, int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(admin->ExecScript(sql).ok()) << sql;
    }
  };
  run("SELECT b FROM snap_t WHERE a = 1", 5);
  auto s1 = TakeStatSnapshot(*reader);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_FALSE(s1->stats_reset.empty());
  EXPECT_EQ(s1->max_entries, 100);
  run("SELECT b FROM snap_t WHERE a = 2", 3);
  run("SELECT count(*) FROM snap_t WHERE b > 10", 2);
  auto s2 = TakeStatSnapshot(*reader);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  auto w = DiffStatSnapshots(*s1, *s2);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto calls_of = [](const StatWindow& win, const std::string& query) -> int64_t {
    for (const StatEntry& e : win.entries) {
      if (e.query == query) return e.counters.calls;
    }
    return -1;
  };
  EXPECT_EQ(calls_of(*w, "SELECT b FROM snap_t WHERE a = $1"), 3);
  EXPECT_EQ(calls_of(*w, "SELECT count(*) FROM snap_t WHERE b > $1"), 2);
  EXPECT_FALSE(w->since_reset);
  EXPECT_EQ(w->deallocations, 0);

  // A reset inside the window: the figures count from it.
  run("SELECT pg_stat_statements_reset()", 1);
  run("SELECT b FROM snap_t WHERE a = 3", 1);
  auto s3 = TakeStatSnapshot(*reader);
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  auto reset = DiffStatSnapshots(*s2, *s3);
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_TRUE(reset->since_reset);
  EXPECT_EQ(calls_of(*reset, "SELECT b FROM snap_t WHERE a = $1"), 1);
  EXPECT_NE(Notes(*reset).find("inside the window"), std::string::npos) << Notes(*reset);

  // More distinct statements than pg_stat_statements.max: entries are deallocated.
  for (int k = 1; k <= 130; ++k) {
    std::string sql = "SELECT a";
    for (int j = 0; j < k; ++j) sql += ", b";
    run(sql + " FROM snap_t WHERE a = 1", 1);
  }
  auto s4 = TakeStatSnapshot(*reader);
  ASSERT_TRUE(s4.ok()) << s4.status().ToString();
  auto evicted = DiffStatSnapshots(*s3, *s4);
  ASSERT_TRUE(evicted.ok()) << evicted.status().ToString();
  EXPECT_GT(evicted->deallocations, 0);
  EXPECT_NE(Notes(*evicted).find("deallocations in the window (pg_stat_statements.max = 100)"),
            std::string::npos)
      << Notes(*evicted);
  EXPECT_LE(s4->entries.size(), 100u);
}

}  // namespace
}  // namespace dbarch::workload
