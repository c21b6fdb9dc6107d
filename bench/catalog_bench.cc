// Catalog benchmarks on a generated 10,000-table schema: (a) parsing only
// (sql::ParseTree::Parse, with the default thread count and on one thread), (b) parsing and
// building the catalog (CatalogBuilder::ApplyFile), (c) rendering the catalog as JSON, and
// for comparison as SQL and text. Each reports bytes/s of DDL and statements/s. The schema
// is generated in memory by a fixed-seed generator, so every run measures the same text.
// Target (bench/README.md): parse + model of 10,000 tables under 2 s on a 2-core machine.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "report/catalog_json.h"
#include "report/catalog_sql.h"
#include "report/catalog_text.h"
#include "sql/parser.h"

namespace dbarch::bench {
namespace {

// splitmix64: a tiny generator whose sequence is the same on every platform and library
// (std::uniform_int_distribution is not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Between(1, 100) <= percent; }

 private:
  uint64_t state_;
};

struct GeneratedSchema {
  std::string ddl;
  int64_t statements = 0;
  int tables = 0;
};

struct ColumnKind {
  const char* type;
  const char* default_expr;  // "" = none
  const char* check;         // CHECK template on the column ("" = none), %s = column name
  bool textual;
};

constexpr ColumnKind kKinds[] = {
    {"integer", "0", "%s >= 0", false},
    {"bigint", "", "", false},
    {"smallint", "1", "%s BETWEEN 0 AND 1000", false},
    {"text", "", "", true},
    {"varchar(120)", "''", "", true},
    {"numeric(12,2)", "0", "%s >= 0", false},
    {"timestamptz", "now()", "", false},
    {"date", "CURRENT_DATE", "", false},
    {"boolean", "false", "", false},
    {"jsonb", "'{}'", "", false},
    {"uuid", "gen_random_uuid()", "", false},
    {"double precision", "", "%s > 0", false},
    {"text", "'new'", "%s IN ('new', 'active', 'closed')", true},
};
constexpr int kKindCount = sizeof(kKinds) / sizeof(kKinds[0]);

std::string Fill(const char* tmpl, const std::string& column) {
  std::string out;
  for (const char* p = tmpl; *p != '\0'; ++p) {
    if (p[0] == '%' && p[1] == 's') {
      out += column;
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

// A realistic OLTP-like schema: 10 schemas; each table has an identity primary key, 5-11
// more columns of varied types (defaults, NOT NULL), some UNIQUE and CHECK constraints, 1-3
// foreign keys to earlier tables, 1-3 indexes (single, multi-column, partial, expression)
// and comments on some tables and columns.
GeneratedSchema Generate(int table_count) {
  Rng rng(20240611);
  GeneratedSchema g;
  g.tables = table_count;
  std::string& s = g.ddl;
  s.reserve(static_cast<size_t>(table_count) * 1200);
  constexpr int kSchemas = 10;
  for (int i = 0; i < kSchemas; ++i) {
    s += "CREATE SCHEMA app" + std::to_string(i) + ";\n";
    ++g.statements;
  }
  s += "\n";
  auto table_name = [](int i) {
    std::string n = std::to_string(i);
    return "app" + std::to_string(i % kSchemas) + ".entity_" + std::string(5 - n.size(), '0') + n;
  };
  for (int t = 0; t < table_count; ++t) {
    std::string name = table_name(t);
    std::string bare = name.substr(name.find('.') + 1);
    std::vector<std::string> cols;
    std::vector<int> kinds;
    std::string body = "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
    int extra = rng.Between(5, 11);
    int fks = t == 0 ? 0 : rng.Between(1, 3);
    for (int c = 0; c < extra; ++c) {
      std::string col;
      if (c < fks) {
        int target = rng.Between(0, t - 1);
        col = "ref" + std::to_string(c) + "_id";
        body += ",\n    " + col + " bigint" + (rng.Chance(60) ? " NOT NULL" : "") + " REFERENCES " +
                table_name(target) + (rng.Chance(30) ? " ON DELETE CASCADE" : "");
        cols.push_back(col);
        kinds.push_back(1);
        continue;
      }
      int k = rng.Between(0, kKindCount - 1);
      const ColumnKind& kind = kKinds[k];
      col = std::string(kind.textual ? "label" : "value") + std::to_string(c);
      body += ",\n    " + col + " " + kind.type;
      if (rng.Chance(50)) body += " NOT NULL";
      if (*kind.default_expr != '\0' && rng.Chance(60))
        body += std::string(" DEFAULT ") + kind.default_expr;
      if (*kind.check != '\0' && rng.Chance(50)) body += " CHECK (" + Fill(kind.check, col) + ")";
      cols.push_back(col);
      kinds.push_back(k);
    }
    if (t % 3 == 0) body += ",\n    UNIQUE (" + cols.back() + ")";
    if (t % 4 == 1 && cols.size() >= 2) {
      body += ",\n    CONSTRAINT " + bare + "_pair_check CHECK (" + cols[0] + " IS NOT NULL OR " +
              cols[1] + " IS NOT NULL)";
    }
    s += "CREATE TABLE " + name + " (\n" + body + "\n);\n";
    ++g.statements;

    int indexes = rng.Between(1, 3);
    for (int x = 0; x < indexes; ++x) {
      std::string a = cols[static_cast<size_t>(rng.Between(0, static_cast<int>(cols.size()) - 1))];
      std::string b = cols[static_cast<size_t>(rng.Between(0, static_cast<int>(cols.size()) - 1))];
      std::string idx = bare + "_ix" + std::to_string(x);
      switch (rng.Between(0, 3)) {
        case 0:
          s += "CREATE INDEX " + idx + " ON " + name + " (" + a + ");\n";
          break;
        case 1:
          s += "CREATE INDEX " + idx + " ON " + name + " (" + a + (a == b ? "" : ", " + b) +
               " DESC);\n";
          break;
        case 2:
          s +=
              "CREATE INDEX " + idx + " ON " + name + " (" + a + ") WHERE " + b + " IS NOT NULL;\n";
          break;
        default: {
          // An expression index on a text column when there is one, else a plain one.
          std::string text_col;
          for (size_t c = 0; c < cols.size(); ++c) {
            if (kKinds[kinds[c]].textual) text_col = cols[c];
          }
          s += "CREATE INDEX " + idx + " ON " + name +
               (text_col.empty() ? " (" + a + ")" : " (lower(" + text_col + "))") + ";\n";
        }
      }
      ++g.statements;
    }
    if (t % 5 == 0) {
      s += "COMMENT ON TABLE " + name + " IS 'Entity " + std::to_string(t) +
           ": generated for benchmarks';\n";
      s += "COMMENT ON COLUMN " + name + "." + cols[0] + " IS 'first column';\n";
      g.statements += 2;
    }
    s += "\n";
  }
  return g;
}

constexpr int kTables = 10000;

const GeneratedSchema& Schema() {
  static const GeneratedSchema schema = Generate(kTables);
  return schema;
}

const SourceFile& File() {
  static const SourceFile file("generated.sql", Schema().ddl);
  return file;
}

const catalog::Catalog& BuiltCatalog() {
  static const catalog::Catalog cat = [] {
    catalog::CatalogBuilder builder;
    Status st = builder.ApplyFile(File());
    if (!st.ok()) {
      fprintf(stderr, "generated schema does not build: %s (line %u)\n", st.message().c_str(),
              st.span() ? st.span()->line : 0);
      std::abort();
    }
    return builder.Finish();
  }();
  return cat;
}

void SetCounters(benchmark::State& state) {
  const GeneratedSchema& g = Schema();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(g.ddl.size()));
  state.counters["statements/s"] = benchmark::Counter(
      static_cast<double>(g.statements), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["tables"] = g.tables;
}

// (a) Parsing only, with the default options (threads for a large text).
void BM_Parse(benchmark::State& state) {
  const SourceFile& file = File();
  for (auto _ : state) {
    auto tree = sql::ParseTree::Parse(file);
    if (!tree.ok()) state.SkipWithError(tree.status().message().c_str());
    benchmark::DoNotOptimize(tree);
  }
  SetCounters(state);
}

// (a') Parsing only, on the calling thread.
void BM_ParseOneThread(benchmark::State& state) {
  const SourceFile& file = File();
  sql::ParseOptions options;
  options.threads = 1;
  for (auto _ : state) {
    auto tree = sql::ParseTree::Parse(file, options);
    if (!tree.ok()) state.SkipWithError(tree.status().message().c_str());
    benchmark::DoNotOptimize(tree);
  }
  SetCounters(state);
}

// (b) Parsing and building the model: what `dbarch inspect --schema` does.
void BM_ParseAndBuild(benchmark::State& state) {
  const SourceFile& file = File();
  for (auto _ : state) {
    catalog::CatalogBuilder builder;
    Status st = builder.ApplyFile(file);
    if (!st.ok()) state.SkipWithError(st.message().c_str());
    catalog::Catalog cat = builder.Finish();
    benchmark::DoNotOptimize(cat);
  }
  SetCounters(state);
}

// (c) Rendering the finished model.
void BM_RenderJson(benchmark::State& state) {
  const catalog::Catalog& cat = BuiltCatalog();
  size_t out_bytes = 0;
  for (auto _ : state) {
    std::string json = report::CatalogToJson(cat);
    out_bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  SetCounters(state);
  state.counters["output_bytes"] = static_cast<double>(out_bytes);
}

void BM_RenderSql(benchmark::State& state) {
  const catalog::Catalog& cat = BuiltCatalog();
  for (auto _ : state) {
    std::string sql = report::CatalogToSql(cat);
    benchmark::DoNotOptimize(sql);
  }
  SetCounters(state);
}

void BM_RenderText(benchmark::State& state) {
  const catalog::Catalog& cat = BuiltCatalog();
  for (auto _ : state) {
    std::string text = report::CatalogToText(cat);
    benchmark::DoNotOptimize(text);
  }
  SetCounters(state);
}

// Wall-clock time: parsing may use several threads, so CPU time of the main thread would
// understate the cost.
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ParseOneThread)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ParseAndBuild)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenderJson)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenderSql)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RenderText)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace dbarch::bench

int main(int argc, char** argv) {
  const dbarch::bench::GeneratedSchema& g = dbarch::bench::Schema();
  fprintf(stderr, "generated schema: %d tables, %lld statements, %.1f MB of DDL\n", g.tables,
          static_cast<long long>(g.statements), static_cast<double>(g.ddl.size()) / 1e6);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  dbarch::sql::ShutdownParser();
  return 0;
}
