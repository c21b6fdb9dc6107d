// Rendering of `dbarch advise` results: the recommended indexes (DDL, HypoPG size, the
// queries each helps with their estimated costs, a rationale), the search's figures, and with
// --verify the measured latencies before and after building the indexes. Text for a
// terminal, JSON (sorted keys, stable field names: API for scripts) and Markdown for a design
// document. The input is advisor::AdviseResult (advisor/advise_result.h), the plain values
// advisor::Advise returns. Pure functions of their input; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "advisor/advise_result.h"

namespace dbarch::report {

// "12.3 MB", "816 kB", "8.19 kB": sizes in 10^3 multiples with three significant digits.
std::string FormatBytes(int64_t bytes);

// Summary lines, then one block per index (DDL, size, rationale, helped queries with costs),
// then with --verify a table of measured medians and speed-ups, a line per query measured
// slower (what the regression guard found) and the set's built size against its reported one.
std::string AdviseToText(const advisor::AdviseResult& report);

// {"target", "budget_mb", "max_width", "max_indexes", "queries", "candidates", "skipped":
//  [{"query", "reason"}], "rejected": [{"index", "reason"}], "indexes": [{"name", "table",
//  "method", "columns", "include", "predicate", "ddl", "size_bytes", "rationale", "note",
//  "dropped", "drop_reason", "extrapolated", "write_cost", "helps": [{"query", "weight",
//  "cost_before", "cost_after", "used_in_plan"}]}], "total_size_bytes", "cost_without",
//  "cost_with", "relative_cost", "writes", "write_cost_without", "write_cost_with",
//  "whatif_calls", "cost_cache_hits", "runtime_ms", "search_rounds", "verify": {"runs",
//  "timeout_ms", "weighted_speed_up", "set_size_bytes", "set_built_size_bytes", "queries":
//  [{"query", "weight", "before_outcome", "after_outcome", "before_median_ms",
//  "after_median_ms", "speed_up", "indexes_before", "indexes_after", "regression"}]} | null,
//  "sample": {"source", "max_bytes", "live_bytes", "elapsed_ms", "tables": [{"table", "method",
//  "percent", "fraction", "live_rows", "live_bytes", "sampled_rows", "sampled_bytes"}]} | null,
//  "workload_source", "drops": [{"index", "table", "kind", "reason", "covered_by", "note",
//  "size_bytes", "idx_scan", "ddl", "rollback_ddl"}], "drops_size_bytes", "kept_indexes":
//  [{"index", "table", "kind", "reason"}], "unused_not_checked", "index_stats_reset"}. Keys sorted;
//  costs in PG cost units, times in ms.
std::string AdviseToJson(const advisor::AdviseResult& report);

// The text report's content as Markdown: a table of indexes, the DDL in a sql block, and the
// verification table.
std::string AdviseToMarkdown(const advisor::AdviseResult& report);

}  // namespace dbarch::report
