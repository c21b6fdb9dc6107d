#include "ops/backup_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>

#include "base/strings.h"
#include "pg/connection.h"

namespace dbarch::ops {
namespace {

constexpr double kMB = 1024.0 * 1024.0;
constexpr int64_t kDay = 86400;
// Time for `archive-push` to move one WAL segment into the repository once PostgreSQL hands
// it over (asynchronous push, local or nearby repository). `backup verify` measures it.
constexpr int64_t kArchivePushMarginS = 10;
// archive_timeout below a minute makes PostgreSQL switch (and archive) a whole segment per
// interval even when idle; the PostgreSQL documentation calls such settings unwise.
constexpr int64_t kMinArchiveTimeoutS = 60;
// Intervals tried between two backups of any kind, longest first (hours dividing a day).
constexpr int kIntervalsH[] = {24, 12, 8, 6, 4, 3, 2, 1};

std::string Text(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? "" : std::string(r.Get(row, col));
}

int64_t Seconds(double s) {
  if (!std::isfinite(s) || s < 0) return 0;
  return static_cast<int64_t>(std::ceil(s));
}

std::string ConfDuration(int64_t s) {
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "min";
  return std::to_string(s) + "s";
}

// "1,7,13,19": the hours after `first` at `every`-hour steps, skipping `first` itself.
std::string IncrementalHours(int first, int every) {
  std::vector<int> hours;
  for (int k = 1; k * every < 24; ++k) hours.push_back((first + k * every) % 24);
  std::sort(hours.begin(), hours.end());
  std::vector<std::string> parts;
  for (int h : hours) parts.push_back(std::to_string(h));
  return Join(parts, ",");
}

std::string Pgbackrest(const std::string& stanza, const std::string& rest) {
  return "pgbackrest --stanza=" + stanza + " " + rest;
}

}  // namespace

Throughput AssumedThroughput(int process_max) {
  Throughput t;
  const double processes = std::max(1, process_max);
  // zstd level 3 plus SHA-1 of every file costs about a core per 60 MB/s; restores only
  // decompress; WAL replay runs in the single startup process and is usually limited by
  // random reads of the pages it changes.
  t.backup_bytes_per_s = 60 * kMB * processes;
  t.restore_bytes_per_s = 120 * kMB * processes;
  t.replay_bytes_per_s = 40 * kMB;
  t.compression_ratio = 0.35;
  t.source = "assumed: no measurement given; run `dbarch backup verify` and pass --measured";
  return t;
}

Result<BackupFacts> ReadBackupFacts(pg::Connection& conn, int sample_s) {
  BackupFacts f;
  f.source = "server " + conn.DisplayName();
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT current_setting('server_version_num')::int, pg_is_in_recovery(), "
                "(SELECT coalesce(sum(pg_database_size(oid)), 0)::bigint FROM pg_database "
                " WHERE has_database_privilege(oid, 'CONNECT')), "
                "(SELECT setting FROM pg_settings WHERE name = 'data_directory'), "
                "current_setting('port')::int, "
                "(SELECT split_part(setting, ',', 1) FROM pg_settings "
                " WHERE name = 'unix_socket_directories'), "
                "current_setting('wal_level'), current_setting('archive_mode'), "
                "(SELECT setting FROM pg_settings WHERE name = 'archive_command'), "
                "current_setting('archive_timeout'), "
                "pg_size_bytes(current_setting('wal_segment_size')), "
                "a.archived_count, a.failed_count, "
                "(a.last_failed_time IS NOT NULL AND (a.last_archived_time IS NULL OR "
                " a.last_failed_time > a.last_archived_time)) "
                "FROM pg_stat_archiver a"));
  f.server_version_num = static_cast<int>(r.GetInt(0, 0));
  f.in_recovery = r.GetBool(0, 1);
  f.database_bytes = r.GetInt(0, 2);
  f.data_directory = Text(r, 0, 3);
  f.port = static_cast<int>(r.GetInt(0, 4));
  f.socket_dir = std::string(Trim(Text(r, 0, 5)));
  f.wal_level = Text(r, 0, 6);
  f.archive_mode = Text(r, 0, 7);
  f.archive_command = Text(r, 0, 8);
  f.archive_timeout = Text(r, 0, 9);
  f.wal_segment_bytes = r.GetInt(0, 10);
  f.archived_count = r.GetInt(0, 11);
  f.failed_count = r.GetInt(0, 12);
  f.archive_failing = r.GetBool(0, 13);

  if (sample_s <= 0 && f.server_version_num >= 140000) {
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult w,
        conn.Exec("SELECT wal_bytes::float8, extract(epoch FROM now() - stats_reset)::float8 "
                  "FROM pg_stat_wal"));
    if (w.rows() == 1 && !w.IsNull(0, 1)) {
      double bytes = std::strtod(std::string(w.Get(0, 0)).c_str(), nullptr);
      double age_s = std::strtod(std::string(w.Get(0, 1)).c_str(), nullptr);
      if (age_s >= 3600) {
        f.wal_bytes_per_s = bytes / age_s;
        f.wal_rate_basis = fmt::format(
            "pg_stat_wal: {} of WAL in the {} since its statistics "
            "were reset",
            FormatBytes(bytes), FormatDuration(Seconds(age_s)));
        return f;
      }
    }
    sample_s = 10;
  }
  if (sample_s <= 0) sample_s = 10;
  // A standby's replay position advances with its primary's WAL.
  const std::string position = f.in_recovery ? "pg_last_wal_replay_lsn()" : "pg_current_wal_lsn()";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult first, conn.Exec("SELECT " + position + "::text"));
  const std::string start_lsn = Text(first, 0, 0);
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(sample_s));
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult second,
      conn.ExecParams("SELECT pg_wal_lsn_diff(" + position + ", $1::pg_lsn)::float8", {start_lsn}));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double bytes =
      second.IsNull(0, 0) ? 0 : std::strtod(std::string(second.Get(0, 0)).c_str(), nullptr);
  f.wal_bytes_per_s = std::max(0.0, bytes) / elapsed;
  f.wal_rate_basis = fmt::format(
      "sampled: {} of WAL in {} s (a short sample: give --wal-rate "
      "for a typical day)",
      FormatBytes(std::max(0.0, bytes)), sample_s);
  return f;
}

