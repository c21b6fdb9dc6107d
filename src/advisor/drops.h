// Existing indexes worth dropping: exact duplicates, B-trees whose keys are a prefix of
// another B-tree's, and indexes no plan of the workload uses. Each proposal carries the
// DROP INDEX CONCURRENTLY statement, its rollback (the server's own pg_get_indexdef, built
// CONCURRENTLY), the index's size and the reason. Indexes that back a PRIMARY KEY, UNIQUE or
// exclusion constraint, that a foreign key depends on, or that are the table's replica
// identity are never proposed; when such an index is redundant it is listed as kept, with
// the reason. Used by `dbarch advise` (cli/advise.cc).
//
// Only indexes of ordinary tables and materialized views outside the system schemas are
// read; partitioned indexes and the partitions' indexes attached to them are left out
// (PostgreSQL 15 cannot drop either CONCURRENTLY, nor the latter alone).
//
// Thread-safety: functions taking a connection use it exclusively; the rest are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "advisor/explain.h"
#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// One index as the server has it.
struct ExistingIndex {
  int64_t oid = 0;
  catalog::QualifiedName table;  // unquoted
  std::string name;              // unquoted; in the table's schema
  std::string method;            // "btree", "gin"...
  std::string definition;        // pg_get_indexdef(oid)
  // Per column (keys, then INCLUDE columns): pg_get_indexdef(oid, k, true), i.e. the column
  // name or the expression.
  std::vector<std::string> columns;
  // Per column: the same text plus operator class, collation and sort option, so that two
  // columns compare equal only when an index scan treats them alike.
  std::vector<std::string> signature;
  int key_columns = 0;    // indnkeyatts; columns beyond are INCLUDE columns
  std::string predicate;  // pg_get_expr(indpred); "" for a full index
  bool unique = false;
  bool valid = false;  // indisvalid and indisready
  bool replica_identity = false;
  bool clustered = false;
  std::string constraint;  // PRIMARY KEY / UNIQUE / EXCLUDE constraint it backs; "" if none
  std::string referencing_foreign_key;  // a foreign key that depends on it; "" if none
  int64_t size_bytes = 0;               // pg_relation_size
  int64_t idx_scan = 0;                 // pg_stat_all_indexes.idx_scan

  // "schema.name", quoted as needed.
  std::string QualifiedName() const;
  // Why it must not be dropped ("backs constraint ..."), "" when nothing protects it.
  std::string Protection() const;
};

enum class DropKind { kDuplicate, kPrefix, kUnused };
// "duplicate", "prefix", "unused" (stable: JSON values).
const char* DropKindName(DropKind kind);

struct DropProposal {
  ExistingIndex index;
  DropKind kind = DropKind::kDuplicate;
  std::string reason;               // one line, names the covering index or the evidence
  std::string covered_by;           // the index that serves instead (quoted name); "" for kUnused
  int64_t covered_by_oid = 0;       // its oid; 0 for kUnused
  std::string note;                 // a caveat (CLUSTER index...); "" when none
  std::string DropSql() const;      // DROP INDEX CONCURRENTLY schema.name
  std::string RollbackSql() const;  // CREATE [UNIQUE] INDEX CONCURRENTLY ... (pg_get_indexdef)
};

// A redundant or unused index that is not proposed, and why.
struct KeptIndex {
  ExistingIndex index;
  DropKind kind = DropKind::kDuplicate;
  std::string reason;
};

struct DropAnalysis {
  std::vector<DropProposal> drops;  // by table, then index name
  std::vector<KeptIndex> kept;      // by table, then index name
};

// The indexes of the database `conn` is connected to, by schema, table and name. Errors:
// kConnection / kInvalidArgument from the server.
Result<std::vector<ExistingIndex>> ReadExistingIndexes(pg::Connection& conn);

// Duplicates and prefix-redundant B-trees among `indexes` (valid ones only). Duplicates: same
// table, method, columns with operator classes, collations and options, INCLUDE columns and
// predicate; the one kept is, in order, the one that is protected, UNIQUE, the replica
// identity or CLUSTER index, the most scanned, the oldest. Prefix: a non-UNIQUE B-tree whose
// key columns are the leading key columns of another valid B-tree with the same predicate
// and whose INCLUDE columns that index also holds. Pure.
DropAnalysis FindRedundantIndexes(const std::vector<ExistingIndex>& indexes);

// A workload query whose plan the unused check reads, with the tables it reads (empty:
// unknown, e.g. a statement the candidate extraction does not analyse).
struct PlannedQuery {
  const workload::Query* query = nullptr;  // borrowed
  std::vector<catalog::QualifiedName> tables;
};

struct UnusedOptions {
  ExplainMode explain;
  // Sandbox (needs a superuser session that may write): confirm each index no plan names by
  // hiding it (UPDATE pg_index SET indisvalid = false inside a transaction that is rolled
  // back) and re-costing the queries on its table; kept when a cost rises by more than
  // 0.1 % (a uniqueness proof or expression statistics the plan does not name).
  bool confirm_by_hiding = false;
  // Live server: also require pg_stat_all_indexes.idx_scan = 0.
  bool require_no_scans = false;
};

struct UnusedResult {
  std::vector<DropProposal> drops;
  std::vector<KeptIndex> kept;
  // Why the check did not run ("EXPLAIN of query ... failed: ..."); "" when it ran.
  std::string not_checked;
};

// Indexes of `indexes` on tables the workload reads (a query with known tables) that no
// plan of `queries` uses, skipping the oids in `already_proposed`, protected and UNIQUE
// indexes. Every query is EXPLAINed once as the server stands; a query that cannot be
// explained disables the check (not_checked says why) rather than risk a false "unused". A
// plan that uses a proposed index counts as using the index that covers it.
// Errors: kConnection, or a server error while hiding an index.
Result<UnusedResult> FindUnusedIndexes(pg::Connection& conn,
                                       const std::vector<ExistingIndex>& indexes,
                                       const std::vector<PlannedQuery>& queries,
                                       const std::vector<DropProposal>& already_proposed,
                                       const UnusedOptions& options);

}  // namespace dbarch::advisor
