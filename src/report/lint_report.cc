#include "report/lint_report.h"

#include <nlohmann/json.hpp>

#include <map>

#include "base/strings.h"
#include "lint/rule.h"

namespace dbarch::report {

namespace {

// FNV-1a, 64 bit, as 16 hex digits: a fingerprint that is the same on every platform and
// build (std::hash is not).
std::string Fnv1a64Hex(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static const char* kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kHex[h & 15];
  return out;
}

using nlohmann::ordered_json;

uint32_t EndLine(const lint::LintReport& r, const SourceSpan& span, uint32_t* end_column) {
  auto it = r.files.find(span.file);
  if (it == r.files.end() || span.end <= span.begin) {
    *end_column = span.column;
    return span.line;
  }
  LineCol lc = it->second->Locate(span.end);
  *end_column = lc.column;
  return lc.line;
}

std::string Excerpt(const lint::LintReport& r, const SourceSpan& span) {
  auto it = r.files.find(span.file);
  if (it == r.files.end()) return "";
  return FormatSourceExcerpt(*it->second, span.begin);
}

std::string Location(const SourceSpan& s) {
  return s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column);
}

std::map<std::string, size_t> CountBySeverity(const lint::LintReport& r) {
  std::map<std::string, size_t> counts{{"error", 0}, {"warning", 0}, {"info", 0}};
  for (const lint::Finding& f : r.findings) ++counts[lint::SeverityName(f.severity)];
  return counts;
}

}  // namespace

std::string LintToText(const lint::LintReport& report) {
  std::string out;
  for (const Status& e : report.errors) {
    if (e.span()) {
      out += Location(*e.span()) + ": error: " + e.message() + "\n";
      out += Excerpt(report, *e.span());
    } else {
      out += "error: " + e.message() + "\n";
    }
  }
  for (const lint::Finding& f : report.findings) {
    out += Location(f.span) + ": " + lint::SeverityName(f.severity) + "[" + f.rule + "] " + f.message + "\n";
    out += Excerpt(report, f.span);
    if (f.fix) {
      std::string fix = *f.fix;
      out += "  fix: ";
      for (char c : fix) {
        out += c;
        if (c == '\n') out += "       ";
      }
      out += "\n";
    }
  }
  auto counts = CountBySeverity(report);
  out += std::to_string(report.findings.size()) + " finding" + (report.findings.size() == 1 ? "" : "s") +
         " (" + std::to_string(counts["error"]) + " error, " + std::to_string(counts["warning"]) +
         " warning, " + std::to_string(counts["info"]) + " info) in " + std::to_string(report.file_count) +
         " file" + (report.file_count == 1 ? "" : "s") + ", " + std::to_string(report.statement_count) +
         " statements";
  if (report.suppressed_count > 0) out += ", " + std::to_string(report.suppressed_count) + " suppressed";
  if (!report.errors.empty()) {
    out += "; " + std::to_string(report.errors.size()) + " input error" + (report.errors.size() == 1 ? "" : "s");
  }
  out += "\n";
  return out;
}

namespace {

// `v` as a JSON string the way nlohmann's dump() writes it: quotes, backslashes and control
// characters escaped (\b \f \n \r \t, else \u00XX), everything else as is. Text that is
// not valid UTF-8 goes through nlohmann, which rejects it the same way as before.
std::string JsonString(const std::string& v) {
  std::string out;
  out.reserve(v.size() + 2);
  out += '"';
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) return ordered_json(v).dump();
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

// The "findings" array as dump(2) writes it one level down, written directly: a report of a
// large schema has thousands of findings, and a JSON object per finding cost more than all
// the rest of the output.
std::string FindingsJson(const lint::LintReport& report) {
  if (report.findings.empty()) return "[]";
  std::string out = "[";
  auto field = [&out](std::string_view key, const std::string& json_value, bool last = false) {
    out += "      \"";
    out += key;
    out += "\": ";
    out += json_value;
    out += last ? "\n" : ",\n";
  };
  auto str = [](const std::string& v) { return JsonString(v); };
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const lint::Finding& f = report.findings[i];
    uint32_t end_column = 0;
    uint32_t end_line = EndLine(report, f.span, &end_column);
    out += i == 0 ? "\n    {\n" : ",\n    {\n";
    field("rule", str(f.rule));
    field("severity", str(lint::SeverityName(f.severity)));
    field("message", str(f.message));
    field("file", str(f.span.file));
    field("line", std::to_string(f.span.line));
    field("column", std::to_string(f.span.column));
    field("end_line", std::to_string(end_line));
    field("end_column", std::to_string(end_column));
    field("fix", f.fix ? str(*f.fix) : std::string("null"), true);
    out += "    }";
  }
  out += "\n  ]";
  return out;
}

}  // namespace

