// A workload read from a server's pg_stat_statements: the statements of the connected
// database with the largest total execution time, each a workload::Query weighted by its
// number of calls. Their constants are $n placeholders without values, so every query with
// parameters is marked generic_plan (the advisor plans it as PostgreSQL's generic plan, see
// advisor/explain.h). Used by `dbarch advise --workload-from pg_stat_statements`.
//
// Which statements become queries: only SELECT / INSERT / UPDATE / DELETE / MERGE (utility
// statements such as SET, BEGIN, EXPLAIN or DDL are skipped), never a statement that reads a
// system catalog or calls a HypoPG function (dbarch's own queries, monitoring tools), and
// never one without a table (SELECT 1). Every skip is reported with its reason.
//
// Weight = calls, not total time: the advisor minimises Σ weight · estimated cost per
// execution, so calls times the planner's cost is the statement's share of the work; a
// time-based weight would count the statement's slowness twice.
//
// Thread-safety: LoadStatStatements uses its connection exclusively; the rest is pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::workload {

struct StatStatementsOptions {
  // Queries kept at most (the first ones by total_exec_time that are not skipped); >= 1.
  int top = 50;
  // Statements with fewer calls are left out (and not reported as skipped); >= 1.
  int64_t min_calls = 1;
};

// One row of pg_stat_statements, summed over users for the database.
struct StatStatement {
  std::string queryid;  // as text (a signed 64-bit number)
  std::string query;    // normalised text; empty when the user may not see it
  int64_t calls = 0;
  double total_exec_ms = 0;
};

struct SkippedStatement {
  std::string name;    // the query name it would have had ("pgss <queryid>")
  std::string reason;  // "utility statement (SET)", "reads system catalog pg_catalog.pg_class"...
};

struct StatStatementsWorkload {
  Workload workload;                      // by decreasing total_exec_time
  std::vector<SkippedStatement> skipped;  // in the same order, among the rows considered
  int statements_read = 0;                // rows with at least min_calls calls
  std::string stats_reset;                // pg_stat_statements_info.stats_reset; "" if unknown
};

// pg_stat_statements replaces every constant by $n, also where PostgreSQL's grammar only
// accepts a string literal, so its text may not parse on the server (libpg_query accepts
// it). Rewrites those places into casts that plan alike: a typed literal `date $1` (also
// time, timestamp, timestamptz, interval with an optional field such as `interval $2 month`)
// becomes `$1::date` / `$2::interval month`, and `extract($1 from x)` becomes
// `pg_catalog.extract($1::text, x)` (the function EXTRACT is turned into since PG 14).
// Other text is returned unchanged. Pure.
std::string RepairNormalizedText(std::string_view text);

// Why the statement `text` should not be a workload query, with the same rules as for
// pg_stat_statements entries: "does not parse: ...", "not exactly one statement", "utility
// statement (SET)", "reads system catalog pg_catalog.pg_class ...", "calls hypopg_create_index
// (dbarch's own)", "reads no table"; "" when it is a query to keep. Used for statements read
// from server logs too (log_workload.h). Pure.
std::string WorkloadSkipReason(std::string_view text);

// Turns rows (already ordered by decreasing total time) into queries named "pgss <queryid>"
// with weight = calls; stops after options.top queries. Pure.
StatStatementsWorkload WorkloadFromStatStatements(const std::vector<StatStatement>& rows,
                                                  const StatStatementsOptions& options);

// Reads pg_stat_statements of the database `conn` is connected to (entries of all users,
// summed per queryid) and calls WorkloadFromStatStatements. Errors: kNotFound when the
// extension is not installed in that database or the server was not started with it in
// shared_preload_libraries (the hint says what to do); kInvalidArgument for bad options or
// another server error; kConnection.
Result<StatStatementsWorkload> LoadStatStatements(pg::Connection& conn,
                                                  const StatStatementsOptions& options);

}  // namespace dbarch::workload
