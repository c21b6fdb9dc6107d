#include "report/tune_report.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace dbarch::report {
namespace {

std::string Header(const ops::TuneResult& r) {
  return fmt::format("{} of memory, {} CPUs, {} storage, {} workload",
                     ops::ConfSize(r.machine.memory_bytes), r.machine.cpus,
                     ops::StorageKindName(r.machine.storage), ops::WorkloadKindName(r.kind));
}

std::string FigureText(const ops::BenchmarkRuns& runs) {
  if (!runs.error.empty() || runs.values.empty()) return "failed";
  if (runs.unit == "tps") {
    return fmt::format("{:.0f} tps {:.2f} ms", runs.median, runs.median_latency_ms);
  }
  return fmt::format("{:.0f} ms", runs.median);
}

std::string ComparisonLine(const std::string& label, const ops::BenchmarkComparison& c) {
  std::string change =
      c.verdict == ops::Verdict::kFailed ? "" : fmt::format("{:+.1f} %", c.change * 100);
  std::string noise =
      c.verdict == ops::Verdict::kFailed ? "" : fmt::format("{:.1f} %", c.noise * 100);
  return fmt::format("{:<12} {:<20} {:<20} {:<20} {:>8} {:>7}  {}\n", label, c.benchmark,
                     FigureText(c.before), FigureText(c.after), change, noise,
                     ops::VerdictName(c.verdict));
}

nlohmann::ordered_json RunsJson(const ops::BenchmarkRuns& r) {
  nlohmann::ordered_json j;
  j["median"] = r.median;
  j["runs"] = r.values;
  j["spread"] = r.spread;
  if (!r.latency_ms.empty()) {
    j["latency_ms"] = r.median_latency_ms;
    j["latency_runs_ms"] = r.latency_ms;
  }
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

nlohmann::ordered_json ComparisonJson(const ops::BenchmarkComparison& c) {
  nlohmann::ordered_json j;
  j["benchmark"] = c.benchmark;
  j["unit"] = c.before.unit.empty() ? c.after.unit : c.before.unit;
  j["before"] = RunsJson(c.before);
  j["after"] = RunsJson(c.after);
  j["change"] = c.change;
  j["noise"] = c.noise;
  j["verdict"] = ops::VerdictName(c.verdict);
  return j;
}

nlohmann::ordered_json SettingsJson(const std::vector<std::pair<std::string, std::string>>& s) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : s) j[name] = value;
  return j;
}

}  // namespace

std::string TuneVerificationToText(const ops::TuneVerification& v) {
  std::string out = fmt::format(
      "measured on a sandbox: {} CPUs, durability on, before = {}; {} rounds per "
      "configuration; pgbench scale {}, {} s per run, {} clients\n"
      "noise = the larger max / min - 1 of the two sides' runs, at least the minimum effect; "
      "a group slower than that factor on any benchmark is dropped\n\n",
      v.sandbox_cpus, v.baseline_source, v.rounds, v.pgbench_scale, v.pgbench_seconds,
      v.pgbench_clients);
  out += fmt::format("{:<12} {:<20} {:<20} {:<20} {:>8} {:>7}  {}\n", "group", "benchmark",
                     "before", "after", "change", "noise", "verdict");
  for (const ops::GroupVerification& g : v.groups) {
    for (const ops::BenchmarkComparison& c : g.benchmarks) out += ComparisonLine(g.group, c);
    std::string names;
    for (const auto& [name, value] : g.settings) {
      names += (names.empty() ? "" : ", ") + name + "=" + value;
    }
    out += fmt::format("{:<12} -> {} ({})\n", g.benchmarks.empty() ? g.group : "", g.reason, names);
  }
  if (!v.overall.empty()) {
    out += "\nbefore vs after (every kept group together):\n";
    for (const ops::BenchmarkComparison& c : v.overall) out += ComparisonLine("all kept", c);
  }
  for (const std::string& n : v.notes) out += "note: " + n + "\n";
  return out;
}

