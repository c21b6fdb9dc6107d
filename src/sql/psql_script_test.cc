#include "sql/psql_script.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "sql/parser.h"

namespace dbarch::sql {
namespace {

// Expands `text` (file "main.sql") with includes served from `files`.
Result<PsqlScript> Expand(const std::string& text,
                          const std::map<std::string, std::string>& files = {}) {
  PsqlOptions options;
  options.read_file = [files](const std::string& path) -> Result<SourceFile> {
    auto it = files.find(path);
    if (it == files.end()) return Status::IOError("cannot read \"" + path + "\"");
    return SourceFile(path, it->second);
  };
  return ExpandPsqlScript(SourceFile("dir/main.sql", text), options);
}

// The SQL of all parts, trimmed of blank lines, for compact expectations.
std::string Sql(const PsqlScript& script) {
  std::string out;
  for (const ScriptPart& part : script.parts) {
    std::string line;
    for (char c : part.file.text()) {
      if (c == '\n') {
        size_t b = line.find_first_not_of(' ');
        if (b != std::string::npos) out += line.substr(b, line.find_last_not_of(' ') - b + 1) + "\n";
        line.clear();
      } else {
        line += c;
      }
    }
    size_t b = line.find_first_not_of(' ');
    if (b != std::string::npos) out += line.substr(b, line.find_last_not_of(' ') - b + 1) + "\n";
  }
  return out;
}

TEST(PsqlScript, PlainSqlIsOnePartEqualToTheFile) {
  std::string text = "CREATE TABLE a (id int);\nSELECT 'x\\y', $$\\no$$, E'\\\\';\n";
  auto s = Expand(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->parts.size(), 1u);
  EXPECT_EQ(s->parts[0].file.text(), text);
  EXPECT_TRUE(s->notes.empty());
}

TEST(PsqlScript, MetaCommandsAreBlankedAndKeepPositions) {
  std::string text =
      "\\set ON_ERROR_STOP 1\n"
      "\\echo creating\n"
      "CREATE TABLE a (id int);\n";
  auto s = Expand(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->parts.size(), 1u);
  const std::string& out = s->parts[0].file.text();
  ASSERT_EQ(out.size(), text.size());
  EXPECT_EQ(out.find("CREATE"), text.find("CREATE"));
  EXPECT_EQ(Sql(*s), "CREATE TABLE a (id int);\n");
  // \set is silent; \echo is reported where it stands.
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_EQ(s->notes[0].span.line, 2u);
  EXPECT_EQ(s->notes[0].span.column, 1u);
  EXPECT_NE(s->notes[0].message.find("\\echo"), std::string::npos);
  auto tree = ParseTree::Parse(s->parts[0].file);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(tree->statements().size(), 1u);
}

TEST(PsqlScript, VariablesAreInterpolatedOutsideQuotes) {
  auto s = Expand(
      "\\set tbl accounts\n"
      "\\set owner 'o''brien'\n"
      "CREATE TABLE :tbl (note text DEFAULT ':tbl', who text DEFAULT :'owner');\n"
      "CREATE TABLE :\"tbl\"_2 (id int);\n"
      "SELECT 1::int, :unset;\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Sql(*s),
            "CREATE TABLE accounts (note text DEFAULT ':tbl', who text DEFAULT 'o''brien');\n"
            "CREATE TABLE \"accounts\"_2 (id int);\n"
            "SELECT 1::int, :unset;\n");
}

TEST(PsqlScript, SubstitutionsAndUnsetReferencesAreRecorded) {
  PsqlOptions options;
  options.variables = {{"pw", "a'b\\c"}, {"t", "Odd \"Name\""}};
  auto s = ExpandPsqlScript(
      SourceFile("m.sql",
                 "ALTER ROLE r PASSWORD :'pw';\n"
                 "CREATE TABLE :\"t\" (a int[] DEFAULT (ARRAY[1,2])[1:hi], b text);\n"
                 "SELECT :'missing', :\"gone\", :bare, '\":unquoted\"', ':x';\n"
                 "\\if :{?nothing}\nSELECT :'only_if_set';\n\\endif\n"),
      options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->parts.size(), 1u);
  const ScriptPart& part = s->parts[0];
  // psql's PQescapeLiteral: " E'...'" when the value has a backslash; PQescapeIdentifier.
  EXPECT_EQ(Sql(*s).rfind(
                "ALTER ROLE r PASSWORD  E'a''b\\\\c';\nCREATE TABLE \"Odd \"\"Name\"\"\" (a", 0),
            0u)
      << Sql(*s);
  ASSERT_EQ(part.substitutions.size(), 2u);
  EXPECT_EQ(part.substitutions[0].name, "pw");
  EXPECT_EQ(part.substitutions[0].reference, ":'pw'");
  EXPECT_EQ(part.file.text().substr(part.substitutions[0].begin,
                                    part.substitutions[0].end - part.substitutions[0].begin),
            " E'a''b\\\\c'");
  EXPECT_EQ(part.substitutions[1].reference, ":\"t\"");
  // Unset: quoted forms and a bare name outside brackets (a[1:hi] is a slice); a reference in
  // an \if branch not taken does not count.
  ASSERT_EQ(s->unset_variables.size(), 3u);
  EXPECT_EQ(s->unset_variables[0].name, "missing");
  EXPECT_EQ(s->unset_variables[0].reference, ":'missing'");
  EXPECT_EQ(s->unset_variables[0].span.line, 3u);
  EXPECT_EQ(s->unset_variables[0].span.column, 8u);
  EXPECT_EQ(s->unset_variables[1].reference, ":\"gone\"");
  EXPECT_EQ(s->unset_variables[2].reference, ":bare");
}

TEST(PsqlScript, ConditionalsFollowBooleanVariables) {
  auto s = Expand(
      "\\set with_audit on\n"
      "\\if :with_audit\n"
      "CREATE TABLE audit (id int);\n"
      "\\if false\n"
      "CREATE TABLE never (id int);\n"
      "\\endif\n"
      "\\elif true\n"
      "CREATE TABLE not_this (id int);\n"
      "\\else\n"
      "CREATE TABLE nor_this (id int);\n"
      "\\endif\n"
      "CREATE TABLE after (id int);\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Sql(*s), "CREATE TABLE audit (id int);\nCREATE TABLE after (id int);\n");
}

TEST(PsqlScript, BrokenConditionalsAreErrorsWithPositions) {
  auto unterminated = Expand("SELECT 1;\n\\if true\nSELECT 2;\n");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.status().code(), StatusCode::kParseError);
  ASSERT_TRUE(unterminated.status().span().has_value());
  EXPECT_EQ(unterminated.status().span()->line, 2u);
  auto stray = Expand("\\endif\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("no matching \\if"), std::string::npos);
  auto not_bool = Expand("\\if maybe\n\\endif\n");
  ASSERT_FALSE(not_bool.ok());
  EXPECT_NE(not_bool.status().message().find("Boolean expected"), std::string::npos);
}

TEST(PsqlScript, IncludesBecomePartsInOrder) {
  auto s = Expand(
      "CREATE TABLE first (id int);\n"
      "\\ir sub/second.sql\n"
      "CREATE TABLE third (id int);\n",
      {{"dir/sub/second.sql", "\\set x 2\nCREATE TABLE second (id int);\n"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->parts.size(), 3u);
  EXPECT_EQ(s->parts[0].file.name(), "dir/main.sql");
  EXPECT_EQ(s->parts[1].file.name(), "dir/sub/second.sql");
  EXPECT_EQ(s->parts[2].file.name(), "dir/main.sql");
  EXPECT_EQ(Sql(*s),
            "CREATE TABLE first (id int);\nCREATE TABLE second (id int);\n"
            "CREATE TABLE third (id int);\n");
  // The third statement keeps its line in the including file.
  auto tree = ParseTree::Parse(s->parts[2].file);
  ASSERT_TRUE(tree.ok());
  ASSERT_EQ(tree->statements().size(), 1u);
  EXPECT_EQ(s->parts[2].file.Locate(tree->statements()[0].begin).line, 3u);
}

TEST(PsqlScript, MissingAndRecursiveIncludesAreErrors) {
  auto missing = Expand("\\i nowhere.sql\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nowhere.sql"), std::string::npos);
  auto loop = Expand("\\i dir/main.sql\n", {{"dir/main.sql", "\\i dir/main.sql\n"}});
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("nest more than"), std::string::npos);
}

TEST(PsqlScript, CopyFromStdinDataIsSkippedWithANote) {
  auto s = Expand(
      "CREATE TABLE t (a int, b text);\n"
      "COPY public.t (a, b) FROM stdin;\n"
      "1\tone; two\n"
      "2\t\\N\n"
      "\\.\n"
      "CREATE INDEX ON t (a);\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Sql(*s), "CREATE TABLE t (a int, b text);\nCREATE INDEX ON t (a);\n");
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_EQ(s->notes[0].span.line, 2u);
  EXPECT_NE(s->notes[0].message.find("COPY"), std::string::npos);
}

TEST(PsqlScript, NotesSayWhetherPsqlWouldHaveRunSomething) {
  auto s = Expand(
      "\\echo hello\n"
      "\\timing on\n"
      "\\copy t FROM 'data.csv'\n"
      "SELECT 'x' AS v \\gset\n"
      "\\! ls\n"
      "COPY t FROM stdin;\n"
      "\\.\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<bool> skips;
  for (const ScriptNote& n : s->notes) skips.push_back(n.skips_execution);
  EXPECT_EQ(skips, (std::vector<bool>{false, false, true, true, true, true}));
}

TEST(PsqlScript, QuerySendingCommandsEndTheStatement) {
  auto s = Expand(
      "SELECT format('CREATE TABLE t%s (id int)', g) FROM generate_series(1, 3) g \\gexec\n"
      "CREATE TABLE after (id int);\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto tree = ParseTree::Parse(s->parts[0].file);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_EQ(tree->statements().size(), 2u);
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_NE(s->notes[0].message.find("\\gexec"), std::string::npos);
}

TEST(PsqlScript, ConnectAndShellEscapesAreReportedNotRun) {
  auto s = Expand("\\connect other\n\\! rm -rf /\n\\set x `date`\nCREATE TABLE a (id int);\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->notes.size(), 3u);
  EXPECT_NE(s->notes[0].message.find("database \"other\""), std::string::npos);
  EXPECT_NE(s->notes[1].message.find("not run"), std::string::npos);
  EXPECT_NE(s->notes[2].message.find("not run"), std::string::npos);
  EXPECT_EQ(Sql(*s), "CREATE TABLE a (id int);\n");
}

TEST(PsqlScript, BackslashesInsideQuotesAndCommentsAreNotCommands) {
  std::string text =
      "-- \\i not_a_file.sql\n"
      "/* \\echo no */\n"
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$ SELECT '\\x' $body$;\n"
      "SELECT E'\\'\\\\', \"a\\b\";\n";
  auto s = Expand(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->parts.size(), 1u);
  EXPECT_EQ(s->parts[0].file.text(), text);
  EXPECT_TRUE(s->notes.empty());
}

// Every prefix of real scripts (cut anywhere: inside quotes, comments, meta-commands, COPY
// data) expands or fails cleanly, and the expansion keeps every line where it was: a part of
// the top-level file has as many lines as the text it came from.
TEST(PsqlScript, EveryCutOfRealScriptsKeepsLinePositions) {
  std::vector<std::string> paths = {
      std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/schemas/13_psql_install_script.sql",
      std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/schemas/14_pg_dump_style.sql",
      std::string(DBARCH_SOURCE_DIR) + "/../shared/conformance/realworld/musicbrainz/all.sql"};
  size_t cuts = 0;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;  // ../shared is optional for unit tests
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const size_t step = std::max<size_t>(1, text.size() / 400);
    for (size_t cut = 0; cut <= text.size(); cut += step) {
      ++cuts;
      std::string prefix = text.substr(0, cut);
      auto script = Expand(prefix);
      if (!script.ok()) {
        EXPECT_EQ(script.status().code(), StatusCode::kParseError) << path << " cut " << cut;
        continue;
      }
      ASSERT_EQ(script->parts.size(), 1u) << path << " cut " << cut;
      const std::string& out = script->parts[0].file.text();
      EXPECT_EQ(std::count(out.begin(), out.end(), '\n'),
                std::count(prefix.begin(), prefix.end(), '\n'))
          << path << " cut " << cut;
    }
  }
  EXPECT_GT(cuts, 400u);
}

}  // namespace
}  // namespace dbarch::sql
