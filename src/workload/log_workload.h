// Turns the groups read from a server log (log_reader.h) into a Workload for `advise` and
// `bench`: one query per group of SELECT / INSERT / UPDATE / DELETE / MERGE statements that
// read a table (the rules of stat_statements.h's WorkloadSkipReason: no utility statements,
// no catalog reads, no HypoPG calls, no table-less SELECT such as pg_sleep),
// with the group's normalized text, weight = calls and the real values of one logged
// statement as sample parameters. Used by `dbarch workload --emit-workload`. Pure;
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "workload/log_reader.h"
#include "workload/workload.h"

namespace dbarch::workload {

struct LogWorkloadOptions {
  // Query groups kept at most, by decreasing total time (then calls); >= 1.
  int top = 50;
};

struct LogWorkload {
  Workload workload;
  // Groups left out and why ("utility statement", "no sample values"), by fingerprint.
  std::vector<std::pair<std::string, std::string>> skipped;
};

// The workload of `report`'s query groups (in report order), named "log <fingerprint>".
// The SQL is the normalized text (repaired as RepairNormalizedText does, so that it plans
// on the server) with the constants of the group's first sample as parameters, plus that
// sample's logged $n values for a prepared statement. When the constants cannot be
// recovered, the sample statement itself (with its literals) is the query.
LogWorkload WorkloadFromLog(const LogReport& report, const LogWorkloadOptions& options);

// The workload file text of `workload` (docs/bench.md): a header comment `header` (each
// line prefixed with "-- "), then per query its "-- name:", "-- weight:", "-- params:"
// lines and the statement with its ';'. ParseWorkload reads it back to the same queries.
std::string FormatWorkloadFile(const Workload& workload, const std::string& header);

}  // namespace dbarch::workload

namespace dbarch::workload {

// The log files of `paths` in reading order. A file is kept as given; a directory is read
// as a set of rotated logs: its files named *.log, *.csv or *.json, also with a rotation
// number (postgresql.log.1) and .gz / .zst, oldest first (name order, a higher rotation
// number first). When a directory holds several formats of the same log
// (log_destination = 'stderr,csvlog'), one is read (csvlog, else jsonlog, else stderr; the
// `format` given wins) and `notes` says which files were left out. Errors: kIO for a path
// that does not exist; kInvalidArgument for a directory without log files.
struct LogFileSet {
  std::vector<std::string> files;
  std::vector<std::string> notes;
};
Result<LogFileSet> ExpandLogPaths(const std::vector<std::string>& paths, LogFormat format);

// What `advise` and `bench` read with --workload-from: "pg_stat_statements" (or "pgss",
// also with a final ':') and
// "log:PATH" values; a value without a "kind:" prefix after a log: value is one more log
// path (--workload-from log:a.log b.log.1). Errors: kInvalidArgument naming the bad value.
struct WorkloadFrom {
  bool stat_statements = false;
  std::vector<std::string> log_paths;
};
Result<WorkloadFrom> ParseWorkloadFrom(const std::vector<std::string>& values);

// Reads the logs of `paths` (ExpandLogPaths, then ReadLogs with `read`) and returns the
// workload of their query groups (WorkloadFromLog with `options`). Errors: those of
// ExpandLogPaths and ReadLogs; kInvalidArgument when the logs hold no query to keep.
Result<LogWorkload> LoadLogWorkload(const std::vector<std::string>& paths,
                                    const LogReadOptions& read, const LogWorkloadOptions& options);

}  // namespace dbarch::workload
