#include "advisor/search.h"

#include <algorithm>
#include <cstdio>
#include <map>
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

bool Contains(const std::vector<IndexDef>& config, const IndexDef& index) {
  return std::find(config.begin(), config.end(), index) != config.end();
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
  for (const SearchQuery& q : queries) {
    if (!(q.weight > 0)) {
      return Status::InvalidArgument("query weights must be positive (query id " +
                                     std::to_string(q.query_id) + ")");
    }
  }
  const WhatIfStats start_stats = session.stats();
  const double budget_bytes = options.budget_mb * kBytesPerMb;

  // Single-column candidates, the columns of each table, and the allowed wider keys.
  std::map<std::string, IndexDef> singles;  // by Key(): deterministic order
  std::map<catalog::QualifiedName, std::vector<std::string>> table_columns;
  std::set<std::string> allowed;
  for (const SearchQuery& q : queries) {
    for (const IndexDef& c : q.candidates) {
      allowed.insert(c.Key());
      if (c.width() != 1 || !c.include.empty()) continue;
      if (singles.emplace(c.Key(), c).second) table_columns[c.table].push_back(c.columns[0]);
    }
  }
  if (options.extend_with_any_column) {
    for (const SearchQuery& q : queries) {
      for (const auto& [table, column] : q.referenced) {
        IndexDef single{table, {column}, {}};
        std::string key = single.Key();
        allowed.insert(key);
        if (singles.emplace(std::move(key), std::move(single)).second) {
          table_columns[table].push_back(column);
        }
      }
    }
  }
  for (auto& [table, cols] : table_columns) {
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  }

  auto workload_cost = [&](const std::vector<IndexDef>& config) -> Result<double> {
    double total = 0;
    for (const SearchQuery& q : queries) {
      DBARCH_ASSIGN_OR_RETURN(double c, session.Cost(q.query_id, config));
      total += q.weight * c;
    }
    if (options.extra_cost) total += options.extra_cost(config);
    return total;
  };

  SearchResult result;
  std::vector<IndexDef> config;
  int64_t used_bytes = 0;
  DBARCH_ASSIGN_OR_RETURN(double current, workload_cost(config));
  result.cost_without = current;

  // Greedy steps from (config, used_bytes, current) until none pays off; `forbidden` (by
  // Key) may not be added. The steps taken are appended to `steps`.
  auto greedy = [&](std::vector<IndexDef>& config, int64_t& used_bytes, double& current,
                    const std::set<std::string>& forbidden,
                    std::vector<SearchStep>& steps) -> Status {
    while (true) {
      bool found = false;
      double best_ratio = 0;
      double best_cost = current;
      int64_t best_delta = 0;
      IndexDef best_index;
      std::optional<size_t> best_replaces;  // position in config

      auto consider = [&](const IndexDef& index, std::optional<size_t> replaces) -> Status {
        if (Contains(config, index) || forbidden.count(index.Key()) > 0) return Status::OK();
        if (!replaces && options.max_indexes > 0 &&
            config.size() >= static_cast<size_t>(options.max_indexes)) {
          return Status::OK();
        }
        DBARCH_ASSIGN_OR_RETURN(int64_t size, session.IndexSizeBytes(index));
        int64_t delta = size;
        if (replaces) {
          DBARCH_ASSIGN_OR_RETURN(int64_t old_size, session.IndexSizeBytes(config[*replaces]));
          delta -= old_size;
        }
        if (static_cast<double>(used_bytes + delta) > budget_bytes) return Status::OK();
        std::vector<IndexDef> trial = config;
        if (replaces) {
          trial[*replaces] = index;
        } else {
          trial.push_back(index);
        }
        DBARCH_ASSIGN_OR_RETURN(double cost, workload_cost(trial));
        const double benefit = current - cost;
        if (!(benefit > 0) || cost * options.min_cost_improvement > current) return Status::OK();
        // A wider index is never smaller in practice; guard the ratio anyway.
        const double ratio = benefit / static_cast<double>(std::max<int64_t>(delta, 1));
        if (ratio > best_ratio) {
          found = true;
          best_ratio = ratio;
          best_cost = cost;
          best_delta = delta;
          best_index = index;
          best_replaces = replaces;
        }
        return Status::OK();
      };

      for (const auto& [key, single] : singles)
        DBARCH_RETURN_IF_ERROR(consider(single, std::nullopt));
      for (size_t i = 0; i < config.size(); ++i) {
        const IndexDef& base = config[i];
        if (static_cast<int>(base.width()) >= options.max_width) continue;
        auto cols = table_columns.find(base.table);
        if (cols == table_columns.end()) continue;
        for (const std::string& col : cols->second) {
          if (std::find(base.columns.begin(), base.columns.end(), col) != base.columns.end()) {
            continue;
          }
          IndexDef wider = base;
          wider.columns.push_back(col);
          if (!options.extend_with_any_column && allowed.count(wider.Key()) == 0) continue;
          DBARCH_RETURN_IF_ERROR(consider(wider, i));
        }
      }
      // Two-column keys that end with a chosen index's leading column, as new indexes: Extend
      // only reaches (b, a) by choosing (b) alone first, which a weak b never is, although
      // (b, a) can serve a join on b that filters on a (TPC-H: customer (c_nationkey,
      // c_custkey) next to customer (c_custkey)). Candidate keys only.
      if (options.max_width >= 2) {
        for (size_t i = 0; i < config.size(); ++i) {
          const IndexDef& chosen = config[i];
          auto cols = table_columns.find(chosen.table);
          if (cols == table_columns.end()) continue;
          for (const std::string& col : cols->second) {
            if (col == chosen.columns[0]) continue;
            IndexDef pair{chosen.table, {col, chosen.columns[0]}, {}};
            if (allowed.count(pair.Key()) == 0) continue;
            DBARCH_RETURN_IF_ERROR(consider(pair, std::nullopt));
          }
        }
      }
      if (!found) return Status::OK();

      SearchStep step;
      step.added = best_index;
      if (best_replaces) {
        step.replaced = config[*best_replaces];
        config[*best_replaces] = best_index;
      } else {
        config.push_back(best_index);
      }
      used_bytes += best_delta;
      current = best_cost;
      step.cost = current;
      step.size_bytes = used_bytes;
      steps.push_back(std::move(step));
    }
  };
  DBARCH_RETURN_IF_ERROR(greedy(config, used_bytes, current, {}, result.steps));

  // The greedy's last step is often decided by what still fits, not by what is best for the
  // rest of the budget (a knapsack's ending). Take it back once, forbid its index, let the
  // greedy continue from there, and keep whichever ending is cheaper. Mostly cached.
  if (!result.steps.empty()) {
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
    DBARCH_RETURN_IF_ERROR(
        greedy(retry, retry_bytes, retry_cost, {last.added.Key()}, retry_steps));
    if (retry_cost < current) {
      config = std::move(retry);
      used_bytes = retry_bytes;
      current = retry_cost;
      result.steps = std::move(retry_steps);
    }
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

}  // namespace dbarch::advisor
