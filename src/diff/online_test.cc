// The online plans of `dbarch diff --online` against PostgreSQL 15: for each kind of change
// with a safe form (index add / drop, foreign key, CHECK, NOT NULL, UNIQUE, PRIMARY KEY) and
// each expand / contract case (column rename, rewriting type change), the plan is applied
// phase by phase to a database that holds rows, every phase and every rollback is linted
// with the linter's migration rules (no finding at warning or above), every rollback is
// applied and must give back the catalog from before its phase, and the end state must be
// the catalog of a database loaded with TO, with the rows' values kept.
#include "diff/online.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/format.h"
#include "diff/verify.h"
#include "lint/linter.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"

namespace dbarch::diff {
namespace {

catalog::Catalog ModelOf(const std::string& sql) {
  catalog::BuildOptions options;
  options.session_role = "postgres";
  catalog::CatalogBuilder builder(options);
  Status st = builder.ApplyFile(SourceFile("schema.sql", sql));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return builder.Finish();
}

DiffResult UpOf(const catalog::Catalog& from, const catalog::Catalog& to, const std::string& to_sql,
                bool allow_destructive = false) {
  DiffOptions options;
  options.allow_destructive = allow_destructive;
  options.renames = RenameAnnotationsInText(to, "schema.sql", to_sql);
  return Diff(from, to, options);
}

catalog::Catalog Introspect(pg::Connection& conn) {
  pg::IntrospectOptions options;
  options.include_roles = false;
  auto cat = pg::IntrospectCatalog(conn, options);
  EXPECT_TRUE(cat.ok()) << cat.status().ToString();
  return cat.ok() ? std::move(cat).value() : catalog::Catalog{};
}

// Every difference between two catalogs, one per line; column order is ignored when asked
// (a rollback that adds a column back puts it last).
std::string Differences(const catalog::Catalog& got, const catalog::Catalog& want,
                        bool ignore_column_order = false) {
  DiffOptions options;
  options.allow_destructive = true;
  DiffResult d = Diff(got, want, options);
  std::string out;
  for (const Change& c : d.changes) {
    out += std::string(catalog::ObjectKindName(c.kind)) + " " + c.object + ": " +
           (c.sql.empty() ? "" : c.sql[0]) + "\n";
  }
  for (const std::string& w : d.warnings) {
    if (ignore_column_order && w.find("cannot reorder columns") != std::string::npos) continue;
    out += w + "\n";
  }
  return out;
}

// Migration-rule findings at warning or above in `sql`, linted against `schema`.
std::string LintFindings(const std::string& sql, const catalog::Catalog& schema) {
  lint::Config config;
  config.family_enabled[lint::Family::kDesign] = false;
  config.family_enabled[lint::Family::kQuery] = false;
  config.family_enabled[lint::Family::kSecurity] = false;
  auto file = std::make_shared<const SourceFile>("phase.sql", sql);
  lint::LintReport report = lint::LintSources({file}, &schema, config);
  std::string out;
  for (const lint::Finding& f : report.findings) {
    if (f.severity >= lint::Severity::kWarning) out += f.rule + ": " + f.message + "\n";
  }
  for (const Status& e : report.errors) out += "error: " + e.ToString() + "\n";
  return out;
}

struct OnlineCase {
  std::string name;
  std::string from;
  std::string to;
  std::string seed;                 // rows loaded into FROM's database
  std::string check_sql;            // a query whose single value must be the same before and after
  std::vector<std::string> phases;  // expected phase names
};

std::vector<OnlineCase> Cases() {
  const std::string t = "CREATE TABLE t (id int PRIMARY KEY, a int);\n";
  const std::string seed_t = "INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g;\n";
  const std::string sum = "SELECT sum(a)::text FROM t";
  return {
      {"index_add", t, t + "CREATE INDEX t_a_idx ON t (a);\n", seed_t, sum, {"migrate"}},
      {"index_drop", t + "CREATE INDEX t_a_idx ON t (a);\n", t, seed_t, sum, {"migrate"}},
      {"foreign_key",
       "CREATE TABLE p (id int PRIMARY KEY);\n" + t,
       "CREATE TABLE p (id int PRIMARY KEY);\n"
       "CREATE TABLE t (id int PRIMARY KEY, a int REFERENCES p (id));\n",
       "INSERT INTO p SELECT g FROM generate_series(1, 3000) g;\n" + seed_t,
       sum,
       {"migrate"}},
      {"check",
       t,
       "CREATE TABLE t (id int PRIMARY KEY, a int CHECK (a > 0));\n",
       seed_t,
       sum,
       {"migrate"}},
      {"not_null",
       t,
       "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL);\n",
       seed_t,
       sum,
       {"migrate"}},
      {"unique",
       t,
       "CREATE TABLE t (id int PRIMARY KEY, a int UNIQUE);\n",
       seed_t,
       sum,
       {"migrate"}},
      {"primary_key", "CREATE TABLE t (id int, a int);\n", t, seed_t, sum, {"migrate"}},
      {"column_rename",
       "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL DEFAULT 1, b text);\n"
       "CREATE INDEX t_a_idx ON t (a);\n",
       "CREATE TABLE t (id int PRIMARY KEY,\n"
       "  amount int NOT NULL DEFAULT 1, -- dbarch:renamed-from a\n"
       "  b text);\n"
       "CREATE INDEX t_a_idx ON t (amount);\n",
       "INSERT INTO t SELECT g, g, 'x' || g FROM generate_series(1, 3000) g;\n",
       "SELECT sum(amount)::text FROM t",
       {"expand", "backfill", "switch", "contract"}},
      {"column_type",
       "CREATE TABLE t (id int PRIMARY KEY, b text, a int NOT NULL DEFAULT 0);\n"
       "CREATE INDEX t_a_idx ON t (a);\nCREATE UNIQUE INDEX t_b_a_key ON t (b) INCLUDE (a);\n",
       "CREATE TABLE t (id int PRIMARY KEY, b text, a bigint NOT NULL DEFAULT 7);\n"
       "CREATE INDEX t_a_idx ON t (a);\nCREATE UNIQUE INDEX t_b_a_key ON t (b) INCLUDE (a);\n",
       "INSERT INTO t SELECT g, 'x' || g, g FROM generate_series(1, 3000) g;\n",
       sum,
       {"expand", "backfill", "switch", "contract"}},
      {"mixed",
       "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, note text, total int NOT "
       "NULL);\n",
       "CREATE TABLE customer (id int PRIMARY KEY);\n"
       "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int REFERENCES customer,\n"
       "  note text NOT NULL, total bigint NOT NULL);\n"
       "CREATE INDEX orders_customer_idx ON orders (customer_id);\n",
       "INSERT INTO orders SELECT g, NULL, 'n' || g, g FROM generate_series(1, 3000) g;\n",
       "SELECT sum(total)::text FROM orders",
       {"expand", "backfill", "switch", "contract"}},
  };
}

class OnlinePlanOnServer : public ::testing::TestWithParam<OnlineCase> {};

TEST_P(OnlinePlanOnServer, LintCleanRollbacksWorkAndReachesTo) {
  const OnlineCase& c = GetParam();
  std::string db = "online_" + c.name;
  std::string conninfo = sandbox::test_util::CreateDatabaseWith(db, c.from + c.seed);
  std::string to_conninfo = sandbox::test_util::CreateDatabaseWith(db + "_to", c.to);
  ASSERT_FALSE(conninfo.empty());
  ASSERT_FALSE(to_conninfo.empty());
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  options.statement_timeout_ms = 0;
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  options.conninfo = to_conninfo;
  auto to_conn = pg::Connection::Open(options);
  ASSERT_TRUE(to_conn.ok());
  auto value = [&]() {
    auto r = conn->Exec(c.check_sql);
    return r.ok() && r->rows() == 1 ? std::string(r->Get(0, 0)) : std::string("?");
  };
  std::string before_value = value();

  catalog::Catalog from = ModelOf(c.from);
  catalog::Catalog to = ModelOf(c.to);
  DiffResult up = UpOf(from, to, c.to);
  ASSERT_TRUE(up.HasChanges());
  // The control: the plain diff's blocking form is what the linter flags.
  EXPECT_NE(LintFindings(FormatSql(up), Introspect(*conn)), "") << FormatSql(up);
  OnlinePlan plan = MakeOnlinePlan(from, to, up);
  std::vector<std::string> names;
  for (const OnlinePhase& p : plan.phases) names.push_back(p.name);
  EXPECT_EQ(names, c.phases) << FormatOnlineSql(plan);
  EXPECT_TRUE(plan.warnings.empty()) << Join(plan.warnings, "\n");

  for (size_t i = 0; i < plan.phases.size(); ++i) {
    const OnlinePhase& phase = plan.phases[i];
    SCOPED_TRACE("phase " + phase.name);
    catalog::Catalog before = Introspect(*conn);
    std::string sql = FormatOnlinePhaseSql(plan, i, false);
    EXPECT_EQ(LintFindings(sql, before), "") << sql;
    Status applied = RunOnlineSteps(*conn, phase.steps);
    ASSERT_TRUE(applied.ok()) << applied.ToString() << "\n" << sql;
    catalog::Catalog after = Introspect(*conn);
    if (phase.rollback.empty()) continue;
    std::string undo = FormatOnlinePhaseSql(plan, i, true);
    EXPECT_EQ(LintFindings(undo, after), "") << undo;
    Status undone = RunOnlineSteps(*conn, phase.rollback);
    ASSERT_TRUE(undone.ok()) << undone.ToString() << "\n" << undo;
    EXPECT_EQ(Differences(Introspect(*conn), before, true), "") << "rollback:\n" << undo;
    // And forward again.
    applied = RunOnlineSteps(*conn, phase.steps);
    ASSERT_TRUE(applied.ok()) << applied.ToString();
    EXPECT_EQ(Differences(Introspect(*conn), after, true), "");
  }
  EXPECT_EQ(Differences(Introspect(*conn), Introspect(*to_conn)), "") << FormatOnlineSql(plan);
  if (c.name == "column_rename") {
    auto r = conn->Exec("SELECT count(*) FROM t WHERE amount = id");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Get(0, 0), "3000");
  } else if (c.name == "column_type") {
    // The type changed, the values are kept, and writes after the switch went through.
    auto r = conn->Exec("SELECT count(*) FROM t WHERE a = id");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Get(0, 0), "3000");
    auto big = conn->Exec("INSERT INTO t (id, b, a) VALUES (5000000, 'big', 5000000000)");
    EXPECT_TRUE(big.ok()) << big.status().ToString();
  } else {
    EXPECT_EQ(value(), before_value);
  }
}

