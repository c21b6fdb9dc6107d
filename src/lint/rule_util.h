// Helpers shared by lint rules: walking parse trees, resolving names against the catalog,
// spelling identifiers in messages and fixes. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/model.h"
#include "lint/rule.h"
#include "sql/ast.h"

namespace dbarch::lint {

// Calls fn(node) for `root` and every Node below it, depth first, parents before children.
// Return false from fn to skip a node's children.
void WalkNodes(const sql::Node* root, const std::function<bool(const sql::Node*)>& fn);

// The relation a RangeVar names, resolved like the server would with search_path = public
// (the catalog's normal form); nullopt when no table, view or materialized view matches.
std::optional<catalog::QualifiedName> ResolveRelation(const catalog::Catalog& catalog,
                                                       const PgQuery__RangeVar* rv);
// The table a RangeVar names (tables only).
const catalog::Table* ResolveTable(const catalog::Catalog& catalog, const PgQuery__RangeVar* rv);

// schema.name as written in the RangeVar (no resolution), for messages.
std::string RangeVarText(const PgQuery__RangeVar* rv);
// The same without identifier quoting, for messages that put the whole name in quotes.
std::string RangeVarPlain(const PgQuery__RangeVar* rv);

// The last field of a ColumnRef ("" for * or a non-ColumnRef).
std::string ColumnRefName(const sql::Node* node);

// "public.orders" -> "orders" when in public, else schema-qualified; quoted as needed.
std::string ShortName(const catalog::QualifiedName& name);

// True when index `idx` (or constraint-backed index columns `cols`) starts with `columns`
// in order (a btree can serve lookups on a prefix of its keys).
bool IndexCoversPrefix(const std::vector<std::string>& index_columns,
                       const std::vector<std::string>& columns);

// The plain-column keys of an index, in order; an expression key yields "" in its place.
std::vector<std::string> IndexColumns(const catalog::Index& idx);

}  // namespace dbarch::lint
