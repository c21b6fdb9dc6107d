#include "workload/stat_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

namespace dbarch::workload {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kFormat = "dbarch-pgss-snapshot";

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

double ToDouble(std::string_view s) {
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// A number of a to_jsonb() row: integers, bigints and numerics (wal_bytes) alike.
int64_t JsonInt(const Json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return 0;
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  return it->get<int64_t>();
}

double JsonDouble(const Json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : 0;
}

std::string JsonText(const Json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

auto Key(const StatEntry& e) { return std::tie(e.dbid, e.userid, e.queryid, e.toplevel); }

Json CountersJson(const StatCounters& c) {
  return Json{{"calls", c.calls},
              {"total_exec_ms", c.total_exec_ms},
              {"rows", c.rows},
              {"plans", c.plans},
              {"total_plan_ms", c.total_plan_ms},
              {"shared_blks_hit", c.shared_blks_hit},
              {"shared_blks_read", c.shared_blks_read},
              {"shared_blks_dirtied", c.shared_blks_dirtied},
              {"shared_blks_written", c.shared_blks_written},
              {"temp_blks_read", c.temp_blks_read},
              {"temp_blks_written", c.temp_blks_written},
              {"blk_read_ms", c.blk_read_ms},
              {"blk_write_ms", c.blk_write_ms},
              {"wal_bytes", c.wal_bytes}};
}

StatCounters CountersFromJson(const Json& j) {
  StatCounters c;
  c.calls = JsonInt(j, "calls");
  c.total_exec_ms = JsonDouble(j, "total_exec_ms");
  c.rows = JsonInt(j, "rows");
  c.plans = JsonInt(j, "plans");
  c.total_plan_ms = JsonDouble(j, "total_plan_ms");
  c.shared_blks_hit = JsonInt(j, "shared_blks_hit");
  c.shared_blks_read = JsonInt(j, "shared_blks_read");
  c.shared_blks_dirtied = JsonInt(j, "shared_blks_dirtied");
  c.shared_blks_written = JsonInt(j, "shared_blks_written");
  c.temp_blks_read = JsonInt(j, "temp_blks_read");
  c.temp_blks_written = JsonInt(j, "temp_blks_written");
  c.blk_read_ms = JsonDouble(j, "blk_read_ms");
  c.blk_write_ms = JsonDouble(j, "blk_write_ms");
  c.wal_bytes = JsonInt(j, "wal_bytes");
  return c;
}

// a - b per counter; `went_down` is set when any counter of `a` is below `b`'s.
StatCounters Minus(const StatCounters& a, const StatCounters& b, bool* went_down) {
  StatCounters d;
  d.calls = a.calls - b.calls;
  d.total_exec_ms = a.total_exec_ms - b.total_exec_ms;
  d.rows = a.rows - b.rows;
  d.plans = a.plans - b.plans;
  d.total_plan_ms = a.total_plan_ms - b.total_plan_ms;
  d.shared_blks_hit = a.shared_blks_hit - b.shared_blks_hit;
  d.shared_blks_read = a.shared_blks_read - b.shared_blks_read;
  d.shared_blks_dirtied = a.shared_blks_dirtied - b.shared_blks_dirtied;
  d.shared_blks_written = a.shared_blks_written - b.shared_blks_written;
  d.temp_blks_read = a.temp_blks_read - b.temp_blks_read;
  d.temp_blks_written = a.temp_blks_written - b.temp_blks_written;
  d.blk_read_ms = a.blk_read_ms - b.blk_read_ms;
  d.blk_write_ms = a.blk_write_ms - b.blk_write_ms;
  d.wal_bytes = a.wal_bytes - b.wal_bytes;
  // Times are sums of doubles: allow rounding noise, never a real decrease.
  *went_down = d.calls < 0 || d.plans < 0 || d.rows < 0 || d.shared_blks_hit < 0 ||
               d.shared_blks_read < 0 || d.temp_blks_written < 0 || d.total_exec_ms < -0.001;
  return d;
}

void Add(StatCounters& into, const StatCounters& c) {
  into.calls += c.calls;
  into.total_exec_ms += c.total_exec_ms;
  into.rows += c.rows;
  into.plans += c.plans;
  into.total_plan_ms += c.total_plan_ms;
  into.shared_blks_hit += c.shared_blks_hit;
  into.shared_blks_read += c.shared_blks_read;
  into.shared_blks_dirtied += c.shared_blks_dirtied;
  into.shared_blks_written += c.shared_blks_written;
  into.temp_blks_read += c.temp_blks_read;
  into.temp_blks_written += c.temp_blks_written;
  into.blk_read_ms += c.blk_read_ms;
  into.blk_write_ms += c.blk_write_ms;
  into.wal_bytes += c.wal_bytes;
}

void Finish(StatWindow& w) {
  std::erase_if(w.entries,
                [](const StatEntry& e) { return e.counters.calls == 0 && e.counters.plans == 0; });
  std::sort(w.entries.begin(), w.entries.end(), [](const StatEntry& a, const StatEntry& b) {
    if (a.counters.total_exec_ms != b.counters.total_exec_ms) {
      return a.counters.total_exec_ms > b.counters.total_exec_ms;
    }
    if (a.counters.calls != b.counters.calls) return a.counters.calls > b.counters.calls;
    return Key(a) < Key(b);
  });
  for (const StatEntry& e : w.entries) Add(w.total, e.counters);
}

}  // namespace

Result<StatSnapshot> TakeStatSnapshot(pg::Connection& conn) {
  const std::string hint =
      "the server needs shared_preload_libraries = 'pg_stat_statements' (a restart), then "
      "CREATE EXTENSION pg_stat_statements in this database";
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult ext,
      conn.Exec("SELECT n.nspname, e.extversion FROM pg_extension e JOIN pg_namespace n ON n.oid "
                "= e.extnamespace WHERE e.extname = 'pg_stat_statements'"));
  if (ext.rows() == 0) {
    return Status::NotFound("extension \"pg_stat_statements\" is not installed in " +
                            conn.DisplayName())
        .WithHint(hint);
  }
  const std::string schema = QuoteIdent(ext.Get(0, 0));
  StatSnapshot snap;
  snap.extension_version = std::string(ext.Get(0, 1));
  snap.server = conn.DisplayName();
  snap.server_version_num = conn.server_version_num();
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult meta,
      conn.Exec("SELECT now()::text, extract(epoch FROM now())::float8, "
                "pg_postmaster_start_time()::text, "
                "coalesce(current_setting('pg_stat_statements.max', true), '0')"));
  snap.taken_at = std::string(meta.Get(0, 0));
  snap.taken_at_epoch = ToDouble(meta.Get(0, 1));
  snap.postmaster_start = std::string(meta.Get(0, 2));
  snap.max_entries = ToInt(meta.Get(0, 3));
  // pg_control_system() is not granted to every role: the identifier is then unknown.
  Result<pg::QueryResult> sysid =
      conn.Exec("SELECT system_identifier::text FROM pg_control_system()");
  if (sysid.ok() && sysid->rows() == 1) snap.system_identifier = std::string(sysid->Get(0, 0));
  // to_jsonb() of the whole row reads every extension version alike (1.8 has no toplevel,
  // 1.9 added pg_stat_statements_info); a counter a version lacks stays 0.
  Result<pg::QueryResult> rows = conn.Exec(
      "SELECT to_jsonb(s)::text, coalesce(r.rolname::text, s.userid::text), "
      "coalesce(d.datname::text, s.dbid::text) FROM " +
      schema +
      ".pg_stat_statements s LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid "
      "LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid WHERE s.queryid IS NOT NULL");
  if (!rows.ok()) {
    if (conn.last_sqlstate() == "55000") {
      return Status::NotFound("pg_stat_statements is installed in " + conn.DisplayName() +
                              " but not loaded: " + rows.status().message())
          .WithHint(hint);
    }
    return std::move(rows).TakeStatus().WithContext("reading pg_stat_statements");
  }
  for (int r = 0; r < rows->rows(); ++r) {
    Json row = Json::parse(rows->Get(r, 0), nullptr, false);
    if (row.is_discarded() || !row.is_object()) {
      return Status::Internal("pg_stat_statements row " + std::to_string(r) +
                              " is not a JSON object");
    }
    StatEntry e;
    e.userid = JsonText(row, "userid");
    e.dbid = JsonText(row, "dbid");
    e.queryid = JsonText(row, "queryid");
    auto top = row.find("toplevel");
    e.toplevel = top == row.end() || !top->is_boolean() || top->get<bool>();
    e.user = std::string(rows->Get(r, 1));
    e.database = std::string(rows->Get(r, 2));
    e.query = JsonText(row, "query");
    StatCounters& c = e.counters;
    c.calls = JsonInt(row, "calls");
    c.total_exec_ms = row.contains("total_exec_time") ? JsonDouble(row, "total_exec_time")
                                                      : JsonDouble(row, "total_time");
    c.rows = JsonInt(row, "rows");
    c.plans = JsonInt(row, "plans");
    c.total_plan_ms = JsonDouble(row, "total_plan_time");
    c.shared_blks_hit = JsonInt(row, "shared_blks_hit");
    c.shared_blks_read = JsonInt(row, "shared_blks_read");
    c.shared_blks_dirtied = JsonInt(row, "shared_blks_dirtied");
    c.shared_blks_written = JsonInt(row, "shared_blks_written");
    c.temp_blks_read = JsonInt(row, "temp_blks_read");
    c.temp_blks_written = JsonInt(row, "temp_blks_written");
    c.blk_read_ms = JsonDouble(row, "blk_read_time");
    c.blk_write_ms = JsonDouble(row, "blk_write_time");
    c.wal_bytes = JsonInt(row, "wal_bytes");
    snap.entries.push_back(std::move(e));
  }
  std::sort(snap.entries.begin(), snap.entries.end(),
            [](const StatEntry& a, const StatEntry& b) { return Key(a) < Key(b); });
  // pg_stat_statements_info exists from extension version 1.9 (PostgreSQL 14).
  Result<pg::QueryResult> info = conn.Exec(
      "SELECT coalesce(stats_reset::text, ''), "
      "coalesce(extract(epoch FROM stats_reset)::float8, 0), dealloc FROM " +
      schema + ".pg_stat_statements_info");
  if (info.ok() && info->rows() == 1) {
    snap.stats_reset = std::string(info->Get(0, 0));
    snap.stats_reset_epoch = ToDouble(info->Get(0, 1));
    snap.dealloc = info->GetInt(0, 2);
  }
  return snap;
}

