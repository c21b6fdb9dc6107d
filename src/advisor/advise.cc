// The `dbarch advise` pipeline (advise.h): what-if search on the target, naming, rationale,
// existing indexes to drop, and verification by measured runs on a disposable server.
#include "advisor/advise.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "advisor/candidates.h"
#include "advisor/drops.h"
#include "advisor/regression.h"
#include "advisor/search.h"
#include "advisor/writes.h"
#include "base/check.h"
#include "base/source_span.h"
#include "base/strings.h"
#include "measure/runner.h"
#include "pg/vacuum.h"
#include "sql/parser.h"

namespace dbarch::advisor {
namespace {

// PostgreSQL's identifier limit (NAMEDATALEN - 1 bytes).
constexpr size_t kMaxIdentifierBytes = 63;
// A query "is helped" by an index when the index alone lowers its estimated cost by more
// than this fraction; and --verify keeps an index only when a query using it got at least
// kMinMeasuredSpeedUp times faster.
constexpr double kMinCostGain = 0.001;
constexpr double kMinMeasuredSpeedUp = 1.1;
// --verify removes recommended indexes when a query is more than this many times slower than
// without the recommendations and, timed again side by side with them hidden, faster by the
// same factor (advisor/regression.h).
constexpr double kMaxMeasuredSlowdown = 1.1;
// ... and by at least this much per execution: below it, this machine's timing noise on
// sub-millisecond queries would decide.
constexpr double kMinRegressionMs = 0.5;
// A query measured slower is timed again this many times each way (with and without indexes),
// alternately, each side keeping its best time.
constexpr int kPairedRounds = 3;
// Searches in one verified run: the first, plus re-runs without the indexes removed for
// regressions.
constexpr int kMaxSearchRounds = 3;

// One analysed workload query.
struct Analysed {
  const workload::Query* query = nullptr;
  advisor::QueryColumns columns;
  int query_id = 0;  // WhatIfSession id
};

std::string UseText(const advisor::IndexableColumn& c) {
  using advisor::ColumnUse;
  if (c.Has(ColumnUse::kEquality) || c.Has(ColumnUse::kIn)) return "equality on " + c.column;
  if (c.Has(ColumnUse::kIsNull)) return "IS NULL on " + c.column;
  if (c.Has(ColumnUse::kJoin)) return "join on " + c.column;
  if (c.Has(ColumnUse::kRange)) return "range on " + c.column;
  if (c.Has(ColumnUse::kOrderBy)) return "sort on " + c.column;
  if (c.Has(ColumnUse::kGroupBy)) return "grouping on " + c.column;
  return "uses " + c.column;
}

// "equality on user_id, then sort on placed_at DESC for q 'order history'" from how the
// query that gains most uses each key element, plus what kind of index it is.
std::string Rationale(const advisor::IndexDef& index, const Analysed* top, size_t helped) {
  if (top == nullptr) return "lowers the estimated workload cost only together with the others";
  std::vector<std::string> parts;
  for (const advisor::IndexKey& k : index.keys) {
    std::string text;
    if (index.method == advisor::IndexMethod::kGin) {
      if (k.opclass == "gin_trgm_ops") {
        text = "trigram GIN (pg_trgm) for LIKE/ILIKE '%...%' on " + k.column;
      } else if (k.opclass == "jsonb_path_ops") {
        text = "GIN jsonb_path_ops for @> on " + k.column;
      } else if (k.IsExpression()) {
        text = "GIN for full-text @@ on " + k.expression;
      } else {
        text = "GIN for @> / && on " + k.column;
      }
    } else if (index.method == advisor::IndexMethod::kBrin) {
      text = "BRIN for the range on " + k.column +
             " (its values follow the physical row order: pg_stats correlation)";
    } else if (k.IsExpression()) {
      text = "covers expression " + k.expression;
      for (const advisor::IndexableExpression& x : top->columns.expressions) {
        if (x.table != index.table || x.key.expression != k.expression) continue;
        text =
            std::string((x.uses & static_cast<uint32_t>(advisor::ColumnUse::kRange)) != 0 &&
                                (x.uses & static_cast<uint32_t>(advisor::ColumnUse::kEquality)) == 0
                            ? "range"
                            : "equality") +
            " on expression " + k.expression + " (expression index)";
      }
    } else {
      text = "covers " + k.column;
      for (const advisor::IndexableColumn& c : top->columns.columns) {
        if (c.table == index.table && c.column == k.column) text = UseText(c);
      }
      if (k.descending) text += " DESC";
    }
    parts.push_back(std::move(text));
  }
  std::string out = Join(parts, ", then ");
  if (!index.predicate.empty()) out += "; partial: only rows WHERE " + index.predicate;
  if (!index.include.empty()) out += "; INCLUDE " + Join(index.include, ", ") + " (index-only)";
  out += " for q '" + top->query->name + "'";
  if (helped > 1) out += " (+" + std::to_string(helped - 1) + " more)";
  return out;
}

// The words of an expression's text, for a name: "lower(email)" -> "lower_email".
std::string NamePart(const advisor::IndexKey& k) {
  if (!k.IsExpression()) return k.column;
  std::string out;
  std::string word;
  bool quoted = false;
  auto flush = [&]() {
    if (word.empty()) return;
    if (!out.empty()) out += "_";
    out += word;
    word.clear();
  };
  for (char c : k.expression) {
    if (c == '\'') quoted = !quoted;
    if (!quoted && (std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return out.empty() ? "expr" : out;
}

// <table>_<key>_<key>[_trgm|_brin|...]_idx, cut to PostgreSQL's identifier limit, made
// unique against `taken` (relation names of the schema) by a numeric suffix.
}  // namespace

std::string IndexName(const advisor::IndexDef& index, std::set<std::string>& taken) {
  std::vector<std::string> parts;
  for (const advisor::IndexKey& k : index.keys) parts.push_back(NamePart(k));
  std::string base = index.table.name + "_" + Join(parts, "_");
  if (index.RequiredExtension() == "pg_trgm") {
    base += "_trgm";
  } else if (index.method != advisor::IndexMethod::kBtree) {
    base += std::string("_") + advisor::IndexMethodName(index.method);
  }
  std::string name;
  for (int n = 0;; ++n) {
    std::string suffix = n == 0 ? "_idx" : "_idx" + std::to_string(n);
    std::string head = base.substr(0, std::min(base.size(), kMaxIdentifierBytes - suffix.size()));
    name = head + suffix;
    if (taken.insert(index.table.schema + "." + name).second) break;
  }
  return name;
}

namespace {

// The statements that create `index` named `name`: CREATE EXTENSION for its operator class
// if needed, then CREATE INDEX [CONCURRENTLY].
std::vector<std::string> CreateStatements(const advisor::IndexDef& index, const std::string& name,
                                          bool concurrently) {
  std::vector<std::string> out;
  if (std::string ext = index.RequiredExtension(); !ext.empty()) {
    out.push_back("CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(ext));
  }
  std::string sql = index.CreateSql(name);
  if (concurrently) sql.insert(std::string("CREATE INDEX").size(), " CONCURRENTLY");
  out.push_back(std::move(sql));
  return out;
}

// pg_stats correlation, n_distinct and table sizes of every analysed column (partitioned
// tables: their inherited statistics and the sum of their partitions' sizes), for BRIN
// candidates and to tell categorical columns from parameters.
Result<std::map<std::pair<catalog::QualifiedName, std::string>, advisor::ColumnPhysicalStats>>
ReadPhysicalStats(pg::Connection& conn) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult rows,
      conn.Exec("SELECT DISTINCT ON (s.schemaname, s.tablename, s.attname) "
                "s.schemaname, s.tablename, s.attname, coalesce(s.correlation, 0), "
                "CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(greatest(p.reltuples, 0)), 0) "
                "  FROM pg_partition_tree(c.oid) t JOIN pg_class p ON p.oid = t.relid "
                "  WHERE t.isleaf) ELSE greatest(c.reltuples, 0) END, "
                "CASE WHEN c.relkind = 'p' THEN (SELECT coalesce(sum(p.relpages), 0) "
                "  FROM pg_partition_tree(c.oid) t JOIN pg_class p ON p.oid = t.relid "
                "  WHERE t.isleaf) ELSE c.relpages END, s.n_distinct, s.avg_width "
                "FROM pg_stats s "
                "JOIN pg_namespace n ON n.nspname = s.schemaname "
                "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename "
                "WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema') "
                "ORDER BY s.schemaname, s.tablename, s.attname, "
                "s.inherited = (c.relkind = 'p') DESC"));
  std::map<std::pair<catalog::QualifiedName, std::string>, advisor::ColumnPhysicalStats> out;
  for (int r = 0; r < rows.rows(); ++r) {
    advisor::ColumnPhysicalStats st;
    st.correlation = std::stod(std::string(rows.Get(r, 3)));
    st.table_rows = std::stod(std::string(rows.Get(r, 4)));
    st.table_pages = std::stod(std::string(rows.Get(r, 5)));
    st.n_distinct = std::stod(std::string(rows.Get(r, 6)));
    st.avg_width = std::stod(std::string(rows.Get(r, 7)));
    out[{{std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1))}, std::string(rows.Get(r, 2))}] =
        st;
  }
  return out;
}

// One key column of an existing B-tree index with its stored order (pg_index.indoption).
struct ExistingKey {
  std::string column;
  bool descending = false;
  bool nulls_first = false;
};
using ExistingKeys = std::map<catalog::QualifiedName, std::vector<std::vector<ExistingKey>>>;

// Key columns of the server's valid, non-partial B-tree indexes, per table; an expression
// key ends the usable column list there. Candidates that are a prefix of one of these
// (a primary key, a unique constraint...) would only duplicate it.
Result<ExistingKeys> ExistingBtreeKeys(pg::Connection& conn) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult rows,
      conn.Exec("SELECT i.indexrelid::bigint, n.nspname, c.relname, a.attname, "
                "(i.indoption::int2[])[k.ord - 1]::int "
                "FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_class ic ON ic.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = ic.relam "
                "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
                "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE am.amname = 'btree' AND i.indpred IS NULL AND i.indisvalid "
                "AND k.ord <= i.indnkeyatts "
                "ORDER BY 1, k.ord"));
  ExistingKeys out;
  int64_t current = -1;
  bool stopped = false;
  for (int r = 0; r < rows.rows(); ++r) {
    int64_t oid = rows.GetInt(r, 0);
    catalog::QualifiedName table{std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2))};
    if (oid != current) {
      current = oid;
      stopped = false;
      out[table].emplace_back();
    }
    if (stopped || rows.IsNull(r, 3)) {
      stopped = true;
      continue;
    }
    // indoption: bit 0 DESC, bit 1 NULLS FIRST.
    const int64_t option = rows.IsNull(r, 4) ? 0 : rows.GetInt(r, 4);
    out[table].back().push_back(
        ExistingKey{std::string(rows.Get(r, 3)), (option & 1) != 0, (option & 2) != 0});
  }
  return out;
}

