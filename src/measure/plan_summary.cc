#include "measure/plan_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace dbarch::measure {
namespace {

using nlohmann::json;

// The "Index Name" values at any depth. An explicit stack, not recursion: the text comes from
// a server, and a deeply nested document must not overflow the call stack.
void CollectIndexes(const json& root, std::set<std::string>& out) {
  std::vector<const json*> stack = {&root};
  while (!stack.empty()) {
    const json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (it.key() == "Index Name" && it.value().is_string()) {
          out.insert(it.value().get<std::string>());
        } else {
          stack.push_back(&it.value());
        }
      }
    } else if (node->is_array()) {
      for (const json& child : *node) stack.push_back(&child);
    }
  }
}

// A count field as int64: 0 when missing or not a number, clamped to int64's range (a double
// outside it, or an unsigned above INT64_MAX, cannot be converted as is).
int64_t IntField(const json& node, const char* key) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    return u > static_cast<uint64_t>(kMax) ? kMax : static_cast<int64_t>(u);
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  double d = it->get<double>();
  if (std::isnan(d)) return 0;
  if (d >= 0x1p63) return kMax;  // 2^63 = kMax + 1, exactly representable
  if (d < -0x1p63) return kMin;
  return static_cast<int64_t>(d);
}

}  // namespace

Result<PlanSummary> SummarizeExplainJson(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("EXPLAIN output is not JSON");
  // A reference, not a copy: copying a json value recurses as deep as it nests.
  const json& top = doc.is_array() && !doc.empty() ? doc[0] : doc;
  if (!top.is_object() || !top.contains("Plan") || !top["Plan"].is_object()) {
    return Status::InvalidArgument("EXPLAIN output has no \"Plan\"");
  }
  const json& plan = top["Plan"];
  PlanSummary out;
  if (auto it = plan.find("Node Type"); it != plan.end() && it->is_string()) {
    out.top_node = it->get<std::string>();
  }
  out.rows = IntField(plan, "Actual Rows");
  out.shared_hit_blocks = IntField(plan, "Shared Hit Blocks");
  out.shared_read_blocks = IntField(plan, "Shared Read Blocks");
  if (auto it = top.find("Execution Time"); it != top.end() && it->is_number()) {
    out.execution_ms = it->get<double>();
  }
  std::set<std::string> indexes;
  CollectIndexes(plan, indexes);
  out.indexes.assign(indexes.begin(), indexes.end());
  return out;
}

}  // namespace dbarch::measure