std::string LintToJson(const lint::LintReport& report) {
  ordered_json errors = ordered_json::array();
  for (const Status& e : report.errors) {
    ordered_json j;
    j["message"] = e.message();
    if (e.span()) {
      j["file"] = e.span()->file;
      j["line"] = e.span()->line;
      j["column"] = e.span()->column;
    }
    errors.push_back(std::move(j));
  }
  auto counts = CountBySeverity(report);
  ordered_json summary;
  summary["files"] = report.file_count;
  summary["statements"] = report.statement_count;
  summary["findings"] = report.findings.size();
  summary["errors"] = counts["error"];
  summary["warnings"] = counts["warning"];
  summary["infos"] = counts["info"];
  summary["suppressed"] = report.suppressed_count;
  summary["input_errors"] = report.errors.size();
  std::map<std::string, size_t> by_rule;
  for (const lint::Finding& f : report.findings) ++by_rule[f.rule];
  summary["by_rule"] = by_rule;
  ordered_json root;
  root["findings"] = ordered_json::array();
  root["errors"] = std::move(errors);
  root["summary"] = std::move(summary);
  std::string out = root.dump(2) + "\n";
  // dump(2) wrote the empty array as "[]" right after the first key.
  constexpr std::string_view kEmpty = "\"findings\": []";
  size_t at = out.find(kEmpty);
  out.replace(at + kEmpty.size() - 2, 2, FindingsJson(report));
  return out;
}

std::string LintToSarif(const lint::LintReport& report, const std::string& tool_version) {
  ordered_json rules = ordered_json::array();
  std::map<std::string, size_t> index;
  for (const auto& r : lint::AllRules()) {
    const lint::RuleDoc& d = r->doc();
    index[d.id] = rules.size();
    ordered_json rule;
    rule["id"] = d.id;
    rule["shortDescription"] = {{"text", d.summary}};
    rule["fullDescription"] = {{"text", d.rationale}};
    rule["help"] = {{"text", std::string(d.fix) + "\n\nBad:\n" + d.bad_example + "\n\nGood:\n" + d.good_example},
                    {"markdown", std::string(d.fix) + "\n\nBad:\n```sql\n" + d.bad_example +
                                     "\n```\n\nGood:\n```sql\n" + d.good_example + "\n```"}};
    const char* level = d.severity == lint::Severity::kError     ? "error"
                        : d.severity == lint::Severity::kWarning ? "warning"
                                                                 : "note";
    rule["defaultConfiguration"] = {{"level", level}};
    rule["properties"] = {{"tags", {"sql", "postgresql", lint::FamilyName(d.family)}}};
    rules.push_back(std::move(rule));
  }
  ordered_json results = ordered_json::array();
  for (const lint::Finding& f : report.findings) {
    uint32_t end_column = 0;
    uint32_t end_line = EndLine(report, f.span, &end_column);
    ordered_json res;
    res["ruleId"] = f.rule;
    if (index.count(f.rule)) res["ruleIndex"] = index[f.rule];
    res["level"] = f.severity == lint::Severity::kError     ? "error"
                   : f.severity == lint::Severity::kWarning ? "warning"
                                                            : "note";
    std::string text = f.message;
    if (f.fix) text += "\nfix: " + *f.fix;
    res["message"] = {{"text", text}};
    ordered_json region;
    region["startLine"] = f.span.line;
    region["startColumn"] = f.span.column;
    region["endLine"] = end_line;
    region["endColumn"] = end_column > 0 ? end_column : f.span.column;
    res["locations"] = ordered_json::array(
        {{{"physicalLocation", {{"artifactLocation", {{"uri", f.span.file}}}, {"region", region}}}}});
    // Stable across unrelated edits: rule, file and the text of the first line.
    std::string line_text;
    auto it = report.files.find(f.span.file);
    if (it != report.files.end()) line_text = std::string(it->second->Line(f.span.line));
    res["partialFingerprints"] = {
        {"primaryLocationLineHash", Fnv1a64Hex(f.rule + "\n" + std::string(Trim(line_text)))}};
    results.push_back(std::move(res));
  }
  ordered_json notifications = ordered_json::array();
  for (const Status& e : report.errors) {
    ordered_json n;
    n["level"] = "error";
    n["message"] = {{"text", e.message()}};
    if (e.span()) {
      n["locations"] = ordered_json::array(
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", e.span()->file}}},
              {"region", {{"startLine", e.span()->line}, {"startColumn", e.span()->column}}}}}}});
    }
    notifications.push_back(std::move(n));
  }
  ordered_json run;
  run["tool"] = {{"driver",
                  {{"name", "dbarch"},
                   {"version", tool_version},
                   {"rules", std::move(rules)}}}};
  run["invocations"] = ordered_json::array(
      {{{"executionSuccessful", report.errors.empty()},
        {"toolExecutionNotifications", std::move(notifications)}}});
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(results);
  ordered_json root;
  root["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  root["version"] = "2.1.0";
  root["runs"] = ordered_json::array({std::move(run)});
  return root.dump(2) + "\n";
}

