#include "ops/alert_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace dbarch::ops {
namespace {

// Thresholds at or beyond this are "never critical" (AllHealthChecks uses 1e18).
constexpr double kUnbounded = 1e17;  // and -1e18 for checks where lower is worse

// One check's rule text. `expr` holds "{cmp}" where the comparison with the threshold goes
// (">= 80", or "<= 95" for checks where lower is worse).
struct Spec {
  std::string_view check;
  std::string_view alert;
  bool exporter;  // false: over dbarch_health_value from the textfile collector
  std::string_view expr;
  std::string_view for_duration;
  std::string_view summary;
  std::string_view description;
  std::string_view runbook;
};

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> kSpecs = {
      {"connections", "PostgresConnections", true,
       "100 * sum without (datname, state) (pg_stat_activity_count) / "
       "(pg_settings_max_connections - pg_settings_superuser_reserved_connections) {cmp}",
       "5m",
       "{{ $labels.server }}: {{ $value | printf \"%.0f\" }} % of the connections left to users "
       "are in use",
       "Sessions counted by postgres_exporter's pg_stat_activity_count (every session attached "
       "to a database, autovacuum workers included) against max_connections - "
       "superuser_reserved_connections. dbarch health counts client backends only, so this "
       "may read a little higher.",
       "See who holds the connections: SELECT usename, application_name, client_addr, state, "
       "count(*) FROM pg_stat_activity GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC. Many idle "
       "sessions of one application mean a client pool larger than needed; put a pooler "
       "(PgBouncer in transaction mode) in front rather than raising max_connections, since "
       "every connection costs memory and may use work_mem per sort. Past 95 % new sessions "
       "fail with \"too many clients already\"."},
      {"long_transactions", "PostgresLongTransactions", true,
       "max without (state) (pg_stat_activity_max_tx_duration) {cmp}", "1m",
       "{{ $labels.server }} database {{ $labels.datname }}: a transaction has been open for "
       "{{ $value | humanizeDuration }}",
       "The age of the oldest open transaction per database (postgres_exporter's "
       "pg_stat_activity_max_tx_duration, now() - xact_start), as dbarch health measures it.",
       "Find it: SELECT pid, usename, application_name, state, now() - xact_start AS age, "
       "query FROM pg_stat_activity WHERE xact_start IS NOT NULL ORDER BY xact_start LIMIT 5. "
       "An open transaction holds back VACUUM's horizon on every table of the cluster, so dead "
       "rows pile up everywhere while it lives. Ask its owner to finish it; if it has to go, "
       "SELECT pg_cancel_backend(pid) stops its statement, pg_terminate_backend(pid) the "
       "session (its work is rolled back)."},
      {"idle_in_transaction", "PostgresIdleInTransaction", true,
       "pg_stat_activity_max_tx_duration{state=~\"idle in transaction.*\"} {cmp}", "1m",
       "{{ $labels.server }} database {{ $labels.datname }}: a session {{ $labels.state }} "
       "with a transaction open for {{ $value | humanizeDuration }}",
       "postgres_exporter reports the age of the transaction (now() - xact_start) of sessions "
       "in that state, which is at least the time they have been idle; dbarch health measures "
       "the idle time itself (now() - state_change), so this alert may fire earlier.",
       "SELECT pid, usename, application_name, client_addr, now() - state_change AS idle, "
       "query FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'. The session keeps "
       "its locks and the xmin horizon while doing nothing: usually an application that did "
       "not commit, or a client stopped in a debugger or a notebook. End it with SELECT "
       "pg_terminate_backend(pid); prevent it with idle_in_transaction_session_timeout (per "
       "role: ALTER ROLE app SET idle_in_transaction_session_timeout = '5min')."},
      {"replication_slots", "PostgresReplicationSlotRetainedWal", true,
       "pg_replication_slots_pg_wal_lsn_diff {cmp}", "5m",
       "{{ $labels.server }}: replication slot {{ $labels.slot_name }} retains "
       "{{ $value | humanize1024 }}B of WAL",
       "WAL the slot keeps (postgres_exporter's pg_replication_slots_pg_wal_lsn_diff: the "
       "current WAL position minus the slot's restart_lsn). dbarch health also reports a slot "
       "whose WAL is already lost (wal_status = lost) as critical, which the exporter does not "
       "show.",
       "SELECT slot_name, slot_type, active, wal_status, pg_size_pretty(pg_wal_lsn_diff("
       "pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots. A slot keeps every WAL "
       "segment its consumer has not confirmed, until pg_wal fills the disk and the server "
       "stops. If the consumer (a standby, a logical subscriber, a CDC tool) is gone for good, "
       "SELECT pg_drop_replication_slot('name'); otherwise bring it back. "
       "max_slot_wal_keep_size bounds the damage."},
      {"replication_lag", "PostgresReplicationLag", true, "pg_replication_lag {cmp}", "1m",
       "{{ $labels.server }}: the standby's last replayed transaction is "
       "{{ $value | humanizeDuration }} old",
       "Seconds since the last transaction replayed on a standby (pg_replication_lag, from the "
       "queries.yaml example Debian installs at "
       "/usr/share/doc/prometheus-postgres-exporter/examples/queries.yaml: run the exporter "
       "with --extend.query-path pointing to it; 0 on a primary). On a standby of an idle "
       "primary this grows although nothing is behind. dbarch health on a primary also reads "
       "each standby's replay_lag from pg_stat_replication.",
       "On the standby: SELECT now() - pg_last_xact_replay_timestamp(), "
       "pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(); on the primary: SELECT "
       "application_name, state, write_lag, flush_lag, replay_lag FROM pg_stat_replication. "
       "Receiving behind points at the network or the primary; replaying behind at the "
       "standby's I/O or at queries conflicting with replay (max_standby_streaming_delay). A "
       "lagging standby serves old data and loses more on failover."},
      {"archiving", "PostgresArchivingFailing", true,
       "increase(pg_stat_archiver_failed_count[15m]) {cmp} and "
       "increase(pg_stat_archiver_archived_count[15m]) == 0",
       "0m",
       "{{ $labels.server }}: archive_command failed {{ $value | printf \"%.0f\" }} times in "
       "15 minutes without a success",
       "Failures of archive_command in the last 15 minutes with no successful archive in "
       "between (pg_stat_archiver_failed_count and archived_count); dbarch health counts the "
       "failures since the last success, whenever that was.",
       "SELECT last_failed_wal, last_failed_time, last_archived_wal, last_archived_time FROM "
       "pg_stat_archiver; the server log has archive_command's error. Until it works again WAL "
       "accumulates in pg_wal (a full disk stops the server) and point-in-time recovery has a "
       "gap from the last archived segment. Fix the command or its destination (space, "
       "credentials, network); never delete files from pg_wal by hand."},
      {"autovacuum_debt", "PostgresAutovacuumBehind", true,
       "pg_stat_user_tables_n_dead_tup / (pg_stat_user_tables_n_live_tup * ignoring (datname, "
       "schemaname, relname) group_left pg_settings_autovacuum_vacuum_scale_factor + ignoring "
       "(datname, schemaname, relname) group_left pg_settings_autovacuum_vacuum_threshold) {cmp}",
       "15m",
       "{{ $labels.server }} table {{ $labels.datname }}.{{ $labels.schemaname }}."
       "{{ $labels.relname }}: {{ $value | printf \"%.1f\" }} times the dead tuples that should "
       "trigger autovacuum",
       "Dead tuples over the point where autovacuum should vacuum the table "
       "(autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x n_live_tup, with the "
       "server-wide settings). dbarch health honours per-table reloptions, uses reltuples, and "
       "warns past 1 when autovacuum is off for the table. Needs pg_stat_user_tables from the "
       "queries.yaml example Debian installs (--extend.query-path), and covers the databases "
       "the exporter connects to.",
       "SELECT relname, n_dead_tup, n_live_tup, last_autovacuum, last_vacuum FROM "
       "pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10. Check that autovacuum is on "
       "(SHOW autovacuum; the table's reloptions), whether a long transaction or an abandoned "
       "replication slot holds the horizon back (their alerts), and pg_stat_progress_vacuum "
       "for a vacuum already running. VACUUM (VERBOSE) the table now; for a table that keeps "
       "outrunning autovacuum lower its autovacuum_vacuum_scale_factor."},
      {"cache_hit_ratio", "PostgresCacheHitRatio", true,
       "100 * pg_stat_database_blks_hit / (pg_stat_database_blks_hit + "
       "pg_stat_database_blks_read) {cmp} and (pg_stat_database_blks_hit + "
       "pg_stat_database_blks_read) >= 100000",
       "30m",
       "{{ $labels.server }} database {{ $labels.datname }}: {{ $value | printf \"%.1f\" }} % "
       "of block reads found in shared buffers",
       "Shared-buffer hits over all block accesses since statistics were reset, for databases "
       "with at least 100,000 accesses, as dbarch health computes it.",
       "Reads that miss shared_buffers go to the OS cache or the disk. Compare shared_buffers "
       "with the working set (dbarch tune), and look for large tables read by sequential scans "
       "(dbarch health's seq_scans check, dbarch advise for indexes). Right after a restart the "
       "ratio is low until the cache warms."},
      {"checkpoints", "PostgresCheckpointsRequested", true,
       "100 * pg_stat_bgwriter_checkpoints_req_total / (pg_stat_bgwriter_checkpoints_req_total "
       "+ pg_stat_bgwriter_checkpoints_timed_total) {cmp} and "
       "(pg_stat_bgwriter_checkpoints_req_total + pg_stat_bgwriter_checkpoints_timed_total) >= 10",
       "30m",
       "{{ $labels.server }}: {{ $value | printf \"%.0f\" }} % of checkpoints were forced by "
       "WAL volume",
       "Checkpoints requested (by WAL volume reaching max_wal_size, or by hand) against those "
       "started by checkpoint_timeout, since statistics were reset, once there are at least "
       "10, as dbarch health computes it.",
       "Forced checkpoints come more often than checkpoint_timeout and write more full-page "
       "images to WAL. Raise max_wal_size (dbarch tune --dsn doubles it when this is measured) "
       "so that most checkpoints are timed; with log_checkpoints = on the log says \"checkpoints "
       "are occurring too frequently\"."},
      {"temp_files", "PostgresTempFiles", true, "increase(pg_stat_database_temp_bytes[1d]) {cmp}",
       "1h",
       "{{ $labels.server }} database {{ $labels.datname }}: {{ $value | humanize1024 }}B "
       "written to temporary files in 24 hours",
       "Bytes written to temporary files in the last 24 hours per database "
       "(pg_stat_database_temp_bytes); dbarch health divides the total since statistics were "
       "reset by the days it covers.",
       "Sorts and hashes that do not fit work_mem spill to disk. Find the queries: "
       "pg_stat_statements ORDER BY temp_blks_written DESC, or log_temp_files = 0 in the log. "
       "Raise work_mem for those roles or sessions rather than globally (dbarch tune weighs it "
       "against memory), or add an index that makes the sort unnecessary."},
      {"stats_reset", "PostgresStatsRecentlyReset", true,
       "(time() - pg_stat_database_stats_reset) / 86400 {cmp}", "0m",
       "{{ $labels.server }} database {{ $labels.datname }}: statistics were reset "
       "{{ $value | printf \"%.1f\" }} days ago",
       "Days since the database's statistics were reset (pg_stat_database_stats_reset; a "
       "database never reset has none, as in dbarch health).",
       "Usage counters (idx_scan, seq_scan, blocks hit and read, temporary files) restarted at "
       "the reset: judgements built on them, such as unused indexes, need days to weeks of "
       "statistics again. SELECT datname, stats_reset FROM pg_stat_database; find who ran "
       "pg_stat_reset() or whether the server crashed (a crash discards the statistics), and "
       "wait before dropping indexes that look unused."},
      // Checks without a default postgres_exporter metric: dbarch's own textfile metrics.
      {"long_queries", "PostgresLongQueries", false, "", "",
       "{{ $labels.object }}: a statement has run for {{ $value | humanizeDuration }}", "",
       "SELECT pid, usename, now() - query_start AS runtime, wait_event_type, query FROM "
       "pg_stat_activity WHERE state = 'active' ORDER BY query_start LIMIT 5. EXPLAIN the "
       "statement (dbarch advise for indexes); cancel it with SELECT pg_cancel_backend(pid). "
       "statement_timeout per role keeps runaway queries bounded."},
      {"prepared_transactions", "PostgresPreparedTransactions", false, "", "",
       "{{ $labels.object }}: a prepared transaction has been open for "
       "{{ $value | humanizeDuration }}",
       "",
       "SELECT gid, prepared, owner, database FROM pg_prepared_xacts ORDER BY prepared. A "
       "prepared transaction survives restarts and holds its locks and the xmin horizon until "
       "its transaction manager commits or rolls it back; if that manager is gone, decide with "
       "its owner and run COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid'."},
      {"lock_waits", "PostgresLockWaits", false, "", "",
       "{{ $labels.object }}: waiting for a lock for {{ $value | humanizeDuration }}", "",
       "SELECT pid, pg_blocking_pids(pid), now() - query_start, query FROM "
       "pg_stat_activity WHERE wait_event_type = 'Lock'. dbarch health --check lock_waits names "
       "the blockers and what they run. A queue behind an ACCESS EXCLUSIVE request (ALTER "
       "TABLE, a migration) stops every later query on the table: cancel the request or the "
       "blocker, and run DDL with a short lock_timeout."},
      {"xid_wraparound", "PostgresXidWraparound", false, "", "",
       "{{ $labels.object }}: transaction ID age at {{ $value | printf \"%.0f\" }} % of the "
       "wraparound limit",
       "",
       "SELECT datname, age(datfrozenxid) FROM pg_database ORDER BY 2 DESC; in the "
       "database: SELECT oid::regclass, age(relfrozenxid) FROM pg_class WHERE relkind IN ('r', "
       "'m', 't') ORDER BY 2 DESC LIMIT 10. Freeze the oldest tables with VACUUM (FREEZE, "
       "VERBOSE) and find what stops autovacuum from doing it (long transactions, prepared "
       "transactions, abandoned slots, autovacuum off). Near 100 % the server refuses new "
       "transactions."},
      {"multixact_wraparound", "PostgresMultixactWraparound", false, "", "",
       "{{ $labels.object }}: multixact ID age at {{ $value | printf \"%.0f\" }} % of the "
       "wraparound limit",
       "",
       "SELECT datname, mxid_age(datminmxid) FROM pg_database ORDER BY 2 DESC. Row locks "
       "shared by several transactions (foreign keys, SELECT ... FOR SHARE) consume multixacts; "
       "VACUUM (FREEZE) the oldest tables (mxid_age(relminmxid) in pg_class) and check what "
       "blocks autovacuum, as for transaction ID wraparound."},
      {"table_bloat", "PostgresTableBloat", false, "", "",
       "{{ $labels.object }}: an estimated {{ $value | printf \"%.0f\" }} % of the table is "
       "wasted space",
       "",
       "An estimate from pg_stats widths: confirm with the pgstattuple extension (SELECT * "
       "FROM pgstattuple('table')). Plain VACUUM makes the space reusable but does not shrink "
       "the file; pg_repack or VACUUM FULL (an ACCESS EXCLUSIVE lock for the whole rewrite) "
       "give it back. Then find why it bloated (autovacuum_debt, long transactions)."},
      {"sequences", "PostgresSequenceExhaustion", false, "", "",
       "{{ $labels.object }}: {{ $value | printf \"%.1f\" }} % of the range used", "",
       "SELECT schemaname, sequencename, last_value, max_value, data_type FROM "
       "pg_sequences. When the sequence (or the integer column it feeds) runs out, every "
       "INSERT fails. Move the column to bigint (ALTER TABLE ... ALTER COLUMN id TYPE bigint "
       "rewrites the table: plan it, or migrate through a new column) and ALTER SEQUENCE ... AS "
       "bigint MAXVALUE 9223372036854775807."},
      {"invalid_indexes", "PostgresInvalidIndexes", false, "", "",
       "{{ $labels.object }}: invalid index", "",
       "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid. A failed CREATE "
       "INDEX CONCURRENTLY leaves an index the planner never uses but every write maintains. "
       "DROP INDEX CONCURRENTLY it and build it again (REINDEX INDEX CONCURRENTLY also works)."},
      {"duplicate_indexes", "PostgresDuplicateIndexes", false, "", "",
       "{{ $labels.object }}: duplicate index, {{ $value | humanize1024 }}B", "",
       "dbarch health --check duplicate_indexes names the index it duplicates. Both are "
       "maintained on every write and take cache; drop the redundant one with DROP INDEX "
       "CONCURRENTLY after checking that no constraint and no query hint depends on its name."},
      {"unused_indexes", "PostgresUnusedIndexes", false, "", "",
       "{{ $labels.object }}: never scanned, {{ $value | humanize1024 }}B", "",
       "SELECT indexrelid::regclass, idx_scan, pg_size_pretty(pg_relation_size(indexrelid)) "
       "FROM pg_stat_user_indexes WHERE idx_scan = 0. Check the standbys (their scans are not "
       "counted here) and monthly jobs before dropping it with DROP INDEX CONCURRENTLY; keep "
       "the definition to recreate it."},
      {"missing_primary_key", "PostgresMissingPrimaryKey", false, "", "",
       "{{ $labels.object }}: no primary key", "",
       "Logical replication cannot replicate UPDATE and DELETE of a table without a primary "
       "key (or a replica identity), and duplicates creep in. dbarch health names a unique "
       "index on NOT NULL columns that could become it: ALTER TABLE ... ADD PRIMARY KEY USING "
       "INDEX name."},
      {"seq_scans", "PostgresSeqScans", false, "", "",
       "{{ $labels.object }}: {{ $value | printf \"%.0f\" }} % of its scans are sequential", "",
       "A large table read mostly by sequential scans usually misses an index. Find the "
       "queries (pg_stat_statements, or dbarch workload on the logs) and run dbarch advise on "
       "them."},
      {"disk_usage", "PostgresDiskFull", false, "", "",
       "{{ $labels.object }}: the volume is full in {{ $value | printf \"%.0f\" }} days at the "
       "current growth",
       "",
       "dbarch health --since SNAPSHOT --volume-size SIZE forecasts from the growth between "
       "two runs. Find what grows (the largest tables and indexes in its report, WAL kept by "
       "slots or failing archiving), then add space or remove data before the forecast."},
  };
  return kSpecs;
}

