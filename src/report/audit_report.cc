#include "report/audit_report.h"

#include <fmt/format.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace dbarch::report {
namespace {

using security::AuditFinding;
using security::AuditReport;
using security::Severity;

std::map<Severity, int> Counts(const AuditReport& report) {
  std::map<Severity, int> out = {{Severity::kError, 0}, {Severity::kWarning, 0}, {Severity::kInfo, 0}};
  for (const AuditFinding& f : report.findings) ++out[f.severity];
  return out;
}

std::string SummaryLine(const AuditReport& report) {
  auto c = Counts(report);
  return fmt::format("{} errors, {} warnings, {} info; {} rules run, {} not run",
                     c[Severity::kError], c[Severity::kWarning], c[Severity::kInfo],
                     report.rules_run, report.skipped.size());
}

}  // namespace

std::string AuditToText(const AuditReport& report) {
  std::string out = fmt::format("dbarch audit: {} (PostgreSQL {}), database {}, as {}\n\n",
                                report.server, report.server_version, report.database,
                                report.session_user);
  for (const AuditFinding& f : report.findings) {
    out += fmt::format("{}[{}] {}: {}\n", security::SeverityName(f.severity), f.rule->id,
                       f.object, f.message);
    out += "    fix: " + f.fix + "\n";
    if (!f.rule->cis.empty()) out += "    see: " + std::string(f.rule->cis) + "\n";
  }
  if (report.findings.empty()) out += "no findings\n";
  for (const security::AuditSkipped& s : report.skipped) {
    out += fmt::format("not run [{}]: {}\n", s.rule->id, s.reason);
  }
  out += "\n" + SummaryLine(report) + "\n";
  return out;
}

std::string AuditToJson(const AuditReport& report) {
  nlohmann::ordered_json j;
  j["server"] = report.server;
  j["version"] = report.server_version;
  j["database"] = report.database;
  j["session_user"] = report.session_user;
  auto findings = nlohmann::ordered_json::array();
  for (const AuditFinding& f : report.findings) {
    findings.push_back({{"rule", f.rule->id},
                        {"severity", security::SeverityName(f.severity)},
                        {"message", f.message},
                        {"object", f.object},
                        {"fix", f.fix},
                        {"cis", f.rule->cis}});
  }
  j["findings"] = std::move(findings);
  auto skipped = nlohmann::ordered_json::array();
  for (const security::AuditSkipped& s : report.skipped) {
    skipped.push_back({{"rule", s.rule->id}, {"reason", s.reason}});
  }
  j["skipped"] = std::move(skipped);
  auto c = Counts(report);
  j["summary"] = {{"errors", c[Severity::kError]},
                  {"warnings", c[Severity::kWarning]},
                  {"info", c[Severity::kInfo]},
                  {"rules_run", report.rules_run},
                  {"rules_not_run", report.skipped.size()}};
  return j.dump(2) + "\n";
}

std::string AuditToSarif(const AuditReport& report, const std::string& tool_version) {
  using nlohmann::ordered_json;
  ordered_json rules = ordered_json::array();
  std::map<std::string_view, size_t> index;
  for (const security::AuditRuleInfo& r : security::AllAuditRules()) {
    index[r.id] = rules.size();
    ordered_json rule = {{"id", r.id},
                         {"shortDescription", {{"text", r.summary}}},
                         {"fullDescription", {{"text", r.why}}},
                         {"defaultConfiguration",
                          {{"level", r.severity == Severity::kInfo ? "note"
                                                                   : security::SeverityName(r.severity)}}}};
    if (!r.cis.empty()) rule["properties"] = {{"cis", r.cis}, {"area", r.area}};
    rules.push_back(std::move(rule));
  }
  ordered_json results = ordered_json::array();
  for (const AuditFinding& f : report.findings) {
    results.push_back(
        {{"ruleId", f.rule->id},
         {"ruleIndex", index[f.rule->id]},
         {"level", f.severity == Severity::kInfo ? "note" : security::SeverityName(f.severity)},
         {"message", {{"text", f.message + ". Fix: " + f.fix}}},
         // Server objects have no file: a logical location names them.
         {"locations",
          ordered_json::array({{{"logicalLocations",
                                 ordered_json::array({{{"fullyQualifiedName",
                                                        report.database + ": " + f.object}}})}}})}});
  }
  ordered_json notifications = ordered_json::array();
  for (const security::AuditSkipped& s : report.skipped) {
    notifications.push_back({{"level", "warning"},
                             {"message", {{"text", std::string(s.rule->id) + " not run: " + s.reason}}}});
  }
  ordered_json run = {
      {"tool",
       {{"driver",
         {{"name", "dbarch audit"}, {"version", tool_version}, {"rules", std::move(rules)}}}}},
      {"invocations",
       ordered_json::array({{{"executionSuccessful", true},
                             {"toolExecutionNotifications", std::move(notifications)}}})},
      {"results", std::move(results)}};
  ordered_json sarif = {{"version", "2.1.0"},
                        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                        {"runs", ordered_json::array({std::move(run)})}};
  return sarif.dump(2) + "\n";
}

std::string AuditToMarkdown(const AuditReport& report) {
  std::string out = fmt::format("# Security audit of {} (PostgreSQL {})\n\nDatabase `{}`, "
                                "audited as `{}`. {}.\n\n",
                                report.server, report.server_version, report.database,
                                report.session_user, SummaryLine(report));
  if (!report.findings.empty()) {
    out += "| severity | rule | object | finding | fix |\n|---|---|---|---|---|\n";
    auto cell = [](std::string s) {
      std::string o;
      for (char c : s) {
        if (c == '|') o += "\\|";
        else if (c == '\n') o += ' ';
        else o += c;
      }
      return o;
    };
    for (const AuditFinding& f : report.findings) {
      out += fmt::format("| {} | `{}` | {} | {} | `{}` |\n", security::SeverityName(f.severity),
                         f.rule->id, cell(f.object), cell(f.message), cell(f.fix));
    }
    out += "\n## Rules\n\n";
    std::map<std::string_view, bool> seen;
    for (const AuditFinding& f : report.findings) {
      if (seen[f.rule->id]) continue;
      seen[f.rule->id] = true;
      out += fmt::format("- **{}**: {}. {}.{}\n", f.rule->id, f.rule->summary, f.rule->why,
                         f.rule->cis.empty() ? "" : " (" + std::string(f.rule->cis) + ")");
    }
  }
  if (!report.skipped.empty()) {
    out += "\n## Not run\n\n";
    for (const security::AuditSkipped& s : report.skipped) {
      out += fmt::format("- `{}`: {}\n", s.rule->id, s.reason);
    }
  }
  return out;
}

std::string AuditRulesToText() {
  std::string out;
  for (const security::AuditRuleInfo& r : security::AllAuditRules()) {
    out += fmt::format("{} ({}, {}): {}\n    {}\n", r.id, r.area, security::SeverityName(r.severity),
                       r.summary, r.why);
    if (!r.cis.empty()) out += "    " + std::string(r.cis) + "\n";
  }
  return out;
}

}  // namespace dbarch::report
