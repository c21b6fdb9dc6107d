#include "ops/tune_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <string>

#include "measure/measurement.h"
#include "measure/pgbench.h"
#include "measure/runner.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"

namespace dbarch::ops {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kGroupOrder[] = {"memory", "checkpoints", "planner", "parallelism",
                                       "connections"};
constexpr const char* kPgbenchDatabase = "dbarch_pgbench";
// Above this relative noise the report says that moderate changes were not measurable.
constexpr double kNoisyMachine = 0.15;

// Durability as a production server has it: checkpoint and WAL settings only matter when
// the server really writes and flushes WAL (other sandboxes turn all of this off).
const Settings& DurableSettings() {
  static const Settings kDurable = {{"fsync", "on"},
                                    {"synchronous_commit", "on"},
                                    {"full_page_writes", "on"},
                                    {"wal_level", "replica"},
                                    {"max_wal_senders", "10"}};
  return kDurable;
}

void Progress(const VerifyOptions& options, const std::string& line) {
  if (options.progress) options.progress(line);
}

std::string Percent(double fraction) { return fmt::format("{:+.1f} %", fraction * 100); }

std::string Figure(double v, const std::string& unit) {
  return unit == "tps" ? fmt::format("{:.0f} tps", v) : fmt::format("{:.0f} ms", v);
}

void Summarize(BenchmarkRuns& runs) {
  if (runs.values.empty()) return;
  runs.median = measure::Median(runs.values);
  if (!runs.latency_ms.empty()) runs.median_latency_ms = measure::Median(runs.latency_ms);
  auto [lo, hi] = std::minmax_element(runs.values.begin(), runs.values.end());
  runs.spread = *lo > 0 ? *hi / *lo - 1 : 0;
}

// The sandbox and the databases the benchmarks run in.
class Bench {
 public:
  Bench(const std::vector<VerifyBenchmark>& benchmarks, const VerifyOptions& options, int clients,
        int threads)
      : benchmarks_(benchmarks), options_(options), clients_(clients), threads_(threads) {}

  Status Prepare(int cpu_limit) {
    sandbox::SandboxOptions box_options;
    box_options.bin_dir = options_.bin_dir;
    box_options.base_dir = options_.sandbox_base_dir;
    box_options.cpu_limit = cpu_limit;
    box_options.settings = {{"max_connections", "100"}};
    Progress(options_, "starting a sandbox");
    DBARCH_ASSIGN_OR_RETURN(box_, sandbox::Sandbox::Start(box_options));
    bool pgbench = false;
    for (size_t i = 0; i < benchmarks_.size(); ++i) {
      const VerifyBenchmark& b = benchmarks_[i];
      if (b.kind != VerifyBenchmark::Kind::kSql) {
        pgbench = true;
        continue;
      }
      std::string db = fmt::format("dbarch_verify_{}", i);
      DBARCH_RETURN_IF_ERROR(box_->CreateDatabase(db));
      Progress(options_, "loading the database of " + b.name);
      DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, Connect(db, 0));
      if (b.load) {
        DBARCH_RETURN_IF_ERROR(Status(b.load(conn)).WithContext("loading " + b.name));
      }
    }
    if (pgbench) {
      DBARCH_RETURN_IF_ERROR(box_->CreateDatabase(kPgbenchDatabase));
      Progress(options_, fmt::format("pgbench -i -s {}", options_.pgbench_scale));
      DBARCH_RETURN_IF_ERROR(measure::InitPgbench(options_.bin_dir, Conninfo(kPgbenchDatabase),
                                                  options_.pgbench_scale));
    }
    return Status::OK();
  }

