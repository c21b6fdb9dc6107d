// The normal form of a view's query, used to compare views (catalog::View::operator==). The
// server keeps a view as a parsed query and prints it back rewritten (pg_get_viewdef):
// columns qualified with their range's name, `*` expanded, `AS` aliases added, GROUP BY /
// ORDER BY ordinals and output names replaced by the expression, literals and implicit
// coercions written as casts ('day'::text, (status)::text for a varchar, (qty)::numeric in
// mixed arithmetic), parentheses added. NormalizeViewQuery maps the text a user wrote and the
// text the server prints to one string when they mean the same query, using what the caller
// knows of the relations in scope (QueryHints). Used by catalog/ (BuildView) for DDL and for
// the server's own DDL alike. Pure; thread-safe.
//
// The normal form (not meant to be run; it is a comparison key):
// - every range (table, view, CTE reference, subquery, function, VALUES) gets the alias r1,
//   r2, ... in the order the query is walked, so written aliases do not matter and the
//   server's renaming of duplicate names (orders_1) disappears; relations are written with
//   the schema the caller resolved them to; column alias lists are dropped;
// - a column reference is resolved against the ranges in scope (innermost query first, USING
//   and NATURAL merged columns to their left side) and written rN.column (tables, views,
//   functions) or rN.cK (K-th column of a subquery, CTE or VALUES list); whole-row references
//   are rN.*; references that resolve to nothing are kept as written;
// - `*`, `t.*` and `(f(x)).*` in a target list are expanded from the caller's columns;
// - GROUP BY / ORDER BY / DISTINCT ON ordinals and ORDER BY output names (GROUP BY output names
//   that are not input columns) become the target expression;
// - output names (`AS x`) are dropped everywhere: the view's column names are compared apart
//   (catalog::View::columns) and inner names are replaced by positions;
// - CanonicalExpr's rewrites (IN, BETWEEN, LIKE, type names, qualifiers) apply, then the casts
//   the server may add implicitly are dropped: casts of literals (string literals to any type,
//   numbers to numeric types, NULL), casts to text of varchar/char/name values, and widening
//   numeric/date casts in function arguments and in operands of operators whose other side has
//   another type. A widening cast between two operands of the same type (int / int::numeric)
//   changes the operator and is kept (moved to the left operand). A cast to the type the value
//   already has is dropped (a domain column passed as its base type). Date/timestamp-looking string
//   literals drop a midnight time and a +00 offset ('2024-01-01 00:00:00+00' as the server prints a
//   timestamptz in UTC); "<n> <unit>" interval literals take the server's output form ('1 hour' ->
//   '01:00:00', '1 week' -> '7 days', units in any case);
// - f(a, VARIADIC ARRAY[b, c]) (how the server prints a variadic call) becomes f(a, b, c), and a
//   CASE's ELSE NULL (printed for a CASE without ELSE) is dropped.
//
// Known blind spots (differences that compare equal): an explicit cast of a literal to
// another type ('1'::int vs '1'::text), an explicit varchar-to-text cast, a widening cast
// of a function argument that picks another overload (round(i::numeric) vs round(i)),
// output types of view columns, and a text literal that only looks like a timestamp or an
// interval.
// Differences that compare unequal though the server treats them alike: casts of
// expressions whose type the normaliser cannot infer (calls of functions it does not know),
// timestamps with offsets other than +00, interval literals other than "<n> <unit>" lists
// ('1.5 hours', '1:30').
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "sql/ast.h"
#include "sql/expr_normalizer.h"

namespace dbarch::sql {

// A relation a view reads, as the caller's model knows it.
struct QueryRelation {
  std::string schema;  // the schema it resolved to ("public", "app")
  std::string name;
  // Columns in order: name and internal type name (InternalTypeName; domains resolved to
  // their base type; for a view, the type NormalizeViewQuery inferred; "" when not known).
  std::vector<std::pair<std::string, std::string>> columns;
};

struct QueryHints {
  // Resolves a relation named in FROM ({"orders"} or {"app", "orders"}) under the search
  // path the query was written with; nullopt when the model does not know it (the range's
  // columns are then unknown and references to it are kept as written). May be empty.
  std::function<std::optional<QueryRelation>(const std::vector<std::string>& parts)> relation;
  // The fields of the composite type a function call returns, for (f(x)).* in a target list;
  // empty when not known (the target then stays as written). May be empty.
  std::function<std::vector<std::string>(const PgQuery__FuncCall* call)> composite_columns;
  // Function-name resolution for CanonicalExpr's rewrites; may be null.
  const ExprHints* expr = nullptr;
};

// The normal form of `query` (a SelectStmt node, not modified; see above). Never fails on
// names it cannot resolve; returns an error only when the rewritten tree cannot be deparsed.
// When `column_types` is given it receives the internal type of each output column as the
// normaliser infers it ("" when not inferred), for QueryRelation::columns of a view that
// another view reads.
Result<std::string> NormalizeViewQuery(const Node* query, const QueryHints& hints,
                                       std::vector<std::string>* column_types = nullptr);

// Parses `sql` (one SELECT, e.g. pg_get_viewdef output) and returns its normal form; a syntax
// error is kParseError.
Result<std::string> NormalizeViewQueryText(std::string_view sql, const QueryHints& hints);

// `definition` (a view's query as written, DDL) with the references to column `from` of
// relation schema.relation renamed to `to`, resolved as NormalizeViewQuery resolves them with
// `hints` (which must still describe the column as `from`); an unnamed target that was such a
// reference gets `AS from`, so the view's column keeps its name, as on the server. `*` is not
// expanded. Returns `definition` unchanged when nothing refers to the column or it does not
// parse.
std::string RenameColumnInViewQuery(const std::string& definition, const QueryHints& hints,
                                    const std::string& schema, const std::string& relation,
                                    const std::string& from, const std::string& to);

// `normal_form` with the column `from` of relation schema.relation renamed to `to`, as the
// server's view follows a renamed column (ALTER TABLE ... RENAME COLUMN). Returns the input
// unchanged when nothing refers to that column or it does not parse.
std::string RenameColumnInViewNormalForm(const std::string& normal_form, const std::string& schema,
                                         const std::string& relation, const std::string& from,
                                         const std::string& to);

}  // namespace dbarch::sql
