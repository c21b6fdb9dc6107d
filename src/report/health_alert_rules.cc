#include "report/health_alert_rules.h"

#include <fmt/format.h>

#include <string>

namespace dbarch::report {
namespace {

// A YAML double-quoted scalar.
std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string AlertRulesToYaml(const ops::AlertRules& rules) {
  std::string out =
      "# Prometheus alerting rules written by `dbarch health --emit-alert-rules`, with the\n"
      "# thresholds of dbarch health's checks (defaults, dbarch.yaml and --threshold).\n"
      "# Group dbarch-health-postgres-exporter: metrics of postgres_exporter 0.11 (Debian 12's\n"
      "# prometheus-postgres-exporter). PostgresAutovacuumBehind and PostgresReplicationLag need\n"
      "# the queries.yaml example it installs:\n"
      "#   --extend.query-path=/usr/share/doc/prometheus-postgres-exporter/examples/queries.yaml\n"
      "# Group dbarch-health-textfile: the checks no exporter metric measures, over the\n"
      "# metrics of `dbarch health --format prometheus -o DIR/dbarch.prom` run periodically\n"
      "# for node_exporter's textfile collector (--collector.textfile.directory=DIR).\n"
      "# Check with: promtool check rules FILE\n"
      "groups:\n";
  for (const ops::AlertRuleGroup& g : rules.groups) {
    out += "  - name: " + Quoted(g.name) + "\n    rules:\n";
    for (const ops::AlertRule& r : g.rules) {
      out += "      - alert: " + Quoted(r.alert) + "\n";
      out += "        expr: " + Quoted(r.expr) + "\n";
      if (!r.for_duration.empty()) out += "        for: " + r.for_duration + "\n";
      out += "        labels:\n";
      out += "          severity: " + Quoted(r.severity) + "\n";
      out += "          check: " + Quoted(r.check) + "\n";
      out += "        annotations:\n";
      out += "          summary: " + Quoted(r.summary) + "\n";
      out += "          description: " + Quoted(r.description) + "\n";
      out += "          runbook: " + Quoted(r.runbook) + "\n";
    }
  }
  for (const auto& [check, reason] : rules.uncovered) {
    out += fmt::format("# no rule for {}: {}\n", check, reason);
  }
  return out;
}

}  // namespace dbarch::report
