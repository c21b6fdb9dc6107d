// Rendering of `dbarch workload --dsn` (pg_stat_statements over a window, workload/
// stat_snapshot.h): a text summary with the notes on resets and deallocation and the top
// statements by total time, calls, blocks read and temporary blocks written; and JSON
// (stable field names: API for scripts). Pure functions of their input; thread-safe.
#pragma once

#include <string>

#include "workload/stat_snapshot.h"

namespace dbarch::report {

struct StatReportOptions {
  // Statements per text section (0: 10) and in JSON (0: all).
  int top = 0;
  std::string server;  // the server's display name (no password); "" leaves it out
};

// The window (from, to, seconds), its notes, the totals, then the top statements by total
// execution time, by calls, by shared blocks read and by temporary blocks written (only when
// some were written), and calls and time per database and user.
std::string StatWindowToText(const workload::StatWindow& window, const StatReportOptions& options);

// {"source": "pg_stat_statements", "server", "window": {"from", "to", "seconds",
// "since_reset"}, "notes": [...], "summary": {"entries", "calls", "total_exec_ms", ...,
// "new_entries", "restarted_entries", "vanished_entries", "deallocations"},
// "statements": [{"queryid", "toplevel", "database", "user", "query", "calls",
// "total_exec_ms", "mean_ms", "rows", ..., "restarted"}]}: statements by total time.
std::string StatWindowToJson(const workload::StatWindow& window, const StatReportOptions& options);

}  // namespace dbarch::report
