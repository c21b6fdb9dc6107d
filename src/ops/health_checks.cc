#include "ops/health_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pg/connection.h"

namespace dbarch::ops {

Measurement& CheckContext::Add(std::string object, double value, std::string message) {
  Measurement m;
  m.object = std::move(object);
  m.value = value;
  m.severity = Classify(value, result.thresholds, result.info->direction);
  m.message = std::move(message);
  result.measurements.push_back(std::move(m));
  return result.measurements.back();
}

std::string FormatSeconds(double seconds) {
  if (seconds < 10) return fmt::format("{:.1f} s", seconds);
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{} h {} min", s / 3600, (s % 3600) / 60);
  return fmt::format("{} d {} h", s / 86400, (s % 86400) / 3600);
}

std::string FormatSize(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (std::fabs(bytes) >= 10240 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} bytes", bytes);
  return fmt::format("{:.0f} {}", bytes, units[u]);
}

namespace {

constexpr double kWraparoundLimit = 2147483648.0;  // 2^31: transam.h's wraparound horizon

// Schemas whose objects are the system's, never the user's.
constexpr const char* kUserSchemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
    "AND n.nspname NOT LIKE 'pg_temp_%'";

double Num(const pg::QueryResult& r, int row, int col) {
  if (r.IsNull(row, col)) return 0;
  std::string text(r.Get(row, col));
  return std::strtod(text.c_str(), nullptr);
}

std::string Str(const pg::QueryResult& r, int row, int col) {
  return r.IsNull(row, col) ? std::string() : std::string(r.Get(row, col));
}

// A session's identity for messages: "pid 4242 (alice@app, psql)".
std::string Session(const pg::QueryResult& r, int row, int pid_col) {
  std::string user = Str(r, row, pid_col + 1);
  std::string db = Str(r, row, pid_col + 2);
  std::string app = Str(r, row, pid_col + 3);
  std::string who = user + "@" + db;
  if (!app.empty()) who += ", " + app;
  return "pid " + Str(r, row, pid_col) + " (" + who + ")";
}

// Size functions take an ACCESS SHARE lock on the relation, so they would queue behind a
// session holding ACCESS EXCLUSIVE (a running ALTER TABLE, LOCK TABLE), or behind one waiting
// for it, since a queued ACCESS EXCLUSIVE request makes every later request wait too: the
// checks leave such relations out instead of joining the queue (lock_timeout bounds the
// remaining race).
std::string NotLocked(const char* oid) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'relation' AND "
                     "l.relation = ") +
         oid + " AND l.mode = 'AccessExclusiveLock')";
}

// Columns: pid, usename, datname, application_name, age_s, query
constexpr const char* kActivityColumns =
    "pid, coalesce(usename, ''), coalesce(datname, ''), coalesce(application_name, ''), ";
constexpr const char* kQueryText = "left(regexp_replace(query, '\\s+', ' ', 'g'), 120)";

Status Connections(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT (SELECT count(*) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend'), "
                    "current_setting('max_connections')::int - "
                    "current_setting('superuser_reserved_connections')::int"));
  double used = Num(r, 0, 0);
  double usable = std::max(1.0, Num(r, 0, 1));
  ctx.Add("cluster", 100.0 * used / usable,
          fmt::format("{:.0f} of the {:.0f} connections open to non-superusers are in use", used,
                      usable));
  return Status::OK();
}

// Sessions whose `age_expr` (seconds) is measured, filtered by `where`.
Status SessionAges(CheckContext& ctx, const std::string& age_expr, const std::string& where,
                   const char* what) {
  std::string sql = std::string("SELECT ") + kActivityColumns + "extract(epoch FROM " + age_expr +
                    ")::float8, " + kQueryText +
                    " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> "
                    "pg_backend_pid() AND " +
                    where;
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    double age = Num(r, i, 4);
    ctx.Add(Session(r, i, 0), age,
            fmt::format("{} for {}: {}", what, FormatSeconds(age), Str(r, i, 5)));
  }
  return Status::OK();
}

Status LongQueries(CheckContext& ctx) {
  return SessionAges(ctx, "clock_timestamp() - query_start",
                     "state = 'active' AND query_start IS NOT NULL", "running");
}

Status LongTransactions(CheckContext& ctx) {
  return SessionAges(ctx, "clock_timestamp() - xact_start", "xact_start IS NOT NULL",
                     "transaction open");
}

Status IdleInTransaction(CheckContext& ctx) {
  return SessionAges(ctx, "clock_timestamp() - state_change",
                     "state IN ('idle in transaction', 'idle in transaction (aborted)') "
                     "AND state_change IS NOT NULL",
                     "idle in transaction; last statement");
}

