// Indexable columns and candidate indexes of one query. ExtractIndexableColumns walks the
// query's parse tree level by level (FROM items, WHERE / JOIN ON / HAVING, GROUP BY,
// ORDER BY, subqueries in FROM and in expressions, CTEs, and the SELECTs of CREATE VIEW setup
// statements such as TPC-H q15's) and resolves column references against the catalog
// through the FROM scopes (aliases, correlated references to outer levels). CandidateIndexes
// turns the result into B-tree candidates for the search (advisor/search.h).
//
// Resolution is conservative: a column that cannot be tied to exactly one catalog table
// (unknown relation, subquery or view output, JOIN ... USING column, ambiguous name) is
// ignored, never guessed. Unqualified names resolve only against search_path "public".
//
// Besides plain columns it records, per table: expressions of one table's columns compared
// with a constant or parameter (lower(email) = lower($1): expression index candidates),
// constant conditions that hold for every row the query reads (status = 'active',
// x IS NULL, x IS NOT NULL, a boolean column: partial index candidates), ORDER BY
// directions (mirrored in the candidate's key), and GIN targets: LIKE / ILIKE with a
// pattern that does not start with a literal prefix (pg_trgm gin_trgm_ops), jsonb @>
// (jsonb_path_ops), array @> / && (array_ops), and to_tsvector(...) @@ (an expression
// GIN). Not indexable here: LIKE prefixes (need text_pattern_ops or the C collation), <>,
// NOT IN.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "advisor/whatif.h"
#include "base/status.h"
#include "catalog/model.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// How a column is used; a column may have several uses (a bit set of these).
enum class ColumnUse : uint32_t {
  kEquality = 1u << 0,  // col = constant / parameter / outer reference
  kRange = 1u << 1,     // col < > <= >= expr, BETWEEN
  kIn = 1u << 2,        // col IN (list), col = ANY (...)
  kIsNull = 1u << 3,    // col IS NULL
  kJoin = 1u << 4,      // col = other_table.col, IN (subquery), correlated equality
  kGroupBy = 1u << 5,
  kOrderBy = 1u << 6,
};

// How an ORDER BY key is sorted, as written.
struct SortOrder {
  bool descending = false;
  NullsOrder nulls = NullsOrder::kDefault;
  auto operator<=>(const SortOrder&) const = default;
  bool operator==(const SortOrder&) const = default;
};

struct IndexableColumn {
  catalog::QualifiedName table;
  std::string column;
  uint32_t uses = 0;  // ColumnUse bits
  SortOrder order;    // with kOrderBy: the direction of its first ORDER BY

  bool Has(ColumnUse use) const { return (uses & static_cast<uint32_t>(use)) != 0; }
  // Equality, IN, IS NULL or join: usable as a leading key column that later key columns
  // can still narrow.
  bool IsEqualityLike() const;
  auto operator<=>(const IndexableColumn&) const = default;
  bool operator==(const IndexableColumn&) const = default;
};

// What a workload INSERT / UPDATE / DELETE writes: every index on `table` may cost
// maintenance (advisor/writes.h).
enum class WriteKind { kInsert, kUpdate, kDelete };

struct WriteTarget {
  catalog::QualifiedName table;
  WriteKind kind = WriteKind::kInsert;
  // UPDATE: the assigned columns, sorted and unique (whether the update can stay HOT).
  std::vector<std::string> set_columns;
};

// An expression of one table's columns compared with a constant or parameter
// (lower(email) = lower($1)): key is an expression IndexKey (canonical text, columns).
struct IndexableExpression {
  catalog::QualifiedName table;
  IndexKey key;
  uint32_t uses = 0;  // kEquality, kRange, kIn
  auto operator<=>(const IndexableExpression&) const = default;
  bool operator==(const IndexableExpression&) const = default;
};

// A condition on one table that every row the query reads from it satisfies (a top-level
// AND conjunct of WHERE / JOIN ON): column = constant, IS [NOT] NULL, a boolean column or
// its NOT. `sql` is canonical text without qualifiers ("status = 'active'").
struct ConstantPredicate {
  catalog::QualifiedName table;
  std::string sql;
  std::string column;  // the column it tests
  // `column = literal`: the literal is a sample of a parameter unless the column is
  // categorical (CandidateOptions::categorical_max_distinct). IS NULL and boolean tests
  // name a class of rows by their form.
  bool equality = false;
  auto operator<=>(const ConstantPredicate&) const = default;
  bool operator==(const ConstantPredicate&) const = default;
};

// A column searched by a literal prefix (`LIKE 'abc%'`, `~ '^abc'`): a B-tree range, but
// under a collation other than C only with the type's pattern operator class.
struct PrefixSearch {
  catalog::QualifiedName table;
  std::string column;
  std::string pattern_opclass;  // text_pattern_ops, varchar_pattern_ops or bpchar_pattern_ops
  bool column_collation_is_c = false;  // COLLATE "C" / "POSIX" on the column itself
  auto operator<=>(const PrefixSearch&) const = default;
  bool operator==(const PrefixSearch&) const = default;
};

// What only a GIN index serves: the key (a column with an operator class, or an
// to_tsvector expression) and why ("trigram", "jsonb containment", "array", "full text").
struct GinTarget {
  catalog::QualifiedName table;
  IndexKey key;
  std::string why;
  auto operator<=>(const GinTarget&) const = default;
  bool operator==(const GinTarget&) const = default;
};

