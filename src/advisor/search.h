// Workload-level index selection: a greedy search in the style of "Extend" (Schlosser,
// Kossmann, Boissier: "Efficient Scalable Multi-attribute Index Selection Using Recursive
// Strategies", ICDE 2019). It starts from no index and repeatedly applies the one step with
// the largest cost reduction per megabyte that still fits the budget: either a new
// single-key index (any kind: column, expression, partial, GIN, BRIN), or one more key
// element appended to an index already chosen, giving another candidate with the same
// method, INCLUDE and predicate (the wider index replaces the narrower one, so only the
// size difference counts); a wider candidate whose narrower key is no candidate of any
// query (it leads an existing index, or a top-N key superseded it) is a starting point
// too. It stops when no step lowers the workload cost by at least
// options.min_cost_improvement. Beyond Extend: a two-key candidate (b, a) whose last key
// leads a chosen index is tried as a new index too; when 90 % of the budget is spent the
// last step is taken back once, forbidden, and the search continued (the cheaper ending
// wins); a last pass removes every chosen index whose removal costs nothing. Each round
// costs the steps lazily (SearchOptions::lazy_factor): in the order of the reduction per
// byte they brought when last costed, stopping when none can beat the best one found.
//
// Costs come from a WhatIfSession (HypoPG what-if EXPLAINs, cached), so the search sends
// EXPLAINs only for queries that read the table a step changes; options.extra_cost adds
// what the planner does not see (index maintenance of writes). Used by bench/ and
// `dbarch advise`. Not thread-safe (drives one session).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "advisor/whatif.h"
#include "base/status.h"