Status PreparedTransactions(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT gid, extract(epoch FROM now() - prepared)::float8, owner, database, "
                    "current_setting('max_prepared_transactions') FROM pg_prepared_xacts"));
  for (int i = 0; i < r.rows(); ++i) {
    double age = Num(r, i, 1);
    ctx.Add("transaction " + Str(r, i, 0), age,
            fmt::format("prepared {} ago by {} in database {}; until COMMIT PREPARED or ROLLBACK "
                        "PREPARED it keeps its locks and holds back VACUUM everywhere",
                        FormatSeconds(age), Str(r, i, 2), Str(r, i, 3)));
  }
  return Status::OK();
}

Status LockWaits(CheckContext& ctx) {
  std::string sql =
      std::string("SELECT ") + kActivityColumns +
      "extract(epoch FROM clock_timestamp() - coalesce(query_start, state_change))::float8, " +
      kQueryText +
      ", (SELECT string_agg('pid ' || b.pid || ' (' || coalesce(b.state, '?') || ': ' || "
      "left(regexp_replace(b.query, '\\s+', ' ', 'g'), 60) || ')', ', ' ORDER BY b.pid) "
      "FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))), "
      "coalesce(wait_event, '') "
      "FROM pg_stat_activity a WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    double age = Num(r, i, 4);
    std::string blockers = Str(r, i, 6);
    ctx.Add(Session(r, i, 0), age,
            fmt::format("waiting {} for a {} lock: {}; blocked by {}", FormatSeconds(age),
                        Str(r, i, 7), Str(r, i, 5), blockers.empty() ? "?" : blockers));
  }
  return Status::OK();
}

Status XidWraparound(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult db,
      ctx.conn.Exec("SELECT datname, age(datfrozenxid)::float8, "
                    "current_setting('autovacuum_freeze_max_age')::float8 FROM pg_database"));
  for (int i = 0; i < db.rows(); ++i) {
    double age = Num(db, i, 1);
    ctx.Add("database " + Str(db, i, 0), 100.0 * age / kWraparoundLimit,
            fmt::format("oldest unfrozen transaction ID is {:.0f} transactions old ({:.1f} % of "
                        "the 2^31 limit; autovacuum forces a freeze at {:.0f})",
                        age, 100.0 * age / kWraparoundLimit, Num(db, i, 2)));
  }
  std::string sql = std::string(
                        "SELECT n.nspname || '.' || c.relname, age(c.relfrozenxid)::float8 "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> '0' AND ") +
                    kUserSchemas + " ORDER BY 2 DESC LIMIT 10";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult t, ctx.conn.Exec(sql));
  for (int i = 0; i < t.rows(); ++i) {
    double age = Num(t, i, 1);
    ctx.Add("table " + Str(t, i, 0), 100.0 * age / kWraparoundLimit,
            fmt::format("relfrozenxid is {:.0f} transactions old ({:.1f} % of the limit)", age,
                        100.0 * age / kWraparoundLimit));
  }
  return Status::OK();
}

Status MultixactWraparound(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult db,
                          ctx.conn.Exec("SELECT datname, mxid_age(datminmxid)::float8 "
                                        "FROM pg_database"));
  for (int i = 0; i < db.rows(); ++i) {
    double age = Num(db, i, 1);
    ctx.Add("database " + Str(db, i, 0), 100.0 * age / kWraparoundLimit,
            fmt::format("oldest multixact ID is {:.0f} multixacts old ({:.1f} % of the limit)",
                        age, 100.0 * age / kWraparoundLimit));
  }
  return Status::OK();
}

Status ReplicationSlots(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT slot_name, slot_type, active, coalesce(wal_status, ''), "
                    "pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN "
                    "pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, "
                    "restart_lsn)::float8 FROM pg_replication_slots ORDER BY slot_name"));
  if (r.rows() == 0) ctx.result.note = "no replication slots";
  for (int i = 0; i < r.rows(); ++i) {
    double retained = Num(r, i, 4);
    bool active = r.GetBool(i, 2);
    std::string wal_status = Str(r, i, 3);
    Measurement& m = ctx.Add(
        "slot " + Str(r, i, 0), retained,
        fmt::format("{} slot, {}, retains {} of WAL{}", Str(r, i, 1),
                    active ? "active" : "inactive (no consumer connected)", FormatSize(retained),
                    wal_status.empty() ? "" : " (wal_status " + wal_status + ")"));
    // An inactive slot holds WAL back without bound until someone drops or uses it.
    if (!active && m.severity < Severity::kWarning) m.severity = Severity::kWarning;
    if (wal_status == "lost") m.severity = Severity::kCritical;
  }
  return Status::OK();
}

