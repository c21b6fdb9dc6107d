#include "advisor/search.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace dbarch::advisor {
namespace {

constexpr double kBytesPerMb = 1e6;

WhatIfStats Minus(const WhatIfStats& a, const WhatIfStats& b) {
  WhatIfStats d;
  d.explain_calls = a.explain_calls - b.explain_calls;
  d.cost_cache_hits = a.cost_cache_hits - b.cost_cache_hits;
  d.size_calls = a.size_calls - b.size_calls;
  d.index_creates = a.index_creates - b.index_creates;
  d.index_drops = a.index_drops - b.index_drops;
  d.resets = a.resets - b.resets;
  d.explain_ms = a.explain_ms - b.explain_ms;
  d.index_ms = a.index_ms - b.index_ms;
  return d;
}

// What the lazy greedy remembers of the steps it costed, by the step's index key and kind.
struct LazyState {
  // The last measured cost reduction of the workload.
  std::map<std::string, double> last_benefit;
  // The last measured cost reduction per query (unweighted, in the order of the queries).
  std::map<std::string, std::vector<double>> query_gains;
};

bool Contains(const std::vector<IndexDef>& config, const IndexDef& index) {
  return std::find(config.begin(), config.end(), index) != config.end();
}

// Σ weight · cost of `queries` with `config`, plus options.extra_cost.
Result<double> WorkloadCost(WhatIfSession& session, const std::vector<SearchQuery>& queries,
                            const SearchOptions& options, const std::vector<IndexDef>& config) {
  double total = 0;
  for (const SearchQuery& q : queries) {
    DBARCH_ASSIGN_OR_RETURN(double c, session.Cost(q.query_id, config));
    total += q.weight * c;
  }
  if (options.extra_cost) total += options.extra_cost(config);
  return total;
}

}  // namespace