bool IsPrefixOfExisting(const advisor::IndexDef& index, const ExistingKeys& existing) {
  // Plain keys, and the covering join candidates (advisor/candidates.h) whose key an existing
  // index already leads: by column, whatever the existing index's order.
  const bool plain = index.IsPlainBtree();
  // Keys with an order (a top-N key, `(a, b DESC)`): by column and order, the existing index
  // read forwards or backwards; such a candidate the same as an existing index is only a
  // duplicate, however its hypothetical twin is costed.
  const bool ordered = index.method == IndexMethod::kBtree && index.predicate.empty() &&
                       std::all_of(index.keys.begin(), index.keys.end(), [](const IndexKey& k) {
                         return !k.IsExpression() && k.opclass.empty();
                       });
  if (!plain && !ordered) return false;
  auto it = existing.find(index.table);
  if (it == existing.end()) return false;
  for (const std::vector<ExistingKey>& keys : it->second) {
    if (keys.size() < index.keys.size()) continue;
    bool same = true;
    bool reversed = true;
    for (size_t i = 0; i < index.keys.size() && (same || reversed); ++i) {
      const IndexKey& k = index.keys[i];
      if (k.column != keys[i].column) {
        same = reversed = false;
        break;
      }
      const bool nulls_first =
          k.nulls == NullsOrder::kDefault ? k.descending : k.nulls == NullsOrder::kFirst;
      const bool equal = k.descending == keys[i].descending && nulls_first == keys[i].nulls_first;
      const bool opposite =
          k.descending != keys[i].descending && nulls_first != keys[i].nulls_first;
      same = same && (plain || equal);
      reversed = reversed && (plain || opposite);
    }
    if (same || reversed) return true;
  }
  return false;
}

// Why `query` cannot be planned on a live server, "" when it can: its setup may only create
// views and its teardown only drop views (they run in a transaction that is rolled back, so
// nothing else may be written, and no index is ever built).
std::string LiveSetupProblem(const workload::Query& query) {
  auto check = [](const std::vector<std::string>& statements, bool setup) -> std::string {
    for (const std::string& text : statements) {
      SourceFile file("setup", text);
      auto tree = sql::ParseTree::Parse(file);
      if (!tree.ok()) return "its setup does not parse";
      for (const sql::Statement& st : tree->statements()) {
        const sql::Node* n = st.node;
        bool ok = setup ? n->node_case == PG_QUERY__NODE__NODE_VIEW_STMT
                        : n->node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
                              n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW;
        if (!ok) {
          std::string shown = text.substr(st.begin, std::min<size_t>(st.end - st.begin, 40));
          return std::string(setup ? "setup" : "teardown") + " statement \"" + shown +
                 "\" is not allowed on a live server (only CREATE VIEW / DROP VIEW, run in a "
                 "transaction that is rolled back)";
        }
      }
    }
    return "";
  };
  std::string problem = check(query.setup, true);
  return problem.empty() ? check(query.teardown, false) : problem;
}

// What the per-index report needs of the indexes costed on a live server's sample.
struct SampleCosts {
  std::set<std::string> keys;                // IndexDef::Key() of the chosen ones
  std::map<std::string, double> fractions;   // key -> sampled fraction of its table
  std::map<const Analysed*, int> query_ids;  // query -> its id in the sample's session
};

// `config` without the indexes costed on the sample (the live session cannot cost them).
std::vector<IndexDef> LiveOnly(const std::vector<IndexDef>& config, const SampleCosts& costs) {
  std::vector<IndexDef> out;
  for (const IndexDef& d : config) {
    if (costs.keys.count(d.Key()) == 0) out.push_back(d);
  }
  return out;
}

// One Advise() call: its request, listener and the state shared between its steps.
class Pipeline {
 public:
  Pipeline(const AdviseRequest& request, AdviseListener& listener)
      : request_(request), options_(request.options), listener_(listener) {}

  Result<AdviseResult> Run();
  Status DropServedByExisting(pg::Connection& conn, WhatIfSession& session,
                              const advisor::ExplainMode& explain, int query_id,
                              const workload::Query& q, std::vector<IndexDef>& candidates,
                              std::map<std::string, std::string>& served);

 private:
  // An empty result for `target` with the request's settings.
  AdviseResult Fresh(const std::string& target) const;

  void Progress(const std::string& message) { listener_.OnProgress(message); }
  void Warn(const std::string& message) { listener_.OnWarning(message); }

