// Measured verification of `dbarch tune`'s recommendations (`dbarch tune --verify`): in a
// sandbox sized like the target machine, benchmarks run before and after the recommended
// settings, group by group (memory, checkpoints and WAL, planner, parallelism), with repeated
// runs and a noise estimate; a group that measures slower on any benchmark is dropped from
// the recommendation, and the kept groups are measured together at the end.
//
// Benchmarks: pgbench's built-in TPC-B-like and select-only scripts (run by measure/pgbench.h)
// and SQL workloads (TPC-H's queries, or the user's workload with its schema and data) run
// by measure/runner.h; the caller loads each SQL workload's database through a callback, so
// this file knows nothing about where the data comes from.
//
// Procedure. Baseline = the target's current values of the tuned settings (or PostgreSQL 15's
// defaults when the target is not known); the sandbox runs with durability on (fsync,
// synchronous_commit, full_page_writes), unlike other sandboxes, since checkpoint and WAL
// settings only matter then. Phase 1 runs `rounds` rounds; each round restarts the sandbox
// once per configuration (baseline, baseline + one group each), each round starting one
// configuration later than the previous, runs a
// short warm-up and then every benchmark once, so slow drift of a loaded machine spreads over
// all configurations alike. A group is *slower* when, on some benchmark, its median is worse
// than the baseline's by more than a factor of 1 + noise, the noise being the larger spread
// (max / min - 1) of the two configurations' runs, at least `min_effect`, or when every one
// of its runs is worse than every baseline run (by at least `min_effect` in the medians: one
// disturbed run must not hide a clear slowdown); slower groups are
// dropped. Phase 2 measures baseline against baseline + every kept group, `rounds` times
// alternating, which is the before/after the report leads with.
//
// Thread-safety: one call uses its sandbox exclusively. The library never prints; progress
// goes to the listener.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ops/tune.h"
#include "workload/workload.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::ops {

// The group a tuned setting belongs to: "memory", "checkpoints", "planner", "parallelism" or
// "connections" (sizes capacity, not speed: applied but never measured alone).
std::string_view SettingGroup(std::string_view setting);

// PostgreSQL 15's default for a setting dbarch tunes, as SHOW prints it ("128MB"), or "".
std::string_view Pg15Default(std::string_view setting);

// A benchmark the verification runs.
struct VerifyBenchmark {
  enum class Kind { kPgbenchTpcB, kPgbenchSelectOnly, kSql };
  Kind kind = Kind::kPgbenchTpcB;
  std::string name;  // "pgbench tpcb", "pgbench select-only", "tpch", the user's label
  // kSql: the queries, and the step that creates and fills the database they run in (called
  // once, on a connection to a fresh database of that name).
  workload::Workload workload;
  std::function<Status(pg::Connection&)> load;
};

struct VerifyOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  std::string sandbox_base_dir = "/tmp";
  int rounds = 3;            // repeated runs per configuration; >= 2 (a noise estimate needs 2)
  int pgbench_scale = 50;    // pgbench -s (about 15 MB per unit)
  int pgbench_seconds = 30;  // each timed pgbench run
  int pgbench_clients = 0;   // 0: twice the target's CPUs
  int sql_runs = 1;          // timed runs per query per round (after one warm-up run)
  int sql_timeout_ms = 60000;
  double min_effect = 0.03;  // a change smaller than 3 % is never called slower or faster
  // The machine the sandbox runs on: a target needing more memory than it has cannot be
  // verified here; with fewer CPUs the sandbox is limited to the target's count.
  int64_t host_memory_bytes = 0;
  int host_cpus = 0;
  // Progress lines ("round 2/3: memory"); may be empty.
  std::function<void(const std::string&)> progress;
};

// One benchmark's runs under one configuration.
struct BenchmarkRuns {
  std::string unit;                // "tps" (higher is better) or "ms" (lower is better)
  std::vector<double> values;      // one per round: tps, or the SQL workload's total ms
  std::vector<double> latency_ms;  // pgbench's average latency per round (empty for SQL)
  double median = 0;
  double median_latency_ms = 0;
  double spread = 0;  // max / min - 1 of `values`
  std::string error;  // non-empty: the benchmark failed under this configuration
};

enum class Verdict { kFaster, kNoChange, kSlower, kNotMeasured, kFailed };
std::string_view VerdictName(Verdict v);  // "faster", "within noise", "slower", ...

// One benchmark, before and after.
struct BenchmarkComparison {
  std::string benchmark;
  BenchmarkRuns before;
  BenchmarkRuns after;
  double change = 0;  // relative improvement: +0.12 is 12 % better (more tps / fewer ms)
  double noise = 0;   // faster / slower only beyond a factor of 1 + noise either way
  Verdict verdict = Verdict::kNoChange;
};

struct GroupVerification {
  std::string group;
  std::vector<std::pair<std::string, std::string>> settings;  // name, recommended value
  std::vector<BenchmarkComparison> benchmarks;  // empty for a group that is not measured
  Verdict verdict = Verdict::kNoChange;         // worst over its benchmarks
  bool kept = true;                             // false: dropped from the recommendation
  std::string reason;                           // why kept or dropped, in words
};

struct TuneVerification {
  MachineSpec target;
  int sandbox_cpus = 0;
  int rounds = 0;
  int pgbench_scale = 0;
  int pgbench_seconds = 0;
  int pgbench_clients = 0;
  std::vector<std::pair<std::string, std::string>> baseline;  // setting, value (before)
  std::string baseline_source;  // "the server's current values" or "PostgreSQL 15 defaults"
  std::vector<GroupVerification> groups;     // phase 1, in a fixed group order
  std::vector<BenchmarkComparison> overall;  // phase 2: baseline vs all kept groups
  std::vector<std::string> notes;
};

// Runs the verification of `recommended` (RecommendSettings' result; its settings are
// grouped by SettingGroup) with `benchmarks`. `current` gives the before values (nullopt:
// PostgreSQL 15 defaults). Errors: kInvalidArgument (no benchmarks, rounds < 2, a target
// bigger than the host's memory), the sandbox's start errors, kInternal when a benchmark
// cannot be prepared (pgbench -i, a load callback); a benchmark that fails under one
// configuration is recorded (that group is then dropped), not returned.
Result<TuneVerification> VerifyRecommendations(const TuneResult& recommended,
                                               const std::optional<ServerSignals>& current,
                                               const std::vector<VerifyBenchmark>& benchmarks,
                                               const VerifyOptions& options);

// Applies the verification to the recommendation: the settings of dropped groups go back to
// their current value (or are removed when unknown), with the reason, and a note per group.
void ApplyVerification(const TuneVerification& verification, TuneResult& result);

// Judges `after` against `before` (both complete): relative change and noise as described
// above. Exposed for tests.
BenchmarkComparison Compare(std::string benchmark, BenchmarkRuns before, BenchmarkRuns after,
                            double min_effect);

}  // namespace dbarch::ops
