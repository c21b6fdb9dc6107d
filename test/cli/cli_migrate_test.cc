// `dbarch migrate` end to end against real PostgreSQL 15: each test gets its own database in
// the shared sandbox and its own migration folder, runs the dbarch binary as a child process
// (killing it with SIGKILL where a test needs a runner to die mid-migration) and checks the
// database and the history table afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catalog/model.h"
#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

class MigrateCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto box = sandbox::test_util::SharedSandbox();
    ASSERT_TRUE(box.ok()) << box.status().ToString();
    std::string db =
        "m_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : db) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE((*box)->CreateDatabase(db).ok());
    dsn_ = (*box)->ConnInfo() + " dbname=" + db;
    migrations_ = dir_.path() / "migrations";
    std::filesystem::create_directories(migrations_);
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(migrations_ / name) << text;
  }

  std::vector<std::string> Args(const std::string& action, const std::vector<std::string>& extra,
                                const std::string& dsn = "") {
    std::vector<std::string> args = {
        "migrate", action, "--dsn", dsn.empty() ? dsn_ : dsn, "--dir", migrations_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  RunResult Migrate(const std::string& action, const std::vector<std::string>& extra = {}) {
    return RunDbarch(Args(action, extra));
  }

  pg::Connection Connect() {
    pg::ConnectOptions options;
    options.conninfo = dsn_;
    options.read_only = false;
    auto conn = pg::Connection::Open(options);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return std::move(conn).value();
  }

  // The first cell of `sql` ("" when there is no row; "ERROR: ..." on failure).
  std::string Query(const std::string& sql) {
    pg::Connection conn = Connect();
    auto r = conn.Exec(sql);
    if (!r.ok()) return "ERROR: " + r.status().message();
    if (r->rows() == 0) return "";
    return r->IsNull(0, 0) ? "NULL" : std::string(r->Get(0, 0));
  }

  bool TableExists(const std::string& name) {
    return Query("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
  }

  // "1,2,3": the versions of successful SQL rows in installed_rank order.
  std::string AppliedVersions() {
    return Query(
        "SELECT coalesce(string_agg(version, ',' ORDER BY installed_rank), '') FROM "
        "dbarch_schema_history WHERE type = 'SQL' AND success");
  }

  catalog::Catalog Catalog() {
    pg::Connection conn = Connect();
    auto cat = pg::IntrospectCatalog(conn, pg::IntrospectOptions{});
    EXPECT_TRUE(cat.ok()) << cat.status().ToString();
    return cat.ok() ? std::move(cat).value() : catalog::Catalog{};
  }

  // Starts `dbarch args...` without waiting; output goes to files in the temp dir.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& tag) {
    std::string out = (dir_.path() / (tag + ".out")).string();
    std::string err = (dir_.path() / (tag + ".err")).string();
    pid_t pid = fork();
    if (pid == 0) {
      FILE* o = freopen(out.c_str(), "w", stdout);
      FILE* e = freopen(err.c_str(), "w", stderr);
      if (o == nullptr || e == nullptr) _exit(126);
      std::vector<std::string> copy = args;
      std::vector<char*> argv;
      std::string binary = DBARCH_BINARY;
      argv.push_back(binary.data());
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    return pid;
  }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Waits until a backend of this database runs a statement matching `like`; false after 30 s.
  bool WaitForQuery(const std::string& like) {
    for (int i = 0; i < 300; ++i) {
      if (Query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                "state = 'active' AND query LIKE '" +
                like + "'") != "0") {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Waits until no other backend of the runner is left in this database.
  void WaitForRunnerBackendsToEnd() {
    for (int i = 0; i < 300; ++i) {
      if (Query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                "application_name = 'dbarch migrate'") == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the killed runner's backend did not end";
  }

  TempDir dir_;
  std::filesystem::path migrations_;
  std::string dsn_;
};

// A sleep whose length comes from a session setting, so the same file sleeps when a test
// passes `options='-c dbarch_test.sleep=60'` and not on the re-run.
constexpr const char* kSleep =
    "SELECT pg_sleep(coalesce(nullif(current_setting('dbarch_test.sleep', true), ''), "
    "'0')::float8)";

TEST_F(MigrateCliTest, UpStatusPlanValidateDown) {
  Write("V1__create_a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n");
  Write("V2__create_b.sql", "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);\n");
  Write("U2__create_b.sql", "DROP TABLE b;\n");
  Write("3_add_c.up.sql", "ALTER TABLE a ADD COLUMN c text;\n");
  Write("3_add_c.down.sql", "ALTER TABLE a DROP COLUMN c;\n");
  Write("R__view.sql", "CREATE OR REPLACE VIEW a_view AS SELECT id FROM a;\n");

  RunResult status = Migrate("status", {"--format", "json"});
  ASSERT_EQ(status.exit_code, 1) << Describe(status);  // pending
  auto js = nlohmann::json::parse(status.out);
  EXPECT_EQ(js["pending"], 4);
  EXPECT_TRUE(js["current_version"].is_null());
  EXPECT_FALSE(js["table_exists"]);

  RunResult plan = Migrate("plan");
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_NE(plan.out.find("-- apply V1__create_a.sql (version 1)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);"),
            std::string::npos);
  EXPECT_NE(plan.out.find("-- apply-repeatable R__view.sql"), std::string::npos);
  EXPECT_FALSE(TableExists("dbarch_schema_history")) << "plan must not touch the database";
  EXPECT_FALSE(TableExists("a"));

  RunResult up2 = Migrate("up", {"--to", "2"});
  ASSERT_EQ(up2.exit_code, 0) << Describe(up2);
  EXPECT_EQ(up2.out, "");  // quiet when piped
  EXPECT_EQ(AppliedVersions(), "1,2");
  EXPECT_TRUE(TableExists("b"));
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.columns WHERE column_name = 'c'"), "0");

  RunResult up = Migrate("up");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(AppliedVersions(), "1,2,3");
  EXPECT_TRUE(TableExists("a_view"));
  EXPECT_EQ(Query("SELECT checksum FROM dbarch_schema_history WHERE version = '1'").size(), 64u);

  status = Migrate("status", {"--format", "json"});
  ASSERT_EQ(status.exit_code, 0) << Describe(status);
  js = nlohmann::json::parse(status.out);
  EXPECT_EQ(js["current_version"], "3");
  EXPECT_EQ(js["pending"], 0);
  RunResult text_status = Migrate("status");
  EXPECT_NE(text_status.out.find("applied"), std::string::npos) << text_status.out;
  RunResult validate = Migrate("validate", {"--format", "json"});
  ASSERT_EQ(validate.exit_code, 0) << Describe(validate);
  EXPECT_TRUE(nlohmann::json::parse(validate.out)["valid"]);
  RunResult again = Migrate("up");
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(Query("SELECT count(*) FROM dbarch_schema_history"), "4");  // nothing re-run

  RunResult down_plan = Migrate("plan", {"--down", "--to", "1", "--format", "json"});
  ASSERT_EQ(down_plan.exit_code, 0) << Describe(down_plan);
  js = nlohmann::json::parse(down_plan.out);
  ASSERT_EQ(js["steps"].size(), 2u);
  EXPECT_EQ(js["steps"][0]["script"], "3_add_c.down.sql");
  EXPECT_EQ(js["steps"][1]["script"], "U2__create_b.sql");

  RunResult down = Migrate("down");
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  EXPECT_EQ(Query("SELECT count(*) FROM information_schema.columns WHERE column_name = 'c'"), "0");
  RunResult down_to = Migrate("down", {"--to", "1"});
  ASSERT_EQ(down_to.exit_code, 0) << Describe(down_to);
  EXPECT_FALSE(TableExists("b"));
  EXPECT_EQ(Query("SELECT count(*) FROM dbarch_schema_history WHERE type = 'UNDO_SQL'"), "2");
  status = Migrate("status", {"--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(status.out)["current_version"], "1");

  RunResult down_v1 = Migrate("down", {"--steps", "1"});
  EXPECT_EQ(down_v1.exit_code, 3) << Describe(down_v1);  // V1 has no undo script
  EXPECT_NE(down_v1.err.find("V1__create_a.sql\" has no undo script"), std::string::npos)
      << down_v1.err;

  RunResult reup = Migrate("up");
  ASSERT_EQ(reup.exit_code, 0) << Describe(reup);
  EXPECT_EQ(AppliedVersions(), "1,2,3,2,3");
  EXPECT_TRUE(TableExists("b"));
}

TEST_F(MigrateCliTest, VersionsCompareNumerically) {
  Write("V1_2_10__third.sql", "INSERT INTO log VALUES ('1.2.10');\n");
  Write("V1_2_9__second.sql", "INSERT INTO log VALUES ('1.2.9');\n");
  Write("V1__first.sql", "CREATE TABLE log (v text, n serial);\n");
  RunResult up = Migrate("up");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Query("SELECT string_agg(v, ',' ORDER BY n) FROM log"), "1.2.9,1.2.10");
  EXPECT_EQ(AppliedVersions(), "1,1.2.9,1.2.10");
}

TEST_F(MigrateCliTest, DownAfterUpRestoresAnIdenticalCatalog) {
  Write("V1__base.sql",
        "CREATE TABLE customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text "
        "NOT NULL);\n");
  Write("V2__orders.sql",
        "CREATE TYPE order_state AS ENUM ('new', 'paid');\n"
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES "
        "customer, state order_state NOT NULL DEFAULT 'new', total numeric(12,2) CHECK (total >= "
        "0));\n"
        "CREATE INDEX orders_customer_idx ON orders (customer_id);\n"
        "COMMENT ON TABLE orders IS 'customer orders';\n");
  Write("U2__orders.sql", "DROP TABLE orders;\nDROP TYPE order_state;\n");
  Write("V3__reporting.sql",
        "CREATE SCHEMA reporting;\n"
        "CREATE FUNCTION reporting.total(c bigint) RETURNS numeric LANGUAGE sql STABLE AS "
        "$$ SELECT coalesce(sum(total), 0) FROM public.orders WHERE customer_id = c $$;\n"
        "CREATE VIEW reporting.customer_totals AS SELECT id, reporting.total(id) AS total FROM "
        "public.customer;\n"
        "ALTER TABLE customer ADD COLUMN email text;\n"
        "CREATE UNIQUE INDEX customer_email_key ON customer (lower(email)) WHERE email IS NOT "
        "NULL;\n");
  Write("U3__reporting.sql",
        "DROP INDEX customer_email_key;\nALTER TABLE customer DROP COLUMN email;\n"
        "DROP SCHEMA reporting CASCADE;\n");
  RunResult up1 = Migrate("up", {"--to", "1"});
  ASSERT_EQ(up1.exit_code, 0) << Describe(up1);
  catalog::Catalog before = Catalog();
  RunResult up = Migrate("up");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  catalog::Catalog after_up = Catalog();
  EXPECT_FALSE(before == after_up);
  RunResult down = Migrate("down", {"--to", "1"});
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  catalog::Catalog after_down = Catalog();
  EXPECT_TRUE(before == after_down) << "down after up left a different catalog";
  // And up again gives the same catalog as the first up.
  RunResult reup = Migrate("up");
  ASSERT_EQ(reup.exit_code, 0) << Describe(reup);
  EXPECT_TRUE(after_up == Catalog());
}

TEST_F(MigrateCliTest, EditedAppliedFileIsBadInputUntilRepaired) {
  Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  Write("V2__b.sql", "CREATE TABLE b (id int);\n");
  ASSERT_EQ(Migrate("up").exit_code, 0);
  Write("V1__a.sql", "CREATE TABLE a (id bigint);\n");
  Write("V3__c.sql", "CREATE TABLE c (id int);\n");
  RunResult up = Migrate("up");
  EXPECT_EQ(up.exit_code, 3) << Describe(up);
  EXPECT_NE(
      up.err.find((migrations_ / "V1__a.sql").string() + "\" was changed after it was applied"),
      std::string::npos)
      << up.err;
  EXPECT_FALSE(TableExists("c")) << "nothing may run while an applied file differs";
  RunResult validate = Migrate("validate");
  EXPECT_EQ(validate.exit_code, 3) << Describe(validate);
  EXPECT_NE(validate.out.find("error[checksum-mismatch]"), std::string::npos) << validate.out;
  EXPECT_EQ(Migrate("status").exit_code, 3);

  RunResult repair = Migrate("repair");
  ASSERT_EQ(repair.exit_code, 0) << Describe(repair);
  EXPECT_NE(repair.out.find("realigned the checksum and description of V1__a.sql"),
            std::string::npos)
      << repair.out;
  EXPECT_EQ(Migrate("validate").exit_code, 0);
  ASSERT_EQ(Migrate("up").exit_code, 0);
  EXPECT_TRUE(TableExists("c"));
}

TEST_F(MigrateCliTest, MissingAndOutOfOrderFiles) {
  Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  Write("V3__c.sql", "CREATE TABLE c (id int);\n");
  ASSERT_EQ(Migrate("up").exit_code, 0);
  Write("V2__b.sql", "CREATE TABLE b (id int);\n");
  RunResult up = Migrate("up");
  EXPECT_EQ(up.exit_code, 3) << Describe(up);
  EXPECT_NE(up.err.find("V2__b.sql\" has version 2, older than the latest applied version 3"),
            std::string::npos)
      << up.err;
  EXPECT_FALSE(TableExists("b"));
  RunResult ooo = Migrate("up", {"--out-of-order"});
  ASSERT_EQ(ooo.exit_code, 0) << Describe(ooo);
  EXPECT_TRUE(TableExists("b"));

  std::filesystem::remove(migrations_ / "V3__c.sql");
  RunResult missing = Migrate("validate", {"--format", "json"});
  EXPECT_EQ(missing.exit_code, 3) << Describe(missing);
  auto js = nlohmann::json::parse(missing.out);
  ASSERT_EQ(js["problems"].size(), 1u);
  EXPECT_EQ(js["problems"][0]["kind"], "missing-file");
  EXPECT_EQ(js["problems"][0]["script"], "V3__c.sql");
  EXPECT_EQ(Migrate("up").exit_code, 3);
  ASSERT_EQ(Migrate("repair").exit_code, 0);
  EXPECT_EQ(Migrate("validate").exit_code, 0);
}

TEST_F(MigrateCliTest, BaselineAdoptsAnExistingDatabase) {
  ASSERT_EQ(Query("CREATE TABLE legacy (id int)"), "");
  Write("V1__legacy.sql", "CREATE TABLE legacy (id int);\n");
  Write("V2__more.sql", "ALTER TABLE legacy ADD COLUMN name text;\n");
  Write("V3__new.sql", "CREATE TABLE fresh (id int);\n");
  RunResult baseline = RunDbarch({"migrate", "baseline", "--dsn", dsn_, "--version", "2"});
  ASSERT_EQ(baseline.exit_code, 0) << Describe(baseline);
  RunResult up = Migrate("up");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_TRUE(TableExists("fresh"));
  EXPECT_EQ(AppliedVersions(), "3");
  auto js = nlohmann::json::parse(Migrate("status", {"--format", "json"}).out);
  EXPECT_EQ(js["baseline_version"], "2");
  EXPECT_EQ(js["migrations"][0]["state"], "below-baseline");
  RunResult twice = RunDbarch({"migrate", "baseline", "--dsn", dsn_, "--version", "2"});
  EXPECT_EQ(twice.exit_code, 3) << Describe(twice);
}

TEST_F(MigrateCliTest, FailingStatementNamesFileLineAndRollsBack) {
  Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  Write("V2__bad.sql",
        "CREATE TABLE b (id int);\n-- the next statement fails\nINSERT INTO b VALUES "
        "('x');\n");
  RunResult up = Migrate("up");
  EXPECT_EQ(up.exit_code, 3) << Describe(up);
  EXPECT_NE(up.err.find("V2__bad.sql:3:23: error: invalid input syntax for type integer"),
            std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find("transaction was rolled back"), std::string::npos) << up.err;
  EXPECT_TRUE(TableExists("a"));
  EXPECT_FALSE(TableExists("b"));
  EXPECT_EQ(AppliedVersions(), "1");

  Write("V2__bad.sql", "CREATE TABLE b (id int;\n");
  RunResult syntax = Migrate("plan");
  EXPECT_EQ(syntax.exit_code, 3) << Describe(syntax);
  EXPECT_NE(syntax.err.find("V2__bad.sql:1:"), std::string::npos) << syntax.err;
}

TEST_F(MigrateCliTest, WhatPsqlWouldRunButTheRunnerCannotStopsBeforeAnythingRuns) {
  Write("V1__a.sql", "\\echo creating a\nCREATE TABLE a (id int);\n");
  Write("V2__load.sql", "CREATE TABLE b (id int);\n\\copy b FROM 'b.csv'\n");
  RunResult up = Migrate("up");
  EXPECT_EQ(up.exit_code, 3) << Describe(up);
  EXPECT_NE(up.err.find("V2__load.sql:2:1: error: not supported in a migration file: \\copy"),
            std::string::npos)
      << up.err;
  EXPECT_FALSE(TableExists("a"));
  std::filesystem::remove(migrations_ / "V2__load.sql");
  RunResult ok = Migrate("up");
  ASSERT_EQ(ok.exit_code, 0) << Describe(ok);
  EXPECT_NE(ok.err.find("V1__a.sql:1:1: note: \\echo"), std::string::npos) << ok.err;
  EXPECT_TRUE(TableExists("a"));
}

TEST_F(MigrateCliTest, KilledRunnerLeavesNoPartOfATransactionalFile) {
  Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  Write("V2__slow.sql",
        std::string("CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n") + kSleep + ";\n");
  Write("V3__c.sql", "CREATE TABLE c (id int);\n");
  pid_t pid = Spawn(Args("up", {}, dsn_ + " options='-c dbarch_test.sleep=60'"), "killed");
  ASSERT_TRUE(WaitForQuery("SELECT pg_sleep%")) << "the runner never reached the sleep";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(Wait(pid), 128 + SIGKILL);
  // Whatever the dead runner's backend still does, nothing of V2 is visible and only V1 is
  // recorded.
  EXPECT_FALSE(TableExists("b"));
  EXPECT_EQ(AppliedVersions(), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM dbarch_schema_history"), "1");

  // The re-run waits for the dead runner's lock to go and continues from the history.
  RunResult rerun = Migrate("up");
  ASSERT_EQ(rerun.exit_code, 0) << Describe(rerun);
  EXPECT_EQ(AppliedVersions(), "1,2,3");
  EXPECT_EQ(Query("SELECT count(*) FROM b"), "1");
  EXPECT_TRUE(TableExists("c"));
}

TEST_F(MigrateCliTest, KilledNonTransactionalFileResumesAfterLastStatement) {
  Write("V1__setup.sql", "CREATE TABLE t (id int);\n");
  Write("V2__index.sql", std::string("CREATE TABLE side (id int);\n"
                                     "CREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n") +
                             kSleep +
                             ";\n"
                             "CREATE TABLE after_sleep (id int);\n");
  RunResult plan = Migrate("plan");
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_NE(plan.out.find("statement by statement (" + (migrations_ / "V2__index.sql").string() +
                          ":2:1: CREATE INDEX CONCURRENTLY)"),
            std::string::npos)
      << plan.out;

  pid_t pid = Spawn(Args("up", {}, dsn_ + " options='-c dbarch_test.sleep=60'"), "killed");
  ASSERT_TRUE(WaitForQuery("SELECT pg_sleep%"));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(Wait(pid), 128 + SIGKILL);
  WaitForRunnerBackendsToEnd();
  EXPECT_EQ(Query("SELECT success::text || ' ' || statements_applied FROM dbarch_schema_history "
                  "WHERE version = '2'"),
            "false 2");
  EXPECT_TRUE(TableExists("side"));
  EXPECT_TRUE(TableExists("t_id_idx"));
  EXPECT_FALSE(TableExists("after_sleep"));
  auto js = nlohmann::json::parse(Migrate("status", {"--format", "json"}).out);
  EXPECT_EQ(js["migrations"][1]["state"], "interrupted");
  RunResult plan_resume = Migrate("plan");
  EXPECT_NE(plan_resume.out.find("-- resuming after statement 2 of 4"), std::string::npos)
      << plan_resume.out;

  // Re-running CREATE TABLE side or the index would fail: the run resumes after them.
  RunResult rerun = Migrate("up");
  ASSERT_EQ(rerun.exit_code, 0) << Describe(rerun);
  EXPECT_TRUE(TableExists("after_sleep"));
  EXPECT_EQ(Query("SELECT count(*) || ' ' || bool_and(success) || ' ' || max(statements_applied) "
                  "FROM dbarch_schema_history WHERE version = '2'"),
            "1 true 4");
  EXPECT_EQ(Migrate("validate").exit_code, 0);
}

TEST_F(MigrateCliTest, KilledConcurrentIndexBuildIsRebuiltOnResume) {
  Write("V1__t.sql", "CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 100);\n");
  ASSERT_EQ(Migrate("up").exit_code, 0);
  Write("V2__index.sql",
        "CREATE TABLE side (id int);\nCREATE INDEX CONCURRENTLY t_id_idx ON t (id);\n");
  // An open writer on t makes the concurrent build wait after it has created the (still
  // invalid) index.
  pg::Connection writer = Connect();
  ASSERT_TRUE(writer.ExecScript("BEGIN; INSERT INTO t VALUES (0)").ok());
  pid_t pid = Spawn(Args("up", {}), "killed");
  bool invalid_seen = false;
  for (int i = 0; i < 300 && !invalid_seen; ++i) {
    invalid_seen = Query(
                       "SELECT count(*) FROM pg_index WHERE indexrelid = "
                       "to_regclass('t_id_idx') AND NOT indisvalid") == "1";
    if (!invalid_seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(invalid_seen) << "the concurrent build never started";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(Wait(pid), 128 + SIGKILL);
  // The dead runner's backend notices its client is gone and stops the build.
  WaitForRunnerBackendsToEnd();
  ASSERT_TRUE(writer.ExecScript("ROLLBACK").ok());
  EXPECT_EQ(Query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
                  "to_regclass('t_id_idx')"),
            "false");
  EXPECT_EQ(Query("SELECT statements_applied FROM dbarch_schema_history WHERE version = '2'"), "1");
  // The invalid index the killed build left is dropped and built again.
  RunResult rerun = Migrate("up");
  ASSERT_EQ(rerun.exit_code, 0) << Describe(rerun);
  EXPECT_EQ(Query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
                  "to_regclass('t_id_idx')"),
            "true");
  EXPECT_EQ(Query("SELECT success::text FROM dbarch_schema_history WHERE version = '2'"), "true");
}

TEST_F(MigrateCliTest, FilesThatCannotRunInATransactionApply) {
  Write("V1__mood.sql",
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE person (m mood);\n"
        "INSERT INTO person VALUES ('ok');\n");
  // The new value is used before the file ends: in one transaction PostgreSQL refuses it
  // ("unsafe use of new value").
  Write("V2__meh.sql",
        "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE person SET m = 'meh';\nVACUUM person;\n");
  RunResult plan = Migrate("plan", {"--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  auto js = nlohmann::json::parse(plan.out);
  EXPECT_TRUE(js["steps"][0]["transactional"]);
  EXPECT_FALSE(js["steps"][1]["transactional"]);
  EXPECT_TRUE(js["steps"][1]["statements"][2]["outside_transaction"]);
  RunResult up = Migrate("up");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(Query("SELECT m::text FROM person"), "meh");
  EXPECT_EQ(Query("SELECT success::text || ' ' || statements_applied FROM dbarch_schema_history "
                  "WHERE version = '2'"),
            "true 3");
}

TEST_F(MigrateCliTest, TwoRunnersStartedAtOnceApplyEachFileOnce) {
  Write("V1__log.sql", "CREATE TABLE log (v int);\n");
  for (int v = 2; v <= 6; ++v) {
    Write("V" + std::to_string(v) + "__step.sql",
          "INSERT INTO log VALUES (" + std::to_string(v) + ");\nSELECT pg_sleep(0.1);\n");
  }
  pid_t a = Spawn(Args("up", {}), "a");
  pid_t b = Spawn(Args("up", {}), "b");
  EXPECT_EQ(Wait(a), 0) << ReadFile(dir_.path() / "a.err");
  EXPECT_EQ(Wait(b), 0) << ReadFile(dir_.path() / "b.err");
  EXPECT_EQ(Query("SELECT count(*) || ' ' || count(DISTINCT v) FROM log"), "5 5");
  EXPECT_EQ(Query("SELECT count(*) || ' ' || count(DISTINCT version) FROM dbarch_schema_history"),
            "6 6");
}

TEST_F(MigrateCliTest, LintGateStopsUpBeforeAnythingRuns) {
  Write("V1__t.sql", "CREATE TABLE t (id int);\n");
  ASSERT_EQ(Migrate("up").exit_code, 0);
  Write("V2__drop.sql", "CREATE TABLE u (id int);\nALTER TABLE t DROP COLUMN id;\n");
  RunResult gated = Migrate("up", {"--fail-on", "warning"});
  EXPECT_EQ(gated.exit_code, 1) << Describe(gated);
  EXPECT_NE(gated.err.find("ban-drop-column"), std::string::npos) << gated.err;
  EXPECT_NE(gated.err.find("nothing was applied"), std::string::npos) << gated.err;
  EXPECT_FALSE(TableExists("u"));
  RunResult skipped = Migrate("up", {"--fail-on", "warning", "--no-lint"});
  ASSERT_EQ(skipped.exit_code, 0) << Describe(skipped);
  EXPECT_TRUE(TableExists("u"));
}

TEST_F(MigrateCliTest, UsageAndConnectionErrors) {
  RunResult fresh = RunDbarch({"migrate", "new", "add_x", "--to-schema", "schema.sql"});
  EXPECT_EQ(fresh.exit_code, 2) << Describe(fresh);
  EXPECT_NE(fresh.err.find("migrate new needs --dir"), std::string::npos) << fresh.err;
  EXPECT_EQ(RunDbarch({"migrate", "up", "--dir", migrations_.string()}).exit_code, 2);
  EXPECT_EQ(RunDbarch({"migrate", "sideways"}).exit_code, 2);
  RunResult refused = RunDbarch({"migrate", "status", "--dsn",
                                 "host=127.0.0.1 port=1 user=x password=hunter2secret "
                                 "connect_timeout=2",
                                 "--dir", migrations_.string()});
  EXPECT_EQ(refused.exit_code, 4) << Describe(refused);
  EXPECT_EQ(refused.err.find("hunter2secret"), std::string::npos) << refused.err;
  Write("schema.sql", "CREATE TABLE x ();\n");
  RunResult stray = Migrate("status");
  EXPECT_EQ(stray.exit_code, 3) << Describe(stray);
  EXPECT_NE(stray.err.find("schema.sql\" is not a migration file name"), std::string::npos)
      << stray.err;
}

// Whether `role` can log in over TCP (the sandbox asks for a SCRAM password there) with
// `password`.
bool CanLogIn(const std::string& role, const std::string& password, const std::string& db) {
  auto box = sandbox::test_util::SharedSandbox();
  if (!box.ok()) return false;
  std::string escaped;
  for (char c : password) {
    if (c == '\'' || c == '\\') escaped += '\\';
    escaped += c;
  }
  pg::ConnectOptions options;
  options.conninfo = "host=127.0.0.1 port=" + std::to_string((*box)->port()) + " user=" + role +
                     " dbname=" + db + " connect_timeout=5 password='" + escaped + "'";
  return pg::Connection::Open(options).ok();
}

// psql variables: a role's password set from a --var-file, a literal from the environment,
// an identifier from --var; every reference is checked before anything runs (plan, validate
// and up stop with exit 3 at file:line:col), the values never appear in any output, the
// checksum is of the file as written (a new secret is no edit), and a server message that
// quotes a value shows the reference instead.
TEST_F(MigrateCliTest, PsqlVariablesSetAPasswordAndStaySecret) {
  const std::string role = "m_vars_login";
  const std::string secret = "it's a \"quoted\" \\Zq9\\ with 'marks'";
  const std::string note = "Nq7 with ' and \\ in it";
  (void)Query("DROP ROLE IF EXISTS " + role);
  Write("V1__login.sql",
        "DO $$ BEGIN CREATE ROLE " + role +
            " LOGIN; EXCEPTION WHEN duplicate_object THEN "
            "NULL; END $$;\n"
            "ALTER ROLE " +
            role +
            " PASSWORD :'m_vars_login_password';\n"
            "CREATE TABLE :\"table_name\" (id int, note text DEFAULT :'note', n int DEFAULT :n);\n"
            "CREATE VIEW slice AS SELECT (ARRAY[1, 2, 3])[1:2] AS a;\n"
            "GRANT SELECT ON :\"table_name\" TO " +
            role + ";\n");
  Write("U1__login.sql", "DROP VIEW slice;\nDROP TABLE :\"table_name\";\n");

  for (const char* action : {"plan", "validate", "up"}) {
    RunResult missing = Migrate(action);
    EXPECT_EQ(missing.exit_code, 3) << action << "\n" << Describe(missing);
    std::string all = missing.out + missing.err;
    EXPECT_NE(all.find("V1__login.sql:2:34"), std::string::npos) << all;
    EXPECT_NE(all.find("psql variable \"m_vars_login_password\" is not set"), std::string::npos)
        << all;
  }
  EXPECT_FALSE(TableExists("dbarch_schema_history"));
  EXPECT_EQ(Query("SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"), "0");

  std::filesystem::path var_file = dir_.path() / "secrets.env";
  std::ofstream(var_file) << "# secrets of the run\n\nm_vars_login_password=" << secret << "\n";
  setenv("DBARCH_VAR_note", note.c_str(), 1);
  std::vector<std::string> vars = {"--var-file",          var_file.string(), "--var",
                                   "table_name=Odd Name", "--var",           "n=7"};
  RunResult plan = Migrate("plan", vars);
  ASSERT_EQ(plan.exit_code, 0) << Describe(plan);
  EXPECT_NE(plan.out.find("PASSWORD :'m_vars_login_password'"), std::string::npos) << plan.out;
  std::vector<std::string> json_args = vars;
  json_args.insert(json_args.end(), {"--format", "json"});
  RunResult plan_json = Migrate("plan", json_args);
  ASSERT_EQ(plan_json.exit_code, 0) << Describe(plan_json);
  RunResult valid = Migrate("validate", vars);
  EXPECT_EQ(valid.exit_code, 0) << Describe(valid);
  RunResult up = Migrate("up", vars);
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  for (const RunResult* r : {&plan, &plan_json, &valid, &up}) {
    EXPECT_EQ((r->out + r->err).find("Zq9"), std::string::npos) << r->out << r->err;
    EXPECT_EQ((r->out + r->err).find("Nq7"), std::string::npos) << r->out << r->err;
  }
  EXPECT_EQ(Query("SELECT count(*) FROM dbarch_schema_history WHERE script LIKE '%Zq9%' OR "
                  "description LIKE '%Zq9%'"),
            "0");
  std::string db = dsn_.substr(dsn_.rfind("dbname=") + 7);
  EXPECT_TRUE(CanLogIn(role, secret, db));
  EXPECT_FALSE(CanLogIn(role, "it's a wrong one", db));
  EXPECT_EQ(Query("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = '" +
                  role + "'"),
            "t");
  EXPECT_EQ(Query("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '\"Odd "
                  "Name\"'::regclass AND adnum = 2"),
            "'Nq7 with '' and \\ in it'::text");
  EXPECT_EQ(Query("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '\"Odd "
                  "Name\"'::regclass AND adnum = 3"),
            "7");
  EXPECT_EQ(Query("SELECT a::text FROM slice"), "{1,2}");

  // Another secret: the file is unchanged, so validate is happy and nothing runs again.
  std::ofstream(var_file) << "m_vars_login_password=another one\n";
  RunResult revalid = Migrate("validate", vars);
  EXPECT_EQ(revalid.exit_code, 0) << Describe(revalid);

  // A server message that quotes a value shows the reference.
  Write("V2__bad.sql", "CREATE TABLE later (id int);\nSELECT :'note'::int;\n");
  RunResult bad = Migrate("up", vars);
  EXPECT_EQ(bad.exit_code, 3) << Describe(bad);
  EXPECT_NE(bad.err.find("V2__bad.sql:2:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("invalid input syntax for type integer: \":'note'\""), std::string::npos)
      << bad.err;
  EXPECT_EQ(bad.err.find("Nq7"), std::string::npos) << bad.err;
  std::filesystem::remove(migrations_ / "V2__bad.sql");

  RunResult down = Migrate("down", vars);
  EXPECT_EQ(down.exit_code, 0) << Describe(down);
  EXPECT_FALSE(TableExists("\"Odd Name\""));
  unsetenv("DBARCH_VAR_note");

  RunResult bad_var = Migrate("plan", {"--var", "no-equals-sign"});
  EXPECT_EQ(bad_var.exit_code, 2) << Describe(bad_var);
  std::ofstream(var_file) << "just a secret line\n";
  RunResult bad_file = Migrate("plan", {"--var-file", var_file.string()});
  EXPECT_EQ(bad_file.exit_code, 3) << Describe(bad_file);
  EXPECT_NE(bad_file.err.find("secrets.env:1: not a NAME=VALUE line"), std::string::npos)
      << bad_file.err;
  EXPECT_EQ(bad_file.err.find("just a secret"), std::string::npos) << bad_file.err;
  (void)Query("DROP OWNED BY " + role);
  (void)Query("DROP ROLE IF EXISTS " + role);
}

// `migrate new` with a role whose password the desired schema gives in clear text: the file
// refers to the variable unguarded, so `up` needs it (exit 3 at its position without it) and,
// given it, sets the password.
TEST_F(MigrateCliTest, NewMigrationWithAPasswordAppliesGivenTheVariable) {
  const std::string role = "m_new_pw_login";
  (void)Query("DROP ROLE IF EXISTS " + role);
  const std::string create_role = "DO $$ BEGIN CREATE ROLE " + role +
                                  " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n";
  Write("V1__base.sql", create_role + "CREATE TABLE audit (id int);\n");
  std::filesystem::path desired = dir_.path() / "desired.sql";
  std::ofstream(desired) << create_role << "ALTER ROLE " << role
                         << " LOGIN PASSWORD 'pa$$ w''ord';\nCREATE TABLE audit (id int);\n"
                         << "GRANT SELECT ON audit TO " << role << ";\n";
  RunResult made = RunDbarch(
      {"migrate", "new", "password", "--to", desired.string(), "--dir", migrations_.string()});
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  std::ifstream in(migrations_ / "V2__password.sql");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("PASSWORD :'m_new_pw_login_password';"), std::string::npos)
      << text.str();
  EXPECT_EQ(text.str().find("\\if"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("pa$$"), std::string::npos) << text.str();

  RunResult missing = Migrate("up");
  EXPECT_EQ(missing.exit_code, 3) << Describe(missing);
  EXPECT_NE(missing.err.find("V2__password.sql:"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("\"m_new_pw_login_password\" is not set"), std::string::npos)
      << missing.err;
  EXPECT_FALSE(TableExists("audit"));

  setenv("DBARCH_VAR_m_new_pw_login_password", "pa$$ w'ord", 1);
  RunResult up = Migrate("up");
  unsetenv("DBARCH_VAR_m_new_pw_login_password");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(AppliedVersions(), "1,2");
  std::string db = dsn_.substr(dsn_.rfind("dbname=") + 7);
  EXPECT_TRUE(CanLogIn(role, "pa$$ w'ord", db));
  (void)Query("DROP OWNED BY " + role);
  (void)Query("DROP ROLE IF EXISTS " + role);
}

// The same with `migrate new --online`: the phase file that sets the password refers to the
// variable unguarded (no \if), without the secret; `up` stops before anything runs without
// the value and, given it, applies every file and sets the password.
TEST_F(MigrateCliTest, NewOnlineMigrationWithAPasswordAppliesGivenTheVariable) {
  const std::string role = "m_new_online_pw";
  (void)Query("DROP ROLE IF EXISTS " + role);
  const std::string create_role = "DO $$ BEGIN CREATE ROLE " + role +
                                  " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;\n";
  Write("V1__base.sql", create_role + "CREATE TABLE audit (id int);\n");
  std::filesystem::path desired = dir_.path() / "desired.sql";
  std::ofstream(desired) << create_role << "ALTER ROLE " << role
                         << " LOGIN PASSWORD 'on line$$ pw';\nCREATE TABLE audit (id int);\n"
                         << "CREATE INDEX audit_id_idx ON audit (id);\n"
                         << "GRANT SELECT ON audit TO " << role << ";\n";
  RunResult made = RunDbarch({"migrate", "new", "password", "--online", "--to", desired.string(),
                              "--dir", migrations_.string()});
  ASSERT_EQ(made.exit_code, 0) << Describe(made);
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(migrations_)) {
    std::string name = e.path().filename().string();
    if (name.rfind("V1__", 0) == 0 || name[0] != 'V') continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    all += text.str();
  }
  EXPECT_NE(all.find("ALTER ROLE m_new_online_pw PASSWORD :'m_new_online_pw_password';"),
            std::string::npos)
      << made.out << all;
  EXPECT_NE(all.find("--var m_new_online_pw_password=..."), std::string::npos) << all;
  EXPECT_EQ(all.find("\\if"), std::string::npos) << all;
  EXPECT_EQ(all.find("on line"), std::string::npos) << all;

  RunResult missing = Migrate("up");
  EXPECT_EQ(missing.exit_code, 3) << Describe(missing);
  EXPECT_NE(missing.err.find("\"m_new_online_pw_password\" is not set"), std::string::npos)
      << missing.err;
  EXPECT_FALSE(TableExists("audit"));

  setenv("DBARCH_VAR_m_new_online_pw_password", "on line$$ pw", 1);
  RunResult up = Migrate("up");
  unsetenv("DBARCH_VAR_m_new_online_pw_password");
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_TRUE(TableExists("audit"));
  std::string db = dsn_.substr(dsn_.rfind("dbname=") + 7);
  EXPECT_TRUE(CanLogIn(role, "on line$$ pw", db));
  EXPECT_EQ((up.out + up.err).find("on line"), std::string::npos) << Describe(up);
  (void)Query("DROP OWNED BY " + role);
  (void)Query("DROP ROLE IF EXISTS " + role);
}

}  // namespace
}  // namespace dbarch::cli_test
