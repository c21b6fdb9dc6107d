#include "ops/health.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ops/health_checks.h"
#include "ops/health_config.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::ops {
namespace {

// One server for these tests, with WAL at the replica level (the default sandbox runs
// wal_level=minimal for fast loads, which allows no replication slot).
Result<sandbox::Sandbox*> SharedSandbox() {
  static Result<std::unique_ptr<sandbox::Sandbox>> started = [] {
    sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
    options.settings = {{"wal_level", "replica"},
                        {"max_wal_senders", "2"},
                        {"max_prepared_transactions", "2"}};
    return sandbox::Sandbox::Start(options);
  }();
  if (!started.ok()) return started.status();
  return started->get();
}

Result<std::string> SharedConnInfo() {
  DBARCH_ASSIGN_OR_RETURN(sandbox::Sandbox * box, SharedSandbox());
  return box->ConnInfo();
}

// A read-write connection to database `db` of the shared sandbox.
// Read-only sessions get the timeouts `dbarch health` uses, so that a check that would wait
// on a planted lock fails the test instead of hanging it.
pg::Connection Connect(const std::string& db, bool read_only = false) {
  auto conninfo = SharedConnInfo();
  EXPECT_TRUE(conninfo.ok()) << conninfo.status().ToString();
  pg::ConnectOptions options;
  options.conninfo = *conninfo + " dbname=" + db;
  options.read_only = read_only;
  options.statement_timeout_ms = read_only ? 10000 : 0;
  options.lock_timeout_ms = read_only ? 1000 : 0;
  auto conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  return std::move(conn).value();
}

void MakeDatabase(const std::string& db) {
  auto box = SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase(db).ok());
}

void Exec(pg::Connection& conn, const std::string& sql) {
  auto r = conn.Exec(sql);
  ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
}

