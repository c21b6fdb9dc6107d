#include "report/bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/strings.h"

namespace dbarch::report {
namespace {

using measure::Outcome;
using measure::QueryMeasurement;
using measure::WorkloadMeasurement;

std::string FormatNumber(double value, int significant) {
  if (value == 0) return "0";
  char buf[64];
  double magnitude = value == 0 ? 0 : std::floor(std::log10(std::fabs(value)));
  int decimals = std::max(0, significant - 1 - static_cast<int>(magnitude));
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

// "30 s", "1.5 s", "200 ms".
std::string TimeoutLength(int timeout_ms) {
  if (timeout_ms % 1000 == 0) return std::to_string(timeout_ms / 1000) + " s";
  if (timeout_ms > 1000) return FormatNumber(timeout_ms / 1000.0, 3) + " s";
  return std::to_string(timeout_ms) + " ms";
}

std::string FormatWeight(double w) {
  if (w == std::floor(w) && std::fabs(w) < 1e15) return std::to_string(static_cast<int64_t>(w));
  return FormatNumber(w, 3);
}

std::string FormatSpeedUp(const std::optional<double>& s) {
  if (!s.has_value()) return "-";
  return FormatNumber(*s, 3) + "x";
}

// The median cell: the time, or why there is none.
std::string MedianCell(const QueryMeasurement& q, int timeout_ms) {
  switch (q.outcome) {
    case Outcome::kOk:
      return FormatDuration(q.median_ms);
    case Outcome::kTimeout:
      return FormatTimeout(timeout_ms);
    case Outcome::kError:
      return "error";
  }
  return "error";
}

std::string P95Cell(const QueryMeasurement& q) {
  return q.outcome == Outcome::kOk ? FormatDuration(q.p95_ms) : "-";
}

std::string RowsCell(const QueryMeasurement& q) {
  return q.outcome == Outcome::kOk ? std::to_string(q.rows) : "-";
}

std::string BuffersCell(const QueryMeasurement& q) {
  if (!q.plan) return "-";
  return std::to_string(q.plan->shared_hit_blocks) + "/" +
         std::to_string(q.plan->shared_read_blocks);
}

std::string NodeCell(const QueryMeasurement& q) { return q.plan ? q.plan->top_node : "-"; }

std::string IndexesCell(const QueryMeasurement& q) {
  if (!q.plan || q.plan->indexes.empty()) return "-";
  return Join(q.plan->indexes, ", ");
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right_aligned;
};

Table MakeTable(const BenchReport& r) {
  Table t;
  const WorkloadMeasurement& base = r.base;
  if (!r.compare) {
    t.header = {"query", "weight", "median", "p95", "rows", "hit/read", "top node", "indexes"};
    t.right_aligned = {false, true, true, true, true, true, false, false};
    for (const QueryMeasurement& q : base.queries) {
      t.rows.push_back({q.name, FormatWeight(q.weight), MedianCell(q, base.timeout_ms), P95Cell(q),
                        RowsCell(q), BuffersCell(q), NodeCell(q), IndexesCell(q)});
    }
    return t;
  }
  const WorkloadMeasurement& cmp = *r.compare;
  std::vector<std::optional<double>> speed_ups = measure::QuerySpeedUps(base, cmp);
  t.header = {"query", "weight",   "base median", "compare median", "speed-up",
              "rows",  "hit/read", "top node",    "indexes"};
  t.right_aligned = {false, true, true, true, true, true, true, false, false};
  for (size_t i = 0; i < base.queries.size(); ++i) {
    const QueryMeasurement& b = base.queries[i];
    const QueryMeasurement& c = cmp.queries[i];
    std::string node = NodeCell(c);
    if (b.plan && c.plan && b.plan->top_node != c.plan->top_node) {
      node = b.plan->top_node + " -> " + c.plan->top_node;
    }
    t.rows.push_back({b.name, FormatWeight(b.weight), MedianCell(b, base.timeout_ms),
                      MedianCell(c, cmp.timeout_ms), FormatSpeedUp(speed_ups[i]), RowsCell(c),
                      BuffersCell(c), node, IndexesCell(c)});
  }
  return t;
}

std::vector<std::string> HeaderLines(const BenchReport& r) {
  std::vector<std::string> out;
  std::string line = "target: " + r.target;
  if (!r.settings.empty()) {
    std::vector<std::string> parts;
    for (const auto& [name, value] : r.settings) parts.push_back(name + "=" + value);
    line += " (" + Join(parts, ", ") + ")";
  }
  out.push_back(line);
  out.push_back("runs: " + std::to_string(r.base.runs) + " per query after one warm-up; timeout " +
                TimeoutLength(r.base.timeout_ms) + " per run");
  return out;
}

std::string TotalLine(const WorkloadMeasurement& m) {
  size_t finished = 0;
  size_t timeouts = 0;
  size_t errors = 0;
  for (const QueryMeasurement& q : m.queries) {
    if (q.outcome == Outcome::kOk) ++finished;
    if (q.outcome == Outcome::kTimeout) ++timeouts;
    if (q.outcome == Outcome::kError) ++errors;
  }
  std::string line = "weighted total (" + m.label + "): " + std::string(m.complete ? "" : ">= ") +
                     FormatDuration(m.weighted_total_ms) + " (sum of weight x median over " +
                     std::to_string(finished) + " of " + std::to_string(m.queries.size()) +
                     " queries";
  if (timeouts > 0) line += "; " + std::to_string(timeouts) + " timed out";
  if (errors > 0) line += "; " + std::to_string(errors) + " failed";
  return line + ")";
}

std::vector<std::string> FooterLines(const BenchReport& r) {
  std::vector<std::string> out{TotalLine(r.base)};
  if (r.compare) {
    out.push_back(TotalLine(*r.compare));
    out.push_back(
        "weighted speed-up: " + FormatSpeedUp(measure::WeightedSpeedUp(r.base, *r.compare)) +
        " (over the queries that finished in both runs)");
  }
  for (const WorkloadMeasurement* m : {&r.base, r.compare ? &*r.compare : nullptr}) {
    if (m == nullptr) continue;
    for (const QueryMeasurement& q : m->queries) {
      if (q.outcome == Outcome::kError) {
        out.push_back("error (" + m->label + ") in " + q.name + ": " + q.error);
      }
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

nlohmann::json FiguresJson(const QueryMeasurement& q) {
  nlohmann::json j;
  j["outcome"] = measure::OutcomeName(q.outcome);
  j["error"] = q.outcome == Outcome::kError ? nlohmann::json(q.error) : nlohmann::json(nullptr);
  j["runs_ms"] = q.runs_ms;
  j["median_ms"] =
      q.outcome == Outcome::kOk ? nlohmann::json(q.median_ms) : nlohmann::json(nullptr);
  j["p95_ms"] = q.outcome == Outcome::kOk ? nlohmann::json(q.p95_ms) : nlohmann::json(nullptr);
  j["rows"] = q.outcome == Outcome::kOk ? nlohmann::json(q.rows) : nlohmann::json(nullptr);
  if (q.plan) {
    j["plan"] = {{"top_node", q.plan->top_node},
                 {"rows", q.plan->rows},
                 {"shared_hit_blocks", q.plan->shared_hit_blocks},
                 {"shared_read_blocks", q.plan->shared_read_blocks},
                 {"indexes", q.plan->indexes},
                 {"execution_ms", q.plan->execution_ms}};
  } else {
    j["plan"] = nullptr;
  }
  return j;
}

std::string EscapeMarkdownCell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string FormatDuration(double ms) {
  if (ms >= 1000) return FormatNumber(ms / 1000, 3) + " s";
  return FormatNumber(ms, 3) + " ms";
}

std::string FormatTimeout(int timeout_ms) { return "timeout (>" + TimeoutLength(timeout_ms) + ")"; }

std::string BenchToText(const BenchReport& report) {
  Table t = MakeTable(report);
  std::vector<size_t> widths(t.header.size());
  for (size_t c = 0; c < t.header.size(); ++c) widths[c] = DisplayWidth(t.header[c]);
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto render = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      std::string pad(widths[c] - DisplayWidth(row[c]), ' ');
      bool last = c + 1 == row.size();
      line += t.right_aligned[c] ? pad + row[c] : (last ? row[c] : row[c] + pad);
      if (!last) line += "  ";
    }
    return line + "\n";
  };
  std::string out;
  for (const std::string& line : HeaderLines(report)) out += line + "\n";
  out += "\n" + render(t.header);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  out += render(rule);
  for (const auto& row : t.rows) out += render(row);
  out += "\n";
  for (const std::string& line : FooterLines(report)) out += line + "\n";
  return out;
}

std::string BenchToMarkdown(const BenchReport& report) {
  Table t = MakeTable(report);
  std::string out;
  for (const std::string& line : HeaderLines(report)) out += line + "  \n";
  out += "\n|";
  for (const std::string& h : t.header) out += " " + h + " |";
  out += "\n|";
  for (bool right : t.right_aligned) out += right ? "---:|" : "---|";
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const std::string& cell : row) out += " " + EscapeMarkdownCell(cell) + " |";
    out += "\n";
  }
  out += "\n";
  for (const std::string& line : FooterLines(report)) out += "- " + EscapeMarkdownCell(line) + "\n";
  return out;
}

std::string BenchToJson(const BenchReport& report) {
  nlohmann::json j;
  j["target"] = report.target;
  j["settings"] = nlohmann::json::object();
  for (const auto& [name, value] : report.settings) j["settings"][name] = value;
  j["runs"] = report.base.runs;
  j["timeout_ms"] = report.base.timeout_ms;
  j["weighted_total_ms"] = report.base.weighted_total_ms;
  j["complete"] = report.base.complete;
  std::vector<std::optional<double>> speed_ups;
  if (report.compare) speed_ups = measure::QuerySpeedUps(report.base, *report.compare);
  nlohmann::json queries = nlohmann::json::array();
  for (size_t i = 0; i < report.base.queries.size(); ++i) {
    const QueryMeasurement& q = report.base.queries[i];
    nlohmann::json entry = FiguresJson(q);
    entry["name"] = q.name;
    entry["weight"] = q.weight;
    if (report.compare) {
      entry["compare"] = FiguresJson(report.compare->queries[i]);
      entry["speed_up"] = speed_ups[i] ? nlohmann::json(*speed_ups[i]) : nlohmann::json(nullptr);
    }
    queries.push_back(std::move(entry));
  }
  j["queries"] = std::move(queries);
  if (report.compare) {
    std::optional<double> total = measure::WeightedSpeedUp(report.base, *report.compare);
    j["compare"] = {
        {"label", report.compare->label},
        {"weighted_total_ms", report.compare->weighted_total_ms},
        {"complete", report.compare->complete},
        {"weighted_speed_up", total ? nlohmann::json(*total) : nlohmann::json(nullptr)}};
  }
  return j.dump(2) + "\n";
}

}  // namespace dbarch::report
