// Migration helpers shared by the migration-family lint rules: the lock-level table (for each
// statement kind and ALTER TABLE subcommand, the lock PostgreSQL takes on which tables and
// whether it rewrites the table, scans it or only changes the catalog), column-type change
// classification (binary-coercible and typmod-widening changes need no rewrite), expression
// volatility (for ADD COLUMN defaults), and small naming/transaction helpers.
//
// Sources for the table: PostgreSQL 15 documentation, "13.3.1 Table-Level Locks" and the
// reference pages of ALTER TABLE, CREATE INDEX, REINDEX, CLUSTER, VACUUM, TRUNCATE, DROP
// INDEX; tablecmds.c AlterTableGetLockLevel() and ATColumnChangeRequiresRewrite().
//
// Used by the rules in lint/rules/ that concern locking and rewriting. Pure functions over the
// parse tree and a catalog; thread-safe.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.h"
#include "lint/rule.h"
#include "lint/rule_util.h"
#include "sql/ast.h"

namespace dbarch::lint {

// Table lock modes, weakest to strongest, numbered like the server's LOCKMODE (so a LOCK
// TABLE statement's mode maps directly).
enum class LockMode : int {
  kNone = 0,
  kAccessShare = 1,
  kRowShare = 2,
  kRowExclusive = 3,
  kShareUpdateExclusive = 4,
  kShare = 5,
  kShareRowExclusive = 6,
  kExclusive = 7,
  kAccessExclusive = 8,
};

// "ACCESS EXCLUSIVE", "SHARE", ... ("" for kNone).
const char* LockModeName(LockMode mode);
// What the lock blocks in other sessions: "blocks reads and writes" (ACCESS EXCLUSIVE),
// "blocks writes" (SHARE and stronger), "blocks DDL and VACUUM" (SHARE UPDATE EXCLUSIVE),
// "" for weaker modes.
const char* LockBlocks(LockMode mode);
// True for SHARE and stronger: ordinary INSERT/UPDATE/DELETE wait behind it.
bool BlocksWrites(LockMode mode);

// What a statement does to a table's data, cheapest first.
enum class TableWork {
  kMetadata = 0,  // catalog change only
  kScan,          // reads every row (validation) while holding the lock
  kIndexBuild,    // reads every row and builds an index
  kRewrite,       // writes a new copy of the table (and rebuilds its indexes)
  kTruncate,      // empties it
  kDrop,          // drops it
};

// One table a statement locks.
struct TableLock {
  catalog::QualifiedName table;  // resolved; as written (schema "public") when unknown
  LockMode lock = LockMode::kNone;
  TableWork work = TableWork::kMetadata;
  // Why the work is needed, e.g. `column "total" changes type from integer to bigint`;
  // "" when the work is plain (metadata changes, drops).
  std::string why;
  int location = -1;  // byte offset of the relevant clause; -1 = the statement
};

// Every table lock `stmt` takes, one entry per table (strongest lock and most expensive work
// of its subcommands), in the order the statement names them. Tables unknown to `catalog`
// are included with the name as written; the catalog refines the answer (column types, NOT
// NULL state, validated CHECK constraints, foreign keys, partitions, domains) when it knows
// the table. Statements that lock no table (SELECT, CREATE TABLE of a new table without
// references, GRANT...) give an empty list. `target_version` is the PostgreSQL major version.
std::vector<TableLock> StatementLocks(const catalog::Catalog& catalog, const sql::Node* stmt,
                                      int target_version);

// The message fragment for a lock: `takes ACCESS EXCLUSIVE lock on "orders" (blocks reads and
// writes) and rewrites it (column "total" changes type from integer to bigint)`.
std::string DescribeLock(const TableLock& lock);

// --- column types

// A type split into base name, modifiers and array flag, in format_type() spelling
// ("character varying", {"20"}, false).
struct TypeSpec {
  std::string base;
  std::vector<std::string> mods;
  bool array = false;
  std::string Text() const;  // "character varying(20)[]"
};
// The spec of a catalog column type string ("numeric(12,2)", "text[]", "app.mood").
TypeSpec ParseTypeSpec(std::string_view catalog_type);
// The spec of a type name in the parse tree (built-in aliases resolved: int4 -> integer,
// varchar -> character varying, timestamptz -> timestamp with time zone...).
TypeSpec TypeSpecOf(const PgQuery__TypeName* type_name);

// Cost of ALTER COLUMN ... TYPE.
struct TypeChange {
  TableWork work = TableWork::kRewrite;  // kMetadata, kScan or kRewrite
  std::string new_type;                  // format_type-like spelling
  std::string note;                      // extra advice ("" when none)
};
// Classifies changing column `old_column` (null when unknown: then anything but a no-op
// counts as a rewrite) to the type of `def` (an AT_AlterColumnType ColumnDef; its
// raw_default is the USING expression).
TypeChange ClassifyTypeChange(const catalog::Catalog& catalog, const catalog::Column* old_column,
                              const PgQuery__ColumnDef* def, int target_version);

// --- ADD COLUMN

// The parts of a column definition that decide what ADD COLUMN costs.
struct ColumnDefInfo {
  const sql::Node* default_expr = nullptr;  // DEFAULT, null when absent or DEFAULT NULL
  int default_location = -1;
  bool not_null = false;  // NOT NULL or PRIMARY KEY
  bool primary_key = false;
  bool unique = false;
  bool identity = false;  // GENERATED ... AS IDENTITY
  bool generated_stored = false;
  int generated_location = -1;
  std::string serial;                               // "serial" | "bigserial" | "smallserial" | ""
  const PgQuery__Constraint* check = nullptr;       // first column CHECK
  const PgQuery__Constraint* references = nullptr;  // REFERENCES
  const PgQuery__Constraint* key = nullptr;         // PRIMARY KEY or UNIQUE
};
ColumnDefInfo DescribeColumnDef(const PgQuery__ColumnDef* def);

// --- expression volatility

enum class Volatility { kImmutable = 0, kStable = 1, kUnknown = 2, kVolatile = 3 };
struct ExprVolatility {
  Volatility volatility = Volatility::kImmutable;
  std::string function;  // the function that decided it ("" for constants)
  int location = -1;
};
// The most volatile function `expr` calls: built-ins from a known list, functions from
// `catalog` by their declared volatility, anything else kUnknown.
ExprVolatility VolatilityOf(const catalog::Catalog& catalog, const sql::Node* expr);

// --- naming

// `"orders"`: the identifier in double quotes, for messages.
std::string Quoted(std::string_view ident);
// `"orders"` for public tables, `"app.orders"` otherwise.
std::string TableLabel(const catalog::QualifiedName& name);
// `orders` / `app.orders` as SQL (quoted as needed), for fix text.
std::string SqlName(const catalog::QualifiedName& name);
// The name a RangeVar means when the catalog does not know it (schema "public" if none).
catalog::QualifiedName NameAsWritten(const PgQuery__RangeVar* rv);

// --- the table a statement works on

struct TargetTable {
  catalog::QualifiedName name;
  const catalog::Table* table = nullptr;  // null when the catalog does not know it
  bool existing = false;                  // see IsPreexistingTable
};
// True when the linted input so far knows tables that this file did not create (a --schema
// baseline or earlier files): then an unknown table is unknown-object's business, not ours.
bool SchemaIsKnown(const StatementContext& ctx);
// True when `name` existed before this file: a table of the catalog that this file did not
// create, or, when no schema is known, any table this file did not create (ALTER TABLE on it
// means it exists on the server).
bool IsPreexistingTable(const StatementContext& ctx, const catalog::QualifiedName& name);
// Resolves the table a RangeVar names.
TargetTable ResolveTarget(const StatementContext& ctx, const PgQuery__RangeVar* rv);

// The statement as ALTER TABLE (not ALTER INDEX/VIEW/...) with at least one subcommand of
// the kinds `subtypes`, on a table that existed before the file, with the table in `target`;
// null otherwise. (The subcommand filter comes first: resolving the table is the costly part.)
const PgQuery__AlterTableStmt* AlterOfExistingTable(
    const StatementContext& ctx, TargetTable* target,
    std::initializer_list<PgQuery__AlterTableType> subtypes);
// The subcommands of an ALTER TABLE.
std::vector<const PgQuery__AlterTableCmd*> AlterCommands(const PgQuery__AlterTableStmt* s);

// The standalone index named by `parts` ({"idx"} or {"schema", "idx"}), or null.
const catalog::Index* FindIndex(const catalog::Catalog& catalog,
                                const std::vector<std::string>& parts);
// Number of indexes (standalone and constraint-backed) of `table` with column `column` as a key.
int IndexesOnColumn(const catalog::Catalog& catalog, const catalog::Table& table,
                    const std::string& column);
// Tables with a foreign key to `table` (other than itself), sorted.
std::vector<catalog::QualifiedName> ReferencingTables(const catalog::Catalog& catalog,
                                                      const catalog::QualifiedName& table);
// Partitions of `table` (direct children), sorted.
std::vector<catalog::QualifiedName> Partitions(const catalog::Catalog& catalog,
                                               const catalog::QualifiedName& table);
// True when `table` has a validated CHECK (column IS NOT NULL) constraint.
bool HasValidatedNotNullCheck(const catalog::Table& table, const std::string& column);

// For file rules (which see only the catalog before the file): which tables existed before
// the file. Walk the statements in order and call Apply() after looking at each one.
class FileTables {
 public:
  explicit FileTables(const FileContext& ctx);
  // Records the relations a statement creates (CREATE TABLE, CREATE TABLE AS, CREATE
  // SEQUENCE, CREATE VIEW, renames of tables created here).
  void Apply(const sql::Node* stmt);
  // The table a RangeVar names: resolved in the catalog before the file, else as written.
  catalog::QualifiedName Resolve(const PgQuery__RangeVar* rv) const;
  // True when `table` existed before the file (same policy as IsPreexistingTable).
  bool IsPreexisting(const catalog::QualifiedName& table) const;
  const catalog::Catalog& before() const { return *before_; }

