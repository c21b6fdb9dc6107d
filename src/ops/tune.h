// Configuration tuning (`dbarch tune`): postgresql.conf settings for a machine (memory, CPUs,
// storage) and a workload kind, adjusted by what a live server has measured (temporary file
// volume, requested checkpoints, peak connections). Each recommendation carries the current
// value, the recommended one, the reason and whether a restart is needed; renderers write
// it as text, JSON, an ALTER SYSTEM script or a postgresql.conf snippet (report/).
//
// The base formulas are the ones pgtune popularised (shared_buffers a quarter of memory,
// effective_cache_size three quarters, per-kind WAL sizes and connection counts, storage
// dependent planner costs); docs/tune.md lists each with where dbarch departs from it and
// why. Pure functions, except ReadServerSignals, which reads a server (read-only).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "workload/log_reader.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

enum class WorkloadKind { kWeb, kOltp, kDataWarehouse, kMixed, kDesktop };
enum class StorageKind { kSsd, kHdd, kSan };
bool ParseWorkloadKind(std::string_view text, WorkloadKind* out);  // web|oltp|dw|mixed|desktop
bool ParseStorageKind(std::string_view text, StorageKind* out);    // ssd|hdd|san
std::string_view WorkloadKindName(WorkloadKind k);
std::string_view StorageKindName(StorageKind k);

struct MachineSpec {
  int64_t memory_bytes = 0;  // RAM available to PostgreSQL
  int cpus = 0;
  StorageKind storage = StorageKind::kSsd;
  int max_connections = 0;  // 0: derived from the workload kind (or the server's need)
};

// What a running server knows that the formulas do not.
struct ServerSignals {
  struct Setting {
    std::string value;    // as SHOW prints it ("128MB", "0.9", "on")
    std::string context;  // pg_settings.context: "postmaster" needs a restart
  };
  std::map<std::string, Setting> settings;  // the settings dbarch tunes
  int server_version_num = 0;
  int64_t temp_bytes = 0;          // all databases, since statistics were reset
  int64_t temp_files = 0;
  double stats_age_s = 0;          // seconds covered by those counters
  int64_t checkpoints_timed = 0;
  int64_t checkpoints_req = 0;
  int connections_now = 0;         // client backends at the time of reading
  // From pg_stat_statements, when the extension is installed in the connected database
  // (statement_spills < 0: not available): statements that wrote temporary files, their
  // calls, and the 90th percentile over them of the temporary bytes one call writes.
  int64_t statement_spills = -1;
  int64_t spilling_calls = 0;
  int64_t spill_per_call_p90_bytes = 0;
  // Where the statement spill figures come from ("pg_stat_statements" or "the server log")
  // and the seconds they cover (0: stats_age_s).
  std::string statement_spills_source = "pg_stat_statements";
  double statement_spills_age_s = 0;
};

struct TuneSetting {
  std::string name;
  std::string current;      // "" when not known (no server)
  std::string recommended;  // in postgresql.conf syntax ("6GB", "0.9", "200")
  std::string reason;
  bool needs_restart = false;
  bool changes() const { return current.empty() || current != recommended; }
};

struct TuneResult {
  MachineSpec machine;
  WorkloadKind kind = WorkloadKind::kWeb;
  std::vector<TuneSetting> settings;  // in a stable order
  std::vector<std::string> notes;     // advice that is not a setting (a pooler, huge pages)
};

// Requires: machine.memory_bytes > 0 and machine.cpus > 0.
TuneResult RecommendSettings(const MachineSpec& machine, WorkloadKind kind,
                             const std::optional<ServerSignals>& signals);

// Adds what a server log measured (log_temp_files entries, attributed to the statements
// that wrote them) to `signals`: the statement spill figures when pg_stat_statements gave
// none, and the temporary file totals when no server was read (`from_server` false; a
// server's own counters cover more than a log does). The log must log the statements with
// their temporary files (log_temp_files, and log_min_duration_statement or log_statement
// for the calls).
void AddLogSpills(const workload::LogReport& log, bool from_server, ServerSignals& signals);

// Reads the tuned settings and the workload counters of `conn`'s server. kConnection when
// the session breaks, kInvalidArgument on a server error.
Result<ServerSignals> ReadServerSignals(pg::Connection& conn);

// "6GB", "1536MB", "16MB", "64kB": bytes in the largest unit of postgresql.conf that divides
// them (kB granularity, as memory settings take).
std::string ConfSize(int64_t bytes);
// Parses a memory size as SHOW prints it ("128MB", "4GB", "64kB", "8192" in `unit_bytes`).
std::optional<int64_t> ParseConfSize(std::string_view text, int64_t unit_bytes = 1024);

}  // namespace dbarch::ops
