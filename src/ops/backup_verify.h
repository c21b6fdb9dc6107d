// `dbarch backup verify`: proves a backup plan by doing it. On a sandbox cluster (sandbox/)
// it configures WAL archiving to a pgBackRest repository inside the sandbox's private
// directory, takes a full backup, writes rows, records a target (time or LSN), writes more
// rows (including an accidental DELETE and a new table), takes an incremental backup, runs
// `pgbackrest check` and `pgbackrest verify`, restores to the target into a fresh data
// directory with `pgbackrest restore`, starts that cluster until it is promoted, and compares
// every table with its state at the target (row count and an order-independent checksum).
// It measures the backup, restore and recovery times, the throughput and compression, and
// how long a switched WAL segment takes to reach the repository (the achieved RPO).
//
// Also the live check of `backup verify --dsn` (CheckLiveBackups): read-only, archiving
// state from pg_stat_archiver and, when a stanza is given, backup freshness from
// `pgbackrest info`.
//
// Every process started here runs as the sandbox's OS user (postgres when dbarch is root).
// Everything is cleaned up on every path: the restored server is stopped before the sandbox,
// and the sandbox's directory (repository, spool, logs, restored data) is deleted with it.
// Thread-safety: call from a thread that outlives the call (servers get their parent-death
// signal from it); independent calls may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "sandbox/sandbox.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

struct BackupVerifyOptions {
  sandbox::SandboxOptions sandbox;
  std::string pgbackrest = "/usr/bin/pgbackrest";
  int64_t rows = 100000;    // rows per table in the initial load (>= 100)
  bool target_lsn = false;  // recover to an LSN instead of a time
  std::string compress_type = "zst";
  int process_max = 2;
  int command_timeout_s = 1800;  // per pgBackRest command and for recovery
};

struct VerifyStep {
  std::string name;  // "full backup", "restore", ...
  bool ok = false;
  int64_t elapsed_ms = 0;
  std::string detail;  // what it did or measured; the error when !ok
};

struct TableCheck {
  std::string table;
  int64_t rows_at_target = 0;
  int64_t rows_at_end = 0;         // in the source after the later writes
  int64_t restored_rows = -1;      // -1: not compared (restore failed)
  std::string checksum_at_target;  // md5 over the rows' md5s, sorted
  std::string restored_checksum;
  bool matches = false;
};

struct BackupVerifyResult {
  bool passed = false;
  std::string failure;  // the first failed step and its error; empty when passed
  std::string pgbackrest_version;
  int server_version_num = 0;
  std::string pgbackrest_conf;  // as used (paths inside the sandbox)
  std::string work_dir;         // the sandbox's directory; deleted when the call returns
  std::vector<VerifyStep> steps;
  std::vector<TableCheck> tables;
  std::string target_kind;  // "time" or "lsn"
  std::string target;       // the recovery target given to pgBackRest
  std::string target_time, target_lsn;
  bool later_table_absent = false;  // a table created after the target is not restored
  int64_t database_bytes = 0;       // the verified database at the full backup
  int64_t full_backup_ms = 0;
  int64_t full_backup_bytes = 0;       // cluster bytes pgBackRest backed up
  int64_t full_backup_repo_bytes = 0;  // bytes in the repository (compressed)
  int64_t incr_backup_ms = 0;
  int64_t incr_backup_repo_bytes = 0;
  int64_t restore_ms = 0;        // `pgbackrest restore`
  int64_t recovery_ms = 0;       // server start until promoted (WAL fetched and replayed)
  int64_t archive_push_ms = -1;  // a switched segment until pg_stat_archiver lists it
  double backup_bytes_per_s = 0;
  double restore_bytes_per_s = 0;
  double compression_ratio = 0;
  int64_t rows_lost = 0;  // rows of the target state missing or different in the restore
};

using ProgressFn = std::function<void(const std::string&)>;

// Runs the whole proof. A failed step is a result with passed == false and `failure` set
// (the steps before it keep their figures); an error Status only when nothing could be
// started: kNotFound (no pgbackrest, no postgres OS user), kInvalidArgument (rows < 100),
// or the sandbox's own start errors.
Result<BackupVerifyResult> VerifyBackupRestore(const BackupVerifyOptions& options, const ProgressFn& progress);

struct LiveCheckOptions {
  std::string stanza;  // empty: archiving only
  std::string config;  // pgbackrest.conf; empty: pgBackRest's default
  std::string pgbackrest = "/usr/bin/pgbackrest";
  int64_t max_backup_age_s = 2 * 86400;  // older newest backup: a problem
};

struct LiveCheckResult {
  std::string archive_mode;
  std::string archive_command;
  int64_t archived_count = 0;
  int64_t failed_count = 0;
  bool archive_failing = false;
  int64_t last_archived_age_s = -1;  // -1: never archived
  bool stanza_checked = false;
  std::string newest_backup_label;
  std::string newest_backup_type;
  int64_t newest_backup_age_s = -1;  // -1: no backup
  int backups = 0;
  std::vector<std::string> problems;  // each one a reason for exit 1
  std::vector<std::string> notes;
  bool ok() const { return problems.empty(); }
};

// Read-only: pg_stat_archiver and the archive settings of `conn`'s server, and with a
// stanza `pgbackrest info` (run as the server's OS user when dbarch is root). Errors:
// kConnection/kInvalidArgument from the server; a failing `pgbackrest info` is a problem in
// the result, not an error.
Result<LiveCheckResult> CheckLiveBackups(pg::Connection& conn, const LiveCheckOptions& options);

}  // namespace dbarch::ops
