// The real workload of a PostgreSQL 15 server read from its logs: every statement the
// server logged (log_min_duration_statement, log_statement, log_duration), grouped by
// libpg_query fingerprint (constants, IN-lists and $n merged as the fingerprint does), with
// calls, durations (total, mean, quantiles, max), errors, lock waits and temporary files per
// group, split by database, user and application, plus a few real sample statements with
// their parameter values. Reads the stderr format with any log_line_prefix, csvlog and
// jsonlog; plain, gzip or zstd; several files; standard input ("-").
//
// How it stays fast: one thread reads (and decompresses) blocks of whole log records, the
// other threads parse them. A statement's text is first reduced to a mask (query_mask.h) and
// libpg_query is called once per distinct mask, not once per statement. Memory is bounded by
// the number of distinct groups (plus a bounded mask cache), not by the size of the log.
//
// What counts as a statement (the same as pgbadger's count of queries): each "statement:"
// and "execute <name>:" log entry, with or without a duration. "parse <name>:" and
// "bind <name>:" durations are counted separately, not as statements; a bare "duration:"
// entry (log_duration with log_statement) adds its time to the last statement of the same
// process. A statement logged with log_statement and then failing counts once as a call and
// once as an error of its group; an ERROR with a STATEMENT counts as an error of the group.
//
// Malformed lines (no matching prefix, a CSV row with the wrong number of fields, JSON that
// does not parse, a last line without its newline) are counted and listed with their file
// and line number; they never stop the reading.
//
// Thread-safety: ReadLogs starts and joins its own threads; it may be called from any
// thread. The result is a plain value. Output is deterministic: it does not depend on the
// number of threads or on how blocks were split.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "workload/duration_sketch.h"

namespace dbarch::workload {

enum class LogFormat { kAuto, kStderr, kCsv, kJson };

struct LogReadOptions {
  // kAuto: per file, from the name (.csv, .json, also before .gz/.zst) or else the content.
  LogFormat format = LogFormat::kAuto;
  // The log_line_prefix of stderr logs; empty: detected per file from its first lines.
  std::string prefix;
  // Only entries of this database are read (the others are counted in
  // other_database_entries); empty: all databases.
  std::string database;
  // Parsing threads (besides the reading thread); 0: one per hardware thread.
  int threads = 0;
  // Real sample statements kept per group (>= 0).
  int samples_per_group = 3;
  // Malformed lines listed (all are counted).
  int malformed_listed = 20;
  // Called from the reading thread after each block: bytes read so far and the total
  // size of the inputs (0 when unknown, e.g. standard input). May be empty.
  std::function<void(uint64_t done_bytes, uint64_t total_bytes)> on_progress;
};

struct MalformedLine {
  std::string file;
  uint64_t line = 0;  // 1-based
  std::string reason;
};

// Calls and time of one database, user or application.
struct UsageCount {
  std::string name;  // "" when the log does not say
  int64_t calls = 0;
  double total_ms = 0;
};

// One real statement of a group, as logged.
struct SampleStatement {
  std::string text;  // the statement text as executed (with its literals or $n)
  // Values of $1, $2, ... from "DETAIL:  parameters:" (nullopt: NULL); empty when none.
  std::vector<std::optional<std::string>> params;
  std::string database;
  std::string user;
  uint64_t key = 0;  // selection key: samples with the smallest keys are kept (deterministic)
};

struct LogGroup {
  std::string fingerprint;  // 16 hex digits (libpg_query); "m" + 15 hex digits when the text
                            // did not parse and the group is keyed by its masked text
  bool parsed = true;       // false: libpg_query could not fingerprint the text
  std::string normalized;   // constants as $n (pg_stat_statements style); utility statements
                            // and texts that do not normalize are kept as logged
  int64_t calls = 0;        // statements executed (with or without a logged duration)
  int64_t timed_calls = 0;  // those with a duration
  double total_ms = 0;
  DurationSketch durations;
  int64_t errors = 0;       // ERROR / FATAL entries whose STATEMENT is in this group
  std::string first_error;  // the message of the first such error (in log order)
  int64_t lock_waits = 0;   // "still waiting for" entries with their STATEMENT in this group
  int64_t temp_files = 0;   // temporary files created by this group's statements
  int64_t temp_bytes = 0;
  std::vector<UsageCount> by_database;     // sorted by name
  std::vector<UsageCount> by_user;         // sorted by name
  std::vector<UsageCount> by_application;  // sorted by name
  std::vector<SampleStatement> samples;    // by key; at most samples_per_group

