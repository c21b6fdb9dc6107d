#include "sandbox/sample.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "pg/schema_dump.h"
#include "pg/vacuum.h"

namespace dbarch::sandbox {

double SampledTable::fraction() const {
  if (method == "all" || live_rows <= 0) return 1;
  return std::min(1.0, static_cast<double>(sampled_rows) / static_cast<double>(live_rows));
}

std::vector<double> SamplePercents(const std::vector<int64_t>& live_bytes, int64_t max_bytes) {
  std::vector<double> out(live_bytes.size(), 100);
  std::vector<size_t> order(live_bytes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return live_bytes[a] < live_bytes[b]; });
  double remaining = static_cast<double>(std::max<int64_t>(max_bytes, 0));
  // Smallest first: a table within its fair share of what is left is copied whole.
  size_t k = 0;
  for (; k < order.size(); ++k) {
    double share = remaining / static_cast<double>(order.size() - k);
    double size = static_cast<double>(std::max<int64_t>(live_bytes[order[k]], 0));
    if (size > share) break;
    remaining -= size;
  }
  double rest = 0;
  for (size_t i = k; i < order.size(); ++i) rest += static_cast<double>(live_bytes[order[i]]);
  if (k == order.size() || rest <= 0) return out;
  // One fraction for all the larger tables; TABLESAMPLE takes 0..100, and a percentage too
  // small to return a row would leave a table empty.
  double percent = std::clamp(100.0 * remaining / rest, 0.0001, 100.0);
  for (size_t i = k; i < order.size(); ++i) out[order[i]] = percent;
  return out;
}

namespace {

struct LiveTable {
  SampledTable out;
  int64_t pages = 0;
  std::string columns;  // quoted, comma-separated: the stored (not generated) columns
};

}  // namespace

Result<SampleResult> CopySchemaAndSample(pg::Connection& live, pg::Connection& sandbox,
                                         const SampleOptions& options) {
  auto start = std::chrono::steady_clock::now();
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult ro, live.Exec("SHOW default_transaction_read_only"));
  if (ro.rows() != 1 || ro.Get(0, 0) != "on") {
    return Status::Internal("the session sampling a live server is not read-only by default");
  }
  DBARCH_ASSIGN_OR_RETURN(std::string ddl, pg::DumpSchemaSql(live, pg::DumpOptions{}));
  {
    Status st = sandbox.ExecScript(ddl);
    if (!st.ok()) return std::move(st).WithContext("loading the live schema into the sandbox");
  }
  // The COPY text of both sides must mean the same values.
  const char* kSettings =
      "SET DateStyle = ISO; SET IntervalStyle = postgres; SET TimeZone = 'UTC'; "
      "SET extra_float_digits = 3";
  DBARCH_RETURN_IF_ERROR(live.ExecScript(kSettings));
  DBARCH_RETURN_IF_ERROR(
      sandbox.ExecScript(std::string(kSettings) + "; SET session_replication_role = replica"));

  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult rows,
      live.Exec("SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint, "
                "pg_table_size(c.oid), c.relpages, "
                "(SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
                "   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 "
                "   AND NOT a.attisdropped AND a.attgenerated = '') "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname !~ '^pg_(toast|temp)' "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
                "  'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') "
                "ORDER BY 1, 2"));
  std::vector<LiveTable> tables;
  std::vector<int64_t> sizes;
  for (int r = 0; r < rows.rows(); ++r) {
    LiveTable t;
    t.out.schema = std::string(rows.Get(r, 0));
    t.out.name = std::string(rows.Get(r, 1));
    t.out.live_rows = rows.GetInt(r, 2);
    t.out.live_bytes = rows.GetInt(r, 3);
    t.pages = rows.GetInt(r, 4);
    t.columns = std::string(rows.Get(r, 5));
    sizes.push_back(t.out.live_bytes);
    tables.push_back(std::move(t));
  }
  std::vector<double> percents = SamplePercents(sizes, options.max_bytes);

  SampleResult result;
  result.max_bytes = options.max_bytes;
  for (size_t i = 0; i < tables.size(); ++i) {
    LiveTable& t = tables[i];
    const std::string qualified = QuoteIdent(t.out.schema) + "." + QuoteIdent(t.out.name);
    result.live_bytes += t.out.live_bytes;
    if (t.columns.empty()) {
      t.out.method = "all";  // no stored column: nothing to copy
      result.tables.push_back(std::move(t.out));
      continue;
    }
    std::string source = qualified;
    if (percents[i] < 100) {
      t.out.method = t.pages >= options.system_min_pages ? "SYSTEM" : "BERNOULLI";
      t.out.percent = percents[i];
      source += fmt::format(" TABLESAMPLE {} ({:.6f}) REPEATABLE ({})", t.out.method, t.out.percent,
                            options.seed);
    } else {
      t.out.method = "all";
    }
    const std::string out_sql = "COPY (SELECT " + t.columns + " FROM " + source + ") TO STDOUT";
    const std::string in_sql = "COPY " + qualified + " (" + t.columns + ") FROM STDIN";
    DBARCH_RETURN_IF_ERROR(sandbox.BeginCopyIn(in_sql));
    Result<int64_t> copied =
        live.CopyOut(out_sql, [&](std::string_view chunk) { return sandbox.PutCopyData(chunk); });
    if (!copied.ok()) {
      sandbox.AbortCopyIn("reading the live table failed");
      return std::move(copied).status().WithContext("sampling " + qualified);
    }
    Result<int64_t> loaded = sandbox.EndCopyIn();
    if (!loaded.ok()) {
      return std::move(loaded).status().WithContext("loading the sample of " + qualified);
    }
    t.out.sampled_rows = *loaded;
    result.sampled_rows += *loaded;
    result.tables.push_back(std::move(t.out));
  }
  DBARCH_RETURN_IF_ERROR(sandbox.ExecScript("RESET session_replication_role"));

  // Sequences as on the live server, so the workload's INSERTs draw fresh keys.
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult seqs,
      live.Exec("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), "
                "last_value FROM pg_sequences WHERE last_value IS NOT NULL "
                "AND schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"));
  for (int r = 0; r < seqs.rows(); ++r) {
    DBARCH_RETURN_IF_ERROR(sandbox.ExecScript("SELECT pg_catalog.setval(" +
                                              QuoteLiteral(seqs.Get(r, 0)) + ", " +
                                              std::string(seqs.Get(r, 1)) + ")"));
  }
  // VACUUM so the visibility map lets the planner cost index-only scans as on a live table.
  DBARCH_RETURN_IF_ERROR(pg::VacuumLoaded(sandbox, /*analyze=*/true).status());
  for (SampledTable& t : result.tables) {
    DBARCH_ASSIGN_OR_RETURN(
        pg::QueryResult size,
        sandbox.Exec("SELECT pg_table_size(" +
                     QuoteLiteral(QuoteIdent(t.schema) + "." + QuoteIdent(t.name)) +
                     "::regclass)"));
    t.sampled_bytes = size.GetInt(0, 0);
  }
  result.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace dbarch::sandbox
