#include "ops/health.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "ops/health_checks.h"
#include "pg/connection.h"

namespace dbarch::ops {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kOk:
      return "ok";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
    case Severity::kUnknown:
      return "unknown";
  }
  return "unknown";
}

// Defaults follow the operational consensus of check_postgres, pghero and postgres_exporter's
// sample alert rules where they agree, and the PostgreSQL documentation's limits where the
// value has a hard end (wraparound at 2^31 transactions, a sequence's maximum). docs/health.md
// lists each with its reason.
const std::vector<HealthCheckInfo>& AllHealthChecks() {
  static const std::vector<HealthCheckInfo> kChecks = {
      {"connections",
       "client connections in use, of those max_connections leaves to users",
       "%",
       Direction::kHigherIsWorse,
       {80, 95}},
      {"long_queries", "statements running for long", "s", Direction::kHigherIsWorse, {300, 1800}},
      {"long_transactions",
       "transactions open for long (they hold back VACUUM)",
       "s",
       Direction::kHigherIsWorse,
       {900, 3600}},
      {"idle_in_transaction",
       "sessions idle inside an open transaction",
       "s",
       Direction::kHigherIsWorse,
       {60, 600}},
      {"prepared_transactions",
       "prepared (two-phase) transactions left open: they hold locks and the xmin horizon",
       "s",
       Direction::kHigherIsWorse,
       {300, 3600}},
      {"lock_waits",
       "sessions waiting for a lock, and the sessions blocking them",
       "s",
       Direction::kHigherIsWorse,
       {10, 60}},
      {"xid_wraparound",
       "transaction ID age towards wraparound (2^31), per database and table",
       "%",
       Direction::kHigherIsWorse,
       {50, 75}},
      {"multixact_wraparound",
       "multixact ID age towards wraparound (2^31), per database",
       "%",
       Direction::kHigherIsWorse,
       {50, 75}},
      {"replication_slots",
       "WAL retained by replication slots; inactive slots",
       "bytes",
       Direction::kHigherIsWorse,
       {1073741824.0, 10737418240.0}},
      {"replication_lag",
       "replay lag of standbys (or of this standby)",
       "s",
       Direction::kHigherIsWorse,
       {60, 600}},
      {"archiving",
       "WAL archiving failures (pg_stat_archiver)",
       "count",
       Direction::kHigherIsWorse,
       {1, 1}},
      {"autovacuum_debt",
       "dead tuples against the point where autovacuum should have cleaned the table",
       "ratio",
       Direction::kHigherIsWorse,
       {2, 10}},
      {"table_bloat",
       "estimated wasted space in tables (from pg_stats widths)",
       "%",
       Direction::kHigherIsWorse,
       {50, 80}},
      {"cache_hit_ratio",
       "shared buffer hit ratio per database",
       "%",
       Direction::kLowerIsWorse,
       {95, 90}},
      {"sequences",
       "share of a sequence's range used (or of its column's type, if smaller)",
       "%",
       Direction::kHigherIsWorse,
       {85, 95}},
      {"invalid_indexes",
       "indexes left invalid by a failed CREATE INDEX CONCURRENTLY",
       "count",
       Direction::kHigherIsWorse,
       {1, 1}},
      {"duplicate_indexes",
       "indexes with the same definition as another, or a prefix of one",
       "bytes",
       Direction::kHigherIsWorse,
       {0, 1e18}},
      {"unused_indexes",
       "indexes never scanned since statistics were reset",
       "bytes",
       Direction::kHigherIsWorse,
       {1048576, 1e18}},
      {"missing_primary_key",
       "tables without a primary key",
       "count",
       Direction::kHigherIsWorse,
       {0, 1e18}},
      {"seq_scans",
       "large tables read mostly by sequential scans",
       "%",
       Direction::kHigherIsWorse,
       {50, 1e18}},
      {"checkpoints",
       "checkpoints requested (WAL volume) rather than timed",
       "%",
       Direction::kHigherIsWorse,
       {30, 70}},
      {"temp_files",
       "temporary file volume per day since statistics were reset",
       "bytes",
       Direction::kHigherIsWorse,
       {1073741824.0, 10737418240.0}},
      {"disk_usage",
       "database sizes, growth since the previous snapshot, days until full",
       "days",
       Direction::kLowerIsWorse,
       {30, 7}},
  };
  return kChecks;
}

