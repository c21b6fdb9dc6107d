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
  testing::RoundTripOutcome r = testing::RoundTrip(*admin, base, "pair_a", "pair_b", from, to);
  ASSERT_TRUE(r.applicable) << r.reason;
  EXPECT_TRUE(r.passed) << r.reason << "\n-- up:\n" << r.up_sql << "\n-- down:\n" << r.down_sql;
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

INSTANTIATE_TEST_SUITE_P(Fixtures, DiffPair, ::testing::ValuesIn(PairNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dbarch::diff
