#include "advisor/regression.h"

#include <algorithm>
#include <set>

namespace dbarch::advisor {
namespace {

bool Slower(const PairedTimes& t, const RegressionInput& in) {
  return t.ok && t.a_ms > t.b_ms * in.max_slowdown && t.a_ms - t.b_ms >= in.min_ms;
}

std::vector<size_t> Sorted(std::set<size_t> s) { return {s.begin(), s.end()}; }

}  // namespace

Result<RegressionFinding> FindRegressionCulprits(const RegressionInput& input,
                                                 const TimeWithHidden& time) {
  RegressionFinding f;
  if (input.on_tables.empty()) return f;
  auto timed = [&](const std::vector<size_t>& a, const std::vector<size_t>& b) {
    ++f.timings;
    return time(a, b);
  };
  // Side by side: the whole set against the set without its indexes on the query's tables.
  const std::vector<size_t> all = Sorted({input.on_tables.begin(), input.on_tables.end()});
  DBARCH_ASSIGN_OR_RETURN(PairedTimes confirm, timed({}, all));
  f.with_ms = confirm.a_ms;
  f.without_ms = confirm.b_ms;
  if (!Slower(confirm, input)) return f;
  f.confirmed = true;

  auto same_key = [&](size_t i) {
    std::set<size_t> group = {i};
    for (size_t j : input.on_tables) {
      if (j < input.leading_key.size() && i < input.leading_key.size() &&
          input.leading_key[j] == input.leading_key[i]) {
        group.insert(j);
      }
    }
    return group;
  };
  std::vector<std::vector<size_t>> groups;
  auto add_group = [&](std::vector<size_t> g) {
    if (!g.empty() && std::find(groups.begin(), groups.end(), g) == groups.end()) {
      groups.push_back(std::move(g));
    }
  };
  for (size_t i : input.in_plan) add_group({i});
  std::set<size_t> plan_and_alternatives;
  for (size_t i : input.in_plan) {
    std::set<size_t> g = same_key(i);
    plan_and_alternatives.insert(g.begin(), g.end());
    add_group(Sorted(g));
  }
  add_group(Sorted(plan_and_alternatives));
  add_group(all);

  for (const std::vector<size_t>& start : groups) {
    DBARCH_ASSIGN_OR_RETURN(PairedTimes t, timed({}, start));
    if (start == all && t.ok) {
      f.recheck_with_ms = t.a_ms;
      f.recheck_without_ms = t.b_ms;
    }
    if (!Slower(t, input)) continue;
    std::vector<size_t> group = start;
    // Leave out each member whose return does not make the query slower again.
    for (size_t k = 0; group.size() > 1 && k < group.size();) {
      std::vector<size_t> rest = group;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(k));
      DBARCH_ASSIGN_OR_RETURN(PairedTimes back, timed(rest, group));
      if (back.ok && !Slower(back, input)) {
        group = std::move(rest);
      } else {
        ++k;
      }
    }
    if (group != start) {
      DBARCH_ASSIGN_OR_RETURN(t, timed({}, group));
      if (!Slower(t, input)) continue;  // the reduced group alone does not explain it
    }
    f.culprits = std::move(group);
    f.culprit_with_ms = t.a_ms;
    f.culprit_without_ms = t.b_ms;
    return f;
  }
  return f;
}

}  // namespace dbarch::advisor
