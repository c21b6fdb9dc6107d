// Rendering of `dbarch bench` results: an aligned text table, JSON (sorted keys, stable
// field names: API for scripts) and a Markdown table for a design document. Pure functions
// of their input; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measure/measurement.h"

namespace dbarch::report {

// Everything one bench run measured.
struct BenchReport {
  // Where it ran: "sandbox (PostgreSQL 15)" or the server's display name (no password).
  std::string target;
  // --setting name=value pairs given for the sandbox, in command-line order.
  std::vector<std::pair<std::string, std::string>> settings;
  measure::WorkloadMeasurement base;
  // The run after --compare's statements were applied; absent without --compare.
  std::optional<measure::WorkloadMeasurement> compare;
};

// "12.3 ms", "0.457 ms", "1.23 s": three significant digits.
std::string FormatDuration(double ms);
// "timeout (>30 s)" for a statement_timeout of 30000 ms.
std::string FormatTimeout(int timeout_ms);

// Columns: query, weight, median, p95, rows, buffers hit/read, top node, indexes; with a
// comparison: base median, compare median, speed-up, then the compare run's plan figures.
// A header line names the target and settings; footer lines give the weighted totals.
std::string BenchToText(const BenchReport& report);

// {"target", "settings": {name: value}, "runs", "timeout_ms", "queries": [{"name",
//  "weight", "outcome", "error", "runs_ms", "median_ms", "p95_ms", "rows", "plan": {...} |
//  null, "compare": {...} | absent, "speed_up": x | null | absent}], "weighted_total_ms",
//  "complete", "compare": {"label", "weighted_total_ms", "complete", "weighted_speed_up"} |
//  absent}. Keys sorted; times in milliseconds.
std::string BenchToJson(const BenchReport& report);

// The text table's columns as a GitHub-flavoured Markdown table plus the totals.
std::string BenchToMarkdown(const BenchReport& report);

}  // namespace dbarch::report
