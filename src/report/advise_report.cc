#include "report/advise_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "report/bench_report.h"

namespace dbarch::report {

using advisor::AdviseDrop;
using advisor::AdviseIndex;
using advisor::AdviseKeptIndex;
using advisor::AdviseQueryEffect;
using advisor::AdviseRejected;
using advisor::AdviseResult;
using advisor::AdviseSample;
using advisor::AdviseSampledTable;
using advisor::AdviseSkipped;
using advisor::AdviseVerify;
using advisor::AdviseVerifyQuery;

namespace {

using Json = nlohmann::json;
using measure::Outcome;

std::string Significant(double value, int significant) {
  if (value == 0) return "0";
  double magnitude = std::floor(std::log10(std::fabs(value)));
  int decimals = std::max(0, significant - 1 - static_cast<int>(magnitude));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

// Costs are shown with two decimals, as EXPLAIN prints them.
std::string Cost(double cost) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", cost);
  return buf;
}

std::string Weight(double w) {
  if (w == std::floor(w) && std::fabs(w) < 1e15) return std::to_string(static_cast<int64_t>(w));
  return Significant(w, 3);
}

// ", built 8.4 MB" and/or " (HypoPG estimate 31.7 MB)" when they differ from the size the
// budget counts by more than 15 %.
std::string SizeDetail(const advisor::AdviseIndex& idx) {
  auto differs = [&](int64_t other) {
    return other > 0 && std::fabs(static_cast<double>(other - idx.size_bytes)) >
                            0.15 * static_cast<double>(std::max<int64_t>(idx.size_bytes, 1));
  };
  std::string out;
  if (idx.built_size_bytes > 0) out += ", built " + FormatBytes(idx.built_size_bytes);
  if (differs(idx.hypopg_size_bytes)) {
    out += " (HypoPG estimate " + FormatBytes(idx.hypopg_size_bytes) + ")";
  }
  return out;
}

std::string SpeedUp(const std::optional<double>& s) { return s ? Significant(*s, 3) + "x" : "-"; }

std::string Median(Outcome outcome, double ms) {
  switch (outcome) {
    case Outcome::kOk:
      return FormatDuration(ms);
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

std::string Budget(const AdviseResult& r) { return Weight(r.budget_mb) + " MB"; }

int Kept(const AdviseResult& r) {
  return static_cast<int>(std::count_if(r.indexes.begin(), r.indexes.end(),
                                        [](const AdviseIndex& i) { return !i.dropped; }));
}

// Left-aligned columns separated by two blanks; the last column is not padded.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string MdCell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// "public.orders: SYSTEM 12.5 % (37,500 of 300,000 rows, 4.1 MB of 33 MB; x8)": how one live
// table was copied into the verification sandbox.
std::string SampleLine(const AdviseSampledTable& t) {
  std::string how = t.method == "all" ? std::string("copied whole")
                                      : t.method + " " + Significant(t.percent, 3) + " %";
  std::string out = t.table + ": " + how + " (" + std::to_string(t.sampled_rows) + " of ~" +
                    std::to_string(t.live_rows) + " rows, " + FormatBytes(t.sampled_bytes) +
                    " of " + FormatBytes(t.live_bytes);
  if (t.fraction > 0 && t.fraction < 1)
    out += "; live = sample x " + Significant(1 / t.fraction, 3);
  return out + ")";
}

std::string SampleSummary(const AdviseSample& s) {
  return "verified on a sample of " + s.source + " copied into a sandbox (cap " +
         FormatBytes(s.max_bytes) + " of " + FormatBytes(s.live_bytes) + " live, " +
         FormatDuration(s.elapsed_ms) +
         "); times and built index sizes are the sample's, a table's live size is its "
         "sampled size / fraction";
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  double b = static_cast<double>(bytes);
  if (b >= 1e9) return Significant(b / 1e9, 3) + " GB";
  if (b >= 1e6) return Significant(b / 1e6, 3) + " MB";
  if (b >= 1e3) return Significant(b / 1e3, 3) + " kB";
  return std::to_string(bytes) + " B";
}

// The recommended set's reported (modelled) size against its size built for real during
// verification, over the kept indexes that were built; "" when none was.
struct SetSizes {
  int64_t reported = 0;
  int64_t built = 0;
  int indexes = 0;
};
SetSizes BuiltSetSizes(const AdviseResult& r) {
  SetSizes s;
  for (const advisor::AdviseIndex& idx : r.indexes) {
    if (idx.dropped || idx.built_size_bytes <= 0) continue;
    s.reported += idx.size_bytes;
    s.built += idx.built_size_bytes;
    ++s.indexes;
  }
  return s;
}
std::string BuiltSizeLine(const AdviseResult& r) {
  SetSizes s = BuiltSetSizes(r);
  if (s.indexes == 0 || s.reported <= 0) return "";
  double diff = 100.0 * (static_cast<double>(s.built) / static_cast<double>(s.reported) - 1);
  return "built size of the recommended set: " + FormatBytes(s.built) + " against " +
         FormatBytes(s.reported) + " reported (" + (diff >= 0 ? "+" : "") + Significant(diff, 2) +
         " %, " + std::to_string(s.indexes) + " indexes)\n";
}

std::string AdviseToText(const AdviseResult& r) {
  std::string out = "dbarch advise: " + r.target + "\n";
  out += "workload: " + std::to_string(r.queries) + " queries analysed";
  if (!r.skipped.empty()) out += ", " + std::to_string(r.skipped.size()) + " skipped";
  if (r.writes > 0) out += " (" + std::to_string(r.writes) + " of them writes)";
  out += "; " + std::to_string(r.candidates) +
         " candidate indexes (width <= " + std::to_string(r.max_width) + ")\n";
  out += "budget: " + Budget(r);
  if (r.max_indexes > 0) out += ", at most " + std::to_string(r.max_indexes) + " indexes";
  out += "\n";
  out +=
      "recommended: " + std::to_string(Kept(r)) + " index(es), " + FormatBytes(r.total_size_bytes);
  int dropped = static_cast<int>(r.indexes.size()) - Kept(r);
  if (dropped > 0) out += " (" + std::to_string(dropped) + " more dropped by --verify)";
  out += "\n";
  out += "estimated workload cost: " + Cost(r.cost_without) + " -> " + Cost(r.cost_with) +
         " (relative cost " + Significant(r.relative_cost, 3) + ")\n";
  if (r.writes > 0) {
    out += "  of which index maintenance of the writes: " + Cost(r.write_cost_without) + " -> " +
           Cost(r.write_cost_with) + "\n";
  }
  out += "what-if calls: " + std::to_string(r.whatif_calls) + " (" +
         std::to_string(r.cost_cache_hits) + " answered from the cache); search time " +
         FormatDuration(r.runtime_ms) + "\n";
  for (const AdviseSkipped& s : r.skipped) {
    out += "skipped query '" + s.query + "': " + s.reason + "\n";
  }
  for (const AdviseRejected& x : r.rejected) {
    out += "candidate " + x.index + " dropped: " + x.reason + "\n";
  }
  for (const AdviseIndex& idx : r.indexes) {
    out += "\n" + idx.ddl + ";\n";
    if (idx.dropped) out += "  dropped: " + idx.drop_reason + "\n";
    out += "  size " + FormatBytes(idx.size_bytes) + SizeDetail(idx) + "; " + idx.rationale + "\n";
    if (!idx.note.empty()) out += "  note: " + idx.note + "\n";
    if (idx.write_cost > 0) {
      out += "  write overhead: +" + Cost(idx.write_cost) + " (index maintenance of the writes)\n";
    }
    std::vector<std::vector<std::string>> rows = {{"query", "weight", "cost before", "cost after"}};
    if (r.verify) rows[0].push_back("used in plan");
    for (const AdviseQueryEffect& e : idx.helps) {
      rows.push_back({e.query, Weight(e.weight), Cost(e.cost_before), Cost(e.cost_after)});
      if (r.verify) rows.back().push_back(e.used_in_plan ? "yes" : "no");
    }
    out += Table(rows);
  }
  if (r.indexes.empty()) {
    out += r.writes > 0 ? "\nno index lowers the estimated workload cost (reads plus the index "
                          "maintenance of the writes) within the budget\n"
                        : "\nno index lowers the estimated workload cost within the budget\n";
  }
  out += "\nexisting indexes to drop: " + std::to_string(r.drops.size());
  if (!r.drops.empty()) out += ", " + FormatBytes(r.drops_size_bytes);
  out += "\n";
  if (!r.index_stats_reset.empty()) {
    out += "index usage statistics (idx_scan) counted since the last reset: " +
           r.index_stats_reset + "\n";
  }
  if (!r.unused_not_checked.empty()) {
    out += "unused indexes not checked: " + r.unused_not_checked + "\n";
  }
  for (const AdviseDrop& d : r.drops) {
    out += "\n" + d.ddl + ";\n";
    out += "  " + d.kind + ", size " + FormatBytes(d.size_bytes) + "; " + d.reason + "\n";
    if (!d.note.empty()) out += "  note: " + d.note + "\n";
    out += "  rollback: " + d.rollback_ddl + ";\n";
  }
  if (!r.kept_indexes.empty()) out += "\n";
  for (const AdviseKeptIndex& k : r.kept_indexes) {
    out += "kept " + k.index + " (" + k.kind + "): " + k.reason + "\n";
  }
  if (r.verify) {
    const AdviseVerify& v = *r.verify;
    if (r.search_rounds > 1) {
      out += "\nsearched " + std::to_string(r.search_rounds) +
             " times: again without each index measured slower\n";
    }
    out += "\nverified: " + std::to_string(v.runs) +
           " timed run(s) per query, before and after "
           "building the recommended indexes\n";
    std::vector<std::vector<std::string>> rows = {
        {"query", "weight", "before", "after", "speed-up", "indexes after"}};
    for (const AdviseVerifyQuery& q : v.queries) {
      std::string used;
      for (const std::string& n : q.indexes_after) used += (used.empty() ? "" : ",") + n;
      rows.push_back({q.query, Weight(q.weight), Median(q.before_outcome, q.before_median_ms),
                      Median(q.after_outcome, q.after_median_ms), SpeedUp(q.speed_up),
                      used.empty() ? "-" : used});
    }
    out += Table(rows);
    out += "weighted speed-up: " + SpeedUp(v.weighted_speed_up) + "\n";
    for (const AdviseVerifyQuery& q : v.queries) {
      if (!q.regression.empty()) out += "slower: " + q.query + ": " + q.regression + "\n";
    }
    out += BuiltSizeLine(r);
  }
  if (r.sample) {
    out += SampleSummary(*r.sample) + ":\n";
    for (const AdviseSampledTable& t : r.sample->tables) out += "  " + SampleLine(t) + "\n";
  }
  return out;
}

std::string AdviseToJson(const AdviseResult& r) {
  Json j = Json::object();
  j["target"] = r.target;
  j["budget_mb"] = r.budget_mb;
  j["max_width"] = r.max_width;
  j["max_indexes"] = r.max_indexes;
  j["queries"] = r.queries;
  j["candidates"] = r.candidates;
  Json skipped = Json::array();
  for (const AdviseSkipped& s : r.skipped)
    skipped.push_back({{"query", s.query}, {"reason", s.reason}});
  j["skipped"] = skipped;
  Json rejected = Json::array();
  for (const AdviseRejected& x : r.rejected) {
    rejected.push_back({{"index", x.index}, {"reason", x.reason}});
  }
  j["rejected"] = rejected;
  Json indexes = Json::array();
  for (const AdviseIndex& idx : r.indexes) {
    Json helps = Json::array();
    for (const AdviseQueryEffect& e : idx.helps) {
      helps.push_back({{"query", e.query},
                       {"weight", e.weight},
                       {"cost_before", e.cost_before},
                       {"cost_after", e.cost_after},
                       {"used_in_plan", e.used_in_plan}});
    }
    indexes.push_back({{"name", idx.name},
                       {"table", idx.table},
                       {"method", idx.method},
                       {"columns", idx.columns},
                       {"include", idx.include},
                       {"predicate", idx.predicate},
                       {"ddl", idx.ddl},
                       {"size_bytes", idx.size_bytes},
                       {"hypopg_size_bytes", idx.hypopg_size_bytes},
                       {"built_size_bytes", idx.built_size_bytes},
                       {"rationale", idx.rationale},
                       {"note", idx.note},
                       {"dropped", idx.dropped},
                       {"drop_reason", idx.drop_reason},
                       {"extrapolated", idx.extrapolated},
                       {"write_cost", idx.write_cost},
                       {"helps", helps}});
  }
  j["indexes"] = indexes;
  j["total_size_bytes"] = r.total_size_bytes;
  j["cost_without"] = r.cost_without;
  j["cost_with"] = r.cost_with;
  j["relative_cost"] = r.relative_cost;
  j["writes"] = r.writes;
  j["write_cost_without"] = r.write_cost_without;
  j["write_cost_with"] = r.write_cost_with;
  j["whatif_calls"] = r.whatif_calls;
  j["cost_cache_hits"] = r.cost_cache_hits;
  j["runtime_ms"] = r.runtime_ms;
  j["search_rounds"] = r.search_rounds;
  if (r.verify) {
    const AdviseVerify& v = *r.verify;
    Json queries = Json::array();
    for (const AdviseVerifyQuery& q : v.queries) {
      Json speed = q.speed_up ? Json(*q.speed_up) : Json(nullptr);
      queries.push_back({{"query", q.query},
                         {"weight", q.weight},
                         {"before_outcome", measure::OutcomeName(q.before_outcome)},
                         {"after_outcome", measure::OutcomeName(q.after_outcome)},
                         {"before_median_ms", q.before_median_ms},
                         {"after_median_ms", q.after_median_ms},
                         {"speed_up", speed},
                         {"indexes_before", q.indexes_before},
                         {"indexes_after", q.indexes_after},
                         {"regression", q.regression}});
    }
    j["verify"] = {
        {"runs", v.runs},
        {"timeout_ms", v.timeout_ms},
        {"weighted_speed_up", v.weighted_speed_up ? Json(*v.weighted_speed_up) : Json(nullptr)},
        {"set_size_bytes", BuiltSetSizes(r).reported},
        {"set_built_size_bytes", BuiltSetSizes(r).built},
        {"queries", queries}};
  } else {
    j["verify"] = nullptr;
  }
  if (r.sample) {
    Json tables = Json::array();
    for (const AdviseSampledTable& t : r.sample->tables) {
      tables.push_back({{"table", t.table},
                        {"method", t.method},
                        {"percent", t.percent},
                        {"fraction", t.fraction},
                        {"live_rows", t.live_rows},
                        {"live_bytes", t.live_bytes},
                        {"sampled_rows", t.sampled_rows},
                        {"sampled_bytes", t.sampled_bytes}});
    }
    j["sample"] = {{"source", r.sample->source},
                   {"max_bytes", r.sample->max_bytes},
                   {"live_bytes", r.sample->live_bytes},
                   {"elapsed_ms", r.sample->elapsed_ms},
                   {"tables", tables}};
  } else {
    j["sample"] = nullptr;
  }
  j["workload_source"] = r.workload_source;
  Json drops = Json::array();
  for (const AdviseDrop& d : r.drops) {
    drops.push_back({{"index", d.index},
                     {"table", d.table},
                     {"kind", d.kind},
                     {"reason", d.reason},
                     {"covered_by", d.covered_by},
                     {"note", d.note},
                     {"size_bytes", d.size_bytes},
                     {"idx_scan", d.idx_scan},
                     {"ddl", d.ddl},
                     {"rollback_ddl", d.rollback_ddl}});
  }
  j["drops"] = drops;
  j["drops_size_bytes"] = r.drops_size_bytes;
  Json kept = Json::array();
  for (const AdviseKeptIndex& k : r.kept_indexes) {
    kept.push_back(
        {{"index", k.index}, {"table", k.table}, {"kind", k.kind}, {"reason", k.reason}});
  }
  j["kept_indexes"] = kept;
  j["unused_not_checked"] = r.unused_not_checked;
  j["index_stats_reset"] = r.index_stats_reset;
  // nlohmann::json objects are std::map based: keys come out sorted.
  return j.dump(2) + "\n";
}

std::string AdviseToMarkdown(const AdviseResult& r) {
  std::string out = "## Index recommendation\n\n";
  out += "Target: " + r.target + ". Budget " + Budget(r) +
         ", index width <= " + std::to_string(r.max_width) + ". " + std::to_string(r.queries) +
         " queries, " + std::to_string(r.candidates) + " candidates, " +
         std::to_string(r.whatif_calls) + " what-if calls, search time " +
         FormatDuration(r.runtime_ms) + ".\n\n";
  out += "Estimated workload cost " + Cost(r.cost_without) + " -> " + Cost(r.cost_with) +
         " (relative cost " + Significant(r.relative_cost, 3) + "), " + std::to_string(Kept(r)) +
         " index(es), " + FormatBytes(r.total_size_bytes) + ".\n\n";
  for (const AdviseSkipped& s : r.skipped) {
    out += "- skipped query '" + MdCell(s.query) + "': " + MdCell(s.reason) + "\n";
  }
  for (const AdviseRejected& x : r.rejected) {
    out += "- candidate `" + MdCell(x.index) + "` dropped: " + MdCell(x.reason) + "\n";
  }
  if (!r.skipped.empty() || !r.rejected.empty()) out += "\n";
  if (!r.indexes.empty()) {
    out += "| index | size | helps (cost before -> after) | rationale |\n|---|---|---|---|\n";
    for (const AdviseIndex& idx : r.indexes) {
      std::string helps;
      for (const AdviseQueryEffect& e : idx.helps) {
        if (!helps.empty()) helps += "; ";
        helps += e.query + " (" + Cost(e.cost_before) + " -> " + Cost(e.cost_after) + ")";
      }
      std::string name = "`" + idx.name + "`";
      if (idx.dropped) name = "~~" + name + "~~ (dropped: " + idx.drop_reason + ")";
      out += "| " + name + " | " + FormatBytes(idx.size_bytes) + SizeDetail(idx) + " | " +
             MdCell(helps) + " | " + MdCell(idx.rationale) + " |\n";
    }
    out += "\n```sql\n";
    for (const AdviseIndex& idx : r.indexes) {
      if (!idx.dropped) out += idx.ddl + ";\n";
    }
    out += "```\n";
  } else {
    out += "No index lowers the estimated workload cost within the budget.\n";
  }
  out += "\n### Existing indexes to drop\n\n";
  if (!r.index_stats_reset.empty()) {
    out += "Index usage statistics (idx_scan) counted since the last reset: " +
           r.index_stats_reset + ".\n\n";
  }
  if (!r.unused_not_checked.empty()) {
    out += "Unused indexes not checked: " + MdCell(r.unused_not_checked) + ".\n\n";
  }
  if (r.drops.empty()) {
    out += "None.\n";
  } else {
    out += "| index | kind | size | reason |\n|---|---|---|---|\n";
    for (const AdviseDrop& d : r.drops) {
      std::string reason = d.reason;
      if (!d.note.empty()) reason += " (note: " + d.note + ")";
      out += "| `" + MdCell(d.index) + "` | " + d.kind + " | " + FormatBytes(d.size_bytes) + " | " +
             MdCell(reason) + " |\n";
    }
    out += "\n```sql\n";
    for (const AdviseDrop& d : r.drops) out += d.ddl + ";\n";
    out += "-- rollback\n";
    for (const AdviseDrop& d : r.drops) out += d.rollback_ddl + ";\n";
    out += "```\n";
  }
  if (!r.kept_indexes.empty()) {
    out += "\nKept:\n\n";
    for (const AdviseKeptIndex& k : r.kept_indexes) {
      out += "- `" + MdCell(k.index) + "` (" + k.kind + "): " + MdCell(k.reason) + "\n";
    }
  }
  if (r.verify) {
    out += "\n### Measured (" + std::to_string(r.verify->runs) + " run(s) per query)\n\n";
    out += "| query | weight | before | after | speed-up |\n|---|---|---|---|---|\n";
    for (const AdviseVerifyQuery& q : r.verify->queries) {
      out += "| " + MdCell(q.query) + " | " + Weight(q.weight) + " | " +
             Median(q.before_outcome, q.before_median_ms) + " | " +
             Median(q.after_outcome, q.after_median_ms) + " | " + SpeedUp(q.speed_up) + " |\n";
    }
    out += "\nWeighted speed-up: " + SpeedUp(r.verify->weighted_speed_up) + ".\n";
    for (const AdviseVerifyQuery& q : r.verify->queries) {
      if (!q.regression.empty()) out += "\nSlower: " + MdCell(q.query + ": " + q.regression) + "\n";
    }
    if (std::string sizes = BuiltSizeLine(r); !sizes.empty()) {
      sizes[0] = 'B';
      out += "\n" + sizes;
    }
  }
  if (r.sample) {
    out += "\n" + SampleSummary(*r.sample) + ":\n\n";
    for (const AdviseSampledTable& t : r.sample->tables) out += "- " + MdCell(SampleLine(t)) + "\n";
  }
  return out;
}

}  // namespace dbarch::report
