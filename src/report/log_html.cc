#include "report/log_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

namespace dbarch::report {
namespace {

using log_format::FormatBytes;
using log_format::FormatMs;
using log_format::OneLine;
using log_format::Thousands;
using workload::LogGroup;
using workload::LogReport;
using workload::UsageCount;

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Coordinates with one decimal: enough for a screen, and stable text for the golden file.
std::string Num(double v) { return fmt::format("{:.1f}", v); }

constexpr double kWidth = 960;

// Minutes since 1970-01-01 00:00 of "YYYY-MM-DD HH:MM" (the calendar's days counted as in
// H. Hinnant's days_from_civil); -1 when the text is not such a minute.
int64_t MinuteNumber(std::string_view m) {
  if (m.size() < 16) return -1;
  auto num = [&](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (m[i] < '0' || m[i] > '9') return int64_t{-1};
      v = v * 10 + (m[i] - '0');
    }
    return v;
  };
  int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || mi < 0) return -1;
  y -= mo <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return (days * 24 + h) * 60 + mi;
}

// The inverse of MinuteNumber (civil_from_days). Requires: minute >= 0.
std::string MinuteText(int64_t minute) {
  int64_t z = minute / 1440 + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t mo = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  int64_t of_day = minute % 1440;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", y, mo, d, of_day / 60, of_day % 60);
}

// Minutes spanned at most by a chart with a bar for every minute (quiet ones included); a
// longer log gets a bar per minute with entries only.
constexpr int64_t kMaxChartMinutes = 14 * 24 * 60;

// A vertical bar chart as inline SVG: one bar per value, labelled below (a subset when
// there are many), the maximum on the y axis, and a tooltip (<title>) per bar.
std::string VerticalBars(const std::string& id, const std::string& caption,
                         const std::vector<std::string>& labels, const std::vector<double>& values,
                         const std::vector<std::string>& tooltips) {
  const double height = 260, left = 70, right = 10, top = 16, bottom = 46;
  const double plot_w = kWidth - left - right, plot_h = height - top - bottom;
  double max = 0;
  for (double v : values) max = std::max(max, v);
  std::string out = fmt::format(
      "<svg id=\"{}\" class=\"chart\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">\n",
      id, Num(kWidth), Num(height), Num(kWidth), Num(height), Escape(caption));
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n",
                     Num(left), Num(top), Num(top + plot_h));
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\"/>\n",
                     Num(left), Num(top + plot_h), Num(left + plot_w));
  out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                     Num(left - 6), Num(top + 10), Escape(Thousands(std::llround(max))));
  out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n",
                     Num(left - 6), Num(top + plot_h));
  size_t n = values.size();
  if (n == 0) {
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\">no data</text>\n", Num(left + 10),
                       Num(top + plot_h / 2));
    return out + "</svg>\n";
  }
  double slot = plot_w / static_cast<double>(n);
  double bar_w = std::max(1.0, slot * (n > 100 ? 1.0 : 0.8));
  size_t label_every = n <= 12 ? 1 : (n + 7) / 8;
  for (size_t i = 0; i < n; ++i) {
    double h = max > 0 ? plot_h * values[i] / max : 0;
    double x = left + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    out += fmt::format(
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\"><title>{}</title></rect>\n",
        Num(x), Num(top + plot_h - h), Num(bar_w), Num(h), Escape(tooltips[i]));
    if (i % label_every == 0 || i + 1 == n) {
      out +=
          fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                      Num(left + slot * (static_cast<double>(i) + 0.5)), Num(top + plot_h + 16),
                      Escape(labels[i]));
    }
  }
  out += fmt::format("<text class=\"caption\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     Num(left + plot_w / 2), Num(height - 6), Escape(caption));
  return out + "</svg>\n";
}