std::string StatSnapshotToJson(const StatSnapshot& s) {
  Json entries = Json::array();
  for (const StatEntry& e : s.entries) {
    entries.push_back({{"userid", e.userid},
                       {"dbid", e.dbid},
                       {"queryid", e.queryid},
                       {"toplevel", e.toplevel},
                       {"user", e.user},
                       {"database", e.database},
                       {"query", e.query},
                       {"counters", CountersJson(e.counters)}});
  }
  Json out{{"format", kFormat},
           {"version", 1},
           {"taken_at", s.taken_at},
           {"taken_at_epoch", s.taken_at_epoch},
           {"server", s.server},
           {"system_identifier", s.system_identifier},
           {"server_version_num", s.server_version_num},
           {"extension_version", s.extension_version},
           {"stats_reset", s.stats_reset},
           {"stats_reset_epoch", s.stats_reset_epoch},
           {"dealloc", s.dealloc},
           {"postmaster_start", s.postmaster_start},
           {"max_entries", s.max_entries},
           {"entries", entries}};
  return out.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<StatSnapshot> StatSnapshotFromJson(std::string_view text, const std::string& name) {
  Json j = Json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(name + ": not a pg_stat_statements snapshot of dbarch (" + why +
                                   ")")
        .WithHint("write one with dbarch workload --dsn ... --save-snapshot FILE");
  };
  if (j.is_discarded() || !j.is_object()) return bad("not JSON");
  if (JsonText(j, "format") != kFormat) return bad("no \"format\": \"dbarch-pgss-snapshot\"");
  if (JsonInt(j, "version") != 1) return bad("version " + JsonText(j, "version") + ", expected 1");
  auto entries = j.find("entries");
  if (entries == j.end() || !entries->is_array()) return bad("no \"entries\" array");
  StatSnapshot s;
  s.taken_at = JsonText(j, "taken_at");
  s.taken_at_epoch = JsonDouble(j, "taken_at_epoch");
  s.server = JsonText(j, "server");
  s.system_identifier = JsonText(j, "system_identifier");
  s.server_version_num = static_cast<int>(JsonInt(j, "server_version_num"));
  s.extension_version = JsonText(j, "extension_version");
  s.stats_reset = JsonText(j, "stats_reset");
  s.stats_reset_epoch = JsonDouble(j, "stats_reset_epoch");
  s.dealloc = JsonInt(j, "dealloc");
  s.postmaster_start = JsonText(j, "postmaster_start");
  s.max_entries = JsonInt(j, "max_entries");
  for (const Json& e : *entries) {
    if (!e.is_object() || !e.contains("queryid") || !e.contains("counters")) {
      return bad("an entry without queryid or counters");
    }
    StatEntry entry;
    entry.userid = JsonText(e, "userid");
    entry.dbid = JsonText(e, "dbid");
    entry.queryid = JsonText(e, "queryid");
    auto top = e.find("toplevel");
    entry.toplevel = top == e.end() || !top->is_boolean() || top->get<bool>();
    entry.user = JsonText(e, "user");
    entry.database = JsonText(e, "database");
    entry.query = JsonText(e, "query");
    entry.counters = CountersFromJson(e["counters"]);
    s.entries.push_back(std::move(entry));
  }
  std::sort(s.entries.begin(), s.entries.end(),
            [](const StatEntry& a, const StatEntry& b) { return Key(a) < Key(b); });
  return s;
}

