#include "report/migrate_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace dbarch::report {
namespace {

using nlohmann::ordered_json;

const char* ActionName(migrate::Step::Action a) {
  switch (a) {
    case migrate::Step::Action::kApply:
      return "apply";
    case migrate::Step::Action::kUndo:
      return "undo";
    case migrate::Step::Action::kReapply:
      return "apply-repeatable";
  }
  return "apply";
}

ordered_json ProblemsJson(const migrate::Snapshot& snap) {
  ordered_json out = ordered_json::array();
  for (const migrate::Problem& p : snap.problems) {
    out.push_back(
        {{"kind", p.kind}, {"script", p.script}, {"path", p.path}, {"message", p.message}});
  }
  return out;
}

// "file:line:col: CREATE INDEX CONCURRENTLY": why a file runs statement by statement.
std::string ReasonText(const migrate::PreparedScript& p) {
  if (p.reason.empty() || p.reason_statement >= p.statements.size()) return p.reason;
  const migrate::ScriptStatement& st = p.statements[p.reason_statement];
  LineCol lc = st.file->Locate(st.begin);
  return st.file->name() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": " +
         p.reason;
}

size_t PendingCount(const migrate::Snapshot& snap) {
  return static_cast<size_t>(
      std::count_if(snap.entries.begin(), snap.entries.end(), [](const migrate::Entry& e) {
        return e.state == "pending" || e.state == "outdated" || e.state == "interrupted";
      }));
}

std::string ProblemsText(const migrate::Snapshot& snap) {
  std::string out;
  for (const migrate::Problem& p : snap.problems)
    out += "error[" + p.kind + "] " + p.message + "\n";
  return out;
}

}  // namespace

std::string MigrateStatusToText(const migrate::Snapshot& snap, const std::string& table) {
  std::string out = "history table: " + table +
                    (snap.table_exists ? " (" + std::to_string(snap.history.size()) + " rows)"
                                       : " (not created yet)") +
                    "\n";
  out += "current version: " + (snap.current ? snap.current->text() : std::string("none")) + "\n";
  if (snap.baseline) out += "baseline: " + snap.baseline->text() + "\n";
  std::vector<std::vector<std::string>> rows = {
      {"VERSION", "DESCRIPTION", "TYPE", "STATE", "INSTALLED ON", "SCRIPT"}};
  for (const migrate::Entry& e : snap.entries) {
    rows.push_back({e.version.empty() ? "-" : e.version, e.description, e.type, e.state,
                    e.installed_on.empty() ? "-" : e.installed_on.substr(0, 19), e.script});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  out += std::to_string(PendingCount(snap)) + " pending, " + std::to_string(snap.problems.size()) +
         " problem(s)\n";
  out += ProblemsText(snap);
  return out;
}

std::string MigrateStatusToJson(const migrate::Snapshot& snap, const std::string& table) {
  ordered_json entries = ordered_json::array();
  for (const migrate::Entry& e : snap.entries) {
    entries.push_back(
        {{"version", e.version.empty() ? ordered_json() : ordered_json(e.version)},
         {"description", e.description},
         {"type", e.type},
         {"script", e.script},
         {"state", e.state},
         {"installed_on", e.installed_on.empty() ? ordered_json() : ordered_json(e.installed_on)},
         {"has_undo", e.has_undo}});
  }
  ordered_json j = {
      {"history_table", table},
      {"table_exists", snap.table_exists},
      {"current_version", snap.current ? ordered_json(snap.current->text()) : ordered_json()},
      {"baseline_version", snap.baseline ? ordered_json(snap.baseline->text()) : ordered_json()},
      {"pending", PendingCount(snap)},
      {"migrations", entries},
      {"problems", ProblemsJson(snap)}};
  return j.dump(2) + "\n";
}

std::string MigratePlanToText(const std::vector<MigratePlanItem>& plan) {
  if (plan.empty()) return "-- nothing to run: the database is up to date\n";
  std::string out = "-- " + std::to_string(plan.size()) + " file(s) to run, in this order\n";
  for (const MigratePlanItem& item : plan) {
    const migrate::Step& s = item.step;
    out += "\n-- " + std::string(ActionName(s.action)) + " " + s.script->name;
    if (s.version) out += " (version " + s.version->text() + ")";
    out += item.prepared.transactional && s.resume_rank == 0
               ? ": in one transaction with its history row\n"
               : ": statement by statement (" +
                     (item.prepared.reason.empty() ? std::string("resuming an interrupted run")
                                                   : ReasonText(item.prepared)) +
                     ")\n";
    if (s.resume_from > 0) {
      out += "-- resuming after statement " + std::to_string(s.resume_from) + " of " +
             std::to_string(item.prepared.statements.size()) + "\n";
    }
    for (size_t i = static_cast<size_t>(s.resume_from); i < item.prepared.statements.size(); ++i) {
      out += item.prepared.statements[i].shown_sql + ";\n";
    }
  }
  return out;
}

std::string MigratePlanToJson(const std::vector<MigratePlanItem>& plan) {
  ordered_json steps = ordered_json::array();
  for (const MigratePlanItem& item : plan) {
    const migrate::Step& s = item.step;
    ordered_json statements = ordered_json::array();
    for (size_t i = static_cast<size_t>(s.resume_from); i < item.prepared.statements.size(); ++i) {
      const migrate::ScriptStatement& st = item.prepared.statements[i];
      LineCol lc = st.file->Locate(st.begin);
      statements.push_back({{"sql", st.shown_sql},
                            {"file", st.file->name()},
                            {"line", lc.line},
                            {"column", lc.column},
                            {"outside_transaction", st.needs_autocommit}});
    }
    steps.push_back({{"action", ActionName(s.action)},
                     {"version", s.version ? ordered_json(s.version->text()) : ordered_json()},
                     {"script", s.script->name},
                     {"path", s.script->path},
                     {"transactional", item.prepared.transactional && s.resume_rank == 0},
                     {"reason", ReasonText(item.prepared)},
                     {"resume_from", s.resume_from},
                     {"statements", statements}});
  }
  return ordered_json({{"steps", steps}}).dump(2) + "\n";
}

std::string MigrateValidateToText(const migrate::Snapshot& snap) {
  if (snap.problems.empty()) {
    size_t applied = static_cast<size_t>(
        std::count_if(snap.entries.begin(), snap.entries.end(),
                      [](const migrate::Entry& e) { return e.state == "applied"; }));
    return "ok: " + std::to_string(applied) + " applied file(s) match their checksums, " +
           std::to_string(PendingCount(snap)) + " pending\n";
  }
  return ProblemsText(snap);
}

std::string MigrateValidateToJson(const migrate::Snapshot& snap) {
  return ordered_json({{"valid", snap.problems.empty()},
                       {"pending", PendingCount(snap)},
                       {"problems", ProblemsJson(snap)}})
             .dump(2) +
         "\n";
}

}  // namespace dbarch::report
