// `dbarch diff --online`, `dbarch diff --verify` and `dbarch migrate new` end to end: the
// binary on files and on sandbox PostgreSQL 15 databases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "cli/run_dbarch.h"
#include "diff/diff.h"
#include "lint/linter.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

catalog::Catalog CatalogOf(const std::string& conninfo) {
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  auto conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return {};
  pg::IntrospectOptions io;
  io.include_roles = false;
  auto cat = pg::IntrospectCatalog(*conn, io);
  EXPECT_TRUE(cat.ok()) << cat.status().ToString();
  if (!cat.ok()) return {};
  // The runner's history table is not part of the schema.
  catalog::Catalog out = std::move(cat).value();
  out.tables.erase(catalog::QualifiedName{"public", "dbarch_schema_history"});
  return out;
}

// The differences between two catalogs, one line each ("" when equal).
std::string Differences(const catalog::Catalog& got, const catalog::Catalog& want) {
  diff::DiffOptions options;
  options.allow_destructive = true;
  diff::DiffResult d = diff::Diff(got, want, options);
  std::string out;
  for (const diff::Change& c : d.changes) out += c.object + ": " + c.sql.front() + "\n";
  for (const std::string& w : d.warnings) out += w + "\n";
  return out;
}

const char* kFrom = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n";
const char* kTo =
    "CREATE TABLE t (id int PRIMARY KEY,\n"
    "  amount int, -- dbarch:renamed-from a\n"
    "  b text NOT NULL);\n"
    "CREATE INDEX t_b_idx ON t (b);\n";

TEST(CliDiffOnline, SqlTextAndJsonShowThePhases) {
  TempDir dir;
  WriteFile(dir.path() / "from.sql", kFrom);
  WriteFile(dir.path() / "to.sql", kTo);
  std::string from = (dir.path() / "from.sql").string(), to = (dir.path() / "to.sql").string();
  RunResult sql = RunDbarch({"diff", "--online", from, to});
  ASSERT_EQ(sql.exit_code, 0) << Describe(sql);
  for (const char* phase :
       {"phase 1: expand", "phase 2: backfill", "phase 3: switch", "phase 4: contract",
        "CREATE INDEX CONCURRENTLY t_b_idx", "CHECK (b IS NOT NULL) NOT VALID",
        "SET lock_timeout = '5s';", "-- rollback of phase 1 (expand):"}) {
    EXPECT_NE(sql.out.find(phase), std::string::npos) << phase << "\n" << sql.out;
  }
  RunResult text = RunDbarch({"diff", "--online", "--format", "text", from, to});
  ASSERT_EQ(text.exit_code, 0) << Describe(text);
  EXPECT_NE(text.out.find("phase 4: contract"), std::string::npos) << text.out;
  RunResult json = RunDbarch({"diff", "--online", "--format", "json", from, to});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["phases"].size(), 4u);
  EXPECT_EQ(j["phases"][0]["name"], "expand");
  EXPECT_EQ(j["phases"][3]["name"], "contract");
  EXPECT_FALSE(j["phases"][0]["rollback"].empty());
  bool concurrent = false;
  for (const auto& phase : j["phases"]) {
    for (const auto& step : phase["steps"]) {
      if (step["what"] == "create index concurrently") {
        concurrent = true;
        EXPECT_EQ(step["in_transaction"], false);
        EXPECT_EQ(step["lock"], "SHARE UPDATE EXCLUSIVE");
        EXPECT_EQ(step["scans"], true);
      }
    }
  }
  EXPECT_TRUE(concurrent) << json.out;
}

