#include "ops/tune.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "pg/connection.h"

namespace dbarch::ops {

bool ParseWorkloadKind(std::string_view text, WorkloadKind* out) {
  if (text == "web") *out = WorkloadKind::kWeb;
  else if (text == "oltp") *out = WorkloadKind::kOltp;
  else if (text == "dw") *out = WorkloadKind::kDataWarehouse;
  else if (text == "mixed") *out = WorkloadKind::kMixed;
  else if (text == "desktop") *out = WorkloadKind::kDesktop;
  else return false;
  return true;
}

bool ParseStorageKind(std::string_view text, StorageKind* out) {
  if (text == "ssd") *out = StorageKind::kSsd;
  else if (text == "hdd") *out = StorageKind::kHdd;
  else if (text == "san") *out = StorageKind::kSan;
  else return false;
  return true;
}

std::string_view WorkloadKindName(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::kWeb:
      return "web";
    case WorkloadKind::kOltp:
      return "oltp";
    case WorkloadKind::kDataWarehouse:
      return "dw";
    case WorkloadKind::kMixed:
      return "mixed";
    case WorkloadKind::kDesktop:
      return "desktop";
  }
  return "web";
}

std::string_view StorageKindName(StorageKind k) {
  switch (k) {
    case StorageKind::kSsd:
      return "ssd";
    case StorageKind::kHdd:
      return "hdd";
    case StorageKind::kSan:
      return "san";
  }
  return "ssd";
}

namespace {

constexpr int64_t kKB = 1024;
constexpr int64_t kMB = 1024 * kKB;
constexpr int64_t kGB = 1024 * kMB;

// Settings whose change needs a restart (pg_settings.context = 'postmaster'), for when no
// server is there to ask.
bool IsPostmasterSetting(const std::string& name) {
  return name == "max_connections" || name == "shared_buffers" || name == "wal_buffers" ||
         name == "huge_pages" || name == "max_worker_processes";
}

}  // namespace

std::string ConfSize(int64_t bytes) {
  int64_t kb = std::max<int64_t>(1, bytes / kKB);
  if (kb % (kMB) == 0) return fmt::format("{}GB", kb / kMB);
  if (kb % kKB == 0) return fmt::format("{}MB", kb / kKB);
  return fmt::format("{}kB", kb);
}

std::optional<int64_t> ParseConfSize(std::string_view text, int64_t unit_bytes) {
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  std::string unit(end);
  int64_t mult = unit_bytes;
  if (unit == "kB") mult = kKB;
  else if (unit == "MB") mult = kMB;
  else if (unit == "GB") mult = kGB;
  else if (unit == "TB") mult = 1024 * kGB;
  else if (unit == "B") mult = 1;
  else if (!unit.empty()) return std::nullopt;
  return static_cast<int64_t>(v * static_cast<double>(mult));
}