std::string ArchiveCommand(const std::string& stanza, const std::string& config_path) {
  std::string cmd = "pgbackrest";
  if (!config_path.empty()) cmd += " --config=" + config_path;
  return cmd + " --stanza=" + stanza + " archive-push %p";
}

std::string RenderPgbackrestConf(const PgbackrestConfInput& in) {
  std::string out = "[global]\n";
  out += "repo1-path=" + in.repo_path + "\n";
  out += "repo1-retention-full=" + std::to_string(in.retention_full) + "\n";
  out += "repo1-retention-full-type=count\n";
  out += "compress-type=" + in.compress_type + "\n";
  out += "process-max=" + std::to_string(in.process_max) + "\n";
  out += "start-fast=y\n";
  out += "archive-async=" + std::string(in.archive_async ? "y" : "n") + "\n";
  if (!in.spool_path.empty()) out += "spool-path=" + in.spool_path + "\n";
  if (!in.log_path.empty()) out += "log-path=" + in.log_path + "\n";
  if (!in.lock_path.empty()) out += "lock-path=" + in.lock_path + "\n";
  out += "log-level-console=warn\n";
  out += "log-level-file=detail\n";
  out += "\n[" + in.stanza + "]\n";
  out += "pg1-path=" + in.pg_path + "\n";
  out += "pg1-port=" + std::to_string(in.pg_port) + "\n";
  if (!in.pg_socket_path.empty()) out += "pg1-socket-path=" + in.pg_socket_path + "\n";
  return out;
}

bool BackupPlan::MeetsObjectives() const {
  return std::all_of(checks.begin(), checks.end(), [](const ObjectiveCheck& c) { return c.met; });
}

