// End-to-end tests of `dbarch lint` (no server needed): exit codes 0 / 1 / 2 / 3, the
// text, JSON and SARIF shapes, bad input that still lints the rest, migration folders
// checked file by file against the schema before them, --schema baselines, configuration
// files (found upward from the working directory), and docs/rules.md being the generated
// rule reference.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFixtures = "test/fixtures/lint/";

std::set<std::string> RulesOf(const json& report) {
  std::set<std::string> out;
  for (const json& f : report.at("findings")) out.insert(f.at("rule").get<std::string>());
  return out;
}

TEST(CliLint, CleanFileExitsZero) {
  RunResult r = RunDbarch({"lint", kFixtures + "clean.sql"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "0 findings (0 error, 0 warning, 0 info) in 1 file, 3 statements\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliLint, FindingsSetTheExitCodeByFailOn) {
  RunResult r = RunDbarch({"lint", kFixtures + "findings.sql"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  // Compiler style: file:line:col: severity[rule] message, the line, a caret, the fix.
  EXPECT_NE(r.out.find("test/fixtures/lint/findings.sql:8:1: error[delete-without-where] "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  DELETE FROM orders;\n  ^\n  fix: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("findings.sql:7:8: warning[select-star]"), std::string::npos) << r.out;

  // Only the DELETE is an error; the rest are warnings.
  RunResult only_select = RunDbarch({"lint", kFixtures + "findings.sql", "--rule", "select-star",
                                     "--fail-on", "error"});
  EXPECT_EQ(only_select.exit_code, 0) << Describe(only_select);
  EXPECT_NE(only_select.out.find("warning[select-star]"), std::string::npos);
  EXPECT_EQ(only_select.out.find("delete-without-where"), std::string::npos);

  RunResult errors = RunDbarch({"lint", kFixtures + "findings.sql", "--fail-on", "error"});
  EXPECT_EQ(errors.exit_code, 1) << Describe(errors);
  RunResult none = RunDbarch({"lint", kFixtures + "findings.sql", "--fail-on", "none"});
  EXPECT_EQ(none.exit_code, 0) << Describe(none);
}

TEST(CliLint, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"lint"},
           {"lint", kFixtures + "clean.sql", "--format", "yaml"},
           {"lint", kFixtures + "clean.sql", "--fail-on", "fatal"},
           {"lint", kFixtures + "clean.sql", "--format", "markdown"},
           {"lint", kFixtures + "clean.sql", "--rule", "select-stars"},
       }) {
    RunResult r = RunDbarch(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << "\n" << Describe(r);
    EXPECT_EQ(r.out, "") << args.back();
  }
  RunResult typo = RunDbarch({"lint", kFixtures + "clean.sql", "--rule", "select-stars"});
  EXPECT_NE(typo.err.find("did you mean \"select-star\""), std::string::npos) << typo.err;
}

TEST(CliLint, BadInputExitsThreeAndTheRestIsStillLinted) {
  RunResult r = RunDbarch({"lint", kFixtures + "bad.sql", kFixtures + "findings.sql"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.out.find("test/fixtures/lint/bad.sql:3:1: error: syntax error at or near \"SELEC\"\n"
                       "  SELEC oops;\n  ^\n"),
            std::string::npos)
      << r.out;
  // The statement after the bad one, and the other file, are linted.
  EXPECT_NE(r.out.find("bad.sql:4:8: warning[select-star]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("findings.sql:8:1: error[delete-without-where]"), std::string::npos);
  EXPECT_NE(r.out.find("; 1 input error\n"), std::string::npos) << r.out;

  RunResult j = RunDbarch({"lint", kFixtures + "bad.sql", "--format", "json"});
  EXPECT_EQ(j.exit_code, 3);
  json report = json::parse(j.out);
  ASSERT_EQ(report.at("errors").size(), 1u);
  EXPECT_EQ(report["errors"][0].at("line"), 3);
  EXPECT_EQ(report["errors"][0].at("column"), 1);
  EXPECT_EQ(report.at("summary").at("input_errors"), 1);

  RunResult missing = RunDbarch({"lint", kFixtures + "no-such-file.sql"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no-such-file.sql"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.out, "");
}

TEST(CliLint, JsonHasTheDocumentedShape) {
  RunResult r = RunDbarch({"lint", kFixtures + "findings.sql", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  json report = json::parse(r.out);
  ASSERT_TRUE(report.contains("findings"));
  ASSERT_TRUE(report.contains("summary"));
  ASSERT_EQ(report["findings"].size(), 3u);
  for (const json& f : report["findings"]) {
    for (const char* key : {"rule", "severity", "message", "file", "line", "column", "fix"}) {
      EXPECT_TRUE(f.contains(key)) << key << " missing in " << f.dump();
    }
    EXPECT_TRUE(f["fix"].is_string() || f["fix"].is_null());
    std::string severity = f["severity"];
    EXPECT_TRUE(severity == "error" || severity == "warning" || severity == "info") << severity;
  }
  const json& del = report["findings"][2];
  EXPECT_EQ(del["rule"], "delete-without-where");
  EXPECT_EQ(del["severity"], "error");
  EXPECT_EQ(del["file"], "test/fixtures/lint/findings.sql");
  EXPECT_EQ(del["line"], 8);
  EXPECT_EQ(del["column"], 1);
  EXPECT_EQ(report["summary"]["findings"], 3);
  EXPECT_EQ(report["summary"]["errors"], 1);
  EXPECT_EQ(report["summary"]["warnings"], 2);
}

TEST(CliLint, SarifIsVersion210WithRulesAndLocations) {
  RunResult r = RunDbarch({"lint", kFixtures + "findings.sql", "--format", "sarif"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  json sarif = json::parse(r.out);
  EXPECT_EQ(sarif.at("version"), "2.1.0");
  EXPECT_EQ(sarif.at("$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(sarif.at("runs").size(), 1u);
  const json& run = sarif["runs"][0];
  const json& rules = run.at("tool").at("driver").at("rules");
  std::vector<std::string> ids;
  for (const json& rule : rules) {
    ids.push_back(rule.at("id"));
    EXPECT_TRUE(rule.at("shortDescription").contains("text"));
    std::string level = rule.at("defaultConfiguration").at("level");
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
  }
  EXPECT_GE(ids.size(), 60u);
  ASSERT_EQ(run.at("results").size(), 3u);
  for (const json& res : run["results"]) {
    std::string id = res.at("ruleId");
    int index = res.at("ruleIndex");
    ASSERT_LT(static_cast<size_t>(index), ids.size());
    EXPECT_EQ(ids[index], id);
    const json& loc = res.at("locations").at(0).at("physicalLocation");
    EXPECT_EQ(loc.at("artifactLocation").at("uri"), "test/fixtures/lint/findings.sql");
    EXPECT_GE(loc.at("region").at("startLine").get<int>(), 1);
    EXPECT_GE(loc.at("region").at("startColumn").get<int>(), 1);
    EXPECT_EQ(res.at("partialFingerprints").at("primaryLocationLineHash").get<std::string>().size(),
              16u);
  }
  EXPECT_EQ(run["results"][2]["level"], "error");
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
}

TEST(CliLint, MigrationFolderChecksEachFileAgainstTheSchemaBeforeIt) {
  RunResult r = RunDbarch({"lint", kFixtures + "migrations", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  json report = json::parse(r.out);
  std::set<std::string> rules = RulesOf(report);
  // account comes from 001, so 002 works on an existing table.
  EXPECT_TRUE(rules.count("require-concurrent-index-creation")) << r.out;
  EXPECT_TRUE(rules.count("adding-required-field")) << r.out;
  EXPECT_FALSE(rules.count("require-timeout-settings")) << r.out;
  for (const json& f : report["findings"]) {
    EXPECT_EQ(f["file"], "test/fixtures/lint/migrations/002_index.sql") << f.dump();
  }

  // The same file alone: a table it does not create is assumed to exist (a migration runs
  // against a live database), so the findings are the same.
  RunResult alone = RunDbarch({"lint", kFixtures + "migrations/002_index.sql", "--format", "json"});
  EXPECT_EQ(alone.exit_code, 1) << Describe(alone);
  EXPECT_EQ(RulesOf(json::parse(alone.out)), rules) << alone.out;

  // With --schema the baseline makes it an existing table again.
  RunResult with_schema =
      RunDbarch({"lint", kFixtures + "migrations/002_index.sql", "--schema",
                 kFixtures + "migrations/001_init.sql", "--format", "json"});
  EXPECT_EQ(with_schema.exit_code, 1) << Describe(with_schema);
  EXPECT_TRUE(RulesOf(json::parse(with_schema.out)).count("adding-required-field"));
}

TEST(CliLint, ConfigFileFoundUpwardAndGivenExplicitly) {
  TempDir dir;
  fs::create_directories(dir.path() / "sub" / "deeper");
  fs::copy_file(fs::path(SourceDir()) / kFixtures / "findings.sql",
                dir.path() / "sub" / "deeper" / "findings.sql");
  {
    std::ofstream cfg(dir.path() / "dbarch.yaml");
    cfg << "rules:\n  select-star: off\n  timestamp-without-time-zone:\n    severity: info\n";
  }
  RunResult r = RunDbarch({"lint", "findings.sql", "--format", "json", "--fail-on", "info"},
                          (dir.path() / "sub" / "deeper").string());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  json report = json::parse(r.out);
  EXPECT_FALSE(RulesOf(report).count("select-star")) << r.out;
  for (const json& f : report["findings"]) {
    if (f["rule"] == "timestamp-without-time-zone") {
      EXPECT_EQ(f["severity"], "info");
    }
  }

  // --config wins over the file found upward; a broken one is bad input (exit 3).
  {
    std::ofstream bad(dir.path() / "broken.yaml");
    bad << "rules:\n  select-star: [\n";
  }
  RunResult broken = RunDbarch({"lint", "sub/deeper/findings.sql", "--config", "broken.yaml"},
                               dir.path().string());
  EXPECT_EQ(broken.exit_code, 3) << Describe(broken);
  EXPECT_NE(broken.err.find("broken.yaml:"), std::string::npos) << broken.err;
  EXPECT_EQ(broken.out, "");
}

TEST(CliLint, RuleReferenceIsGeneratedFromTheRuleDocs) {
  RunResult r = RunDbarch({"lint", "--list-rules", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  fs::path page = fs::path(SourceDir()) / "docs/rules.md";
  if (RewritingGoldens()) {
    std::ofstream(page, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << page;
  }
  EXPECT_TRUE(r.out == ReadFile(page))
      << "docs/rules.md is out of date: regenerate it with\n"
         "  dbarch lint --list-rules --format markdown -o docs/rules.md";

  RunResult text = RunDbarch({"lint", "--list-rules"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("select-star"), std::string::npos);
  json rules = json::parse(RunDbarch({"lint", "--list-rules", "--format", "json"}).out);
  EXPECT_GE(rules.size(), 60u);
}

}  // namespace
}  // namespace dbarch::cli_test