  // Existing indexes to drop (existing_): duplicates and prefixes from the catalog, unused
  // ones from the plans of the analysed queries (planned_) — confirmed by hiding each index on a
  // sandbox, by idx_scan = 0 on a live server.
  Status Drops(pg::Connection& conn, bool live, AdviseResult& result) {
    Progress("looking for redundant and unused indexes");
    const std::vector<advisor::ExistingIndex>& existing = existing_;
    advisor::DropAnalysis redundant = advisor::FindRedundantIndexes(existing);
    advisor::UnusedOptions options;
    options.explain.setup_in_rolled_back_transaction = live;
    options.confirm_by_hiding = !live;
    options.require_no_scans = live;
    advisor::UnusedResult unused;
    if (!unplannable_.empty()) {
      unused.not_checked = "query '" + unplannable_ + "' cannot be planned here";
    } else {
      DBARCH_ASSIGN_OR_RETURN(
          unused, advisor::FindUnusedIndexes(conn, existing, planned_, redundant.drops, options));
    }
    result.unused_not_checked = unused.not_checked;
    std::vector<advisor::DropProposal> drops = std::move(redundant.drops);
    for (advisor::DropProposal& d : unused.drops) drops.push_back(std::move(d));
    std::vector<advisor::KeptIndex> kept = std::move(redundant.kept);
    for (advisor::KeptIndex& k : unused.kept) kept.push_back(std::move(k));
    result.drops_size_bytes = 0;
    for (const advisor::DropProposal& d : drops) {
      AdviseDrop out;
      out.index = d.index.QualifiedName();
      out.table = d.index.table.Quoted();
      out.kind = advisor::DropKindName(d.kind);
      out.reason = d.reason;
      out.covered_by = d.covered_by;
      out.note = d.note;
      out.size_bytes = d.index.size_bytes;
      out.idx_scan = d.index.idx_scan;
      out.ddl = d.DropSql();
      out.rollback_ddl = d.RollbackSql();
      result.drops_size_bytes += out.size_bytes;
      result.drops.push_back(std::move(out));
    }
    for (const advisor::KeptIndex& k : kept) {
      result.kept_indexes.push_back({k.index.QualifiedName(), k.index.table.Quoted(),
                                     advisor::DropKindName(k.kind), k.reason});
    }
    auto by_index = [](const auto& a, const auto& b) {
      return std::tie(a.table, a.index) < std::tie(b.table, b.index);
    };
    std::stable_sort(result.drops.begin(), result.drops.end(), by_index);
    std::stable_sort(result.kept_indexes.begin(), result.kept_indexes.end(), by_index);
    if (live) {
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult reset,
          conn.Exec("SELECT coalesce(stats_reset::text, 'never reset') FROM pg_stat_database "
                    "WHERE datname = current_database()"));
      if (reset.rows() == 1) result.index_stats_reset = std::string(reset.Get(0, 0));
    }
    return Status::OK();
  }

  // The what-if part: candidates, search, and per chosen index its effects. Returns the
  // chosen indexes in the order of result.indexes. On a live server (`live`) HypoPG must
  // be installed already and setup statements run in a rolled-back transaction.
  Result<std::vector<advisor::IndexDef>> Recommend(pg::Connection& conn,
                                                   const workload::Workload& workload,
                                                   const catalog::Catalog& catalog, bool live,
                                                   const std::set<std::string>& forbidden,
                                                   AdviseResult& result) {
    if (!live) {
      // A live table is vacuumed by autovacuum; a freshly loaded sandbox is not, so its
      // visibility map is empty and the planner would never credit an index-only scan
      // (covering INCLUDE columns).
      Progress("VACUUM");
      DBARCH_RETURN_IF_ERROR(pg::VacuumLoaded(conn, /*analyze=*/false).status());
      Progress("creating the hypopg extension");
      DBARCH_RETURN_IF_ERROR(conn.ExecScript("CREATE EXTENSION IF NOT EXISTS hypopg"));
    }
    auto start = std::chrono::steady_clock::now();
    advisor::WhatIfOptions whatif;
    whatif.create_extension = !live;
    whatif.explain.setup_in_rolled_back_transaction = live;
    // A sandbox is disposable: GIN candidates, which HypoPG cannot simulate, are built there
    // for real and shown or hidden per configuration. On a live server they are reported
    // as not verifiable.
    whatif.build_unsimulated = !live;
    whatif.one_round_trip = options_.one_round_trip;
    whatif.disable_jit = options_.disable_jit;
    DBARCH_ASSIGN_OR_RETURN(advisor::WhatIfSession session,
                            advisor::WhatIfSession::Open(conn, whatif));
    advisor::CandidateOptions candidate_options;
    candidate_options.max_width = options_.max_width;
    DBARCH_ASSIGN_OR_RETURN(candidate_options.physical, ReadPhysicalStats(conn));
    {
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult collation,
          conn.Exec("SELECT datcollate IN ('C', 'POSIX') FROM pg_catalog.pg_database "
                    "WHERE datname = current_database()"));
      candidate_options.default_collation_is_c =
          collation.rows() == 1 && std::string(collation.Get(0, 0)) == "t";
    }

    DBARCH_ASSIGN_OR_RETURN(ExistingKeys existing, ExistingBtreeKeys(conn));
    std::vector<Analysed> analysed;
    std::vector<advisor::SearchQuery> search_queries;
    std::vector<advisor::WriteLoad> writes;
    std::set<std::string> candidate_keys;
    std::map<std::string, std::string> rejected;  // candidate key -> the server's reason
    std::map<std::string, std::string> served;    // candidate key -> the existing index
    // A live target with a verification sandbox: candidates HypoPG cannot simulate (GIN) are
    // built for real there and costed after the search (AddSampleCosted).
    const bool sample_costing = live && request_.verify_target != nullptr;
    std::map<size_t, std::vector<IndexDef>> unsimulated;  // index in `analysed` -> candidates
    Status fatal;
    for (const workload::Query& q : workload.queries) {
      if (live) {
        std::string problem = LiveSetupProblem(q);
        if (problem.empty()) {
          // A statement of a live server's workload that the planner rejects (a parameter
          // type that cannot be inferred, no SELECT privilege...) is skipped, not fatal.
          Result<std::string> plan = advisor::ExplainQueryJson(conn, q, whatif.explain);
          if (!plan.ok()) {
            if (plan.status().code() == StatusCode::kConnection) return plan.status();
            problem = "cannot be planned: " + plan.status().message();
          }
        }
        if (!problem.empty()) {
          Warn("query '" + q.name + "' skipped: " + problem);
          result.skipped.push_back({q.name, problem});
          if (unplannable_.empty()) unplannable_ = q.name;
          continue;
        }
      }
      auto cols = advisor::ExtractIndexableColumns(q, catalog);
      if (!cols.ok()) {
        if (cols.status().code() != StatusCode::kNotSupported) {
          return std::move(cols).status().WithContext("analysing query '" + q.name + "'");
        }
        Warn("query '" + q.name + "' skipped: " + cols.status().message());
        result.skipped.push_back({q.name, cols.status().message()});
        // Not analysed (an UPDATE...), but its plan may still use an existing index.
        planned_.push_back({&q, {}});
        continue;
      }
      planned_.push_back({&q, cols->tables});
      if (cols->write) {
        DBARCH_ASSIGN_OR_RETURN(double rows, advisor::EstimateWrittenRows(conn, q, whatif.explain));
        writes.push_back(advisor::WriteLoad{q.name, q.weight, *cols->write, rows});
        // An INSERT ... VALUES reads nothing an index could speed up.
        if (cols->tables.empty()) {
          ++result.queries;
          continue;
        }
      }
      Analysed a;
      a.query = &q;
      a.columns = std::move(*cols);
      a.query_id = session.AddQuery(q, a.columns.tables, a.columns.referenced);
      std::vector<advisor::IndexDef> candidates =
          advisor::CandidateIndexes(a.columns, candidate_options);
      std::erase_if(candidates, [&](const advisor::IndexDef& c) {
        return IsPrefixOfExisting(c, existing) || forbidden.count(c.Key()) > 0;
      });
      // A candidate the server rejects (a function in an expression that is not IMMUTABLE,
      // an operator class that does not fit the column...) or that this session cannot cost
      // is dropped with its reason; the rest of the run goes on.
      std::erase_if(candidates, [&](const advisor::IndexDef& c) {
        auto [it, fresh] = rejected.try_emplace(c.Key());
        if (fresh) {
          Result<int64_t> size = session.IndexSizeBytes(c);
          if (size.ok()) {
            rejected.erase(it);
            return false;
          }
          if (size.status().code() != StatusCode::kInvalidArgument &&
              size.status().code() != StatusCode::kNotSupported) {
            fatal = size.status();
          }
          if (sample_costing && !session.CanCost(c)) {
            // Costed on the verification sandbox after the search instead.
            rejected.erase(it);
            unsimulated[analysed.size()].push_back(c);
            candidate_keys.insert(c.Key());
            return true;
          }
          it->second = size.status().message();
          return true;
        }
        return true;
      });
      if (!fatal.ok()) return fatal;
      DBARCH_RETURN_IF_ERROR(
          DropServedByExisting(conn, session, whatif.explain, a.query_id, q, candidates, served));
      for (const advisor::IndexDef& c : candidates) candidate_keys.insert(c.Key());
      search_queries.push_back(
          advisor::SearchQuery{a.query_id, q.weight, std::move(candidates), a.columns.referenced});
      analysed.push_back(std::move(a));
    }
    advisor::WriteCostModel write_model;
    if (!writes.empty()) {
      DBARCH_ASSIGN_OR_RETURN(write_model, advisor::LoadWriteCostModel(conn));
    }
    auto write_cost = [&](const std::vector<advisor::IndexDef>& config) {
      return advisor::WriteCost(config, writes, write_model);
    };
    result.writes = static_cast<int>(writes.size());
    // try_emplace above leaves accepted keys out; every entry here is a rejection.
    for (const auto& [key, reason] : rejected) result.rejected.push_back({key, reason});
    // Served by an existing index for every query that proposed it.
    for (const auto& [key, reason] : served) {
      if (candidate_keys.count(key) == 0) result.rejected.push_back({key, reason});
    }
    result.queries += static_cast<int>(analysed.size());
    result.candidates = static_cast<int>(candidate_keys.size());

    Progress("searching (" + std::to_string(candidate_keys.size()) + " candidates)");
    advisor::SearchOptions options;
    options.budget_mb = options_.budget_mb;
    options.max_width = options_.max_width;
    options.max_indexes = options_.max_indexes;
    options.lazy_factor = options_.lazy_factor;
    options.prefilter_covering = options_.prefilter_covering;
    options.skip_hopeless_steps = options_.skip_hopeless_steps;
    options.lazy_per_query = options_.lazy_per_query;
    options.carry_bounds = options_.carry_bounds;
    options.lazy_covering = options_.lazy_covering;
    if (!writes.empty()) options.extra_cost = write_cost;
    DBARCH_ASSIGN_OR_RETURN(advisor::SearchResult found,
                            advisor::ExtendSearch(session, search_queries, options));
    // Covering: INCLUDE columns where they turn a chosen index's scan into an index-only
    // scan and the cost per byte is worth it.
    DBARCH_RETURN_IF_ERROR(
        advisor::AddCoveringColumns(session, search_queries, options, found).status());
    std::optional<WhatIfSession> sample_session;
    SampleCosts sample_costs;
    if (!unsimulated.empty()) {
      WhatIfOptions sample_whatif;
      sample_whatif.create_extension = true;
      sample_whatif.build_unsimulated = true;
      DBARCH_ASSIGN_OR_RETURN(WhatIfSession opened,
                              WhatIfSession::Open(*request_.verify_target, sample_whatif));
      sample_session.emplace(std::move(opened));
      DBARCH_RETURN_IF_ERROR(AddSampleCosted(session, *sample_session, analysed, unsimulated,
                                             options, found, sample_costs, result));
    }
    result.cost_without = found.cost_without;
    result.cost_with = found.cost_with;
    result.relative_cost = found.relative_cost;
    result.write_cost_without = found.extra_without;
    result.write_cost_with = found.extra_with;

    // Names must not collide with the sandbox's relations (constraint indexes included).
    std::set<std::string> taken;
    {
      DBARCH_ASSIGN_OR_RETURN(pg::QueryResult rels,
                              conn.Exec("SELECT n.nspname, c.relname FROM pg_class c "
                                        "JOIN pg_namespace n ON n.oid = c.relnamespace"));
      for (int i = 0; i < rels.rows(); ++i) {
        taken.insert(std::string(rels.Get(i, 0)) + "." + std::string(rels.Get(i, 1)));
      }
    }

    // PostgreSQL 15 cannot build an index on a partitioned table CONCURRENTLY.
    std::set<catalog::QualifiedName> partitioned;
    {
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult rels,
          conn.Exec("SELECT n.nspname, c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p'"));
      for (int i = 0; i < rels.rows(); ++i) {
        partitioned.insert({std::string(rels.Get(i, 0)), std::string(rels.Get(i, 1))});
      }
    }

    for (size_t i = 0; i < found.indexes.size(); ++i) {
      const advisor::IndexDef& index = found.indexes[i];
      AdviseIndex out;
      out.name = IndexName(index, taken);
      out.table = index.table.Quoted();
      for (const advisor::IndexKey& k : index.keys) out.columns.push_back(k.Text());
      out.method = advisor::IndexMethodName(index.method);
      out.include = index.include;
      out.predicate = index.predicate;
      bool is_partitioned = partitioned.count(index.table) > 0;
      out.ddl = Join(CreateStatements(index, out.name, !is_partitioned), ";\n");
      if (is_partitioned) {
        out.note =
            "partitioned table: CONCURRENTLY is not supported; to avoid blocking writes create "
            "it ON ONLY the parent, build each partition's index CONCURRENTLY and ATTACH it";
      }
      out.size_bytes = found.sizes_bytes[i];
      if (index.IsHypotheticalSupported()) {
        if (std::optional<int64_t> hypo = session.HypoPGSizeBytes(index)) {
          out.hypopg_size_bytes = *hypo;
        }
      }
      if (!writes.empty()) {
        std::vector<advisor::IndexDef> others = found.indexes;
        others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
        out.write_cost = write_cost(found.indexes) - write_cost(others);
      }
      // The index alone against no new index, per query that reads its table.
      std::vector<std::pair<double, const Analysed*>> gains;
      for (const Analysed& a : analysed) {
        const auto& tables = a.columns.tables;
        if (std::find(tables.begin(), tables.end(), index.table) == tables.end()) continue;
        DBARCH_ASSIGN_OR_RETURN(double before, session.Cost(a.query_id, {}));
        double after = before;
        if (sample_costs.keys.count(index.Key()) > 0) {
          // The planner's ratio on the sample, applied to the live cost.
          auto q = sample_costs.query_ids.find(&a);
          if (q == sample_costs.query_ids.end()) continue;
          DBARCH_ASSIGN_OR_RETURN(double base, sample_session->Cost(q->second, {}));
          DBARCH_ASSIGN_OR_RETURN(double with, sample_session->Cost(q->second, {index}));
          if (base > 0) after = before * (with / base);
        } else {
          DBARCH_ASSIGN_OR_RETURN(after, session.Cost(a.query_id, {index}));
        }
        if (!(before - after > before * kMinCostGain)) continue;
        out.helps.push_back({a.query->name, a.query->weight, before, after, false});
        gains.emplace_back(a.query->weight * (before - after), &a);
      }
      // Largest weighted gain first; ties by name (deterministic).
      std::vector<size_t> order(out.helps.size());
      for (size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        if (gains[x].first != gains[y].first) return gains[x].first > gains[y].first;
        return out.helps[x].query < out.helps[y].query;
      });
      std::vector<AdviseQueryEffect> sorted;
      for (size_t k : order) sorted.push_back(out.helps[k]);
      out.helps = std::move(sorted);
      const Analysed* top = order.empty() ? nullptr : gains[order[0]].second;
      out.rationale = Rationale(index, top, out.helps.size());
      if (auto f = sample_costs.fractions.find(index.Key()); f != sample_costs.fractions.end()) {
        out.extrapolated = true;
        out.rationale += fmt::format(
            "; cost and size from the index built on the sample ({:.3g} % of {}'s rows), size "
            "scaled to the live table",
            100 * f->second, index.table.Quoted());
      }
      result.indexes.push_back(std::move(out));
    }
    result.runtime_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    result.whatif_calls = session.stats().explain_calls;
    result.cost_cache_hits = session.stats().cost_cache_hits;
    DBARCH_RETURN_IF_ERROR(session.Close());
    // Drops the GINs built on the sample before verification builds the chosen ones.
    if (sample_session) DBARCH_RETURN_IF_ERROR(sample_session->Close());
    return found.indexes;
  }

  // After the search on a live target: the candidates HypoPG cannot simulate (`unsimulated`,
  // per query in `analysed`) are built for real on the verification sandbox, which holds a
  // sample of the live data, and costed there by the planner: for each, the ratio of a
  // query's sample cost with it (and with the chosen indexes) to without it, applied to the
  // query's live cost with the chosen indexes, gives its gain on the live server; its size is
  // its size on the sample divided by the sampled fraction of its table. Greedily, the one
  // with the largest weighted gain per byte is added to `found` while it fits the budget and
  // gains (net of the index maintenance options.extra_cost adds) at least
  // options.min_cost_improvement of the workload cost; then the others are costed again
  // with it. Fills `costs` with what the per-index report needs.
  Status AddSampleCosted(WhatIfSession& live, WhatIfSession& sample,
                         const std::vector<Analysed>& analysed,
                         const std::map<size_t, std::vector<IndexDef>>& unsimulated,
                         const SearchOptions& options, SearchResult& found, SampleCosts& costs,
                         AdviseResult& result) {
    Progress("costing the GIN candidates of " + std::to_string(unsimulated.size()) +
             " query(ies) on the sample");
    std::map<std::string, IndexDef> by_key;
    std::map<std::string, std::vector<size_t>> queries_of;  // key -> indexes in `analysed`
    for (const auto& [ai, list] : unsimulated) {
      const Analysed& a = analysed[ai];
      if (costs.query_ids.count(&a) == 0) {
        costs.query_ids[&a] = sample.AddQuery(*a.query, a.columns.tables, a.columns.referenced);
      }
      for (const IndexDef& c : list) {
        by_key.emplace(c.Key(), c);
        queries_of[c.Key()].push_back(ai);
      }
    }
    std::map<std::string, int64_t> sizes;
    for (const auto& [key, c] : by_key) {
      Result<int64_t> size = sample.IndexSizeBytes(c);
      if (!size.ok()) {
        if (size.status().code() != StatusCode::kInvalidArgument &&
            size.status().code() != StatusCode::kNotSupported) {
          return size.status();
        }
        result.rejected.push_back({key, "on the sample: " + size.status().message()});
        continue;
      }
      double fraction = 1;
      if (request_.sample) {
        for (const AdviseSampledTable& t : request_.sample->tables) {
          if (t.table == c.table.Quoted() && t.fraction > 0) fraction = t.fraction;
        }
      }
      costs.fractions[key] = fraction;
      sizes[key] = static_cast<int64_t>(static_cast<double>(*size) / fraction);
    }
    const double budget_bytes = options.budget_mb * 1e6;
    while (true) {
      std::string best;
      double best_gain = 0;
      double best_per_byte = 0;
      for (const auto& [key, size] : sizes) {
        if (costs.keys.count(key) > 0) continue;
        if (static_cast<double>(found.total_size_bytes + size) > budget_bytes) continue;
        if (options.max_indexes > 0 &&
            found.indexes.size() >= static_cast<size_t>(options.max_indexes)) {
          continue;
        }
        const IndexDef& c = by_key.at(key);
        double gain = 0;
        for (size_t ai : queries_of[key]) {
          const Analysed& a = analysed[ai];
          const int sq = costs.query_ids.at(&a);
          std::vector<IndexDef> config = found.indexes;
          DBARCH_ASSIGN_OR_RETURN(double live_cost, live.Cost(a.query_id, LiveOnly(config, costs)));
          DBARCH_ASSIGN_OR_RETURN(double base, sample.Cost(sq, config));
          config.push_back(c);
          DBARCH_ASSIGN_OR_RETURN(double with, sample.Cost(sq, config));
          if (base > 0 && with < base) gain += a.query->weight * live_cost * (1 - with / base);
        }
        // The index maintenance it adds to the workload's writes.
        if (options.extra_cost) {
          std::vector<IndexDef> with = found.indexes;
          with.push_back(c);
          gain -= options.extra_cost(with) - options.extra_cost(found.indexes);
        }
        double per_byte = gain / static_cast<double>(std::max<int64_t>(size, 1));
        if (gain > 0 && per_byte > best_per_byte) {
          best = key;
          best_gain = gain;
          best_per_byte = per_byte;
        }
      }
      if (best.empty()) break;
      // The same bar as a step of the search: the workload at least this much cheaper.
      if (!(found.cost_with / (found.cost_with - best_gain) >= options.min_cost_improvement)) break;
      costs.keys.insert(best);
      IndexDef c = by_key.at(best);
      auto at =
          std::lower_bound(found.indexes.begin(), found.indexes.end(), c,
                           [](const IndexDef& x, const IndexDef& y) { return x.Key() < y.Key(); });
      size_t pos = static_cast<size_t>(at - found.indexes.begin());
      found.indexes.insert(at, c);
      found.sizes_bytes.insert(found.sizes_bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                               sizes.at(best));
      found.total_size_bytes += sizes.at(best);
      if (options.extra_cost) found.extra_with = options.extra_cost(found.indexes);
      found.cost_with -= best_gain;
      found.relative_cost = found.cost_without > 0 ? found.cost_with / found.cost_without : 1;
    }
    // Keys not chosen are of no further interest to the report.
    for (auto it = costs.fractions.begin(); it != costs.fractions.end();) {
      it = costs.keys.count(it->first) > 0 ? std::next(it) : costs.fractions.erase(it);
    }
    return Status::OK();
  }

  // Measures the workload, builds `chosen` (named as in result.indexes) for real, measures
  // again, and drops the indexes no faster query used.
  Status Verify(pg::Connection& conn, const workload::Workload& workload,
                const std::vector<advisor::IndexDef>& chosen, int timeout_ms,
                AdviseResult& result) {
    measure::RunOptions options;
    options.runs = options_.runs;
    options.timeout_ms = timeout_ms;
    // The workload's writes run in a transaction that is rolled back, so every run (and
    // the measurement after the build) sees the same data.
    options.rollback_each_query = true;
    options.on_query = [this](const std::string& name) { Progress("running " + name); };
    options.label = "without the recommended indexes";
    DBARCH_ASSIGN_OR_RETURN(measure::WorkloadMeasurement before,
                            measure::RunWorkload(conn, workload, options));
    // Index builds must not be cut short by the measurement's statement_timeout.
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("SET statement_timeout = 0"));
    for (size_t i = 0; i < chosen.size(); ++i) {
      const AdviseIndex& idx = result.indexes[i];
      Progress("building " + idx.name);
      // Plain CREATE INDEX: the sandbox has no concurrent writers.
      for (const std::string& stmt : CreateStatements(chosen[i], idx.name, false)) {
        DBARCH_RETURN_IF_ERROR(conn.ExecScript(stmt));
      }
      // The real size, to set against the modelled one (summed over the partitions' indexes
      // of a partitioned table: pg_partition_tree lists nothing for a plain index). On a
      // sample of a live server it would be the sample's size, so it is left out there.
      if (!request_.sample) {
        DBARCH_ASSIGN_OR_RETURN(
            pg::QueryResult size,
            conn.Exec("SELECT greatest(pg_relation_size(i), (SELECT coalesce(sum("
                      "pg_relation_size(relid)), 0) FROM pg_partition_tree(i)))::bigint FROM "
                      "CAST(" +
                      QuoteLiteral(QuoteIdent(chosen[i].table.schema) + "." +
                                   QuoteIdent(idx.name)) +
                      " AS regclass) AS i"));
        result.indexes[i].built_size_bytes = size.GetInt(0, 0);
      }
    }
    // An index on a partitioned table has one index per partition, with its own name: the
    // measured plans name those.
    std::map<std::string, std::set<std::string>> plan_names;  // index name -> names in plans
    for (size_t i = 0; i < chosen.size(); ++i) {
      const AdviseIndex& idx = result.indexes[i];
      plan_names[idx.name].insert(idx.name);
      const std::string& schema = chosen[i].table.schema;
      DBARCH_ASSIGN_OR_RETURN(
          pg::QueryResult parts,
          conn.Exec("WITH RECURSIVE parts(oid) AS ("
                    " SELECT inhrelid FROM pg_inherits WHERE inhparent = (" +
                    QuoteLiteral(QuoteIdent(schema) + "." + QuoteIdent(idx.name)) +
                    ")::regclass UNION ALL"
                    " SELECT i.inhrelid FROM pg_inherits i JOIN parts p ON i.inhparent = p.oid)"
                    " SELECT c.relname FROM parts JOIN pg_class c ON c.oid = parts.oid"));
      for (int r = 0; r < parts.rows(); ++r) plan_names[idx.name].emplace(parts.Get(r, 0));
    }
    Progress("ANALYZE");
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE"));
    options.label = "with the recommended indexes";
    DBARCH_ASSIGN_OR_RETURN(measure::WorkloadMeasurement after,
                            measure::RunWorkload(conn, workload, options));

    std::map<std::string, std::string> notes;  // query -> what the regression guard did
    // query -> (without, with): its side-by-side times, for a query the guard kept
    std::map<std::string, std::pair<double, double>> retimed;
    DBARCH_RETURN_IF_ERROR(RemoveRegressions(conn, workload, chosen, plan_names, before, options,
                                             after, result, notes, retimed));

    std::vector<std::optional<double>> speed_ups = measure::QuerySpeedUps(before, after);
    AdviseVerify v;
    v.runs = options_.runs;
    v.timeout_ms = timeout_ms;
    v.weighted_speed_up = measure::WeightedSpeedUp(before, after);
    for (size_t i = 0; i < before.queries.size(); ++i) {
      const measure::QueryMeasurement& b = before.queries[i];
      const measure::QueryMeasurement& a = after.queries[i];
      AdviseVerifyQuery q;
      q.query = b.name;
      q.weight = b.weight;
      q.before_outcome = b.outcome;
      q.after_outcome = a.outcome;
      q.before_median_ms = b.median_ms;
      q.after_median_ms = a.median_ms;
      q.speed_up = speed_ups[i];
      if (b.plan) q.indexes_before = b.plan->indexes;
      if (a.plan) q.indexes_after = a.plan->indexes;
      if (auto n = notes.find(b.name); n != notes.end()) q.regression = n->second;
      // Timed side by side, the fairer comparison than two runs minutes apart: its times
      // replace the measurement's for a query the guard kept.
      if (auto t = retimed.find(b.name); t != retimed.end()) {
        q.before_median_ms = t->second.first;
        q.after_median_ms = t->second.second;
        q.speed_up = q.before_median_ms / q.after_median_ms;
        q.regression += "; before / after are the side-by-side times";
      }
      v.queries.push_back(std::move(q));
    }
    for (AdviseIndex& idx : result.indexes) {
      if (idx.dropped) continue;  // removed for a regression above
      bool benefit = false;
      const std::set<std::string>& names = plan_names[idx.name];
      for (const AdviseVerifyQuery& q : v.queries) {
        bool uses = std::any_of(q.indexes_after.begin(), q.indexes_after.end(),
                                [&](const std::string& n) { return names.count(n) > 0; });
        if (!uses) continue;
        for (AdviseQueryEffect& e : idx.helps) {
          if (e.query == q.query) e.used_in_plan = true;
        }
        if (q.speed_up && *q.speed_up >= kMinMeasuredSpeedUp) benefit = true;
      }
      if (!benefit) {
        idx.dropped = true;
        idx.drop_reason = "no measured benefit";
      }
    }
    result.verify = std::move(v);
    return Status::OK();
  }

  // Shows or hides built recommended indexes (with their partitions' indexes) through
  // pg_index.indisvalid: the planner skips an index that is not valid, so a query can be
  // timed without some of them and with them again, with no rebuild. Sandbox only.
  Status SetBuiltValid(pg::Connection& conn, const std::vector<advisor::IndexDef>& chosen,
                       const AdviseResult& result, const std::vector<size_t>& which, bool valid) {
    if (which.empty()) return Status::OK();
    std::vector<std::string> rels;
    for (size_t i : which) {
      rels.push_back(QuoteLiteral(QuoteIdent(chosen[i].table.schema) + "." +
                                  QuoteIdent(result.indexes[i].name)) +
                     "::regclass");
    }
    const std::string list = Join(rels, ",");
    return conn.ExecScript(std::string("UPDATE pg_catalog.pg_index SET indisvalid = ") +
                           (valid ? "true" : "false") + " WHERE indexrelid IN (" + list +
                           ") OR indexrelid IN (SELECT t.relid FROM unnest(ARRAY[" + list +
                           "]) AS r(oid), pg_partition_tree(r.oid) AS t)");
  }

  // A recommendation that makes a query slower is a defect, not a footnote. A query
  // measured more than kMaxMeasuredSlowdown times slower with the recommended set than
  // before it is timed again side by side (advisor/regression.h: alternately with the set
  // and without its indexes on the query's tables, each side keeping its best of
  // kPairedRounds measurements), and the group of indexes that removes the slowdown is
  // searched for by hiding them (pg_index.indisvalid): each index of the plan alone, with
  // its same-key alternatives, all of them, all on the query's tables. The group found is
  // dropped (reported with the timings); what was done for each such query is noted in
  // `notes`. When something was removed, the whole workload is measured again into
  // `after`, so the report shows the set that is recommended.
  Status RemoveRegressions(pg::Connection& conn, const workload::Workload& workload,
                           const std::vector<advisor::IndexDef>& chosen,
                           const std::map<std::string, std::set<std::string>>& plan_names,
                           const measure::WorkloadMeasurement& before, measure::RunOptions options,
                           measure::WorkloadMeasurement& after, AdviseResult& result,
                           std::map<std::string, std::string>& notes,
                           std::map<std::string, std::pair<double, double>>& retimed) {
    bool removed = false;
    for (size_t qi = 0; qi < after.queries.size() && qi < before.queries.size(); ++qi) {
      const measure::QueryMeasurement& b = before.queries[qi];
      const measure::QueryMeasurement& a = after.queries[qi];
      if (b.outcome != measure::Outcome::kOk || a.outcome != measure::Outcome::kOk ||
          !(a.median_ms > b.median_ms * kMaxMeasuredSlowdown) ||
          a.median_ms - b.median_ms < kMinRegressionMs) {
        continue;
      }
      const workload::Query& query = workload.queries[qi];
      const std::vector<catalog::QualifiedName>* tables = nullptr;
      for (const advisor::PlannedQuery& p : planned_) {
        if (p.query == &query && !p.tables.empty()) tables = &p.tables;
      }
      advisor::RegressionInput input;
      input.max_slowdown = kMaxMeasuredSlowdown;
      input.min_ms = kMinRegressionMs;
      for (size_t i = 0; i < chosen.size(); ++i) {
        const AdviseIndex& idx = result.indexes[i];
        input.leading_key.push_back(chosen[i].table.Quoted() + "|" +
                                    (chosen[i].keys.empty() ? "" : chosen[i].keys[0].Text()));
        if (idx.dropped) continue;
        if (tables != nullptr &&
            std::find(tables->begin(), tables->end(), chosen[i].table) == tables->end()) {
          continue;
        }
        input.on_tables.push_back(i);
        const std::set<std::string>& names = plan_names.at(idx.name);
        if (a.plan && std::any_of(a.plan->indexes.begin(), a.plan->indexes.end(),
                                  [&](const std::string& n) { return names.count(n) > 0; })) {
          input.in_plan.push_back(i);
        }
      }
      workload::Workload one;
      one.queries.push_back(query);
      auto time = [&](const std::vector<size_t>& hide_a,
                      const std::vector<size_t>& hide_b) -> Result<advisor::PairedTimes> {
        advisor::PairedTimes t{true, 0, 0};
        for (int round = 0; round < kPairedRounds; ++round) {
          for (int side = 0; side < 2; ++side) {
            const std::vector<size_t>& hide = side == 0 ? hide_a : hide_b;
            DBARCH_RETURN_IF_ERROR(SetBuiltValid(conn, chosen, result, hide, false));
            options.label = "timing " + query.name + " side by side";
            Result<measure::WorkloadMeasurement> m = measure::RunWorkload(conn, one, options);
            DBARCH_RETURN_IF_ERROR(SetBuiltValid(conn, chosen, result, hide, true));
            if (!m.ok()) return std::move(m).TakeStatus();
            const measure::QueryMeasurement& qm = m->queries[0];
            double& best = side == 0 ? t.a_ms : t.b_ms;
            if (qm.outcome != measure::Outcome::kOk) {
              t.ok = false;
            } else if (round == 0 || qm.median_ms < best) {
              best = qm.median_ms;
            }
          }
        }
        return t;
      };
      Progress("timing " + query.name + " with and without the recommended indexes");
      DBARCH_ASSIGN_OR_RETURN(advisor::RegressionFinding f,
                              advisor::FindRegressionCulprits(input, time));
      const std::string measured = fmt::format(
          "measured {:.2f}x slower than before the recommendations ({:.3g} ms, {:.3g} ms "
          "before)",
          a.median_ms / b.median_ms, a.median_ms, b.median_ms);
      if (!f.confirmed) {
        if (f.with_ms > 0 && f.without_ms > 0) retimed[query.name] = {f.without_ms, f.with_ms};
        notes[query.name] = fmt::format(
            "{}; timed again alternately, best of {}: {:.3g} ms with the set, {:.3g} ms without "
            "its indexes on the query's tables: not the set's doing (drift between "
            "measurements), kept",
            measured, kPairedRounds, f.with_ms, f.without_ms);
        continue;
      }
      if (f.culprits.empty()) {
        // The same comparison timed twice and only once slower: noise. Each side keeps its
        // best time of both.
        if (f.recheck_with_ms > 0 && f.recheck_without_ms > 0) {
          retimed[query.name] = {std::min(f.without_ms, f.recheck_without_ms),
                                 std::min(f.with_ms, f.recheck_with_ms)};
        }
        notes[query.name] = fmt::format(
            "{}; timed side by side twice: {:.3g} / {:.3g} ms, then {:.3g} / {:.3g} ms with / "
            "without the set's indexes on the query's tables: not reproducible (noise), kept",
            measured, f.with_ms, f.without_ms, f.recheck_with_ms, f.recheck_without_ms);
        continue;
      }
      std::vector<std::string> names;
      for (size_t i : f.culprits) names.push_back(result.indexes[i].name);
      DBARCH_RETURN_IF_ERROR(conn.ExecScript("SET statement_timeout = 0"));
      for (size_t i : f.culprits) {
        AdviseIndex& idx = result.indexes[i];
        std::vector<std::string> others;
        for (const std::string& n : names) {
          if (n != idx.name) others.push_back(n);
        }
        idx.dropped = true;
        regressed_.insert(chosen[i].Key());
        idx.drop_reason = fmt::format(
            "made {} {:.2f}x slower ({:.3g} ms with it, {:.3g} ms without it, timed "
            "alternately; {:.3g} ms before the recommendations){}",
            query.name, f.culprit_with_ms / f.culprit_without_ms, f.culprit_with_ms,
            f.culprit_without_ms, b.median_ms,
            others.empty() ? ""
                           : "; removed with " + Join(others, ", ") +
                                 ": each of them alone makes it that slow");
        DBARCH_RETURN_IF_ERROR(conn.ExecScript("DROP INDEX " + QuoteIdent(chosen[i].table.schema) +
                                               "." + QuoteIdent(idx.name)));
      }
      notes[query.name] = fmt::format(
          "{}; confirmed side by side ({:.3g} ms with the set, {:.3g} ms without); removed {}",
          measured, f.with_ms, f.without_ms, Join(names, ", "));
      removed = true;
    }
    if (!removed) return Status::OK();
    // The workload is measured again below: side-by-side times taken before a removal are
    // not of the final set.
    retimed.clear();
    Progress("ANALYZE");
    DBARCH_RETURN_IF_ERROR(conn.ExecScript("ANALYZE"));
    options.label = "with the recommended indexes, regressions removed";
    DBARCH_ASSIGN_OR_RETURN(after, measure::RunWorkload(conn, workload, options));
    return Status::OK();
  }

  const AdviseRequest& request_;
  const AdviseOptions& options_;
  AdviseListener& listener_;
  // Filled by Recommend for Drops: every workload query whose plan may use an index (with its
  // tables when analysed), and the first query that cannot be planned on this target.
  std::vector<advisor::PlannedQuery> planned_;
  std::string unplannable_;
  // The target's indexes as read before the first EXPLAIN (sizes, idx_scan).
  std::vector<advisor::ExistingIndex> existing_;
  // The plain-column indexes of partitioned tables (existing_ holds none of them), by the
  // name of each leaf partition's index, which is the name a plan shows.
  struct PartitionedIndex {
    catalog::QualifiedName table;
    std::string name;                      // the parent index, unquoted
    std::vector<std::string> key_columns;  // key columns in order
  };
  std::optional<std::map<std::string, PartitionedIndex>> partitioned_indexes_;
  Result<const std::map<std::string, PartitionedIndex>*> PartitionedIndexes(pg::Connection& conn);
  // IndexDef::Key() of every index verification removed for making a query slower.
  std::set<std::string> regressed_;
};

