// What indexes cost the workload's writes. PostgreSQL's planner prices a statement's reads
// but not the index entries an INSERT or UPDATE must add, so the advisor adds that cost
// itself, in the planner's own units, from the planner's own formulas:
//
// - Entry cost: one B-tree (or hash) entry is priced as one descent to a leaf page the way
//   btcostestimate prices a single-row probe: random_page_cost for the leaf, 50 ·
//   cpu_operator_cost per level descended, log2(rows) comparisons at cpu_operator_cost,
//   plus cpu_index_tuple_cost. A GIN entry (trigram, jsonb keys, lexemes) counts
//   kGinEntriesPerRow of those; a BRIN entry only updates its range summary
//   (cpu_operator_cost).
// - INSERT: every index of the table gets one entry per inserted row.
// - UPDATE: PostgreSQL updates HOT (no index entry at all) unless an index covers an
//   assigned column; then every index of the table gets an entry per row. So one new index
//   on an updated column makes all existing indexes pay too.
// - DELETE: no index work at delete time; VACUUM later visits every index to remove the
//   entries, charged as cpu_index_tuple_cost + cpu_operator_cost per row and index.
//
// Rows per statement come from the planner (the ModifyTable's input estimate). The model is
// an estimate like the planner's own costs: `dbarch advise --verify` measures the reads;
// writes are not measured (docs/advise.md).
//
// Pure functions apart from the two that read the server; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "advisor/candidates.h"
#include "advisor/explain.h"
#include "advisor/whatif.h"
#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// One workload statement that writes.
struct WriteLoad {
  std::string query;  // the workload query's name
  double weight = 1;  // its workload weight
  WriteTarget target;
  double rows = 0;  // rows written per execution (planner estimate)
};

// An index that exists on the server, reduced to what write costs need.
struct MaintainedIndex {
  std::string name;
  std::string method;                // "btree", "gin", ...
  std::vector<std::string> columns;  // every column it covers: keys, INCLUDE, expressions,
                                     // predicate (what decides whether an UPDATE stays HOT)
};

struct WriteCostModel {
  // Planner settings of the server (SHOW).
  double random_page_cost = 4;
  double cpu_operator_cost = 0.0025;
  double cpu_index_tuple_cost = 0.005;
  // pg_class.reltuples per table (the index's entries); missing or < 1 counts as 1,000.
  std::map<catalog::QualifiedName, double> table_rows;
  // Existing indexes per table.
  std::map<catalog::QualifiedName, std::vector<MaintainedIndex>> existing;
};

// Entries a GIN index adds per row, as a multiple of one B-tree entry's cost: a trigram
// index gets one entry per distinct trigram, batched by the pending list (fastupdate).
inline constexpr double kGinEntriesPerRow = 4;

// Reads the cost settings, reltuples and existing indexes (with the columns each covers)
// from the server. Errors: kConnection / kInvalidArgument from the server.
Result<WriteCostModel> LoadWriteCostModel(pg::Connection& conn);

// Rows the statement writes per execution: EXPLAIN it the way the what-if session does
// (explain.h: sample params or a generic plan, setup and teardown; never executed) and read
// the ModifyTable's input estimate. Errors from the server (kInvalidArgument for a rejected
// statement).
Result<double> EstimateWrittenRows(pg::Connection& conn, const workload::Query& query,
                                   const ExplainMode& mode = {});

// The planner-unit cost of one entry in `index` on a table of `rows` rows.
double IndexEntryCost(const IndexDef& index, double rows, const WriteCostModel& model);

// Σ over `loads` of weight · rows · the index work the statement causes when the existing
// indexes plus `config` exist.
double WriteCost(const std::vector<IndexDef>& config, const std::vector<WriteLoad>& loads,
                 const WriteCostModel& model);

// Every column `index` covers: keys, columns its expressions read, INCLUDE, predicate.
std::vector<std::string> CoveredColumns(const IndexDef& index);

}  // namespace dbarch::advisor
