// Reads the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) into a PlanSummary: the root
// node's type and actual rows, shared-buffer hits and reads, every index the plan used.
// Used by the runner (runner.h); pure function, thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "measure/measurement.h"

namespace dbarch::measure {

// `json` is the single text cell EXPLAIN ... FORMAT JSON returns. Indexes are the values of
// every "Index Name" key at any depth (Index Scan, Index Only Scan, Bitmap Index Scan),
// sorted and without duplicates. kInvalidArgument when the text is not such a plan.
Result<PlanSummary> SummarizeExplainJson(std::string_view json);

}  // namespace dbarch::measure
