// The behaviour the generated DDL promises, checked on a real PostgreSQL 15 (the shared test
// sandbox): immutable attributes reject updates, updated_at follows every update, a
// tenant-scoped row cannot reference another tenant's row, and a partitioned table routes rows
// by month, keeps its referenced key with the partition key and can still be referenced.
#include "design/schema.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "design/model.h"
#include "sandbox/test_util.h"

namespace dbarch::design {
namespace {

// Tenants own projects; events (partitioned: 100 rows + 500/month x 3 months reach 1000) belong
// to a project; notes optionally point at an event.
constexpr const char* kModel = R"(name: behaviour
options:
  tenant: tenants
  audit: true
  partition_rows: 1000
  horizon_months: 3
  start: "2026-01"
entities:
  tenants:
    rows: 10
    attributes:
      name: { type: name, required: true, unique: true }
  projects:
    rows: 10
    attributes:
      code: { type: name, required: true, immutable: true }
      title: { type: name, required: true }
  events:
    rows: 100
    growth: 500/month
    attributes:
      kind: { type: name, required: true }
  notes:
    rows: 10
    attributes:
      body: { type: text }
relationships:
  - { from: events, to: projects, required: true, owned: true }
  - { from: notes, to: events }
)";

Model ParsedModel() {
  auto m = ParseModel("behaviour.yaml", kModel);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Model{};
}

TEST(DesignSchema, PartitionsTablesWhoseRowsAtTheHorizonReachTheThreshold) {
  auto s = BuildSchema(ParsedModel(), BuildOptions{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->partitions.size(), 1u);
  EXPECT_EQ(s->partitions[0].table, "events");
  EXPECT_EQ(s->partitions[0].key, "created_at");
  EXPECT_EQ(s->partitions[0].projected_rows, 1600);
  EXPECT_EQ(s->partitions[0].months, 3);
  std::string ddl = s->Ddl();
  EXPECT_NE(ddl.find("CONSTRAINT events_pkey PRIMARY KEY (id, created_at)"), std::string::npos);
  EXPECT_NE(ddl.find(") PARTITION BY RANGE (created_at)"), std::string::npos);
  EXPECT_NE(ddl.find("CREATE TABLE events_2026_03 PARTITION OF events\n    FOR VALUES FROM "
                     "('2026-03-01 00:00:00 UTC') TO ('2026-04-01 00:00:00 UTC')"),
            std::string::npos)
      << ddl;
  EXPECT_NE(ddl.find("CREATE TABLE events_default PARTITION OF events DEFAULT"), std::string::npos);
  EXPECT_EQ(ddl.find("events_2026_04"), std::string::npos);
  // Below the threshold: not partitioned.
  EXPECT_NE(ddl.find("CONSTRAINT projects_pkey PRIMARY KEY (id)"), std::string::npos);
  // The reference to the partitioned table carries its partition key; with the tenant.
  EXPECT_NE(ddl.find("FOREIGN KEY (tenant_id, event_id, event_created_at) REFERENCES events "
                     "(tenant_id, id, created_at) ON DELETE SET NULL (event_id, "
                     "event_created_at)"),
            std::string::npos)
      << ddl;
  EXPECT_NE(ddl.find("FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) "
                     "ON DELETE CASCADE"),
            std::string::npos);
  EXPECT_NE(ddl.find("CONSTRAINT projects_tenant_id_id_key UNIQUE (tenant_id, id)"),
            std::string::npos);
}

TEST(DesignSchema, BelowTheThresholdNothingIsPartitioned) {
  Model m = ParsedModel();
  m.options.partition_rows = 1601;
  auto s = BuildSchema(m, BuildOptions{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->partitions.empty());
  EXPECT_EQ(s->Ddl().find("PARTITION"), std::string::npos);
}

class DesignOnServer : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = sandbox::test_util::ConnectToSharedSandbox();
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    ASSERT_TRUE(admin->ExecScript("DROP DATABASE IF EXISTS design_behaviour").ok());
    auto s = BuildSchema(ParsedModel(), BuildOptions{});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    std::string info = sandbox::test_util::CreateDatabaseWith("design_behaviour", s->Ddl());
    ASSERT_FALSE(info.empty());
    pg::ConnectOptions options;
    options.conninfo = info;
    options.read_only = false;
    auto db = pg::Connection::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(db).value());
    // Two tenants with one project each.
    Ok("INSERT INTO tenants (name) VALUES ('alpha'), ('beta')");
    Ok("INSERT INTO projects (tenant_id, code, title, created_at, updated_at) VALUES "
       "(1, 'a1', 'Alpha one', '2026-01-05', '2026-01-05'), "
       "(2, 'b1', 'Beta one', '2026-01-05', '2026-01-05')");
  }

  void Ok(const std::string& sql) {
    Status st = db_->ExecScript(sql);
    EXPECT_TRUE(st.ok()) << sql << "\n" << st.ToString();
  }
  // Runs `sql`, which must fail with SQLSTATE `state`; returns the server's message.
  std::string Fails(const std::string& sql, const std::string& state) {
    Status st = db_->ExecScript(sql);
    EXPECT_FALSE(st.ok()) << sql << " succeeded";
    EXPECT_EQ(db_->last_sqlstate(), state) << sql << "\n" << st.ToString();
    return st.message();
  }
  std::string Value(const std::string& sql) {
    auto r = db_->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r.ok() || r->rows() == 0) return "";
    return r->IsNull(0, 0) ? "NULL" : std::string(r->Get(0, 0));
  }

  std::optional<pg::Connection> db_;
};

