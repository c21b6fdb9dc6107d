// The schema pairs of test/fixtures/diff/<case>/{FROM,TO}.sql, one per object kind and
// dependency case that diff supports, each run through the semantic round trip against
// PostgreSQL 15 (diff_roundtrip.h): up gives TO's catalog, the diff is then empty, down gives
// FROM's catalog, each also as the same pg_dump --schema-only as a database loaded with that
// file; a pair of equal files gives no statement at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "diff/diff_roundtrip.h"
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

class DiffPair : public ::testing::TestWithParam<std::string> {};

TEST_P(DiffPair, UpDownAndInSync) {
  std::filesystem::path dir = FixturesDir() / GetParam();
  std::string from = ReadAll(dir / "FROM.sql");
  std::string to = ReadAll(dir / "TO.sql");
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  std::string base = (*box)->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  auto admin = testing::Open(base + " dbname=postgres");
  ASSERT_TRUE(admin.ok());
  (void)admin->Exec("CREATE ROLE app_reader");
  testing::RoundTripOutcome r =
      testing::RoundTrip(*admin, base, "pair_a", "pair_b", from, to, {}, /*compare_dumps=*/true);
  ASSERT_TRUE(r.applicable) << r.reason;
  EXPECT_TRUE(r.passed) << r.reason << "\n-- up:\n" << r.up_sql << "\n-- down:\n" << r.down_sql;
  // The two files as given, through psql, compared by pg_dump --schema-only.
  testing::FilePairOutcome files = testing::FilePairCheck(*admin, base, "pairfile", from, to);
  EXPECT_TRUE(files.passed) << files.reason << "\n-- up:\n"
                            << files.up_sql << "\n-- down:\n"
                            << files.down_sql;
  // Each side against itself: no statement.
  for (const std::string& side : {from, to}) {
    auto model = testing::ModelOf("x.sql", side, {});
    ASSERT_TRUE(model.ok());
    EXPECT_FALSE(Diff(*model, *model, {}).HasChanges());
  }
  if (std::filesystem::exists(dir / "up.sql")) {
    EXPECT_EQ(r.up_sql, ReadAll(dir / "up.sql"));
  }
}

// A role the target's file declares and the cluster lacks: up creates it with its attributes
// and membership, the same script runs again without error (the role then exists), and a
// later DROP ROLE in the target drops it. Roles of the cluster the file does not mention are
// left alone.
TEST(DiffRoles, CreatedWhenMissingAndDroppedOnlyByDropRole) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  std::string base = (*box)->ConnInfo();
  base = base.substr(0, base.find(" dbname="));
  auto admin = testing::Open(base + " dbname=postgres");
  ASSERT_TRUE(admin.ok());
  (void)admin->Exec("CREATE ROLE app_reader");
  (void)admin->Exec("CREATE ROLE untouched_role");
  (void)admin->Exec("DROP DATABASE IF EXISTS roles_db WITH (FORCE)");
  (void)admin->Exec("DROP ROLE IF EXISTS fixture_new_role");
  ASSERT_TRUE(admin->Exec("CREATE DATABASE roles_db").ok());
  auto db = testing::Open(base + " dbname=roles_db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t (id int)").ok());

  auto up_to = [&](const std::string& to_sql) -> std::string {
    auto live = pg::IntrospectCatalog(*db, {});
    EXPECT_TRUE(live.ok());
    auto to = testing::ModelOf("to.sql", to_sql, {});
    EXPECT_TRUE(to.ok());
    DiffOptions options;
    options.allow_destructive = true;
    return live.ok() && to.ok() ? FormatSql(Diff(*live, *to, options)) : "";
  };
  const std::string to_sql =
      "CREATE ROLE fixture_new_role LOGIN CONNECTION LIMIT 4;\n"
      "GRANT app_reader TO fixture_new_role;\n"
      "CREATE TABLE t (id int);\n"
      "GRANT SELECT ON t TO fixture_new_role;\n";
  std::string up = up_to(to_sql);
  EXPECT_EQ(up.find("untouched_role"), std::string::npos) << up;
  ASSERT_TRUE(db->ExecScript(up).ok()) << up;
  auto role = admin->Exec(
      "SELECT rolcanlogin, rolconnlimit, pg_has_role('fixture_new_role', 'app_reader', "
      "'MEMBER') FROM pg_roles WHERE rolname = 'fixture_new_role'");
  ASSERT_TRUE(role.ok());
  ASSERT_EQ(role->rows(), 1);
  EXPECT_TRUE(role->GetBool(0, 0));
  EXPECT_EQ(role->GetInt(0, 1), 4);
  EXPECT_TRUE(role->GetBool(0, 2));
  // In sync now; the creation block also runs where the role already exists.
  EXPECT_EQ(up_to(to_sql), "");
  EXPECT_TRUE(db->ExecScript(up).ok());

  std::string drop = up_to("DROP ROLE IF EXISTS fixture_new_role;\nCREATE TABLE t (id int);\n");
  ASSERT_TRUE(db->ExecScript(drop).ok()) << drop;
  auto gone = admin->Exec("SELECT 1 FROM pg_roles WHERE rolname = 'fixture_new_role'");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->rows(), 0) << drop;
  auto kept = admin->Exec("SELECT 1 FROM pg_roles WHERE rolname = 'untouched_role'");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->rows(), 1);
  db = Result<pg::Connection>(Status::Internal("closed"));
  (void)admin->Exec("DROP DATABASE IF EXISTS roles_db WITH (FORCE)");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DiffPair, ::testing::ValuesIn(PairNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dbarch::diff