// The top groups as horizontal bars of their total time, "#rank" on the left, the time and
// the start of the query on the right of each bar.
std::string TopGroupsChart(const std::vector<const LogGroup*>& groups, double total_ms) {
  const double row = 24, left = 50, text_w = 420;
  const double bar_max = kWidth - left - text_w - 10;
  double height = row * static_cast<double>(groups.size()) + 10;
  double max = 0;
  for (const LogGroup* g : groups) max = std::max(max, g->total_ms);
  std::string out = fmt::format(
      "<svg id=\"top-groups\" class=\"chart\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"top groups by total "
      "time\">\n",
      Num(kWidth), Num(height), Num(kWidth), Num(height));
  for (size_t i = 0; i < groups.size(); ++i) {
    const LogGroup& g = *groups[i];
    double y = 5 + row * static_cast<double>(i);
    double w = max > 0 ? std::max(1.0, bar_max * g.total_ms / max) : 1.0;
    double pct = total_ms > 0 ? 100.0 * g.total_ms / total_ms : 0;
    out += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">#{}</text>\n",
                       Num(left - 8), Num(y + 15), i + 1);
    out += fmt::format(
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\"><title>{}</title></rect>\n",
        Num(left), Num(y + 2), Num(w), Num(row - 6),
        Escape(fmt::format("{} ({:.1f}%), {} calls: {}", FormatMs(g.total_ms), pct,
                           Thousands(g.calls), OneLine(g.normalized, 200))));
    out += fmt::format("<text class=\"label\" x=\"{}\" y=\"{}\">{} {:.1f}%  {}</text>\n",
                       Num(left + w + 6), Num(y + 15), Escape(FormatMs(g.total_ms)), pct,
                       Escape(OneLine(g.normalized, 48)));
  }
  return out + "</svg>\n";
}

void Row(std::string& out, std::string_view name, const std::string& value) {
  out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", Escape(name), Escape(value));
}

std::string UsageTable(const std::string& title, const std::vector<UsageCount>& v, size_t n) {
  if (v.empty()) return "";
  std::string out = "<h3>" + Escape(title) +
                    "</h3>\n<table class=\"usage\">\n<tr><th>name</th><th>calls</th><th>time</"
                    "th></tr>\n";
  for (size_t i = 0; i < v.size() && i < n; ++i) {
    out += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                       Escape(v[i].name.empty() ? "(none)" : v[i].name), Thousands(v[i].calls),
                       FormatMs(v[i].total_ms));
  }
  return out + "</table>\n";
}

constexpr std::string_view kStyle =
    R"(body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}code{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
