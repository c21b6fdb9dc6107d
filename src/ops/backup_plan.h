// The backup and point-in-time-recovery plan of `dbarch backup plan`: from recovery
// objectives (RPO, RTO, retention, repository) and facts about the server (database size,
// WAL rate, archive settings: read from a live server or given), a pgBackRest configuration,
// the postgresql.conf archive settings, a cron schedule of full / differential / incremental
// backups, the expected backup and restore durations, the repository size, the monitoring of
// archive failures and a restore runbook; and for each objective whether the plan meets it.
//
// pgBackRest does the backups; dbarch only plans and (backup_verify.h) proves them. The plan
// is a pure function of its inputs (MakeBackupPlan); ReadBackupFacts is the only part that
// talks to a server, read-only. Rendering is in report/backup_report.h.
// Thread-safety: no shared state; all functions are safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

// How fast backups, restores and WAL replay run, and how well pgBackRest compresses. Each
// value says where it comes from ("assumed", "given", "measured by backup verify").
struct Throughput {
  double backup_bytes_per_s = 0;   // database bytes read per second by `pgbackrest backup`
  double restore_bytes_per_s = 0;  // database bytes written per second by `pgbackrest restore`
  double replay_bytes_per_s = 0;   // WAL bytes replayed per second during recovery
  double compression_ratio = 0;    // repository bytes / database bytes (0..1]
  std::string source;              // one line: where these figures come from
};

// Defaults used when nothing was measured or given (docs/backup.md says why these).
Throughput AssumedThroughput(int process_max);

struct BackupObjectives {
  int64_t rpo_s = 300;       // data loss allowed, seconds; 0 means none
  int64_t rto_s = 4 * 3600;  // time allowed to restore and recover, seconds
  int retention_full = 2;    // full backups kept (pgBackRest repo1-retention-full)
  std::string stanza = "main";
  std::string repo_path = "/var/lib/pgbackrest";
  std::string spool_path = "/var/spool/pgbackrest";
  std::string compress_type = "zst";
  int process_max = 2;
  int full_backup_hour = 1;  // local hour of the scheduled backups
  Throughput throughput;     // all zero: AssumedThroughput(process_max)
};

// What the plan needs to know about the server.
struct BackupFacts {
  std::string source;          // "server host:port/db" or "given"
  int server_version_num = 0;  // 0 when unknown
  bool in_recovery = false;    // a standby: the WAL rate is its primary's
  int64_t database_bytes = 0;  // all databases
  double wal_bytes_per_s = 0;  // average WAL generation
  std::string wal_rate_basis;  // how the rate was obtained
  int64_t wal_segment_bytes = 16 * 1024 * 1024;
  std::string data_directory;  // empty when the session may not read it
  int port = 5432;
  std::string socket_dir;  // first unix_socket_directories entry, empty if none
  // Current settings ("" when unknown).
  std::string wal_level, archive_mode, archive_command, archive_timeout;
  // pg_stat_archiver.
  int64_t archived_count = 0;
  int64_t failed_count = 0;
  bool archive_failing = false;  // the last attempt failed
};

// Reads the facts from a live server (read-only). The WAL rate comes from pg_stat_wal when
// its statistics span at least an hour, else from two readings of the WAL position
// `sample_s` seconds apart (the session sleeps meanwhile); with sample_s > 0 the sample is
// always taken. Failures: kConnection when the session breaks, kInvalidArgument on a server
// error.
Result<BackupFacts> ReadBackupFacts(pg::Connection& conn, int sample_s);

struct PlannedSetting {
  std::string name;
  std::string current;  // "" when unknown
  std::string recommended;
  std::string reason;
  bool restart = false;  // a server restart is needed for the change
  bool changes = false;  // recommended differs from current
};

struct CronEntry {
  std::string schedule;  // the five cron time fields
  std::string user;      // the user field of /etc/cron.d files
  std::string command;
  std::string comment;
};

// One objective and whether the plan meets it.
struct ObjectiveCheck {
  std::string objective;  // "RPO", "RTO", "backup window", "retention"
  std::string target;     // as asked
  std::string expected;   // what the plan achieves
  bool met = false;
  std::string how;  // how it is met, or why it cannot be
};

struct RunbookStep {
  std::string title;
  std::string command;  // shell command; empty for a step without one
};

struct BackupEstimates {
  int64_t full_backup_s = 0;             // database bytes / backup throughput
  int64_t incremental_backup_s = 0;      // changed bytes between two backups / backup throughput
  int64_t restore_s = 0;                 // database bytes / restore throughput
  int64_t replay_s = 0;                  // worst-case WAL since the last backup / replay throughput
  int64_t recovery_s = 0;                // restore_s + replay_s: the worst-case RTO
  int64_t full_backup_bytes = 0;         // in the repository (compressed)
  int64_t changed_bytes_per_backup = 0;  // upper bound: WAL volume between two backups
  int64_t wal_archive_bytes_per_day = 0;  // compressed
  int64_t repository_bytes = 0;           // everything retained
  int64_t rpo_bound_s = 0;                // worst-case data loss with these settings
  double wal_segments_per_hour = 0;       // natural segment switches
};

struct BackupPlan {
  BackupObjectives objectives;
  BackupFacts facts;
  Throughput throughput;        // the figures the estimates use
  int backup_interval_h = 24;   // time between two backups of any type
  std::string pgbackrest_conf;  // the file's text
  std::vector<PlannedSetting> settings;
  std::vector<CronEntry> schedule;
  BackupEstimates estimates;
  std::vector<ObjectiveCheck> checks;
  std::vector<std::string> monitoring;  // what to watch and how
  std::vector<RunbookStep> full_restore;
  std::vector<RunbookStep> pitr_restore;
  std::vector<std::string> notes;
  bool MeetsObjectives() const;
};

// Requires: facts.database_bytes >= 0, objectives.rto_s > 0, retention_full >= 1.
BackupPlan MakeBackupPlan(const BackupFacts& facts, const BackupObjectives& objectives);

// What a pgbackrest.conf for `stanza` contains; shared by the plan and by `backup verify`,
// so the verified configuration has the plan's shape.
struct PgbackrestConfInput {
  std::string stanza = "main";
  std::string repo_path;
  std::string spool_path;
  std::string log_path;   // empty: pgBackRest's default
  std::string lock_path;  // empty: pgBackRest's default
  int retention_full = 2;
  std::string compress_type = "zst";
  int process_max = 2;
  bool archive_async = true;
  std::string pg_path;
  int pg_port = 5432;
  std::string pg_socket_path;  // empty: pgBackRest's default
};
std::string RenderPgbackrestConf(const PgbackrestConfInput& input);

// The archive_command that pushes WAL to the stanza's repository.
std::string ArchiveCommand(const std::string& stanza, const std::string& config_path);

// "30s", "5min", "5m", "2h", "1d", "90" (seconds): seconds. nullopt for anything else.
std::optional<int64_t> ParseDurationSeconds(std::string_view text);
// "200GB", "1.5TB", "512MB", "100kB", "42" (bytes): bytes (1024-based, as PostgreSQL).
std::optional<int64_t> ParseByteSize(std::string_view text);
// "20GB/day", "5MB/s", "300MB/h", "1GB/min": bytes per second. nullopt for anything else.
std::optional<double> ParseRateBytesPerSecond(std::string_view text);
// "1.2 GB", "512 MB", "3 kB", "0 B".
std::string FormatBytes(double bytes);
// "45 s", "12 min", "3.5 h", "2.0 d".
std::string FormatDuration(int64_t seconds);

}  // namespace dbarch::ops