Result<SearchResult> ExtendSearch(WhatIfSession& session, const std::vector<SearchQuery>& queries,
                                  const SearchOptions& options) {
  if (!(options.budget_mb > 0)) return Status::InvalidArgument("budget must be positive");
  if (options.max_width < 1) return Status::InvalidArgument("max_width must be at least 1");
  if (!(options.min_cost_improvement >= 1)) {
    return Status::InvalidArgument("min_cost_improvement must be at least 1");
  }
  if (options.max_indexes < 0) return Status::InvalidArgument("max_indexes must not be negative");
  if (!(options.lazy_factor == 0 || options.lazy_factor >= 1)) {
    return Status::InvalidArgument("lazy_factor must be 0 or at least 1");
  }
  for (const SearchQuery& q : queries) {
    if (!(q.weight > 0)) {
      return Status::InvalidArgument("query weights must be positive (query id " +
                                     std::to_string(q.query_id) + ")");
    }
  }
  const WhatIfStats start_stats = session.stats();
  const double budget_bytes = options.budget_mb * kBytesPerMb;

  // Single-key candidates (the starting points), the wider candidates reachable from each
  // narrower one by appending one key (the widenings), by Key(): deterministic order. A
  // widening keeps the method, INCLUDE and predicate of the index it widens.
  std::map<std::string, IndexDef> singles;
  std::map<std::string, std::vector<IndexDef>> widenings;  // by the narrower index's Key()
  auto add_widening = [&](const IndexDef& wider) {
    if (wider.width() < 2) return;
    IndexDef narrower = wider;
    narrower.keys.pop_back();
    std::vector<IndexDef>& list = widenings[narrower.Key()];
    if (std::find(list.begin(), list.end(), wider) == list.end()) list.push_back(wider);
  };
  std::set<std::string> candidate_keys;
  for (const SearchQuery& q : queries) {
    for (const IndexDef& c : q.candidates) candidate_keys.insert(c.Key());
  }
  for (const SearchQuery& q : queries) {
    for (const IndexDef& c : q.candidates) {
      add_widening(c);
      // A wider candidate whose narrower key is no candidate (it leads an existing index, or
      // a top-N key supersedes it) cannot be reached by widening: it starts on its own.
      IndexDef narrower = c;
      if (c.width() > 1) narrower.keys.pop_back();
      if (c.width() == 1 || candidate_keys.count(narrower.Key()) == 0) {
        singles.emplace(c.Key(), c);
      }
    }
  }
  std::map<catalog::QualifiedName, std::vector<std::string>> any_column;
  if (options.extend_with_any_column) {
    // Every referenced column alone, and appended to any plain B-tree of its table.
    std::map<catalog::QualifiedName, std::vector<std::string>> table_columns;
    for (const SearchQuery& q : queries) {
      for (const auto& [table, column] : q.referenced) {
        IndexDef single = IndexDef::OnColumns(table, {column});
        std::string key = single.Key();
        singles.emplace(std::move(key), std::move(single));
        table_columns[table].push_back(column);
      }
    }
    for (auto& [table, cols] : table_columns) {
      std::sort(cols.begin(), cols.end());
      cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    }
    any_column = std::move(table_columns);
  }
  for (auto& [key, list] : widenings) {
    std::sort(list.begin(), list.end(),
              [](const IndexDef& a, const IndexDef& b) { return a.Key() < b.Key(); });
  }
  // Two-key plain B-tree candidates (b, a) by their table and last key a: added as new
  // indexes next to a chosen index that leads with a (see the greedy below).
  std::map<std::pair<catalog::QualifiedName, IndexKey>, std::vector<IndexDef>> pairs_ending;
  for (const SearchQuery& q : queries) {
    for (const IndexDef& c : q.candidates) {
      if (c.width() != 2 || !c.IsPlainBtree() || !c.include.empty()) continue;
      std::vector<IndexDef>& list = pairs_ending[{c.table, c.keys[1]}];
      if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
    }
  }
  for (auto& [key, list] : pairs_ending) {
    std::sort(list.begin(), list.end(),
              [](const IndexDef& a, const IndexDef& b) { return a.Key() < b.Key(); });
  }

  auto workload_cost = [&](const std::vector<IndexDef>& config) {
    return WorkloadCost(session, queries, options, config);
  };

  SearchResult result;
  std::vector<IndexDef> config;
  int64_t used_bytes = 0;
  DBARCH_ASSIGN_OR_RETURN(double current, workload_cost(config));
  result.cost_without = current;

  // The workload cost of `trial` (config with one step applied, `key`). With
  // options.lazy_per_query and `estimated` set, a query whose cost the step did not change
  // when last costed (lazy.query_gains) is assumed to cost what it costs with `config`
  // (cached), and *estimated says whether any was; the gain so found does not exceed the
  // real one (an index more never makes the planner's best plan dearer). The gains are
  // recorded.
  auto step_cost = [&](const std::vector<IndexDef>& config, const std::vector<IndexDef>& trial,
                       const std::string& key, LazyState& lazy, bool* estimated) -> Result<double> {
    std::vector<double>& gains = lazy.query_gains[key];
    const bool known = gains.size() == queries.size();
    if (!known) gains.assign(queries.size(), std::numeric_limits<double>::quiet_NaN());
    double total = 0;
    for (size_t i = 0; i < queries.size(); ++i) {
      const SearchQuery& q = queries[i];
      DBARCH_ASSIGN_OR_RETURN(double base, session.Cost(q.query_id, config));
      // Only a query whose cost the step left exactly as it was: one it made dearer (a
      // widened index is larger) is asked again, or the step's gain would be overstated.
      if (estimated != nullptr && options.lazy_per_query && options.lazy_factor > 0 && known &&
          gains[i] == 0) {
        *estimated = true;
        total += q.weight * base;
        continue;
      }
      DBARCH_ASSIGN_OR_RETURN(double c, session.Cost(q.query_id, trial));
      gains[i] = base - c;
      total += q.weight * c;
    }
    if (options.extra_cost) total += options.extra_cost(trial);
    return total;
  };

  // Greedy steps from (config, used_bytes, current) until none pays off; `forbidden` (by
  // Key) may not be added. The steps taken are appended to `steps`.
  //
  // Lazy evaluation (as in "cost-effective lazy forward selection", Leskovec et al., KDD
  // 2007): a step's cost reduction seldom grows when other indexes have been added, so the
  // reduction measured for a step at an earlier point of the search bounds what it can bring
  // now. Each round costs the steps in the order of those bounds (steps never costed first)
  // and stops as soon as the best step costed so far is at least as good per byte as the
  // next bound: most candidates are then costed once or twice per search instead of once
  // per round. The last round, where no step pays off any more, costs them all.
  auto greedy = [&](std::vector<IndexDef>& config, int64_t& used_bytes, double& current,
                    const std::set<std::string>& forbidden, std::vector<SearchStep>& steps,
                    LazyState& lazy, LazyState* at_last_step) -> Status {
    std::map<std::string, double>& last_benefit = lazy.last_benefit;
    struct Option {
      IndexDef index;
      std::optional<size_t> replaces;  // position in config
      int64_t delta = 0;               // bytes the step adds
      std::string key;                 // into last_benefit
      double bound = 0;                // upper bound of the ratio; +inf when never costed
    };
    while (true) {
      // A step is taken only when cost * min_cost_improvement <= current.
      const double min_gain = current - current / options.min_cost_improvement;
      std::vector<Option> options_now;
      std::set<std::string> seen;
      auto collect = [&](const IndexDef& index, std::optional<size_t> replaces) -> Status {
        if (Contains(config, index) || forbidden.count(index.Key()) > 0) return Status::OK();
        if (!replaces && options.max_indexes > 0 &&
            config.size() >= static_cast<size_t>(options.max_indexes)) {
          return Status::OK();
        }
        std::string key = index.Key() + (replaces ? "|widen" : "|new");
        if (!seen.insert(key).second) return Status::OK();
        DBARCH_ASSIGN_OR_RETURN(int64_t size, session.IndexSizeBytes(index));
        int64_t delta = size;
        if (replaces) {
          DBARCH_ASSIGN_OR_RETURN(int64_t old_size, session.IndexSizeBytes(config[*replaces]));
          delta -= old_size;
        }
        if (static_cast<double>(used_bytes + delta) > budget_bytes) return Status::OK();
        double bound = std::numeric_limits<double>::infinity();
        if (auto it = last_benefit.find(key); it != last_benefit.end()) {
          // A step that brought nothing when last costed (the planner did not use the index
          // or did not gain from it) is not costed again in this greedy.
          if (options.lazy_factor > 0 && !(it->second > 0)) return Status::OK();
          // Nor one whose gain, even lazy_factor times the last one measured, stays below
          // the gain a step must bring to be taken: most of the round where nothing pays
          // off any more.
          if (options.lazy_factor > 0 && options.skip_hopeless_steps &&
              it->second * options.lazy_factor < min_gain) {
            return Status::OK();
          }
          bound = it->second / static_cast<double>(std::max<int64_t>(delta, 1));
        }
        options_now.push_back(Option{index, replaces, delta, std::move(key), bound});
        return Status::OK();
      };

      for (const auto& [key, single] : singles)
        DBARCH_RETURN_IF_ERROR(collect(single, std::nullopt));
      for (size_t i = 0; i < config.size(); ++i) {
        const IndexDef& base = config[i];
        if (static_cast<int>(base.width()) >= options.max_width) continue;
        if (options.extend_with_any_column && base.IsPlainBtree() && base.include.empty()) {
          auto cols = any_column.find(base.table);
          if (cols == any_column.end()) continue;
          for (const std::string& col : cols->second) {
            if (std::any_of(base.keys.begin(), base.keys.end(),
                            [&](const IndexKey& k) { return k.column == col; })) {
              continue;
            }
            IndexDef wider = base;
            wider.keys.push_back(IndexKey::Column(col));
            DBARCH_RETURN_IF_ERROR(collect(wider, i));
          }
          continue;
        }
        auto list = widenings.find(base.Key());
        if (list == widenings.end()) continue;
        for (const IndexDef& wider : list->second) DBARCH_RETURN_IF_ERROR(collect(wider, i));
      }
      // Two-key keys that end with a chosen index's leading key, as new indexes: Extend
      // only reaches (b, a) by choosing (b) alone first, which a weak b never is, although
      // (b, a) can serve a join on b that filters on a (TPC-H: customer (c_nationkey,
      // c_custkey) next to customer (c_custkey)).
      if (options.max_width >= 2) {
        for (size_t i = 0; i < config.size(); ++i) {
          if (!config[i].IsPlainBtree()) continue;
          auto list = pairs_ending.find({config[i].table, config[i].keys[0]});
          if (list == pairs_ending.end()) continue;
          for (const IndexDef& pair : list->second) {
            DBARCH_RETURN_IF_ERROR(collect(pair, std::nullopt));
          }
        }
      }
      // Never-costed steps first, in the order above (deterministic), then by bound.
      std::stable_sort(options_now.begin(), options_now.end(),
                       [](const Option& a, const Option& b) { return a.bound > b.bound; });

      bool found = false;
      double best_ratio = 0;
      double best_cost = current;
      const Option* best = nullptr;
      bool best_estimated = false;
      // Steps whose cost some queries' assumed costs made up, with their ratio so found.
      std::vector<std::pair<const Option*, double>> estimated_steps;
      for (const Option& o : options_now) {
        // Nothing later can beat it (bounds are sorted).
        if (found && options.lazy_factor > 0 && best_ratio >= o.bound * options.lazy_factor) break;
        std::vector<IndexDef> trial = config;
        if (o.replaces) {
          trial[*o.replaces] = o.index;
        } else {
          trial.push_back(o.index);
        }
        bool estimated = false;
        DBARCH_ASSIGN_OR_RETURN(double cost, step_cost(config, trial, o.key, lazy, &estimated));
        const double benefit = current - cost;
        last_benefit[o.key] = benefit;
        if (estimated && benefit > 0) {
          estimated_steps.emplace_back(
              &o, benefit / static_cast<double>(std::max<int64_t>(o.delta, 1)));
        }
        if (!(benefit > 0) || cost * options.min_cost_improvement > current) continue;
        // A wider index is never smaller in practice; guard the ratio anyway.
        const double ratio = benefit / static_cast<double>(std::max<int64_t>(o.delta, 1));
        if (ratio > best_ratio) {
          found = true;
          best_ratio = ratio;
          best_cost = cost;
          best = &o;
          best_estimated = estimated;
        }
      }
      // The step's cost from every query (none assumed).
      auto exact_cost = [&](const Option& o) -> Result<double> {
        std::vector<IndexDef> trial = config;
        if (o.replaces) {
          trial[*o.replaces] = o.index;
        } else {
          trial.push_back(o.index);
        }
        DBARCH_ASSIGN_OR_RETURN(double cost, step_cost(config, trial, o.key, lazy, nullptr));
        last_benefit[o.key] = current - cost;
        return cost;
      };
      if (found && best_estimated) {
        DBARCH_ASSIGN_OR_RETURN(best_cost, exact_cost(*best));
        best_ratio = (current - best_cost) / static_cast<double>(std::max<int64_t>(best->delta, 1));
      }
      // The contenders whose gain rests on assumed costs are costed on every query too: a
      // query the step did not concern before may gain now. Only those within lazy_factor of
      // the best step (or, when none paid off, any that gained), as the lazy rounds do.
      for (const auto& [o, ratio] : estimated_steps) {
        if (o == best || (found && ratio * options.lazy_factor < best_ratio)) continue;
        DBARCH_ASSIGN_OR_RETURN(double cost, exact_cost(*o));
        const double benefit = current - cost;
        if (!(benefit > 0) || cost * options.min_cost_improvement > current) continue;
        const double exact_ratio = benefit / static_cast<double>(std::max<int64_t>(o->delta, 1));
        if (exact_ratio > best_ratio) {
          found = true;
          best_ratio = exact_ratio;
          best_cost = cost;
          best = o;
        }
      }
      if (!found) return Status::OK();
      if (at_last_step != nullptr) *at_last_step = lazy;

      SearchStep step;
      step.added = best->index;
      if (best->replaces) {
        step.replaced = config[*best->replaces];
        config[*best->replaces] = best->index;
      } else {
        config.push_back(best->index);
      }
      last_benefit.erase(best->key);
      lazy.query_gains.erase(best->key);
      used_bytes += best->delta;
      current = best_cost;
      step.cost = current;
      step.size_bytes = used_bytes;
      steps.push_back(std::move(step));
    }
  };
  LazyState lazy;
  LazyState lazy_at_last_step;
  DBARCH_RETURN_IF_ERROR(
      greedy(config, used_bytes, current, {}, result.steps, lazy, &lazy_at_last_step));

  // The greedy's last step is often decided by what still fits, not by what is best for the
  // rest of the budget (a knapsack's ending). When the budget is nearly spent (90 %), take
  // it back once, forbid its index, let the greedy continue from there, and keep whichever
  // ending is cheaper. Mostly cached; skipped when the search stopped for lack of gains.
  if (!result.steps.empty() && static_cast<double>(used_bytes) >= 0.9 * budget_bytes) {
    const SearchStep last = result.steps.back();
    std::vector<IndexDef> retry = config;
    int64_t retry_bytes = used_bytes;
    auto pos = std::find(retry.begin(), retry.end(), last.added);
    DBARCH_ASSIGN_OR_RETURN(int64_t added_size, session.IndexSizeBytes(last.added));
    retry_bytes -= added_size;
    if (last.replaced) {
      *pos = *last.replaced;
      DBARCH_ASSIGN_OR_RETURN(int64_t old_size, session.IndexSizeBytes(*last.replaced));
      retry_bytes += old_size;
    } else {
      retry.erase(pos);
    }
    double retry_cost = result.steps.size() >= 2 ? result.steps[result.steps.size() - 2].cost
                                                 : result.cost_without;
    std::vector<SearchStep> retry_steps(result.steps.begin(), result.steps.end() - 1);
    // The retry continues from where the last step was chosen: with options.carry_bounds
    // the gains measured up to then bound the steps as they would have in that round
    // (instead of costing every step again).
    LazyState retry_lazy = options.carry_bounds ? std::move(lazy_at_last_step) : LazyState{};
    DBARCH_RETURN_IF_ERROR(greedy(retry, retry_bytes, retry_cost, {last.added.Key()}, retry_steps,
                                  retry_lazy, nullptr));
    if (retry_cost < current) {
      config = std::move(retry);
      used_bytes = retry_bytes;
      current = retry_cost;
      result.steps = std::move(retry_steps);
    }
  }

  // Indexes chosen early can be made useless by later ones (a BRIN, then a B-tree on the
  // same column that the planner prefers): take out, one at a time, an index whose removal
  // costs nothing (the cheapest such configuration first). Frees budget and write cost.
  std::map<std::string, size_t> removal_blocker;  // by Key(): the query that kept the index
  while (config.size() > 1) {
    double best = 0;
    std::optional<size_t> victim;
    for (size_t i = 0; i < config.size(); ++i) {
      std::vector<IndexDef> without = config;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      double cost = 0;
      if (options.lazy_per_query) {
        // Query by query, stopping as soon as the queries' cost rises by more than the
        // write cost the removal saves: taking an index away never makes the planner's best
        // plan cheaper, so the rest cannot make up for it. The query that stopped it last
        // time is asked first.
        const double saved =
            options.extra_cost ? options.extra_cost(config) - options.extra_cost(without) : 0;
        const std::string key = config[i].Key();
        std::vector<size_t> order(queries.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        if (auto it = removal_blocker.find(key); it != removal_blocker.end()) {
          std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(it->second),
                      order.begin() + static_cast<std::ptrdiff_t>(it->second) + 1);
        }
        double rise = 0;
        bool blocked = false;
        for (size_t k : order) {
          const SearchQuery& q = queries[k];
          DBARCH_ASSIGN_OR_RETURN(double with, session.Cost(q.query_id, config));
          DBARCH_ASSIGN_OR_RETURN(double alone, session.Cost(q.query_id, without));
          rise += q.weight * (alone - with);
          if (rise > saved) {
            removal_blocker[key] = k;
            blocked = true;
            break;
          }
        }
        if (blocked) continue;
        DBARCH_ASSIGN_OR_RETURN(cost, workload_cost(without));
      } else {
        DBARCH_ASSIGN_OR_RETURN(cost, workload_cost(without));
      }
      if (cost > current) continue;
      if (!victim || cost < best) {
        best = cost;
        victim = i;
      }
    }
    if (!victim) break;
    DBARCH_ASSIGN_OR_RETURN(int64_t size, session.IndexSizeBytes(config[*victim]));
    used_bytes -= size;
    SearchStep step;
    step.added = config[*victim];
    step.removed = true;
    step.cost = best;
    step.size_bytes = used_bytes;
    result.steps.push_back(std::move(step));
    config.erase(config.begin() + static_cast<std::ptrdiff_t>(*victim));
    current = best;
  }

  std::sort(config.begin(), config.end(),
            [](const IndexDef& a, const IndexDef& b) { return a.Key() < b.Key(); });
  for (const IndexDef& index : config) {
    DBARCH_ASSIGN_OR_RETURN(int64_t size, session.IndexSizeBytes(index));
    result.sizes_bytes.push_back(size);
    result.total_size_bytes += size;
  }
  result.indexes = std::move(config);
  result.cost_with = current;
  if (options.extra_cost) {
    result.extra_without = options.extra_cost({});
    result.extra_with = options.extra_cost(result.indexes);
  }
  result.relative_cost = result.cost_without > 0 ? current / result.cost_without : 1;
  result.whatif = Minus(session.stats(), start_stats);
  return result;
}