std::string Number(double v) { return fmt::format("{}", v); }

std::string UnitWords(std::string_view unit) {
  if (unit == "s") return "seconds";
  if (unit == "%") return "%";
  return std::string(unit);
}

}  // namespace

AlertRules BuildAlertRules(const std::map<std::string, Thresholds>& overrides) {
  AlertRules out;
  AlertRuleGroup exporter{"dbarch-health-postgres-exporter", {}};
  AlertRuleGroup textfile{"dbarch-health-textfile", {}};
  for (const Spec& spec : Specs()) {
    const HealthCheckInfo* info = FindHealthCheck(spec.check);
    if (info == nullptr) continue;
    Thresholds t = info->defaults;
    if (auto it = overrides.find(std::string(spec.check)); it != overrides.end()) t = it->second;
    const bool lower_worse = info->direction == Direction::kLowerIsWorse;
    const std::string op = lower_worse ? "<=" : ">=";
    std::string expr_template(spec.expr);
    std::string description(spec.description);
    if (!spec.exporter) {
      expr_template = fmt::format("dbarch_health_value{{check=\"{}\"}} {{cmp}}", spec.check);
      description = fmt::format(
          "{} ({}), measured by dbarch health: the metric dbarch_health_value that `dbarch "
          "health --format prometheus` writes for node_exporter's textfile collector. "
          "postgres_exporter 0.11 has no default metric for it.",
          info->summary, UnitWords(info->unit));
    }
    auto add = [&](const char* severity, double threshold) {
      AlertRule r;
      r.alert = std::string(spec.alert);
      r.check = std::string(spec.check);
      r.severity = severity;
      std::string expr = expr_template;
      expr.replace(expr.find("{cmp}"), 5, op + " " + Number(threshold));
      r.expr = std::move(expr);
      r.for_duration = std::string(spec.for_duration);
      r.summary = std::string(spec.summary);
      r.description = fmt::format("{} Threshold: {} {} {} ({}).", description, op,
                                  Number(threshold), UnitWords(info->unit), severity);
      r.runbook = std::string(spec.runbook);
      (spec.exporter ? exporter : textfile).rules.push_back(std::move(r));
    };
    // Equal thresholds: the finding is critical at once. No critical threshold: warning only.
    const bool has_critical = lower_worse ? t.critical > -kUnbounded : t.critical < kUnbounded;
    if (t.warning != t.critical) add("warning", t.warning);
    if (has_critical) add("critical", t.critical);
  }
  // An inactive slot is at least a warning in dbarch health, whatever it retains.
  AlertRule inactive;
  inactive.alert = "PostgresReplicationSlotInactive";
  inactive.check = "replication_slots";
  inactive.severity = "warning";
  inactive.expr = "pg_replication_slots_active == 0";
  inactive.for_duration = "5m";
  inactive.summary = "{{ $labels.server }}: replication slot {{ $labels.slot_name }} is inactive";
  inactive.description =
      "No consumer is connected to the slot (pg_replication_slots_active = 0), so it retains "
      "WAL from its restart_lsn on; dbarch health reports every inactive slot as at least a "
      "warning.";
  for (const AlertRule& r : exporter.rules) {
    if (r.check == "replication_slots") inactive.runbook = r.runbook;
  }
  auto pos = std::find_if(exporter.rules.begin(), exporter.rules.end(),
                          [](const AlertRule& r) { return r.check == "replication_lag"; });
  exporter.rules.insert(pos, std::move(inactive));
  AlertRule unknown;
  unknown.alert = "DbarchHealthCheckUnknown";
  unknown.check = "dbarch_health";
  unknown.severity = "warning";
  unknown.expr = "dbarch_health_status == 3";
  unknown.for_duration = "";
  unknown.summary = "dbarch health could not run the check {{ $labels.check }}";
  unknown.description =
      "The server refused the check's query (a missing privilege such as pg_monitor, a view a "
      "standby does not have): dbarch reports it as unknown, never as healthy.";
  unknown.runbook =
      "Run dbarch health --check NAME by hand to see the server's message; grant pg_monitor "
      "to the role the textfile job uses.";
  textfile.rules.push_back(std::move(unknown));
  out.groups.push_back(std::move(exporter));
  out.groups.push_back(std::move(textfile));
  return out;
}

}  // namespace dbarch::ops