std::string TuneToText(const ops::TuneResult& r, const ops::TuneVerification* verification) {
  std::string out = "dbarch tune: " + Header(r) + "\n\n";
  out += fmt::format("{:<33} {:<12} {:<12} {}\n", "setting", "current", "recommended", "why");
  for (const ops::TuneSetting& s : r.settings) {
    out += fmt::format("{:<33} {:<12} {:<12} {}{}\n", s.name, s.current.empty() ? "?" : s.current,
                       s.recommended, s.reason, s.needs_restart ? " (restart)" : "");
  }
  for (const std::string& n : r.notes) out += "\nnote: " + n;
  if (!r.notes.empty()) out += "\n";
  if (verification != nullptr) out += "\n" + TuneVerificationToText(*verification);
  return out;
}

std::string TuneToJson(const ops::TuneResult& r, const ops::TuneVerification* verification) {
  nlohmann::ordered_json j;
  j["machine"] = {{"memory_bytes", r.machine.memory_bytes},
                  {"cpus", r.machine.cpus},
                  {"storage", ops::StorageKindName(r.machine.storage)}};
  j["workload"] = ops::WorkloadKindName(r.kind);
  auto settings = nlohmann::ordered_json::array();
  for (const ops::TuneSetting& s : r.settings) {
    nlohmann::ordered_json e;
    e["name"] = s.name;
    e["current"] = s.current.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.current);
    e["recommended"] = s.recommended;
    e["changes"] = s.changes();
    e["needs_restart"] = s.needs_restart;
    e["reason"] = s.reason;
    settings.push_back(std::move(e));
  }
  j["settings"] = std::move(settings);
  j["notes"] = r.notes;
  if (verification != nullptr) {
    const ops::TuneVerification& v = *verification;
    nlohmann::ordered_json vj;
    vj["sandbox_cpus"] = v.sandbox_cpus;
    vj["rounds"] = v.rounds;
    vj["pgbench"] = {
        {"scale", v.pgbench_scale}, {"seconds", v.pgbench_seconds}, {"clients", v.pgbench_clients}};
    vj["baseline"] = {{"source", v.baseline_source}, {"settings", SettingsJson(v.baseline)}};
    auto groups = nlohmann::ordered_json::array();
    for (const ops::GroupVerification& g : v.groups) {
      nlohmann::ordered_json gj;
      gj["group"] = g.group;
      gj["settings"] = SettingsJson(g.settings);
      gj["verdict"] = ops::VerdictName(g.verdict);
      gj["kept"] = g.kept;
      gj["reason"] = g.reason;
      auto benches = nlohmann::ordered_json::array();
      for (const ops::BenchmarkComparison& c : g.benchmarks) benches.push_back(ComparisonJson(c));
      gj["benchmarks"] = std::move(benches);
      groups.push_back(std::move(gj));
    }
    vj["groups"] = std::move(groups);
    auto overall = nlohmann::ordered_json::array();
    for (const ops::BenchmarkComparison& c : v.overall) overall.push_back(ComparisonJson(c));
    vj["overall"] = std::move(overall);
    vj["notes"] = v.notes;
    j["verification"] = std::move(vj);
  }
  return j.dump(2) + "\n";
}

std::string TuneToAlterSystem(const ops::TuneResult& r) {
  std::string out = "-- dbarch tune: " + Header(r) + "\n";
  std::vector<std::string> restart;
  for (const ops::TuneSetting& s : r.settings) {
    if (!s.changes()) continue;
    out += fmt::format("ALTER SYSTEM SET {} = {};  -- {}\n", s.name, QuoteLiteral(s.recommended),
                       s.reason);
    if (s.needs_restart) restart.push_back(s.name);
  }
  out += "SELECT pg_reload_conf();\n";
  if (!restart.empty()) {
    out += "-- takes effect only after a restart: " + Join(restart, ", ") + "\n";
  }
  for (const std::string& n : r.notes) out += "-- note: " + n + "\n";
  return out;
}

std::string TuneToConf(const ops::TuneResult& r) {
  std::string out = "# dbarch tune: " + Header(r) + "\n";
  for (const ops::TuneSetting& s : r.settings) {
    out += fmt::format("{} = {}\t# {}{}\n", s.name, QuoteLiteral(s.recommended), s.reason,
                       s.needs_restart ? " (restart)" : "");
  }
  for (const std::string& n : r.notes) out += "# note: " + n + "\n";
  return out;
}

}  // namespace dbarch::report