Status ReplicationLag(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT coalesce(application_name, ''), coalesce(client_addr::text, "
                    "'local'), coalesce(extract(epoch FROM replay_lag), 0)::float8, "
                    "coalesce(state, ''), pg_is_in_recovery(), "
                    "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), "
                    "-1)::float8 FROM pg_stat_replication RIGHT JOIN (SELECT 1) one ON true"));
  bool standby = r.rows() > 0 && r.GetBool(0, 4);
  int standbys = 0;
  for (int i = 0; i < r.rows(); ++i) {
    if (r.IsNull(i, 3) || Str(r, i, 3).empty()) continue;  // the RIGHT JOIN's empty row
    ++standbys;
    double lag = Num(r, i, 2);
    ctx.Add("standby " + Str(r, i, 0) + " at " + Str(r, i, 1), lag,
            fmt::format("replay lag {} ({})", FormatSeconds(lag), Str(r, i, 3)));
  }
  if (standby) {
    double lag = Num(r, 0, 5);
    if (lag >= 0) {
      ctx.Add("this standby", lag,
              fmt::format("last replayed transaction committed {} ago", FormatSeconds(lag)));
    }
  }
  if (standbys == 0 && !standby) ctx.result.note = "no standbys connected; not a standby";
  return Status::OK();
}

Status Archiving(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT current_setting('archive_mode'), archived_count, failed_count, "
                    "coalesce(last_failed_wal, ''), coalesce(last_failed_time::text, ''), "
                    "(last_failed_time IS NOT NULL AND (last_archived_time IS NULL OR "
                    "last_failed_time > last_archived_time)) FROM pg_stat_archiver"));
  if (Str(r, 0, 0) == "off") {
    ctx.result.note = "archive_mode is off: no WAL archive, so no point-in-time recovery";
    return Status::OK();
  }
  bool failing = r.GetBool(0, 5);
  double failed = Num(r, 0, 2);
  if (failing) {
    ctx.Add("cluster", std::max(1.0, failed),
            fmt::format("archive_command is failing: {:.0f} failures, the last for WAL file {} "
                        "at {}; WAL accumulates in pg_wal until it succeeds",
                        failed, Str(r, 0, 3), Str(r, 0, 4)));
  } else {
    ctx.Add("cluster", 0,
            fmt::format("{} WAL files archived, no failure since the last success", Str(r, 0, 1)));
  }
  return Status::OK();
}

Status AutovacuumDebt(CheckContext& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || c.relname, s.n_dead_tup::float8, "
          "greatest(c.reltuples, 0)::float8, "
          "coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) "
          "WHERE option_name = 'autovacuum_enabled'), 'on'), "
          "coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) "
          "WHERE option_name = 'autovacuum_vacuum_threshold')::float8, "
          "current_setting('autovacuum_vacuum_threshold')::float8), "
          "coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) "
          "WHERE option_name = 'autovacuum_vacuum_scale_factor')::float8, "
          "current_setting('autovacuum_vacuum_scale_factor')::float8), "
          "current_setting('autovacuum'), "
          "coalesce(extract(epoch FROM now() - greatest(s.last_autovacuum, s.last_vacuum)), "
          "-1)::float8 "
          "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE s.n_dead_tup > 0 AND ") +
      kUserSchemas;
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    double dead = Num(r, i, 1);
    double live = Num(r, i, 2);
    // autovacuum.c: a table is vacuumed once dead tuples exceed
    // threshold + scale_factor * reltuples.
    double trigger = Num(r, i, 4) + Num(r, i, 5) * live;
    double ratio = dead / std::max(1.0, trigger);
    std::string enabled = Str(r, i, 3);
    bool table_off = enabled == "false" || enabled == "off" || enabled == "0" || enabled == "no";
    bool global_off = Str(r, i, 6) == "off";
    double since = Num(r, i, 7);
    std::string message =
        fmt::format("{:.0f} dead tuples, {:.1f}x the {:.0f} at which autovacuum vacuums it "
                    "({:.0f} live rows); last vacuumed {}",
                    dead, ratio, trigger, live, since < 0 ? "never" : FormatSeconds(since) + " ago");
    if (table_off) message += "; autovacuum is disabled on this table (autovacuum_enabled)";
    if (global_off) message += "; autovacuum is off for the whole server";
    Measurement& m = ctx.Add("table " + Str(r, i, 0), ratio, message);
    // With autovacuum off nothing will ever clean the table: past its trigger is a finding.
    if ((table_off || global_off) && ratio >= 1 && m.severity < Severity::kWarning) {
      m.severity = Severity::kWarning;
    }
  }
  return Status::OK();
}

