#include "report/stat_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "report/log_report.h"

namespace dbarch::report {
namespace {

using Json = nlohmann::ordered_json;
using log_format::FormatMs;
using log_format::Ms;
using log_format::OneLine;
using log_format::Thousands;
using workload::StatCounters;
using workload::StatEntry;
using workload::StatWindow;

double MeanMs(const StatCounters& c) {
  return c.calls > 0 ? c.total_exec_ms / static_cast<double>(c.calls) : 0;
}

Json CountersJson(const StatCounters& c) {
  return Json{{"calls", c.calls},
              {"total_exec_ms", Ms(c.total_exec_ms)},
              {"mean_ms", Ms(MeanMs(c))},
              {"rows", c.rows},
              {"plans", c.plans},
              {"total_plan_ms", Ms(c.total_plan_ms)},
              {"shared_blks_hit", c.shared_blks_hit},
              {"shared_blks_read", c.shared_blks_read},
              {"shared_blks_dirtied", c.shared_blks_dirtied},
              {"shared_blks_written", c.shared_blks_written},
              {"temp_blks_read", c.temp_blks_read},
              {"temp_blks_written", c.temp_blks_written},
              {"blk_read_ms", Ms(c.blk_read_ms)},
              {"blk_write_ms", Ms(c.blk_write_ms)},
              {"wal_bytes", c.wal_bytes}};
}

void Section(std::string& out, const std::string& title, const StatWindow& w, size_t top,
             int64_t (*key)(const StatEntry&)) {
  std::vector<const StatEntry*> v;
  for (const StatEntry& e : w.entries) {
    if (key == nullptr || key(e) > 0) v.push_back(&e);
  }
  if (v.empty()) return;
  if (key != nullptr) {
    std::stable_sort(v.begin(), v.end(),
                     [&](const StatEntry* a, const StatEntry* b) { return key(*a) > key(*b); });
  }
  if (v.size() > top) v.resize(top);
  out += "\n" + title + "\n";
  out += fmt::format("  {:>3}  {:>10}  {:>6}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:<12}  {}\n",
                     "#", "total", "time%", "calls", "mean", "rows", "blks read", "temp write",
                     "database", "query");
  int rank = 0;
  for (const StatEntry* e : v) {
    const StatCounters& c = e->counters;
    double pct = w.total.total_exec_ms > 0 ? 100.0 * c.total_exec_ms / w.total.total_exec_ms : 0;
    out += fmt::format(
        "  {:>3}  {:>10}  {:>5.1f}%  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:<12}  {}{}\n",
        ++rank, FormatMs(c.total_exec_ms), pct, Thousands(c.calls), FormatMs(MeanMs(c)),
        Thousands(c.rows), Thousands(c.shared_blks_read), Thousands(c.temp_blks_written),
        e->database, e->restarted ? "(restarted) " : "", OneLine(e->query, 80));
  }
}

}  // namespace

std::string StatWindowToText(const StatWindow& w, const StatReportOptions& options) {
  size_t top = options.top > 0 ? static_cast<size_t>(options.top) : 10;
  std::string out;
  out += "pg_stat_statements";
  if (!options.server.empty()) out += " of " + options.server;
  out += "\n";
  out += fmt::format("Window: {} .. {} ({:.1f} s){}\n", w.from.empty() ? "?" : w.from, w.to,
                     w.seconds, w.since_reset ? ", since a statistics reset" : "");
  for (const std::string& n : w.notes) out += "Note: " + n + "\n";
  const StatCounters& t = w.total;
  out += fmt::format("Statements: {} calls in {} entries, {} executing, {} planning, {} rows\n",
                     Thousands(t.calls), Thousands(static_cast<int64_t>(w.entries.size())),
                     FormatMs(t.total_exec_ms), FormatMs(t.total_plan_ms), Thousands(t.rows));
  out += fmt::format(
      "Blocks: {} shared hit, {} shared read, {} temp written; {} ms reading, {} ms writing\n",
      Thousands(t.shared_blks_hit), Thousands(t.shared_blks_read), Thousands(t.temp_blks_written),
      Ms(t.blk_read_ms), Ms(t.blk_write_ms));
  Section(out, "Most total time", w, top, nullptr);
  Section(out, "Most frequent", w, top, [](const StatEntry& e) { return e.counters.calls; });
  Section(out, "Most shared blocks read", w, top,
          [](const StatEntry& e) { return e.counters.shared_blks_read; });
  Section(out, "Most temporary blocks written", w, top,
          [](const StatEntry& e) { return e.counters.temp_blks_written; });
  std::map<std::string, std::pair<int64_t, double>> by_db, by_user;
  for (const StatEntry& e : w.entries) {
    by_db[e.database].first += e.counters.calls;
    by_db[e.database].second += e.counters.total_exec_ms;
    by_user[e.user].first += e.counters.calls;
    by_user[e.user].second += e.counters.total_exec_ms;
  }
  auto usage = [&](const char* title, const std::map<std::string, std::pair<int64_t, double>>& m) {
    if (m.empty()) return;
    std::vector<std::pair<std::string, std::pair<int64_t, double>>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second.second > b.second.second;
    });
    out += std::string("\n") + title + "\n";
    for (size_t i = 0; i < v.size() && i < top; ++i) {
      out += fmt::format("  {:<24} {:>12} calls  {:>10}\n", v[i].first,
                         Thousands(v[i].second.first), FormatMs(v[i].second.second));
    }
  };
  usage("By database", by_db);
  usage("By user", by_user);
  return out;
}

std::string StatWindowToJson(const StatWindow& w, const StatReportOptions& options) {
  Json summary = CountersJson(w.total);
  summary["entries"] = w.entries.size();
  summary["new_entries"] = w.new_entries;
  summary["restarted_entries"] = w.restarted_entries;
  summary["vanished_entries"] = w.vanished_entries;
  summary["deallocations"] = w.deallocations;
  Json statements = Json::array();
  size_t n = options.top > 0 ? static_cast<size_t>(options.top) : w.entries.size();
  for (size_t i = 0; i < w.entries.size() && i < n; ++i) {
    const StatEntry& e = w.entries[i];
    Json s{{"queryid", e.queryid},
           {"toplevel", e.toplevel},
           {"database", e.database},
           {"user", e.user},
           {"query", e.query}};
    s.update(CountersJson(e.counters));
    s["restarted"] = e.restarted;
    statements.push_back(std::move(s));
  }
  Json out{{"source", "pg_stat_statements"},
           {"server", options.server},
           {"window",
            {{"from", w.from},
             {"to", w.to},
             {"seconds", Ms(w.seconds)},
             {"since_reset", w.since_reset}}},
           {"notes", w.notes},
           {"summary", summary},
           {"statements", statements}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace dbarch::report