 private:
  const catalog::Catalog* before_;
  std::set<catalog::QualifiedName> created_;
  bool schema_known_;
};

// --- transactions

enum class TxEffect { kNone, kBegin, kEnd, kSavepoint };
// What a statement does to the transaction state: BEGIN/START -> kBegin; COMMIT/ROLLBACK/
// END/ABORT (not ROLLBACK TO) -> kEnd; SAVEPOINT/RELEASE/ROLLBACK TO -> kSavepoint.
TxEffect TransactionEffect(const sql::Node* stmt);

// --- small parse-tree helpers

// "" for a null C string.
inline std::string_view Str(const char* s) { return s == nullptr ? std::string_view() : s; }
// True when the DefElem list holds an option named `name` (e.g. "concurrently", "full")
// that is not explicitly false.
bool HasOption(sql::NodeRange options, std::string_view name);
// Byte offset of the first case-insensitive whole-word `word` in `text` at or after `from`,
// skipping string literals and quoted identifiers; npos when absent.
size_t FindKeyword(std::string_view text, std::string_view word, size_t from = 0);

// --- fix text

// SQL text of an expression node, or `fallback` when it cannot be deparsed.
std::string ExprSql(const sql::Node* expr, std::string_view fallback = "...");
// The text inside the first balanced parentheses after whole-word `keyword` at or after
// byte `from` of `text` (e.g. the expression of CHECK (...)); "" when there is none.
std::string ParenthesizedAfter(std::string_view text, size_t from, std::string_view keyword);
// The name PostgreSQL would give a constraint or index: <table>_<columns>_<suffix>, cut to
// 63 bytes; `columns` may be empty.
std::string ObjectName(const std::string& table, const std::vector<std::string>& columns,
                       std::string_view suffix);
// `text` with `insert` placed right after the first whole-word `keyword` (and after any of
// `then`, when they follow it directly), e.g. "CREATE INDEX x" + CONCURRENTLY; `text`
// unchanged when the keyword is absent.
std::string InsertAfterKeyword(std::string_view text, std::string_view keyword,
                               std::string_view insert,
                               const std::vector<std::string_view>& then = {});
// The low-lock way to make `column` NOT NULL, as SQL lines: ADD CONSTRAINT ... CHECK
// (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, and on PostgreSQL 12+ SET NOT NULL
// (which then skips its scan) and DROP CONSTRAINT. `existing_check` names an unvalidated
// IS NOT NULL check to reuse ("" = add one).
std::string NotNullRecipe(const catalog::QualifiedName& table, const std::string& column,
                          int target_version, const std::string& existing_check = "");
// The name of an unvalidated CHECK (column IS NOT NULL) constraint of `table`, or "".
std::string UnvalidatedNotNullCheck(const catalog::Table& table, const std::string& column);
// The names of a list of String nodes, as SQL identifiers joined by ", ".
std::string ColumnList(sql::NodeRange names);

}  // namespace dbarch::lint
