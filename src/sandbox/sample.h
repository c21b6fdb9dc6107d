// CopySchemaAndSample: makes a sandbox database a small copy of a live one, for measuring
// there what must not be tried on the live server (building indexes, timing queries with and
// without them). The schema is the live server's own (pg::DumpSchemaSql), the data a sample
// of each table read with TABLESAMPLE under a size cap, streamed with COPY TO STDOUT from the
// live session and COPY FROM STDIN into the sandbox, then VACUUM ANALYZE there.
//
// The live session only reads: it must be read-only by default (checked), and its session
// settings (DateStyle, IntervalStyle, TimeZone, extra_float_digits) are set so the COPY text
// reads back unchanged; the caller resets them afterwards if it needs its own. Sampled
// children lose parents of some rows, so rows are loaded with session_replication_role =
// replica: foreign keys and user triggers are not checked or fired in the sandbox (the
// constraints stay in the catalog, so the planner sees the same schema).
//
// Used by `dbarch advise --dsn --verify`. Thread-safety: one call uses both connections
// exclusively for its duration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "pg/connection.h"

namespace dbarch::sandbox {

struct SampleOptions {
  // Cap on the live table bytes (pg_table_size) read into the sandbox, summed over tables.
  // Small tables are copied whole first; the larger ones share the rest with one sampled
  // fraction, so the ratios between them (rows per parent) stay those of the live server.
  int64_t max_bytes = 256'000'000;
  // TABLESAMPLE ... REPEATABLE (seed): the same live data gives the same sample.
  int seed = 1;
  // Tables of at least this many pages are sampled with SYSTEM (whole pages: reads only the
  // sampled pages), smaller ones with BERNOULLI (single rows, reads the whole table).
  int64_t system_min_pages = 1000;
};

// One live table as copied.
struct SampledTable {
  std::string schema;
  std::string name;
  std::string method;         // "all" (copied whole), "SYSTEM" or "BERNOULLI"
  double percent = 100;       // the TABLESAMPLE percentage asked for; 100 for "all"
  int64_t live_rows = 0;      // pg_class.reltuples on the live server (an estimate)
  int64_t live_bytes = 0;     // pg_table_size on the live server
  int64_t sampled_rows = 0;   // rows copied into the sandbox
  int64_t sampled_bytes = 0;  // pg_table_size in the sandbox after the copy
  // sampled_rows / live_rows, 1 when the table was copied whole or the live count is 0.
  double fraction() const;
};

struct SampleResult {
  std::vector<SampledTable> tables;  // by schema, then name
  int64_t max_bytes = 0;             // the cap used
  int64_t live_bytes = 0;            // Σ live_bytes
  int64_t sampled_rows = 0;          // Σ sampled_rows
  double elapsed_ms = 0;             // client wall clock, schema load to ANALYZE
};

// Loads the schema of `live` into `sandbox` (an empty database, superuser session), then a
// sample of every ordinary table and leaf partition outside the system schemas (extension
// tables are left out), sets the sandbox's sequences to the live values, and runs VACUUM
// ANALYZE in the sandbox. Errors: kInternal when `live` is not read-only by default; the
// server errors of either side (kInvalidArgument, kConnection), with the table named.
Result<SampleResult> CopySchemaAndSample(pg::Connection& live, pg::Connection& sandbox,
                                         const SampleOptions& options);

// The TABLESAMPLE percentage for each table of `live_bytes` so the sum stays under
// `max_bytes` (see SampleOptions::max_bytes): 100 for a table copied whole, the same
// fraction for every sampled one. Exposed for tests.
std::vector<double> SamplePercents(const std::vector<int64_t>& live_bytes, int64_t max_bytes);

}  // namespace dbarch::sandbox