const HealthCheckInfo* FindHealthCheck(std::string_view name) {
  for (const HealthCheckInfo& c : AllHealthChecks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Severity Classify(double value, const Thresholds& t, Direction d) {
  if (d == Direction::kHigherIsWorse) {
    if (value >= t.critical) return Severity::kCritical;
    if (value >= t.warning) return Severity::kWarning;
    return Severity::kOk;
  }
  if (value <= t.critical) return Severity::kCritical;
  if (value <= t.warning) return Severity::kWarning;
  return Severity::kOk;
}

Severity HealthCheckResult::severity() const {
  if (!error.empty()) return Severity::kUnknown;
  Severity worst = Severity::kOk;
  for (const Measurement& m : measurements) worst = std::max(worst, m.severity);
  return worst;
}

Severity HealthReport::severity() const {
  Severity worst = Severity::kOk;
  for (const HealthCheckResult& c : checks) worst = std::max(worst, c.severity());
  return worst;
}

std::map<Severity, int> HealthReport::CountBySeverity() const {
  std::map<Severity, int> out = {{Severity::kOk, 0},
                                 {Severity::kWarning, 0},
                                 {Severity::kCritical, 0},
                                 {Severity::kUnknown, 0}};
  for (const HealthCheckResult& c : checks) ++out[c.severity()];
  return out;
}

Result<HealthReport> RunHealthChecks(pg::Connection& conn, const HealthOptions& options) {
  for (const std::string& name : options.only) {
    if (FindHealthCheck(name) == nullptr) {
      return Status::InvalidArgument("unknown health check \"" + name + "\"");
    }
  }
  for (const auto& [name, t] : options.thresholds) {
    if (FindHealthCheck(name) == nullptr) {
      return Status::InvalidArgument("threshold for unknown health check \"" + name + "\"");
    }
  }
  HealthReport report;
  report.server = conn.DisplayName();
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult info,
                          conn.Exec("SELECT current_setting('server_version'), current_database()"));
  report.server_version = std::string(info.Get(0, 0));
  report.database = std::string(info.Get(0, 1));

  for (const HealthCheckInfo& check : AllHealthChecks()) {
    if (!options.only.empty() &&
        std::find(options.only.begin(), options.only.end(), check.name) == options.only.end()) {
      continue;
    }
    HealthCheckResult result;
    result.info = &check;
    auto t = options.thresholds.find(std::string(check.name));
    result.thresholds = t != options.thresholds.end() ? t->second : check.defaults;
    CheckContext ctx{conn, options, result, report};
    Status st = RunCheck(check.name, ctx);
    if (!st.ok()) {
      if (st.code() == StatusCode::kConnection) return st;
      result.measurements.clear();
      result.error = st.message();
    }
    // Worst first; among equals, the larger deviation first, then by object for stable output.
    bool lower = check.direction == Direction::kLowerIsWorse;
    std::stable_sort(result.measurements.begin(), result.measurements.end(),
                     [lower](const Measurement& a, const Measurement& b) {
                       if (a.severity != b.severity) return a.severity > b.severity;
                       if (a.value != b.value) return lower ? a.value < b.value : a.value > b.value;
                       return a.object < b.object;
                     });
    // Keep every finding, and only the worst few healthy objects.
    int ok_kept = 0;
    std::vector<Measurement> kept;
    for (Measurement& m : result.measurements) {
      if (m.severity == Severity::kOk && ok_kept++ >= options.max_ok_objects) continue;
      kept.push_back(std::move(m));
    }
    result.measurements = std::move(kept);
    report.checks.push_back(std::move(result));
  }
  return report;
}

std::string SizeSnapshotToJson(const SizeSnapshot& snapshot) {
  nlohmann::ordered_json j;
  j["taken_at_unix_s"] = snapshot.taken_at_unix_s;
  j["database_bytes"] = snapshot.database_bytes;
  j["relation_bytes"] = snapshot.relation_bytes;
  return j.dump(2) + "\n";
}

Result<SizeSnapshot> SizeSnapshotFromJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::ParseError("not a dbarch size snapshot (expected a JSON object)");
  }
  SizeSnapshot out;
  auto num = j.find("taken_at_unix_s");
  if (num == j.end() || !num->is_number_integer()) {
    return Status::ParseError("size snapshot without an integer \"taken_at_unix_s\"");
  }
  out.taken_at_unix_s = num->get<int64_t>();
  for (const char* key : {"database_bytes", "relation_bytes"}) {
    auto m = j.find(key);
    if (m == j.end()) continue;
    if (!m->is_object()) return Status::ParseError(std::string("\"") + key + "\" is not an object");
    auto& target = std::string_view(key) == "database_bytes" ? out.database_bytes
                                                              : out.relation_bytes;
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (!it.value().is_number_integer()) {
        return Status::ParseError(std::string("\"") + key + "\": value of \"" + it.key() +
                                  "\" is not an integer");
      }
      target[it.key()] = it.value().get<int64_t>();
    }
  }
  return out;
}

}  // namespace dbarch::ops
