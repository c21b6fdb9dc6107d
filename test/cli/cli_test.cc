// End-to-end tests of the dbarch binary that need no server: help and version, usage errors
// (exit 2), the offline `inspect` output against a golden file, bad input (exit 3 with
// file:line:col), and connection / I/O failures (exit 4, never echoing a password).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;

TEST(Cli, HelpAndVersion) {
  RunResult help = RunDbarch({"--help"});
  EXPECT_EQ(help.exit_code, 0) << Describe(help);
  EXPECT_NE(help.out.find("inspect"), std::string::npos) << Describe(help);
  EXPECT_EQ(help.err, "");

  RunResult version = RunDbarch({"--version"});
  EXPECT_EQ(version.exit_code, 0) << Describe(version);
  EXPECT_TRUE(std::regex_match(version.out, std::regex("dbarch [0-9]+\\.[0-9]+\\.[0-9]+\n")))
      << Describe(version);

  RunResult inspect_help = RunDbarch({"inspect", "--help"});
  EXPECT_EQ(inspect_help.exit_code, 0) << Describe(inspect_help);
  for (const char* flag : {"--schema", "--sandbox", "--dsn", "--format", "--output"}) {
    EXPECT_NE(inspect_help.out.find(flag), std::string::npos) << flag << "\n"
                                                              << Describe(inspect_help);
  }
}

struct UsageCase {
  std::vector<std::string> args;
  std::string stderr_has;
};

TEST(Cli, UsageErrorsExitTwo) {
  const std::vector<UsageCase> cases = {
      {{}, "missing subcommand"},
      {{"inspct"}, "unknown subcommand 'inspct', did you mean 'inspect'?"},
      {{"frobnicate"}, "unknown subcommand 'frobnicate'"},
      {{"--bogus"}, "--bogus"},
      {{"inspect"}, "inspect needs a source"},
      {{"inspect", "--schema", "examples/shop/schema.sql", "--bogus"}, "--bogus"},
      {{"inspect", "--schema", "examples/shop/schema.sql", "--fromat", "json"},
       "did you mean '--format'?"},
      {{"inspect", "--schema", "examples/shop/schema.sql", "--format", "yaml"}, "yaml"},
      {{"inspect", "--schema"}, "--schema"},
      {{"inspect", "--sandbox"}, "--sandbox requires --schema"},
      {{"inspect", "--schema", "examples/shop/schema.sql", "--dsn", "host=x"}, "excludes"},
  };
  for (const UsageCase& c : cases) {
    RunResult r = RunDbarch(c.args);
    std::string what = "dbarch";
    for (const std::string& a : c.args) what += " " + a;
    EXPECT_EQ(r.exit_code, 2) << what << "\n" << Describe(r);
    EXPECT_EQ(r.out, "") << what;
    EXPECT_NE(r.err.find(c.stderr_has), std::string::npos) << what << "\n" << Describe(r);
    EXPECT_NE(r.err.find("--help' for usage"), std::string::npos) << what << "\n" << Describe(r);
  }
}

TEST(Cli, InspectShopJsonMatchesGolden) {
  RunResult r = RunDbarch({"inspect", "--schema", "examples/shop/schema.sql", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.err, "");
  fs::path golden = fs::path(SourceDir()) / "test/cli/expected/inspect_shop.json";
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << golden << " (review the diff)";
  }
  std::string expected = ReadFile(golden);
  ASSERT_FALSE(expected.empty()) << golden << " missing; run with DBARCH_REWRITE_GOLDEN=1";
  EXPECT_TRUE(r.out == expected) << "stdout differs from " << golden
                                 << " (DBARCH_REWRITE_GOLDEN=1 rewrites it; review the diff)";
}

TEST(Cli, InspectDefaultsToTextAndWritesOutputFiles) {
  RunResult text = RunDbarch({"inspect", "--schema", "examples/shop/schema.sql"});
  ASSERT_EQ(text.exit_code, 0) << Describe(text);
  EXPECT_EQ(text.out.rfind("Schema audit", 0), 0u) << text.out.substr(0, 200);

  TempDir tmp;
  fs::path out = tmp.path() / "shop.sql";
  RunResult sql = RunDbarch({"inspect", "--schema", "examples/shop/schema.sql", "--format", "sql",
                             "--output", out.string()});
  ASSERT_EQ(sql.exit_code, 0) << Describe(sql);
  EXPECT_EQ(sql.out, "");
  RunResult to_stdout =
      RunDbarch({"inspect", "--schema", "examples/shop/schema.sql", "--format", "sql"});
  EXPECT_EQ(ReadFile(out), to_stdout.out);
  EXPECT_FALSE(fs::exists(out.string() + ".dbarch-tmp"));

  // An output file that cannot be written: I/O error, nothing on stdout.
  RunResult bad = RunDbarch({"inspect", "--schema", "examples/shop/schema.sql", "-o",
                             (tmp.path() / "no/such/dir/x.json").string()});
  EXPECT_EQ(bad.exit_code, 4) << Describe(bad);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("dbarch: error: cannot write"), std::string::npos) << Describe(bad);
}

