// Query analysis shared by the query and security lint rules: small predicates over
// expression trees (constants, operators, locations, conjuncts) and QueryAnalyzer, which walks
// a statement's query levels (SELECT / INSERT / UPDATE / DELETE, nested subqueries and CTEs)
// with the name scopes PostgreSQL's parser would build: FROM items (tables, views, CTEs,
// subqueries with their output columns, functions, joins), outer scopes for correlated and
// lateral references, output-column aliases where ORDER BY / GROUP BY may use them.
//
// Used by rules in lint/rules/; the analyzer is the basis of unknown-relation and
// unknown-column, and gives the other rules column -> table resolution. Resolution is
// deliberately conservative: anything dbarch cannot see (functions in FROM, system catalogs,
// relations created outside the model) makes a scope "open", and names looked up through an
// open scope are kUnsure, never reported. Pure functions and per-call objects; thread-safe
// as long as each thread uses its own QueryAnalyzer.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"
#include "lint/rule.h"
#include "sql/ast.h"

namespace dbarch::lint {

// ---- expressions --------------------------------------------------------------------------

// The operator of an A_Expr ("=", "<>", "~~", "->>"): the last element of its name; "" if none.
std::string_view OperatorName(const PgQuery__AExpr* e);
// The unqualified, lower-case-as-parsed name of a function call ("lower", "date_trunc").
std::string_view FuncName(const PgQuery__FuncCall* f);
// A NULL literal, possibly under a cast (NULL::int).
bool IsNullConst(const sql::Node* n);
// True when `n` is built only from literals, parameters and SQL value functions, through
// casts, operators, lists, arrays, COALESCE and plain function calls (lower('A'),
// now() - interval '1 day'): no column reference, subquery, aggregate or window call.
bool IsConstant(const sql::Node* n);
// The smallest known source offset in the subtree of `n` (the start of the expression as
// written, close enough for reporting); -1 when none is known.
int StartLocation(const sql::Node* n);
// Appends the AND-ed conjuncts of `where` (itself when it is not an AND).
void Conjuncts(const sql::Node* where, std::vector<const sql::Node*>& out);
// Calls fn for `root` and every node below it in the same query level: it does not descend
// into subqueries (SubLink subselects, SelectStmt). Return false to skip a node's children.
void WalkLevelExpr(const sql::Node* root, const std::function<bool(const sql::Node*)>& fn);
// SQL text of an expression, or `fallback` when it cannot be deparsed. Simple expressions
// (columns, literals, parameters, casts, calls, binary operators) are rendered directly;
// anything else goes through sql::DeparseExpr, which is much slower (protobuf round trip).
std::string DeparseOr(const sql::Node* expr, std::string_view fallback);
// The column name a target-list entry gets when it has no alias (PostgreSQL's FigureColname):
// "" when PostgreSQL would call it "?column?".
std::string_view FigureColname(const sql::Node* n);

// ---- statements and text ----------------------------------------------------------------

// True when name checks (unknown-relation, unknown-column) may run: a schema is known and has
// at least one table or view. (StatementContext::has_schema alone also turns true after a
// query file's first statement, which the catalog builder accepts as an unmodelled object.)
bool SchemaKnown(const StatementContext& ctx);
// The query a statement runs: the statement itself for SELECT / INSERT / UPDATE / DELETE, the
// inner query of EXPLAIN, CREATE VIEW, CREATE [MATERIALIZED VIEW | TABLE] AS, PREPARE,
// DECLARE and COPY (query); null for anything else.
const sql::Node* QueryOf(const sql::Node* stmt);
// "orders" for public.orders, else "schema.name"; unquoted, for messages.
std::string DisplayName(const catalog::QualifiedName& q);
// Offset of the first `needle` (ASCII, matched case-insensitively, at a word boundary) in
// `text` at parenthesis depth 0 and outside quotes; npos when absent.
size_t FindTopLevel(std::string_view text, std::string_view needle);
// The deparsed text of SELECT `select` with its target list replaced by `targets`
// ("SELECT 1 FROM ... WHERE ..."); "" when it cannot be derived (WITH, set operations).
std::string WithTargetList(const sql::Node* select, std::string_view targets);
// Canonical text (sql::CanonicalExpr) of an expression with the qualifiers of its column
// references removed, comparable with catalog index expressions; "" on failure.
std::string UnqualifiedCanonical(const sql::Node* expr);
// SQL text of an expression with the qualifiers of its column references removed (for DDL
// suggestions such as an expression index); UnqualifiedCanonical when not simple.
std::string UnqualifiedText(const sql::Node* expr);
// True when an index of `table` (standalone, or behind a PRIMARY KEY / UNIQUE / EXCLUDE
// constraint) has `column` as its first key.
bool HasIndexLeadingWith(const catalog::Catalog& catalog, const catalog::Table& table,
                         std::string_view column);

// The lower-case words of an identifier, split at non-alphanumerics and camelCase humps:
// "apiKey" -> {api, key}, "password_hash" -> {password, hash}.
std::vector<std::string> IdentifierWords(std::string_view name);
// True when `columns` (the columns a query fixes to one value each) cover all key columns of a
// PRIMARY KEY / UNIQUE constraint or a unique, non-partial index of `table`: at most one row.
bool CoversUniqueKey(const catalog::Catalog& catalog, const catalog::Table& table,
                     const std::vector<std::string_view>& columns);
// True when `text` contains `needle` (lower-case ASCII), ignoring ASCII case. No allocation.
bool ContainsNoCase(std::string_view text, std::string_view needle);

// ---- scopes -------------------------------------------------------------------------------

// Output columns of a query; `open` when they cannot all be known. Names point into the
// parse tree, the catalog or static storage: valid while those are.
struct Columns {
  std::vector<std::string_view> names;
  bool open = false;
};

// One FROM item of a query level.
struct RangeItem {
  std::string_view name;    // reference name: alias, or relation / CTE / function name
  std::string_view schema;  // the relation's schema when not aliased (schema.table.col refs)
  const catalog::Table* table = nullptr;
  const catalog::View* view = nullptr;
  const catalog::Sequence* sequence = nullptr;
  // Column names when they are not the table's / view's own (CTEs, subqueries, renaming
  // aliases, join aliases); `use_columns` says which.
  std::vector<std::string_view> columns;
  bool use_columns = false;
  bool open = false;  // its columns are unknown: any name may be one of them
  bool is_cte = false;
  const PgQuery__RangeVar* range_var = nullptr;  // set for relations and CTE references
  size_t top = 0;  // index of the top-level FROM entry it belongs to (joins share one)
  int location = -1;