Status TableBloat(CheckContext& ctx) {
  // Expected size from the planner's statistics: each row takes a 24-byte header (23 bytes,
  // MAXALIGNed), its columns' average widths (pg_stats.avg_width, MAXALIGNed) and a 4-byte
  // line pointer; a page holds block_size - 24 bytes of them, times fillfactor. The same
  // idea as check_postgres's bloat action and pgexperts' estimate; an estimate, labelled so.
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || c.relname, c.relpages::float8, c.reltuples::float8, "
          "(SELECT sum(st.avg_width) FROM pg_stats st WHERE st.schemaname = n.nspname AND "
          "st.tablename = c.relname AND NOT st.inherited)::float8, "
          "(SELECT count(*) FROM pg_stats st WHERE st.schemaname = n.nspname AND "
          "st.tablename = c.relname AND NOT st.inherited), "
          "(SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
          "AND NOT a.attisdropped), "
          "coalesce((SELECT option_value FROM pg_options_to_table(c.reloptions) "
          "WHERE option_name = 'fillfactor')::float8, 100), "
          "current_setting('block_size')::float8 "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'm') AND c.relpages >= 128 AND c.reltuples > 0 AND ") +
      kUserSchemas;
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  int skipped = 0;
  for (int i = 0; i < r.rows(); ++i) {
    if (Num(r, i, 4) < Num(r, i, 5)) {  // a column without statistics: no estimate
      ++skipped;
      continue;
    }
    double pages = Num(r, i, 1);
    double rows = Num(r, i, 2);
    double width = std::ceil(Num(r, i, 3) / 8) * 8;
    double block = Num(r, i, 7);
    double per_page = (block - 24) * Num(r, i, 6) / 100.0 / (24 + width + 4);
    double expected = std::ceil(rows / std::max(1.0, std::floor(per_page)));
    double wasted_pages = std::max(0.0, pages - expected);
    double pct = 100.0 * wasted_pages / pages;
    // Small absolute waste is noise whatever its share.
    if (wasted_pages * block < 8.0 * 1048576) pct = std::min(pct, 0.0);
    ctx.Add("table " + Str(r, i, 0), pct,
            fmt::format("estimated {:.0f} % wasted: {} of {} (expected {} for {:.0f} rows)", pct,
                        FormatSize(wasted_pages * block), FormatSize(pages * block),
                        FormatSize(expected * block), rows));
  }
  if (r.rows() == 0) ctx.result.note = "no analysed table of 1 MB or more";
  if (skipped > 0 && r.rows() == skipped) {
    ctx.result.note = fmt::format("{} tables of 1 MB or more lack column statistics (ANALYZE)",
                                  skipped);
  }
  return Status::OK();
}

Status CacheHitRatio(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT datname, blks_hit::float8, blks_read::float8 FROM pg_stat_database "
                    "WHERE datname IS NOT NULL ORDER BY datname"));
  // Below this many block accesses the ratio says more about a cold start than the cache.
  constexpr double kMinAccesses = 100000;
  int measured = 0;
  for (int i = 0; i < r.rows(); ++i) {
    double hit = Num(r, i, 1);
    double read = Num(r, i, 2);
    if (hit + read < kMinAccesses) continue;
    ++measured;
    double pct = 100.0 * hit / (hit + read);
    ctx.Add("database " + Str(r, i, 0), pct,
            fmt::format("{:.2f} % of {:.0f} block accesses found in shared_buffers", pct,
                        hit + read));
  }
  if (measured == 0) {
    ctx.result.note = "no database has 100,000 block accesses since statistics were reset";
  }
  return Status::OK();
}

