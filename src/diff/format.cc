#include "diff/format.h"

#include <nlohmann/json.hpp>

namespace dbarch::diff {
namespace {

std::string Terminated(const std::string& stmt) {
  // A statement ending in a "-- comment" line would swallow the ';'.
  size_t last_line = stmt.rfind('\n');
  std::string_view tail =
      std::string_view(stmt).substr(last_line == std::string::npos ? 0 : last_line);
  return stmt + (tail.find("--") != std::string_view::npos ? "\n;" : ";");
}

std::string Commented(const std::string& stmt) {
  std::string out = "-- ";
  for (char c : stmt) {
    out += c;
    if (c == '\n') out += "-- ";
  }
  return out + ";";
}

}  // namespace

std::string FormatSql(const DiffResult& result, bool require_variables) {
  std::string out;
  for (const std::string& w : result.warnings) out += "-- warning: " + w + "\n";
  bool functions = false;
  for (const Change& c : result.changes) {
    if (c.refused) continue;
    for (const std::string& s : c.sql) {
      if (s.rfind("CREATE FUNCTION", 0) == 0 || s.rfind("CREATE OR REPLACE FUNCTION", 0) == 0 ||
          s.rfind("CREATE PROCEDURE", 0) == 0 || s.rfind("CREATE OR REPLACE PROCEDURE", 0) == 0) {
        functions = true;
      }
    }
  }
  if (functions) out += "SET check_function_bodies = false;\n";
  for (const Change& c : result.changes) {
    if (c.refused) {
      out +=
          "-- refused (destructive, needs --allow-destructive): would lose " + c.data_loss + "\n";
      for (const std::string& s : c.sql) out += Commented(s) + "\n";
      continue;
    }
    if (!c.psql_variable.empty() && require_variables) {
      const std::string& v = c.psql_variable;
      out += std::string("-- ") + catalog::ObjectKindName(c.kind) + " " + c.object +
             ": the secret is not copied into this file; give it to the runner with --var " + v +
             "=..., a --var-file line or DBARCH_VAR_" + v + " (psql: -v " + v + "=...)\n";
      for (const std::string& s : c.sql) out += Terminated(s) + "\n";
      continue;
    }
    if (!c.psql_variable.empty()) {
      // Run only when psql is given the value; else a warning and nothing changes.
      const std::string& v = c.psql_variable;
      out += std::string("-- ") + catalog::ObjectKindName(c.kind) + " " + c.object +
             ": the secret is not copied into this script; run it with psql -v " + v + "=...\n";
      out += "\\if :{?" + v + "}\n";
      for (const std::string& s : c.sql) out += Terminated(s) + "\n";
      out += "\\else\n\\warn 'psql variable " + v + " is not set: " + c.object +
             " keeps its password'\n\\endif\n";
      continue;
    }
    for (const std::string& s : c.sql) out += Terminated(s) + "\n";
  }
  return out;
}

std::string FormatJson(const DiffResult& result) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& c : result.changes) {
    nlohmann::ordered_json j;
    j["kind"] = catalog::ObjectKindName(c.kind);
    j["object"] = c.object;
    j["action"] = ActionName(c.action);
    j["lock"] = c.lock.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.lock);
    j["rewrites"] = c.rewrites;
    j["scans"] = c.scans;
    j["destructive"] = c.destructive;
    j["data_loss"] =
        c.data_loss.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.data_loss);
    j["refused"] = c.refused;
    j["sql"] = c.sql;
    j["reverse"] = c.reverse;
    if (!c.psql_variable.empty()) j["psql_variable"] = c.psql_variable;
    changes.push_back(std::move(j));
  }
  nlohmann::ordered_json out;
  out["changes"] = std::move(changes);
  out["warnings"] = result.warnings;
  return out.dump(2) + "\n";
}

std::string FormatText(const DiffResult& result) {
  std::string out;
  if (result.changes.empty()) out += "no differences\n";
  for (const Change& c : result.changes) {
    char mark = c.action == Action::kCreate ? '+' : c.action == Action::kDrop ? '-' : '~';
    out += std::string(1, mark) + " " + ActionName(c.action) + " " +
           catalog::ObjectKindName(c.kind) + " " + c.object;
    std::string notes;
    if (!c.lock.empty()) notes += "lock " + c.lock;
    if (c.rewrites) notes += std::string(notes.empty() ? "" : ", ") + "rewrites";
    if (c.scans) notes += std::string(notes.empty() ? "" : ", ") + "scans";
    if (c.destructive) notes += std::string(notes.empty() ? "" : ", ") + "loses " + c.data_loss;
    if (c.refused) notes += std::string(notes.empty() ? "" : ", ") + "REFUSED";
    if (!notes.empty()) out += " (" + notes + ")";
    out += "\n";
  }
  for (const std::string& w : result.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace dbarch::diff