INSTANTIATE_TEST_SUITE_P(Online, OnlinePlanOnServer, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

// Every rename fixture pair (test/fixtures/diff/rename*): the online plan keeps each rename
// as one in-place step (a column renamed with its table stays in place too), in one phase
// whose steps and rollback pass the linter's migration rules; a table or view column rename
// carries the warning that readers are blocked briefly, and the others none.
TEST(OnlinePlan, RenamesOfEveryKindAreLintClean) {
  std::filesystem::path dir = std::filesystem::path(DBARCH_SOURCE_DIR) / "test/fixtures/diff";
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  int pairs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind("rename", 0) != 0) continue;
    SCOPED_TRACE(name);
    ++pairs;
    std::string to_sql = read(e.path() / "TO.sql");
    catalog::Catalog from = ModelOf(read(e.path() / "FROM.sql"));
    catalog::Catalog to = ModelOf(to_sql);
    DiffResult up = UpOf(from, to, to_sql);
    ASSERT_TRUE(up.HasChanges());
    for (const Change& c : up.changes) EXPECT_EQ(c.action, Action::kRename) << c.object;
    OnlinePlan plan = MakeOnlinePlan(from, to, up);
    ASSERT_EQ(plan.phases.size(), 1u) << FormatOnlineSql(plan);
    EXPECT_EQ(plan.phases[0].name, "migrate");
    EXPECT_EQ(LintFindings(FormatOnlinePhaseSql(plan, 0, false), from), "")
        << FormatOnlinePhaseSql(plan, 0, false);
    EXPECT_EQ(LintFindings(FormatOnlinePhaseSql(plan, 0, true), to), "")
        << FormatOnlinePhaseSql(plan, 0, true);
    // Renamed tables and view columns are renamed in place with a warning (readers of the
    // relation are blocked briefly; code using the old name fails from then on).
    bool table = name == "rename_set_schema" || name == "renames" ||
                 name == "rename_identity_sequence" || name == "rename_view_column";
    EXPECT_EQ(plan.warnings.empty(), !table) << Join(plan.warnings, "\n");
  }
  EXPECT_GE(pairs, 17);
}

