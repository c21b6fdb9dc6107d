#include "report/backup_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/strings.h"

namespace dbarch::report {
namespace {

using ops::FormatBytes;
using ops::FormatDuration;
using Json = nlohmann::ordered_json;

std::string Rate(double bytes_per_s) { return FormatBytes(bytes_per_s) + "/s"; }

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += prefix + text.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

Json Steps(const std::vector<ops::RunbookStep>& steps) {
  Json out = Json::array();
  for (const ops::RunbookStep& s : steps) {
    out.push_back({{"title", s.title}, {"command", s.command.empty() ? Json() : Json(s.command)}});
  }
  return out;
}

std::string StepsText(const std::vector<ops::RunbookStep>& steps) {
  std::string out;
  int i = 1;
  for (const ops::RunbookStep& s : steps) {
    out += fmt::format("  {}. {}\n", i++, s.title);
    if (!s.command.empty()) out += "     $ " + s.command + "\n";
  }
  return out;
}

}  // namespace

std::string BackupPlanToText(const ops::BackupPlan& p) {
  const ops::BackupObjectives& o = p.objectives;
  const ops::BackupFacts& f = p.facts;
  const ops::BackupEstimates& e = p.estimates;
  std::string out =
      fmt::format("dbarch backup plan: stanza {}, RPO {}, RTO {}, {} full backups kept\n", o.stanza,
                  FormatDuration(o.rpo_s), FormatDuration(o.rto_s), o.retention_full);
  out += fmt::format("{}: {} of databases, WAL {}/day ({})\n", f.source,
                     FormatBytes(static_cast<double>(f.database_bytes)),
                     FormatBytes(f.wal_bytes_per_s * 86400), f.wal_rate_basis);
  out += fmt::format(
      "throughput: backup {}, restore {}, WAL replay {}, compression to {:.0f} %; "
      "{}\n",
      Rate(p.throughput.backup_bytes_per_s), Rate(p.throughput.restore_bytes_per_s),
      Rate(p.throughput.replay_bytes_per_s), p.throughput.compression_ratio * 100,
      p.throughput.source);

  out += fmt::format("\nobjectives: {}\n", p.MeetsObjectives() ? "all met" : "NOT ALL MET");
  for (const ops::ObjectiveCheck& c : p.checks) {
    out += fmt::format("  {:<14} {:<4} target {}; expected {}\n", c.objective,
                       c.met ? "met" : "NOT", c.target, c.expected);
    out += "                      " + c.how + "\n";
  }

  out += "\npostgresql.conf\n";
  out += fmt::format("  {:<16} {:<28} {:<40} {}\n", "setting", "current", "recommended", "");
  for (const ops::PlannedSetting& s : p.settings) {
    out += fmt::format("  {:<16} {:<28} {:<40} {}\n", s.name,
                       s.current.empty() ? "?" : "'" + s.current + "'", "'" + s.recommended + "'",
                       s.restart ? "(restart)" : (s.changes ? "(reload)" : "(unchanged)"));
  }

  out += "\npgbackrest.conf (/etc/pgbackrest/pgbackrest.conf)\n";
  out += Indent(p.pgbackrest_conf, "  ");

  out += "\nschedule (/etc/cron.d/pgbackrest)\n";
  for (const ops::CronEntry& c : p.schedule) {
    out += fmt::format("  {:<24} {} {}\n  {:<24} # {}\n", c.schedule, c.user, c.command, "",
                       c.comment);
  }

  out += "\nestimates\n";
  out += fmt::format("  full backup           {} read, {} in the repository, {}\n",
                     FormatBytes(static_cast<double>(f.database_bytes)),
                     FormatBytes(static_cast<double>(e.full_backup_bytes)),
                     FormatDuration(e.full_backup_s));
  out += fmt::format("  diff/incr backup      up to {} changed between backups, {}\n",
                     FormatBytes(static_cast<double>(e.changed_bytes_per_backup)),
                     FormatDuration(e.incremental_backup_s));
  out += fmt::format("  restore               {} (files) + {} (WAL replay, worst case) = {}\n",
                     FormatDuration(e.restore_s), FormatDuration(e.replay_s),
                     FormatDuration(e.recovery_s));
  out += fmt::format("  WAL archive           {}/day in the repository, {:.1f} segments/h\n",
                     FormatBytes(static_cast<double>(e.wal_archive_bytes_per_day)),
                     e.wal_segments_per_hour);
  out += fmt::format("  repository            {} at the peak (while a new full runs)\n",
                     FormatBytes(static_cast<double>(e.repository_bytes)));
  out += fmt::format("  worst-case data loss  {}\n", FormatDuration(e.rpo_bound_s));

  out += "\nmonitoring\n";
  for (const std::string& m : p.monitoring) out += "  - " + m + "\n";
  out += "\nrunbook: full restore (newest state)\n" + StepsText(p.full_restore);
  out += "\nrunbook: point-in-time recovery\n" + StepsText(p.pitr_restore);
  if (!p.notes.empty()) {
    out += "\nnotes\n";
    for (const std::string& n : p.notes) out += "  - " + n + "\n";
  }
  return out;
}

std::string BackupPlanToJson(const ops::BackupPlan& p) {
  const ops::BackupObjectives& o = p.objectives;
  const ops::BackupFacts& f = p.facts;
  const ops::BackupEstimates& e = p.estimates;
  Json j;
  j["meets_objectives"] = p.MeetsObjectives();
  j["objectives"] = {{"rpo_s", o.rpo_s},
                     {"rto_s", o.rto_s},
                     {"retention_full", o.retention_full},
                     {"stanza", o.stanza},
                     {"repo_path", o.repo_path},
                     {"compress_type", o.compress_type},
                     {"process_max", o.process_max}};
  j["facts"] = {{"source", f.source},
                {"server_version_num", f.server_version_num},
                {"in_recovery", f.in_recovery},
                {"database_bytes", f.database_bytes},
                {"wal_bytes_per_s", f.wal_bytes_per_s},
                {"wal_rate_basis", f.wal_rate_basis},
                {"wal_segment_bytes", f.wal_segment_bytes},
                {"archived_count", f.archived_count},
                {"failed_count", f.failed_count},
                {"archive_failing", f.archive_failing}};
  j["throughput"] = {{"backup_bytes_per_s", p.throughput.backup_bytes_per_s},
                     {"restore_bytes_per_s", p.throughput.restore_bytes_per_s},
                     {"replay_bytes_per_s", p.throughput.replay_bytes_per_s},
                     {"compression_ratio", p.throughput.compression_ratio},
                     {"source", p.throughput.source}};
  Json checks = Json::array();
  for (const ops::ObjectiveCheck& c : p.checks) {
    checks.push_back({{"objective", c.objective},
                      {"target", c.target},
                      {"expected", c.expected},
                      {"met", c.met},
                      {"how", c.how}});
  }
  j["checks"] = std::move(checks);
  Json settings = Json::array();
  for (const ops::PlannedSetting& s : p.settings) {
    settings.push_back({{"name", s.name},
                        {"current", s.current.empty() ? Json() : Json(s.current)},
                        {"recommended", s.recommended},
                        {"changes", s.changes},
                        {"needs_restart", s.restart},
                        {"reason", s.reason}});
  }
  j["settings"] = std::move(settings);
  j["pgbackrest_conf"] = p.pgbackrest_conf;
  Json schedule = Json::array();
  for (const ops::CronEntry& c : p.schedule) {
    schedule.push_back(
        {{"cron", c.schedule}, {"user", c.user}, {"command", c.command}, {"comment", c.comment}});
  }
  j["schedule"] = std::move(schedule);
  j["backup_interval_h"] = p.backup_interval_h;
  j["estimates"] = {{"full_backup_s", e.full_backup_s},
                    {"incremental_backup_s", e.incremental_backup_s},
                    {"restore_s", e.restore_s},
                    {"replay_s", e.replay_s},
                    {"recovery_s", e.recovery_s},
                    {"full_backup_bytes", e.full_backup_bytes},
                    {"changed_bytes_per_backup", e.changed_bytes_per_backup},
                    {"wal_archive_bytes_per_day", e.wal_archive_bytes_per_day},
                    {"repository_bytes", e.repository_bytes},
                    {"rpo_bound_s", e.rpo_bound_s},
                    {"wal_segments_per_hour", e.wal_segments_per_hour}};
  j["monitoring"] = p.monitoring;
  j["runbook"] = {{"full_restore", Steps(p.full_restore)},
                  {"point_in_time", Steps(p.pitr_restore)}};
  j["notes"] = p.notes;
  return j.dump(2) + "\n";
}

std::string BackupPlanConfSnippet(const ops::BackupPlan& p) {
  std::string out =
      "# dbarch backup plan: WAL archiving to pgBackRest stanza " + p.objectives.stanza + "\n";
  for (const ops::PlannedSetting& s : p.settings) {
    out += fmt::format("{} = {}\t# {}{}\n", s.name, QuoteLiteral(s.recommended), s.reason,
                       s.restart ? " (restart)" : "");
  }
  return out;
}

std::string BackupPlanCronFile(const ops::BackupPlan& p) {
  std::string out = "# dbarch backup plan: pgBackRest schedule for stanza " + p.objectives.stanza +
                    " (/etc/cron.d/pgbackrest)\n";
  for (const ops::CronEntry& c : p.schedule) {
    out += "# " + c.comment + "\n" + c.schedule + " " + c.user + " " + c.command + "\n";
  }
  return out;
}

std::string VerifyToText(const ops::BackupVerifyResult& r) {
  std::string out =
      fmt::format("dbarch backup verify: {} ({}, PostgreSQL {})\n", r.passed ? "PASSED" : "FAILED",
                  r.pgbackrest_version, r.server_version_num);
  if (!r.failure.empty()) out += "failure: " + r.failure + "\n";
  out += "\nsteps\n";
  for (const ops::VerifyStep& s : r.steps) {
    out += fmt::format("  {:<4} {:<26} {:>7} ms  {}\n", s.ok ? "ok" : "FAIL", s.name, s.elapsed_ms,
                       s.detail);
  }
  if (!r.tables.empty()) {
    out += fmt::format("\ntables at the target ({} {})\n", r.target_kind, r.target);
    out += fmt::format("  {:<18} {:>10} {:>10} {:>10}  {:<32}  {}\n", "table", "at target",
                       "at end", "restored", "checksum at target", "");
    for (const ops::TableCheck& t : r.tables) {
      out += fmt::format("  {:<18} {:>10} {:>10} {:>10}  {:<32}  {}\n", t.table, t.rows_at_target,
                         t.rows_at_end, t.restored_rows < 0 ? "-" : std::to_string(t.restored_rows),
                         t.checksum_at_target,
                         t.restored_rows < 0 ? "" : (t.matches ? "identical" : "DIFFERENT"));
    }
  }
  out += "\nmeasured\n";
  out += fmt::format("  database              {}\n",
                     FormatBytes(static_cast<double>(r.database_bytes)));
  if (r.full_backup_ms > 0) {
    out += fmt::format(
        "  full backup           {} ms for {} ({}), {} in the repository "
        "(compression to {:.0f} %)\n",
        r.full_backup_ms, FormatBytes(static_cast<double>(r.full_backup_bytes)),
        Rate(r.backup_bytes_per_s), FormatBytes(static_cast<double>(r.full_backup_repo_bytes)),
        r.compression_ratio * 100);
  }
  if (r.incr_backup_ms > 0) {
    out += fmt::format("  incremental backup    {} ms, {} in the repository\n", r.incr_backup_ms,
                       FormatBytes(static_cast<double>(r.incr_backup_repo_bytes)));
  }
  if (r.restore_ms > 0) {
    out += fmt::format("  restore               {} ms ({}), recovery to promotion {} ms\n",
                       r.restore_ms, Rate(r.restore_bytes_per_s), r.recovery_ms);
  }
  if (r.archive_push_ms >= 0) {
    out += fmt::format(
        "  WAL archive latency   a switched segment reached the repository in {} "
        "ms\n",
        r.archive_push_ms);
  }
  if (r.passed) {
    out += fmt::format(
        "  achieved RPO          {} committed rows lost at the target; worst case "
        "archive_timeout + {} ms\n",
        r.rows_lost, r.archive_push_ms);
  }
  return out;
}

std::string VerifyToJson(const ops::BackupVerifyResult& r) {
  Json j;
  j["passed"] = r.passed;
  j["failure"] = r.failure.empty() ? Json() : Json(r.failure);
  j["pgbackrest_version"] = r.pgbackrest_version;
  j["server_version_num"] = r.server_version_num;
  j["target"] = {
      {"kind", r.target_kind}, {"value", r.target}, {"time", r.target_time}, {"lsn", r.target_lsn}};
  Json steps = Json::array();
  for (const ops::VerifyStep& s : r.steps) {
    steps.push_back(
        {{"name", s.name}, {"ok", s.ok}, {"elapsed_ms", s.elapsed_ms}, {"detail", s.detail}});
  }
  j["steps"] = std::move(steps);
  Json tables = Json::array();
  for (const ops::TableCheck& t : r.tables) {
    tables.push_back({{"table", t.table},
                      {"rows_at_target", t.rows_at_target},
                      {"rows_at_end", t.rows_at_end},
                      {"restored_rows", t.restored_rows < 0 ? Json() : Json(t.restored_rows)},
                      {"checksum_at_target", t.checksum_at_target},
                      {"restored_checksum", t.restored_checksum},
                      {"matches", t.matches}});
  }
  j["tables"] = std::move(tables);
  j["later_table_absent"] = r.later_table_absent;
  j["rows_lost"] = r.rows_lost;
  j["measured"] = {{"database_bytes", r.database_bytes},
                   {"full_backup_ms", r.full_backup_ms},
                   {"full_backup_bytes", r.full_backup_bytes},
                   {"full_backup_repo_bytes", r.full_backup_repo_bytes},
                   {"incr_backup_ms", r.incr_backup_ms},
                   {"incr_backup_repo_bytes", r.incr_backup_repo_bytes},
                   {"restore_ms", r.restore_ms},
                   {"recovery_ms", r.recovery_ms},
                   {"archive_push_ms", r.archive_push_ms},
                   {"backup_bytes_per_s", r.backup_bytes_per_s},
                   {"restore_bytes_per_s", r.restore_bytes_per_s},
                   {"compression_ratio", r.compression_ratio}};
  j["pgbackrest_conf"] = r.pgbackrest_conf;
  return j.dump(2) + "\n";
}

std::string LiveCheckToText(const ops::LiveCheckResult& r) {
  std::string out = fmt::format("dbarch backup verify --dsn: {}\n", r.ok() ? "OK" : "PROBLEMS");
  for (const std::string& p : r.problems) out += "  problem: " + p + "\n";
  out += fmt::format(
      "  archiving: archive_mode {}, {} WAL files archived, {} failures{}{}\n", r.archive_mode,
      r.archived_count, r.failed_count, r.archive_failing ? " (failing now)" : "",
      r.last_archived_age_s >= 0 ? ", last " + FormatDuration(r.last_archived_age_s) + " ago" : "");
  if (r.stanza_checked) {
    out +=
        fmt::format("  backups: {} in the repository{}\n", r.backups,
                    r.newest_backup_age_s >= 0
                        ? fmt::format(", newest {} ({}) {} old", r.newest_backup_label,
                                      r.newest_backup_type, FormatDuration(r.newest_backup_age_s))
                        : "");
  }
  for (const std::string& n : r.notes) out += "  note: " + n + "\n";
  return out;
}

std::string LiveCheckToJson(const ops::LiveCheckResult& r) {
  Json j;
  j["ok"] = r.ok();
  j["problems"] = r.problems;
  j["notes"] = r.notes;
  j["archiving"] = {
      {"archive_mode", r.archive_mode},
      {"archive_command", r.archive_command},
      {"archived_count", r.archived_count},
      {"failed_count", r.failed_count},
      {"failing", r.archive_failing},
      {"last_archived_age_s", r.last_archived_age_s < 0 ? Json() : Json(r.last_archived_age_s)}};
  j["backups"] = {
      {"checked", r.stanza_checked},
      {"count", r.backups},
      {"newest_label", r.newest_backup_label.empty() ? Json() : Json(r.newest_backup_label)},
      {"newest_type", r.newest_backup_type.empty() ? Json() : Json(r.newest_backup_type)},
      {"newest_age_s", r.newest_backup_age_s < 0 ? Json() : Json(r.newest_backup_age_s)}};
  return j.dump(2) + "\n";
}

}  // namespace dbarch::report