TEST(CliDiffOnline, VerifyPassesOnAFixturePairAndWithOnline) {
  std::string pair = SourceDir() + "/test/fixtures/diff/constraints_all_kinds/";
  RunResult r =
      RunDbarch({"diff", "--verify", "--allow-destructive", pair + "FROM.sql", pair + "TO.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  TempDir dir;
  WriteFile(dir.path() / "from.sql", kFrom);
  WriteFile(dir.path() / "to.sql", kTo);
  r = RunDbarch({"diff", "--verify", "--online", (dir.path() / "from.sql").string(),
                 (dir.path() / "to.sql").string()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

// A role with a clear-text password in TO: the printed online plan guards the step with the
// psql variable (no secret), and `--verify --online` proves the rest of the plan (the step
// needs the secret, so it is not applied in the sandbox).
TEST(CliDiffOnline, PasswordStepGuardedAndVerified) {
  TempDir dir;
  WriteFile(dir.path() / "from.sql", kFrom);
  WriteFile(dir.path() / "to.sql",
            std::string("CREATE ROLE online_pw_role LOGIN PASSWORD 'sw0rdfish';\n") + kTo +
                "GRANT SELECT ON t TO online_pw_role;\n");
  std::string from = (dir.path() / "from.sql").string(), to = (dir.path() / "to.sql").string();
  RunResult sql = RunDbarch({"diff", "--online", from, to});
  ASSERT_EQ(sql.exit_code, 0) << Describe(sql);
  EXPECT_EQ(sql.out.find("sw0rdfish"), std::string::npos) << sql.out;
  EXPECT_NE(sql.out.find("\\if :{?online_pw_role_password}\nALTER ROLE online_pw_role PASSWORD "
                         ":'online_pw_role_password';\n\\else\n"),
            std::string::npos)
      << sql.out;
  RunResult verified = RunDbarch({"diff", "--verify", "--online", from, to});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_EQ((verified.out + verified.err).find("sw0rdfish"), std::string::npos);
}

// The online plans of a changed partition key (the table copied; its foreign key to another
// table added without NOT VALID, which PostgreSQL 15 refuses on a partitioned table) and of
// rebuilt composite types pass verification, both ways.
TEST(CliDiffOnline, VerifyCopiedTablesAndRebuiltTypes) {
  for (const char* pair : {"partition_key_change", "dep_nested_composite"}) {
    std::string dir = SourceDir() + "/test/fixtures/diff/" + pair + "/";
    for (const auto& [from, to] : {std::pair{"FROM.sql", "TO.sql"}, {"TO.sql", "FROM.sql"}}) {
      RunResult r = RunDbarch({"diff", "--verify", "--online", dir + from, dir + to});
      EXPECT_EQ(r.exit_code, 0) << pair << " " << from << " -> " << to << "\n" << Describe(r);
    }
  }
  RunResult plan = RunDbarch({"diff", "--online",
                              SourceDir() + "/test/fixtures/diff/partition_key_change/FROM.sql",
                              SourceDir() + "/test/fixtures/diff/partition_key_change/TO.sql"});
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_NE(plan.out.find("a foreign key on a partitioned table has no NOT VALID form"),
            std::string::npos)
      << plan.out;
}

// FROM read from a live database (its roles come with it and must not break the sandbox).
TEST(CliDiffOnline, VerifyFromALiveDatabase) {
  std::string conninfo = sandbox::test_util::CreateDatabaseWith(
      "verify_live", "CREATE ROLE verify_reader;\n" + std::string(kFrom) +
                         "GRANT SELECT ON t TO verify_reader;\n");
  ASSERT_FALSE(conninfo.empty());
  TempDir dir;
  WriteFile(dir.path() / "to.sql", std::string(kTo) + "GRANT SELECT ON t TO verify_reader;\n");
  RunResult r = RunDbarch(
      {"diff", "--verify", "--online", "--from-dsn", conninfo, (dir.path() / "to.sql").string()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("phase 4: contract"), std::string::npos) << r.out;
}

TEST(CliDiffOnline, VerifyFailsNamingTheTable) {
  TempDir dir;
  WriteFile(dir.path() / "from.sql", "CREATE TABLE t (id int PRIMARY KEY, b text);\n");
  WriteFile(dir.path() / "to.sql", "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n");
  RunResult r = RunDbarch({"diff", "--verify", "--allow-destructive",
                           (dir.path() / "from.sql").string(), (dir.path() / "to.sql").string()});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("table public.t: columns (id, b, a) where the target has (id, a, b)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("verification failed"), std::string::npos) << r.err;
  // Both sides came from the files themselves, not from dbarch's model of them.
  EXPECT_NE(r.err.find("verify: FROM loaded from the original files (" +
                       (dir.path() / "from.sql").string() + ")"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("verify: TO loaded from the original files ("), std::string::npos) << r.err;
  // The dump comparison sees the column order too.
  EXPECT_NE(r.err.find("pg_dump: "), std::string::npos) << r.err;
  // The up script is still printed.
  EXPECT_NE(r.out.find("ADD COLUMN a integer"), std::string::npos) << r.out;
}

class MigrateNewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto box = sandbox::test_util::SharedSandbox();
    ASSERT_TRUE(box.ok()) << box.status().ToString();
    std::string db =
        "mnew_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : db) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE((*box)->CreateDatabase(db).ok());
    dsn_ = (*box)->ConnInfo() + " dbname=" + db;
    std::string to_db = db + "_to";
    ASSERT_TRUE((*box)->CreateDatabase(to_db).ok());
    to_dsn_ = (*box)->ConnInfo() + " dbname=" + to_db;
    migrations_ = dir_.path() / "migrations";
    std::filesystem::create_directories(migrations_);
  }

  RunResult Migrate(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"migrate"};
    all.insert(all.end(), args.begin(), args.end());
    return RunDbarch(all);
  }

  void LoadTo(const std::string& sql) {
    pg::ConnectOptions options;
    options.conninfo = to_dsn_;
    options.read_only = false;
    auto conn = pg::Connection::Open(options);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn->ExecScript(sql).ok());
  }

  TempDir dir_;
  std::filesystem::path migrations_;
  std::string dsn_;
  std::string to_dsn_;
};

// Without --dsn: the folder's replayed state against the desired file; then migrate up gives
// the desired catalog and migrate down the previous one.
TEST_F(MigrateNewTest, FromTheFolderThenUpAndDown) {
  WriteFile(migrations_ / "V1__customer.sql",
            "CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL);\n");
  WriteFile(migrations_ / "U1__customer.sql", "DROP TABLE customer;\n");
  std::string desired =
      "CREATE TYPE status AS ENUM ('new', 'paid');\n"
      "CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL, email text UNIQUE);\n"
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES "
      "customer, state status NOT NULL DEFAULT 'new');\n"
      "CREATE INDEX orders_customer_idx ON orders (customer_id);\n"
      "CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE state = 'new';\n";
  WriteFile(dir_.path() / "desired.sql", desired);
  LoadTo(desired);
  RunResult up1 = Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(up1.exit_code, 0) << Describe(up1);
  catalog::Catalog before = CatalogOf(dsn_);

  RunResult made = Migrate({"new", "add orders", "--to", (dir_.path() / "desired.sql").string(),
                            "--dir", migrations_.string()});
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  EXPECT_EQ(made.out, "wrote " + (migrations_ / "V2__add_orders.sql").string() + "\nwrote " +
                          (migrations_ / "U2__add_orders.sql").string() + "\n");
  RunResult up = Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Differences(CatalogOf(dsn_), CatalogOf(to_dsn_)), "");
  RunResult down = Migrate({"down", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  EXPECT_EQ(Differences(CatalogOf(dsn_), before), "");

  // In sync: nothing written.
  RunResult again = Migrate({"new", "again", "--to", (dir_.path() / "desired.sql").string(),
                             "--dir", migrations_.string()});
  EXPECT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_NE(again.err.find("nothing written"), std::string::npos) << again.err;
  EXPECT_FALSE(std::filesystem::exists(migrations_ / "V3__again.sql"));
}

// Migration-rule findings at warning or above in the file `path`, linted against `schema`.
std::string LintFindings(const std::filesystem::path& path, const catalog::Catalog& schema) {
  lint::Config config;
  config.family_enabled[lint::Family::kDesign] = false;
  config.family_enabled[lint::Family::kQuery] = false;
  config.family_enabled[lint::Family::kSecurity] = false;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto file = std::make_shared<const SourceFile>(path.filename().string(), ss.str());
  lint::LintReport report = lint::LintSources({file}, &schema, config);
  std::string out;
  for (const lint::Finding& f : report.findings) {
    if (f.severity >= lint::Severity::kWarning) out += f.rule + ": " + f.message + "\n";
  }
  for (const Status& e : report.errors) out += "error: " + e.ToString() + "\n";
  return out;
}

// --online: the plan's phases become consecutive versioned files (expand, backfill,
// contract; the contract's concurrent index builds in files of their own, applied statement
// by statement); every file and its undo passes the migration rules; `migrate up` applies
// them all (gated at --fail-on warning) with the rows kept; `migrate down` reverses them.
TEST_F(MigrateNewTest, OnlinePhasesAsVersionedFilesUpAndDown) {
  WriteFile(migrations_ / "V1__t.sql",
            "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL DEFAULT 1, b text);\n"
            "CREATE INDEX t_a_idx ON t (a);\n");
  WriteFile(migrations_ / "U1__t.sql", "DROP TABLE t;\n");
  std::string desired =
      "CREATE TABLE t (id int PRIMARY KEY,\n"
      "  amount int NOT NULL DEFAULT 1, -- dbarch:renamed-from a\n"
      "  b text, c int);\n"
      "CREATE INDEX t_a_idx ON t (amount);\n"
      "CREATE INDEX t_b_idx ON t (b);\n"
      "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE (c);\n";
  WriteFile(dir_.path() / "desired.sql", desired);
  LoadTo(desired);
  ASSERT_EQ(Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()}).exit_code, 0);
  {
    pg::ConnectOptions options;
    options.conninfo = dsn_;
    options.read_only = false;
    auto conn = pg::Connection::Open(options);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        conn->ExecScript("INSERT INTO t SELECT g, g, 'x' || g FROM generate_series(1, 2500) g")
            .ok());
  }
  catalog::Catalog before = CatalogOf(dsn_);

  RunResult made = Migrate({"new", "rename amount", "--online", "--to",
                            (dir_.path() / "desired.sql").string(), "--dir", migrations_.string()});
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  const std::vector<std::string> names = {
      "2__rename_amount_1_expand",   "3__rename_amount_2_backfill", "4__rename_amount_3_contract",
      "5__rename_amount_4_contract", "6__rename_amount_5_contract", "7__rename_amount_6_contract"};
  std::string expected;
  for (const std::string& n : names) {
    expected += "wrote " + (migrations_ / ("V" + n + ".sql")).string() + "\nwrote " +
                (migrations_ / ("U" + n + ".sql")).string() + "\n";
  }
  EXPECT_EQ(made.out, expected);
  // The concurrent builds and the batched backfill are alone in their files.
  auto read = [&](const std::string& name) {
    std::ifstream in(migrations_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_NE(read("V3__rename_amount_2_backfill.sql").find("statement by statement"),
            std::string::npos);
  EXPECT_NE(read("V5__rename_amount_4_contract.sql").find("CREATE UNIQUE INDEX CONCURRENTLY"),
            std::string::npos);
  EXPECT_EQ(read("V4__rename_amount_3_contract.sql").find("CONCURRENTLY"), std::string::npos);
  EXPECT_EQ(read("V4__rename_amount_3_contract.sql").find("BEGIN"), std::string::npos);
  // Each file linted against the schema it runs on: the files before it applied (the undo
  // file: its own up file applied too).
  catalog::CatalogBuilder state;
  state.Reset(before);
  for (const std::string& n : names) {
    EXPECT_EQ(LintFindings(migrations_ / ("V" + n + ".sql"), state.catalog()), "") << n;
    std::string up_sql = read("V" + n + ".sql");
    ASSERT_TRUE(state.ApplyFile(SourceFile("V" + n + ".sql", up_sql)).ok()) << n;
    EXPECT_EQ(LintFindings(migrations_ / ("U" + n + ".sql"), state.catalog()), "") << n;
  }

  RunResult up =
      Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string(), "--fail-on", "warning"});
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Differences(CatalogOf(dsn_), CatalogOf(to_dsn_)), "");
  {
    pg::ConnectOptions options;
    options.conninfo = dsn_;
    auto conn = pg::Connection::Open(options);
    ASSERT_TRUE(conn.ok());
    auto r = conn->Exec("SELECT count(*) FROM t WHERE amount = id");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Get(0, 0), "2500");
  }
  RunResult down = Migrate({"down", "--dsn", dsn_, "--dir", migrations_.string(), "--to", "1"});
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  EXPECT_EQ(Differences(CatalogOf(dsn_), before), "");
  {
    pg::ConnectOptions options;
    options.conninfo = dsn_;
    auto conn = pg::Connection::Open(options);
    ASSERT_TRUE(conn.ok());
    auto r = conn->Exec("SELECT count(*) FROM t WHERE a = id");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Get(0, 0), "2500");
  }
  // And up again, to the desired schema.
  up = Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Differences(CatalogOf(dsn_), CatalogOf(to_dsn_)), "");
}

