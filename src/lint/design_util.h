// Helpers shared by the design-family lint rules (rules/*.cc with Family::kDesign): which
// tables a catalog rule checks, quoting for messages, type-name classification (domains
// resolved), column-name tokens, CHECK/FK lookups, a per-table view of every index (standalone
// indexes plus the indexes behind PRIMARY KEY / UNIQUE / EXCLUDE constraints), English
// singular/plural guesses and a light identifier scanner. Pure functions and immutable
// lookups built from one Catalog; thread-safe for concurrent readers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "lint/rule.h"

namespace dbarch::lint::design {

// ---------------------------------------------------------------------------------------
// Which tables catalog rules look at.

// True when the design rules check `table`: it is defined in the linted input (its CREATE
// TABLE is in a linted file, not in the --schema/--dsn baseline) and it is not a partition
// (partitions share the parent's columns, keys and indexes; findings go to the parent).
bool IsCheckedTable(const CatalogContext& ctx, const catalog::Table& table);

// Where a column, constraint or index of `table` was defined: its own origin (the column
// definition, the constraint clause, the CREATE INDEX) when the builder recorded one, else
// the table's statement (columns of CREATE TABLE ... OF type, objects read from a server).
const catalog::Origin& OriginOf(const catalog::Table& table, const catalog::Origin& part);

// True when a part of `table` (a column, constraint or index with origin `part`) is checked:
// the table is not a partition and the part was defined in the linted input: in the table's
// CREATE TABLE, or later by ALTER TABLE / CREATE INDEX in a linted file, also on a table of
// the --schema/--dsn baseline.
bool IsCheckedPart(const CatalogContext& ctx, const catalog::Table& table,
                   const catalog::Origin& part);

// For each checked column (IsCheckedPart) that `pred` accepts, calls fn(table, column), tables
// in name order and columns in table order. Each finding then sits on its own column
// definition.
void ForEachTableColumns(
    const CatalogContext& ctx,
    const std::function<bool(const catalog::Table&, const catalog::Column&)>& pred,
    const std::function<void(const catalog::Table&, const catalog::Column&)>& fn);

// ---------------------------------------------------------------------------------------
// Spelling identifiers.

// A relation for messages: ShortName() inside double quotes ("core.orders", "orders"); a name
// that ShortName already quotes is returned as is (core."Order").
std::string Rel(const catalog::QualifiedName& name);
// An identifier for messages: "amount" (always double-quoted, never doubly).
std::string Ident(std::string_view ident);
// An identifier for SQL: QuoteIdent().
std::string Sql(std::string_view ident);
// `column "a"` / `columns "a" and "b"` / `columns "a", "b" and "c"`.
std::string ColumnPhrase(const std::vector<std::string_view>& columns);
// `column "a" of "t" is` / `columns "a" and "b" of "t" are`.
std::string ColumnsSubject(const std::vector<const catalog::Column*>& columns,
                           const catalog::QualifiedName& table);
// The declared type shared by all `columns`, or `generic` when they differ.
std::string CommonType(const std::vector<const catalog::Column*>& columns, std::string_view generic);
// ALTER TABLE t ALTER COLUMN a <clause(a)>, ALTER COLUMN b <clause(b)>; (one clause per line
// when there are several).
std::string AlterColumnsSql(const catalog::QualifiedName& table,
                            const std::vector<const catalog::Column*>& columns,
                            const std::function<std::string(const catalog::Column&)>& clause);
// "a, b" with each name quoted for SQL.
std::string SqlList(const std::vector<std::string>& columns);

// ---------------------------------------------------------------------------------------
// Types (format_type() spellings, see catalog/model.h).

// The domain `type` names (a "schema.name" or "name" spelling), or null when it is not a
// domain of the catalog.
const catalog::Type* FindDomain(const catalog::Catalog& catalog, std::string_view type);
// `type` with domains replaced by their base type (domains of domains followed).
std::string_view ResolveDomains(const catalog::Catalog& catalog, std::string_view type);
// `type` without type modifiers: "character varying(20)" -> "character varying",
// "timestamp(3) without time zone" -> "timestamp without time zone"; arrays keep "[]".
std::string StripTypmod(std::string_view type);
// The typmod text of `type` ("20" for "character varying(20)"), "" when none.
std::string_view Typmod(std::string_view type);
bool IsArrayType(std::string_view type);
// integer, smallint, bigint.
bool IsIntegerType(std::string_view type);
// text, character varying[(n)], citext: free-form strings (not char(n), not arrays).
bool IsTextLike(std::string_view type);
// Largest value of an integer type (smallint, integer, bigint); 0 for others.
long long IntegerTypeMax(std::string_view type);

// ---------------------------------------------------------------------------------------
// Names.

// The '_'-separated words of `name` ("order_items" -> {"order", "items"}), in order.
std::vector<std::string_view> NameTokens(std::string_view name);
// The last '_'-separated word of `name` ("shipping_address_id" -> "id").
std::string_view LastToken(std::string_view name);

// Grammatical number of an English noun by the simple plural rules; kUnknown for words that
// are the same in both or uncountable (data, series, staff, news...), collection nouns that
// name one table in either convention (log, history, queue, ledger...), and words the rules
// cannot tell (non-ASCII, fewer than 3 letters).
enum class Number { kSingular, kPlural, kUnknown };
Number WordNumber(std::string_view word);
// "category" -> "categories", "box" -> "boxes", "order" -> "orders", "person" -> "people".
std::string Pluralize(std::string_view word);
// "categories" -> "category", "boxes" -> "box", "orders" -> "order", "people" -> "person".
std::string Singularize(std::string_view word);
// `name` with its last word replaced by `word` ("order_item" + "items" -> "order_items").
std::string ReplaceLastToken(std::string_view name, std::string_view word);

// ---------------------------------------------------------------------------------------
// Columns and constraints.

// True when canonical expression `expr` mentions `column` as an identifier (outside string
// literals; bare or double-quoted).
bool ExprMentions(std::string_view expr, std::string_view column);
// True when some CHECK constraint of `table` mentions `column`.
bool HasCheckOn(const catalog::Table& table, std::string_view column);
// True when `column` is one of the local columns of a FOREIGN KEY of `table`.
bool IsForeignKeyColumn(const catalog::Table& table, std::string_view column);
// The table's PRIMARY KEY constraint, or null.
const catalog::Constraint* PrimaryKey(const catalog::Table& table);

// The sequences owned by columns (OWNED BY: serial and identity sequences), by table and
// column. Build once per CheckCatalog call, when needed.
class OwnedSequences {
 public:
  explicit OwnedSequences(const catalog::Catalog& catalog);
  // The sequence owned by `table`.`column`, or null.
  const catalog::QualifiedName* Find(const catalog::QualifiedName& table,
                                     std::string_view column) const;

