// Unit tests of the lint report renderings: the JSON output, written directly for speed, must
// be byte for byte what nlohmann's dump(2) makes of the same document (strings with quotes,
// backslashes, control characters and non-ASCII text included).
#include "report/lint_report.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace dbarch::report {
namespace {

using nlohmann::ordered_json;

lint::Finding MakeFinding(const std::string& rule, const std::string& message,
                          std::optional<std::string> fix, uint32_t begin, uint32_t end) {
  lint::Finding f;
  f.rule = rule;
  f.severity = lint::Severity::kWarning;
  f.message = message;
  f.fix = std::move(fix);
  f.span.file = "dir/s \"q\".sql";
  f.span.begin = begin;
  f.span.end = end;
  f.span.line = 1;
  f.span.column = begin + 1;
  return f;
}

// The document LintToJson describes, built as a JSON tree.
std::string ViaTree(const lint::LintReport& r) {
  ordered_json findings = ordered_json::array();
  for (const lint::Finding& f : r.findings) {
    ordered_json j;
    j["rule"] = f.rule;
    j["severity"] = lint::SeverityName(f.severity);
    j["message"] = f.message;
    j["file"] = f.span.file;
    j["line"] = f.span.line;
    j["column"] = f.span.column;
    j["end_line"] = f.span.line;
    j["end_column"] = f.span.end + 1;
    j["fix"] = f.fix ? ordered_json(*f.fix) : ordered_json(nullptr);
    findings.push_back(std::move(j));
  }
  ordered_json summary;
  summary["files"] = r.file_count;
  summary["statements"] = r.statement_count;
  summary["findings"] = r.findings.size();
  summary["errors"] = 0;
  summary["warnings"] = r.findings.size();
  summary["infos"] = 0;
  summary["suppressed"] = r.suppressed_count;
  summary["input_errors"] = 0;
  std::map<std::string, size_t> by_rule;
  for (const lint::Finding& f : r.findings) ++by_rule[f.rule];
  summary["by_rule"] = by_rule;
  ordered_json root;
  root["findings"] = std::move(findings);
  root["errors"] = ordered_json::array();
  root["summary"] = std::move(summary);
  return root.dump(2) + "\n";
}

TEST(LintToJson, SameAsTheJsonTreeDump) {
  lint::LintReport r;
  std::string text = "CREATE TABLE t (a json);\n";
  r.files["dir/s \"q\".sql"] = std::make_shared<const SourceFile>("dir/s \"q\".sql", text);
  r.file_count = 1;
  r.statement_count = 1;
  r.findings.push_back(
      MakeFinding("json-column", "column \"a\" of \"t\" is json", std::nullopt, 16, 22));
  r.findings.push_back(
      MakeFinding("x", "back\\slash, tab\t, newline\n, bell\x07, del\x7f", "fix;\nline 2", 0, 5));
  r.findings.push_back(
      MakeFinding("y", "non-ASCII: caf\xc3\xa9 \xe2\x82\xac", std::string("ok"), 1, 3));
  EXPECT_EQ(LintToJson(r), ViaTree(r));
}

TEST(LintToJson, NoFindings) {
  lint::LintReport r;
  r.file_count = 1;
  EXPECT_EQ(LintToJson(r), ViaTree(r));
}

}  // namespace
}  // namespace dbarch::report
