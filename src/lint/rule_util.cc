#include "lint/rule_util.h"

#include "base/strings.h"

namespace dbarch::lint {

void WalkNodes(const sql::Node* root, const std::function<bool(const sql::Node*)>& fn) {
  if (root == nullptr) return;
  if (!fn(root)) return;
  sql::ForEachChildNode(&root->base, [&](sql::Node* const& child) { WalkNodes(child, fn); });
}

std::optional<catalog::QualifiedName> ResolveRelation(const catalog::Catalog& catalog,
                                                       const PgQuery__RangeVar* rv) {
  if (rv == nullptr || rv->relname == nullptr) return std::nullopt;
  std::vector<std::string> schemas;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') {
    schemas.push_back(rv->schemaname);
  } else {
    schemas = {"public", "pg_catalog"};
  }
  for (const std::string& s : schemas) {
    catalog::QualifiedName q{s, rv->relname};
    if (catalog.tables.count(q) || catalog.views.count(q)) return q;
  }
  return std::nullopt;
}

const catalog::Table* ResolveTable(const catalog::Catalog& catalog, const PgQuery__RangeVar* rv) {
  auto q = ResolveRelation(catalog, rv);
  return q ? catalog.FindTable(*q) : nullptr;
}

std::string RangeVarText(const PgQuery__RangeVar* rv) {
  if (rv == nullptr) return "";
  std::string out;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') out = QuoteIdent(rv->schemaname) + ".";
  return out + QuoteIdent(rv->relname != nullptr ? rv->relname : "");
}

std::string RangeVarPlain(const PgQuery__RangeVar* rv) {
  if (rv == nullptr || rv->relname == nullptr) return "";
  std::string name = rv->relname;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') name = std::string(rv->schemaname) + "." + name;
  return name;
}

std::string ColumnRefName(const sql::Node* node) {
  if (node == nullptr || node->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return "";
  const PgQuery__ColumnRef* c = node->column_ref;
  if (c->n_fields == 0) return "";
  return std::string(sql::StrVal(c->fields[c->n_fields - 1]));
}

std::string ShortName(const catalog::QualifiedName& name) {
  return name.schema == "public" ? QuoteIdent(name.name) : name.Quoted();
}

bool IndexCoversPrefix(const std::vector<std::string>& index_columns,
                       const std::vector<std::string>& columns) {
  if (columns.empty() || index_columns.size() < columns.size()) return false;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (index_columns[i] != columns[i]) return false;
  }
  return true;
}

std::vector<std::string> IndexColumns(const catalog::Index& idx) {
  std::vector<std::string> out;
  for (const catalog::IndexKey& k : idx.keys) out.push_back(k.column);
  return out;
}

}  // namespace dbarch::lint