StatWindow CumulativeWindow(const StatSnapshot& snapshot) {
  StatWindow w;
  w.since_reset = true;
  w.from = snapshot.stats_reset;
  w.to = snapshot.taken_at;
  if (snapshot.stats_reset_epoch > 0) {
    w.seconds = snapshot.taken_at_epoch - snapshot.stats_reset_epoch;
  }
  w.entries = snapshot.entries;
  if (snapshot.stats_reset.empty()) {
    w.notes.push_back(
        "cumulative figures since the statistics were last reset (the extension version does "
        "not say when)");
  } else {
    w.notes.push_back("cumulative figures since the statistics were reset at " +
                      snapshot.stats_reset);
  }
  if (snapshot.dealloc > 0) {
    w.deallocations = snapshot.dealloc;
    w.notes.push_back(fmt::format(
        "{} entries were deallocated since the reset (pg_stat_statements.max = {}): the "
        "figures of evicted statements are missing or partial",
        snapshot.dealloc, snapshot.max_entries));
  }
  Finish(w);
  return w;
}

Result<StatWindow> DiffStatSnapshots(const StatSnapshot& before, const StatSnapshot& after) {
  if (!before.system_identifier.empty() && !after.system_identifier.empty() &&
      before.system_identifier != after.system_identifier) {
    return Status::InvalidArgument("the snapshots come from different servers (system identifier " +
                                   before.system_identifier + " and " + after.system_identifier +
                                   ")");
  }
  if (after.taken_at_epoch < before.taken_at_epoch) {
    return Status::InvalidArgument("the earlier snapshot (" + before.taken_at +
                                   ") was taken after the later one (" + after.taken_at + ")");
  }
  StatWindow w;
  w.from = before.taken_at;
  w.to = after.taken_at;
  w.seconds = after.taken_at_epoch - before.taken_at_epoch;
  bool reset = after.stats_reset != before.stats_reset &&
               !(after.stats_reset.empty() && before.stats_reset.empty());
  if (reset) {
    w.since_reset = true;
    w.from = after.stats_reset.empty() ? before.taken_at : after.stats_reset;
    if (after.stats_reset_epoch > 0) w.seconds = after.taken_at_epoch - after.stats_reset_epoch;
    w.entries = after.entries;
    w.notes.push_back("the statistics were reset at " + after.stats_reset +
                      ", inside the window: the figures count from the reset (the activity "
                      "between " +
                      before.taken_at + " and the reset is lost)");
    if (after.dealloc > 0) {
      w.deallocations = after.dealloc;
      w.notes.push_back(fmt::format(
          "{} entries were deallocated since the reset (pg_stat_statements.max = {}): the "
          "figures of evicted statements are missing or partial",
          after.dealloc, after.max_entries));
    }
    Finish(w);
    return w;
  }
  if (after.postmaster_start != before.postmaster_start && !before.postmaster_start.empty()) {
    w.notes.push_back("the server restarted at " + after.postmaster_start +
                      "; pg_stat_statements.save kept the counters, so the difference holds");
  }
  std::map<std::tuple<std::string, std::string, std::string, bool>, const StatEntry*> old;
  for (const StatEntry& e : before.entries) {
    old.emplace(std::make_tuple(e.dbid, e.userid, e.queryid, e.toplevel), &e);
  }
  for (const StatEntry& e : after.entries) {
    auto it = old.find(std::make_tuple(e.dbid, e.userid, e.queryid, e.toplevel));
    StatEntry d = e;
    if (it == old.end()) {
      ++w.new_entries;
    } else {
      bool went_down = false;
      StatCounters delta = Minus(e.counters, it->second->counters, &went_down);
      if (went_down) {
        d.restarted = true;
        ++w.restarted_entries;
      } else {
        d.counters = delta;
      }
      old.erase(it);
    }
    w.entries.push_back(std::move(d));
  }
  w.vanished_entries = static_cast<int64_t>(old.size());
  w.deallocations = after.dealloc - before.dealloc;
  if (w.new_entries > 0) {
    w.notes.push_back(fmt::format(
        "{} entries appeared in the window: they count whole (new statements, or statements "
        "evicted before and seen again)",
        w.new_entries));
  }
  if (w.restarted_entries > 0) {
    w.notes.push_back(fmt::format(
        "{} entries restarted from zero in the window (deallocated or reset one by one, then "
        "seen again): they count from their restart, the activity before it is lost",
        w.restarted_entries));
  }
  if (w.vanished_entries > 0) {
    w.notes.push_back(fmt::format(
        "{} entries of the earlier snapshot are gone (deallocated or reset): their activity "
        "in the window is unknown and left out",
        w.vanished_entries));
  }
  if (w.deallocations > 0) {
    w.notes.push_back(
        fmt::format("{} deallocations in the window (pg_stat_statements.max = {}): the least used "
                    "statements were evicted, so some figures are missing or partial; raise "
                    "pg_stat_statements.max or take snapshots more often",
                    w.deallocations, after.max_entries));
  }
  Finish(w);
  return w;
}

}  // namespace dbarch::workload