AdviseResult Pipeline::Fresh(const std::string& target) const {
  AdviseResult result;
  result.target = target;
  result.budget_mb = options_.budget_mb;
  result.max_width = options_.max_width;
  result.max_indexes = options_.max_indexes;
  result.workload_source = request_.workload_source;
  result.skipped = request_.skipped;
  result.sample = request_.sample;
  return result;
}

// An existing index (unique, partial, expression: any the planner already uses for the
// query) that serves the query about as well as a new candidate makes the candidate
// pointless for that query: a candidate on a table whose existing index the query's plan
// uses is left out when it alone does not make the query kServedByExistingMargin times
// cheaper, and so are the query's wider candidates that start with its keys (they would
// start the search on their own). Checked for the candidates the search starts from: the
// singles, and wider keys whose narrower key is no candidate. Asks the query's plan without
// new indexes and one what-if cost per such candidate (the costs are cached for the search).
Status Pipeline::DropServedByExisting(pg::Connection& conn, WhatIfSession& session,
                                      const advisor::ExplainMode& explain, int query_id,
                                      const workload::Query& q, std::vector<IndexDef>& candidates,
                                      std::map<std::string, std::string>& served) {
  constexpr double kServedByExistingMargin = 1.2;
  std::map<catalog::QualifiedName, std::vector<const advisor::ExistingIndex*>> by_table;
  for (const advisor::ExistingIndex& e : existing_) {
    if (e.valid) by_table[e.table].push_back(&e);
  }
  DBARCH_ASSIGN_OR_RETURN(const auto* leaf_indexes, PartitionedIndexes(conn));
  std::set<catalog::QualifiedName> partitioned;
  for (const auto& [leaf, parent] : *leaf_indexes) partitioned.insert(parent.table);
  bool any = std::any_of(candidates.begin(), candidates.end(), [&](const IndexDef& c) {
    return by_table.count(c.table) > 0 || partitioned.count(c.table) > 0;
  });
  if (!any) return Status::OK();
  // Costing the empty configuration first leaves none of the session's hypothetical (or
  // really built) indexes visible on the query's tables, so the plan is the existing
  // indexes' own.
  DBARCH_ASSIGN_OR_RETURN(const double base, session.Cost(query_id, {}));
  DBARCH_ASSIGN_OR_RETURN(std::string plan, advisor::ExplainQueryJson(conn, q, explain));
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> names, advisor::IndexNamesFromExplainJson(plan));
  std::vector<const advisor::ExistingIndex*> used;
  for (const auto& [table, list] : by_table) {
    for (const advisor::ExistingIndex* e : list) {
      if (std::binary_search(names.begin(), names.end(), e->name)) used.push_back(e);
    }
  }
  std::vector<const PartitionedIndex*> used_partitioned;
  for (const std::string& name : names) {
    auto it = leaf_indexes->find(name);
    if (it == leaf_indexes->end()) continue;
    if (std::find(used_partitioned.begin(), used_partitioned.end(), &it->second) ==
        used_partitioned.end()) {
      used_partitioned.push_back(&it->second);
    }
  }
  if (used.empty() && used_partitioned.empty()) return Status::OK();
  // On a partitioned table a hypothetical index cannot be weighed against a real one: HypoPG
  // costs the parent's hypothetical index on every partition cheaper than the same index
  // built (docs/advise.md), so a used index whose leading key columns are the candidate's, in
  // any order or direction, serves it without a comparison of costs. Measured on
  // examples/saas: `(tenant_id, subscription_id, created_at DESC)` was estimated more than
  // 1.2x cheaper than the existing `(tenant_id, subscription_id, created_at, id)`; once built
  // the planner kept using the existing one, and the next search proposed it again.
  auto serving_partitioned = [&](const IndexDef& c) -> const PartitionedIndex* {
    if (c.method != IndexMethod::kBtree || !c.predicate.empty()) return nullptr;
    std::set<std::string> columns;
    for (const advisor::IndexKey& k : c.keys) {
      if (k.IsExpression() || !k.opclass.empty()) return nullptr;
      columns.insert(k.column);
    }
    for (const PartitionedIndex* p : used_partitioned) {
      if (p->table != c.table || p->key_columns.size() < c.keys.size()) continue;
      std::set<std::string> leading(p->key_columns.begin(),
                                    p->key_columns.begin() + static_cast<long>(c.keys.size()));
      if (leading == columns) return p;
    }
    return nullptr;
  };
  // The used existing index of the candidate's table that holds every column the candidate
  // reads (as a column or inside an expression, in its key or INCLUDE): it serves the same
  // lookup. An index of other columns (a primary key the plan joins through) does not.
  auto serving = [&](const IndexDef& c) -> const advisor::ExistingIndex* {
    for (const advisor::ExistingIndex* e : used) {
      if (e->table != c.table) continue;
      std::set<std::string> words;
      for (const std::string& text : e->columns) {
        std::string word;
        for (char ch : text + " ") {
          if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') {
            word += ch;
          } else if (!word.empty()) {
            words.insert(word);
            word.clear();
          }
        }
      }
      std::vector<std::string> cols = c.Columns();
      if (!cols.empty() && std::all_of(cols.begin(), cols.end(), [&](const std::string& col) {
            return words.count(col) > 0;
          })) {
        return e;
      }
    }
    return nullptr;
  };
  // The candidates the search starts from (advisor/search.h): singles, and wider keys whose
  // narrower key is no candidate (it leads an existing index, or a top-N key superseded
  // it). The search costs each of them for the query anyway, so checking them here adds no
  // what-if call; the wider keys the search would reach from them go with them.
  std::set<std::string> keys;
  for (const IndexDef& c : candidates) keys.insert(c.Key());
  auto starts = [&](const IndexDef& c) {
    if (c.width() == 1) return true;
    IndexDef narrower = c;
    narrower.keys.pop_back();
    return keys.count(narrower.Key()) == 0;
  };
  // (table, method, predicate, INCLUDE, key texts) of the starting points left out.
  using Prefix = std::tuple<catalog::QualifiedName, int, std::string, std::vector<std::string>>;
  std::vector<std::pair<Prefix, std::vector<std::string>>> dropped;
  auto texts = [](const IndexDef& c) {
    std::vector<std::string> out;
    for (const advisor::IndexKey& k : c.keys) out.push_back(k.Text());
    return out;
  };
  for (const IndexDef& c : candidates) {
    if (!starts(c) || !session.CanCost(c)) continue;
    if (const PartitionedIndex* p = serving_partitioned(c)) {
      dropped.push_back({{c.table, static_cast<int>(c.method), c.predicate, c.include}, texts(c)});
      served.try_emplace(
          c.Key(), fmt::format("existing index {} serves query '{}' (partitioned "
                               "table: its leading key columns are this index's)",
                               catalog::QualifiedName{c.table.schema, p->name}.Quoted(), q.name));
      continue;
    }
    const advisor::ExistingIndex* existing = serving(c);
    if (existing == nullptr) continue;
    DBARCH_ASSIGN_OR_RETURN(double with, session.Cost(query_id, {c}));
    if (with * kServedByExistingMargin <= base) continue;
    dropped.push_back({{c.table, static_cast<int>(c.method), c.predicate, c.include}, texts(c)});
    served.try_emplace(c.Key(), fmt::format("existing index {} serves query '{}' about as well "
                                            "(estimated cost {:.2f}, {:.2f} with this index)",
                                            existing->QualifiedName(), q.name, base, with));
  }
  if (dropped.empty()) return Status::OK();
  std::erase_if(candidates, [&](const IndexDef& c) {
    const Prefix p{c.table, static_cast<int>(c.method), c.predicate, c.include};
    const std::vector<std::string> t = texts(c);
    return std::any_of(dropped.begin(), dropped.end(), [&](const auto& d) {
      // A single's wider keys keep the single's method and predicate, whatever INCLUDE.
      const bool same = d.second.size() == 1 ? std::get<0>(d.first) == std::get<0>(p) &&
                                                   std::get<1>(d.first) == std::get<1>(p) &&
                                                   std::get<2>(d.first) == std::get<2>(p)
                                             : d.first == p;
      return same && t.size() >= d.second.size() &&
             std::equal(d.second.begin(), d.second.end(), t.begin());
    });
  });
  return Status::OK();
}