Status Sequences(CheckContext& ctx) {
  // A sequence can run out before its own maximum when it feeds a narrower column (a bigint
  // sequence behind an integer key): the column's type bounds it. The columns come from
  // pg_depend: ownership (serial, identity) and defaults that call nextval().
  std::string sql = std::string(R"(
WITH seqcols AS (
  SELECT d.objid AS seq, a.atttypid AS typ, d.refobjid AS rel, a.attname AS col
  FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
  UNION
  SELECT d.refobjid, a.atttypid, ad.adrelid, a.attname
  FROM pg_depend d JOIN pg_attrdef ad ON ad.oid = d.objid
  JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  WHERE d.classid = 'pg_attrdef'::regclass AND d.refclassid = 'pg_class'::regclass
), bounds AS (
  SELECT seq, min(CASE typ WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype
                  THEN 2147483647 ELSE 9223372036854775807 END)::numeric AS col_max,
         string_agg(rel::regclass || '.' || quote_ident(col) || ' ' || format_type(typ, NULL),
                    ', ' ORDER BY rel::regclass::text, col) AS cols
  FROM seqcols GROUP BY seq
)
SELECT n.nspname || '.' || c.relname, s.last_value::numeric, s.min_value::numeric,
       s.max_value::numeric, s.increment_by::numeric, s.cycle, b.col_max, coalesce(b.cols, ''),
       CASE WHEN s.increment_by > 0 THEN
         (s.last_value - s.min_value)::numeric /
           nullif(least(s.max_value::numeric, coalesce(b.col_max, s.max_value)) - s.min_value, 0)
       ELSE
         (s.max_value - s.last_value)::numeric /
           nullif(s.max_value - greatest(s.min_value::numeric,
                                         -coalesce(b.col_max, -s.min_value::numeric) - 1), 0)
       END * 100
FROM pg_sequences s
JOIN pg_namespace n ON n.nspname = s.schemaname
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
LEFT JOIN bounds b ON b.seq = c.oid
WHERE s.last_value IS NOT NULL AND )") + kUserSchemas;
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    double pct = Num(r, i, 8);
    std::string cols = Str(r, i, 7);
    bool column_bound = !r.IsNull(i, 6) && Num(r, i, 6) < Num(r, i, 3);
    std::string message = fmt::format("{:.1f} % used: last value {} of {}", pct, Str(r, i, 1),
                                      column_bound ? Str(r, i, 6) + " (the column type's maximum)"
                                                   : Str(r, i, 3));
    if (!cols.empty()) message += "; feeds " + cols;
    if (r.GetBool(i, 5)) message += "; CYCLE: it wraps around instead of failing";
    ctx.Add("sequence " + Str(r, i, 0), pct, message);
  }
  return Status::OK();
}

Status InvalidIndexes(CheckContext& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || ci.relname, nt.nspname || '.' || ct.relname, "
          "ci.relkind = 'I', EXISTS (SELECT 1 FROM pg_stat_progress_create_index p "
          "WHERE p.index_relid = i.indexrelid), pg_relation_size(i.indexrelid)::float8 "
          "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
          "JOIN pg_namespace n ON n.oid = ci.relnamespace "
          "JOIN pg_class ct ON ct.oid = i.indrelid "
          "JOIN pg_namespace nt ON nt.oid = ct.relnamespace WHERE NOT i.indisvalid AND ") +
      kUserSchemas + " AND " + NotLocked("i.indexrelid");
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string object = "index " + Str(r, i, 0);
    if (r.GetBool(i, 3)) {
      ctx.Add(object, 0, "being built (CREATE INDEX CONCURRENTLY in progress)");
      continue;
    }
    if (r.GetBool(i, 2)) {
      Measurement& m = ctx.Add(
          object, 1,
          fmt::format("partitioned index on {} is invalid: not every partition has its index "
                      "attached (ALTER INDEX ... ATTACH PARTITION)",
                      Str(r, i, 1)));
      m.severity = std::min(m.severity, Severity::kWarning);
      continue;
    }
    ctx.Add(object, 1,
            fmt::format("invalid index on {} ({}): the planner never uses it but every write "
                        "maintains it; DROP INDEX CONCURRENTLY and build it again",
                        Str(r, i, 1), FormatSize(Num(r, i, 4))));
  }
  return Status::OK();
}

struct IndexRow {
  std::string name, table, am, keys, include, classes, collations, options, exprs, pred;
  bool unique = false;
  bool constraint = false;
  double bytes = 0;
};

// Splits an int2vector/oidvector text ("1 2 3") into its items.
std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() < b.size() && std::equal(a.begin(), a.end(), b.begin());
}

