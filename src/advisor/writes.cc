#include "advisor/writes.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dbarch::advisor {
namespace {

constexpr double kDefaultRows = 1000;
// Entries per B-tree page below the root, for the height estimate (btcostestimate reads the
// real height from the metapage; a hypothetical index has none).
constexpr double kFanOut = 300;

double RowsOf(const catalog::QualifiedName& table, const WriteCostModel& model) {
  auto it = model.table_rows.find(table);
  return it == model.table_rows.end() || it->second < 1 ? kDefaultRows : it->second;
}

double EntryCost(std::string_view method, double rows, const WriteCostModel& model) {
  if (method == "brin") return model.cpu_operator_cost;
  rows = std::max(rows, 2.0);
  const double height = std::max(1.0, std::ceil(std::log(rows) / std::log(kFanOut)));
  const double btree = model.random_page_cost + std::ceil(std::log2(rows)) * model.cpu_operator_cost +
                       (height + 1) * 50 * model.cpu_operator_cost + model.cpu_index_tuple_cost;
  return method == "gin" ? btree * kGinEntriesPerRow : btree;
}

bool CoversAny(const std::vector<std::string>& covered, const std::vector<std::string>& columns) {
  for (const std::string& c : columns) {
    if (std::find(covered.begin(), covered.end(), c) != covered.end()) return true;
  }
  return false;
}

// The input rows of the plan's ModifyTable node (the root for INSERT / UPDATE / DELETE).
Result<double> WrittenRowsFromExplainJson(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array() || doc.empty() || !doc[0].contains("Plan")) {
    return Status::InvalidArgument("EXPLAIN did not return a JSON plan");
  }
  const nlohmann::json& plan = doc[0]["Plan"];
  if (plan.value("Node Type", "") != "ModifyTable" || !plan.contains("Plans") ||
      !plan["Plans"].is_array() || plan["Plans"].empty()) {
    return Status::InvalidArgument("the plan of a write has no ModifyTable input");
  }
  const nlohmann::json& input = plan["Plans"][0];
  if (!input.contains("Plan Rows") || !input["Plan Rows"].is_number()) {
    return Status::InvalidArgument("the ModifyTable input has no row estimate");
  }
  return input["Plan Rows"].get<double>();
}

}  // namespace

std::vector<std::string> CoveredColumns(const IndexDef& index) {
  std::vector<std::string> out = index.Columns();
  out.insert(out.end(), index.predicate_columns.begin(), index.predicate_columns.end());
  return out;
}

double IndexEntryCost(const IndexDef& index, double rows, const WriteCostModel& model) {
  return EntryCost(IndexMethodName(index.method), rows, model);
}

Result<WriteCostModel> LoadWriteCostModel(pg::Connection& conn) {
  WriteCostModel model;
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult settings,
      conn.Exec("SELECT current_setting('random_page_cost')::float8, "
                "current_setting('cpu_operator_cost')::float8, "
                "current_setting('cpu_index_tuple_cost')::float8"));
  model.random_page_cost = std::stod(std::string(settings.Get(0, 0)));
  model.cpu_operator_cost = std::stod(std::string(settings.Get(0, 1)));
  model.cpu_index_tuple_cost = std::stod(std::string(settings.Get(0, 2)));

  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult tables,
      conn.Exec("SELECT n.nspname, c.relname, c.reltuples::float8 FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'm') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%'"));
  for (int r = 0; r < tables.rows(); ++r) {
    model.table_rows[{std::string(tables.Get(r, 0)), std::string(tables.Get(r, 1))}] =
        std::stod(std::string(tables.Get(r, 2)));
  }

  // One row per (index, covered column): key columns by number, columns named in index
  // expressions or the predicate by a word match on their deparsed text (conservative: a
  // false match only makes an UPDATE count as non-HOT).
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult rows,
      conn.Exec("SELECT i.indexrelid::bigint, n.nspname, c.relname, ic.relname, am.amname, "
                "a.attname "
                "FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_class ic ON ic.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = ic.relam "
                "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum > 0 "
                "AND NOT a.attisdropped AND (a.attnum = ANY (i.indkey::int2[]) "
                "OR coalesce(pg_get_expr(i.indexprs, i.indrelid), '') || ' ' || "
                "coalesce(pg_get_expr(i.indpred, i.indrelid), '') ~ "
                "('\\m' || regexp_replace(a.attname, '([^[:alnum:]_])', '\\\\\\1', 'g') || '\\M')) "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%' "
                "ORDER BY 1, 6"));
  int64_t current = -1;
  for (int r = 0; r < rows.rows(); ++r) {
    catalog::QualifiedName table{std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2))};
    std::vector<MaintainedIndex>& list = model.existing[table];
    if (rows.GetInt(r, 0) != current) {
      current = rows.GetInt(r, 0);
      list.push_back(MaintainedIndex{std::string(rows.Get(r, 3)), std::string(rows.Get(r, 4)), {}});
    }
    if (!rows.IsNull(r, 5)) list.back().columns.emplace_back(rows.Get(r, 5));
  }
  return model;
}

Result<double> EstimateWrittenRows(pg::Connection& conn, const workload::Query& query,
                                   const ExplainMode& mode) {
  Result<std::string> plan = ExplainQueryJson(conn, query, mode);
  if (!plan.ok()) {
    return std::move(plan).TakeStatus().WithContext("estimating the rows of '" + query.name + "'");
  }
  return WrittenRowsFromExplainJson(*plan);
}

double WriteCost(const std::vector<IndexDef>& config, const std::vector<WriteLoad>& loads,
                 const WriteCostModel& model) {
  static const std::vector<MaintainedIndex> kNone;
  double total = 0;
  for (const WriteLoad& load : loads) {
    const catalog::QualifiedName& table = load.target.table;
    const double rows = RowsOf(table, model);
    auto it = model.existing.find(table);
    const std::vector<MaintainedIndex>& existing = it == model.existing.end() ? kNone : it->second;
    std::vector<const IndexDef*> added;
    for (const IndexDef& index : config) {
      if (index.table == table) added.push_back(&index);
    }
    bool touched = true;
    if (load.target.kind == WriteKind::kUpdate) {
      touched = false;
      for (const MaintainedIndex& e : existing) touched = touched || CoversAny(e.columns, load.target.set_columns);
      for (const IndexDef* i : added) {
        touched = touched || CoversAny(CoveredColumns(*i), load.target.set_columns);
      }
    }
    if (!touched) continue;  // HOT: no index entry
    double per_row = 0;
    if (load.target.kind == WriteKind::kDelete) {
      per_row = static_cast<double>(existing.size() + added.size()) *
                (model.cpu_index_tuple_cost + model.cpu_operator_cost);
    } else {
      for (const MaintainedIndex& e : existing) per_row += EntryCost(e.method, rows, model);
      for (const IndexDef* i : added) per_row += IndexEntryCost(*i, rows, model);
    }
    total += load.weight * load.rows * per_row;
  }
  return total;
}

}  // namespace dbarch::advisor
