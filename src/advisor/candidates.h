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
// Not (yet) indexable here: LIKE prefixes (need text_pattern_ops or the C collation),
// expressions (lower(x), extract(...)), IS NOT NULL, <>, NOT IN.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
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

struct IndexableColumn {
  catalog::QualifiedName table;
  std::string column;
  uint32_t uses = 0;  // ColumnUse bits

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
// range / sort). Sorted by Key(), unique. max_width < 1 gives nothing.
std::vector<IndexDef> CandidateIndexes(const QueryColumns& columns, int max_width);

// Lower-case names of the uses in `uses` ("eq,range,join"), for tests and reports.
std::string ColumnUseNames(uint32_t uses);

}  // namespace dbarch::advisor
