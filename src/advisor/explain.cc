#include "advisor/explain.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dbarch::advisor {
namespace {

// The name under which a generic-plan query is prepared; deallocated after every EXPLAIN.
constexpr const char* kPrepared = "dbarch_generic_plan";

std::string NullArguments(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "NULL" : ", NULL";
  return out;
}

// The "Index Name" values at any depth. An explicit stack, not recursion: the text comes from
// a server, and a deeply nested document must not overflow the call stack.
void CollectIndexNames(const nlohmann::json& root, std::vector<std::string>& out) {
  std::vector<const nlohmann::json*> stack = {&root};
  while (!stack.empty()) {
    const nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (it.key() == "Index Name" && it.value().is_string()) {
          out.push_back(it.value().get<std::string>());
        } else {
          stack.push_back(&it.value());
        }
      }
    } else if (node->is_array()) {
      for (const nlohmann::json& child : *node) stack.push_back(&child);
    }
  }
}

}  // namespace

Result<std::string> ExplainQueryJson(pg::Connection& conn, const workload::Query& query,
                                     const ExplainMode& mode) {
  const bool in_transaction = mode.setup_in_rolled_back_transaction && !query.setup.empty();
  const std::string context = "query \"" + query.name + "\"";
  if (in_transaction) {
    Status begun = conn.ExecScript("BEGIN READ WRITE");
    if (!begun.ok()) return std::move(begun).WithContext("starting the transaction of " + context);
  }
  // Ends the transaction (or runs the teardown) whatever happened before.
  auto finish = [&]() -> Status {
    if (in_transaction) return conn.ExecScript("ROLLBACK");
    Status first;
    for (const std::string& stmt : query.teardown) {
      Status st = conn.ExecScript(stmt);
      if (first.ok() && !st.ok()) first = std::move(st);
    }
    return first;
  };
  for (const std::string& stmt : query.setup) {
    Status st = conn.ExecScript(stmt);
    if (!st.ok()) {
      // Undo what the earlier setup statements made; outside a transaction their teardown
      // may fail for the parts that were never created, which is expected here.
      (void)finish();
      return std::move(st).WithContext("setup of " + context);
    }
  }
  bool prepared = false;
  auto explain = [&]() -> Result<pg::QueryResult> {
    if (!query.generic_plan) {
      const std::string sql = "EXPLAIN (FORMAT JSON) " + query.sql;
      return query.has_params ? conn.ExecParams(sql, query.params) : conn.Exec(sql);
    }
    Status st = conn.ExecScript(std::string("PREPARE ") + kPrepared + " AS " + query.sql +
                                "; SET plan_cache_mode = force_generic_plan");
    if (!st.ok()) return std::move(st).WithContext("preparing the generic plan");
    prepared = true;
    return conn.Exec(std::string("EXPLAIN (FORMAT JSON) EXECUTE ") + kPrepared + "(" +
                     NullArguments(query.params.size()) + ")");
  };
  Result<pg::QueryResult> r = explain();
  Status finished = finish();
  if (prepared) {
    Status st = conn.ExecScript(std::string("DEALLOCATE ") + kPrepared + "; RESET plan_cache_mode");
    if (finished.ok() && !st.ok()) finished = std::move(st);
  }
  if (!r.ok()) return std::move(r).TakeStatus().WithContext("EXPLAIN of " + context);
  if (!finished.ok()) {
    return std::move(finished).WithContext((in_transaction ? "rollback of " : "teardown of ") +
                                           context);
  }
  if (r->rows() < 1 || r->columns() < 1) {
    return Status::Internal("EXPLAIN of " + context + " returned no plan");
  }
  return std::string(r->Get(0, 0));
}

std::optional<std::string> StandaloneExplainSql(const workload::Query& query) {
  if (!query.setup.empty() || !query.teardown.empty() || query.has_params || query.generic_plan) {
    return std::nullopt;
  }
  return "EXPLAIN (FORMAT JSON) " + query.sql;
}

Result<std::vector<std::string>> IndexNamesFromExplainJson(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("EXPLAIN output is not JSON");
  std::vector<std::string> names;
  CollectIndexNames(doc, names);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace dbarch::advisor
