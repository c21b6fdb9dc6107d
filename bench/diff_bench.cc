// diff/: two generated 10,000-table schemas (each table with 8 columns, a primary key, an
// index, and a foreign key to the previous table) that differ in a few hundred places (added
// and dropped tables, added columns, type changes, new indexes, changed defaults). Prints the
// time to build both models from DDL and the time of diff::Diff itself (median of 5 runs).
// Usage: dbarch_diff_bench [TABLES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "diff/diff.h"

namespace {

// The name of table i in the changed schema: every 200th (from 13) is renamed.
std::string TableName(int i, bool changed, bool renames) {
  if (changed && renames && i % 200 == 13) return "r" + std::to_string(i);
  return "t" + std::to_string(i);
}

std::string Schema(int tables, bool changed, bool renames = false) {
  std::string out;
  out.reserve(static_cast<size_t>(tables) * 400);
  for (int i = 0; i < tables; ++i) {
    if (changed && i % 200 == 7) continue;  // 50 dropped tables
    std::string t = TableName(i, changed, renames);
    if (t[0] == 'r') out += "-- dbarch:renamed-from t" + std::to_string(i) + "\n";
    out += "CREATE TABLE " + t + " (id bigint PRIMARY KEY, a integer NOT NULL, b text, c ";
    out += changed && i % 100 == 3 ? "bigint" : "integer";  // 100 type changes
    out += ", d timestamptz DEFAULT now(), e numeric(12,2), f boolean DEFAULT ";
    out += changed && i % 100 == 5 ? "true" : "false";  // 100 changed defaults
    out += changed && renames && i % 200 == 17 ? ",\n  g2 varchar(40) -- dbarch:renamed-from g\n"
                                               : ", g varchar(40)";  // 50 renamed columns
    if (changed && i % 100 == 9) out += ", h jsonb";  // 100 added columns
    if (i > 0 && !(changed && (i - 1) % 200 == 7))
      out += ", prev_id bigint REFERENCES " + TableName(i - 1, changed, renames) + " (id)";
    out += ");\n";
    out += "CREATE INDEX t" + std::to_string(i) + "_a ON " + t + " (a);\n";
    if (changed && i % 200 == 11) out += "CREATE INDEX " + t + "_b ON " + t + " (b);\n";
  }
  if (changed) {
    for (int i = 0; i < 50; ++i) {
      out += "CREATE TABLE n" + std::to_string(i) + " (id bigint PRIMARY KEY, v text);\n";
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int tables = argc > 1 ? std::atoi(argv[1]) : 10000;
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::string from_sql = Schema(tables, false);
  std::string to_sql = Schema(tables, true);
  // Dropped tables are referenced by the next table's foreign key in the source only.
  auto t0 = Clock::now();
  dbarch::catalog::CatalogBuilder from_builder;
  dbarch::Status st = from_builder.ApplyFile(dbarch::SourceFile("from.sql", from_sql));
  dbarch::catalog::CatalogBuilder to_builder;
  dbarch::Status st2 = to_builder.ApplyFile(dbarch::SourceFile("to.sql", to_sql));
  if (!st.ok() || !st2.ok()) {
    std::fprintf(stderr, "%s\n", (!st.ok() ? st : st2).ToString().c_str());
    return 1;
  }
  dbarch::catalog::Catalog from = from_builder.Finish();
  dbarch::catalog::Catalog to = to_builder.Finish();
  double build_ms = ms(Clock::now() - t0);
  dbarch::diff::DiffOptions options;
  options.allow_destructive = true;
  std::vector<double> runs;
  size_t changes = 0;
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    dbarch::diff::DiffResult r = dbarch::diff::Diff(from, to, options);
    runs.push_back(ms(Clock::now() - start));
    changes = r.changes.size();
  }
  std::sort(runs.begin(), runs.end());
  std::printf("tables: %d -> %zu; changes: %zu\n", tables, to.tables.size(), changes);
  std::printf("build both models from DDL: %.0f ms\n", build_ms);
  std::printf("diff (median of 5): %.1f ms (min %.1f, max %.1f)\n", runs[2], runs[0], runs[4]);

  // The same target with 50 tables and 50 columns renamed (declared with
  // `-- dbarch:renamed-from`): the renames are applied to the source before the diff.
  std::string renamed_sql = Schema(tables, true, true);
  dbarch::catalog::CatalogBuilder renamed_builder;
  st = renamed_builder.ApplyFile(dbarch::SourceFile("to.sql", renamed_sql));
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  dbarch::catalog::Catalog renamed = renamed_builder.Finish();
  options.renames = dbarch::diff::RenameAnnotationsInText(renamed, "to.sql", renamed_sql);
  runs.clear();
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    dbarch::diff::DiffResult r = dbarch::diff::Diff(from, renamed, options);
    runs.push_back(ms(Clock::now() - start));
    changes = r.changes.size();
  }
  std::sort(runs.begin(), runs.end());
  std::printf("with %zu declared renames: changes: %zu\n", options.renames.size(), changes);
  std::printf("diff with renames (median of 5): %.1f ms (min %.1f, max %.1f)\n", runs[2], runs[0],
              runs[4]);
  return 0;
}
