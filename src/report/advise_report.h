// Rendering of `dbarch advise` results: the recommended indexes (DDL, HypoPG size, the
// queries each helps with their estimated costs, a rationale), the search's figures, and with
// --verify the measured latencies before and after building the indexes. Text for a
// terminal, JSON (sorted keys, stable field names: API for scripts) and Markdown for a design
// document. The report is plain values filled by cli/advise.cc, so report/ does not depend on
// advisor/. Pure functions of their input; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "measure/measurement.h"

namespace dbarch::report {

// One query an index helps, in the planner's cost units (what-if EXPLAIN with HypoPG).
struct AdviseQueryEffect {
  std::string query;          // the workload query's name
  double weight = 1;          // its workload weight
  double cost_before = 0;     // estimated total cost with none of the recommended indexes
  double cost_after = 0;      // ... with only this index added
  bool used_in_plan = false;  // --verify: the measured plan used the index
};

struct AdviseIndex {
  std::string name;                  // index name, unquoted (<table>_<cols>_idx)
  std::string table;                 // schema.table, quoted as needed
  std::vector<std::string> columns;  // key elements, in order: "a", "placed_at desc",
                                     // "(lower(email))", "title gin_trgm_ops"
  std::string method;                // "btree", "gin", "brin", "hash"
  std::vector<std::string> include;  // INCLUDE columns, unquoted
  std::string predicate;             // WHERE of a partial index; empty: none
  // CREATE INDEX CONCURRENTLY ... (identifiers quoted), preceded by "CREATE EXTENSION IF
  // NOT EXISTS pg_trgm;\n" when its operator class needs the extension.
  std::string ddl;
  int64_t size_bytes = 0;                // hypopg_relation_size
  std::vector<AdviseQueryEffect> helps;  // by decreasing weighted benefit, then name
  std::string rationale;                 // one line
  // Weighted index maintenance this index adds to the workload's writes (planner cost
  // units, advisor/writes.h); 0 without writes.
  double write_cost = 0;
  // A caveat for applying the DDL (partitioned table: no CONCURRENTLY); empty when none.
  std::string note;
  // --verify found no query whose plan used it and that got >= 10 % faster.
  bool dropped = false;
  std::string drop_reason;  // "no measured benefit" when dropped
};

// A workload query the advisor could not analyse (not a SELECT...), with the reason.
struct AdviseSkipped {
  std::string query;
  std::string reason;
};

// A candidate index dropped before the search: the server rejected its definition (a
// function in an expression that is not IMMUTABLE...), or it cannot be costed here.
struct AdviseRejected {
  std::string index;  // the candidate's identity (advisor IndexDef::Key())
  std::string reason;
};

// Measured latencies of one query without and with the recommended indexes (--verify).
struct AdviseVerifyQuery {
  std::string query;
  double weight = 1;
  measure::Outcome before_outcome = measure::Outcome::kOk;
  measure::Outcome after_outcome = measure::Outcome::kOk;
  double before_median_ms = 0;  // 0 unless the outcome is kOk
  double after_median_ms = 0;
  std::optional<double> speed_up;           // before / after, when both finished
  std::vector<std::string> indexes_before;  // index names in the measured plans
  std::vector<std::string> indexes_after;
};

struct AdviseVerify {
  int runs = 0;
  int timeout_ms = 0;
  std::vector<AdviseVerifyQuery> queries;   // workload order
  std::optional<double> weighted_speed_up;  // Σ w·before / Σ w·after over finished queries
};

// An existing index proposed for dropping, with the DDL to drop it and to build it again.
struct AdviseDrop {
  std::string index;         // schema.name, quoted as needed
  std::string table;         // schema.table, quoted as needed
  std::string kind;          // "duplicate", "prefix" or "unused"
  std::string reason;        // one line
  std::string covered_by;    // the index serving instead (duplicate, prefix); "" for unused
  std::string note;          // a caveat (CLUSTER index); "" when none
  int64_t size_bytes = 0;    // pg_relation_size
  int64_t idx_scan = 0;      // pg_stat_all_indexes.idx_scan
  std::string ddl;           // DROP INDEX CONCURRENTLY ...
  std::string rollback_ddl;  // CREATE [UNIQUE] INDEX CONCURRENTLY ... (pg_get_indexdef)
};

// A redundant or unused index that is not proposed for dropping, and why (it backs a
// constraint, enforces uniqueness, a plan depends on it...).
struct AdviseKeptIndex {
  std::string index;  // schema.name, quoted as needed
  std::string table;
  std::string kind;  // "duplicate", "prefix" or "unused": what it would have been
  std::string reason;
};

struct AdviseReport {
  std::string target;  // "sandbox (PostgreSQL 15.x)" or the live server's host:port/dbname
  // "files" (--workload) or "pg_stat_statements" (--workload-from pg_stat_statements).
  std::string workload_source = "files";
  double budget_mb = 0;
  int max_width = 0;
  int max_indexes = 0;  // 0: no limit
  int queries = 0;      // workload queries analysed
  int candidates = 0;   // distinct candidate indexes
  int writes = 0;       // workload INSERT / UPDATE / DELETE statements costed for maintenance
  std::vector<AdviseSkipped> skipped;
  std::vector<AdviseRejected> rejected;  // by index
  std::vector<AdviseIndex> indexes;      // recommended (and dropped ones, flagged), by name
  int64_t total_size_bytes = 0;          // of the recommended, not dropped, indexes
  double cost_without = 0;               // Σ weight · estimated cost, no new index
  double cost_with = 0;                  // ... with the search's index set
  double relative_cost = 1;              // cost_with / cost_without
  // The index-maintenance part of cost_without / cost_with (both include it).
  double write_cost_without = 0;
  double write_cost_with = 0;
  int64_t whatif_calls = 0;  // EXPLAINs sent (cost cache misses)
  int64_t cost_cache_hits = 0;
  double runtime_ms = 0;  // search wall time (client clock)
  std::optional<AdviseVerify> verify;
  std::vector<AdviseDrop> drops;              // by table, then index
  int64_t drops_size_bytes = 0;               // Σ size_bytes of drops
  std::vector<AdviseKeptIndex> kept_indexes;  // by table, then index
  std::string unused_not_checked;  // why unused indexes were not looked for; "" if they were
  // Live: pg_stat_database.stats_reset ("never reset" when NULL); "" on a sandbox.
  std::string index_stats_reset;
};

// "12.3 MB", "816 kB", "8.19 kB": sizes in 10^3 multiples with three significant digits.
std::string FormatBytes(int64_t bytes);

// Summary lines, then one block per index (DDL, size, rationale, helped queries with costs),
// then with --verify a table of measured medians and speed-ups.
std::string AdviseToText(const AdviseReport& report);

// {"target", "budget_mb", "max_width", "max_indexes", "queries", "candidates", "skipped":
//  [{"query", "reason"}], "rejected": [{"index", "reason"}], "indexes": [{"name", "table",
//  "method", "columns", "include", "predicate", "ddl", "size_bytes",
//  "rationale", "note", "dropped", "drop_reason", "write_cost", "helps": [{"query", "weight",
//  "cost_before", "cost_after", "used_in_plan"}]}], "total_size_bytes", "cost_without",
//  "cost_with", "relative_cost", "writes", "write_cost_without", "write_cost_with",
//  "whatif_calls", "cost_cache_hits", "runtime_ms", "verify": {"runs",
//  "timeout_ms", "weighted_speed_up", "queries": [{"query", "weight", "before_outcome",
//  "after_outcome", "before_median_ms", "after_median_ms", "speed_up", "indexes_before",
//  "indexes_after"}]} | null, "workload_source", "drops": [{"index", "table", "kind", "reason",
//  "covered_by", "note", "size_bytes", "idx_scan", "ddl", "rollback_ddl"}], "drops_size_bytes",
//  "kept_indexes": [{"index", "table", "kind", "reason"}], "unused_not_checked",
//  "index_stats_reset"}. Keys sorted; costs in PG cost units, times in ms.
std::string AdviseToJson(const AdviseReport& report);

// The text report's content as Markdown: a table of indexes, the DDL in a sql block, and the
// verification table.
std::string AdviseToMarkdown(const AdviseReport& report);

}  // namespace dbarch::report
