// `dbarch diff` end to end: formats, --down, --exit-code, refused destructive steps, exit
// codes for usage, bad input and connection errors, and a live database as one side.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

const std::string kPairs = "test/fixtures/diff/";

TEST(CliDiff, PrintsUpSql) {
  RunResult r = RunDbarch({"diff", kPairs + "add_column/FROM.sql", kPairs + "add_column/TO.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "ALTER TABLE public.t ADD COLUMN name text DEFAULT '' NOT NULL;\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliDiff, InSyncPrintsNothingAndExitCodeSaysSo) {
  RunResult r =
      RunDbarch({"diff", "--exit-code", kPairs + "in_sync/FROM.sql", kPairs + "in_sync/TO.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  r = RunDbarch(
      {"diff", "--exit-code", kPairs + "add_column/FROM.sql", kPairs + "add_column/TO.sql"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
}

TEST(CliDiff, DownFileAndJson) {
  std::filesystem::path down = std::filesystem::temp_directory_path() / "dbarch_cli_diff_down.sql";
  RunResult r = RunDbarch({"diff", "--format", "json", "--down", down.string(),
                           kPairs + "add_column/FROM.sql", kPairs + "add_column/TO.sql"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["changes"].size(), 1u);
  EXPECT_EQ(j["changes"][0]["kind"], "column");
  EXPECT_EQ(j["changes"][0]["action"], "create");
  EXPECT_EQ(j["changes"][0]["lock"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(j["changes"][0]["destructive"], false);
  EXPECT_EQ(j["changes"][0]["reverse"][0], "ALTER TABLE public.t DROP COLUMN name");
  // The way back drops the column, which loses data: refused without --allow-destructive.
  std::string down_sql = ReadFile(down);
  EXPECT_NE(down_sql.find("-- refused (destructive"), std::string::npos) << down_sql;
  std::filesystem::remove(down);
}

TEST(CliDiff, DestructiveStepsRefusedUnlessAllowed) {
  RunResult r = RunDbarch({"diff", kPairs + "add_column/TO.sql", kPairs + "add_column/FROM.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "-- refused (destructive, needs --allow-destructive): would lose the values of column "
            "public.t.name\n-- ALTER TABLE public.t DROP COLUMN name;\n");
  EXPECT_NE(r.err.find("refused destructive change"), std::string::npos) << r.err;
  r = RunDbarch({"diff", "--allow-destructive", kPairs + "add_column/TO.sql",
                 kPairs + "add_column/FROM.sql"});
  EXPECT_EQ(r.out, "ALTER TABLE public.t DROP COLUMN name;\n");
}

TEST(CliDiff, TextFormat) {
  RunResult r = RunDbarch(
      {"diff", "--format", "text", kPairs + "renames/FROM.sql", kPairs + "renames/TO.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.rfind("~ rename table public.clients (lock ACCESS EXCLUSIVE)\n", 0), 0u) << r.out;
}

// A rename the source cannot honour is bad input, reported at the annotation's line and
// column with the source line and a caret.
TEST(CliDiff, UnhonouredRenameIsBadInputAtTheAnnotation) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "dbarch_cli_diff_rename";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::FILE* f = std::fopen((dir / name).c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  write("from.sql", "CREATE TABLE t (id int);\n");
  write("to.sql",
        "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id); -- dbarch:renamed-from ghost\n");
  RunResult r = RunDbarch({"diff", (dir / "from.sql").string(), (dir / "to.sql").string()});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  std::string where = (dir / "to.sql").string() + ":2:30:";
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no index public.ghost in the source"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(CliDiff, ExitCodes) {
  EXPECT_EQ(RunDbarch({"diff", kPairs + "add_column/FROM.sql"}).exit_code, 2);
  std::filesystem::path bad = std::filesystem::temp_directory_path() / "dbarch_cli_diff_bad.sql";
  {
    std::FILE* f = std::fopen(bad.c_str(), "w");
    std::fputs("CREATE TABLE (;\n", f);
    std::fclose(f);
  }
  RunResult r = RunDbarch({"diff", bad.string(), kPairs + "add_column/TO.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  std::filesystem::remove(bad);
  r = RunDbarch({"diff", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2",
                 kPairs + "add_column/TO.sql"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
}

// A live database on one side: its up script applied to it leaves nothing to do.
TEST(CliDiff, LiveDatabase) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase("cli_diff_live").ok());
  std::string dsn = (*box)->TcpConnInfo() + " dbname=cli_diff_live";
  pg::ConnectOptions options;
  options.conninfo = dsn;
  options.read_only = false;
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      conn->ExecScript(ReadFile(SourceDir() + "/" + kPairs + "views_over_changed_column/FROM.sql"))
          .ok());
  RunResult r = RunDbarch({"diff", "--allow-destructive", "--from-dsn", dsn,
                           kPairs + "views_over_changed_column/TO.sql"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Status applied = conn->ExecScript(r.out);
  ASSERT_TRUE(applied.ok()) << applied.ToString() << "\n" << r.out;
  r = RunDbarch(
      {"diff", "--exit-code", "--from-dsn", dsn, kPairs + "views_over_changed_column/TO.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
}

// pg_dump writes `OWNER TO` the role that owns each object; compared with the database it
// came from, read by that role, the file is in sync (each way), not a list of OWNER TO.
TEST(CliDiff, LiveDatabaseAgainstItsDumpOwnedBySessionRole) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  ASSERT_TRUE((*box)->CreateDatabase("cli_diff_owner").ok());
  std::string dsn = (*box)->TcpConnInfo() + " dbname=cli_diff_owner";
  pg::ConnectOptions options;
  options.conninfo = dsn;
  options.read_only = false;
  auto conn = pg::Connection::Open(options);
  ASSERT_TRUE(conn.ok());
  const std::string schema =
      "CREATE SCHEMA app;\nALTER SCHEMA app OWNER TO postgres;\n"
      "CREATE TABLE app.t (id integer PRIMARY KEY);\nALTER TABLE app.t OWNER TO postgres;\n"
      "CREATE VIEW app.v AS SELECT id FROM app.t;\nALTER TABLE app.v OWNER TO postgres;\n"
      // pg_dump writes every extension's comment, also the one its control file gives.
      "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA app;\n"
      "COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';\n";
  ASSERT_TRUE(conn->ExecScript(schema).ok());
  std::string path = ::testing::TempDir() + "/dump_owned_by_postgres.sql";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(schema.c_str(), f);
    std::fclose(f);
  }
  RunResult r = RunDbarch({"diff", "--exit-code", "--from-dsn", dsn, path});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  r = RunDbarch({"diff", "--exit-code", "--to-dsn", dsn, path});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace dbarch::cli_test
