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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "advisor/explain.h"
#include "base/status.h"
#include "catalog/model.h"
#include "pg/connection.h"
#include "workload/workload.h"

namespace dbarch::advisor {

// How an index is stored (CREATE INDEX ... USING <method>). HypoPG 1.3.1 simulates btree,
// hash and brin (and bloom); gin and gist can only be costed by building them for real
// (WhatIfOptions::build_unsimulated, sandboxes only).
enum class IndexMethod { kBtree, kHash, kBrin, kGin, kGist };

// "btree", "hash", "brin", "gin", "gist".
const char* IndexMethodName(IndexMethod method);

// NULLS FIRST / LAST written in a key; kDefault is the direction's default (LAST for ASC,
// FIRST for DESC). A key that spells out the default uses kDefault, so equal orders compare
// equal.
enum class NullsOrder { kDefault, kFirst, kLast };

// One key element of an index: a column or an expression, with its sort order and operator
// class.
struct IndexKey {
  std::string column;      // a plain column (unquoted catalog name); empty for an expression
  std::string expression;  // canonical SQL text of an expression key, without the outer
                           // parentheses the DDL needs; empty for a column
  std::vector<std::string> expression_columns;  // columns `expression` reads; sorted, unique
  bool descending = false;
  NullsOrder nulls = NullsOrder::kDefault;
  std::string opclass;  // operator class (gin_trgm_ops, jsonb_path_ops...); empty: default

  static IndexKey Column(std::string name, bool descending = false,
                         NullsOrder nulls = NullsOrder::kDefault);
  static IndexKey Expression(std::string sql, std::vector<std::string> columns);
  bool IsExpression() const { return column.empty(); }
  // Identity text: "a", "b desc", "(lower(email))", "title gin_trgm_ops".
  std::string Text() const;
  // DDL text with identifiers quoted: "\"a\"", "b DESC", "(lower(email))",
  // "title gin_trgm_ops".
  std::string Sql() const;
  auto operator<=>(const IndexKey&) const = default;
  bool operator==(const IndexKey&) const = default;
};

// An index to cost: access method, key elements in order, optional INCLUDE columns and an
// optional partial-index predicate. Names are unquoted catalog names (quoted when
// rendered); expressions and the predicate are canonical SQL text of the table's columns
// (sql/expr_normalizer.h), written without table qualifiers.
struct IndexDef {
  catalog::QualifiedName table;
  std::vector<IndexKey> keys;        // in order; at least one
  std::vector<std::string> include;  // INCLUDE columns; may be empty
  IndexMethod method = IndexMethod::kBtree;
  std::string predicate;                       // WHERE of a partial index; empty: none
  std::vector<std::string> predicate_columns;  // columns `predicate` reads; sorted, unique

  // A B-tree on plain ascending columns: the common case.
  static IndexDef OnColumns(catalog::QualifiedName table, std::vector<std::string> columns);

  // Identity for caches and sets, unique per definition: "schema.table(a,b)" for a plain
  // B-tree (the format before other kinds existed, so plain keys sort as they did), in
  // general "schema.table using gin(title gin_trgm_ops) include(c) where(status = 'x')".
  std::string Key() const;
  // "CREATE INDEX [name] ON schema.table [USING method] (keys) [INCLUDE (c)] [WHERE pred]"
  // with identifiers quoted; USING is left out for btree. `name` empty: no name.
  std::string CreateSql(std::string_view name = {}) const;
  // The width: number of key elements.
  size_t width() const { return keys.size(); }
  // True when every key is a plain ascending column without operator class, on a btree
  // without predicate: the only kind earlier code knew.
  bool IsPlainBtree() const;
  // True when HypoPG 1.3.1 can simulate it (btree, hash, brin).
  bool IsHypotheticalSupported() const;
  // The columns of key elements (plain and read by expressions) and of INCLUDE, in order
  // of appearance, unique.
  std::vector<std::string> Columns() const;
  // The extension the index needs besides the core server ("pg_trgm" for a trigram
  // operator class); empty for none.
  std::string RequiredExtension() const;
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
  // The server is a disposable sandbox: an index HypoPG cannot simulate (gin, gist) is
  // built for real with CREATE INDEX (once, with any extension its operator class needs,
  // CREATE EXTENSION IF NOT EXISTS), and shown or hidden per configuration by setting
  // pg_index.indisvalid (the planner skips invalid indexes; needs a superuser). Close()
  // drops these indexes. false: Cost() and IndexSizeBytes() refuse such an index with
  // kNotSupported ("not verifiable without a sandbox").
  bool build_unsimulated = false;
  // Size B-tree, hash and BRIN indexes with advisor/size_model.h (catalog, pg_stats, the
  // layout CREATE INDEX writes) instead of hypopg_relation_size, which ignores B-tree
  // deduplication and NULLs (measured up to 8x too large); HypoPG's figure is kept
  // (HypoPGSizeBytes) and used where the model has no statistics to work from.
  bool size_model = true;
  // Send a cost cache miss to the server in one round trip: dropping the hypothetical
  // indexes the configuration does not hold, creating the ones it lacks and the EXPLAIN, as
  // one multi-statement query (pg::Connection::ExecEach), for a query that needs nothing
  // else around its EXPLAIN (advisor/explain.h: StandaloneExplainSql). false: one statement
  // per step (three round trips for a typical miss). The costs are the same either way.
  bool one_round_trip = true;
  // SET jit = off for the session's lifetime (the setting before is restored by Close()).
  // JIT never changes a plan or its cost (the planner decides it after costing), but
  // EXPLAIN still starts the executor, which generates the JIT code of every plan above
  // jit_above_cost: measured on TPC-H SF0.1, 0.69-0.76 ms of server CPU per EXPLAIN with
  // it, 0.45-0.48 ms without (3 of 21 plans had JIT).
  bool disable_jit = true;
};

// Counters since Open(); times in milliseconds of client wall clock.
struct WhatIfStats {
  int64_t explain_calls = 0;    // EXPLAINs sent (cost cache misses)
  int64_t cost_cache_hits = 0;  // Cost() answered from the cache
  int64_t size_calls = 0;       // hypopg_relation_size calls sent
  int64_t index_creates = 0;    // hypopg_create_index calls
  int64_t index_drops = 0;      // hypothetical indexes dropped (batched per statement)
  int64_t resets = 0;           // hypopg_reset() calls (limit reached, or Reset())
  int64_t real_builds = 0;      // real indexes built (build_unsimulated)
  int64_t real_toggles = 0;     // UPDATEs of pg_index.indisvalid showing/hiding them
  double explain_ms = 0;        // time in EXPLAIN (including setup/teardown statements, and
                                // the index changes sent in the same round trip)
  double index_ms = 0;          // time creating/dropping/sizing hypothetical indexes
  double real_build_ms = 0;     // time building real indexes
};

class SizeStatsCache;  // size_model.h

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
  // the query or an index definition (unknown column, a function in an index expression
  // that is not IMMUTABLE...), kNotSupported for an index HypoPG cannot simulate when
  // options.build_unsimulated is false, kConnection.
  Result<double> Cost(int query_id, const std::vector<IndexDef>& indexes);

