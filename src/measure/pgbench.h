// Runs PostgreSQL's own benchmark client, pgbench, against a database and reads its figures:
// `InitPgbench` creates and fills the pgbench tables at a scale factor (pgbench -i), and
// `RunPgbench` runs the built-in TPC-B-like or select-only script for a fixed time and returns
// throughput and average latency as pgbench measured them. Used by `dbarch tune --verify`
// (ops/tune_verify.h) on sandboxes; dbarch never runs pgbench against a --dsn server.
//
// pgbench runs as a child process with a fixed minimal environment (no PG* variables of the
// caller), its output captured. Thread-safety: the functions share no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace dbarch::measure {

enum class PgbenchScript {
  kTpcB,        // the built-in "TPC-B (sort of)": 3 UPDATEs, 1 SELECT, 1 INSERT per transaction
  kSelectOnly,  // the built-in "select-only": one primary-key lookup per transaction
};
// "tpcb", "select-only".
std::string_view PgbenchScriptName(PgbenchScript script);

struct PgbenchOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";  // holds the pgbench program
  std::string conninfo;  // libpq conninfo of the database holding the pgbench tables
  PgbenchScript script = PgbenchScript::kTpcB;
  int clients = 1;      // concurrent sessions (-c); >= 1
  int threads = 1;      // client threads (-j); >= 1, at most `clients`
  int duration_s = 10;  // -T; >= 1
};

struct PgbenchFigures {
  double tps = 0;             // transactions per second, without connection time
  double latency_avg_ms = 0;  // average transaction latency
  int64_t transactions = 0;   // transactions processed
  int64_t failed = 0;         // failed transactions (serialization / deadlock retries off)
};

// Parses the summary pgbench 15 prints ("tps = ...", "latency average = ... ms", "number of
// transactions actually processed: ..."). kParseError naming the missing line.
Result<PgbenchFigures> ParsePgbenchSummary(std::string_view output);

// pgbench -i -s `scale` -q: creates the four tables, fills them (100,000 accounts per scale
// unit, about 15 MB) and vacuums them. Requires: scale >= 1. Errors: kNotFound (no pgbench in
// bin_dir), kInternal (pgbench failed; the message ends with its output's tail).
Status InitPgbench(const std::string& bin_dir, const std::string& conninfo, int scale);

// Runs pgbench with `options` and parses its summary. TPC-B runs first vacuum the small
// tables and truncate the history (pgbench's default); select-only runs skip that (-n).
// Errors: kInvalidArgument (bad options), kNotFound, kInternal (pgbench failed or printed no
// summary; the message ends with its output's tail).
Result<PgbenchFigures> RunPgbench(const PgbenchOptions& options);

}  // namespace dbarch::measure