// Polls `sql` (one boolean) until true, for at most 10 s.
bool WaitFor(pg::Connection& conn, const std::string& sql) {
  for (int i = 0; i < 200; ++i) {
    auto r = conn.Exec(sql);
    if (r.ok() && r->rows() == 1 && r->GetBool(0, 0)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

const HealthCheckResult* FindCheck(const HealthReport& report, std::string_view name) {
  for (const HealthCheckResult& c : report.checks) {
    if (c.info->name == name) return &c;
  }
  return nullptr;
}

// The measurement of `check` whose object contains `object`, or null.
const Measurement* FindMeasurement(const HealthReport& report, std::string_view check,
                                   std::string_view object) {
  const HealthCheckResult* c = FindCheck(report, check);
  if (c == nullptr) return nullptr;
  for (const Measurement& m : c->measurements) {
    if (m.object.find(object) != std::string::npos) return &m;
  }
  return nullptr;
}

std::string Describe(const HealthReport& report) {
  std::string out;
  for (const HealthCheckResult& c : report.checks) {
    out += std::string(c.info->name) + " " + std::string(SeverityName(c.severity())) +
           (c.error.empty() ? "" : " error: " + c.error) + "\n";
    for (const Measurement& m : c.measurements) {
      out += "  " + std::string(SeverityName(m.severity)) + " " + m.object + ": " + m.message +
             "\n";
    }
  }
  return out;
}

TEST(Health, CleanDatabaseIsQuietAndEveryCheckRuns) {
  MakeDatabase("health_clean");
  {
    pg::Connection setup = Connect("health_clean");
    Exec(setup,
        "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "email text NOT NULL UNIQUE);"
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL "
        "REFERENCES customers, placed_at timestamptz NOT NULL DEFAULT now());"
        "CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at);"
        "INSERT INTO customers (email) SELECT 'c' || g || '@example.com' "
        "FROM generate_series(1, 1000) g;"
        "INSERT INTO orders (customer_id) SELECT 1 + g % 1000 FROM generate_series(1, 5000) g;"
        "ANALYZE");
  }
  pg::Connection conn = Connect("health_clean", /*read_only=*/true);
  auto report = RunHealthChecks(conn, HealthOptions{});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->checks.size(), AllHealthChecks().size());
  EXPECT_EQ(report->severity(), Severity::kOk) << Describe(*report);
  for (const HealthCheckResult& c : report->checks) {
    EXPECT_TRUE(c.error.empty()) << c.info->name << ": " << c.error;
  }
  EXPECT_EQ(report->database, "health_clean");
  EXPECT_GT(report->sizes.database_bytes.at("health_clean"), 0);
  EXPECT_GT(report->sizes.relation_bytes.at("public.orders"), 0);
}

TEST(Health, PlantedProblemsAreFoundWithTheirObjects) {
  MakeDatabase("health_planted");
  pg::Connection setup = Connect("health_planted");
  Exec(setup,
      // A sequence at 96 % of its range, and a bigint sequence behind an integer column that
      // is at 97.8 % of the column's range.
      "CREATE SEQUENCE nearly_done MAXVALUE 100;"
      "SELECT setval('nearly_done', 96);"
      "CREATE SEQUENCE wide_seq AS bigint;"
      "CREATE TABLE narrow (id integer PRIMARY KEY DEFAULT nextval('wide_seq'));"
      "SELECT setval('wide_seq', 2100000000);"
      // A table without a primary key, and a duplicate index.
      "CREATE TABLE events (kind text, at timestamptz);"
      "CREATE TABLE items (id int PRIMARY KEY, sku text);"
      "CREATE INDEX items_sku_idx ON items (sku);"
      "CREATE INDEX items_sku_idx2 ON items (sku);"
      // Dead tuples nothing will clean.
      "CREATE TABLE churn (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off);"
      "INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 5000) g;"
      "DELETE FROM churn;"
      "CREATE TABLE dups (v int);"
      "INSERT INTO dups VALUES (1), (1);"
      "CREATE TABLE queue (id int)");
  // A prepared transaction nobody finished.
  Exec(setup, "BEGIN; INSERT INTO events VALUES ('x', now()); PREPARE TRANSACTION 'forgotten'");
  // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index behind.
  auto failed = setup.Exec("CREATE UNIQUE INDEX CONCURRENTLY dups_v_key ON dups (v)");
  ASSERT_FALSE(failed.ok());
  // An inactive physical slot that reserved WAL at creation.
  Exec(setup, "SELECT pg_create_physical_replication_slot('health_planted_slot', true)");
  Exec(setup, "SELECT pg_stat_force_next_flush()");
  ASSERT_TRUE(WaitFor(setup,
                      "SELECT coalesce((SELECT n_dead_tup >= 5000 FROM pg_stat_user_tables "
                      "WHERE relname = 'churn'), false)"));

  // A session idle in an open transaction, holding a lock that a second session waits for.
  pg::Connection holder = Connect("health_planted");
  Exec(holder, "BEGIN; LOCK TABLE queue IN ACCESS EXCLUSIVE MODE");
  pg::Connection waiter = Connect("health_planted");
  std::thread waiting([&waiter] { (void)waiter.Exec("SELECT count(*) FROM queue"); });
  pg::Connection conn = Connect("health_planted", /*read_only=*/true);
  bool queued = WaitFor(conn,
                        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = "
                        "'Lock' AND query LIKE '%FROM queue%')");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  HealthOptions options;
  options.thresholds["idle_in_transaction"] = {0.05, 3600};
  options.thresholds["lock_waits"] = {0.05, 3600};
  options.thresholds["prepared_transactions"] = {0.05, 3600};
  auto report = RunHealthChecks(conn, options);
  Exec(holder, "COMMIT");
  waiting.join();
  Exec(setup, "SELECT pg_drop_replication_slot('health_planted_slot')");
  Exec(setup, "ROLLBACK PREPARED 'forgotten'");
  ASSERT_TRUE(queued);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::string all = Describe(*report);

  const Measurement* m = FindMeasurement(*report, "sequences", "public.nearly_done");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kCritical);
  EXPECT_NEAR(m->value, 95.96, 0.01);
  m = FindMeasurement(*report, "sequences", "public.wide_seq");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kCritical);
  EXPECT_NE(m->message.find("column type's maximum"), std::string::npos) << m->message;
  EXPECT_NE(m->message.find("narrow.id integer"), std::string::npos) << m->message;

  m = FindMeasurement(*report, "missing_primary_key", "public.events");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kWarning);
  EXPECT_EQ(FindMeasurement(*report, "missing_primary_key", "public.items"), nullptr) << all;

  m = FindMeasurement(*report, "duplicate_indexes", "public.items_sku_idx2");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kWarning);
  EXPECT_EQ(FindMeasurement(*report, "duplicate_indexes", "public.items_sku_idx "), nullptr);
  EXPECT_EQ(FindCheck(*report, "duplicate_indexes")->measurements.size(), 1u) << all;

  m = FindMeasurement(*report, "invalid_indexes", "public.dups_v_key");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kCritical);

  m = FindMeasurement(*report, "autovacuum_debt", "public.churn");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_GE(m->severity, Severity::kWarning);
  EXPECT_NE(m->message.find("autovacuum is disabled on this table"), std::string::npos);

  m = FindMeasurement(*report, "replication_slots", "health_planted_slot");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kWarning);
  EXPECT_GT(m->value, 0);
  EXPECT_NE(m->message.find("inactive"), std::string::npos);

  const HealthCheckResult* idle = FindCheck(*report, "idle_in_transaction");
  ASSERT_EQ(idle->measurements.size(), 1u) << all;
  EXPECT_EQ(idle->measurements[0].severity, Severity::kWarning);
  EXPECT_NE(idle->measurements[0].message.find("LOCK TABLE queue"), std::string::npos);

  const HealthCheckResult* locks = FindCheck(*report, "lock_waits");
  ASSERT_EQ(locks->measurements.size(), 1u) << all;
  EXPECT_EQ(locks->measurements[0].severity, Severity::kWarning);
  EXPECT_NE(locks->measurements[0].message.find("blocked by pid"), std::string::npos)
      << locks->measurements[0].message;
  EXPECT_NE(locks->measurements[0].message.find("idle in transaction"), std::string::npos)
      << locks->measurements[0].message;

  m = FindMeasurement(*report, "prepared_transactions", "transaction forgotten");
  ASSERT_NE(m, nullptr) << all;
  EXPECT_EQ(m->severity, Severity::kWarning);

  EXPECT_EQ(report->severity(), Severity::kCritical);
}