Result<const std::map<std::string, Pipeline::PartitionedIndex>*> Pipeline::PartitionedIndexes(
    pg::Connection& conn) {
  if (partitioned_indexes_) return &*partitioned_indexes_;
  // Top-level valid indexes of partitioned tables with plain key columns and no predicate,
  // each with the names of its leaf partitions' indexes.
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT li.relname::text, n.nspname::text, t.relname::text, pix.relname::text, "
                "ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY "
                "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum "
                "= k.attnum WHERE k.ord <= x.indnkeyatts ORDER BY k.ord) "
                "FROM pg_index x JOIN pg_class pix ON pix.oid = x.indexrelid "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "CROSS JOIN LATERAL pg_partition_tree(x.indexrelid) pt "
                "JOIN pg_class li ON li.oid = pt.relid "
                "WHERE pix.relkind = 'I' AND NOT pix.relispartition AND pt.isleaf "
                "AND x.indpred IS NULL AND x.indisvalid AND NOT (0 = ANY (x.indkey::int2[])) "
                "AND pix.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')"));
  std::map<std::string, PartitionedIndex> out;
  for (int i = 0; i < r.rows(); ++i) {
    PartitionedIndex p;
    p.table = {std::string(r.Get(i, 1)), std::string(r.Get(i, 2))};
    p.name = r.Get(i, 3);
    p.key_columns = r.GetTextArray(i, 4);
    out.emplace(std::string(r.Get(i, 0)), std::move(p));
  }
  partitioned_indexes_ = std::move(out);
  return &*partitioned_indexes_;
}

