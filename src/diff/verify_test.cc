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
  auto r = Verify(Server(), from, to, plan.up, plan.down, nullptr, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << Describe(*r);
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
  ASSERT_EQ(r->up.differences.size(), 1u) << Describe(*r);
  EXPECT_EQ(r->up.differences[0].rfind("index public.t_a_idx: differs", 0), 0u)
      << r->up.differences[0];
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

}  // namespace
}  // namespace dbarch::diff
