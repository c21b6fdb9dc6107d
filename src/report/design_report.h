// Formats a design::DesignResult: the Markdown design document (choices with their reasons,
// ER diagram, data dictionary, indexes with their rationale, access patterns with their
// sample query and measured median / p95, what advise would add after the fact), the
// access-pattern workload file (a `dbarch bench` / `advise` workload), a short text summary
// and JSON. Deterministic for a given result. Pure functions; thread-safe.
#pragma once

#include <string>

#include "design/design.h"

namespace dbarch::report {

struct DesignDocumentOptions {
  // Replace measured times with "~" (golden files compare documents across machines).
  bool mask_timings = false;
};

std::string DesignDocument(const design::DesignResult& result,
                           const DesignDocumentOptions& options = {});
// The sample queries as a workload file: "-- name:", "-- weight:", "-- params:" per query.
std::string DesignWorkload(const design::DesignResult& result);
std::string DesignText(const design::DesignResult& result, const std::string& out_dir);
std::string DesignJson(const design::DesignResult& result, const std::string& out_dir);

}  // namespace dbarch::report
