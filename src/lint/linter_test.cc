// Unit tests of the Linter on large files, which are parsed piece by piece while they are
// linted: the result must be the one of a file parsed whole (statements in order, syntax
// errors reported where they are with the statements around them kept, file rules seeing
// the schema as it was before the file).
#include "lint/linter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "catalog/builder.h"

namespace dbarch::lint {
namespace {

// `tables` CREATE TABLE statements of about 150 bytes, one per line; line k (1-based)
// creates t<k>.
std::string ManyTables(int tables) {
  std::string out;
  for (int i = 1; i <= tables; ++i) {
    std::string t = "t" + std::to_string(i);
    out += "CREATE TABLE " + t + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, " +
           "name text NOT NULL, note text, created_at timestamptz NOT NULL DEFAULT now());\n";
  }
  return out;
}

Config OnlyRules(const std::vector<std::string>& ids) {
  Config c;
  c.only.insert(ids.begin(), ids.end());
  return c;
}

LintReport LintText(const std::string& text, const catalog::Catalog* schema, const Config& config) {
  auto file = std::make_shared<const SourceFile>("big.sql", text);
  return LintSources({file}, schema, config);
}

TEST(LinterLargeFile, SyntaxErrorInTheMiddleKeepsEveryOtherStatement) {
  std::string text = ManyTables(2000);  // about 300 KB: parsed in pieces
  ASSERT_GT(text.size(), size_t{256} << 10);
  // Line 1001 becomes a bad statement; line 2001 adds a json column after it.
  size_t line_1001 = 0;
  for (int i = 0; i < 1000; ++i) line_1001 = text.find('\n', line_1001) + 1;
  text.insert(line_1001, "CREATE TABLEE oops (id int);\n");
  text += "ALTER TABLE t2000 ADD COLUMN doc json;\n";
  LintReport r = LintText(text, nullptr, OnlyRules({"json-column"}));
  ASSERT_EQ(r.errors.size(), 1u);
  ASSERT_TRUE(r.errors[0].span().has_value());
  EXPECT_EQ(r.errors[0].span()->line, 1001u);
  EXPECT_EQ(r.statement_count, 2001u);  // 2000 tables + the ALTER; the bad one is not counted
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "json-column");
  EXPECT_EQ(r.findings[0].span.line, 2002u);
  EXPECT_EQ(r.findings[0].span.column, 30u);
}

TEST(LinterLargeFile, FileRulesSeeTheSchemaBeforeTheFile) {
  catalog::CatalogBuilder builder;
  SourceFile schema_file("schema.sql", "CREATE TABLE existing (id bigint PRIMARY KEY);");
  ASSERT_TRUE(builder.ApplyFile(schema_file).ok());
  catalog::Catalog schema = builder.Finish();
  // A file without a transaction that changes an existing table: every CREATE in it is
  // reported by prefer-robust-stmts (a retry fails on it); a file that only creates new
  // tables is not.
  std::string creates = ManyTables(2000);
  LintReport only_new = LintText(creates, &schema, OnlyRules({"prefer-robust-stmts"}));
  EXPECT_TRUE(only_new.findings.empty());
  LintReport touching = LintText(creates + "ALTER TABLE existing ADD COLUMN note text;\n", &schema,
                                 OnlyRules({"prefer-robust-stmts"}));
  EXPECT_EQ(touching.findings.size(), 2001u);
  EXPECT_EQ(touching.findings.back().span.line, 2001u);
}

TEST(LinterLargeFile, EveryStatementIsCheckedOnceInOrder) {
  // Every table of a large file has the same three problems: each finding appears exactly
  // once, on its own line, none lost or doubled at the cuts between pieces.
  std::string text;
  for (int i = 1; i <= 2500; ++i) {
    std::string t = "t" + std::to_string(i);
    text += "CREATE TABLE " + t + " (id integer PRIMARY KEY, payload json, code char(3), " +
            "parent_id integer REFERENCES " + (i > 1 ? "t" + std::to_string(i - 1) : t) + ");\n";
  }
  ASSERT_GT(text.size(), size_t{256} << 10);
  Config config = OnlyRules({"json-column", "char-column", "missing-fk-index"});
  LintReport big = LintText(text, nullptr, config);
  EXPECT_TRUE(big.errors.empty());
  EXPECT_EQ(big.findings.size(), 3u * 2500u);
  for (size_t i = 0; i < big.findings.size(); ++i) {
    EXPECT_EQ(big.findings[i].span.line, i / 3 + 1) << i;
  }
}

}  // namespace
}  // namespace dbarch::lint