svg.chart{display:block;margin:8px 0;background:#fafafa;border:1px solid #ddd}
.bar{fill:#3b6fb6}.axis{stroke:#555;stroke-width:1}.tick{font-size:11px;fill:#444}.label{font-size:12px;fill:#222}
.caption{font-size:12px;fill:#222}.warn{color:#a33}
)";

}  // namespace

std::string LogReportToHtml(const LogReport& report, const LogReportOptions& options) {
  const workload::LogSummary& s = report.summary;
  size_t top = options.top > 0 ? static_cast<size_t>(options.top) : 20;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No network: a policy that refuses every load the page might attempt.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\">\n";
  out += "<title>dbarch workload report</title>\n<style>\n" + std::string(kStyle) +
         "</style>\n</head>\n<body>\n";
  out += "<h1>Workload read from PostgreSQL server logs</h1>\n";

  out += "<table id=\"summary\">\n";
  std::string files;
  for (const std::string& f : s.files) files += (files.empty() ? "" : ", ") + f;
  Row(out, "files", files);
  Row(out, "size",
      FormatBytes(s.bytes) + ", " + Thousands(static_cast<int64_t>(s.lines)) + " lines");
  if (!s.first_timestamp.empty()) {
    Row(out, "time",
        fmt::format("{} .. {} ({:.1f} s)", s.first_timestamp, s.last_timestamp, s.covered_seconds));
  }
  Row(out, "statements",
      fmt::format("{} in {} groups, {} with a duration, {} in all", Thousands(s.statements),
                  Thousands(static_cast<int64_t>(report.groups.size())),
                  Thousands(s.timed_statements), FormatMs(s.total_ms)));
  if (s.parse_bind > 0) {
    Row(out, "parse/bind steps",
        fmt::format("{} ({}), not counted as statements", Thousands(s.parse_bind),
                    FormatMs(s.parse_bind_ms)));
  }
  Row(out, "errors",
      fmt::format("{} ({} with their statement)", Thousands(s.errors),
                  Thousands(s.errors_with_statement)));
  Row(out, "lock waits", Thousands(s.lock_waits));
  Row(out, "temporary files",
      fmt::format("{} ({})", Thousands(s.temp_files),
                  FormatBytes(static_cast<uint64_t>(s.temp_bytes))));
  Row(out, "connections / disconnections",
      Thousands(s.connections) + " / " + Thousands(s.disconnections));
  Row(out, "checkpoints", Thousands(s.checkpoints));
  Row(out, "autovacuum / autoanalyze", Thousands(s.autovacuums));
  if (s.other_database_entries > 0) {
    Row(out, "entries of other databases left out", Thousands(s.other_database_entries));
  }
  Row(out, "malformed lines", Thousands(s.malformed_lines));
  out += "</table>\n";
  if (!s.malformed.empty()) {
    out += "<ul class=\"warn\">\n";
    for (const auto& m : s.malformed) {
      out += "<li>" + Escape(fmt::format("{}:{}: {}", m.file, m.line, m.reason)) + "</li>\n";
    }
    out += "</ul>\n";
  }

  out += "<h2>Statements per minute</h2>\n";
  {
    std::vector<std::string> labels, tips;
    std::vector<double> values;
    std::vector<workload::TimeBucket> series;
    bool filled = false;
    if (!s.per_minute.empty()) {
      int64_t first = MinuteNumber(s.per_minute.front().minute);
      int64_t last = MinuteNumber(s.per_minute.back().minute);
      filled = first >= 0 && last >= first && last - first < kMaxChartMinutes;
      if (filled) {
        // Quiet minutes are bars of height 0, so the x axis is time. Their labels come from
        // the minute numbers of the neighbours.
        int64_t expected = first;
        for (const workload::TimeBucket& b : s.per_minute) {
          int64_t at = MinuteNumber(b.minute);
          if (at < expected) {
            filled = false;
            break;
          }
          for (; expected < at; ++expected) {
            workload::TimeBucket quiet;
            quiet.minute = MinuteText(expected);
            series.push_back(quiet);
          }
          series.push_back(b);
          expected = at + 1;
        }
      }
      if (!filled) series = s.per_minute;
    }
    for (const workload::TimeBucket& b : series) {
      labels.push_back(b.minute.size() >= 16 ? b.minute.substr(11, 5) : b.minute);
      values.push_back(static_cast<double>(b.statements));
      tips.push_back(fmt::format(
          "{}: {} statements, {}, {} errors, {} lock waits, {} temp files, {} connections, "
          "{} checkpoints, {} autovacuum",
          b.minute, Thousands(b.statements), FormatMs(b.total_ms), Thousands(b.errors),
          Thousands(b.lock_waits), Thousands(b.temp_files), Thousands(b.connections),
          Thousands(b.checkpoints), Thousands(b.autovacuums)));
    }
    std::string caption =
        s.per_minute.empty()
            ? "statements per minute (the log's timestamps give no minutes)"
            : fmt::format("statements per minute, {} .. {}{}", s.per_minute.front().minute,
                          s.per_minute.back().minute, filled ? "" : " (minutes with entries only)");
    out += VerticalBars("queries-per-minute", caption, labels, values, tips);
  }

  out += "<h2>Duration histogram</h2>\n";
  {
    std::vector<std::string> labels, tips;
    std::vector<double> values;
    const auto& edges = workload::kDurationHistogramEdgesMs;
    auto ms = [](double v) {
      return v >= 1000 ? fmt::format("{:g} s", v / 1000) : fmt::format("{:g} ms", v);
    };
    for (size_t i = 0; i < s.duration_histogram.size(); ++i) {
      // Short labels under the bars (the upper bound); the tooltip has the range.
      labels.push_back(i < std::size(edges) ? "< " + ms(edges[i])
                                            : ">= " + ms(edges[std::size(edges) - 1]));
      values.push_back(static_cast<double>(s.duration_histogram[i]));
      tips.push_back(HistogramLabel(i) + ": " + Thousands(s.duration_histogram[i]) + " statements");
    }
    out += VerticalBars("duration-histogram", "statements by duration", labels, values, tips);
  }

  out += "<h2>Top groups by total time</h2>\n";
  std::vector<const LogGroup*> groups;
  for (const LogGroup& g : report.groups) {
    if (g.calls > 0 && groups.size() < top) groups.push_back(&g);
  }
  out += TopGroupsChart(groups, s.total_ms);
  out +=
      "<table id=\"top-groups-table\">\n<tr><th>#</th><th>total</th><th>time%</th><th>calls</"
      "th><th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>errors</th><th>query</"
      "th></tr>\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    const LogGroup& g = *groups[i];
    double pct = s.total_ms > 0 ? 100.0 * g.total_ms / s.total_ms : 0;
    out += fmt::format(
        "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1f}%</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td><code>{}</code><br><small>{}</small></td></tr>\n",
        i + 1, FormatMs(g.total_ms), pct, Thousands(g.calls), FormatMs(g.mean_ms()),
        FormatMs(g.durations.Quantile(0.50)), FormatMs(g.durations.Quantile(0.95)),
        FormatMs(g.durations.Quantile(0.99)), FormatMs(g.durations.max_ms()), Thousands(g.errors),
        Escape(g.normalized), Escape(g.fingerprint));
  }
  out += "</table>\n";

  auto listed = [&](const std::string& id, const std::string& title, auto key, auto value) {
    std::vector<const LogGroup*> v;
    for (const LogGroup& g : report.groups) {
      if (key(g) > 0) v.push_back(&g);
    }
    if (v.empty()) return;
    std::stable_sort(v.begin(), v.end(),
                     [&](const LogGroup* a, const LogGroup* b) { return key(*a) > key(*b); });
    if (v.size() > top) v.resize(top);
    out += "<h2>" + Escape(title) + "</h2>\n<table id=\"" + id + "\">\n";
    for (const LogGroup* g : v) {
      out += "<tr><td class=\"num\">" + Escape(value(*g)) + "</td><td><code>" +
             Escape(g->normalized) + "</code></td></tr>\n";
    }
    out += "</table>\n";
  };
  listed(
      "errors", "Groups with errors", [](const LogGroup& g) { return g.errors; },
      [](const LogGroup& g) {
        return Thousands(g.errors) + " errors; first: " + OneLine(g.first_error, 200);
      });
  listed(
      "lock-waits", "Groups with lock waits", [](const LogGroup& g) { return g.lock_waits; },
      [](const LogGroup& g) { return Thousands(g.lock_waits) + " waits"; });
  listed(
      "temp-files", "Groups writing temporary files",
      [](const LogGroup& g) { return g.temp_bytes; },
      [](const LogGroup& g) {
        return FormatBytes(static_cast<uint64_t>(g.temp_bytes)) + " in " + Thousands(g.temp_files) +
               " files";
      });

  out += "<h2>By database, user and application</h2>\n";
  out += UsageTable("Databases", s.by_database, top);
  out += UsageTable("Users", s.by_user, top);
  out += UsageTable("Applications", s.by_application, top);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace dbarch::report
