// ParseTree::Parse on several threads must give exactly what one thread gives: statements,
// byte ranges, every node (locations included) and, for bad input, the error and its span.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sql/parser.h"
#include "sql/proto_writer.h"

namespace dbarch::sql {
namespace {

ParseOptions OneThread() {
  ParseOptions o;
  o.threads = 1;
  return o;
}

// Splits even small texts over `threads` threads.
ParseOptions Threads(unsigned threads) {
  ParseOptions o;
  o.threads = threads;
  o.min_parallel_bytes = 0;
  o.min_chunk_bytes = 1;
  return o;
}

void ExpectSameParse(const SourceFile& file, const ParseOptions& parallel) {
  SCOPED_TRACE(file.name() + " with " + std::to_string(parallel.threads) + " threads");
  auto one = ParseTree::Parse(file, OneThread());
  auto many = ParseTree::Parse(file, parallel);
  ASSERT_EQ(one.ok(), many.ok()) << (one.ok() ? many.status() : one.status()).message();
  if (!one.ok()) {
    const Status& a = one.status();
    const Status& b = many.status();
    EXPECT_EQ(a.code(), b.code());
    EXPECT_EQ(a.message(), b.message());
    ASSERT_EQ(a.span().has_value(), b.span().has_value());
    if (a.span().has_value()) {
      EXPECT_EQ(a.span()->file, b.span()->file);
      EXPECT_EQ(a.span()->begin, b.span()->begin);
      EXPECT_EQ(a.span()->end, b.span()->end);
      EXPECT_EQ(a.span()->line, b.span()->line);
      EXPECT_EQ(a.span()->column, b.span()->column);
    }
    return;
  }
  EXPECT_EQ(one->chunk_count(), 1u);
  // Every text here with two statements or more is cut at least once.
  if (one->statements().size() >= 2 && parallel.threads >= 2) {
    EXPECT_GE(many->chunk_count(), 2u);
  }
  const auto& x = one->statements();
  const auto& y = many->statements();
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(x[i].begin, y[i].begin) << "statement " << i;
    ASSERT_EQ(x[i].end, y[i].end) << "statement " << i;
    // The encoding holds every field, locations included.
    ASSERT_EQ(PackMessage(&x[i].node->base), PackMessage(&y[i].node->base)) << "statement " << i;
  }
}

// A schema of `tables` tables with the things a statement splitter can trip on: ';' in
// comments, strings, quoted identifiers and function bodies, non-ASCII text, CRLF, blank
// statements, and comments between statements.
std::string GeneratedSchema(int tables) {
  std::string s = "-- generated\n";
  for (int i = 0; i < tables; ++i) {
    std::string t = "t" + std::to_string(i);
    s += "/* table " + t + "; nested /* ; */ */\n";
    s += "CREATE TABLE \"Prod;uit_" + t + "\" (\n  id bigint PRIMARY KEY,\n";
    s += "  nom text DEFAULT 'caf\xc3\xa9; \xe6\x97\xa5\xe6\x9c\xac' CHECK (nom <> ''),\r\n";
    s += "  n int CHECK (n BETWEEN 1 AND " + std::to_string(i + 2) + ")\n);\n";
    s += "CREATE INDEX ON \"Prod;uit_" + t + "\" (lower(nom)) WHERE n > 0 ;\n";
    if (i % 7 == 0) {
      s += "CREATE FUNCTION f" + std::to_string(i) +
           "() RETURNS int LANGUAGE sql AS $body$ SELECT 1; SELECT 2; $body$;\n";
      s += "CREATE FUNCTION g" + std::to_string(i) +
           "() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 "
           "END; END;\n";
      s += ";;\n";
    }
    s += "COMMENT ON TABLE \"Prod;uit_" + t + "\" IS E'it\\'s; \xf0\x9f\x98\x80';  -- trailing\n";
  }
  return s;
}

TEST(ParallelParse, MatchesOneThreadOnAGeneratedSchema) {
  SourceFile f("gen.sql", GeneratedSchema(300));
  for (unsigned threads : {2u, 3u, 8u}) ExpectSameParse(f, Threads(threads));
}

TEST(ParallelParse, MatchesOneThreadOnALargeText) {
  // Over the default 1 MB threshold, so the default size limits let it be split.
  SourceFile f("big.sql", GeneratedSchema(3500));
  ASSERT_GT(f.text().size(), ParseOptions{}.min_parallel_bytes);
  ParseOptions two;
  two.threads = 2;
  ExpectSameParse(f, two);
}

TEST(ParallelParse, LastStatementWithoutSemicolonAndTrailingComment) {
  SourceFile a("a.sql", GeneratedSchema(20) + "SELECT 'é' /* end */ \n");
  SourceFile b("b.sql", GeneratedSchema(20) + "-- only a comment after the last ';'\n");
  for (unsigned threads : {2u, 5u}) {
    ExpectSameParse(a, Threads(threads));
    ExpectSameParse(b, Threads(threads));
  }
}

TEST(ParallelParse, ErrorsAnywhereMatchOneThread) {
  std::string good = GeneratedSchema(40);
  // Errors after non-ASCII text, in the first and the second half, in the last statement,
  // and an unterminated literal (which SplitStatements rejects too).
  std::vector<std::pair<std::string, std::string>> cases = {
      {"second_half.sql", good + "CREATE TABLE x (a int,, b int);\n" + good},
      {"late.sql", good + good + "SELECT 'é' FROMM t;\n" + GeneratedSchema(3)},
      {"first_half.sql", "SELECT 1;\nCREATE TABLEE y (a int);\n" + good + good},
      {"last.sql", good + good + "SELECT ('日本語'"},
      {"unterminated.sql", good + "SELECT $$ never closed;\n" + good},
  };
  for (const auto& [name, text] : cases) {
    SourceFile f(name, text);
    ASSERT_FALSE(ParseTree::Parse(f, OneThread()).ok()) << name;
    for (unsigned threads : {2u, 3u, 8u}) ExpectSameParse(f, Threads(threads));
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ParallelParse, MatchesOneThreadOnEveryFixture) {
  std::filesystem::path root = DBARCH_SOURCE_DIR;
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"test/fixtures/schemas", "test/fixtures/bad", "examples/shop"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u);
  for (const auto& path : files) {
    SourceFile f(path.filename().string(), ReadFile(path));
    for (unsigned threads : {2u, 4u}) ExpectSameParse(f, Threads(threads));
  }
}

std::string LongSum(int terms) {
  std::string s = "SELECT 1";
  for (int i = 1; i < terms; ++i) s += "+1";
  return s + ";\n";
}

TEST(ParallelParse, DeepTreesOnWorkerThreads) {
  // A left-deep a+b+... is two tree levels per term. Put it after the middle of the text,
  // on a worker thread.
  std::string filler;
  while (filler.size() < 40000) filler += "SELECT 1;\n";
  SourceFile f("deep.sql", filler + LongSum(1500) + "SELECT 2;\n");
  ExpectSameParse(f, Threads(2));
  // 12,000 levels: protobuf-c's recursive unpack (used before) overflowed the stack here.
  // (Only the decoder is exercised: PackMessage and the tree walkers recurse.)
  SourceFile deeper("deeper.sql", filler + LongSum(6000));
  for (unsigned threads : {1u, 2u}) {
    ParseOptions o = Threads(threads);
    auto tree = ParseTree::Parse(deeper, o);
    ASSERT_TRUE(tree.ok()) << tree.status().message();
    EXPECT_EQ(tree->chunk_count(), threads);
    EXPECT_EQ(tree->statements().size(), 4001u);
  }
}

TEST(ParallelParse, SmallTextsStayOnOneThreadAndStillParse) {
  SourceFile f("s.sql", "SELECT 1; SELECT 2");
  ParseOptions o;
  o.threads = 4;  // below min_parallel_bytes: ignored
  auto tree = ParseTree::Parse(f, o);
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->statements().size(), 2u);
  // A single statement cannot be split.
  SourceFile g("g.sql", "SELECT 1");
  ExpectSameParse(g, Threads(4));
  SourceFile empty("e.sql", "");
  ExpectSameParse(empty, Threads(2));
}

}  // namespace
}  // namespace dbarch::sql
