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