Status DuplicateIndexes(CheckContext& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || ci.relname, nt.nspname || '.' || ct.relname, am.amname, "
          "i.indkey::text, i.indnkeyatts, i.indclass::text, i.indcollation::text, "
          "i.indoption::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), "
          "coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, "
          "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
          "AND k.contype IN ('p', 'u', 'x')), pg_relation_size(i.indexrelid)::float8 "
          "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
          "JOIN pg_namespace n ON n.oid = ci.relnamespace "
          "JOIN pg_class ct ON ct.oid = i.indrelid "
          "JOIN pg_namespace nt ON nt.oid = ct.relnamespace "
          "JOIN pg_am am ON am.oid = ci.relam WHERE i.indisvalid AND ") +
      kUserSchemas + " AND " + NotLocked("i.indexrelid") + " ORDER BY 2, 1";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  std::map<std::string, std::vector<IndexRow>> by_table;
  for (int i = 0; i < r.rows(); ++i) {
    IndexRow row;
    row.name = Str(r, i, 0);
    row.table = Str(r, i, 1);
    row.am = Str(r, i, 2);
    std::vector<std::string> atts = Words(Str(r, i, 3));
    auto nkey = static_cast<size_t>(Num(r, i, 4));
    for (size_t k = 0; k < atts.size(); ++k) {
      (k < nkey ? row.keys : row.include) += atts[k] + " ";
    }
    row.classes = Str(r, i, 5);
    row.collations = Str(r, i, 6);
    row.options = Str(r, i, 7);
    row.exprs = Str(r, i, 8);
    row.pred = Str(r, i, 9);
    row.unique = r.GetBool(i, 10);
    row.constraint = r.GetBool(i, 11);
    row.bytes = Num(r, i, 12);
    by_table[row.table].push_back(std::move(row));
  }
  for (const auto& [table, rows] : by_table) {
    std::vector<bool> reported(rows.size(), false);
    for (size_t a = 0; a < rows.size(); ++a) {
      for (size_t b = 0; b < rows.size(); ++b) {
        if (a == b || reported[a]) continue;
        const IndexRow& x = rows[a];
        const IndexRow& y = rows[b];
        if (x.am != y.am || x.exprs != y.exprs || x.pred != y.pred) continue;
        bool same = x.keys == y.keys && x.include == y.include && x.classes == y.classes &&
                    x.collations == y.collations && x.options == y.options;
        if (same) {
          // Of identical indexes keep one: one that backs a constraint, else a unique one,
          // else the first by name; report the others.
          auto rank = [](const IndexRow& i) { return (i.constraint ? 2 : 0) + (i.unique ? 1 : 0); };
          bool y_kept_over_x = rank(y) > rank(x) || (rank(y) == rank(x) && y.name < x.name);
          if (!y_kept_over_x) continue;
          ctx.Add("index " + x.name, x.bytes,
                  fmt::format("same definition as {} on {}; dropping it frees {} and a write "
                              "per row",
                              y.name, table, FormatSize(x.bytes)));
          reported[a] = true;
          continue;
        }
        // A non-unique B-tree whose keys lead another B-tree's keys (same opclasses) serves
        // no query the longer one cannot.
        if (x.am != "btree" || x.unique || x.constraint || !x.include.empty()) continue;
        std::vector<std::string> xk = Words(x.keys), yk = Words(y.keys);
        std::vector<std::string> xc = Words(x.classes), yc = Words(y.classes);
        std::vector<std::string> xo = Words(x.options), yo = Words(y.options);
        if (!x.exprs.empty() || !IsPrefix(xk, yk) || !IsPrefix(xc, yc) || !IsPrefix(xo, yo)) {
          continue;
        }
        ctx.Add("index " + x.name, x.bytes,
                fmt::format("its keys are a prefix of {} on {}; dropping it frees {}", y.name,
                            table, FormatSize(x.bytes)));
        reported[a] = true;
      }
    }
  }
  return Status::OK();
}

// Seconds since the statistics of the current database were reset (or the server started).
Result<double> StatsAgeSeconds(pg::Connection& conn) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT extract(epoch FROM now() - coalesce((SELECT stats_reset FROM "
                "pg_stat_database WHERE datname = current_database()), "
                "pg_postmaster_start_time()))::float8"));
  return Num(r, 0, 0);
}

Status UnusedIndexes(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(double age, StatsAgeSeconds(ctx.conn));
  // An index used by a weekly job looks unused on Monday: judge only a week of statistics.
  constexpr double kMinAge = 7 * 86400.0;
  if (age < kMinAge) {
    ctx.result.note = fmt::format(
        "statistics cover only {}; unused indexes are judged on at least 7 days",
        FormatSeconds(age));
    return Status::OK();
  }
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || ci.relname, nt.nspname || '.' || ct.relname, "
          "pg_relation_size(s.indexrelid)::float8 FROM pg_stat_user_indexes s "
          "JOIN pg_index i ON i.indexrelid = s.indexrelid "
          "JOIN pg_class ci ON ci.oid = i.indexrelid "
          "JOIN pg_namespace n ON n.oid = ci.relnamespace "
          "JOIN pg_class ct ON ct.oid = i.indrelid "
          "JOIN pg_namespace nt ON nt.oid = ct.relnamespace "
          "WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT EXISTS (SELECT 1 FROM "
          "pg_constraint k WHERE k.conindid = i.indexrelid) AND ") +
      kUserSchemas + " AND " + NotLocked("i.indexrelid");
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    double bytes = Num(r, i, 2);
    ctx.Add("index " + Str(r, i, 0), bytes,
            fmt::format("never scanned in {} of statistics; {} on {} (check standbys too before "
                        "dropping)",
                        FormatSeconds(age), FormatSize(bytes), Str(r, i, 1)));
  }
  return Status::OK();
}

