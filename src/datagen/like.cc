#include "datagen/like.h"

#include <cmath>
#include <map>
#include <string>

#include "base/strings.h"
#include "pg/connection.h"

namespace dbarch::datagen {

namespace {

bool IsNumberOrTime(const std::string& type) {
  static const char* kPrefixes[] = {"integer", "bigint", "smallint", "numeric", "real", "double precision",
                                    "date", "timestamp"};
  for (const char* p : kPrefixes) {
    if (StartsWith(type, p)) return true;
  }
  return false;
}

}  // namespace

Result<Spec> SpecLike(pg::Connection& conn, const catalog::Catalog& cat, double scale) {
  Spec spec;
  // Row counts, partitions rolled up into their root.
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult counts,
      conn.Exec("SELECT n.nspname, r.relname, sum(greatest(c.reltuples, 0))::bigint "
                "FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_class r ON r.oid = coalesce(pg_catalog.pg_partition_root(c.oid), c.oid) "
                "JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "GROUP BY 1, 2"));
  std::map<catalog::QualifiedName, int64_t> rows;
  for (int i = 0; i < counts.rows(); ++i) {
    catalog::QualifiedName q{std::string(counts.Get(i, 0)), std::string(counts.Get(i, 1))};
    if (cat.FindTable(q) == nullptr) continue;
    rows[q] = static_cast<int64_t>(std::llround(static_cast<double>(counts.GetInt(i, 2)) * scale));
  }
  for (const auto& [q, n] : rows) spec.tables[q.schema + "." + q.name].rows = n;
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult leaves,
      conn.Exec("SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint "
                "FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND c.relispartition"));
  for (int i = 0; i < leaves.rows(); ++i) {
    spec.partition_rows[std::string(leaves.Get(i, 0)) + "." + std::string(leaves.Get(i, 1))] =
        static_cast<int64_t>(std::llround(static_cast<double>(leaves.GetInt(i, 2)) * scale));
  }

  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult stats,
      conn.Exec("SELECT s.schemaname, s.tablename, s.attname, s.null_frac, s.n_distinct, "
                "s.most_common_freqs::text, s.histogram_bounds::text, s.most_common_vals IS NOT NULL "
                "FROM pg_catalog.pg_stats s JOIN pg_catalog.pg_class c "
                "ON c.relname = s.tablename AND c.relnamespace = s.schemaname::regnamespace "
                "WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema') "
                "AND s.inherited = (c.relkind = 'p')"));
  for (int i = 0; i < stats.rows(); ++i) {
    catalog::QualifiedName q{std::string(stats.Get(i, 0)), std::string(stats.Get(i, 1))};
    const catalog::Table* t = cat.FindTable(q);
    if (t == nullptr || t->partition_of || !rows.count(q)) continue;
    std::string column(stats.Get(i, 2));
    const catalog::Column* col = t->FindColumn(column);
    if (col == nullptr || col->identity != catalog::IdentityKind::kNone || !col->generated_expr.empty()) continue;
    ColumnSpec& cs = spec.tables[q.schema + "." + q.name].columns[column];
    double null_frac = std::stod(std::string(stats.Get(i, 3)));
    if (!col->not_null) cs.null_fraction = null_frac;
    double n_distinct = std::stod(std::string(stats.Get(i, 4)));
    double non_null_rows = static_cast<double>(rows[q]) * (1 - null_frac);
    double distinct = n_distinct >= 0 ? n_distinct * std::max(scale, 0.0) : -n_distinct * non_null_rows;
    if (n_distinct >= 0) distinct = std::min(n_distinct, non_null_rows);  // a count does not scale
    // Unique columns keep the generator's own values.
    if (distinct >= 1 && distinct < 0.999 * non_null_rows) cs.n_distinct = static_cast<int64_t>(std::llround(distinct));
    // Most common values that cover the column: their frequency shape, on synthetic values.
    if (!stats.IsNull(i, 5) && cs.n_distinct) {
      auto freqs = pg::ParseTextArray(stats.Get(i, 5));
      if (freqs.ok() && static_cast<int64_t>(freqs->size()) >= *cs.n_distinct) {
        double sum = 0;
        for (const auto& f : *freqs) sum += f ? std::stod(*f) : 0;
        // Only on free text: an enum, a domain or a CHECK decides the values of the others.
        bool free_text = col->type == "text" || StartsWith(col->type, "character varying");
        for (const auto& k : t->constraints) {
          if (k.kind == catalog::ConstraintKind::kCheck && k.expression.find(column) != std::string::npos) {
            free_text = false;
          }
        }
        if (sum > 0.999 * (1 - null_frac) && free_text) {
          for (size_t k = 0; k < freqs->size(); ++k) {
            cs.values.push_back("v" + std::to_string(k + 1));
            cs.weights.push_back(std::stod(*(*freqs)[k]));
          }
          cs.n_distinct.reset();
        }
      }
    }
    // Ranges of numbers and times: the histogram's outer bounds.
    if (!stats.IsNull(i, 6) && IsNumberOrTime(col->type)) {
      auto bounds = pg::ParseTextArray(stats.Get(i, 6));
      if (bounds.ok() && bounds->size() >= 2 && bounds->front() && bounds->back()) {
        cs.min = *bounds->front();
        cs.max = *bounds->back();
      }
    }
  }
  return spec;
}

}  // namespace dbarch::datagen
