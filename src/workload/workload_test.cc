#include "workload/workload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace dbarch::workload {
namespace {

// A fresh directory under the test's temp dir with the given files.
class WorkloadFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("workload_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  std::filesystem::path dir_;
};

TEST_F(WorkloadFiles, OneQueryPerFileNamedByStem) {
  std::string path = Write("q01.sql", "select 1;\n");
  auto w = LoadWorkload({path});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 1u);
  EXPECT_EQ(w->queries[0].name, "q01");
  EXPECT_EQ(w->queries[0].weight, 1);
  EXPECT_EQ(w->queries[0].sql, "select 1");
  EXPECT_FALSE(w->queries[0].has_params);
}

TEST_F(WorkloadFiles, SeveralQueriesAnnotated) {
  std::string path = Write("mix.sql",
                           "-- name: lookup\n-- weight: 10\n-- params: 42, 'a, b', NULL\n"
                           "select $1::int, $2::text, $3::text;\n"
                           "\n-- a plain comment\nselect 2;\n"
                           "-- weight: 0.5\nselect 3;\n");
  auto w = LoadWorkload({path});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 3u);
  EXPECT_EQ(w->queries[0].name, "lookup");
  EXPECT_EQ(w->queries[0].weight, 10);
  ASSERT_TRUE(w->queries[0].has_params);
  ASSERT_EQ(w->queries[0].params.size(), 3u);
  EXPECT_EQ(w->queries[0].params[0], "42");
  EXPECT_EQ(w->queries[0].params[1], "a, b");
  EXPECT_FALSE(w->queries[0].params[2].has_value());
  EXPECT_EQ(w->queries[1].name, "mix#2");
  EXPECT_EQ(w->queries[1].weight, 1);
  EXPECT_EQ(w->queries[2].name, "mix#3");
  EXPECT_EQ(w->queries[2].weight, 0.5);
  EXPECT_EQ(w->queries[2].span.line, 9u);
}

TEST_F(WorkloadFiles, SetupAndTeardownMakeOneUnit) {
  std::string path =
      Write("q15.sql", "create view v (a) as select 1;\n\nselect * from v;\n\ndrop view v;\n");
  auto w = LoadWorkload({path});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 1u);
  const Query& q = w->queries[0];
  EXPECT_EQ(q.name, "q15");
  EXPECT_EQ(q.sql, "select * from v");
  ASSERT_EQ(q.setup.size(), 1u);
  EXPECT_EQ(q.setup[0], "create view v (a) as select 1");
  ASSERT_EQ(q.teardown.size(), 1u);
  EXPECT_EQ(q.teardown[0], "drop view v");
}

TEST_F(WorkloadFiles, DirectoryInPathOrder) {
  Write("b.sql", "select 2;");
  Write("a.sql", "select 1;");
  Write("notes.txt", "not sql");
  auto w = LoadWorkload({dir_.string()});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 2u);
  EXPECT_EQ(w->queries[0].name, "a");
  EXPECT_EQ(w->queries[1].name, "b");
}

TEST_F(WorkloadFiles, BadSqlHasFileLineCol) {
  std::string path = Write("bad.sql", "select 1;\nselect frm where;\n");
  auto w = LoadWorkload({path});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kParseError);
  ASSERT_TRUE(w.status().span().has_value());
  EXPECT_EQ(w.status().span()->file, path);
  EXPECT_EQ(w.status().span()->line, 2u);
  EXPECT_GT(w.status().span()->column, 1u);
}

// Found by fuzz/workload_fuzz.cc: the parser stopped at a NUL byte, so the query after the
// annotations came out with empty SQL. It is a parse error at the byte.
TEST(ParseWorkload, NulByteIsAParseError) {
  std::string text = "-- name: one order\n-- weight: 10\nSELECT o.id FROM orders o WHERE id";
  text += '\0';
  text += " = $1;\n";
  auto w = ParseWorkload(SourceFile("w.sql", text));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kParseError);
  ASSERT_TRUE(w.status().span().has_value());
  EXPECT_EQ(w.status().span()->line, 3u);
  EXPECT_EQ(w.status().span()->column, 35u);
}

// Found by fuzz/workload_fuzz.cc: an annotation ended by a lone \r (as the server ends a --
// comment) left the next query with empty SQL.
TEST(ParseWorkload, AnnotationEndedByCarriageReturn) {
  auto w = ParseWorkload(SourceFile("w.sql", "SELECT 1;\n-- name: second\rSELECT 2;\n"));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->queries.size(), 2u);
  EXPECT_EQ(w->queries[1].name, "second");
  EXPECT_EQ(w->queries[1].sql, "SELECT 2");
}

TEST_F(WorkloadFiles, BadWeightIsAnError) {
  std::string path = Write("w.sql", "select 1;\n-- weight: lots\nselect 2;\n");
  auto w = LoadWorkload({path});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(w.status().span().has_value());
  EXPECT_EQ(w.status().span()->line, 2u);
}

TEST_F(WorkloadFiles, SetupWithTwoSelectsIsNotSupported) {
  std::string path = Write("x.sql", "create view v as select 1;\nselect 1;\nselect 2;\n");
  auto w = LoadWorkload({path});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kNotSupported);
}

TEST_F(WorkloadFiles, MissingPathIsIO) {
  auto w = LoadWorkload({(dir_ / "nope.sql").string()});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kIO);
}

TEST(ParseParamList, QuotesAndNulls) {
  auto p = ParseParamList("1,  'it''s', null , x y");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[0], "1");
  EXPECT_EQ((*p)[1], "it's");
  EXPECT_FALSE((*p)[2].has_value());
  EXPECT_EQ((*p)[3], "x y");
  EXPECT_FALSE(ParseParamList("'open").ok());
  EXPECT_TRUE(ParseParamList("")->empty());
}

}  // namespace
}  // namespace dbarch::workload