Status MissingPrimaryKey(CheckContext& ctx) {
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || c.relname, greatest(c.reltuples, 0)::float8, "
          "(SELECT string_agg(ci.relname, ', ' ORDER BY ci.relname) FROM pg_index i "
          "JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = c.oid AND "
          "i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND NOT EXISTS ("
          "SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND "
          "a.attnum = ANY (i.indkey) AND NOT a.attnotnull)) "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT EXISTS ("
          "SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') "
          "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
          "AND d.objid = c.oid AND d.deptype = 'e') AND ") +
      kUserSchemas;
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, ctx.conn.Exec(sql));
  for (int i = 0; i < r.rows(); ++i) {
    std::string candidates = Str(r, i, 2);
    std::string message = fmt::format(
        "no primary key (about {:.0f} rows): rows cannot be addressed reliably, and logical "
        "replication cannot replicate its UPDATEs and DELETEs",
        Num(r, i, 1));
    if (!candidates.empty()) {
      message += "; the unique index on NOT NULL columns " + candidates +
                 " can become it (ALTER TABLE ... ADD PRIMARY KEY USING INDEX)";
    }
    ctx.Add("table " + Str(r, i, 0), Num(r, i, 1), message);
  }
  return Status::OK();
}

Status SeqScans(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT schemaname || '.' || relname, seq_scan::float8, "
                    "coalesce(idx_scan, 0)::float8, seq_tup_read::float8, n_live_tup::float8 "
                    "FROM pg_stat_user_tables WHERE n_live_tup >= 100000 AND seq_scan >= 100"));
  for (int i = 0; i < r.rows(); ++i) {
    double seq = Num(r, i, 1);
    double idx = Num(r, i, 2);
    double pct = 100.0 * seq / (seq + idx);
    ctx.Add("table " + Str(r, i, 0), pct,
            fmt::format("{:.0f} sequential scans ({:.0f} % of scans) of {:.0f} live rows, "
                        "{:.0f} rows read by them on average",
                        seq, pct, Num(r, i, 4), Num(r, i, 3) / seq));
  }
  if (r.rows() == 0) {
    ctx.result.note = "no table of 100,000 rows or more with 100 sequential scans or more";
  }
  return Status::OK();
}

Status Checkpoints(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT checkpoints_timed::float8, checkpoints_req::float8, "
                    "current_setting('max_wal_size') FROM pg_stat_bgwriter"));
  double timed = Num(r, 0, 0);
  double req = Num(r, 0, 1);
  if (timed + req < 10) {
    ctx.result.note = fmt::format("only {:.0f} checkpoints since statistics were reset", timed + req);
    return Status::OK();
  }
  double pct = 100.0 * req / (timed + req);
  ctx.Add("cluster", pct,
          fmt::format("{:.0f} of {:.0f} checkpoints were requested (WAL reached max_wal_size = "
                      "{}) rather than timed; raise max_wal_size if this is high",
                      req, timed + req, Str(r, 0, 2)));
  return Status::OK();
}

Status TempFiles(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec("SELECT datname, temp_files::float8, temp_bytes::float8, "
                    "extract(epoch FROM now() - coalesce(stats_reset, "
                    "pg_postmaster_start_time()))::float8 FROM pg_stat_database "
                    "WHERE datname IS NOT NULL ORDER BY datname"));
  for (int i = 0; i < r.rows(); ++i) {
    double bytes = Num(r, i, 2);
    double days = std::max(Num(r, i, 3), 3600.0) / 86400.0;
    double per_day = bytes / days;
    ctx.Add("database " + Str(r, i, 0), per_day,
            fmt::format("{:.0f} temporary files, {} in {} ({} a day): sorts and hashes that "
                        "did not fit work_mem",
                        Num(r, i, 1), FormatSize(bytes), FormatSeconds(Num(r, i, 3)),
                        FormatSize(per_day)));
  }
  return Status::OK();
}

// The current database's statistics (the per-relation checks read this database only): a
// reset (pg_stat_reset(), or a crash, which discards the statistics) restarts the counters
// that unused_indexes, seq_scans, cache_hit_ratio and temp_files judge by. A database whose
// statistics were never reset has stats_reset NULL: its counters cover its whole life.
Status StatsReset(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      ctx.conn.Exec(
          "SELECT datname, extract(epoch FROM now() - stats_reset)::float8, "
          "stats_reset::text FROM pg_stat_database WHERE datname = current_database() AND "
          "stats_reset IS NOT NULL"));
  if (r.rows() == 0) {
    ctx.result.note = "this database's statistics were never reset";
    return Status::OK();
  }
  for (int i = 0; i < r.rows(); ++i) {
    double seconds = Num(r, i, 1);
    ctx.Add("database " + Str(r, i, 0), seconds / 86400.0,
            fmt::format("statistics reset {} ago ({}): idx_scan, seq_scan, cache hits and "
                        "temporary-file counters cover only that time",
                        FormatSeconds(seconds), Str(r, i, 2)));
  }
  return Status::OK();
}