TuneResult RecommendSettings(const MachineSpec& machine, WorkloadKind kind,
                             const std::optional<ServerSignals>& signals) {
  TuneResult out;
  out.machine = machine;
  out.kind = kind;
  const int64_t ram = machine.memory_bytes;
  const int cpus = machine.cpus;
  const bool dw = kind == WorkloadKind::kDataWarehouse;
  const bool desktop = kind == WorkloadKind::kDesktop;

  auto current = [&](const std::string& name) -> std::string {
    if (!signals.has_value()) return "";
    auto it = signals->settings.find(name);
    return it == signals->settings.end() ? "" : it->second.value;
  };
  auto add = [&](const std::string& name, std::string recommended, std::string reason) {
    TuneSetting s;
    s.name = name;
    s.current = current(name);
    // Memory sizes compare by value: "8GB" and "8192MB" are the same setting.
    auto cur_bytes = ParseConfSize(s.current);
    auto rec_bytes = ParseConfSize(recommended);
    if (cur_bytes && rec_bytes && *cur_bytes == *rec_bytes &&
        recommended.find_first_of("kMGTB") != std::string::npos) {
      s.current = recommended;
    }
    s.recommended = std::move(recommended);
    s.reason = std::move(reason);
    if (signals.has_value()) {
      auto it = signals->settings.find(name);
      s.needs_restart = it != signals->settings.end() ? it->second.context == "postmaster"
                                                      : IsPostmasterSetting(name);
    } else {
      s.needs_restart = IsPostmasterSetting(name);
    }
    out.settings.push_back(std::move(s));
  };

  // Connections: the kind's typical count, but never fewer than a live server allows today
  // (cutting connections needs evidence dbarch does not have) unless the user says so.
  int connections = machine.max_connections;
  std::string connections_reason;
  if (connections > 0) {
    connections_reason = "as given";
  } else if (signals.has_value() && !current("max_connections").empty()) {
    connections = std::atoi(current("max_connections").c_str());
    connections_reason = "kept: the server's current limit (give --max-connections to change it)";
  } else {
    switch (kind) {
      case WorkloadKind::kWeb:
        connections = 200;
        break;
      case WorkloadKind::kOltp:
        connections = 300;
        break;
      case WorkloadKind::kDataWarehouse:
        connections = 40;
        break;
      case WorkloadKind::kMixed:
        connections = 100;
        break;
      case WorkloadKind::kDesktop:
        connections = 20;
        break;
    }
    connections_reason = fmt::format("typical for a {} workload", WorkloadKindName(kind));
  }
  add("max_connections", std::to_string(connections), connections_reason);

  int64_t shared = desktop ? ram / 16 : ram / 4;
  add("shared_buffers", ConfSize(shared),
      desktop ? "1/16 of memory: the machine does other work"
              : "1/4 of memory: the rest stays for the OS page cache, which PostgreSQL also "
                "reads through");
  add("effective_cache_size", ConfSize(desktop ? ram / 4 : ram * 3 / 4),
      "what shared_buffers and the OS cache hold together; only the planner reads it");
  int64_t maintenance = std::min<int64_t>(dw ? ram / 8 : ram / 16, 2 * kGB);
  add("maintenance_work_mem", ConfSize(maintenance),
      "VACUUM, CREATE INDEX and ALTER TABLE sort in it; more than 2GB rarely helps");
  add("checkpoint_completion_target", "0.9",
      "spread checkpoint writes over 90 % of the interval (the PostgreSQL 14+ default)");
  int64_t wal_buffers = std::clamp<int64_t>(shared * 3 / 100, 32 * kKB, 16 * kMB);
  if (wal_buffers > 14 * kMB) wal_buffers = 16 * kMB;
  wal_buffers = wal_buffers / (8 * kKB) * (8 * kKB);
  add("wal_buffers", ConfSize(wal_buffers), "3 % of shared_buffers, at most one WAL segment");
  add("default_statistics_target", dw ? "500" : "100",
      dw ? "finer histograms for the large, skewed tables of analytics"
         : "the default; raise per column where estimates are off");
  add("random_page_cost", machine.storage == StorageKind::kHdd ? "4" : "1.1",
      machine.storage == StorageKind::kHdd
          ? "spinning disks: a random read costs about 4 sequential ones"
          : "solid-state or SAN storage: random reads cost about as much as sequential ones");
  add("effective_io_concurrency",
      machine.storage == StorageKind::kSsd   ? "200"
      : machine.storage == StorageKind::kSan ? "300"
                                             : "2",
      "concurrent prefetch requests the storage serves well (bitmap heap scans)");

  // Parallel query only pays with several cores.
  int gather = 1;
  if (cpus >= 4) {
    gather = dw ? (cpus + 1) / 2 : std::min(4, (cpus + 1) / 2);
    add("max_worker_processes", std::to_string(cpus), "one per core");
    add("max_parallel_workers_per_gather", std::to_string(gather),
        dw ? "half the cores per query: analytics runs few queries at a time"
           : "at most 4: many concurrent queries share the cores");
    add("max_parallel_workers", std::to_string(cpus), "one per core");
    add("max_parallel_maintenance_workers", std::to_string(std::min(4, (cpus + 1) / 2)),
        "parallel CREATE INDEX and VACUUM");
  }

  // work_mem: memory outside shared_buffers, shared by every connection's sorts and hashes
  // (a query may run several, and each parallel worker has its own).
  int64_t work = (ram - shared) / (static_cast<int64_t>(connections) * 3) / gather;
  if (dw || kind == WorkloadKind::kMixed) work /= 2;
  if (desktop) work /= 6;
  work = std::max<int64_t>(work, 64 * kKB);
  std::string work_reason = fmt::format(
      "memory outside shared_buffers over {} connections x 3 sorts or hashes{}", connections,
      gather > 1 ? fmt::format(" x {} workers", gather) : "");
  const int64_t formula_work = work;
  if (signals.has_value() && signals->statement_spills > 0) {
    // pg_stat_statements names the statements that spill: raise work_mem towards what one
    // call of most of them writes to disk (a sort or hash needs about that much memory to
    // stay in it), at most 4x the formula, when they run often enough to pay (100 calls a
    // day).
    const double age = signals->statement_spills_age_s > 0 ? signals->statement_spills_age_s
                                                             : signals->stats_age_s;
    double days = std::max(age, 3600.0) / 86400.0;
    double calls_per_day = static_cast<double>(signals->spilling_calls) / days;
    if (calls_per_day >= 100 && signals->spill_per_call_p90_bytes > formula_work) {
      int64_t raised = std::min<int64_t>(signals->spill_per_call_p90_bytes, 4 * formula_work);
      raised = std::max<int64_t>(raised / kMB, 1) * kMB;
      work_reason += fmt::format(
          "; raised: {} statements in {} spill to temporary files ({:.0f} "
          "calls a day, 90 % of them writing at most {} per call)",
          signals->statement_spills, signals->statement_spills_source, calls_per_day,
          ConfSize(signals->spill_per_call_p90_bytes));
      work = std::max(work, raised);
    }
  }
  if (signals.has_value() && signals->temp_files > 0 && work == formula_work) {
    double days = std::max(signals->stats_age_s, 3600.0) / 86400.0;
    double per_day = static_cast<double>(signals->temp_bytes) / days;
    int64_t avg_file = signals->temp_bytes / signals->temp_files;
    if (per_day >= 1.0 * kGB && avg_file > work) {
      // Measured spills: raise work_mem towards the average spill, at most 4x the formula,
      // so that a burst of connections cannot exhaust memory.
      int64_t raised = std::min<int64_t>(avg_file, 4 * work);
      raised = std::max<int64_t>(raised / kMB, 1) * kMB;
      work_reason += fmt::format("; raised: {} temporary files averaging {} ({} a day) spilled "
                                 "sorts and hashes to disk",
                                 signals->temp_files, ConfSize(avg_file),
                                 ConfSize(static_cast<int64_t>(per_day)));
      work = raised;
    }
  }
  add("work_mem", ConfSize(work), work_reason);
  add("huge_pages", ram >= 32 * kGB ? "try" : "off",
      ram >= 32 * kGB ? "large shared_buffers: huge pages cut page-table memory and TLB misses "
                        "(reserve vm.nr_hugepages for them)"
                      : "not worth reserving for a small shared_buffers");

  int64_t min_wal = 1 * kGB;
  int64_t max_wal = 4 * kGB;
  switch (kind) {
    case WorkloadKind::kOltp:
      min_wal = 2 * kGB;
      max_wal = 8 * kGB;
      break;
    case WorkloadKind::kDataWarehouse:
      min_wal = 4 * kGB;
      max_wal = 16 * kGB;
      break;
    case WorkloadKind::kDesktop:
      min_wal = 100 * kMB;
      max_wal = 2 * kGB;
      break;
    default:
      break;
  }
  std::string wal_reason = fmt::format("WAL written between checkpoints by a {} workload",
                                       WorkloadKindName(kind));
  if (signals.has_value()) {
    int64_t total = signals->checkpoints_timed + signals->checkpoints_req;
    if (total >= 10 && signals->checkpoints_req * 10 > total * 3) {
      auto cur = ParseConfSize(current("max_wal_size"), kMB);
      int64_t doubled = std::max<int64_t>(max_wal, cur.value_or(0) * 2);
      wal_reason = fmt::format("{} of {} checkpoints were requested by WAL volume rather than "
                               "timed: twice the current size",
                               signals->checkpoints_req, total);
      max_wal = doubled;
    }
  }
  add("min_wal_size", ConfSize(min_wal), "WAL segments kept for reuse instead of recreated");
  add("max_wal_size", ConfSize(max_wal), wal_reason);

  if (connections > 300) {
    out.notes.push_back(fmt::format(
        "{} connections: put a pooler (PgBouncer in transaction mode) in front and lower "
        "max_connections to a few per core",
        connections));
  }
  if (signals.has_value() && connections > 0 && signals->connections_now * 10 > connections * 8) {
    out.notes.push_back(fmt::format("{} of {} connections are in use now: a pooler would keep "
                                    "bursts from being refused",
                                    signals->connections_now, connections));
  }
  if (ram >= 32 * kGB) {
    out.notes.push_back(fmt::format(
        "huge_pages = try uses huge pages only if reserved: vm.nr_hugepages = {} (2MB pages "
        "for shared_buffers plus 10 %)",
        (shared + shared / 10) / (2 * kMB)));
  }
  return out;
}

