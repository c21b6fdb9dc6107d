#include "workload/log_workload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace dbarch::workload {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  return std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/logs/" + name;
}

TEST(ExpandLogPaths, ADirectoryIsARotatedSetOldestFirstInOneFormat) {
  fs::path dir =
      fs::temp_directory_path() /
      ("dbarch_rotated_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* name :
       {"postgresql.log", "postgresql.log.1", "postgresql.log.2.gz", "postgresql.log.10.zst",
        "postgresql.csv", "postgresql.csv.1", "notes.txt", ".hidden"}) {
    std::ofstream(dir / name) << "x\n";
  }
  fs::create_directories(dir / "old.log");  // a directory is not a log file
  auto csv = ExpandLogPaths({dir.string()}, LogFormat::kAuto);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->files, (std::vector<std::string>{(dir / "postgresql.csv.1").string(),
                                                  (dir / "postgresql.csv").string()}));
  ASSERT_EQ(csv->notes.size(), 1u);
  EXPECT_NE(csv->notes[0].find("4 stderr file(s) left out; reading the csvlog files"),
            std::string::npos)
      << csv->notes[0];

  auto stderr_set = ExpandLogPaths({dir.string(), "-"}, LogFormat::kStderr);
  ASSERT_TRUE(stderr_set.ok());
  EXPECT_EQ(stderr_set->files,
            (std::vector<std::string>{
                (dir / "postgresql.log.10.zst").string(), (dir / "postgresql.log.2.gz").string(),
                (dir / "postgresql.log.1").string(), (dir / "postgresql.log").string(), "-"}));

  fs::path empty = dir / "old.log";
  auto none = ExpandLogPaths({empty.string()}, LogFormat::kAuto);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("holds no log file"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ParseWorkloadFrom, LogPathsAndStatStatements) {
  auto logs = ParseWorkloadFrom({"log:a.log", "b.log.1", "log:/var/log/pg"});
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  EXPECT_FALSE(logs->stat_statements);
  EXPECT_EQ(logs->log_paths, (std::vector<std::string>{"a.log", "b.log.1", "/var/log/pg"}));
  auto pgss = ParseWorkloadFrom({"pgss"});
  ASSERT_TRUE(pgss.ok());
  EXPECT_TRUE(pgss->stat_statements);
  EXPECT_TRUE(ParseWorkloadFrom({"pg_stat_statements"})->stat_statements);
  EXPECT_TRUE(ParseWorkloadFrom({"pgss:"})->stat_statements);
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"a.log"}, {"log:"}, {"pgss", "a.log"}, {"csv:x"}}) {
    auto r = ParseWorkloadFrom(bad);
    EXPECT_FALSE(r.ok()) << bad[0];
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(LoadLogWorkload, QueriesOfTheLogWithTheirSampleValues) {
  auto w = LoadLogWorkload({Fixture("advise_shop.log")}, {}, {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->workload.queries.size(), 2u);
  EXPECT_EQ(w->workload.queries[0].sql,
            "SELECT id, placed_at, total FROM orders WHERE customer_id = $1::integer");
  EXPECT_EQ(w->workload.queries[0].weight, 3);

  auto nothing =
      LoadLogWorkload({Fixture("conf/postgresql.conf")}, LogReadOptions{.prefix = "%m "}, {});
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.status().message().find("no SELECT, INSERT, UPDATE, DELETE or MERGE"),
            std::string::npos)
      << nothing.status().ToString();
}

}  // namespace
}  // namespace dbarch::workload