  // Restarts the sandbox with `settings` and runs every benchmark once, appending to `runs`
  // (one entry per benchmark). A configuration the server refuses fails every benchmark.
  Status RunConfiguration(const Settings& settings, std::vector<BenchmarkRuns>& runs) {
    runs.resize(benchmarks_.size());
    Settings all = DurableSettings();
    all.insert(all.end(), settings.begin(), settings.end());
    Status restarted = box_->Restart(all);
    if (!restarted.ok()) {
      for (BenchmarkRuns& r : runs) {
        r.error = "the server did not start with these settings: " + restarted.message();
      }
      return Status::OK();
    }
    // Warm-up: the pgbench tables into the caches (the restart emptied shared_buffers).
    bool has_pgbench = false;
    for (const VerifyBenchmark& b : benchmarks_) {
      has_pgbench |= b.kind != VerifyBenchmark::Kind::kSql;
    }
    if (has_pgbench) {
      measure::PgbenchOptions warm = PgbenchFor(measure::PgbenchScript::kSelectOnly);
      warm.duration_s = std::max(1, options_.pgbench_seconds / 3);
      auto w = measure::RunPgbench(warm);
      if (!w.ok() && w.status().code() == StatusCode::kNotFound) return w.status();
    }
    for (size_t i = 0; i < benchmarks_.size(); ++i) {
      const VerifyBenchmark& b = benchmarks_[i];
      BenchmarkRuns& r = runs[i];
      if (!r.error.empty()) continue;
      if (b.kind == VerifyBenchmark::Kind::kSql) {
        r.unit = "ms";
        DBARCH_RETURN_IF_ERROR(RunSql(i, r));
        continue;
      }
      r.unit = "tps";
      auto f = measure::RunPgbench(PgbenchFor(b.kind == VerifyBenchmark::Kind::kPgbenchTpcB
                                                  ? measure::PgbenchScript::kTpcB
                                                  : measure::PgbenchScript::kSelectOnly));
      if (!f.ok()) {
        if (f.status().code() == StatusCode::kNotFound) return f.status();
        r.error = f.status().message();
        continue;
      }
      r.values.push_back(f->tps);
      r.latency_ms.push_back(f->latency_avg_ms);
    }
    return Status::OK();
  }

  Status Stop() { return box_ ? box_->Stop() : Status::OK(); }

 private:
  std::string Conninfo(const std::string& db) const { return box_->ConnInfo() + " dbname=" + db; }

  Result<pg::Connection> Connect(const std::string& db, int timeout_ms) {
    pg::ConnectOptions c;
    c.conninfo = Conninfo(db);
    c.read_only = false;
    c.statement_timeout_ms = timeout_ms;
    c.lock_timeout_ms = 0;
    c.application_name = "dbarch tune --verify";
    return pg::Connection::Open(c);
  }

  measure::PgbenchOptions PgbenchFor(measure::PgbenchScript script) const {
    measure::PgbenchOptions p;
    p.bin_dir = options_.bin_dir;
    p.conninfo = Conninfo(kPgbenchDatabase);
    p.script = script;
    p.clients = clients_;
    p.threads = threads_;
    p.duration_s = options_.pgbench_seconds;
    return p;
  }

  // The SQL workload once: ANALYZE (default_statistics_target may have changed), then the
  // runner's warm-up and timed runs; the value is the sum of the queries' medians. A query
  // that fails or times out fails the benchmark under this configuration.
  Status RunSql(size_t i, BenchmarkRuns& r) {
    const std::string db = fmt::format("dbarch_verify_{}", i);
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, Connect(db, 0));
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE"));
    measure::RunOptions run;
    run.runs = options_.sql_runs;
    run.timeout_ms = options_.sql_timeout_ms;
    run.label = benchmarks_[i].name;
    DBARCH_ASSIGN_OR_RETURN(measure::WorkloadMeasurement m,
                            measure::RunWorkload(conn, benchmarks_[i].workload, run));
    for (const measure::QueryMeasurement& q : m.queries) {
      if (q.outcome == measure::Outcome::kOk) continue;
      r.error = q.name + ": " +
                (q.outcome == measure::Outcome::kTimeout
                     ? fmt::format("timed out after {} ms", run.timeout_ms)
                     : q.error);
      return Status::OK();
    }
    r.values.push_back(m.weighted_total_ms);
    return Status::OK();
  }

  const std::vector<VerifyBenchmark>& benchmarks_;
  const VerifyOptions& options_;
  int clients_;
  int threads_;
  std::unique_ptr<sandbox::Sandbox> box_;
};