void AddLogSpills(const workload::LogReport& log, bool from_server, ServerSignals& signals) {
  if (!from_server) {
    signals.temp_files = log.summary.temp_files;
    signals.temp_bytes = log.summary.temp_bytes;
    signals.stats_age_s = log.summary.covered_seconds;
  }
  if (signals.statement_spills >= 0) return;  // pg_stat_statements already named them
  // Per spilling group: its calls and the bytes one call writes; the 90th percentile is
  // taken over calls, as the pg_stat_statements figure is.
  std::vector<std::pair<int64_t, int64_t>> per_call;  // (bytes per call, calls)
  int64_t calls = 0;
  for (const workload::LogGroup& g : log.groups) {
    if (g.temp_files == 0) continue;
    const int64_t c = std::max<int64_t>(g.calls, 1);
    per_call.emplace_back(g.temp_bytes / c, c);
    calls += c;
  }
  if (per_call.empty()) return;
  std::sort(per_call.begin(), per_call.end());
  int64_t seen = 0;
  int64_t p90 = per_call.back().first;
  for (const auto& entry : per_call) {
    seen += entry.second;
    if (seen * 10 >= calls * 9) {
      p90 = entry.first;
      break;
    }
  }
  signals.statement_spills = static_cast<int64_t>(per_call.size());
  signals.spilling_calls = calls;
  signals.spill_per_call_p90_bytes = p90;
  signals.statement_spills_source = "the server log";
  signals.statement_spills_age_s = log.summary.covered_seconds;
}