TEST_F(DesignOnServer, ImmutableAttributeRejectsUpdatesOthersChange) {
  std::string msg = Fails("UPDATE projects SET code = 'changed' WHERE id = 1", "23514");
  EXPECT_NE(msg.find("column projects.code is immutable"), std::string::npos) << msg;
  EXPECT_EQ(Value("SELECT code FROM projects WHERE id = 1"), "a1");
  Ok("UPDATE projects SET title = 'Renamed' WHERE id = 1");
  EXPECT_EQ(Value("SELECT title FROM projects WHERE id = 1"), "Renamed");
  // Setting it to its own value is no change.
  Ok("UPDATE projects SET code = 'a1' WHERE id = 1");
}

TEST_F(DesignOnServer, UpdatedAtFollowsEveryUpdate) {
  EXPECT_EQ(Value("SELECT updated_at = '2026-01-05' FROM projects WHERE id = 2"), "t");
  Ok("UPDATE projects SET title = 'Beta renamed' WHERE id = 2");
  EXPECT_EQ(Value("SELECT updated_at > '2026-01-05' AND updated_at <= now() FROM projects "
                  "WHERE id = 2"),
            "t");
  // Even an explicit stale value is replaced by the trigger.
  Ok("UPDATE projects SET updated_at = '2026-01-06' WHERE id = 2");
  EXPECT_EQ(Value("SELECT updated_at > '2026-01-06' FROM projects WHERE id = 2"), "t");
  // The other row is untouched.
  EXPECT_EQ(Value("SELECT updated_at = '2026-01-05' FROM projects WHERE id = 1"), "t");
}

TEST_F(DesignOnServer, CrossTenantReferenceIsRejected) {
  // Tenant 2's event pointing at tenant 1's project.
  std::string msg = Fails(
      "INSERT INTO events (tenant_id, project_id, kind, created_at, updated_at) VALUES "
      "(2, 1, 'x', '2026-01-10', '2026-01-10')",
      "23503");
  EXPECT_NE(msg.find("events_project_id_fkey"), std::string::npos) << msg;
  Ok("INSERT INTO events (tenant_id, project_id, kind, created_at, updated_at) VALUES "
     "(1, 1, 'x', '2026-01-10', '2026-01-10')");
  // Moving a row to another tenant is caught the same way.
  Fails("UPDATE events SET tenant_id = 2", "23503");
}

TEST_F(DesignOnServer, PartitionedTableRoutesByMonthAndStaysReferenceable) {
  Ok("INSERT INTO events (tenant_id, project_id, kind, created_at, updated_at) VALUES "
     "(1, 1, 'jan', '2026-01-10', '2026-01-10'), "
     "(1, 1, 'mar', '2026-03-31 23:00', '2026-03-31 23:00'), "
     "(2, 2, 'later', '2031-05-01', '2031-05-01')");
  EXPECT_EQ(Value("SELECT tableoid::regclass::text FROM events WHERE kind = 'jan'"),
            "events_2026_01");
  EXPECT_EQ(Value("SELECT tableoid::regclass::text FROM events WHERE kind = 'mar'"),
            "events_2026_03");
  EXPECT_EQ(Value("SELECT tableoid::regclass::text FROM events WHERE kind = 'later'"),
            "events_default");
  EXPECT_EQ(Value("SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass"), "4");
  // The primary key includes the partition key.
  EXPECT_EQ(Value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = "
                  "'events_pkey'"),
            "PRIMARY KEY (id, created_at)");
  // A note references an event through (tenant_id, event_id, event_created_at).
  Ok("INSERT INTO notes (tenant_id, event_id, event_created_at, body) SELECT 1, id, created_at, "
     "'seen' FROM events WHERE kind = 'jan'");
  Fails(
      "INSERT INTO notes (tenant_id, event_id, event_created_at, body) SELECT 1, id, "
      "created_at + interval '1 day', 'wrong time' FROM events WHERE kind = 'jan'",
      "23503");
  Fails(
      "INSERT INTO notes (tenant_id, event_id, event_created_at, body) SELECT 2, id, "
      "created_at, 'other tenant' FROM events WHERE kind = 'jan'",
      "23503");
  // The partition key is immutable: a referenced row never moves.
  std::string msg =
      Fails("UPDATE events SET created_at = '2026-02-01' WHERE kind = 'jan'", "23514");
  // (the trigger fires on the partition holding the row, and names it)
  EXPECT_NE(msg.find("column events_2026_01.created_at is immutable"), std::string::npos) << msg;
  // Deleting the event clears the optional reference, tenant_id stays.
  Ok("DELETE FROM events WHERE kind = 'jan'");
  EXPECT_EQ(Value("SELECT concat_ws(',', tenant_id, event_id, event_created_at) FROM notes"), "1");
  // Deleting a project takes its events with it (owned) across partitions.
  Ok("DELETE FROM projects WHERE id = 2");
  EXPECT_EQ(Value("SELECT count(*) FROM events WHERE kind = 'later'"), "0");
}

}  // namespace
}  // namespace dbarch::design