Settings With(const Settings& base, const Settings& overrides) {
  Settings out = base;
  for (const auto& [name, value] : overrides) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& s) { return s.first == name; });
    if (it == out.end())
      out.emplace_back(name, value);
    else
      it->second = value;
  }
  return out;
}

Verdict Worst(const std::vector<BenchmarkComparison>& comparisons) {
  Verdict worst = Verdict::kNoChange;
  bool faster = false;
  for (const BenchmarkComparison& c : comparisons) {
    if (c.verdict == Verdict::kFailed) return Verdict::kFailed;
    if (c.verdict == Verdict::kSlower) worst = Verdict::kSlower;
    faster |= c.verdict == Verdict::kFaster;
  }
  if (worst == Verdict::kSlower) return worst;
  return faster ? Verdict::kFaster : Verdict::kNoChange;
}

std::string Describe(const BenchmarkComparison& c) {
  if (c.verdict == Verdict::kFailed) {
    return c.benchmark + " failed: " + (c.after.error.empty() ? c.before.error : c.after.error);
  }
  return fmt::format("{} {} -> {} ({}, noise {:.1f} %)", c.benchmark,
                     Figure(c.before.median, c.before.unit), Figure(c.after.median, c.after.unit),
                     Percent(c.change), c.noise * 100);
}

}  // namespace

std::string_view SettingGroup(std::string_view s) {
  if (s == "shared_buffers" || s == "work_mem" || s == "maintenance_work_mem" ||
      s == "huge_pages" || s == "wal_buffers") {
    return "memory";
  }
  if (s == "checkpoint_completion_target" || s == "min_wal_size" || s == "max_wal_size") {
    return "checkpoints";
  }
  if (s == "random_page_cost" || s == "effective_io_concurrency" || s == "effective_cache_size" ||
      s == "default_statistics_target") {
    return "planner";
  }
  if (s == "max_worker_processes" || s.substr(0, 13) == "max_parallel_") return "parallelism";
  if (s == "max_connections") return "connections";
  return "other";
}

std::string_view Pg15Default(std::string_view s) {
  static const std::map<std::string_view, std::string_view> kDefaults = {
      {"max_connections", "100"},
      {"shared_buffers", "128MB"},
      {"effective_cache_size", "4GB"},
      {"maintenance_work_mem", "64MB"},
      {"checkpoint_completion_target", "0.9"},
      {"wal_buffers", "4MB"},  // -1: 1/32 of the default shared_buffers
      {"default_statistics_target", "100"},
      {"random_page_cost", "4"},
      {"effective_io_concurrency", "1"},
      {"work_mem", "4MB"},
      {"huge_pages", "try"},
      {"min_wal_size", "80MB"},
      {"max_wal_size", "1GB"},
      {"max_worker_processes", "8"},
      {"max_parallel_workers_per_gather", "2"},
      {"max_parallel_workers", "8"},
      {"max_parallel_maintenance_workers", "2"},
  };
  auto it = kDefaults.find(s);
  return it == kDefaults.end() ? std::string_view() : it->second;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kFaster:
      return "faster";
    case Verdict::kNoChange:
      return "within noise";
    case Verdict::kSlower:
      return "slower";
    case Verdict::kNotMeasured:
      return "not measured";
    case Verdict::kFailed:
      return "failed";
  }
  return "within noise";
}