Result<ServerSignals> ReadServerSignals(pg::Connection& conn) {
  ServerSignals out;
  out.server_version_num = conn.server_version_num();
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult s,
      conn.Exec("SELECT name, current_setting(name), context FROM pg_settings WHERE name IN ("
                "'max_connections', 'shared_buffers', 'effective_cache_size', "
                "'maintenance_work_mem', 'checkpoint_completion_target', 'wal_buffers', "
                "'default_statistics_target', 'random_page_cost', 'effective_io_concurrency', "
                "'work_mem', 'huge_pages', 'min_wal_size', 'max_wal_size', "
                "'max_worker_processes', 'max_parallel_workers_per_gather', "
                "'max_parallel_workers', 'max_parallel_maintenance_workers') ORDER BY name"));
  for (int i = 0; i < s.rows(); ++i) {
    out.settings[std::string(s.Get(i, 0))] = {std::string(s.Get(i, 1)), std::string(s.Get(i, 2))};
  }
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult st,
      conn.Exec("SELECT coalesce(sum(temp_files), 0)::bigint, coalesce(sum(temp_bytes), 0)::bigint, "
                "extract(epoch FROM now() - coalesce(min(stats_reset), "
                "pg_postmaster_start_time()))::float8, "
                "(SELECT checkpoints_timed FROM pg_stat_bgwriter), "
                "(SELECT checkpoints_req FROM pg_stat_bgwriter), "
                "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') "
                "FROM pg_stat_database"));
  out.temp_files = st.GetInt(0, 0);
  out.temp_bytes = st.GetInt(0, 1);
  out.stats_age_s = std::strtod(std::string(st.Get(0, 2)).c_str(), nullptr);
  out.checkpoints_timed = st.GetInt(0, 3);
  out.checkpoints_req = st.GetInt(0, 4);
  out.connections_now = static_cast<int>(st.GetInt(0, 5));
  // pg_stat_statements, where installed in this database; its absence is not an error.
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult ext,
      conn.Exec("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"));
  if (ext.GetInt(0, 0) > 0) {
    auto spills = conn.Exec(
        "SELECT count(*), coalesce(sum(calls), 0)::bigint, coalesce(percentile_disc(0.9) "
        "WITHIN GROUP (ORDER BY temp_blks_written::float8 / calls) * "
        "current_setting('block_size')::float8, 0)::bigint FROM pg_stat_statements "
        "WHERE temp_blks_written > 0 AND calls > 0");
    if (spills.ok()) {
      out.statement_spills = spills->GetInt(0, 0);
      out.spilling_calls = spills->GetInt(0, 1);
      out.spill_per_call_p90_bytes = spills->GetInt(0, 2);
    } else if (spills.status().code() == StatusCode::kConnection) {
      return spills.status();
    }
  }
  return out;
}

}  // namespace dbarch::ops
