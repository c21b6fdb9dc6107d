#include "report/health_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dbarch::report {
namespace {

using ops::HealthCheckResult;
using ops::HealthReport;
using ops::Measurement;
using ops::Severity;

struct Finding {
  const HealthCheckResult* check;
  const Measurement* m;
};

// Measurements at warning or worse, worst first, then in check order.
std::vector<Finding> Findings(const HealthReport& report) {
  std::vector<Finding> out;
  for (const HealthCheckResult& c : report.checks) {
    for (const Measurement& m : c.measurements) {
      if (m.severity >= Severity::kWarning) out.push_back({&c, &m});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.m->severity > b.m->severity;
  });
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Numbers for Nagios performance data and Prometheus: finite, fixed-point (no exponent,
// which not every Nagios graphing add-on parses), at most 4 decimals, no trailing zeros.
std::string Number(double v) {
  if (!std::isfinite(v)) return "0";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  std::string s = fmt::format("{:.4f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// A threshold in performance data: empty when the level can never be reached.
std::string PerfThreshold(double v) { return std::fabs(v) >= 1e17 ? std::string() : Number(v); }

nlohmann::ordered_json JsonNumber(double v) {
  if (!std::isfinite(v)) return 0;
  if (v == std::floor(v) && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return std::round(v * 10000) / 10000;
}

std::string Summary(const HealthReport& report) {
  auto counts = report.CountBySeverity();
  return fmt::format("{} critical, {} warning, {} unknown, {} ok", counts[Severity::kCritical],
                     counts[Severity::kWarning], counts[Severity::kUnknown],
                     counts[Severity::kOk]);
}

}  // namespace

std::string HealthToText(const HealthReport& report) {
  std::string out = fmt::format("dbarch health: {} (PostgreSQL {}), database {}\n\n", report.server,
                                report.server_version, report.database);
  std::vector<Finding> findings = Findings(report);
  if (findings.empty()) {
    out += "no findings\n";
  } else {
    for (const Finding& f : findings) {
      out += fmt::format("{:<9} {:<21} {}: {}\n", Upper(ops::SeverityName(f.m->severity)),
                         f.check->info->name, f.m->object, f.m->message);
    }
  }
  out += "\nchecks:\n";
  for (const HealthCheckResult& c : report.checks) {
    std::string detail;
    if (!c.error.empty()) {
      detail = "could not run: " + c.error;
    } else if (!c.measurements.empty()) {
      const Measurement& worst = c.measurements.front();
      detail = worst.object + ": " + worst.message;
    } else if (!c.note.empty()) {
      detail = c.note;
    } else {
      detail = "nothing to report";
    }
    out += fmt::format("  {:<9} {:<21} {}\n", Upper(ops::SeverityName(c.severity())), c.info->name,
                       detail);
  }
  out += "\n" + Summary(report) + "\n";
  return out;
}

std::string HealthToJson(const HealthReport& report) {
  nlohmann::ordered_json j;
  j["server"] = report.server;
  j["version"] = report.server_version;
  j["database"] = report.database;
  auto findings = nlohmann::ordered_json::array();
  for (const Finding& f : Findings(report)) {
    nlohmann::ordered_json e;
    e["check"] = f.check->info->name;
    e["severity"] = ops::SeverityName(f.m->severity);
    e["object"] = f.m->object;
    e["message"] = f.m->message;
    e["value"] = JsonNumber(f.m->value);
    e["unit"] = f.check->info->unit;
    e["warning"] = JsonNumber(f.check->thresholds.warning);
    e["critical"] = JsonNumber(f.check->thresholds.critical);
    findings.push_back(std::move(e));
  }
  j["findings"] = std::move(findings);
  auto checks = nlohmann::ordered_json::array();
  for (const HealthCheckResult& c : report.checks) {
    nlohmann::ordered_json e;
    e["check"] = c.info->name;
    e["severity"] = ops::SeverityName(c.severity());
    e["summary"] = c.info->summary;
    e["unit"] = c.info->unit;
    e["warning"] = JsonNumber(c.thresholds.warning);
    e["critical"] = JsonNumber(c.thresholds.critical);
    auto ms = nlohmann::ordered_json::array();
    for (const Measurement& m : c.measurements) {
      ms.push_back({{"object", m.object},
                    {"severity", ops::SeverityName(m.severity)},
                    {"value", JsonNumber(m.value)},
                    {"message", m.message}});
    }
    e["measurements"] = std::move(ms);
    if (!c.note.empty()) e["note"] = c.note;
    if (!c.error.empty()) e["error"] = c.error;
    checks.push_back(std::move(e));
  }
  j["checks"] = std::move(checks);
  if (report.sizes.taken_at_unix_s > 0) {
    j["sizes"] = {{"taken_at_unix_s", report.sizes.taken_at_unix_s},
                  {"database_bytes", report.sizes.database_bytes},
                  {"relation_bytes", report.sizes.relation_bytes}};
  }
  auto counts = report.CountBySeverity();
  j["summary"] = {{"severity", ops::SeverityName(report.severity())},
                  {"critical", counts[Severity::kCritical]},
                  {"warning", counts[Severity::kWarning]},
                  {"unknown", counts[Severity::kUnknown]},
                  {"ok", counts[Severity::kOk]}};
  return j.dump(2) + "\n";
}

std::string HealthToNagios(const HealthReport& report) {
  Severity worst = report.severity();
  std::string out = "POSTGRES_HEALTH " + Upper(ops::SeverityName(worst));
  std::vector<Finding> findings = Findings(report);
  std::vector<std::string> unknown;
  for (const HealthCheckResult& c : report.checks) {
    if (!c.error.empty()) unknown.push_back(std::string(c.info->name) + ": " + c.error);
  }
  if (findings.empty() && unknown.empty()) {
    out += fmt::format(" - {} check{} ok", report.checks.size(), report.checks.size() == 1 ? "" : "s");
  } else {
    out += " - " + Summary(report) + ":";
    // The first findings in the status line (Nagios shows it in notifications); all of them
    // in the long output below.
    size_t shown = 0;
    for (const Finding& f : findings) {
      if (shown++ == 3) break;
      out += fmt::format(" {} {}{}", f.check->info->name, f.m->object,
                         shown < std::min<size_t>(findings.size(), 3) ? ";" : "");
    }
    for (const std::string& u : unknown) out += " " + u + ";";
  }
  // Performance data: 'label'=value[unit];warn;crit for each measured value.
  std::string perf;
  for (const HealthCheckResult& c : report.checks) {
    for (const Measurement& m : c.measurements) {
      std::string label = std::string(c.info->name) + " " + m.object;
      std::replace(label.begin(), label.end(), '\'', '"');
      std::string unit = c.info->unit == "%" ? "%" : c.info->unit == "s" ? "s" : c.info->unit == "bytes" ? "B" : "";
      perf += fmt::format(" '{}'={}{};{};{}", label, Number(m.value), unit,
                          PerfThreshold(c.thresholds.warning),
                          PerfThreshold(c.thresholds.critical));
    }
  }
  if (!perf.empty()) out += " |" + perf;
  out += "\n";
  for (const Finding& f : findings) {
    out += fmt::format("{} {} {}: {}\n", Upper(ops::SeverityName(f.m->severity)),
                       f.check->info->name, f.m->object, f.m->message);
  }
  return out;
}

namespace {

// A Prometheus label value: backslash, double quote and newline escaped.
std::string Label(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string HealthToPrometheus(const HealthReport& report) {
  std::string out;
  out +=
      "# HELP dbarch_health_status Worst severity of a dbarch health check (0 ok, 1 warning, 2 "
      "critical, 3 unknown).\n# TYPE dbarch_health_status gauge\n";
  for (const HealthCheckResult& c : report.checks) {
    out += fmt::format("dbarch_health_status{{check=\"{}\"}} {}\n", c.info->name,
                       static_cast<int>(c.severity()));
  }
  out +=
      "# HELP dbarch_health_value Value measured by a dbarch health check for one object, in "
      "the check's unit.\n# TYPE dbarch_health_value gauge\n";
  for (const HealthCheckResult& c : report.checks) {
    for (const Measurement& m : c.measurements) {
      out += fmt::format("dbarch_health_value{{check=\"{}\",object=\"{}\",unit=\"{}\"}} {}\n",
                         c.info->name, Label(m.object), Label(c.info->unit), Number(m.value));
    }
  }
  out +=
      "# HELP dbarch_health_threshold Warning and critical thresholds of a dbarch health "
      "check.\n# TYPE dbarch_health_threshold gauge\n";
  for (const HealthCheckResult& c : report.checks) {
    out += fmt::format("dbarch_health_threshold{{check=\"{}\",level=\"warning\"}} {}\n",
                       c.info->name, Number(c.thresholds.warning));
    out += fmt::format("dbarch_health_threshold{{check=\"{}\",level=\"critical\"}} {}\n",
                       c.info->name, Number(c.thresholds.critical));
  }
  return out;
}

}  // namespace dbarch::report
