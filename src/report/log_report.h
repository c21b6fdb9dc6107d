// Rendering of `dbarch workload` (the groups read from server logs, workload/log_reader.h):
// a text summary with the top groups by total time, mean time, calls and errors, and JSON
// (a "summary" object and a "groups" array sorted by total time; stable field names: API for
// scripts). Pure functions of their input; thread-safe.
#pragma once

#include <string>

#include "workload/log_reader.h"

namespace dbarch::report {

struct LogReportOptions {
  // Groups shown per text section and listed in JSON; 0: all (JSON), 10 (text).
  int top = 0;
};

// The text summary: the log (files, lines, time covered, malformed lines with file:line),
// the statement totals, then the top groups by total time, by mean duration, by calls and by
// errors (the last only when there are errors), and the split by database, user and
// application.
std::string LogReportToText(const workload::LogReport& report, const LogReportOptions& options);

// {"summary": {...}, "groups": [{"fingerprint", "query", "calls", "total_ms", "mean_ms",
// "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", ...}]}: groups sorted by total time.
std::string LogReportToJson(const workload::LogReport& report, const LogReportOptions& options);

}  // namespace dbarch::report
