// Snapshots of a server's pg_stat_statements and the activity between two of them.
// pg_stat_statements only holds counters since its last reset, so "what ran between 10:00
// and 10:15" is the difference of two snapshots. Used by `dbarch workload --dsn`
// (--save-snapshot FILE, --since SNAPSHOT.json).
//
// How a difference treats what can happen between two snapshots:
// - pg_stat_statements_reset() of everything (pg_stat_statements_info.stats_reset moved, or
//   a restart without pg_stat_statements.save): the counters restarted inside the window,
//   so each entry of the later snapshot counts whole (the activity between the first
//   snapshot and the reset is lost) and the window starts at the reset; a note says so.
// - An entry absent from the earlier snapshot started inside the window: it counts whole.
// - An entry whose counters went down was deallocated (pg_stat_statements.max reached) or
//   reset on its own and came back: it counts whole, flagged `restarted`, and is counted in a
//   note, since the activity before it came back is lost.
// - An entry of the earlier snapshot absent from the later one was deallocated or reset: its
//   activity in the window is unknown; the number of such entries is in a note.
// - pg_stat_statements_info.dealloc grew: a note says how many deallocations happened (some
//   statements' figures are missing or partial) and what to do about it.
// - Snapshots of another server (system identifier) or in the wrong order are an error.
//
// Thread-safety: TakeStatSnapshot uses its connection exclusively; the rest is pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "pg/connection.h"

namespace dbarch::workload {

// The counters of one pg_stat_statements entry (one user, database, queryid, top level).
// Times are in milliseconds. Counters the installed extension version lacks are 0.
struct StatCounters {
  int64_t calls = 0;
  double total_exec_ms = 0;
  int64_t rows = 0;
  int64_t plans = 0;
  double total_plan_ms = 0;
  int64_t shared_blks_hit = 0;
  int64_t shared_blks_read = 0;
  int64_t shared_blks_dirtied = 0;
  int64_t shared_blks_written = 0;
  int64_t temp_blks_read = 0;
  int64_t temp_blks_written = 0;
  double blk_read_ms = 0;
  double blk_write_ms = 0;
  int64_t wal_bytes = 0;
};

struct StatEntry {
  std::string userid;  // oids as text: the key, with queryid and toplevel
  std::string dbid;
  std::string queryid;
  bool toplevel = true;
  std::string user;  // role and database names (the oid when the object was dropped)
  std::string database;
  std::string query;  // "<insufficient privilege>" without pg_read_all_stats
  StatCounters counters;
  bool restarted = false;  // (differences only) the entry's counters restarted in the window
};

struct StatSnapshot {
  std::string taken_at;           // the server's now() as text
  double taken_at_epoch = 0;      // seconds since 1970 (extract(epoch from now()))
  std::string server;             // host, port and database of the connection (no password)
  std::string system_identifier;  // pg_control_system(); "" when the session may not read it
  int server_version_num = 0;
  std::string extension_version;  // of pg_stat_statements
  std::string stats_reset;        // pg_stat_statements_info.stats_reset
  double stats_reset_epoch = 0;
  int64_t dealloc = 0;             // pg_stat_statements_info.dealloc
  std::string postmaster_start;    // pg_postmaster_start_time()
  int64_t max_entries = 0;         // pg_stat_statements.max
  std::vector<StatEntry> entries;  // by (dbid, userid, queryid, toplevel)
};

// The activity of a window: cumulative figures since the reset (one snapshot) or the
// difference of two snapshots.
struct StatWindow {
  std::string from;  // start of the window: earlier snapshot's taken_at, or stats_reset
  std::string to;
  double seconds = 0;
  bool since_reset = false;        // the figures count from a stats reset, not from a snapshot
  std::vector<StatEntry> entries;  // with calls or plans in the window; by decreasing
                                   // total_exec_ms, then calls, then key
  int64_t new_entries = 0;         // absent from the earlier snapshot
  int64_t restarted_entries = 0;   // counters went down
  int64_t vanished_entries = 0;    // in the earlier snapshot only
  int64_t deallocations = 0;       // growth of pg_stat_statements_info.dealloc
  std::vector<std::string> notes;  // what was done about resets and deallocation, in words
  StatCounters total;              // sum over entries
};

// Reads every entry of pg_stat_statements (all databases and users the session may see)
// plus pg_stat_statements_info. Read-only. Errors: kNotFound when the extension is not
// installed in the connected database or not loaded (the hint says what to do); another
// server error as kInvalidArgument; kConnection.
Result<StatSnapshot> TakeStatSnapshot(pg::Connection& conn);

// The snapshot as JSON ({"format": "dbarch-pgss-snapshot", "version": 1, ...}); read back
// by StatSnapshotFromJson to an equal snapshot.
std::string StatSnapshotToJson(const StatSnapshot& snapshot);

// Parses StatSnapshotToJson's text; `name` (a file name) prefixes the messages.
// kInvalidArgument when the text is not such a snapshot.
Result<StatSnapshot> StatSnapshotFromJson(std::string_view text, const std::string& name);

// The figures since the last reset of one snapshot.
StatWindow CumulativeWindow(const StatSnapshot& snapshot);

// The activity between `before` and `after` (rules in the header comment). Errors:
// kInvalidArgument when they come from different servers or `after` is older than `before`.
Result<StatWindow> DiffStatSnapshots(const StatSnapshot& before, const StatSnapshot& after);

}  // namespace dbarch::workload