  double mean_ms() const {
    return timed_calls == 0 ? 0 : total_ms / static_cast<double>(timed_calls);
  }
};

// The activity of one minute of the log (the timestamp's "YYYY-MM-DD HH:MM", in the
// time zone the server logged). Events as in LogSummary; statements counted by the minute
// their entry was logged (for a statement with a duration: when it finished).
struct TimeBucket {
  std::string minute;  // "2026-03-01 10:00"
  int64_t statements = 0;
  int64_t timed_statements = 0;
  double total_ms = 0;
  int64_t errors = 0;
  int64_t lock_waits = 0;
  int64_t temp_files = 0;
  int64_t temp_bytes = 0;
  int64_t connections = 0;
  int64_t disconnections = 0;
  int64_t checkpoints = 0;
  int64_t autovacuums = 0;
};

// Upper bounds (exclusive) of the buckets of LogSummary::duration_histogram, in ms; the
// last bucket has no upper bound.
inline constexpr double kDurationHistogramEdgesMs[] = {0.1, 0.3, 1,   3,    10,
                                                       30,  100, 300, 1000, 10000};
inline constexpr size_t kDurationHistogramBuckets = std::size(kDurationHistogramEdgesMs) + 1;

struct LogSummary {
  std::vector<std::string> files;
  uint64_t bytes = 0;  // decompressed bytes read
  uint64_t lines = 0;
  int64_t statements = 0;  // sum of the groups' calls
  int64_t timed_statements = 0;
  double total_ms = 0;     // sum of the statements' durations
  int64_t parse_bind = 0;  // "parse"/"bind" duration entries (extended protocol)
  double parse_bind_ms = 0;
  int64_t unattributed_durations = 0;  // bare "duration:" entries without a statement
  int64_t errors = 0;                  // ERROR, FATAL and PANIC entries
  int64_t errors_with_statement = 0;
  int64_t connections = 0;  // "connection authorized"
  int64_t disconnections = 0;
  int64_t checkpoints = 0;  // "checkpoint starting"
  int64_t autovacuums = 0;  // "automatic vacuum" and "automatic analyze"
  int64_t lock_waits = 0;   // "still waiting for"
  int64_t temp_files = 0;
  int64_t temp_bytes = 0;
  std::string first_timestamp;  // as logged; "" when no entry had one
  std::string last_timestamp;
  double covered_seconds = 0;          // last - first (0 when unknown)
  int64_t other_database_entries = 0;  // left out by LogReadOptions::database
  int64_t malformed_lines = 0;
  std::vector<MalformedLine> malformed;  // the first ones in file and line order
  std::vector<UsageCount> by_database;   // by decreasing total_ms, then name
  std::vector<UsageCount> by_user;
  std::vector<UsageCount> by_application;
  // Per minute, in time order; only entries whose timestamp starts "YYYY-MM-DD HH:MM"
  // (%t, %m, csvlog, jsonlog; not %n epochs) are counted here.
  std::vector<TimeBucket> per_minute;
  // Statements (and bare log_duration times) by duration: bucket i counts durations below
  // kDurationHistogramEdgesMs[i] and at or above the previous edge.
  std::vector<int64_t> duration_histogram = std::vector<int64_t>(kDurationHistogramBuckets, 0);
};

struct LogReport {
  LogSummary summary;
  // By decreasing total_ms, then decreasing calls, then fingerprint.
  std::vector<LogGroup> groups;
};

// Reads the log files `paths` in order ("-" is standard input). Errors: kIO for a file
// that cannot be read, kInvalidArgument for corrupt compressed data, a bad `prefix` or a
// stderr log whose prefix cannot be detected. Malformed lines are not errors.
Result<LogReport> ReadLogs(const std::vector<std::string>& paths, const LogReadOptions& options);

// Parses the value of "DETAIL:  parameters: $1 = '42', $2 = NULL" (after "parameters: ")
// into values for $1, $2, ...; nullopt when the text is not such a list. Pure.
std::optional<std::vector<std::optional<std::string>>> ParseLoggedParameters(std::string_view text);

// The seconds between two timestamps as logged ("2026-01-31 10:00:00.123 UTC"), ignoring
// the time zone; nullopt when either does not parse. Pure.
std::optional<double> SecondsBetween(std::string_view first, std::string_view last);

}  // namespace dbarch::workload