 private:
  struct Entry {
    const catalog::QualifiedName* table;
    std::string_view column;
    const catalog::QualifiedName* sequence;
  };
  std::vector<Entry> entries_;  // sorted by table, column
};

// ---------------------------------------------------------------------------------------
// Indexes.

// One key element of an index, borrowed from the catalog.
struct KeyView {
  std::string_view column;      // "" for an expression key
  std::string_view expression;  // "" for a column key
  std::string_view collation;
  std::string_view opclass;
  bool descending = false;
  bool nulls_first = false;
  const std::vector<std::pair<std::string, std::string>>* opclass_params = nullptr;
};
// Same column or expression, collation, operator class (and parameters) and order.
bool SameKey(const KeyView& a, const KeyView& b);

// An index of a table: a standalone index or the one behind a PRIMARY KEY, UNIQUE or
// EXCLUDE constraint. Borrows from the catalog; valid while it lives.
struct IndexRef {
  const catalog::Index* index = nullptr;            // set for a standalone index
  const catalog::Constraint* constraint = nullptr;  // set for a constraint-backed index

  std::string_view name() const;
  // Where it was defined: the CREATE INDEX, or the constraint clause.
  const catalog::Origin& origin() const;
  std::string_view method() const;
  bool unique() const;
  bool nulls_not_distinct() const;
  bool primary_key() const;
  std::string_view predicate() const;
  const std::vector<std::string>& include() const;
  size_t size() const;  // number of key elements
  KeyView key(size_t i) const;
  // "(a, b)" for messages and SQL: plain columns quoted as SQL, expressions in parentheses,
  // then " INCLUDE (c)" when there are INCLUDE columns.
  std::string KeyText() const;
  // "index "x"" or "primary key "x"" / "unique constraint "x"" / "exclusion constraint "x"".
  std::string Describe() const;
  // The SQL that drops it: DROP INDEX CONCURRENTLY, or ALTER TABLE ... DROP CONSTRAINT.
  std::string DropSql(const catalog::QualifiedName& table) const;
};

// Same method, keys, predicate and INCLUDE columns (the uniqueness may differ).
bool SameDefinition(const IndexRef& a, const IndexRef& b);
// True when the first a.size() keys of `b` equal the keys of `a` and b has more keys.
bool IsStrictKeyPrefix(const IndexRef& a, const IndexRef& b);

// Every index of every table, grouped by table. Build once per CheckCatalog call.
class IndexLookup {
 public:
  explicit IndexLookup(const catalog::Catalog& catalog);
  // The indexes of `table` in `out` (cleared first): its PRIMARY KEY, UNIQUE and EXCLUDE
  // constraints in constraint order, then its standalone indexes by name.
  void Get(const catalog::Table& table, std::vector<IndexRef>& out) const;

 private:
  std::vector<std::pair<const catalog::QualifiedName*, const catalog::Index*>> by_table_;
};

// True when `indexes` (of one table) hold a UNIQUE constraint or a unique index that is not
// partial; primary keys are not counted.
bool HasUniqueKey(const std::vector<IndexRef>& indexes);
// SQL that gives `table` (which has no primary key) one: ADD PRIMARY KEY (id) when it has an
// "id" column, else a new bigint identity column.
std::string AddPrimaryKeySql(const catalog::Table& table);

// A name for a new index on `table` over `columns`, as PostgreSQL would choose it
// (table_col1_col2_idx), made unique among the relations of the table's schema.
std::string ChooseIndexName(const catalog::Catalog& catalog, const catalog::QualifiedName& table,
                            const std::vector<std::string>& columns);
// CREATE INDEX CONCURRENTLY <name> ON <table> (<columns>); a partitioned table (where
// CONCURRENTLY is not allowed) gets the plain form with a note.
std::string CreateIndexSql(const catalog::Catalog& catalog, const catalog::Table& table,
                           const std::vector<std::string>& columns);

// ---------------------------------------------------------------------------------------
// Source text.

// Calls fn(offset, text, quoted) for every identifier token of SQL `text` (keywords
// included): bare words, and "quoted identifiers" given as the text between the quotes with
// any doubled quote ("") left as written; skips comments, string literals ('...', E'...')
// and dollar-quoted bodies. `offset` is the byte offset of the token's first character.
void ScanIdentifiers(std::string_view text,
                     const std::function<void(size_t offset, std::string_view ident, bool quoted)>& fn);

}  // namespace dbarch::lint::design
