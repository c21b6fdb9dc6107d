// Runs a workload on a PostgreSQL session and measures it: per query one warm-up run, then
// N timed runs (client-side steady clock around the execution; result rows are fetched and
// dropped), then one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON). Every run is bounded by
// statement_timeout, so a slow query is reported as a timeout and never hangs the run.
// Used by the bench CLI. A runner call uses the connection exclusively; not thread-safe
// beyond that.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "measure/measurement.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::measure {

struct RunOptions {
  int runs = 5;            // timed runs per query; >= 1
  int timeout_ms = 30000;  // statement_timeout of each statement; > 0
  // Wrap each query's setup, runs and teardown in a transaction that is rolled back, and
  // each execution (warm-up, timed runs, EXPLAIN ANALYZE) in a savepoint rolled back right
  // after it, so every run of an INSERT / UPDATE / DELETE sees the same data. Live servers
  // (the session stays read-only; setup DDL then fails and is reported as the query's
  // error) and workloads that write. false: the statements just run.
  bool rollback_each_query = false;
  std::string label = "base";
  // Called before each query with its name (progress display); may be empty.
  std::function<void(const std::string&)> on_query;
  // Monotonic clock in nanoseconds; empty means std::chrono::steady_clock (tests inject).
  std::function<int64_t()> now_ns;
};

// Measures every query of `workload` on `conn`. Query failures (server errors, timeouts) are
// recorded in the result, not returned; the Status is an error only for a lost connection
// (kConnection) or bad options (kInvalidArgument). The session's statement_timeout is left at
// options.timeout_ms.
Result<WorkloadMeasurement> RunWorkload(pg::Connection& conn, const workload::Workload& workload,
                                        const RunOptions& options);

}  // namespace dbarch::measure