TEST(Cli, MissingSchemaFileIsAnIoError) {
  RunResult r = RunDbarch({"inspect", "--schema", "test/fixtures/no_such_file.sql"});
  EXPECT_EQ(r.exit_code, 4) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err,
      "dbarch: error: cannot read \"test/fixtures/no_such_file.sql\": no such file or directory\n");
}

// ---------------------------------------------------------------------------------------
// Bad input: every file of test/fixtures/bad/ fails with its expected position.

std::vector<std::string> BadFixtures() {
  std::vector<std::string> out;
  fs::path dir = fs::path(SourceDir()) / "test/fixtures/bad";
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sql") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class BadInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadInput, ExitsThreeWithFileLineColAndCaret) {
  std::string path = "test/fixtures/bad/" + GetParam();
  std::string text = ReadFile(fs::path(SourceDir()) / path);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("--\\s*expect:\\s*(\\d+):(\\d+)")))
      << path << " has no '-- expect: LINE:COL' header";
  std::string where = path + ":" + m[1].str() + ":" + m[2].str() + ": error: ";
  std::string message;
  if (std::regex_search(text, m, std::regex("--\\s*message:\\s*([^\r\n]*)"))) message = m[1].str();
  // "unterminated ..." messages quote the rest of the file; dbarch shows their first line
  // (cut where the quoted text breaks), so compare without the fixture's closing quote.
  if (message.rfind("unterminated", 0) == 0 && !message.empty() && message.back() == '"') {
    message.pop_back();
  }

  for (bool sandbox : {false, true}) {
    std::vector<std::string> args = {"inspect", "--schema", path};
    // With --sandbox the DDL is checked offline first: same error, no server started.
    if (sandbox) args.push_back("--sandbox");
    RunResult r = RunDbarch(args);
    EXPECT_EQ(r.exit_code, 3) << Describe(r);
    EXPECT_EQ(r.out, "") << "no partial output on stdout";
    EXPECT_EQ(r.err.rfind(where, 0), 0u) << "expected stderr to start with " << where << "\n"
                                         << Describe(r);
    if (!message.empty()) {
      EXPECT_EQ(r.err.compare(where.size(), message.size(), message), 0)
          << "expected message " << message << "\n"
          << Describe(r);
    }
    // The source line and a caret follow.
    std::vector<std::string> lines;
    std::istringstream ss(r.err);
    for (std::string l; std::getline(ss, l);) lines.push_back(l);
    ASSERT_GE(lines.size(), 3u) << Describe(r);
    EXPECT_TRUE(lines[2].find('^') != std::string::npos &&
                lines[2].find_first_not_of(" \t^") == std::string::npos)
        << "caret line: " << lines[2];
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadInput, ::testing::ValuesIn(BadFixtures()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

// ---------------------------------------------------------------------------------------
// Connection failures

TEST(Cli, DsnToAClosedPortExitsFourWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  for (const std::string& dsn :
       {std::string(
            "host=127.0.0.1 port=1 user=alice password=s3cr3t-pw dbname=app connect_timeout=5"),
        std::string("postgresql://alice:s3cr3t-pw@127.0.0.1:1/app?connect_timeout=5")}) {
    RunResult r = RunDbarch({"inspect", "--dsn", dsn, "--format", "json"});
    EXPECT_EQ(r.exit_code, 4) << Describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("dbarch: error: "), std::string::npos) << Describe(r);
    EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << "password leaked:\n" << r.err;
  }
  // A malformed conninfo is the user's input: exit 3, still without the password.
  RunResult bad = RunDbarch({"inspect", "--dsn", "host=127.0.0.1 password=s3cr3t-pw port="});
  EXPECT_NE(bad.exit_code, 0) << Describe(bad);
  EXPECT_EQ(bad.err.find("s3cr3t-pw"), std::string::npos) << "password leaked:\n" << bad.err;
}

// A psql installer script reads as psql runs it: what is skipped is a note on stderr at its
// position, the model is complete, the exit code 0.
TEST(Cli, PsqlScriptMetaCommandsAreNotesNotErrors) {
  RunResult r = RunDbarch({"inspect", "--schema", "test/fixtures/schemas/13_psql_install_script.sql",
                           "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.err.find("test/fixtures/schemas/13_psql_install_script.sql:9:1: note: \\echo"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(":71:1: note: COPY ... FROM stdin"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"editor_sanitized\""), std::string::npos);
}

// Syntax of a newer PostgreSQL names the construct and the version, at its position.
TEST(Cli, NewerPostgresSyntaxNamesTheVersion) {
  RunResult r = RunDbarch({"inspect", "--schema", "test/fixtures/bad/postgres18_virtual_column.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("test/fixtures/bad/postgres18_virtual_column.sql:6:57: error: syntax error "
                       "at or near \"VIRTUAL\": virtual generated columns need PostgreSQL 18"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("PostgreSQL 15 grammar"), std::string::npos) << r.err;
}

// A broken psql conditional is bad input with its position, not a partial model.
TEST(Cli, UnterminatedPsqlIfIsBadInput) {
  RunResult r = RunDbarch({"inspect", "--schema", "test/fixtures/psql/unterminated_if.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unterminated_if.sql:2:1: error: \\if without a matching \\endif"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace dbarch::cli_test
