// Which recommended indexes make a query slower, from timings alone: the decision part of
// `advise --verify`'s regression guard (advise.cc supplies the timings, measured in the
// verification sandbox with indexes hidden through pg_index.indisvalid).
//
// A query measured slower after the build than before it is first timed again, alternately
// with the whole set shown and with the set's indexes on its tables hidden, each side
// keeping its best time: a slowdown that does not show up side by side is drift between
// measurements minutes apart (other load, caches), not the set's doing. A confirmed
// slowdown is then blamed on the smallest group that removes it, trying in turn each index
// of the query's plan alone, the same with the set's other indexes of the same table and
// leading key (hiding one of two such indexes lets the planner take the other, so the plan
// and its time do not change), all of those together, and all the set's indexes on the
// query's tables. A group of several is then reduced: a member whose return does not make
// the query slower again is left out of the blame.
//
// Pure logic, no I/O; thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace dbarch::advisor {

// Times of one query with two sets of indexes hidden, measured alternately.
struct PairedTimes {
  bool ok = false;  // both sides finished (no error, no timeout)
  double a_ms = 0;  // best time with the first set hidden
  double b_ms = 0;  // best time with the second set hidden
};

// Times the query with the indexes hide_a hidden against with hide_b hidden (positions in
// the recommended set; the rest of the set shown).
using TimeWithHidden = std::function<Result<PairedTimes>(const std::vector<size_t>& hide_a,
                                                         const std::vector<size_t>& hide_b)>;

struct RegressionInput {
  std::vector<size_t> in_plan;    // the set's indexes the query's plan uses
  std::vector<size_t> on_tables;  // the set's indexes on tables the query reads (⊇ in_plan)
  // Per index of the set, its table and leading key ("public.orders|o_custkey"): indexes
  // with the same one are alternatives to each other for the planner.
  std::vector<std::string> leading_key;
  double max_slowdown = 1.1;  // slower means a > b · max_slowdown
  double min_ms = 0.5;        // ... and a - b >= min_ms
};

struct RegressionFinding {
  bool confirmed = false;  // slower with the set than without it, timed side by side
  double with_ms = 0;      // the confirmation: the set shown
  double without_ms = 0;   // ... and its indexes on the query's tables hidden
  // The confirmation timed again when no smaller group explained the slowdown (the last
  // group tried is the confirmation's): both 0 when it was not.
  double recheck_with_ms = 0;
  double recheck_without_ms = 0;
  std::vector<size_t> culprits;   // the group found responsible, sorted; empty: none
  double culprit_with_ms = 0;     // the query with the culprits shown
  double culprit_without_ms = 0;  // ... and hidden
  int timings = 0;                // paired timings spent
};

// Runs the procedure in the file comment. Errors: those of `time`.
Result<RegressionFinding> FindRegressionCulprits(const RegressionInput& input,
                                                 const TimeWithHidden& time);

}  // namespace dbarch::advisor