  // The estimated size in bytes of `index`, cached per index: the size model's
  // (options.size_model, advisor/size_model.h) when it has the statistics, else
  // hypopg_relation_size; pg_relation_size of a really built one. Creates the index, so it
  // also tells whether the server accepts the definition. Errors as Cost().
  Result<int64_t> IndexSizeBytes(const IndexDef& index);

  // hypopg_relation_size of `index` (pg_relation_size of a really built one) once
  // IndexSizeBytes sized it; nullopt before.
  std::optional<int64_t> HypoPGSizeBytes(const IndexDef& index) const;

  // Whether this session can cost `index`: HypoPG simulates it, or the session may build it.
  bool CanCost(const IndexDef& index) const;

  // hypopg_reset(): forgets every hypothetical index in the backend (real ones stay). Caches
  // stay valid.
  Status Reset();
  // Reset() and drops the real indexes built; then the session holds no indexes, later
  // calls fail with kInvalidArgument.
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
  // A really built index (build_unsimulated).
  struct RealIndex {
    IndexDef def;
    int64_t oid = 0;
    std::string name;  // schema-qualified, quoted
    bool valid = true;
  };

  WhatIfSession(pg::Connection* conn, const WhatIfOptions& options);
  bool Touches(const QueryEntry& q, const catalog::QualifiedName& table) const;
  bool IsRelevant(const QueryEntry& q, const IndexDef& index) const;
  // Makes exactly `wanted` (sorted by Key, on the query's tables) the visible indexes of
  // those tables.
  Status MakeVisible(const QueryEntry& q, const std::vector<const IndexDef*>& wanted);
  // Creates a hypothetical index; returns its oid, and with `hypopg_size` its
  // hypopg_relation_size (same round trip).
  Result<int64_t> Create(const IndexDef& index, int64_t* hypopg_size = nullptr);
  Result<RealIndex*> BuildReal(const IndexDef& index);
  // The summed HypoPG size of `index` (a BRIN) built on each leaf partition of its table;
  // nullopt when the table is not partitioned.
  Result<std::optional<int64_t>> PartitionedBrinSize(const IndexDef& index);
  // Splits `all_wanted` (sorted by Key) into the hypothetical ones (`wanted`, with their
  // keys) and the kinds HypoPG cannot make, built for real (their keys in `real_keys`).
  Status SplitWanted(const std::vector<const IndexDef*>& all_wanted,
                     std::vector<const IndexDef*>* wanted, std::vector<std::string>* wanted_keys,
                     std::vector<std::string>* real_keys);
  // Sets indisvalid of the real indexes on the query's tables: true exactly for `wanted`.
  Status ShowReal(const QueryEntry& q, const std::vector<std::string>& wanted_keys);
  Status DropOids(const std::vector<int64_t>& oids);
  Result<double> Explain(const QueryEntry& q);
  // MakeVisible and Explain in one round trip (WhatIfOptions::one_round_trip); nullopt when
  // the query or the configuration needs the step-by-step path, which is then taken from
  // a clean backend if the round trip failed.
  Result<std::optional<double>> ExplainInOneRoundTrip(
      const QueryEntry& q, const std::vector<const IndexDef*>& all_wanted);

  pg::Connection* conn_ = nullptr;  // borrowed; null once closed or moved from
  WhatIfOptions options_;
  std::string saved_jit_;  // the session's jit setting before Open() (disable_jit)
  std::vector<QueryEntry> queries_;
  std::map<std::string, LiveIndex> live_;                // by IndexDef::Key()
  std::map<std::string, RealIndex> real_;                // by IndexDef::Key()
  std::unordered_map<std::string, double> cost_cache_;   // "<query id>|<key>;<key>..."
  std::unordered_map<std::string, int64_t> size_cache_;  // by IndexDef::Key()
  std::unordered_map<std::string, int64_t> hypopg_size_cache_;  // by IndexDef::Key()
  // Table statistics for the size model, read once per table (size_model.h).
  std::shared_ptr<SizeStatsCache> size_stats_;
  WhatIfStats stats_;
};

// The root "Total Cost" of the text EXPLAIN (FORMAT JSON) returns. kInvalidArgument when it
// is not such a plan.
Result<double> TotalCostFromExplainJson(std::string_view json);

}  // namespace dbarch::advisor
