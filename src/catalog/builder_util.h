// Parse-tree helpers shared by the CatalogBuilder implementation files (builder*.cc):
// name lists, DefElem values, column references, literal fix-ups that mirror how the
// server stores defaults and partition bounds, and identifier rewriting in SQL text.
// Internal to catalog/. Stateless and thread-compatible.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "sql/ast.h"
#include "sql/expr_normalizer.h"

namespace dbarch::catalog {

bool IsCascade(PgQuery__DropBehavior b);

// The dotted name held by a List of Strings, a String or a TypeName; empty for anything else.
std::vector<std::string> NameParts(const sql::Node* node);

// A DefElem's argument as text (a TypeName is its dotted name); "" without an argument.
std::string DefElemString(const PgQuery__DefElem* d);

// A DefElem's argument as the server would store it (a TypeName is its last part; other
// expressions deparsed); "" without an argument.
std::string DefElemText(const PgQuery__DefElem* d);

// A DefElem as a boolean: no argument means true; on/yes/1/true are true.
bool DefElemBool(const PgQuery__DefElem* d);

// WITH (fillfactor = 70, ...) options as name/value pairs in the order written (the order the
// server keeps), toast.* ones last. The server stores reloptions as "name=value" text, with
// booleans spelled as written: we lower-case.
OptionList RelOptions(sql::NodeRange options);

// Moves the toast.* parameters after the table's own, each keeping its order: the server keeps
// them in two lists (the table's and its TOAST table's reloptions), which pg_dump and
// introspection print in that order.
void KeepToastOptionsLast(OptionList& options);

// The SEQUENCE NAME of an identity column's options (GENERATED ... AS IDENTITY (...), ADD
// GENERATED), unqualified; "" when not given.
std::string IdentitySequenceName(sql::NodeRange options);

// The last field of a ColumnRef; "" for anything else.
std::string ColumnRefName(const sql::Node* n);

// Distinct column names referenced in an expression (ColumnRef last fields).
void CollectColumnRefs(const sql::Node* n, std::vector<std::string>& out);

// Bounds of the integer types smallint/integer/bigint (format_type spelling).
int64_t TypeMax(const std::string& type);
int64_t TypeMin(const std::string& type);

// An integer literal (possibly negated); false when `n` is not one.
bool ParseInt64(const sql::Node* n, int64_t* out);

// Boolean column defaults: the server stores 'f' as false.
std::string FixBooleanDefault(const std::string& type, const std::string& def);

// A partition bound datum as pg_get_expr prints it for a key of `key_type`.
std::string PartitionDatum(const sql::Node* n, const std::string& key_type);

// PostgreSQL's output form of a time or interval literal (the server stores a default
// evaluated to the column type and prints it back): time '02:00' -> '02:00:00',
// interval '4 hours' -> '04:00:00', '1 day 2 hours' -> '1 day 02:00:00'. Returns `def`
// unchanged when it is not a plain literal it understands.
std::string FixTemporalDefault(const std::string& type, const std::string& def);

// The normal form of a quoted literal default of a number or money column: an integer or
// decimal string for an integer or numeric column is the number ('0.5' -> 0.5, '7' -> 7, as
// the server's 0.5 and '7'::numeric read back); money is rounded to cents in the C locale's
// format ('1.999' -> '$2.00', '-1234.5' -> '-$1,234.50'). Returns `def` unchanged otherwise.
std::string FixLiteralDefault(const std::string& type, const std::string& def);

// Whether `opclass` is the default operator class of `method` for a column of `type`
// (format_type spelling): pg_get_indexdef leaves those out, so the model does too.
bool IsDefaultOpclass(const std::string& method, const std::string& type, std::string opclass);

// An expression in sql::CanonicalExpr form, as a default (`is_default`) or anywhere else.
Result<std::string> CanonicalOrError(const sql::Node* expr, bool is_default,
                                     const sql::ExprHints* hints = nullptr);

// A collation's name as the model keeps it: qualified unless in pg_catalog or public (as the
// server's regcollation output, which pg/ reads back).
std::string CollationName(const std::vector<std::string>& parts);

// Name PostgreSQL gives an unnamed output column or index column computed by `expr`
// (FigureColname); "" when it would say "?column?".
std::string FigureColname(const sql::Node* expr);

// Replaces identifier `from` by `to` in canonical SQL text, outside string literals.
std::string ReplaceIdentifier(const std::string& sql, const std::string& from,
                              const std::string& to);

// True when canonical SQL text mentions identifier `ident` outside string literals.
bool MentionsIdentifier(const std::string& sql, const std::string& ident);

std::string Upper(std::string s);

// Whether `name` is one of PostgreSQL's built-in trigger functions in pg_catalog
// (tsvector_update_trigger, suppress_redundant_updates_trigger, ...).
bool IsBuiltinTriggerFunction(const std::string& name);

// Every RangeVar a query reads (for View::relations), and the names of its CTEs.
void CollectNode(const sql::Node* n, std::vector<const PgQuery__RangeVar*>& out,
                 std::set<std::string>& ctes);

// The privileges ALL stands for on an object of `kind` (column-level: table privileges
// a column can have).
std::vector<std::string> AllPrivileges(ObjectKind kind, bool column_level);

}  // namespace dbarch::catalog
