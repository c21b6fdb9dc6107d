#include "report/log_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

namespace dbarch::report {
namespace log_format {

// Milliseconds rounded to microseconds, so JSON does not show binary noise.
double Ms(double ms) { return std::round(ms * 1000.0) / 1000.0; }

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return (v < 0 ? "-" : "") + out;
}

std::string FormatMs(double ms) {
  if (ms >= 100000) return fmt::format("{:.0f} s", ms / 1000);
  if (ms >= 10000) return fmt::format("{:.1f} s", ms / 1000);
  if (ms >= 100) return fmt::format("{:.0f} ms", ms);
  if (ms >= 10) return fmt::format("{:.1f} ms", ms);
  return fmt::format("{:.3f} ms", ms);
}

std::string FormatBytes(uint64_t b) {
  if (b >= (1ull << 30)) return fmt::format("{:.1f} GB", static_cast<double>(b) / (1ull << 30));
  if (b >= (1ull << 20)) return fmt::format("{:.1f} MB", static_cast<double>(b) / (1ull << 20));
  if (b >= (1ull << 10)) return fmt::format("{:.1f} kB", static_cast<double>(b) / (1ull << 10));
  return fmt::format("{} B", b);
}

// The query on one line, blanks collapsed, cut at `width` characters (not bytes).
std::string OneLine(const std::string& sql, size_t width) {
  std::string out;
  size_t chars = 0;
  bool blank = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(sql[i]);
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      blank = !out.empty();
      continue;
    }
    if (blank) {
      if (chars + 1 >= width) break;
      out.push_back(' ');
      ++chars;
      blank = false;
    }
    bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char) {
      if (chars >= width) {
        out += "...";
        return out;
      }
      ++chars;
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace log_format

namespace {

using log_format::FormatBytes;
using log_format::FormatMs;
using log_format::Ms;
using log_format::OneLine;
using log_format::Thousands;

using Json = nlohmann::ordered_json;
using workload::LogGroup;
using workload::LogReport;
using workload::UsageCount;

Json UsageJson(const std::vector<UsageCount>& v) {
  Json out = Json::array();
  for (const UsageCount& u : v) {
    out.push_back({{"name", u.name}, {"calls", u.calls}, {"total_ms", Ms(u.total_ms)}});
  }
  return out;
}

Json GroupJson(const LogGroup& g) {
  Json samples = Json::array();
  for (const auto& s : g.samples) {
    Json params = Json::array();
    for (const auto& p : s.params) params.push_back(p ? Json(*p) : Json(nullptr));
    samples.push_back(
        {{"statement", s.text}, {"params", params}, {"database", s.database}, {"user", s.user}});
  }
  return Json{{"fingerprint", g.fingerprint},
              {"parsed", g.parsed},
              {"query", g.normalized},
              {"calls", g.calls},
              {"timed_calls", g.timed_calls},
              {"total_ms", Ms(g.total_ms)},
              {"mean_ms", Ms(g.mean_ms())},
              {"p50_ms", Ms(g.durations.Quantile(0.50))},
              {"p95_ms", Ms(g.durations.Quantile(0.95))},
              {"p99_ms", Ms(g.durations.Quantile(0.99))},
              {"min_ms", Ms(g.durations.min_ms())},
              {"max_ms", Ms(g.durations.max_ms())},
              {"errors", g.errors},
              {"first_error", g.first_error.empty() ? Json(nullptr) : Json(g.first_error)},
              {"lock_waits", g.lock_waits},
              {"temp_files", g.temp_files},
              {"temp_bytes", g.temp_bytes},
              {"databases", UsageJson(g.by_database)},
              {"users", UsageJson(g.by_user)},
              {"applications", UsageJson(g.by_application)},
              {"samples", samples}};
}

Json PerMinuteJson(const std::vector<workload::TimeBucket>& v) {
  Json out = Json::array();
  for (const workload::TimeBucket& b : v) {
    out.push_back({{"minute", b.minute},
                   {"statements", b.statements},
                   {"timed_statements", b.timed_statements},
                   {"total_ms", Ms(b.total_ms)},
                   {"errors", b.errors},
                   {"lock_waits", b.lock_waits},
                   {"temp_files", b.temp_files},
                   {"temp_bytes", b.temp_bytes},
                   {"connections", b.connections},
                   {"disconnections", b.disconnections},
                   {"checkpoints", b.checkpoints},
                   {"autovacuums", b.autovacuums}});
  }
  return out;
}

Json HistogramJson(const std::vector<int64_t>& counts) {
  Json out = Json::array();
  const auto& edges = workload::kDurationHistogramEdgesMs;
  for (size_t i = 0; i < counts.size(); ++i) {
    out.push_back({{"below_ms", i < std::size(edges) ? Json(edges[i]) : Json(nullptr)},
                   {"count", counts[i]}});
  }
  return out;
}

void Section(std::string& out, const std::string& title, std::vector<const LogGroup*> groups,
             double total_ms) {
  out += "\n" + title + "\n";
  out += fmt::format("  {:>3}  {:>10}  {:>6}  {:>10}  {:>10}  {:>10}  {:>10}  {:>6}  {}\n", "#",
                     "total", "time%", "calls", "mean", "p95", "max", "errors", "query");
  int rank = 0;
  for (const LogGroup* g : groups) {
    double pct = total_ms > 0 ? 100.0 * g->total_ms / total_ms : 0;
    out +=
        fmt::format("  {:>3}  {:>10}  {:>5.1f}%  {:>10}  {:>10}  {:>10}  {:>10}  {:>6}  {}\n",
                    ++rank, FormatMs(g->total_ms), pct, Thousands(g->calls), FormatMs(g->mean_ms()),
                    FormatMs(g->durations.Quantile(0.95)), FormatMs(g->durations.max_ms()),
                    Thousands(g->errors), OneLine(g->normalized, 80));
  }
}

std::vector<const LogGroup*> TopBy(const LogReport& r, size_t n,
                                   bool (*less)(const LogGroup&, const LogGroup&),
                                   bool (*keep)(const LogGroup&)) {
  std::vector<const LogGroup*> v;
  for (const LogGroup& g : r.groups) {
    if (keep(g)) v.push_back(&g);
  }
  std::stable_sort(v.begin(), v.end(),
                   [&](const LogGroup* a, const LogGroup* b) { return less(*a, *b); });
  if (v.size() > n) v.resize(n);
  return v;
}

void UsageLines(std::string& out, const std::string& title, const std::vector<UsageCount>& v,
                size_t n) {
  if (v.empty()) return;
  out += "\n" + title + "\n";
  for (size_t i = 0; i < v.size() && i < n; ++i) {
    out += fmt::format("  {:<24} {:>12} calls  {:>10}\n", v[i].name.empty() ? "(none)" : v[i].name,
                       Thousands(v[i].calls), FormatMs(v[i].total_ms));
  }
}

}  // namespace

std::string HistogramLabel(size_t i) {
  const auto& edges = workload::kDurationHistogramEdgesMs;
  auto ms = [](double v) {
    return v >= 1000 ? fmt::format("{:g} s", v / 1000) : fmt::format("{:g} ms", v);
  };
  if (i == 0) return "< " + ms(edges[0]);
  if (i >= std::size(edges)) return ">= " + ms(edges[std::size(edges) - 1]);
  return ms(edges[i - 1]) + " - " + ms(edges[i]);
}

std::string LogReportToText(const LogReport& report, const LogReportOptions& options) {
  const workload::LogSummary& s = report.summary;
  size_t top = options.top > 0 ? static_cast<size_t>(options.top) : 10;
  std::string out;
  out += fmt::format("Log: {} file(s), {}, {} lines\n", s.files.size(), FormatBytes(s.bytes),
                     Thousands(static_cast<int64_t>(s.lines)));
  if (!s.first_timestamp.empty()) {
    out += fmt::format("Time: {} .. {} ({:.1f} s)\n", s.first_timestamp, s.last_timestamp,
                       s.covered_seconds);
  }
  out += fmt::format("Statements: {} in {} groups, {} with a duration, {} in all\n",
                     Thousands(s.statements), Thousands(static_cast<int64_t>(report.groups.size())),
                     Thousands(s.timed_statements), FormatMs(s.total_ms));
  if (s.parse_bind > 0) {
    out += fmt::format("Parse/bind steps: {} ({}), not counted as statements\n",
                       Thousands(s.parse_bind), FormatMs(s.parse_bind_ms));
  }
  out += fmt::format("Errors: {} ({} with their statement)\n", Thousands(s.errors),
                     Thousands(s.errors_with_statement));
  out += fmt::format(
      "Events: {} connections, {} disconnections, {} checkpoints, {} autovacuum/analyze, "
      "{} lock waits, {} temporary files ({})\n",
      Thousands(s.connections), Thousands(s.disconnections), Thousands(s.checkpoints),
      Thousands(s.autovacuums), Thousands(s.lock_waits), Thousands(s.temp_files),
      FormatBytes(static_cast<uint64_t>(s.temp_bytes)));
  if (s.other_database_entries > 0) {
    out += fmt::format("Entries of other databases left out: {}\n",
                       Thousands(s.other_database_entries));
  }
  out += fmt::format("Malformed lines: {}\n", Thousands(s.malformed_lines));
  for (const auto& m : s.malformed) {
    out += fmt::format("  {}:{}: {}\n", m.file, m.line, m.reason);
  }
  if (s.malformed_lines > static_cast<int64_t>(s.malformed.size())) {
    out += fmt::format("  ... and {} more\n",
                       Thousands(s.malformed_lines - static_cast<int64_t>(s.malformed.size())));
  }

  Section(
      out, "Most total time",
      TopBy(
          report, top, [](const LogGroup& a, const LogGroup& b) { return a.total_ms > b.total_ms; },
          [](const LogGroup& g) { return g.calls > 0; }),
      s.total_ms);
  Section(out, "Slowest (by mean duration)",
          TopBy(
              report, top,
              [](const LogGroup& a, const LogGroup& b) { return a.mean_ms() > b.mean_ms(); },
              [](const LogGroup& g) { return g.timed_calls > 0; }),
          s.total_ms);
  Section(out, "Most frequent",
          TopBy(
              report, top, [](const LogGroup& a, const LogGroup& b) { return a.calls > b.calls; },
              [](const LogGroup& g) { return g.calls > 0; }),
          s.total_ms);
  auto errors = TopBy(
      report, top, [](const LogGroup& a, const LogGroup& b) { return a.errors > b.errors; },
      [](const LogGroup& g) { return g.errors > 0; });
  if (!errors.empty()) {
    out += "\nMost errors\n";
    int rank = 0;
    for (const LogGroup* g : errors) {
      out +=
          fmt::format("  {:>3}  {:>6} errors  {}\n       first: {}\n", ++rank, Thousands(g->errors),
                      OneLine(g->normalized, 80), OneLine(g->first_error, 100));
    }
  }
  auto locks = TopBy(
      report, top, [](const LogGroup& a, const LogGroup& b) { return a.lock_waits > b.lock_waits; },
      [](const LogGroup& g) { return g.lock_waits > 0; });
  if (!locks.empty()) {
    out += "\nMost lock waits\n";
    int rank = 0;
    for (const LogGroup* g : locks) {
      out += fmt::format("  {:>3}  {:>6} waits  {}\n", ++rank, Thousands(g->lock_waits),
                         OneLine(g->normalized, 80));
    }
  }
  auto temps = TopBy(
      report, top, [](const LogGroup& a, const LogGroup& b) { return a.temp_bytes > b.temp_bytes; },
      [](const LogGroup& g) { return g.temp_files > 0; });
  if (!temps.empty()) {
    out += "\nMost temporary file bytes\n";
    int rank = 0;
    for (const LogGroup* g : temps) {
      out += fmt::format("  {:>3}  {:>10} in {:>6} files  {}\n", ++rank,
                         FormatBytes(static_cast<uint64_t>(g->temp_bytes)),
                         Thousands(g->temp_files), OneLine(g->normalized, 80));
    }
  }
  if (!s.per_minute.empty()) {
    std::vector<const workload::TimeBucket*> busiest;
    for (const auto& b : s.per_minute) busiest.push_back(&b);
    std::stable_sort(busiest.begin(), busiest.end(),
                     [](const workload::TimeBucket* a, const workload::TimeBucket* b) {
                       return a->statements > b->statements;
                     });
    if (busiest.size() > top) busiest.resize(top);
    out += fmt::format("\nBusiest minutes ({} minute(s) with entries)\n", s.per_minute.size());
    out += fmt::format("  {:<16}  {:>10}  {:>10}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}\n",
                       "minute", "statements", "time", "errors", "locks", "temp", "conn", "ckpt",
                       "vacuum");
    for (const workload::TimeBucket* b : busiest) {
      out += fmt::format("  {:<16}  {:>10}  {:>10}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}\n",
                         b->minute, Thousands(b->statements), FormatMs(b->total_ms),
                         Thousands(b->errors), Thousands(b->lock_waits), Thousands(b->temp_files),
                         Thousands(b->connections), Thousands(b->checkpoints),
                         Thousands(b->autovacuums));
    }
  }
  if (s.timed_statements > 0) {
    out += "\nDurations\n";
    for (size_t i = 0; i < s.duration_histogram.size(); ++i) {
      out +=
          fmt::format("  {:<20} {:>12}\n", HistogramLabel(i), Thousands(s.duration_histogram[i]));
    }
  }
  UsageLines(out, "By database", s.by_database, top);
  UsageLines(out, "By user", s.by_user, top);
  UsageLines(out, "By application", s.by_application, top);
  return out;
}

std::string LogReportToJson(const LogReport& report, const LogReportOptions& options) {
  const workload::LogSummary& s = report.summary;
  Json malformed = Json::array();
  for (const auto& m : s.malformed) {
    malformed.push_back({{"file", m.file}, {"line", m.line}, {"reason", m.reason}});
  }
  Json summary{{"files", s.files},
               {"bytes", s.bytes},
               {"lines", s.lines},
               {"statements", s.statements},
               {"timed_statements", s.timed_statements},
               {"groups", report.groups.size()},
               {"total_ms", Ms(s.total_ms)},
               {"first_timestamp", s.first_timestamp},
               {"last_timestamp", s.last_timestamp},
               {"duration_covered_s", std::round(s.covered_seconds * 1000.0) / 1000.0},
               {"parse_bind", s.parse_bind},
               {"parse_bind_ms", Ms(s.parse_bind_ms)},
               {"unattributed_durations", s.unattributed_durations},
               {"errors", s.errors},
               {"errors_with_statement", s.errors_with_statement},
               {"connections", s.connections},
               {"disconnections", s.disconnections},
               {"checkpoints", s.checkpoints},
               {"autovacuums", s.autovacuums},
               {"lock_waits", s.lock_waits},
               {"temp_files", s.temp_files},
               {"temp_bytes", s.temp_bytes},
               {"other_database_entries", s.other_database_entries},
               {"malformed_lines", s.malformed_lines},
               {"malformed", malformed},
               {"databases", UsageJson(s.by_database)},
               {"users", UsageJson(s.by_user)},
               {"applications", UsageJson(s.by_application)},
               {"per_minute", PerMinuteJson(s.per_minute)},
               {"duration_histogram", HistogramJson(s.duration_histogram)}};
  Json groups = Json::array();
  size_t n = options.top > 0 ? static_cast<size_t>(options.top) : report.groups.size();
  for (size_t i = 0; i < report.groups.size() && i < n; ++i) {
    groups.push_back(GroupJson(report.groups[i]));
  }
  Json out{{"summary", summary}, {"groups", groups}};
  // Log text is not always valid UTF-8 (client_encoding LATIN1...): replace, never throw.
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace dbarch::report