Status DiskUsage(CheckContext& ctx) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult db,
      ctx.conn.Exec("SELECT datname, pg_database_size(oid), extract(epoch FROM now())::bigint "
                    "FROM pg_database WHERE datallowconn AND has_database_privilege(oid, "
                    "'CONNECT') ORDER BY datname"));
  SizeSnapshot& sizes = ctx.report.sizes;
  double total = 0;
  for (int i = 0; i < db.rows(); ++i) {
    sizes.database_bytes[Str(db, i, 0)] = db.GetInt(i, 1);
    sizes.taken_at_unix_s = db.GetInt(i, 2);
    total += Num(db, i, 1);
  }
  std::string sql =
      std::string(
          "SELECT n.nspname || '.' || c.relname, pg_total_relation_size(c.oid) "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'm') AND ") +
      kUserSchemas + " AND " + NotLocked("c.oid") + " ORDER BY 2 DESC, 1 LIMIT 100";
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult rel, ctx.conn.Exec(sql));
  for (int i = 0; i < rel.rows(); ++i) sizes.relation_bytes[Str(rel, i, 0)] = rel.GetInt(i, 1);

  std::string summary = fmt::format("{} databases, {} in all", db.rows(), FormatSize(total));
  const std::optional<SizeSnapshot>& prev = ctx.options.previous;
  double per_day = 0;
  bool have_growth = false;
  if (prev.has_value() && prev->taken_at_unix_s > 0 &&
      sizes.taken_at_unix_s > prev->taken_at_unix_s) {
    double before = 0;
    double now_same = 0;
    for (const auto& [name, bytes] : prev->database_bytes) {
      auto it = sizes.database_bytes.find(name);
      if (it == sizes.database_bytes.end()) continue;
      before += static_cast<double>(bytes);
      now_same += static_cast<double>(it->second);
    }
    double days = static_cast<double>(sizes.taken_at_unix_s - prev->taken_at_unix_s) / 86400.0;
    per_day = (now_same - before) / days;
    have_growth = true;
    summary += fmt::format("; {} a day over the last {}", FormatSize(per_day),
                           FormatSeconds(days * 86400.0));
  }
  if (ctx.options.volume_bytes <= 0 || !have_growth) {
    ctx.result.note = summary + (have_growth ? "; give --volume-size for a days-until-full forecast"
                                             : "; give --since SNAPSHOT (and --volume-size) for "
                                               "growth and a days-until-full forecast");
    return Status::OK();
  }
  double free_bytes = static_cast<double>(ctx.options.volume_bytes) - total;
  double days_left = per_day > 0 ? free_bytes / per_day : 36500.0;
  ctx.Add("cluster", std::min(days_left, 36500.0),
          fmt::format("{}; {} of {} free: full in {}", summary, FormatSize(free_bytes),
                      FormatSize(static_cast<double>(ctx.options.volume_bytes)),
                      per_day > 0 ? fmt::format("{:.0f} days", days_left) : "never at this rate"));
  return Status::OK();
}

struct CheckFn {
  std::string_view name;
  Status (*run)(CheckContext&);
};

constexpr CheckFn kCheckFns[] = {
    {"connections", Connections},
    {"long_queries", LongQueries},
    {"long_transactions", LongTransactions},
    {"idle_in_transaction", IdleInTransaction},
    {"prepared_transactions", PreparedTransactions},
    {"lock_waits", LockWaits},
    {"xid_wraparound", XidWraparound},
    {"multixact_wraparound", MultixactWraparound},
    {"replication_slots", ReplicationSlots},
    {"replication_lag", ReplicationLag},
    {"archiving", Archiving},
    {"autovacuum_debt", AutovacuumDebt},
    {"table_bloat", TableBloat},
    {"cache_hit_ratio", CacheHitRatio},
    {"sequences", Sequences},
    {"invalid_indexes", InvalidIndexes},
    {"duplicate_indexes", DuplicateIndexes},
    {"unused_indexes", UnusedIndexes},
    {"missing_primary_key", MissingPrimaryKey},
    {"seq_scans", SeqScans},
    {"checkpoints", Checkpoints},
    {"temp_files", TempFiles},
    {"stats_reset", StatsReset},
    {"disk_usage", DiskUsage},
};

}  // namespace

Status RunCheck(std::string_view name, CheckContext& ctx) {
  for (const CheckFn& fn : kCheckFns) {
    if (fn.name == name) return fn.run(ctx);
  }
  return Status::Internal("no implementation for health check \"" + std::string(name) + "\"");
}

}  // namespace dbarch::ops