  bool HasColumn(std::string_view column) const;
  // The table column `column` names (through a renaming alias), or null.
  const catalog::Column* TableColumn(std::string_view column) const;
  // Appends every known column name.
  void AppendColumns(std::vector<std::string_view>& out) const;
};

// The FROM items of one query level and the enclosing levels (correlated references).
struct Scope {
  std::vector<RangeItem> items;
  const Scope* parent = nullptr;
};

// WITH-clause names visible at a point, innermost first through `parent`.
struct CteFrame {
  struct Def {
    std::string_view name;
    Columns columns;
  };
  std::vector<Def> defs;
  const CteFrame* parent = nullptr;
  const Def* Find(std::string_view name) const;
};

enum class ColumnStatus {
  kFound,           // a column (or whole-row / output alias) of a visible item
  kUnsure,          // cannot tell (open items, function-call notation, 4-part names)
  kNoSuchColumn,    // no visible item has it (`item` is set when the reference was qualified)
  kNoSuchQualifier  // the qualifier names no visible FROM item
};

struct ColumnResolution {
  ColumnStatus status = ColumnStatus::kUnsure;
  const RangeItem* item = nullptr;  // kFound: the item holding it (null for an output alias)
  bool whole_row = false;           // kFound: the name is a FROM item used as a row value
};

// Resolves a ColumnRef as PostgreSQL would in `scope` (then its parents). `output_names` are
// the level's output-column names when the reference stands in ORDER BY / GROUP BY /
// DISTINCT ON (null elsewhere). `catalog` is consulted for functional notation (t.f = f(t)).
ColumnResolution ResolveColumnRef(const Scope& scope, const PgQuery__ColumnRef* ref,
                                  const std::vector<std::string_view>* output_names,
                                  const catalog::Catalog* catalog);

// The table item (with known columns) a ColumnRef refers to at the innermost level that has it,
// and the catalog column, or {null, null} when unknown.
struct TableColumnRef {
  const RangeItem* item = nullptr;
  const catalog::Column* column = nullptr;
};
TableColumnRef FindTableColumn(const Scope& scope, const PgQuery__ColumnRef* ref);

// ---- the analyzer -------------------------------------------------------------------------

enum class LevelKind { kSelect, kInsert, kUpdate, kDelete };

// One query level as the analyzer reaches it, with its FROM scope built.
struct Level {
  LevelKind kind = LevelKind::kSelect;
  const PgQuery__SelectStmt* select = nullptr;
  const PgQuery__InsertStmt* insert = nullptr;
  const PgQuery__UpdateStmt* update = nullptr;
  const PgQuery__DeleteStmt* del = nullptr;
  const Scope* scope = nullptr;
  const CteFrame* ctes = nullptr;
};

// The predicates of a level that decide which rows are read: its WHERE and the ON conditions
// of its joins (not those of subqueries, which are levels of their own).
std::vector<const sql::Node*> LevelPredicates(const Level& level);

class QueryAnalyzer {
 public:
  struct Hooks {
    // Every query level (set-operation branches and VALUES lists are not levels).
    std::function<void(const Level&)> level;
    // A FROM / DML-target relation that matches no table, view, sequence, CTE or relation
    // created outside the model; `suggestion` is the closest known name ("" if none).
    std::function<void(const PgQuery__RangeVar*, const std::string& suggestion)> unknown_relation;
    // Every ColumnRef in an expression, with how it resolved.
    std::function<void(const PgQuery__ColumnRef*, const ColumnResolution&, const Scope&)> column;
    // An INSERT column list / UPDATE SET / ON CONFLICT column that the target table lacks.
    std::function<void(const RangeItem& target, std::string_view column, int location)>
        unknown_target_column;
  };