TEST(Health, OnlyTheChosenChecksRunAndUnknownNamesAreRefused) {
  pg::Connection conn = Connect("postgres", /*read_only=*/true);
  HealthOptions options;
  options.only = {"connections", "checkpoints"};
  auto report = RunHealthChecks(conn, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->checks.size(), 2u);
  EXPECT_EQ(report->checks[0].info->name, "connections");
  EXPECT_EQ(report->checks[1].info->name, "checkpoints");
  ASSERT_EQ(report->checks[0].measurements.size(), 1u);
  EXPECT_GT(report->checks[0].measurements[0].value, 0);  // this session counts

  options.only = {"conections"};
  auto bad = RunHealthChecks(conn, options);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(Health, RecentlyResetStatisticsAreAWarning) {
  MakeDatabase("health_stats_reset");
  HealthOptions options;
  options.only = {"stats_reset"};
  {
    pg::Connection conn = Connect("health_stats_reset", /*read_only=*/true);
    auto report = RunHealthChecks(conn, options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->severity(), Severity::kOk) << Describe(*report);
    EXPECT_EQ(report->checks[0].note, "this database's statistics were never reset");
  }
  pg::Connection setup = Connect("health_stats_reset");
  Exec(setup, "SELECT pg_stat_reset()");
  pg::Connection conn = Connect("health_stats_reset", /*read_only=*/true);
  auto report = RunHealthChecks(conn, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const HealthCheckResult& c = report->checks[0];
  EXPECT_EQ(c.severity(), Severity::kWarning) << Describe(*report);  // never critical
  ASSERT_EQ(c.measurements.size(), 1u);
  EXPECT_EQ(c.measurements[0].object, "database health_stats_reset");
  EXPECT_LT(c.measurements[0].value, 1.0);
  EXPECT_NE(c.measurements[0].message.find("statistics reset"), std::string::npos);
}

TEST(HealthClassify, DirectionsAndBoundaries) {
  Thresholds t{80, 95};
  EXPECT_EQ(Classify(79.9, t, Direction::kHigherIsWorse), Severity::kOk);
  EXPECT_EQ(Classify(80, t, Direction::kHigherIsWorse), Severity::kWarning);
  EXPECT_EQ(Classify(95, t, Direction::kHigherIsWorse), Severity::kCritical);
  Thresholds low{95, 90};
  EXPECT_EQ(Classify(99, low, Direction::kLowerIsWorse), Severity::kOk);
  EXPECT_EQ(Classify(95, low, Direction::kLowerIsWorse), Severity::kWarning);
  EXPECT_EQ(Classify(89, low, Direction::kLowerIsWorse), Severity::kCritical);
}

TEST(HealthConfig, YamlThresholdsOverrideDefaultsPerLevel) {
  auto t = ParseHealthThresholds("dbarch.yaml",
                                 "rules: { select-star: off }\n"
                                 "health:\n"
                                 "  idle_in_transaction: { warning: 30, critical: 300 }\n"
                                 "  sequences: { warning: 70 }\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->at("idle_in_transaction"), (Thresholds{30, 300}));
  EXPECT_EQ(t->at("sequences"), (Thresholds{70, 95}));
  EXPECT_TRUE(ParseHealthThresholds("x.yaml", "rules: {}\n")->empty());
}

TEST(HealthConfig, BadYamlNamesThePlaceAndTheCheck) {
  auto t = ParseHealthThresholds("dbarch.yaml", "health:\n  sequence: { warning: 70 }\n");
  ASSERT_FALSE(t.ok());
  ASSERT_TRUE(t.status().span().has_value());
  EXPECT_EQ(t.status().span()->line, 2u);
  EXPECT_NE(t.status().hint().find("sequences"), std::string::npos);
  t = ParseHealthThresholds("dbarch.yaml", "health:\n  sequences: { warning: lots }\n");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("not a number"), std::string::npos);
}

TEST(HealthConfig, ThresholdFlags) {
  std::map<std::string, Thresholds> t;
  ASSERT_TRUE(ParseThresholdFlag("connections=70:90", t).ok());
  EXPECT_EQ(t.at("connections"), (Thresholds{70, 90}));
  ASSERT_TRUE(ParseThresholdFlag("connections=:99", t).ok());
  EXPECT_EQ(t.at("connections"), (Thresholds{70, 99}));
  EXPECT_FALSE(ParseThresholdFlag("connections=70", t).ok());
  EXPECT_FALSE(ParseThresholdFlag("conections=1:2", t).ok());
  EXPECT_FALSE(ParseThresholdFlag("connections=a:2", t).ok());
}

TEST(HealthSizes, SnapshotRoundTripsAndBadInputIsRefused) {
  SizeSnapshot s;
  s.taken_at_unix_s = 1700000000;
  s.database_bytes["app"] = 123456789;
  s.relation_bytes["public.orders"] = 4096;
  auto back = SizeSnapshotFromJson(SizeSnapshotToJson(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->taken_at_unix_s, s.taken_at_unix_s);
  EXPECT_EQ(back->database_bytes, s.database_bytes);
  EXPECT_EQ(back->relation_bytes, s.relation_bytes);
  EXPECT_FALSE(SizeSnapshotFromJson("[1]").ok());
  EXPECT_FALSE(SizeSnapshotFromJson("{\"taken_at_unix_s\": \"x\"}").ok());
  EXPECT_FALSE(SizeSnapshotFromJson("{\"taken_at_unix_s\": 1, \"database_bytes\": {\"a\": 1.5}}").ok());
}

TEST(HealthFormat, SecondsAndSizes) {
  EXPECT_EQ(FormatSeconds(2.54), "2.5 s");
  EXPECT_EQ(FormatSeconds(75), "1 min 15 s");
  EXPECT_EQ(FormatSeconds(7300), "2 h 1 min");
  EXPECT_EQ(FormatSeconds(90000), "1 d 1 h");
  EXPECT_EQ(FormatSize(512), "512 bytes");
  EXPECT_EQ(FormatSize(3.0 * 1024 * 1024 * 1024), "3072 MB");
  EXPECT_EQ(FormatSize(30.0 * 1024 * 1024 * 1024), "30 GB");
}

}  // namespace
}  // namespace dbarch::ops