Result<AdviseResult> Pipeline::Run() {
  pg::Connection& conn = *request_.target;
  const int v = conn.server_version_num();
  const std::string version =
      "PostgreSQL " + std::to_string(v / 10000) + "." + std::to_string(v % 10000);
  std::string target = "sandbox (" + version + ")";
  if (request_.live) {
    DBARCH_RETURN_IF_ERROR(CheckLiveTarget(conn));
    target = conn.DisplayName() + " (" + version + ")";
  }
  AdviseResult result = Fresh(target);
  // Read before any EXPLAIN: the planner's own index probes (the actual minimum or maximum
  // of a column for a range estimate) count in idx_scan.
  DBARCH_ASSIGN_OR_RETURN(existing_, ReadExistingIndexes(conn));
  DBARCH_ASSIGN_OR_RETURN(std::vector<IndexDef> chosen,
                          Recommend(conn, *request_.workload, *request_.catalog, request_.live,
                                    /*forbidden=*/{}, result));
  // Before verification builds anything: the drops are about the schema as given.
  DBARCH_RETURN_IF_ERROR(Drops(conn, request_.live, result));
  if (request_.verify_target != nullptr) {
    DBARCH_RETURN_IF_ERROR(
        Verify(*request_.verify_target, *request_.workload, chosen, options_.timeout_ms, result));
    // An index removed for a regression leaves its queries to the rest of the set; the
    // search may have an alternative (another key order, a partial index) that it passed
    // over because the removed one looked cheaper. So search again without every removed
    // index, from a verification server without the indexes just built, and verify that
    // set instead; at most kMaxSearchRounds searches in all.
    std::vector<AdviseIndex> removed;
    for (int round = 1; round < kMaxSearchRounds; ++round) {
      size_t before = removed.size();
      for (const AdviseIndex& idx : result.indexes) {
        if (idx.dropped && idx.drop_reason.rfind("made ", 0) == 0) removed.push_back(idx);
      }
      if (removed.size() == before) break;
      Progress("searching again without " + std::to_string(regressed_.size()) +
               " index(es) measured slower");
      pg::Connection& verify = *request_.verify_target;
      DBARCH_RETURN_IF_ERROR(verify.ExecScript("SET statement_timeout = 0"));
      for (size_t i = 0; i < chosen.size() && i < result.indexes.size(); ++i) {
        DBARCH_RETURN_IF_ERROR(verify.ExecScript("DROP INDEX IF EXISTS " +
                                                 QuoteIdent(chosen[i].table.schema) + "." +
                                                 QuoteIdent(result.indexes[i].name)));
      }
      AdviseResult again = Fresh(target);
      planned_.clear();
      unplannable_.clear();
      DBARCH_ASSIGN_OR_RETURN(chosen, Recommend(conn, *request_.workload, *request_.catalog,
                                                request_.live, regressed_, again));
      DBARCH_RETURN_IF_ERROR(
          Verify(verify, *request_.workload, chosen, options_.timeout_ms, again));
      again.whatif_calls += result.whatif_calls;
      again.cost_cache_hits += result.cost_cache_hits;
      again.runtime_ms += result.runtime_ms;
      again.drops = std::move(result.drops);
      again.drops_size_bytes = result.drops_size_bytes;
      again.kept_indexes = std::move(result.kept_indexes);
      again.unused_not_checked = std::move(result.unused_not_checked);
      again.index_stats_reset = std::move(result.index_stats_reset);
      again.search_rounds = round + 1;
      // What the guard did in the earlier rounds stays on the queries' lines.
      if (result.verify && again.verify) {
        for (const AdviseVerifyQuery& old : result.verify->queries) {
          if (old.regression.empty()) continue;
          for (AdviseVerifyQuery& q : again.verify->queries) {
            if (q.query != old.query) continue;
            q.regression = "search " + std::to_string(round) + ": " + old.regression +
                           (q.regression.empty()
                                ? ""
                                : "; search " + std::to_string(round + 1) + ": " + q.regression);
          }
        }
      }
      result = std::move(again);
    }
    // What was removed in earlier rounds stays in the report, with its reason.
    for (AdviseIndex& idx : removed) {
      bool listed = std::any_of(result.indexes.begin(), result.indexes.end(),
                                [&](const AdviseIndex& x) { return x.name == idx.name; });
      if (listed) continue;
      idx.drop_reason += "; searched again without it";
      result.indexes.push_back(std::move(idx));
    }
    std::stable_sort(result.indexes.begin(), result.indexes.end(),
                     [](const AdviseIndex& a, const AdviseIndex& b) { return a.name < b.name; });
  }
  result.total_size_bytes = 0;
  for (const AdviseIndex& idx : result.indexes) {
    if (!idx.dropped) result.total_size_bytes += idx.size_bytes;
  }
  return result;
}

}  // namespace