  // `catalog` must outlive the analyzer.
  QueryAnalyzer(const catalog::Catalog& catalog, Hooks hooks);

  // Analyzes one top-level statement: queries, DML, and the queries inside EXPLAIN, CREATE
  // VIEW / MATERIALIZED VIEW / TABLE AS, PREPARE, DECLARE and COPY (query). Other statements
  // (and MERGE) are ignored. Unknown relations in CREATE VIEW / MATERIALIZED VIEW are not
  // reported (the catalog builder reports them as unknown-object).
  void Run(const sql::Node* stmt);

  // The scope of a SELECT level (its FROM items, parent `outer`), built without calling
  // any hook; for rules that look into a subquery from the level above.
  Scope BuildScope(const PgQuery__SelectStmt* select, const Scope* outer, const CteFrame* ctes);

 private:
  // Each analyzes one query level (and those below it); the output columns are computed only
  // when `want_columns` (FROM subqueries and CTEs need them, nothing else does).
  Columns Stmt(const sql::Node* n, const Scope* outer, const CteFrame* ctes, bool want_columns);
  Columns Select(const PgQuery__SelectStmt* s, const Scope* outer, const CteFrame* ctes,
                 bool want_columns);
  Columns Insert(const PgQuery__InsertStmt* s, const Scope* outer, const CteFrame* ctes,
                 bool want_columns);
  Columns Update(const PgQuery__UpdateStmt* s, const Scope* outer, const CteFrame* ctes,
                 bool want_columns);
  Columns Delete(const PgQuery__DeleteStmt* s, const Scope* outer, const CteFrame* ctes,
                 bool want_columns);
  const CteFrame* With(const PgQuery__WithClause* w, const Scope* outer, const CteFrame* ctes,
                       CteFrame& frame);
  void AddFrom(const sql::Node* f, size_t top, Scope& scope, const CteFrame* ctes);
  RangeItem RelationItem(const PgQuery__RangeVar* rv, const CteFrame* ctes);
  void Expr(const sql::Node* n, const Scope* scope, const CteFrame* ctes,
            const std::vector<std::string_view>* output_names);
  void Exprs(sql::NodeRange list, const Scope* scope, const CteFrame* ctes,
             const std::vector<std::string_view>* output_names);
  void CheckTargetColumn(const RangeItem& target, std::string_view column, int location);
  Columns Returning(sql::NodeRange list, const Scope* scope, const CteFrame* ctes,
                    bool want_columns);
  bool KnownOutsideModel(const PgQuery__RangeVar* rv) const;
  std::string SuggestRelation(const PgQuery__RangeVar* rv, const CteFrame* ctes) const;

  const catalog::Catalog& catalog_;
  Hooks hooks_;
  int silent_ = 0;  // > 0: building scopes for a rule; no hooks, no checks
  bool report_relations_ = true;
};

}  // namespace dbarch::lint
