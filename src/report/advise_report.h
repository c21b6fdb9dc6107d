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

struct AdviseReport {
  std::string target;  // "sandbox (PostgreSQL 15.x)"
  double budget_mb = 0;
  int max_width = 0;
  int max_indexes = 0;  // 0: no limit
  int queries = 0;      // workload queries analysed
  int candidates = 0;   // distinct candidate indexes
  std::vector<AdviseSkipped> skipped;
  std::vector<AdviseRejected> rejected;  // by index
  std::vector<AdviseIndex> indexes;      // recommended (and dropped ones, flagged), by name
  int64_t total_size_bytes = 0;          // of the recommended, not dropped, indexes
  double cost_without = 0;               // Σ weight · estimated cost, no new index
  double cost_with = 0;                  // ... with the search's index set
  double relative_cost = 1;              // cost_with / cost_without
  int64_t whatif_calls = 0;              // EXPLAINs sent (cost cache misses)
  int64_t cost_cache_hits = 0;
  double runtime_ms = 0;  // search wall time (client clock)
  std::optional<AdviseVerify> verify;
};

// "12.3 MB", "816 kB", "8.19 kB": sizes in 10^3 multiples with three significant digits.
std::string FormatBytes(int64_t bytes);

// Summary lines, then one block per index (DDL, size, rationale, helped queries with costs),
// then with --verify a table of measured medians and speed-ups.
std::string AdviseToText(const AdviseReport& report);

// {"target", "budget_mb", "max_width", "max_indexes", "queries", "candidates", "skipped":
//  [{"query", "reason"}], "rejected": [{"index", "reason"}], "indexes": [{"name", "table",
//  "method", "columns", "include", "predicate", "ddl", "size_bytes",
//  "rationale", "note", "dropped", "drop_reason", "helps": [{"query", "weight", "cost_before",
//  "cost_after", "used_in_plan"}]}], "total_size_bytes", "cost_without", "cost_with",
//  "relative_cost", "whatif_calls", "cost_cache_hits", "runtime_ms", "verify": {"runs",
//  "timeout_ms", "weighted_speed_up", "queries": [{"query", "weight", "before_outcome",
//  "after_outcome", "before_median_ms", "after_median_ms", "speed_up", "indexes_before",
//  "indexes_after"}]} | null}. Keys sorted; costs in PG cost units, times in ms.
std::string AdviseToJson(const AdviseReport& report);

// The text report's content as Markdown: a table of indexes, the DDL in a sql block, and the
// verification table.
std::string AdviseToMarkdown(const AdviseReport& report);

}  // namespace dbarch::report