Status CheckLiveTarget(pg::Connection& conn) {
  // The invariant everything on a live server relies on; pg::Connection sets it, this
  // checks it.
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult ro, conn.Exec("SHOW default_transaction_read_only"));
  if (ro.rows() != 1 || ro.Get(0, 0) != "on") {
    return Status::Internal("the --dsn session is not read-only by default");
  }
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult hypopg,
                          conn.Exec("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'"));
  if (hypopg.GetInt(0, 0) == 0) {
    return Status::NotFound("extension \"hypopg\" is not installed in " + conn.DisplayName())
        .WithHint(
            "dbarch never installs anything on a --dsn server: ask a superuser to run CREATE "
            "EXTENSION hypopg in that database (Debian/Ubuntu package postgresql-15-hypopg), "
            "or use a sandbox (--schema)");
  }
  return Status::OK();
}

Result<AdviseResult> Advise(const AdviseRequest& request, AdviseListener* listener) {
  DBARCH_CHECK(
      request.target != nullptr && request.catalog != nullptr && request.workload != nullptr,
      "Advise needs a target, a catalog and a workload");
  if (request.live && request.verify_target == request.target) {
    return Status::InvalidArgument(
        "verification builds indexes: on a live target it needs a separate sandbox");
  }
  AdviseListener silent;
  Pipeline pipeline(request, listener != nullptr ? *listener : silent);
  return pipeline.Run();
}

}  // namespace dbarch::advisor