Result<int> AddCoveringColumns(WhatIfSession& session, const std::vector<SearchQuery>& queries,
                               const SearchOptions& options, SearchResult& result,
                               size_t max_include_columns) {
  const WhatIfStats start_stats = session.stats();
  const double budget_bytes = options.budget_mb * kBytesPerMb;
  auto workload_cost = [&](const std::vector<IndexDef>& config) {
    return WorkloadCost(session, queries, options, config);
  };
  // The trade-off: INCLUDE columns must buy at least as much cost per byte as the least
  // efficient step the search itself took, or the bytes would have been better spent there.
  double min_ratio = 0;
  {
    double prev_cost = result.cost_without;
    int64_t prev_size = 0;
    bool first = true;
    for (const SearchStep& step : result.steps) {
      if (step.removed) {  // not a purchase
        prev_cost = step.cost;
        prev_size = step.size_bytes;
        continue;
      }
      const double ratio = (prev_cost - step.cost) /
                           static_cast<double>(std::max<int64_t>(step.size_bytes - prev_size, 1));
      min_ratio = first ? ratio : std::min(min_ratio, ratio);
      first = false;
      prev_cost = step.cost;
      prev_size = step.size_bytes;
    }
    if (first) return 0;  // no index chosen: nothing to cover
  }
  int changed = 0;
  double current = result.cost_with;
  // A variant must lower the workload cost by at least this much.
  auto min_gain = [&] { return current - current / options.min_cost_improvement; };
  for (size_t i = 0; i < result.indexes.size(); ++i) {
    const IndexDef base = result.indexes[i];
    if (base.method != IndexMethod::kBtree || !base.include.empty()) continue;
    std::optional<IndexDef> best;
    double best_ratio = 0;
    double best_cost = current;
    int64_t best_size = 0;
    std::set<std::vector<std::string>> tried;
    // The variants that passed the pre-check, with the bound of their gain per added byte.
    struct Variant {
      IndexDef index;
      int64_t size = 0;
      int64_t delta = 0;
      double ratio_bound = 0;
    };
    std::vector<Variant> variants;
    // Costs a variant on the whole workload; the best so far is kept.
    auto consider = [&](Variant& v) -> Status {
      std::vector<IndexDef> trial = result.indexes;
      trial[i] = v.index;
      DBARCH_ASSIGN_OR_RETURN(double cost, workload_cost(trial));
      if (!(cost < current) || cost * options.min_cost_improvement > current) return Status::OK();
      const double ratio = (current - cost) / static_cast<double>(std::max<int64_t>(v.delta, 1));
      if (ratio < min_ratio) return Status::OK();
      if (ratio > best_ratio) {
        best_ratio = ratio;
        best = std::move(v.index);
        best_cost = cost;
        best_size = v.size;
      }
      return Status::OK();
    };
    for (const SearchQuery& q : queries) {
      std::vector<std::string> extra;
      for (const auto& [table, column] : q.referenced) {
        if (table != base.table) continue;
        // An init-capture, not [&]: clang 14 (the fuzz build) cannot capture a structured
        // binding.
        bool in_key = std::any_of(base.keys.begin(), base.keys.end(),
                                  [&col = column](const IndexKey& k) { return k.column == col; });
        // A partial index's predicate columns are implied for the rows it holds.
        bool in_predicate = std::find(base.predicate_columns.begin(), base.predicate_columns.end(),
                                      column) != base.predicate_columns.end();
        if (!in_key && !in_predicate) extra.push_back(column);
      }
      if (extra.empty() || extra.size() > max_include_columns) continue;
      if (!tried.insert(extra).second) continue;
      IndexDef covering = base;
      covering.include = extra;
      // Only a query whose columns of this table the variant holds entirely can gain from
      // the INCLUDE columns (an index-only scan); for every other query the variant is the
      // same index, larger. So those queries' gain bounds the workload's: when it falls
      // short, the workload is not costed (one EXPLAIN per such query instead of one per
      // query on the table).
      std::vector<const SearchQuery*> covered_queries;
      // Σ weight · cost now of the covered queries: no variant gains more than that.
      double now_bound = 0;
      if (options.prefilter_covering) {
        for (const SearchQuery& other : queries) {
          bool touches = false;
          bool covered = true;
          for (const auto& [table, column] : other.referenced) {
            if (table != base.table) continue;
            touches = true;
            const std::string& c = column;
            bool held = std::any_of(base.keys.begin(), base.keys.end(),
                                    [&](const IndexKey& k) { return k.column == c; }) ||
                        std::find(extra.begin(), extra.end(), c) != extra.end() ||
                        std::find(base.predicate_columns.begin(), base.predicate_columns.end(),
                                  c) != base.predicate_columns.end();
            if (!held) {
              covered = false;
              break;
            }
          }
          if (!touches || !covered) continue;
          covered_queries.push_back(&other);
          DBARCH_ASSIGN_OR_RETURN(double now, session.Cost(other.query_id, result.indexes));
          now_bound += other.weight * now;
        }
        // With skip_hopeless_steps, a variant that could not pay off even if the queries it
        // covers cost nothing is neither sized nor costed.
        if (options.skip_hopeless_steps && !(now_bound >= min_gain())) continue;
      }
      DBARCH_ASSIGN_OR_RETURN(int64_t size, session.IndexSizeBytes(covering));
      const int64_t delta = size - result.sizes_bytes[i];
      if (static_cast<double>(result.total_size_bytes + delta) > budget_bytes) continue;
      std::vector<IndexDef> trial = result.indexes;
      trial[i] = covering;
      double ratio_bound = std::numeric_limits<double>::infinity();
      if (options.prefilter_covering) {
        const double bytes = static_cast<double>(std::max<int64_t>(delta, 1));
        if (options.skip_hopeless_steps &&
            (now_bound / bytes < min_ratio || (best && now_bound / bytes <= best_ratio))) {
          continue;
        }
        double gain_bound = 0;
        for (const SearchQuery* other : covered_queries) {
          DBARCH_ASSIGN_OR_RETURN(double now, session.Cost(other->query_id, result.indexes));
          DBARCH_ASSIGN_OR_RETURN(double with, session.Cost(other->query_id, trial));
          gain_bound += other->weight * std::max(0.0, now - with);
        }
        if (!(gain_bound >= min_gain())) continue;
        ratio_bound = gain_bound / static_cast<double>(std::max<int64_t>(delta, 1));
        if (ratio_bound < min_ratio || (best && ratio_bound <= best_ratio)) continue;
      }
      Variant v{std::move(covering), size, delta, ratio_bound};
      if (options.lazy_covering && options.prefilter_covering) {
        variants.push_back(std::move(v));
      } else {
        DBARCH_RETURN_IF_ERROR(consider(v));
      }
    }
    // With lazy_covering, the best bound first, and none whose bound cannot beat the best
    // variant costed: a query the variant does not cover cannot gain from it (for it the
    // variant is the same index, larger), so the covered queries' gain bounds the workload's.
    if (options.lazy_covering && options.prefilter_covering) {
      std::stable_sort(variants.begin(), variants.end(), [](const Variant& a, const Variant& b) {
        return a.ratio_bound > b.ratio_bound;
      });
    }
    for (Variant& v : variants) {
      if (best && best_ratio >= v.ratio_bound) break;
      DBARCH_RETURN_IF_ERROR(consider(v));
    }
    if (!best) continue;
    SearchStep step;
    step.replaced = base;
    step.added = *best;
    result.total_size_bytes += best_size - result.sizes_bytes[i];
    result.sizes_bytes[i] = best_size;
    result.indexes[i] = std::move(*best);
    current = best_cost;
    step.cost = current;
    step.size_bytes = result.total_size_bytes;
    result.steps.push_back(std::move(step));
    ++changed;
  }
  // Keep the Key() order of SearchResult::indexes.
  std::vector<size_t> order(result.indexes.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return result.indexes[a].Key() < result.indexes[b].Key(); });
  std::vector<IndexDef> indexes;
  std::vector<int64_t> sizes;
  for (size_t k : order) {
    indexes.push_back(std::move(result.indexes[k]));
    sizes.push_back(result.sizes_bytes[k]);
  }
  result.indexes = std::move(indexes);
  result.sizes_bytes = std::move(sizes);
  result.cost_with = current;
  if (options.extra_cost) result.extra_with = options.extra_cost(result.indexes);
  result.relative_cost = result.cost_without > 0 ? current / result.cost_without : 1;
  const WhatIfStats spent = Minus(session.stats(), start_stats);
  result.whatif.explain_calls += spent.explain_calls;
  result.whatif.cost_cache_hits += spent.cost_cache_hits;
  result.whatif.size_calls += spent.size_calls;
  result.whatif.index_creates += spent.index_creates;
  result.whatif.index_drops += spent.index_drops;
  result.whatif.resets += spent.resets;
  result.whatif.explain_ms += spent.explain_ms;
  result.whatif.index_ms += spent.index_ms;
  return changed;
}

}  // namespace dbarch::advisor