// With --dsn and pair-style names: the database (its history table left out) against a
// desired database given as a URI-less conninfo file; destructive steps refused by default.
TEST_F(MigrateNewTest, FromTheDatabaseWithPairNamesAndDestructiveRefusal) {
  WriteFile(migrations_ / "0001_init.up.sql",
            "CREATE TABLE item (id int PRIMARY KEY, legacy text, qty int);\n");
  WriteFile(migrations_ / "0001_init.down.sql", "DROP TABLE item;\n");
  RunResult up1 = Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(up1.exit_code, 0) << Describe(up1);
  catalog::Catalog before = CatalogOf(dsn_);
  std::string desired = "CREATE TABLE item (id int PRIMARY KEY, qty bigint NOT NULL DEFAULT 0);\n";
  WriteFile(dir_.path() / "desired.sql", desired);
  LoadTo(desired);
  std::vector<std::string> args = {
      "new",   "shrink item",        "--to",  (dir_.path() / "desired.sql").string(),
      "--dir", migrations_.string(), "--dsn", dsn_};
  RunResult refused = Migrate(args);
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_NE(refused.err.find("drop column public.item.legacy"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(migrations_ / "0002_shrink_item.up.sql"));
  args.push_back("--allow-destructive");
  RunResult made = Migrate(args);
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  ASSERT_TRUE(std::filesystem::exists(migrations_ / "0002_shrink_item.up.sql"));
  ASSERT_TRUE(std::filesystem::exists(migrations_ / "0002_shrink_item.down.sql"));
  std::string up_sql = ReadFile(migrations_ / "0002_shrink_item.up.sql");
  EXPECT_EQ(up_sql.find("dbarch_schema_history"), std::string::npos) << up_sql;
  RunResult up = Migrate({"up", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Differences(CatalogOf(dsn_), CatalogOf(to_dsn_)), "");
  RunResult down = Migrate({"down", "--dsn", dsn_, "--dir", migrations_.string()});
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  // The dropped column comes back (at the end: ALTER TABLE cannot put it back in place).
  std::string left = Differences(CatalogOf(dsn_), before);
  EXPECT_EQ(left,
            "the column order of table public.item differs; ALTER TABLE cannot reorder columns, "
            "new columns are added at the end\n");
}

TEST_F(MigrateNewTest, UsageErrors) {
  RunResult r = Migrate({"new", "x", "--dir", migrations_.string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = Migrate({"new", "--to", "a.sql", "--dir", migrations_.string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = Migrate({"new", "x", "--to", "/nonexistent/a.sql", "--dir", migrations_.string()});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
}

}  // namespace
}  // namespace dbarch::cli_test
