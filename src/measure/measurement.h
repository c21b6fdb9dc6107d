// The figures of a measured workload run (measure/runner.h): per query its latencies, the
// plan summary of one EXPLAIN ANALYZE, and the outcome (ok, timeout, error). Plain values,
// produced by measure/ and rendered by report/bench_report.h. Thread-safety: values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dbarch::measure {

// What one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) said about a query.
struct PlanSummary {
  std::string top_node;              // "Sort", "Hash Join", ... of the plan's root
  int64_t rows = 0;                  // actual rows of the root node
  int64_t shared_hit_blocks = 0;     // shared buffers found in cache (whole plan)
  int64_t shared_read_blocks = 0;    // shared buffers read from the OS (whole plan)
  std::vector<std::string> indexes;  // every "Index Name" in the plan, sorted, unique
  double execution_ms = 0;           // the server's "Execution Time"
};

enum class Outcome {
  kOk,       // warm-up and every timed run finished
  kTimeout,  // a run hit statement_timeout; the remaining runs were skipped
  kError,    // the server rejected the query or its setup (message in `error`)
};

// "ok", "timeout", "error".
const char* OutcomeName(Outcome outcome);

struct QueryMeasurement {
  std::string name;
  double weight = 1;
  Outcome outcome = Outcome::kOk;
  std::string error;                // kError: the server's message
  std::vector<double> runs_ms;      // the timed runs (client-side wall clock), in run order
  double median_ms = 0;             // of runs_ms; 0 unless kOk
  double p95_ms = 0;                // nearest-rank 95th percentile of runs_ms; 0 unless kOk
  int64_t rows = 0;                 // rows the query returned (last timed run)
  std::optional<PlanSummary> plan;  // absent when EXPLAIN did not finish
};

struct WorkloadMeasurement {
  std::string label;                      // "base", or the --compare file
  std::vector<QueryMeasurement> queries;  // in workload order
  int runs = 0;                           // timed runs per query
  int timeout_ms = 0;                     // statement_timeout per run
  // Σ weight × median over the queries that finished (kOk).
  double weighted_total_ms = 0;
  // True when every query finished (so weighted_total_ms covers the whole workload).
  bool complete = true;
};

// Median (mean of the two middle values for an even count) and nearest-rank percentile
// `p` in (0, 100] of `values`. Both 0 for an empty input.
double Median(std::vector<double> values);
double Percentile(std::vector<double> values, double p);

// Base median / compare median per query (nullopt unless both finished), and the
// weighted-workload speed-up over the queries that finished in both runs (nullopt when
// none did). Requires: both measured the same workload (same query order).
std::vector<std::optional<double>> QuerySpeedUps(const WorkloadMeasurement& base,
                                                 const WorkloadMeasurement& compare);
std::optional<double> WeightedSpeedUp(const WorkloadMeasurement& base,
                                      const WorkloadMeasurement& compare);

}  // namespace dbarch::measure