BenchmarkComparison Compare(std::string benchmark, BenchmarkRuns before, BenchmarkRuns after,
                            double min_effect) {
  BenchmarkComparison c;
  c.benchmark = std::move(benchmark);
  Summarize(before);
  Summarize(after);
  c.before = std::move(before);
  c.after = std::move(after);
  if (!c.before.error.empty() || !c.after.error.empty() || c.before.values.empty() ||
      c.after.values.empty() || c.before.median <= 0 || c.after.median <= 0) {
    c.verdict = Verdict::kFailed;
    return c;
  }
  c.change = c.after.unit == "tps" ? c.after.median / c.before.median - 1
                                   : c.before.median / c.after.median - 1;
  // Multiplicative: a factor of 1 + noise either way. (A difference measure would cap a
  // slowdown at -100 % while the spread of fast, jittery runs exceeds it.)
  c.noise = std::max({c.before.spread, c.after.spread, min_effect});
  const double ratio = 1 + c.change;
  // One disturbed run widens the spread of its side past any effect; runs that all fall on
  // the worse side of every before run are slower regardless. (Only for slower: dropping a
  // harmless group is the safe mistake, praising a useless one is not.)
  auto [before_lo, before_hi] = std::minmax_element(c.before.values.begin(), c.before.values.end());
  auto [after_lo, after_hi] = std::minmax_element(c.after.values.begin(), c.after.values.end());
  const bool all_worse = c.after.unit == "tps" ? *after_hi < *before_lo : *after_lo > *before_hi;
  if (ratio > 1 + c.noise)
    c.verdict = Verdict::kFaster;
  else if (ratio < 1 / (1 + c.noise) || (all_worse && ratio < 1 / (1 + min_effect)))
    c.verdict = Verdict::kSlower;
  else
    c.verdict = Verdict::kNoChange;
  return c;
}