BackupPlan MakeBackupPlan(const BackupFacts& facts, const BackupObjectives& objectives) {
  BackupPlan plan;
  plan.objectives = objectives;
  plan.facts = facts;
  const std::string& stanza = objectives.stanza;

  // Throughput: what was given or measured, the assumption for anything missing.
  Throughput assumed = AssumedThroughput(objectives.process_max);
  Throughput tp = objectives.throughput;
  bool any_assumed = false;
  auto fill = [&](double& v, double fallback) {
    if (v <= 0) {
      v = fallback;
      any_assumed = true;
    }
  };
  fill(tp.backup_bytes_per_s, assumed.backup_bytes_per_s);
  fill(tp.restore_bytes_per_s, assumed.restore_bytes_per_s);
  fill(tp.replay_bytes_per_s, assumed.replay_bytes_per_s);
  fill(tp.compression_ratio, assumed.compression_ratio);
  if (tp.source.empty())
    tp.source = assumed.source;
  else if (any_assumed)
    tp.source += "; the rest assumed";
  plan.throughput = tp;

  const double db = static_cast<double>(std::max<int64_t>(0, facts.database_bytes));
  const double wal_per_s = std::max(0.0, facts.wal_bytes_per_s);
  const double segment = static_cast<double>(std::max<int64_t>(1, facts.wal_segment_bytes));
  BackupEstimates& est = plan.estimates;
  est.wal_segments_per_hour = wal_per_s * 3600 / segment;

  // RPO: a WAL record is safe once its segment is archived. A segment is handed over when
  // it is full or when archive_timeout forces a switch, whichever comes first.
  int64_t archive_timeout_s = kMinArchiveTimeoutS;
  if (objectives.rpo_s > 0) {
    int64_t wanted = objectives.rpo_s - kArchivePushMarginS;
    if (wanted >= 120) wanted = wanted / 60 * 60;
    archive_timeout_s = std::clamp<int64_t>(wanted, kMinArchiveTimeoutS, 3600);
  }
  const double fill_s = wal_per_s > 0 ? segment / wal_per_s : std::numeric_limits<double>::max();
  est.rpo_bound_s =
      Seconds(std::min(static_cast<double>(archive_timeout_s), fill_s)) + kArchivePushMarginS;
  {
    ObjectiveCheck c;
    c.objective = "RPO";
    c.target = FormatDuration(objectives.rpo_s);
    c.expected = "at most " + FormatDuration(est.rpo_bound_s) + " of committed transactions";
    c.met = objectives.rpo_s > 0 && est.rpo_bound_s <= objectives.rpo_s;
    if (objectives.rpo_s == 0) {
      c.how =
          "no data loss needs synchronous replication (synchronous_standby_names with a "
          "standby, or pg_receivewal --synchronous to the backup host); WAL archiving "
          "alone always loses the segment being written";
    } else if (c.met) {
      c.how = fmt::format(
          "archive_timeout = {} switches WAL at least that often (WAL fills a "
          "segment every {}), and asynchronous archive-push needs about {} s "
          "more to reach the repository",
          ConfDuration(archive_timeout_s),
          fill_s > 1e12 ? "never: no WAL measured" : FormatDuration(Seconds(fill_s)),
          kArchivePushMarginS);
    } else {
      c.how = fmt::format(
          "WAL archiving cannot guarantee less than {} + {} s push time (an "
          "archive_timeout under a minute archives a 16 MB segment per "
          "interval even when idle); stream WAL instead: pg_receivewal on the "
          "backup host, or a standby",
          ConfDuration(kMinArchiveTimeoutS), kArchivePushMarginS);
    }
    plan.checks.push_back(c);
  }

  // RTO: restore the database files, then replay the WAL written since that backup. More
  // frequent backups (differential daily, incremental every few hours) bound the replay.
  est.restore_s = Seconds(db / tp.restore_bytes_per_s);
  int interval_h = 1;
  bool rto_met = false;
  for (int h : kIntervalsH) {
    double replay = wal_per_s * h * 3600 / tp.replay_bytes_per_s;
    if (static_cast<double>(est.restore_s) + replay <= static_cast<double>(objectives.rto_s)) {
      interval_h = h;
      rto_met = true;
      break;
    }
  }
  plan.backup_interval_h = interval_h;
  est.replay_s = Seconds(wal_per_s * interval_h * 3600 / tp.replay_bytes_per_s);
  est.recovery_s = est.restore_s + est.replay_s;
  {
    ObjectiveCheck c;
    c.objective = "RTO";
    c.target = FormatDuration(objectives.rto_s);
    c.expected =
        fmt::format("at most {} (restore {} + WAL replay {})", FormatDuration(est.recovery_s),
                    FormatDuration(est.restore_s), FormatDuration(est.replay_s));
    c.met = rto_met;
    if (rto_met) {
      c.how = fmt::format(
          "a backup every {} h bounds the WAL to replay to {} of WAL; the "
          "restore writes {} at {}/s",
          interval_h, FormatBytes(wal_per_s * interval_h * 3600), FormatBytes(db),
          FormatBytes(tp.restore_bytes_per_s));
    } else if (static_cast<double>(est.restore_s) > static_cast<double>(objectives.rto_s)) {
      c.how = fmt::format(
          "copying {} back alone takes {} at {}/s; a restore cannot meet it: "
          "keep a streaming standby to promote (seconds), or restore with "
          "more processes (--process-max) on faster storage",
          FormatBytes(db), FormatDuration(est.restore_s), FormatBytes(tp.restore_bytes_per_s));
    } else {
      c.how = fmt::format(
          "even hourly backups leave {} of WAL to replay at {}/s; keep a "
          "streaming standby to promote instead",
          FormatBytes(wal_per_s * 3600), FormatBytes(tp.replay_bytes_per_s));
    }
    plan.checks.push_back(c);
  }

  // Sizes. Changed data between two backups is bounded by the WAL written meanwhile (WAL
  // also carries full-page images, so this over-estimates).
  est.full_backup_bytes = static_cast<int64_t>(db * tp.compression_ratio);
  est.full_backup_s = Seconds(db / tp.backup_bytes_per_s);
  const double changed = std::min(db, wal_per_s * interval_h * 3600);
  est.changed_bytes_per_backup = static_cast<int64_t>(changed);
  est.incremental_backup_s = Seconds(changed / tp.backup_bytes_per_s);
  est.wal_archive_bytes_per_day = static_cast<int64_t>(wal_per_s * kDay * tp.compression_ratio);
  double week_diffs = 0;
  for (int d = 1; d <= 6; ++d) week_diffs += std::min(db, wal_per_s * kDay * d);
  double week_incrs = interval_h < 24 ? (24 / interval_h - 1) * 7 * changed : 0;
  const int keep = objectives.retention_full;
  double repo = keep * (db + week_diffs + week_incrs) * tp.compression_ratio +
                static_cast<double>(est.wal_archive_bytes_per_day) * 7 * keep;
  // While a new full runs, the oldest one is still kept: one full more at the peak.
  est.repository_bytes = static_cast<int64_t>(repo + db * tp.compression_ratio);
  {
    ObjectiveCheck c;
    c.objective = "backup window";
    c.target = "full backup within a day, others within their interval";
    c.expected =
        fmt::format("full {}, each differential/incremental up to {}",
                    FormatDuration(est.full_backup_s), FormatDuration(est.incremental_backup_s));
    c.met = est.full_backup_s <= kDay && est.incremental_backup_s <= interval_h * 3600;
    c.how = c.met ? "the weekly full finishes before the next scheduled backup"
                  : "backups would overlap the next one: raise process-max, back up from a "
                    "standby (backup-standby=y), or move the repository to faster storage";
    plan.checks.push_back(c);
  }
  {
    ObjectiveCheck c;
    c.objective = "retention";
    c.target = std::to_string(keep) + " full backup" + (keep == 1 ? "" : "s");
    int min_days = 7 * (keep - 1);
    c.expected = fmt::format("point-in-time recovery to any moment of the last {} to {} days",
                             min_days, 7 * keep);
    c.met = keep >= 2;
    c.how = c.met ? "pgBackRest expires a full backup, its differentials and its WAL only "
                    "after a newer full completed"
                  : "with one full, each new full expires the previous one and its WAL: "
                    "right after it, no earlier moment can be recovered; keep at least 2";
    plan.checks.push_back(c);
  }

  // pgbackrest.conf.
  PgbackrestConfInput conf;
  conf.stanza = stanza;
  conf.repo_path = objectives.repo_path;
  conf.spool_path = objectives.spool_path;
  conf.retention_full = keep;
  conf.compress_type = objectives.compress_type;
  conf.process_max = objectives.process_max;
  conf.archive_async = true;
  const int major = facts.server_version_num > 0 ? facts.server_version_num / 10000 : 15;
  conf.pg_path = facts.data_directory.empty() ? fmt::format("/var/lib/postgresql/{}/main", major)
                                              : facts.data_directory;
  if (facts.data_directory.empty()) {
    plan.notes.push_back(
        "data_directory was not read (not given, or the session may not "
        "see it): pg1-path is Debian's default, check it with SHOW "
        "data_directory as a superuser");
  }
  conf.pg_port = facts.port;
  if (!facts.socket_dir.empty() && facts.socket_dir != "/var/run/postgresql" &&
      facts.socket_dir != "/run/postgresql") {
    conf.pg_socket_path = facts.socket_dir;
  }
  plan.pgbackrest_conf = RenderPgbackrestConf(conf);

  // postgresql.conf.
  auto setting = [&](std::string name, std::string current, std::string recommended,
                     std::string reason, bool restart) {
    PlannedSetting s;
    s.name = std::move(name);
    s.current = std::move(current);
    s.recommended = std::move(recommended);
    s.reason = std::move(reason);
    s.changes = s.current != s.recommended;
    s.restart = restart && s.changes;
    plan.settings.push_back(std::move(s));
  };
  setting("wal_level", facts.wal_level, facts.wal_level == "logical" ? "logical" : "replica",
          "archived WAL must carry enough to rebuild the cluster (minimal WAL skips bulk loads)",
          true);
  setting("archive_mode", facts.archive_mode, facts.archive_mode == "always" ? "always" : "on",
          "hands every completed WAL segment to archive_command", true);
  setting("archive_command", facts.archive_command, ArchiveCommand(stanza, ""),
          "pgBackRest pushes each segment to the repository (asynchronously, via spool-path)",
          false);
  setting("archive_timeout", facts.archive_timeout, ConfDuration(archive_timeout_s),
          "bounds the data loss of a quiet server: a partly filled segment is switched and "
          "archived after this long",
          false);

  // Schedule (an /etc/cron.d file: the sixth field is the user).
  const int h0 = std::clamp(objectives.full_backup_hour, 0, 23);
  plan.schedule.push_back({fmt::format("0 {} * * 0", h0), "postgres",
                           Pgbackrest(stanza, "--type=full backup"),
                           "weekly full backup (Sunday); expires backups beyond retention"});
  plan.schedule.push_back({fmt::format("0 {} * * 1-6", h0), "postgres",
                           Pgbackrest(stanza, "--type=diff backup"),
                           "daily differential (changes since the full)"});
  if (interval_h < 24) {
    plan.schedule.push_back(
        {fmt::format("0 {} * * *", IncrementalHours(h0, interval_h)), "postgres",
         Pgbackrest(stanza, "--type=incr backup"),
         fmt::format("incremental every {} h, bounding WAL replay for the RTO", interval_h)});
  }
  plan.schedule.push_back({fmt::format("30 {} * * *", (h0 + 12) % 24), "postgres",
                           Pgbackrest(stanza, "check"),
                           "daily: proves archive_command reaches the repository"});

  // Monitoring.
  plan.monitoring = {
      "archive failures: `dbarch health --dsn DSN --check archiving --format nagios` every 5 "
      "min (pg_stat_archiver: critical while the last archive attempt failed; WAL piles up in "
      "pg_wal until it succeeds)",
      fmt::format("backup freshness and archiving: `dbarch backup verify --dsn DSN --stanza {}` "
                  "hourly (exit 1 when archiving fails or the newest backup is older than {} h)",
                  stanza, 2 * interval_h),
      fmt::format("postgres_exporter: alert on increase(pg_stat_archiver_failed_count[10m]) > "
                  "0 and on pg_stat_archiver_last_archive_age > {} (archive_timeout plus push "
                  "time, doubled)",
                  2 * (archive_timeout_s + kArchivePushMarginS)),
      "pgBackRest's own log: /var/log/pgbackrest/" + stanza +
          "-*.log (log-level-file=detail); a cron job that fails mails its output",
      "restore drill: `dbarch backup verify` (a real PITR in a sandbox) weekly and after "
      "upgrades of PostgreSQL or pgBackRest"};

  // Runbook.
  const std::string data = conf.pg_path;
  const std::string cluster = fmt::format("{} main", major);
  plan.full_restore = {
      {"stop PostgreSQL", "pg_ctlcluster " + cluster + " stop"},
      {"set the damaged data directory aside (or restore over it with --delta)",
       "mv " + data + " " + data + ".damaged && install -d -o postgres -g postgres -m 0700 " +
           data},
      {"restore the newest backup; recovery will replay all archived WAL",
       "sudo -u postgres " + Pgbackrest(stanza, "restore")},
      {"start PostgreSQL and wait for \"archive recovery complete\" in its log",
       "pg_ctlcluster " + cluster + " start"},
      {"check the server is out of recovery and archiving works",
       "sudo -u postgres psql -Atc 'SELECT pg_is_in_recovery()' && sudo -u postgres " +
           Pgbackrest(stanza, "check")},
  };
  plan.pitr_restore = {
      {"find the moment just before the mistake, in UTC (the server log, pg_stat_activity "
       "history, the application's log)",
       ""},
      {"stop PostgreSQL", "pg_ctlcluster " + cluster + " stop"},
      {"set the data directory aside (keep it until the restore is checked)",
       "mv " + data + " " + data + ".before-pitr && install -d -o postgres -g postgres -m 0700 " +
           data},
      {"restore the newest backup older than the target and replay WAL up to it",
       "sudo -u postgres " + Pgbackrest(stanza,
                                        "--type=time --target='YYYY-MM-DD HH:MM:SS+00' "
                                        "--target-action=promote restore")},
      {"start PostgreSQL; the log says \"recovery stopping before commit of transaction ...\" "
       "then \"archive recovery complete\"",
       "pg_ctlcluster " + cluster + " start"},
      {"check the data as of the target, and that the server left recovery",
       "sudo -u postgres psql -Atc 'SELECT pg_is_in_recovery()'"},
      {"the server now writes a new timeline: take a full backup at once",
       "sudo -u postgres " + Pgbackrest(stanza, "--type=full backup")},
  };

  if (facts.in_recovery) {
    plan.notes.push_back(
        "the server is a standby: the plan sizes its primary; pgBackRest can "
        "back up from it with backup-standby=y, archiving stays on the primary");
  }
  if (facts.archive_failing) {
    plan.notes.push_back(
        fmt::format("archiving is failing now ({} failures in "
                    "pg_stat_archiver): fix archive_command before relying on "
                    "any backup",
                    facts.failed_count));
  }
  if (wal_per_s <= 0) {
    plan.notes.push_back(
        "no WAL was written while measuring: give --wal-rate for a typical "
        "day, else the sizes of differentials and WAL are too low");
  }
  plan.notes.push_back(
      "keep the repository off the database host (repo1-host, or an object "
      "store with repo1-type=s3): a backup on the same disk dies with it");
  plan.notes.push_back("after `pgbackrest --stanza=" + stanza +
                       " stanza-create` run `pgbackrest --stanza=" + stanza +
                       " check` and a first full backup by hand");
  return plan;
}