// `ORDER BY ... LIMIT n` whose sort keys are all plain columns of one table: an index with
// the query's equality columns first and then these keys in the query's direction returns
// the first n rows without a sort, however many rows the equality value matches.
struct TopNSort {
  catalog::QualifiedName table;
  std::vector<std::pair<std::string, SortOrder>> keys;  // ORDER BY order
  auto operator<=>(const TopNSort&) const = default;
  bool operator==(const TopNSort&) const = default;
};

struct QueryColumns {
  // Catalog tables the query (or its setup views) reads; sorted, unique.
  std::vector<catalog::QualifiedName> tables;
  // Sorted by (table, column), one entry per column with its uses or-ed together.
  std::vector<IndexableColumn> columns;
  // Every catalog column the query mentions anywhere (select list, aggregates, expressions,
  // predicates), sorted and unique: what a covering index could carry.
  std::vector<std::pair<catalog::QualifiedName, std::string>> referenced;
  // Set when the timed statement is an INSERT, UPDATE or DELETE. `tables` then holds the
  // relations it reads (the target of UPDATE / DELETE, the FROM / USING items, an INSERT's
  // SELECT); an INSERT ... VALUES reads none.
  std::optional<WriteTarget> write;
  std::vector<IndexableExpression> expressions;  // sorted, unique (uses or-ed together)
  std::vector<ConstantPredicate> predicates;     // sorted, unique
  std::vector<GinTarget> gin;                    // sorted, unique
  std::vector<PrefixSearch> prefixes;            // sorted, unique
  std::vector<TopNSort> top_n;                   // sorted, unique
  bool grouped = false;  // some SELECT of the query has a GROUP BY (a report)
};

// Physical statistics of one column for BRIN candidates (from pg_stats / pg_class).
struct ColumnPhysicalStats {
  double correlation = 0;  // pg_stats.correlation: physical vs logical order, -1..1
  double table_rows = 0;   // reltuples of the table (of its partitions when partitioned)
  double table_pages = 0;  // relpages likewise
  // pg_stats.n_distinct: > 0 a count of distinct values, < 0 minus their fraction of the
  // rows, 0 not known.
  double n_distinct = 0;
  double avg_width = 0;  // pg_stats.avg_width in bytes; 0 not known
};

struct CandidateOptions {
  // Widest key (B-tree); < 1 gives no candidate at all.
  int max_width = 2;
  // Per (table, column): physical statistics. A column used with a range whose
  // |correlation| exceeds brin_min_correlation on a table with at least brin_min_rows
  // rows or brin_min_pages pages also gets a BRIN candidate. Empty: no BRIN candidates.
  std::map<std::pair<catalog::QualifiedName, std::string>, ColumnPhysicalStats> physical;
  double brin_min_correlation = 0.9;
  double brin_min_rows = 100'000;
  double brin_min_pages = 1'000;
  // A `column = literal` of a query gives partial candidates only when the column has at
  // most this many distinct values (pg_stats through `physical`): a status or a type names a
  // class of rows, while a literal on a high-cardinality column is a sample value of a
  // parameter and such an index would serve that one value. Key-like columns (primary key,
  // unique, foreign key) never give one, with or without statistics.
  double categorical_max_distinct = 100;
  // Whether the database's default collation is C or POSIX: then a plain B-tree serves a
  // prefix search; otherwise the key needs the pattern operator class.
  bool default_collation_is_c = false;
  // A column looked up by equality only (no range, sort, IN or join) whose values average at
  // least this many bytes (pg_stats) also gets a hash candidate: a hash index stores a
  // 4-byte hash per row whatever the key's width, so on long keys (tokens, URLs, digests)
  // it is smaller than the B-tree and as fast for `=`. The search keeps the cheaper one.
  double hash_min_avg_width = 24;
};

// The tables and indexable columns of `query` (its SELECT, or the reads of its INSERT /
// UPDATE / DELETE, and the SELECTs of CREATE VIEW statements among its setup). Errors:
// kParseError when a statement does not parse (with the query's span), kNotSupported when
// the timed statement is none of those, or writes a table the catalog does not have.
Result<QueryColumns> ExtractIndexableColumns(const workload::Query& query,
                                             const catalog::Catalog& catalog);

// Candidate indexes for one query: every indexable column alone, and ordered multi-column
// keys of width 2..max_width on one table whose leading columns are all equality-like
// (IsEqualityLike) and whose last column is any indexable column (equality first, then
// range / sort). A key column the query sorts by takes the ORDER BY's direction, so the
// index delivers the order literally. An indexable expression is a key like a column (alone
// or after equality columns). For each constant predicate of a table, the same keys built
// from the table's other columns and expressions, WHERE that predicate (partial indexes).
// For a top-N sort (`WHERE e = $1 ORDER BY s DESC LIMIT n`, TopNSort) with equality columns
// on its table: the key of all those columns (by name, up to max_width less the sort keys)
// followed by the sort keys with their direction and NULLS order, `(e, s DESC)`; the keys it
// makes redundant for that query are left out: its strict prefixes of equality columns alone,
// which read every row of the value and sort them (slow exactly for the frequent values), and
// the sort keys alone, which walk the whole order filtering on e (slow for the rare values).
// Each GIN target gives a GIN index on its key; each range column with a high physical
// correlation on a large table (options.physical) a BRIN index. Sorted by Key(), unique.
std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns,
                                       const CandidateOptions& options);
// CandidateIndexes with only max_width set.
std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns, int max_width);

// Lower-case names of the uses in `uses` ("eq,range,join"), for tests and reports.
std::string ColumnUseNames(uint32_t uses);

}  // namespace dbarch::advisor
