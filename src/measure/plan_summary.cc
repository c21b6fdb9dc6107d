#include "measure/plan_summary.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace dbarch::measure {
namespace {

using nlohmann::json;

void CollectIndexes(const json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "Index Name" && it.value().is_string()) {
        out.insert(it.value().get<std::string>());
      } else {
        CollectIndexes(it.value(), out);
      }
    }
  } else if (node.is_array()) {
    for (const json& child : node) CollectIndexes(child, out);
  }
}

int64_t IntField(const json& node, const char* key) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return 0;
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

}  // namespace

Result<PlanSummary> SummarizeExplainJson(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("EXPLAIN output is not JSON");
  if (doc.is_array() && !doc.empty()) doc = doc[0];
  if (!doc.is_object() || !doc.contains("Plan") || !doc["Plan"].is_object()) {
    return Status::InvalidArgument("EXPLAIN output has no \"Plan\"");
  }
  const json& plan = doc["Plan"];
  PlanSummary out;
  if (auto it = plan.find("Node Type"); it != plan.end() && it->is_string()) {
    out.top_node = it->get<std::string>();
  }
  out.rows = IntField(plan, "Actual Rows");
  out.shared_hit_blocks = IntField(plan, "Shared Hit Blocks");
  out.shared_read_blocks = IntField(plan, "Shared Read Blocks");
  if (auto it = doc.find("Execution Time"); it != doc.end() && it->is_number()) {
    out.execution_ms = it->get<double>();
  }
  std::set<std::string> indexes;
  CollectIndexes(plan, indexes);
  out.indexes.assign(indexes.begin(), indexes.end());
  return out;
}

}  // namespace dbarch::measure
