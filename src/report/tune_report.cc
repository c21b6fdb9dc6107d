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

}  // namespace

std::string TuneToText(const ops::TuneResult& r) {
  std::string out = "dbarch tune: " + Header(r) + "\n\n";
  out += fmt::format("{:<33} {:<12} {:<12} {}\n", "setting", "current", "recommended", "why");
  for (const ops::TuneSetting& s : r.settings) {
    out += fmt::format("{:<33} {:<12} {:<12} {}{}\n", s.name, s.current.empty() ? "?" : s.current,
                       s.recommended, s.reason, s.needs_restart ? " (restart)" : "");
  }
  for (const std::string& n : r.notes) out += "\nnote: " + n;
  if (!r.notes.empty()) out += "\n";
  return out;
}

std::string TuneToJson(const ops::TuneResult& r) {
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
  return out;
}

std::string TuneToConf(const ops::TuneResult& r) {
  std::string out = "# dbarch tune: " + Header(r) + "\n";
  for (const ops::TuneSetting& s : r.settings) {
    out += fmt::format("{} = {}\t# {}{}\n", s.name, QuoteLiteral(s.recommended), s.reason,
                       s.needs_restart ? " (restart)" : "");
  }
  return out;
}

}  // namespace dbarch::report