Result<TuneVerification> VerifyRecommendations(const TuneResult& recommended,
                                               const std::optional<ServerSignals>& current,
                                               const std::vector<VerifyBenchmark>& benchmarks,
                                               const VerifyOptions& options) {
  if (benchmarks.empty()) return Status::InvalidArgument("tune --verify needs a benchmark");
  if (options.rounds < 2) {
    return Status::InvalidArgument("tune --verify needs at least 2 rounds for a noise estimate");
  }
  TuneVerification out;
  out.target = recommended.machine;
  out.rounds = options.rounds;
  if (options.host_memory_bytes > 0 &&
      recommended.machine.memory_bytes >
          options.host_memory_bytes + options.host_memory_bytes / 20) {
    return Status::InvalidArgument(fmt::format("the target's {} of memory do not fit this "
                                               "machine's {}: the sandbox cannot be sized "
                                               "like the target",
                                               ConfSize(recommended.machine.memory_bytes),
                                               ConfSize(options.host_memory_bytes)))
        .WithHint("run tune --verify on a machine at least as large as the target");
  }
  int cpu_limit = 0;
  out.sandbox_cpus = recommended.machine.cpus;
  if (options.host_cpus > 0 && recommended.machine.cpus > options.host_cpus) {
    out.sandbox_cpus = options.host_cpus;
    out.notes.push_back(
        fmt::format("the target has {} CPUs, this machine {}: parallelism was measured with {}",
                    recommended.machine.cpus, options.host_cpus, options.host_cpus));
  } else if (options.host_cpus > 0 && recommended.machine.cpus < options.host_cpus) {
    cpu_limit = recommended.machine.cpus;
  }
  out.pgbench_scale = options.pgbench_scale;
  out.pgbench_seconds = options.pgbench_seconds;
  out.pgbench_clients =
      options.pgbench_clients > 0 ? options.pgbench_clients : 2 * recommended.machine.cpus;
  const int threads = std::max(1, std::min(out.pgbench_clients, out.sandbox_cpus));

  // Before: the target's values of every tuned setting, else PostgreSQL's defaults.
  Settings baseline;
  out.baseline_source =
      current.has_value() ? "the server's current values" : "PostgreSQL 15 defaults";
  for (const TuneSetting& s : recommended.settings) {
    std::string value;
    if (current.has_value()) {
      auto it = current->settings.find(s.name);
      if (it != current->settings.end()) value = it->second.value;
    }
    if (value.empty()) value = std::string(Pg15Default(s.name));
    if (!value.empty()) baseline.emplace_back(s.name, value);
  }
  out.baseline = baseline;
  // The baseline must allow pgbench's sessions.
  int clients_needed = out.pgbench_clients + 5;
  for (auto& [name, value] : baseline) {
    if (name == "max_connections" && std::atoi(value.c_str()) < clients_needed) {
      out.notes.push_back(
          fmt::format("max_connections raised from {} to {} for pgbench's {} "
                      "sessions in the before runs",
                      value, clients_needed, out.pgbench_clients));
      value = std::to_string(clients_needed);
    }
  }

  // The groups, in a fixed order, with the settings that change.
  for (const char* group : kGroupOrder) {
    GroupVerification g;
    g.group = group;
    for (const TuneSetting& s : recommended.settings) {
      if (SettingGroup(s.name) != group) continue;
      auto it = std::find_if(baseline.begin(), baseline.end(),
                             [&](const auto& b) { return b.first == s.name; });
      if (it != baseline.end() && it->second == s.recommended) continue;
      if (s.name == "max_connections" && std::atoi(s.recommended.c_str()) < clients_needed) {
        continue;  // never measured below pgbench's needs; the recommendation stands as is
      }
      g.settings.emplace_back(s.name, s.recommended);
    }
    if (g.settings.empty()) continue;
    if (g.group == "connections") {
      g.verdict = Verdict::kNotMeasured;
      g.reason = "sizes capacity, not speed: applied with the kept groups, not measured alone";
    }
    out.groups.push_back(std::move(g));
  }

  Bench bench(benchmarks, options, out.pgbench_clients, threads);
  DBARCH_RETURN_IF_ERROR(bench.Prepare(cpu_limit));

  // Phase 1: baseline and each measured group, interleaved round by round.
  std::vector<size_t> measured;
  for (size_t g = 0; g < out.groups.size(); ++g) {
    if (out.groups[g].verdict != Verdict::kNotMeasured) measured.push_back(g);
  }
  std::vector<BenchmarkRuns> base_runs;
  std::vector<std::vector<BenchmarkRuns>> group_runs(out.groups.size());
  // Each round starts one configuration later, so none is always first (after the load) or
  // last (after the most writes).
  const size_t configurations = measured.size() + 1;
  for (int round = 1; round <= options.rounds; ++round) {
    for (size_t k = 0; k < configurations; ++k) {
      size_t c = (k + static_cast<size_t>(round - 1)) % configurations;
      if (c == 0) {
        Progress(options, fmt::format("round {}/{}: before", round, options.rounds));
        DBARCH_RETURN_IF_ERROR(bench.RunConfiguration(baseline, base_runs));
        continue;
      }
      size_t g = measured[c - 1];
      Progress(options, fmt::format("round {}/{}: {}", round, options.rounds, out.groups[g].group));
      DBARCH_RETURN_IF_ERROR(
          bench.RunConfiguration(With(baseline, out.groups[g].settings), group_runs[g]));
    }
  }
  Settings final_settings = baseline;
  bool any_kept = false;
  for (size_t g = 0; g < out.groups.size(); ++g) {
    GroupVerification& group = out.groups[g];
    if (group.verdict == Verdict::kNotMeasured) {
      final_settings = With(final_settings, group.settings);
      continue;
    }
    for (size_t b = 0; b < benchmarks.size(); ++b) {
      group.benchmarks.push_back(
          Compare(benchmarks[b].name, base_runs[b], group_runs[g][b], options.min_effect));
    }
    group.verdict = Worst(group.benchmarks);
    std::string details;
    for (const BenchmarkComparison& c : group.benchmarks) {
      if (group.verdict == Verdict::kFaster ? c.verdict != Verdict::kFaster
                                            : c.verdict != group.verdict) {
        continue;
      }
      if (!details.empty()) details += "; ";
      details += Describe(c);
    }
    switch (group.verdict) {
      case Verdict::kSlower:
        group.kept = false;
        group.reason = "dropped: measured slower: " + details;
        break;
      case Verdict::kFailed:
        group.kept = false;
        group.reason = "dropped: " + details;
        break;
      case Verdict::kFaster:
        group.reason = "kept: measured faster: " + details;
        break;
      default:
        group.reason = "kept: no change beyond the noise on any benchmark";
        break;
    }
    if (group.kept) {
      final_settings = With(final_settings, group.settings);
      any_kept = true;
    }
  }

  // Phase 2: before against everything kept, alternating.
  if (!any_kept) {
    out.notes.push_back("no measured group was kept: the before and after are the same");
  } else {
    std::vector<BenchmarkRuns> before;
    std::vector<BenchmarkRuns> after;
    for (int round = 1; round <= options.rounds; ++round) {
      Progress(options,
               fmt::format("round {}/{}: before vs all kept groups", round, options.rounds));
      // Alternating which goes first.
      if (round % 2 == 1) {
        DBARCH_RETURN_IF_ERROR(bench.RunConfiguration(baseline, before));
        DBARCH_RETURN_IF_ERROR(bench.RunConfiguration(final_settings, after));
      } else {
        DBARCH_RETURN_IF_ERROR(bench.RunConfiguration(final_settings, after));
        DBARCH_RETURN_IF_ERROR(bench.RunConfiguration(baseline, before));
      }
    }
    for (size_t b = 0; b < benchmarks.size(); ++b) {
      out.overall.push_back(Compare(benchmarks[b].name, before[b], after[b], options.min_effect));
      const BenchmarkComparison& c = out.overall.back();
      if (c.verdict == Verdict::kSlower || c.verdict == Verdict::kFailed) {
        out.notes.push_back("the kept groups together measured worse on " + Describe(c) +
                            ": each was within noise or faster alone, so they interact");
      }
    }
  }
  // Say when the machine was too noisy to tell moderate changes apart.
  double worst_noise = 0;
  std::string noisiest;
  auto consider = [&](const BenchmarkComparison& c) {
    if (c.verdict != Verdict::kFailed && c.noise > worst_noise) {
      worst_noise = c.noise;
      noisiest = c.benchmark;
    }
  };
  for (const GroupVerification& g : out.groups) {
    for (const BenchmarkComparison& c : g.benchmarks) consider(c);
  }
  for (const BenchmarkComparison& c : out.overall) consider(c);
  if (worst_noise > kNoisyMachine) {
    out.notes.push_back(fmt::format(
        "runs varied by up to {:.0f} % ({}): changes smaller than a benchmark's noise cannot "
        "be told from it here; repeat with more rounds or on a quieter machine",
        worst_noise * 100, noisiest));
  }
  Progress(options, "stopping the sandbox");
  DBARCH_RETURN_IF_ERROR(bench.Stop());
  return out;
}

void ApplyVerification(const TuneVerification& verification, TuneResult& result) {
  std::set<std::string> dropped;
  for (const GroupVerification& g : verification.groups) {
    if (g.kept) continue;
    for (const auto& [name, value] : g.settings) dropped.insert(name);
    std::string names;
    for (const auto& [name, value] : g.settings) names += (names.empty() ? "" : ", ") + name;
    result.notes.push_back(fmt::format("not recommended: the {} group ({}) {}", g.group, names,
                                       g.reason.substr(g.reason.find(':') + 2)));
  }
  std::erase_if(result.settings, [&](const TuneSetting& s) { return dropped.count(s.name) > 0; });
}

}  // namespace dbarch::ops
