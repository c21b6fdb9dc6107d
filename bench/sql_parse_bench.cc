// Benchmarks of the SQL front-end's hot paths on a generated schema: parsing on one and on
// several threads, encoding a tree (PackMessage), deep copies into an arena, and deparsing
// an expression. Run: ./sql_parse_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>

#include "base/source_span.h"
#include "sql/arena.h"
#include "sql/parser.h"
#include "sql/proto_writer.h"

namespace dbarch::sql {
namespace {

// About 540 bytes per table, the shape of a typical application schema.
std::string Schema(int tables) {
  std::string s;
  for (int i = 0; i < tables; ++i) {
    std::string t = "t" + std::to_string(i);
    s += "CREATE TABLE " + t +
         " (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
         "  name varchar(200) NOT NULL,\n"
         "  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new','done')),\n"
         "  amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0),\n"
         "  created_at timestamptz NOT NULL DEFAULT now()\n);\n"
         "CREATE INDEX ON " + t + " (status, created_at DESC);\n"
         "CREATE UNIQUE INDEX " + t + "_name_uq ON " + t + " (lower(name)) WHERE status = 'new';\n"
         "COMMENT ON TABLE " + t + " IS 'table " + std::to_string(i) + "';\n";
  }
  return s;
}

const SourceFile& BigFile() {
  static const SourceFile file("bench.sql", Schema(4000));  // about 2 MB
  return file;
}

void BM_Parse(benchmark::State& state) {
  ParseOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    auto tree = ParseTree::Parse(BigFile(), options);
    if (!tree.ok()) state.SkipWithError(tree.status().message().c_str());
    benchmark::DoNotOptimize(tree);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * BigFile().text().size()));
}
BENCHMARK(BM_Parse)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The first CREATE TABLE of a small parse.
struct OneTable {
  OneTable() : file("one.sql", Schema(1)), tree(ParseTree::Parse(file)) {}
  const Node* node() const { return tree->statements()[0].node; }
  SourceFile file;
  Result<ParseTree> tree;
};

void BM_PackMessage(benchmark::State& state) {
  OneTable t;
  for (auto _ : state) benchmark::DoNotOptimize(PackMessage(&t.node()->base));
}
BENCHMARK(BM_PackMessage);

void BM_ArenaCopy(benchmark::State& state) {
  OneTable t;
  for (auto _ : state) {
    Arena arena;
    benchmark::DoNotOptimize(arena.Copy(t.node()));
  }
}
BENCHMARK(BM_ArenaCopy);

void BM_DeparseExpr(benchmark::State& state) {
  SourceFile file("e.sql", "SELECT status IN ('new', 'done') AND amount >= 0");
  auto tree = ParseTree::Parse(file);
  const Node* expr = tree->statements()[0].node->select_stmt->target_list[0]->res_target->val;
  for (auto _ : state) benchmark::DoNotOptimize(DeparseExpr(expr));
}
BENCHMARK(BM_DeparseExpr);

}  // namespace
}  // namespace dbarch::sql

BENCHMARK_MAIN();
