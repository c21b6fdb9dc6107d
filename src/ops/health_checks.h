// The individual health checks behind RunHealthChecks (health.h): one function per check,
// each running a few read-only catalog queries and adding measurements to its result.
// Internal to ops/; single-threaded like the connection it uses.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "ops/health.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

struct CheckContext {
  pg::Connection& conn;
  const HealthOptions& options;
  HealthCheckResult& result;  // thresholds and info already set
  HealthReport& report;       // for checks that record more than findings (sizes)

  // Adds a measurement classified with the result's thresholds.
  Measurement& Add(std::string object, double value, std::string message);
};

// Runs the check named `name` (one of AllHealthChecks()). A server error is returned as
// kInvalidArgument (the caller records it as the check's error); kConnection means the
// session is gone.
Status RunCheck(std::string_view name, CheckContext& ctx);

// "3 h 12 min", "45 s", "2.5 s": a duration for messages.
std::string FormatSeconds(double seconds);
// "1.5 GB", "640 kB", "12 bytes" (powers of 1024, as pg_size_pretty).
std::string FormatSize(double bytes);

}  // namespace dbarch::ops