// Writes made while the expand / contract plan is half applied reach both columns.
TEST(OnlinePlan, RenameSyncsWritesFromOldAndNewCode) {
  std::string from = "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL);\n";
  std::string to =
      "CREATE TABLE t (id int PRIMARY KEY,\n  b int NOT NULL -- dbarch:renamed-from a\n);\n";
  std::string conninfo = sandbox::test_util::CreateDatabaseWith("online_sync", from);
  ASSERT_FALSE(conninfo.empty());
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok());
  catalog::Catalog a = ModelOf(from), b = ModelOf(to);
  OnlinePlan plan = MakeOnlinePlan(a, b, UpOf(a, b, to));
  ASSERT_EQ(plan.phases.size(), 4u);
  ASSERT_TRUE(RunOnlineSteps(*conn, plan.phases[0].steps).ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO t (id, a) VALUES (1, 10)").ok());  // old code
  ASSERT_TRUE(conn->Exec("INSERT INTO t (id, b) VALUES (2, 20)").ok());  // new code
  ASSERT_TRUE(conn->Exec("UPDATE t SET b = 21 WHERE id = 2").ok());
  ASSERT_TRUE(conn->Exec("UPDATE t SET a = 11 WHERE id = 1").ok());
  auto r = conn->Exec("SELECT string_agg(id || ':' || a || ':' || b, ',' ORDER BY id) FROM t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get(0, 0), "1:11:11,2:21:21");
  for (size_t i = 1; i < plan.phases.size(); ++i) {
    ASSERT_TRUE(RunOnlineSteps(*conn, plan.phases[i].steps).ok()) << plan.phases[i].name;
  }
  r = conn->Exec("SELECT string_agg(id || ':' || b, ',' ORDER BY id) FROM t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get(0, 0), "1:11,2:21");
}

// The whole annotated script, run by psql as one file, reaches TO too (comments, the rollback
// sections, SET lines and dollar-quoted bodies all read as psql reads them).
TEST(OnlinePlan, WholeScriptRunsWithPsql) {
  OnlineCase c = Cases().back();
  ASSERT_EQ(c.name, "mixed");
  std::string conninfo = sandbox::test_util::CreateDatabaseWith("online_psql", c.from + c.seed);
  std::string to_conninfo = sandbox::test_util::CreateDatabaseWith("online_psql_to", c.to);
  ASSERT_FALSE(conninfo.empty());
  catalog::Catalog from = ModelOf(c.from), to = ModelOf(c.to);
  OnlinePlan plan = MakeOnlinePlan(from, to, UpOf(from, to, c.to));
  std::string path = ::testing::TempDir() + "online_plan.sql";
  {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::string sql = FormatOnlineSql(plan);
    fwrite(sql.data(), 1, sql.size(), f);
    fclose(f);
  }
  std::string cmd = "/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1 -d '" + conninfo +
                    "' -f " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = pclose(pipe);
  ASSERT_EQ(status, 0) << output;
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  auto conn = pg::Connection::Open(options);
  options.conninfo = to_conninfo;
  auto to_conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok() && to_conn.ok());
  EXPECT_EQ(Differences(Introspect(*conn), Introspect(*to_conn)), "");
}

TEST(OnlinePlan, InSyncGivesNoPhase) {
  catalog::Catalog a = ModelOf("CREATE TABLE t (id int PRIMARY KEY);");
  OnlinePlan plan = MakeOnlinePlan(a, a, Diff(a, a, {}));
  EXPECT_FALSE(plan.HasChanges());
  EXPECT_EQ(FormatOnlineSql(plan), "");
}

TEST(OnlinePlan, SafeFormsAndAnnotations) {
  std::string from = "CREATE TABLE t (id int PRIMARY KEY, a int);\n";
  std::string to =
      "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL UNIQUE CHECK (a > 0));\n"
      "CREATE INDEX t_a_idx ON t (a);\n";
  catalog::Catalog a = ModelOf(from), b = ModelOf(to);
  OnlinePlan plan = MakeOnlinePlan(a, b, UpOf(a, b, to));
  ASSERT_EQ(plan.phases.size(), 1u);
  std::string sql = FormatOnlineSql(plan);
  EXPECT_NE(sql.find("SET lock_timeout = '5s';"), std::string::npos) << sql;
  EXPECT_NE(sql.find("CREATE INDEX CONCURRENTLY t_a_idx ON public.t"), std::string::npos) << sql;
  EXPECT_NE(sql.find("CREATE UNIQUE INDEX CONCURRENTLY t_a_key ON public.t"), std::string::npos)
      << sql;
  EXPECT_NE(sql.find("ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_key"), std::string::npos);
  EXPECT_NE(sql.find("CHECK (a > 0) NOT VALID"), std::string::npos) << sql;
  EXPECT_NE(sql.find("VALIDATE CONSTRAINT t_a_check"), std::string::npos);
  EXPECT_NE(sql.find("CHECK (a IS NOT NULL) NOT VALID"), std::string::npos);
  EXPECT_NE(sql.find("canceling statement due to lock timeout"), std::string::npos);
  std::string text = FormatOnlineText(plan);
  EXPECT_NE(text.find("create index concurrently: public.t_a_idx (lock SHARE UPDATE "
                      "EXCLUSIVE, scans, outside a transaction, no statement_timeout)"),
            std::string::npos)
      << text;
  std::string json = FormatOnlineJson(plan);
  EXPECT_NE(json.find("\"in_transaction\": false"), std::string::npos);
  EXPECT_NE(json.find("\"name\": \"migrate\""), std::string::npos);
}

TEST(OnlinePlan, ColumnWithDependentsKeepsBlockingFormWithWarning) {
  std::string from =
      "CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE INDEX t_a ON t (a) WHERE a > 0;\n";
  std::string to =
      "CREATE TABLE t (id int PRIMARY KEY, a bigint);\nCREATE INDEX t_a ON t (a) WHERE a > 0;\n";
  catalog::Catalog a = ModelOf(from), b = ModelOf(to);
  OnlinePlan plan = MakeOnlinePlan(a, b, UpOf(a, b, to));
  ASSERT_FALSE(plan.warnings.empty());
  EXPECT_NE(plan.warnings[0].find("index public.t_a uses it"), std::string::npos)
      << plan.warnings[0];
}

}  // namespace
}  // namespace dbarch::diff
