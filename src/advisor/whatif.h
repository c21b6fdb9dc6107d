// What-if costing with HypoPG: a WhatIfSession asks PostgreSQL's planner what a query would
// cost if a given set of indexes existed, without building them. Indexes are HypoPG
// hypothetical indexes (backend-local, nothing is written to the catalog), sizes come from
// hypopg_relation_size, costs from the root "Total Cost" of EXPLAIN (FORMAT JSON).
//
// Used by advisor/search.h (and later by `dbarch advise`). The session borrows a
// pg::Connection for its lifetime and owns the hypothetical indexes it creates in that
// backend; Close() (or the destructor) removes them with hypopg_reset().
//
// Costs are cached by (query, the configuration's indexes relevant to it: on tables the
// query reads, optionally also holding a column it mentions): other indexes cannot change
// the plan, so configurations that differ only there share one
// EXPLAIN. stats() counts the EXPLAINs actually sent.
//
// HypoPG 1.3 (the Debian package for PG 15) has no hypopg_hide_index, so the session makes a
// configuration visible by dropping the hypothetical indexes of the query's tables that are
// not in it and creating the missing ones (indexes of other tables stay, for reuse). HypoPG
// hands out index oids from a fixed range of unused catalog oids: measured on this PG 15.18
// build, a backend holds at most 2,828 live hypothetical indexes, and the oid of a dropped
// one is reused, so only live indexes count. Before the session would hold more than
// options.max_live_indexes it resets HypoPG and recreates what the next EXPLAIN needs.
//
// Thread-safety: one thread at a time (like the connection it borrows).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "advisor/explain.h"
#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// A B-tree index to cost: key columns in order plus optional INCLUDE columns. Names are
// unquoted catalog names (quoted when rendered).
struct IndexDef {
  catalog::QualifiedName table;
  std::vector<std::string> columns;  // key columns, in order; at least one
  std::vector<std::string> include;  // INCLUDE columns; may be empty

  // Identity for caches and sets: "schema.table(a,b)" or "schema.table(a,b) include(c)".
  std::string Key() const;
  // "CREATE INDEX ON schema.table (a, b) INCLUDE (c)" with identifiers quoted.
  std::string CreateSql() const;
  // The width: number of key columns.
  size_t width() const { return columns.size(); }
  auto operator<=>(const IndexDef&) const = default;
  bool operator==(const IndexDef&) const = default;
};

struct WhatIfOptions {
  // Hypothetical indexes alive in the backend at most; the session resets HypoPG before
  // creating one more. Must stay below HypoPG's own per-backend limit (2,828 live indexes
  // measured with HypoPG 1.3.1 on PG 15; a server with more catalog objects has fewer).
  int max_live_indexes = 2000;
  // Run CREATE EXTENSION IF NOT EXISTS hypopg when Open() finds no hypopg. Only for
  // sandboxes: on a live server the extension must already be installed.
  bool create_extension = true;
  // How each EXPLAIN runs a query's setup statements and generic plans (explain.h): on a
  // live server setup runs in a transaction that is always rolled back.
  ExplainMode explain;
};

// Counters since Open(); times in milliseconds of client wall clock.
struct WhatIfStats {
  int64_t explain_calls = 0;    // EXPLAINs sent (cost cache misses)
  int64_t cost_cache_hits = 0;  // Cost() answered from the cache
  int64_t size_calls = 0;       // hypopg_relation_size calls sent
  int64_t index_creates = 0;    // hypopg_create_index calls
  int64_t index_drops = 0;      // hypothetical indexes dropped (batched per statement)
  int64_t resets = 0;           // hypopg_reset() calls (limit reached, or Reset())
  double explain_ms = 0;        // time in EXPLAIN (including setup/teardown statements)
  double index_ms = 0;          // time creating/dropping/sizing hypothetical indexes
};

class WhatIfSession {
 public:
  // Starts a session on `conn` (borrowed; must outlive the session and not be used by others
  // meanwhile): makes sure hypopg is available (creating the extension when
  // options.create_extension), then hypopg_reset(). Errors: kNotFound when hypopg is not
  // installed (and may not be created), kConnection / kInvalidArgument from the server.
  static Result<WhatIfSession> Open(pg::Connection& conn, const WhatIfOptions& options = {});

