// Canonical text for SQL expressions stored in the catalog (column defaults, CHECK and
// index expressions, index predicates, partition bounds, policy expressions). The same
// function runs on an expression parsed from a user's DDL and on the text the server gives
// back (pg_get_expr), so that the two compare equal when they mean the same thing.
//
// The server rewrites what it stores: `x IN (1,2)` becomes `x = ANY (ARRAY[1, 2])`,
// BETWEEN becomes two comparisons, LIKE becomes ~~, constants get explicit casts
// ('a'::text, (0)::numeric, '-1'::integer), varchar columns get ::text casts in
// comparisons. The canonical form applies the same rewrites to DDL trees and drops the
// casts that carry no meaning where they stand (a literal compared with a column, the
// whole of a default, a literal argument cast to text/regclass/regconfig). Names
// qualified with pg_catalog or public are written bare. Pure; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "sql/ast.h"

namespace dbarch::sql {

class Arena;

enum class ExprContext {
  kDefault,  // column default: its value is coerced to the column type, so a top cast goes
  kGeneric,  // CHECK, index expression, predicate, policy, generated column
};

// What the caller knows about the columns an expression uses. The server casts a column of
// a domain type to the domain's base type wherever an operator needs it
// (`(amount)::numeric > (0)::numeric`); such casts are no-ops and are dropped.
struct ExprHints {
  // column name (or "value" in a domain CHECK) -> internal name of its base type
  // ("numeric", "int4", "text", ...; see InternalTypeName).
  std::vector<std::pair<std::string, std::string>> domain_columns;
  // column name -> internal name of its type (domains resolved to their base), for the
  // casts the server adds to mixed arithmetic: int_col * numeric_col is stored as
  // (int_col)::numeric * numeric_col.
  std::vector<std::pair<std::string, std::string>> column_types;

  // Name resolution for DDL read under a search_path (catalog/ supplies it; each may be
  // empty). The normal form names objects as the server prints them with search_path =
  // public: bare in public and pg_catalog, qualified elsewhere.
  // The schema a bare function name resolves to; "" leaves it bare (public, pg_catalog or
  // not known).
  std::function<std::string(std::string_view name)> function_schema;
  // The normal-form spelling of a relation named in a regclass literal ('s.t' or 't'), as
  // regclass output prints it; "" leaves the literal as written.
  std::function<std::string(std::string_view name)> relation_name;
  // The internal type name of a column of the expression's table ("varchar", "int4", ...);
  // "" when not known. Lets a varchar column passed to a text parameter compare equal with
  // the server's explicit (col)::text.
  std::function<std::string(std::string_view column)> column_type;
  // For a column default (ExprContext::kDefault): the internal name of the column's type
  // ("timestamptz"); "" when not known. A top cast to another date/time type is kept.
  std::string default_type;
};

// Canonical text of `expr` (not modified). `hints` may be null.
Result<std::string> CanonicalExpr(const Node* expr, ExprContext context,
                                  const ExprHints* hints = nullptr);
// Applies CanonicalExpr's rewrites (kGeneric context) in place to every expression under
// `*tree`, which may be a whole statement (a view's query): IN lists, BETWEEN, LIKE, type
// names, pg_catalog/public qualifiers, and the literal casts CanonicalExpr drops. `*tree`
// must live in `arena` (sql::Arena::Copy); new nodes are allocated there. `hints` may be null.
void CanonicalizeTreeInPlace(Arena& arena, Node** tree, const ExprHints* hints);
// Parses `expr_sql` as an expression and returns its canonical text; a syntax error
// returns kParseError with the position inside `expr_sql`.
Result<std::string> CanonicalExprText(std::string_view expr_sql, ExprContext context,
                                      const ExprHints* hints = nullptr);

// SQL for DDL from a canonical expression, written so that the server stores what it stored
// for the original: `x = ANY (ARRAY[a, b])` as `x IN (a, b)` and `x <> ALL (ARRAY[...])` as
// `x NOT IN (...)` (an IN list takes the column's type for its items; a written ARRAY takes
// text, so a varchar column's CHECK would come back with other casts). Returns `canonical`
// unchanged when it has nothing to rewrite or does not parse.
std::string DdlExprText(const std::string& canonical);

// The internal name of a type spelled as format_type() does, without typmod or array
// brackets: "numeric(12,2)" -> "numeric", "integer" -> "int4", "character varying(20)" ->
// "varchar", "timestamp with time zone" -> "timestamptz", "app.mood" -> "mood".
std::string InternalTypeName(std::string_view format_type_name);

}  // namespace dbarch::sql