namespace dbarch::advisor {

// One workload query as the search sees it.
struct SearchQuery {
  int query_id = 0;                  // from WhatIfSession::AddQuery
  double weight = 1;                 // > 0
  std::vector<IndexDef> candidates;  // from CandidateIndexes (may be empty)
  // Columns the query mentions anywhere (QueryColumns::referenced): with
  // extend_with_any_column they may be appended to an index of their table.
  std::vector<std::pair<catalog::QualifiedName, std::string>> referenced;
};

struct SearchOptions {
  // Upper bound on the summed hypopg_relation_size of the chosen indexes, in MB of 10^6
  // bytes. Must be > 0.
  double budget_mb = 100;
  // Widest index the search builds (key columns).
  int max_width = 2;
  // false: the single-column candidates are the queries' width-1 candidates, and a key
  // column may be appended only when the wider index is a candidate of some query (leading
  // columns equality-like, see CandidateIndexes). true: as the original Extend, every column
  // a query mentions (SearchQuery::referenced) is also a single-column candidate and may be
  // appended to an index of its table (covering indexes for index-only scans).
  bool extend_with_any_column = false;
  // A step is taken only when it divides the workload cost by at least this factor (1.003:
  // at least 0.3 % cheaper, the default of the Extend implementation in the paper's
  // evaluation platform); steps with a smaller gain stop the search. Must be >= 1.
  double min_cost_improvement = 1.003;
  // At most this many indexes are chosen (widening a chosen index stays allowed); 0 means
  // no limit. Must be >= 0.
  int max_indexes = 0;
  // Lazy evaluation of the greedy's steps (see ExtendSearch): a step whose cost reduction
  // per byte, measured in an earlier round, times this factor is below the best step
  // costed in this round is not costed again in this round. A step's reduction mostly falls
  // as indexes are added; the factor covers the steps it rises for (a join index once the
  // other side is indexed). 0: cost every step in every round (plain Extend). Must be 0 or
  // >= 1.
  double lazy_factor = 2;
  // With lazy evaluation, a step whose last measured cost reduction times lazy_factor is
  // below the reduction a step must bring (min_cost_improvement) is not costed again: under
  // the lazy assumption it cannot pay off. Cuts most of the last round, where nothing pays
  // off any more and every other step used to be costed. Likewise AddCoveringColumns (with
  // prefilter_covering) neither sizes nor costs a variant whose covered queries' whole
  // current cost is below that minimum gain, or per added byte below the least efficient
  // step (no variant can gain more than that cost). false: cost them (as before).
  bool skip_hopeless_steps = true;
  // With lazy evaluation, a step costed again in a later round asks the planner only about
  // the queries whose cost it changed when last costed; the others are assumed to cost what
  // they cost without it (a lower bound of its gain: another index never makes the
  // planner's best plan dearer). The step taken, and every step whose gain so found is
  // within lazy_factor of the best one, are then costed on every query. Cuts the EXPLAINs
  // of queries that read the step's table but never use its index. The removal pass then
  // also asks query by query and stops at the first query an index still serves. false:
  // every query the index concerns is costed (as before).
  bool lazy_per_query = true;
  // The retry of the last step starts from the lazy bounds measured when that step was
  // chosen, instead of costing every step again. false: from none (as before).
  bool carry_bounds = true;
  // AddCoveringColumns (with prefilter_covering) costs the variants of an index on the
  // whole workload in the order of their covered queries' gain per added byte, and stops
  // when the best one costed beats the next bound (the queries a variant does not cover
  // cannot gain from it). false: every variant that passes the pre-check (as before).
  bool lazy_covering = true;
  // AddCoveringColumns costs an INCLUDE variant for the whole workload only when the queries
  // it covers entirely (all their columns of the table in the index: an index-only scan is
  // possible) gain enough with it; the others cannot gain from INCLUDE columns.
  bool prefilter_covering = true;
  // Cost the planner does not see, added to the workload cost of every configuration: the
  // index maintenance of the workload's writes (advisor/writes.h). Empty: none.
  std::function<double(const std::vector<IndexDef>&)> extra_cost;
};

struct SearchStep {
  IndexDef added;                    // the index added or the widened index (or removed)
  bool removed = false;              // `added` was taken out: the others made it useless
  std::optional<IndexDef> replaced;  // the narrower index it replaced, if a widening
  double cost = 0;                   // weighted workload cost after the step
  int64_t size_bytes = 0;            // total size after the step
};

struct SearchResult {
  std::vector<IndexDef> indexes;     // chosen, sorted by Key()
  std::vector<int64_t> sizes_bytes;  // hypopg_relation_size of each, same order
  int64_t total_size_bytes = 0;
  double cost_without = 0;  // Σ weight · cost with no index (+ extra_cost)
  double cost_with = 0;     // Σ weight · cost with `indexes` (+ extra_cost)
  double extra_without = 0;  // the extra_cost part of cost_without
  double extra_with = 0;     // the extra_cost part of cost_with
  // cost_with / cost_without; 1 when cost_without is 0.
  double relative_cost = 1;
  std::vector<SearchStep> steps;  // in the order they were taken
  WhatIfStats whatif;             // the session's counters spent by this search
};

// Runs the search over `queries` on `session`. Errors: kInvalidArgument for bad options or
// weights, plus the session's errors (a query the server rejects stops the search).
Result<SearchResult> ExtendSearch(WhatIfSession& session, const std::vector<SearchQuery>& queries,
                                  const SearchOptions& options);

// After a search: for each chosen B-tree without INCLUDE columns, tries to append as INCLUDE
// the other columns one query mentions on that table (at most max_include_columns), so
// that query can run as an index-only scan; the variant with the best cost reduction per
// added byte replaces the index when it lowers the workload cost by
// options.min_cost_improvement, fits options.budget_mb, and its cost reduction per added
// byte is at least that of the least efficient step in result.steps (the bytes buy as much
// as the search's own choices did). Updates `result` (indexes,
// sizes, costs, a step per replacement, whatif counters). Returns the number of indexes
// that got INCLUDE columns. Note the planner credits an index-only scan only for pages
// the visibility map marks all-visible (after VACUUM). Errors: the session's.
Result<int> AddCoveringColumns(WhatIfSession& session, const std::vector<SearchQuery>& queries,
                               const SearchOptions& options, SearchResult& result,
                               size_t max_include_columns = 4);

}  // namespace dbarch::advisor
