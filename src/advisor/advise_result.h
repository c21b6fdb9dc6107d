// The result of `advisor::Advise` (advise.h): the recommended indexes (DDL, size, the queries
// each helps with their estimated costs, a rationale), the search's figures, the existing
// indexes proposed for dropping and, with verification, the measured latencies before and
// after building the indexes (on a sandbox, or on a sample of a live server copied into
// one). Plain values, so report/ formats them (report/advise_report.h) without calling the
// advisor. No behaviour; thread-safety of plain structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "measure/measurement.h"

namespace dbarch::advisor {

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
  // The size the budget counts: advisor/size_model.h for B-tree, hash and BRIN (the
  // layout CREATE INDEX writes, from pg_stats), pg_relation_size of a GIN built for real,
  // hypopg_relation_size where the model lacks statistics.
  int64_t size_bytes = 0;
  int64_t hypopg_size_bytes = 0;  // HypoPG's estimate (0: none, e.g. a GIN built for real)
  // pg_relation_size of the index built by --verify; 0 without verification.
  int64_t built_size_bytes = 0;
  std::vector<AdviseQueryEffect> helps;  // by decreasing weighted benefit, then name
  std::string rationale;                 // one line
  // Weighted index maintenance this index adds to the workload's writes (planner cost
  // units, advisor/writes.h); 0 without writes.
  double write_cost = 0;
  // Costed on a live server's sample (an index HypoPG cannot simulate, built for real in the
  // verification sandbox): its costs are the planner's ratios there applied to the live
  // costs, its size the sample's scaled by 1 / the sampled fraction; the rationale says so.
  bool extrapolated = false;
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
  // For a query measured slower after the build: what the regression guard found and did
  // (timed again side by side; the indexes removed, or why none was). Empty otherwise.
  std::string regression;
};

struct AdviseVerify {
  int runs = 0;
  int timeout_ms = 0;
  std::vector<AdviseVerifyQuery> queries;   // workload order
  std::optional<double> weighted_speed_up;  // Σ w·before / Σ w·after over finished queries
};

// A live table as copied into the verification sandbox (advise --dsn --verify).
struct AdviseSampledTable {
  std::string table;          // schema.table, quoted as needed
  std::string method;         // "all" (copied whole), "SYSTEM" or "BERNOULLI" (TABLESAMPLE)
  double percent = 100;       // the TABLESAMPLE percentage asked for
  double fraction = 1;        // sampled_rows / live_rows: the share of the live rows measured
  int64_t live_rows = 0;      // pg_class.reltuples on the live server
  int64_t live_bytes = 0;     // pg_table_size on the live server
  int64_t sampled_rows = 0;   // rows copied into the sandbox
  int64_t sampled_bytes = 0;  // pg_table_size in the sandbox
};

// How the data of the verification sandbox was made from a live server: its schema, and a
// sample of each table under a size cap. Measured times and the sizes of indexes built there
// are those of the sample; a table's live size is its sampled size / fraction.
struct AdviseSample {
  std::string source;                      // the live server ("host:port/dbname")
  int64_t max_bytes = 0;                   // --sample-mb as bytes
  int64_t live_bytes = 0;                  // Σ live_bytes
  double elapsed_ms = 0;                   // schema load, copy and ANALYZE (client clock)
  std::vector<AdviseSampledTable> tables;  // by table
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

struct AdviseResult {
  std::string target;  // "sandbox (PostgreSQL 15.x)" or the live server's host:port/dbname
  // "files" (--workload), "logs" (--workload-from log:PATH...) or "pg_stat_statements"
  // (--workload-from pg_stat_statements).
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
  // Searches run: 1, or more when verification removed an index for a regression and the
  // search was run again without it (the counters and runtime above are summed over them).
  int search_rounds = 1;
  std::optional<AdviseVerify> verify;
  // Verification ran on a sample of a live server copied into a sandbox: how it was made.
  std::optional<AdviseSample> sample;
  std::vector<AdviseDrop> drops;              // by table, then index
  int64_t drops_size_bytes = 0;               // Σ size_bytes of drops
  std::vector<AdviseKeptIndex> kept_indexes;  // by table, then index
  std::string unused_not_checked;  // why unused indexes were not looked for; "" if they were
  // Live: pg_stat_database.stats_reset ("never reset" when NULL); "" on a sandbox.
  std::string index_stats_reset;
};

}  // namespace dbarch::advisor
