// diff::Verify on PostgreSQL 15: every schema pair of test/fixtures/diff verifies (up gives
// TO, down gives FROM back); the online plans verify the same way; a wrong up (a column the
// diff can only add at the end, a step removed through the test hook) fails and names the
// object that differs.
#include "diff/verify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/pipeline.h"
#include "diff/verify_sources.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::diff {
namespace {

std::filesystem::path FixturesDir() {
  const char* env = std::getenv("DBARCH_SOURCE_DIR");
  std::filesystem::path source = env != nullptr ? env : DBARCH_SOURCE_DIR;
  return source / "test" / "fixtures" / "diff";
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

catalog::Catalog ModelOf(const std::string& sql) {
  catalog::BuildOptions options;
  options.session_role = "postgres";
  catalog::CatalogBuilder builder(options);
  Status st = builder.ApplyFile(SourceFile("schema.sql", sql));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return builder.Finish();
}

std::string Server() {
  auto box = sandbox::test_util::SharedSandbox();
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  return box.ok() ? (*box)->ConnInfo() : "";
}

std::string Describe(const VerifyResult& r) {
  std::string out;
  for (const auto* d : {&r.up, &r.down}) {
    out += d == &r.up ? "up: " : "down: ";
    out += d->applied ? "applied" : "failed at " + d->failed_statement + ": " + d->error;
    out += "\n";
    for (const std::string& line : d->differences) out += "  " + line + "\n";
  }
  return out;
}

std::vector<std::string> PairNames() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(FixturesDir())) {
    if (e.is_directory() && std::filesystem::exists(e.path() / "FROM.sql")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class VerifyPair : public ::testing::TestWithParam<std::string> {};

TEST_P(VerifyPair, UpAndDownVerify) {
  std::filesystem::path dir = FixturesDir() / GetParam();
  std::string from_sql = ReadAll(dir / "FROM.sql");
  std::string to_sql = ReadAll(dir / "TO.sql");
  catalog::Catalog from = ModelOf(from_sql), to = ModelOf(to_sql);
  Plan plan = MakePlan(from, to, RenameAnnotationsInText(to, "schema.sql", to_sql), true);
  VerifyOptions options;
  options.database_prefix = "verify_" + GetParam();
  // Both sides from the fixture files themselves, as `dbarch diff --verify` loads them.
  auto from_source = OriginalSchemaSource((dir / "FROM.sql").string(), false);
  auto to_source = OriginalSchemaSource((dir / "TO.sql").string(), false);
  ASSERT_TRUE(from_source.ok() && to_source.ok());
  options.from_source = *from_source;
  options.to_source = *to_source;
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (std::filesystem::exists(dir / "KNOWN_DUMP_DIFFERENCE")) {
    // Only the dump lines the pair's note names differ (see that file).
    std::string known = ReadAll(dir / "KNOWN_DUMP_DIFFERENCE");
    known = known.substr(0, known.find('\n'));
    EXPECT_TRUE(r->up.applied && r->down.ok()) << Describe(*r);
    EXPECT_FALSE(r->up.differences.empty());
    for (const std::string& d : r->up.differences) {
      EXPECT_EQ(d.rfind("pg_dump: ", 0), 0u) << d;
      EXPECT_NE(d.find(known), std::string::npos) << d;
    }
  } else {
    EXPECT_TRUE(r->ok()) << Describe(*r);
  }
  EXPECT_EQ(r->from_loaded_from, "the original files (" + (dir / "FROM.sql").string() + ")");
  EXPECT_EQ(r->to_loaded_from, "the original files (" + (dir / "TO.sql").string() + ")");
  EXPECT_TRUE(r->notes.empty()) << r->notes.front();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VerifyPair, ::testing::ValuesIn(PairNames()),
                         [](const auto& info) { return info.param; });

TEST(Verify, OnlinePlanOfTypeChangeAndIndexVerifies) {
  std::string from_sql = "CREATE TABLE t (id int PRIMARY KEY, b text, a int NOT NULL);\n";
  std::string to_sql =
      "CREATE TABLE t (id int PRIMARY KEY, b text UNIQUE, a bigint NOT NULL);\n"
      "CREATE INDEX t_b_idx ON t (b);\n";
  catalog::Catalog from = ModelOf(from_sql), to = ModelOf(to_sql);
  // Down narrows the column back: destructive, so allowed here.
  Plan plan = MakePlan(from, to, {}, true);
  OnlinePlan online = MakeOnlinePlan(from, to, plan.up);
  ASSERT_EQ(online.phases.size(), 4u) << FormatOnlineText(online);
  VerifyOptions options;
  options.database_prefix = "verify_online";
  auto r = Verify(Server(), from, to, plan.up, plan.down, &online, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->online);
  EXPECT_TRUE(r->ok()) << Describe(*r);
}

// ALTER TABLE can only add a column at the end: the diff's up is wrong for a target that
// has the new column in the middle, and verification says which table differs.
TEST(Verify, ColumnAddedInTheMiddleFailsNamingTheTable) {
  catalog::Catalog from = ModelOf("CREATE TABLE t (id int PRIMARY KEY, b text);\n");
  catalog::Catalog to = ModelOf("CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n");
  Plan plan = MakePlan(from, to, {}, true);
  VerifyOptions options;
  options.database_prefix = "verify_middle";
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_TRUE(r->up.applied);
  EXPECT_NE(std::find(r->up.differences.begin(), r->up.differences.end(),
                      "table public.t: columns (id, b, a) where the target has (id, a, b)"),
            r->up.differences.end())
      << Describe(*r);
  EXPECT_TRUE(r->down.ok()) << Describe(*r);
}

TEST(Verify, MissingStepFailsNamingTheObject) {
  catalog::Catalog from = ModelOf("CREATE TABLE t (id int PRIMARY KEY, a int);\n");
  catalog::Catalog to = ModelOf(
      "CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE INDEX t_a_idx ON t (a);\n"
      "COMMENT ON TABLE t IS 'x';\n");
  Plan plan = MakePlan(from, to, {}, true);
  VerifyOptions options;
  options.database_prefix = "verify_hook";
  options.edit_up = [](std::vector<std::string>& statements) {
    statements.erase(
        std::remove_if(statements.begin(), statements.end(),
                       [](const std::string& s) { return s.rfind("CREATE INDEX", 0) == 0; }),
        statements.end());
  };
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->up.ok());
  ASSERT_EQ(r->up.differences.size(), 2u) << Describe(*r);
  EXPECT_EQ(r->up.differences[0].rfind("index public.t_a_idx: differs", 0), 0u)
      << r->up.differences[0];
  EXPECT_EQ(r->up.differences[1],
            "pg_dump: only in the expected schema: CREATE INDEX t_a_idx ON public.t USING btree "
            "(a);");
  // Down then fails on the index that is not there.
  EXPECT_FALSE(r->down.applied);
  EXPECT_NE(r->down.error.find("t_a_idx"), std::string::npos) << r->down.error;
}

TEST(Verify, RejectedStatementIsReported) {
  catalog::Catalog from = ModelOf("CREATE TABLE t (id int PRIMARY KEY, a text);\n");
  catalog::Catalog to = ModelOf("CREATE TABLE t (id int PRIMARY KEY, a text);\n");
  Plan plan = MakePlan(from, to, {}, true);
  VerifyOptions options;
  options.database_prefix = "verify_rejected";
  options.edit_up = [](std::vector<std::string>& statements) {
    statements.push_back("ALTER TABLE t ALTER COLUMN nope TYPE int");
  };
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->up.applied);
  EXPECT_EQ(r->up.failed_statement, "ALTER TABLE t ALTER COLUMN nope TYPE int");
  EXPECT_NE(r->up.error.find("\"nope\""), std::string::npos) << r->up.error;
}

// A side's original text (not dbarch's model of it) is what the server gets: a statement the
// model does not hold (CREATE STATISTICS) that up leaves in place is found by the pg_dump
// comparison, while the model alone cannot see it.
TEST(Verify, OriginalFilesShowWhatTheModelLeavesOut) {
  std::string from_sql =
      "CREATE TABLE t (id int PRIMARY KEY, a text);\n"
      "CREATE STATISTICS t_stats ON id, a FROM t;\n";
  std::string to_sql = "CREATE TABLE t (id int PRIMARY KEY, a text, b int);\n";
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "dbarch_verify_original";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "from.sql") << from_sql;
  std::ofstream(dir / "to.sql") << to_sql;
  catalog::Catalog from = ModelOf(from_sql), to = ModelOf(to_sql);
  Plan plan = MakePlan(from, to, {}, true);

