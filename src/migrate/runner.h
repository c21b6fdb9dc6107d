// Runner: applies a migration folder (migration_files.h) to a live database, once and only
// once, recording every run in a Flyway-style history table (dbarch_schema_history).
// It reads the history and the folder into a Snapshot (state of every version, problems
// such as an edited applied file), plans up / down steps from it, and applies them:
//   - under a session-level advisory lock (pg_advisory_lock on a key derived from the
//     history table name), so two runners started at once apply each file exactly once;
//   - each file in its own transaction together with its history row, so a runner killed
//     midway leaves nothing of the file behind;
//   - a file that cannot run in a transaction (PreparedScript::transactional false) one
//     statement at a time: its history row is written first with success = false, each
//     ordinary statement commits together with the row's statements_applied count, and a
//     later run resumes after the last statement recorded.
// Used by the cli (`dbarch migrate`). The Runner borrows the connection (read-write, owned
// by the caller) and the folder; neither may change while it runs. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "migrate/migration_files.h"
#include "migrate/version.h"
#include "pg/connection.h"

namespace dbarch::migrate {

// The history table's default name (created in the first schema of the search path).
inline constexpr const char* kDefaultHistoryTable = "dbarch_schema_history";

// One row of the history table.
struct HistoryRow {
  int64_t installed_rank = 0;
  std::optional<std::string> version;  // NULL for repeatables
  std::string description;
  std::string type;  // "SQL", "UNDO_SQL" or "BASELINE"
  std::string script;
  std::optional<std::string> checksum;
  std::string installed_by;
  std::string installed_on;  // as the server prints a timestamp
  int64_t execution_time_ms = 0;
  bool success = false;
  int64_t statements_applied = 0;  // progress of a file run statement by statement
};

// Something that stops `up` (and makes `validate` fail): an edited or missing applied file,
// a pending version older than the latest applied one, an interrupted run.
struct Problem {
  // "checksum-mismatch" | "missing-file" | "out-of-order" | "interrupted"; the cli's
  // `validate` adds "unset-variable" (a pending file refers to a psql variable not given)
  std::string kind;
  std::string script;   // file name
  std::string path;     // file path, empty when the file is missing
  std::string message;  // lower-case, names the file
};

// The state of one version or repeatable for `status`.
struct Entry {
  std::string version;  // "" for repeatables
  std::string description;
  std::string type;  // "versioned" | "repeatable" | "baseline"
  std::string script;
  // "applied" | "pending" | "baseline" | "below-baseline" | "missing" | "changed" |
  // "out-of-order" | "interrupted" | "outdated" (a repeatable whose file changed)
  std::string state;
  std::string installed_on;  // empty when not applied
  bool has_undo = false;
};

struct Snapshot {
  bool table_exists = false;
  std::vector<HistoryRow> history;  // by installed_rank
  std::vector<Entry> entries;       // versions ascending, then repeatables
  std::vector<Problem> problems;    // in entry order
  std::optional<Version> current;   // the latest applied version, if any
  std::optional<Version> baseline;  // the baseline version, if any
};

// One file to run.
struct Step {
  enum class Action { kApply, kUndo, kReapply };
  Action action = Action::kApply;
  const MigrationScript* script = nullptr;  // borrowed from the MigrationDir
  std::optional<Version> version;           // the migration's version (nullopt: repeatable)
  // A statement-by-statement run interrupted earlier: the history row to continue and the
  // number of statements already applied; 0 / 0 for a fresh run.
  int64_t resume_rank = 0;
  int64_t resume_from = 0;
};

struct RunnerOptions {
  std::string history_table = kDefaultHistoryTable;  // [schema.]name
  bool out_of_order = false;  // apply pending versions older than the latest applied one
  // Session settings restored after each file (a file's own SET lasts until its end).
  int statement_timeout_ms = 0;
  int lock_timeout_ms = 0;
  // psql variables every file starts with (as `psql -v NAME=VALUE`). A file that refers to
  // one not given fails before it runs; server messages show a value as its reference.
  ScriptVariables variables;
  // Receives "applying V2__add_orders.sql" style progress lines (may be empty).
  std::function<void(const std::string&)> on_progress;
};

class Runner {
 public:
  // Borrows `conn` and `dir`; both must outlive the Runner. Checks the table name:
  // kInvalidArgument unless it is [schema.]name with plain lower-case identifiers.
  static Result<Runner> Create(pg::Connection& conn, const MigrationDir& dir,
                               RunnerOptions options);

  // Takes the session-level advisory lock, waiting as long as another runner holds it (no
  // timeout applies to this wait). Unlock() releases it; the server releases it too when
  // the session ends.
  Status Lock();
  Status Unlock();

  // Reads the history (if the table exists) and compares it with the folder. Touches
  // nothing.
  Result<Snapshot> Inspect();

  // The steps `up` would run: an interrupted forward run first, then pending versions up to
  // and including `target` (all when nullopt), then new or changed repeatables. Problems
  // in `snap` (except out-of-order ones with options.out_of_order) are kInvalidArgument
  // naming the first file.
  Result<std::vector<Step>> PlanUp(const Snapshot& snap, const std::optional<Version>& target);

  // The steps `down` would run, newest first: every applied version above `to`, or the
  // `steps` newest applied versions when `to` is nullopt. Versions at or below the baseline
  // are never undone. kInvalidArgument when one has no undo script, or on a problem.
  Result<std::vector<Step>> PlanDown(const Snapshot& snap, const std::optional<Version>& to,
                                     int steps);

  // Runs the steps in order, creating the history table first if needed. Stops at the first
  // failure: a statement's error carries the span of the statement in its file (the
  // server's error position when it gives one) and names the file; kConnection when the
  // session is lost. Everything before the failing file stays applied.
  Status Apply(const std::vector<Step>& steps);

  // Records `version` as the baseline of an existing database: versions at or below it are
  // taken as applied and never run. kInvalidArgument when the history already has rows.
  Status Baseline(const Version& version, const std::string& description);

  // Flyway's repair: deletes the rows of failed or interrupted runs and realigns the
  // recorded checksum and description of applied files with the folder. Returns what it
  // did, one line per change (empty when there was nothing to repair).
  Result<std::vector<std::string>> Repair();

  // The advisory lock key for a history table name.
  static int64_t LockKey(const std::string& history_table);

 private:
  Runner(pg::Connection& conn, const MigrationDir& dir, RunnerOptions options)
      : conn_(&conn), dir_(&dir), options_(std::move(options)) {}

  Status EnsureTable();
  Status ApplyOne(const Step& step);
  Status RestoreSession();
  // Before re-running an interrupted CREATE INDEX CONCURRENTLY: drops `index_sql` when it
  // exists and is INVALID (a build killed midway) and returns false (build it again); true
  // when it exists and is valid (the build finished but was not recorded).
  Result<bool> ResumeIndexBuild(const std::string& index_sql);
  void Progress(const std::string& line) const;

  pg::Connection* conn_;
  const MigrationDir* dir_;
  RunnerOptions options_;
  std::string table_sql_;  // the quoted table name for SQL
};

}  // namespace dbarch::migrate