std::optional<int64_t> ParseDurationSeconds(std::string_view text) {
  text = Trim(text);
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0 || i > 12) return std::nullopt;
  int64_t n = std::stoll(std::string(text.substr(0, i)));
  std::string unit = ToLower(Trim(text.substr(i)));
  int64_t mult = 0;
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs")
    mult = 1;
  else if (unit == "min" || unit == "m" || unit == "mins")
    mult = 60;
  else if (unit == "h" || unit == "hour" || unit == "hours")
    mult = 3600;
  else if (unit == "d" || unit == "day" || unit == "days")
    mult = kDay;
  if (mult == 0) return std::nullopt;
  return n * mult;
}

std::optional<int64_t> ParseByteSize(std::string_view text) {
  text = Trim(text);
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0 || i > 20) return std::nullopt;
  char* end = nullptr;
  std::string number(text.substr(0, i));
  double n = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(n)) return std::nullopt;
  std::string unit = ToLower(Trim(text.substr(i)));
  double mult = 0;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "kb")
    mult = 1024;
  else if (unit == "mb")
    mult = kMB;
  else if (unit == "gb")
    mult = kMB * 1024;
  else if (unit == "tb")
    mult = kMB * 1024 * 1024;
  if (mult == 0 || n * mult > 9e18) return std::nullopt;
  return static_cast<int64_t>(n * mult);
}

std::optional<double> ParseRateBytesPerSecond(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::optional<int64_t> bytes = ParseByteSize(text.substr(0, slash));
  std::string per = ToLower(Trim(text.substr(slash + 1)));
  double seconds = 0;
  if (per == "s")
    seconds = 1;
  else if (per == "min")
    seconds = 60;
  else if (per == "h")
    seconds = 3600;
  else if (per == "d" || per == "day")
    seconds = kDay;
  if (!bytes || seconds == 0) return std::nullopt;
  return static_cast<double>(*bytes) / seconds;
}

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} B", bytes);
  if (bytes < 10) return fmt::format("{:.1f} {}", bytes, kUnits[u]);
  return fmt::format("{:.0f} {}", bytes, kUnits[u]);
}

std::string FormatDuration(int64_t s) {
  if (s < 120) return std::to_string(s) + " s";
  if (s < 2 * 3600) return fmt::format("{:.0f} min", s / 60.0);
  if (s < 2 * kDay) return fmt::format("{:.1f} h", s / 3600.0);
  return fmt::format("{:.1f} d", s / 86400.0);
}

}  // namespace dbarch::ops
