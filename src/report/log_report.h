// Rendering of `dbarch workload` (the groups read from server logs, workload/log_reader.h):
// a text summary with the top groups by total time, mean time, calls and errors, and JSON
// (a "summary" object and a "groups" array sorted by total time; stable field names: API for
// scripts). Pure functions of their input; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "workload/log_reader.h"

namespace dbarch::report {

struct LogReportOptions {
  // Groups shown per text section and listed in JSON; 0: all (JSON), 10 (text).
  int top = 0;
};

// The text summary: the log (files, lines, time covered, malformed lines with file:line),
// the statement totals, then the top groups by total time, by mean duration, by calls and by
// errors, lock waits and temporary file bytes (each only when there are some), the busiest
// minutes, the duration histogram, and the split by database, user and application.
std::string LogReportToText(const workload::LogReport& report, const LogReportOptions& options);

// Number and text formatting shared by the text, JSON and HTML renderings of log reports.
namespace log_format {
// Milliseconds rounded to microseconds (JSON without binary noise).
double Ms(double ms);
// 1234567 -> "1,234,567".
std::string Thousands(int64_t v);
// "120 ms", "9.000 ms", "12.5 s".
std::string FormatMs(double ms);
// "8.0 kB", "1.2 GB".
std::string FormatBytes(uint64_t bytes);
// `sql` on one line, blanks collapsed, cut at `width` characters (UTF-8 aware) with "...".
std::string OneLine(const std::string& sql, size_t width);
}  // namespace log_format

// The label of bucket `i` of LogSummary::duration_histogram ("< 0.1 ms", "1 ms - 3 ms",
// ">= 10 s").
std::string HistogramLabel(size_t i);

// {"summary": {...}, "groups": [{"fingerprint", "query", "calls", "total_ms", "mean_ms",
// "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors", ...}]}: groups sorted by total time.
std::string LogReportToJson(const workload::LogReport& report, const LogReportOptions& options);

}  // namespace dbarch::report