  VerifyOptions model_only;
  model_only.database_prefix = "verify_model_only";
  auto by_model = Verify(Server(), from, to, plan.up, plan.down, nullptr, model_only);
  ASSERT_TRUE(by_model.ok()) << by_model.status().ToString();
  EXPECT_EQ(by_model->from_loaded_from, "dbarch's model (the original text not given)");

  VerifyOptions options;
  options.database_prefix = "verify_original";
  auto from_source = OriginalSchemaSource((dir / "from.sql").string(), false);
  auto to_source = OriginalSchemaSource((dir / "to.sql").string(), false);
  ASSERT_TRUE(from_source.ok() && to_source.ok());
  options.from_source = *from_source;
  options.to_source = *to_source;
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from_loaded_from, "the original files (" + (dir / "from.sql").string() + ")");
  EXPECT_FALSE(r->up.ok());
  EXPECT_NE(std::find(r->up.differences.begin(), r->up.differences.end(),
                      "pg_dump: only in the migrated database: CREATE STATISTICS public.t_stats "
                      "ON id, a FROM public.t;"),
            r->up.differences.end())
      << Describe(*r);
  EXPECT_NE(FormatVerifyText(*r).find("verify: FROM loaded from the original files ("),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

// Original text the server rejects: the side is created from the model instead, and the
// result says so and why.
TEST(Verify, FallsBackToTheModelWhenTheOriginalFailsToLoad) {
  std::string sql = "CREATE TABLE t (id int PRIMARY KEY);\n";
  catalog::Catalog model = ModelOf(sql);
  Plan plan = MakePlan(model, model, {}, true);
  VerifyOptions options;
  options.database_prefix = "verify_fallback";
  options.from_source.scripts.push_back(
      SourceFile("broken.sql", "CREATE TABLE t (id int PRIMARY KEY);\nSELECT * FROM nowhere;\n"));
  options.from_source.description = "the original files (broken.sql)";
  options.to_source.description = "unavailable: pg_dump not found";
  auto r = Verify(Server(), model, model, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << Describe(*r);
  EXPECT_EQ(r->from_loaded_from.rfind("dbarch's model (the original text the original files "
                                      "(broken.sql) failed to load: broken.sql:2: SELECT * FROM "
                                      "nowhere",
                                      0),
            0u)
      << r->from_loaded_from;
  EXPECT_EQ(r->to_loaded_from, "dbarch's model (the original text unavailable: pg_dump not found)");
}

// A live database side is loaded from its pg_dump --schema-only.
TEST(Verify, LiveDatabaseSideLoadsFromItsDump) {
  std::string server = Server();
  pg::ConnectOptions admin_options;
  admin_options.conninfo = server;
  admin_options.read_only = false;
  auto admin = pg::Connection::Open(admin_options);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  (void)admin->Exec("DROP DATABASE IF EXISTS verify_live_src WITH (FORCE)");
  ASSERT_TRUE(admin->Exec("CREATE DATABASE verify_live_src").ok());
  std::string base = server.substr(0, server.find(" dbname="));
  std::string live = base + " dbname=verify_live_src";
  {
    pg::ConnectOptions o;
    o.conninfo = live;
    o.read_only = false;
    auto db = pg::Connection::Open(o);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->ExecScript("CREATE TABLE t (id int PRIMARY KEY, a text);"
                               "CREATE STATISTICS t_stats ON id, a FROM t;")
                    .ok());
  }
  auto source = OriginalSchemaSource(live, true);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->description, "pg_dump --schema-only of the live database");
  auto from = LoadSchema(live, true);
  ASSERT_TRUE(from.ok()) << from.status().ToString();
  catalog::Catalog to = ModelOf("CREATE TABLE t (id int PRIMARY KEY, a text, b int);\n");
  Plan plan = MakePlan(from->catalog, to, {}, true);
  VerifyOptions options;
  options.database_prefix = "verify_live";
  options.from_source = *source;
  auto r = Verify(server, from->catalog, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from_loaded_from, "pg_dump --schema-only of the live database");
  // The statistics object the model drops is in the dump, and up leaves it.
  EXPECT_FALSE(r->up.ok());
  EXPECT_TRUE(r->down.ok()) << Describe(*r);
  (void)admin->Exec("DROP DATABASE IF EXISTS verify_live_src WITH (FORCE)");
}

}  // namespace
}  // namespace dbarch::diff