std::string RulesToText() {
  std::string out;
  for (const auto& r : lint::AllRules()) {
    const lint::RuleDoc& d = r->doc();
    out += std::string(d.id) + "  [" + lint::FamilyName(d.family) + ", " + lint::SeverityName(d.severity) + "]\n";
    out += "  " + std::string(d.summary) + "\n";
    out += "  why: " + std::string(d.rationale) + "\n";
    out += "  fix: " + std::string(d.fix) + "\n\n";
  }
  return out;
}

std::string RulesToJson() {
  ordered_json out = ordered_json::array();
  for (const auto& r : lint::AllRules()) {
    const lint::RuleDoc& d = r->doc();
    ordered_json j;
    j["id"] = d.id;
    j["family"] = lint::FamilyName(d.family);
    j["severity"] = lint::SeverityName(d.severity);
    j["summary"] = d.summary;
    j["rationale"] = d.rationale;
    j["fix"] = d.fix;
    j["bad_example"] = d.bad_example;
    j["good_example"] = d.good_example;
    out.push_back(std::move(j));
  }
  return out.dump(2) + "\n";
}

std::string RulesToMarkdown() {
  std::string out =
      "# dbarch lint rules\n\n"
      "Generated from the rules' own documentation by `dbarch lint --list-rules --format markdown`;\n"
      "do not edit by hand (a test checks this file is up to date).\n\n"
      "Suppress a finding with `-- dbarch:ignore <rule-id> [reason]` on its line or alone on the\n"
      "line before the statement; switch rules or families off in `dbarch.yaml`.\n\n";
  const lint::Family families[] = {lint::Family::kDesign, lint::Family::kQuery, lint::Family::kMigration,
                                   lint::Family::kSecurity};
  size_t total = lint::AllRules().size();
  out += std::to_string(total) + " rules.\n\n| rule | family | severity | summary |\n|---|---|---|---|\n";
  for (const auto& r : lint::AllRules()) {
    const lint::RuleDoc& d = r->doc();
    out += std::string("| [`") + d.id + "`](#" + d.id + ") | " + lint::FamilyName(d.family) + " | " +
           lint::SeverityName(d.severity) + " | " + d.summary + " |\n";
  }
  for (lint::Family fam : families) {
    out += std::string("\n## ") + lint::FamilyName(fam) + "\n";
    for (const auto& r : lint::AllRules()) {
      const lint::RuleDoc& d = r->doc();
      if (d.family != fam) continue;
      out += std::string("\n### ") + d.id + "\n\n";
      out += std::string("*") + lint::SeverityName(d.severity) + "* — " + d.summary + "\n\n";
      out += std::string("**Why.** ") + d.rationale + "\n\n";
      out += std::string("**Fix.** ") + d.fix + "\n\n";
      out += std::string("Triggers:\n\n```sql\n") + d.bad_example + "\n```\n\nFixed:\n\n```sql\n" + d.good_example + "\n```\n";
    }
  }
  return out;
}

}  // namespace dbarch::report
