// Health checks of a live PostgreSQL server (`dbarch health`): connections, long queries and
// transactions, lock queues, wraparound age, replication slots and lag, WAL archiving,
// autovacuum debt, table bloat, cache hit ratio, sequence exhaustion, invalid / duplicate /
// unused indexes, tables without a primary key, sequential-scan-heavy tables, checkpoints,
// temporary files, statistics resets and disk usage. Each check measures one value per object
// (the cluster, a database, a table, a session...) and compares it with a warning and a
// critical threshold; a measurement at or beyond a threshold is a finding.
//
// The checks only read: pg_stat_* views, pg_catalog and size functions, in whatever session
// the caller opened (dbarch opens read-only sessions with statement and lock timeouts).
// Cluster-wide views (pg_stat_activity, pg_database, replication) cover every database;
// per-relation checks cover the database the session is connected to, as check_postgres's
// actions do. A check that cannot run (a missing privilege, a standby without a view) is
// reported as unknown with the server's message, never as healthy.
//
// Thread-safety: RunHealthChecks uses its connection exclusively while it runs; the check
// table (AllHealthChecks) is immutable.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

// Ordered as Nagios exit codes: a plugin exits with the worst severity.
enum class Severity { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };
std::string_view SeverityName(Severity severity);  // "ok", "warning", "critical", "unknown"

// Whether a larger value is worse (ages, counts, percentages used) or a smaller one (cache
// hit ratio, days until a volume is full).
enum class Direction { kHigherIsWorse, kLowerIsWorse };

struct Thresholds {
  double warning = 0;
  double critical = 0;
  bool operator==(const Thresholds&) const = default;
};

// The fixed description of one check.
struct HealthCheckInfo {
  std::string_view name;     // stable id, snake_case: "sequences", "idle_in_transaction"
  std::string_view summary;  // one line for --help and reports
  std::string_view unit;     // of the value: "%", "s", "bytes", "ratio", "count", "days"
  Direction direction = Direction::kHigherIsWorse;
  Thresholds defaults;
};

// Every check, in report order.
const std::vector<HealthCheckInfo>& AllHealthChecks();
// The check named `name`, or null.
const HealthCheckInfo* FindHealthCheck(std::string_view name);

// The severity of `value` under `t` in direction `d` (a value equal to a threshold counts).
Severity Classify(double value, const Thresholds& t, Direction d);

// One measured value of one object.
struct Measurement {
  std::string object;   // "cluster", "database app", "table public.orders", "pid 4242"
  double value = 0;
  Severity severity = Severity::kOk;
  std::string message;  // what was measured, in words, with the object's context
};

struct HealthCheckResult {
  const HealthCheckInfo* info = nullptr;
  Thresholds thresholds;                  // the ones applied (defaults or overridden)
  std::vector<Measurement> measurements;  // worst first; objects at kOk may be omitted
  std::string error;                      // non-empty: the check could not run (kUnknown)
  std::string note;                       // why nothing was measured, when that is expected
  Severity severity() const;              // worst measurement; kUnknown when error is set
};

// Sizes recorded by one run, so that the next can compute growth (`--since FILE`).
struct SizeSnapshot {
  int64_t taken_at_unix_s = 0;
  std::map<std::string, int64_t> database_bytes;  // by database name
  std::map<std::string, int64_t> relation_bytes;  // by "schema.table" (total, with indexes)
};

struct HealthReport {
  std::string server;         // host:port/database, never a password
  std::string server_version;  // "15.14"
  std::string database;
  std::vector<HealthCheckResult> checks;  // in AllHealthChecks() order
  SizeSnapshot sizes;  // measured by the disk_usage check (empty when it did not run)
  Severity severity() const;              // worst check
  // Number of checks (not measurements) per severity.
  std::map<Severity, int> CountBySeverity() const;
};

struct HealthOptions {
  // Checks to run, by name; empty runs all. Unknown names are kInvalidArgument.
  std::vector<std::string> only;
  // Threshold overrides by check name.
  std::map<std::string, Thresholds> thresholds;
  // Size of the volume holding the data directory, in bytes; enables the days-until-full
  // forecast of the disk_usage check (with `previous`). 0: not known.
  int64_t volume_bytes = 0;
  // Sizes from an earlier run (ReadSizeSnapshot), for growth since then.
  std::optional<SizeSnapshot> previous;
  // Per-object checks report at most this many objects at kOk (the worst first); objects at
  // warning or critical are always reported.
  int max_ok_objects = 5;
};

// Runs the selected checks on `conn`. Failures: kInvalidArgument (unknown check name),
// kConnection (the connection broke). A check the server refuses is recorded as that check's
// error, and the others still run.
Result<HealthReport> RunHealthChecks(pg::Connection& conn, const HealthOptions& options);

// A report's `sizes` as JSON, to save for a later run's `previous`.
std::string SizeSnapshotToJson(const SizeSnapshot& snapshot);
// Parses SizeSnapshotToJson's output; kParseError naming what is wrong.
Result<SizeSnapshot> SizeSnapshotFromJson(std::string_view json);

}  // namespace dbarch::ops
