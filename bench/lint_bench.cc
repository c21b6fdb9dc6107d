// Lint throughput: all rules over a generated 20,000-line schema (lint_schema_gen.h), in
// memory (no file I/O). Reports lines/s and statements/s. Compare with squawk on the same
// file with bench/compare_squawk.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>

#include "lint/linter.h"
#include "lint_schema_gen.h"

namespace {

void BM_LintAllRules(benchmark::State& state) {
  int lines = static_cast<int>(state.range(0));
  std::string text = dbarch::bench::GenerateLintSchema(lines);
  auto file = std::make_shared<const dbarch::SourceFile>("schema.sql", text);
  dbarch::lint::Config config;
  size_t findings = 0;
  size_t statements = 0;
  for (auto _ : state) {
    dbarch::lint::LintReport r = dbarch::lint::LintSources({file}, nullptr, config);
    findings = r.findings.size();
    statements = r.statement_count;
    benchmark::DoNotOptimize(r);
  }
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["statements/s"] = benchmark::Counter(static_cast<double>(statements),
                                                      benchmark::Counter::kIsIterationInvariantRate);
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_LintAllRules)->Arg(20000)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