  WhatIfSession(WhatIfSession&& other) noexcept;
  WhatIfSession& operator=(WhatIfSession&& other) noexcept;
  WhatIfSession(const WhatIfSession&) = delete;
  WhatIfSession& operator=(const WhatIfSession&) = delete;
  // Close(), ignoring its error.
  ~WhatIfSession();

  // Registers a query for Cost(); returns its id (0, 1, ... in call order). `tables` are the
  // relations it reads (from ExtractIndexableColumns); empty means unknown, so every index
  // counts as relevant. `columns`, when not empty, narrows relevance further: an index
  // matters only when one of its key or INCLUDE columns is among these (table, column)
  // pairs, the columns the query mentions (QueryColumns::referenced). A B-tree whose columns
  // the query never mentions can serve it only as an index-only full scan for count(*),
  // which is ignored; note that PostgreSQL does use non-leading key columns (a full index
  // scan with an index condition on the second column), so relevance is not "leading
  // column only". The query's setup statements run before each EXPLAIN and its teardown
  // statements after it (TPC-H q15's view); its params bind $1..$n.
  int AddQuery(const workload::Query& query, std::vector<catalog::QualifiedName> tables,
               std::vector<std::pair<catalog::QualifiedName, std::string>> columns = {});

  // The planner's total cost of query `query_id` if exactly the hypothetical indexes of
  // `indexes` that are on the query's tables existed (order and duplicates do not matter).
  // Requires: query_id came from AddQuery. Errors: kInvalidArgument when the server rejects
  // the query or an index definition (unknown column...), kConnection.
  Result<double> Cost(int query_id, const std::vector<IndexDef>& indexes);

  // The estimated size in bytes of `index` (hypopg_relation_size), cached per index.
  Result<int64_t> IndexSizeBytes(const IndexDef& index);

  // hypopg_reset(): forgets every hypothetical index in the backend. Caches stay valid.
  Status Reset();
  // Reset(), then the session holds no indexes; later calls fail with kInvalidArgument.
  Status Close();

  const WhatIfStats& stats() const { return stats_; }
  // Hypothetical indexes currently alive in the backend.
  size_t live_indexes() const { return live_.size(); }

 private:
  struct QueryEntry {
    workload::Query query;
    std::vector<catalog::QualifiedName> tables;  // sorted, unique; empty = all
    std::vector<std::pair<catalog::QualifiedName, std::string>> columns;  // sorted; empty = all
  };
  struct LiveIndex {
    IndexDef def;
    int64_t oid = 0;
  };

  WhatIfSession(pg::Connection* conn, const WhatIfOptions& options);
  bool Touches(const QueryEntry& q, const catalog::QualifiedName& table) const;
  bool IsRelevant(const QueryEntry& q, const IndexDef& index) const;
  // Makes exactly `wanted` (sorted by Key, on the query's tables) the visible indexes of
  // those tables.
  Status MakeVisible(const QueryEntry& q, const std::vector<const IndexDef*>& wanted);
  Result<int64_t> Create(const IndexDef& index);
  Status DropOids(const std::vector<int64_t>& oids);
  Result<double> Explain(const QueryEntry& q);

  pg::Connection* conn_ = nullptr;  // borrowed; null once closed or moved from
  WhatIfOptions options_;
  std::vector<QueryEntry> queries_;
  std::map<std::string, LiveIndex> live_;                // by IndexDef::Key()
  std::unordered_map<std::string, double> cost_cache_;   // "<query id>|<key>;<key>..."
  std::unordered_map<std::string, int64_t> size_cache_;  // by IndexDef::Key()
  WhatIfStats stats_;
};

// The root "Total Cost" of the text EXPLAIN (FORMAT JSON) returns. kInvalidArgument when it
// is not such a plan.
Result<double> TotalCostFromExplainJson(std::string_view json);

}  // namespace dbarch::advisor
