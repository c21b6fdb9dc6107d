// Fuzz target: the readers of EXPLAIN (FORMAT JSON) text: the advisor's total cost and index
// names (advisor/whatif.h, advisor/explain.h) and measure/'s plan summary. A server can send
// any JSON; an odd shape must be a Status, never an exception, crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "advisor/explain.h"
#include "advisor/whatif.h"
#include "measure/plan_summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)advisor::TotalCostFromExplainJson(json);
  (void)advisor::IndexNamesFromExplainJson(json);
  (void)measure::SummarizeExplainJson(json);
  return 0;
}
