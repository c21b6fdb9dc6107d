#include "advisor/whatif.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "advisor/size_model.h"
#include "base/strings.h"

namespace dbarch::advisor {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  quoted.reserve(names.size());
  for (const std::string& n : names) quoted.push_back(QuoteIdent(n));
  return Join(quoted, ", ");
}

// HypoPG's message when its oid range is used up ("hypopg: not more oid available").
bool IsOidExhausted(const Status& st) {
  return st.message().find("oid available") != std::string::npos;
}

}  // namespace

const char* IndexMethodName(IndexMethod method) {
  switch (method) {
    case IndexMethod::kBtree:
      return "btree";
    case IndexMethod::kHash:
      return "hash";
    case IndexMethod::kBrin:
      return "brin";
    case IndexMethod::kGin:
      return "gin";
    case IndexMethod::kGist:
      return "gist";
  }
  return "btree";
}

IndexKey IndexKey::Column(std::string name, bool descending, NullsOrder nulls) {
  IndexKey k;
  k.column = std::move(name);
  k.descending = descending;
  // Spelled-out defaults compare equal to unspelled ones.
  if ((nulls == NullsOrder::kLast && !descending) || (nulls == NullsOrder::kFirst && descending)) {
    nulls = NullsOrder::kDefault;
  }
  k.nulls = nulls;
  return k;
}

IndexKey IndexKey::Expression(std::string sql, std::vector<std::string> columns) {
  IndexKey k;
  k.expression = std::move(sql);
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  k.expression_columns = std::move(columns);
  return k;
}

namespace {

std::string KeySuffix(const IndexKey& k, bool upper) {
  std::string out;
  if (!k.opclass.empty()) out += " " + k.opclass;
  if (k.descending) out += upper ? " DESC" : " desc";
  if (k.nulls == NullsOrder::kFirst) out += upper ? " NULLS FIRST" : " nulls first";
  if (k.nulls == NullsOrder::kLast) out += upper ? " NULLS LAST" : " nulls last";
  return out;
}

}  // namespace

std::string IndexKey::Text() const {
  return (IsExpression() ? "(" + expression + ")" : column) + KeySuffix(*this, false);
}

std::string IndexKey::Sql() const {
  return (IsExpression() ? "(" + expression + ")" : QuoteIdent(column)) + KeySuffix(*this, true);
}

IndexDef IndexDef::OnColumns(catalog::QualifiedName table, std::vector<std::string> columns) {
  IndexDef d;
  d.table = std::move(table);
  d.keys.reserve(columns.size());
  for (std::string& c : columns) d.keys.push_back(IndexKey::Column(std::move(c)));
  return d;
}

bool IndexDef::IsPlainBtree() const {
  if (method != IndexMethod::kBtree || !predicate.empty()) return false;
  return std::all_of(keys.begin(), keys.end(), [](const IndexKey& k) {
    return !k.IsExpression() && !k.descending && k.nulls == NullsOrder::kDefault &&
           k.opclass.empty();
  });
}

bool IndexDef::IsHypotheticalSupported() const {
  return method == IndexMethod::kBtree || method == IndexMethod::kHash ||
         method == IndexMethod::kBrin;
}

std::vector<std::string> IndexDef::Columns() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& c) {
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (const IndexKey& k : keys) {
    if (k.IsExpression()) {
      for (const std::string& c : k.expression_columns) add(c);
    } else {
      add(k.column);
    }
  }
  for (const std::string& c : include) add(c);
  return out;
}

std::string IndexDef::RequiredExtension() const {
  for (const IndexKey& k : keys) {
    if (k.opclass == "gin_trgm_ops" || k.opclass == "gist_trgm_ops") return "pg_trgm";
  }
  return {};
}

std::string IndexDef::Key() const {
  std::string key = table.schema + "." + table.name;
  if (method != IndexMethod::kBtree) key += std::string(" using ") + IndexMethodName(method);
  key += "(";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) key += ",";
    key += keys[i].Text();
  }
  key += ")";
  if (!include.empty()) key += " include(" + Join(include, ",") + ")";
  if (!predicate.empty()) key += " where(" + predicate + ")";
  return key;
}

std::string IndexDef::CreateSql(std::string_view name) const {
  std::string sql = "CREATE INDEX ";
  if (!name.empty()) sql += QuoteIdent(name) + " ";
  sql += "ON " + table.Quoted();
  if (method != IndexMethod::kBtree) sql += std::string(" USING ") + IndexMethodName(method);
  sql += " (";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += keys[i].Sql();
  }
  sql += ")";
  if (!include.empty()) sql += " INCLUDE (" + QuotedList(include) + ")";
  if (!predicate.empty()) sql += " WHERE " + predicate;
  return sql;
}

Result<double> TotalCostFromExplainJson(std::string_view json) {
  // Fast path (every what-if call ends here; a TPC-H plan is 10-40 kB of JSON): EXPLAIN
  // prints a node's own properties, its costs among them, before its "Plans", so the first
  // "Total Cost" after the root "Plan" is the root's (explain.c: ExplainNode).
  constexpr std::string_view kPlan = "\"Plan\": {";
  constexpr std::string_view kTotal = "\"Total Cost\": ";
  if (size_t plan = json.find(kPlan); plan != std::string_view::npos) {
    if (size_t at = json.find(kTotal, plan); at != std::string_view::npos) {
      const char* begin = json.data() + at + kTotal.size();
      const char* end = json.data() + json.size();
      double value = 0;
      auto [ptr, ec] = std::from_chars(begin, end, value);
      if (ec == std::errc() && ptr != begin) return value;
    }
  }
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object()) {
    return Status::InvalidArgument("EXPLAIN output is not a JSON plan array");
  }
  auto plan = doc[0].find("Plan");
  if (plan == doc[0].end() || !plan->is_object()) {
    return Status::InvalidArgument("EXPLAIN output has no \"Plan\"");
  }
  auto cost = plan->find("Total Cost");
  if (cost == plan->end() || !cost->is_number()) {
    return Status::InvalidArgument("EXPLAIN plan has no numeric \"Total Cost\"");
  }
  return cost->get<double>();
}

WhatIfSession::WhatIfSession(pg::Connection* conn, const WhatIfOptions& options)
    : conn_(conn), options_(options), size_stats_(std::make_shared<SizeStatsCache>()) {}

WhatIfSession::WhatIfSession(WhatIfSession&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      options_(other.options_),
      saved_jit_(std::move(other.saved_jit_)),
      queries_(std::move(other.queries_)),
      live_(std::move(other.live_)),
      real_(std::move(other.real_)),
      cost_cache_(std::move(other.cost_cache_)),
      size_cache_(std::move(other.size_cache_)),
      hypopg_size_cache_(std::move(other.hypopg_size_cache_)),
      size_stats_(std::move(other.size_stats_)),
      stats_(other.stats_) {}

WhatIfSession& WhatIfSession::operator=(WhatIfSession&& other) noexcept {
  if (this != &other) {
    (void)Close();
    conn_ = std::exchange(other.conn_, nullptr);
    options_ = other.options_;
    saved_jit_ = std::move(other.saved_jit_);
    queries_ = std::move(other.queries_);
    live_ = std::move(other.live_);
    real_ = std::move(other.real_);
    cost_cache_ = std::move(other.cost_cache_);
    size_cache_ = std::move(other.size_cache_);
    hypopg_size_cache_ = std::move(other.hypopg_size_cache_);
    size_stats_ = std::move(other.size_stats_);
    stats_ = other.stats_;
  }
  return *this;
}

WhatIfSession::~WhatIfSession() { (void)Close(); }

Result<WhatIfSession> WhatIfSession::Open(pg::Connection& conn, const WhatIfOptions& options) {
  if (options.max_live_indexes < 1) {
    return Status::InvalidArgument("max_live_indexes must be at least 1");
  }
  DBARCH_ASSIGN_OR_RETURN(pg::QueryResult found,
                          conn.Exec("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'"));
  if (found.GetInt(0, 0) == 0) {
    if (!options.create_extension) {
      return Status::NotFound("extension \"hypopg\" is not installed in " + conn.DisplayName())
          .WithHint("run CREATE EXTENSION hypopg, or use a sandbox");
    }
    Status created = conn.ExecScript("CREATE EXTENSION IF NOT EXISTS hypopg");
    if (!created.ok()) {
      return std::move(created).WithContext("creating extension \"hypopg\"");
    }
  }
  WhatIfSession session(&conn, options);
  if (options.disable_jit) {
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult jit,
                            conn.Exec("SELECT current_setting('jit'), set_config('jit', 'off', "
                                      "false)"));
    session.saved_jit_ = std::string(jit.Get(0, 0));
  }
  DBARCH_RETURN_IF_ERROR(session.Reset());
  session.stats_.resets = 0;  // the opening reset is not a limit reset
  return session;
}

int WhatIfSession::AddQuery(const workload::Query& query,
                            std::vector<catalog::QualifiedName> tables,
                            std::vector<std::pair<catalog::QualifiedName, std::string>> columns) {
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  queries_.push_back(QueryEntry{query, std::move(tables), std::move(columns)});
  return static_cast<int>(queries_.size()) - 1;
}

bool WhatIfSession::Touches(const QueryEntry& q, const catalog::QualifiedName& table) const {
  return q.tables.empty() || std::binary_search(q.tables.begin(), q.tables.end(), table);
}

bool WhatIfSession::IsRelevant(const QueryEntry& q, const IndexDef& index) const {
  if (!Touches(q, index.table)) return false;
  if (q.columns.empty()) return true;
  auto mentioned = [&](const std::string& column) {
    return std::binary_search(q.columns.begin(), q.columns.end(),
                              std::make_pair(index.table, column));
  };
  // The planner uses a partial index only when the query's own conditions imply its
  // predicate, which needs the predicate's columns.
  if (!std::all_of(index.predicate_columns.begin(), index.predicate_columns.end(), mentioned)) {
    return false;
  }
  for (const IndexKey& k : index.keys) {
    if (k.IsExpression()) {
      if (std::any_of(k.expression_columns.begin(), k.expression_columns.end(), mentioned)) {
        return true;
      }
    } else if (mentioned(k.column)) {
      return true;
    }
  }
  return std::any_of(index.include.begin(), index.include.end(), mentioned);
}

bool WhatIfSession::CanCost(const IndexDef& index) const {
  return index.IsHypotheticalSupported() || options_.build_unsimulated;
}

Status WhatIfSession::Reset() {
  if (conn_ == nullptr) return Status::InvalidArgument("what-if session is closed");
  auto start = std::chrono::steady_clock::now();
  Status st = conn_->ExecScript("SELECT hypopg_reset()");
  stats_.index_ms += MsSince(start);
  live_.clear();
  ++stats_.resets;
  return st;
}

Status WhatIfSession::Close() {
  if (conn_ == nullptr) return Status::OK();
  Status st = Reset();
  if (!saved_jit_.empty()) {
    Status restored =
        conn_->ExecScript("SELECT set_config('jit', " + QuoteLiteral(saved_jit_) + ", false)");
    if (st.ok() && !restored.ok()) st = std::move(restored).WithContext("restoring jit");
    saved_jit_.clear();
  }
  if (!real_.empty()) {
    std::vector<std::string> names;
    names.reserve(real_.size());
    for (const auto& [key, real] : real_) names.push_back(real.name);
    Status dropped = conn_->ExecScript("DROP INDEX IF EXISTS " + Join(names, ", "));
    if (st.ok() && !dropped.ok()) st = std::move(dropped).WithContext("dropping real indexes");
    real_.clear();
  }
  conn_ = nullptr;
  return st;
}

namespace {

Status NotVerifiable(const IndexDef& index) {
  return Status::NotSupported(std::string("index ") + index.Key() +
                              " is not verifiable without a sandbox: HypoPG cannot simulate " +
                              IndexMethodName(index.method) + " indexes");
}

}  // namespace

Result<WhatIfSession::RealIndex*> WhatIfSession::BuildReal(const IndexDef& index) {
  if (auto it = real_.find(index.Key()); it != real_.end()) return &it->second;
  if (!options_.build_unsimulated) return NotVerifiable(index);
  if (index.keys.empty()) {
    return Status::InvalidArgument("index on " + index.table.Quoted() + " has no key column");
  }
  auto start = std::chrono::steady_clock::now();
  if (std::string ext = index.RequiredExtension(); !ext.empty()) {
    Status st = conn_->ExecScript("CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(ext));
    if (!st.ok()) return std::move(st).WithContext("creating extension \"" + ext + "\"");
  }
  // Names unique per session; the index lives in its table's schema.
  const std::string name = "dbarch_whatif_" + std::to_string(stats_.real_builds + 1);
  const std::string qualified = QuoteIdent(index.table.schema) + "." + QuoteIdent(name);
  Status st = conn_->ExecScript(index.CreateSql(name));
  stats_.real_build_ms += MsSince(start);
  ++stats_.real_builds;
  if (!st.ok()) return std::move(st).WithContext("building index " + index.Key());
  Result<pg::QueryResult> oid =
      conn_->Exec("SELECT " + QuoteLiteral(qualified) + "::regclass::oid::bigint");
  if (!oid.ok()) return std::move(oid).TakeStatus().WithContext("finding index " + qualified);
  RealIndex& real = real_[index.Key()];
  real = RealIndex{index, oid->GetInt(0, 0), qualified, true};
  return &real;
}

Status WhatIfSession::ShowReal(const QueryEntry& q, const std::vector<std::string>& wanted_keys) {
  std::vector<std::string> show;
  std::vector<std::string> hide;
  for (auto& [key, real] : real_) {
    if (!Touches(q, real.def.table)) continue;
    bool want = std::binary_search(wanted_keys.begin(), wanted_keys.end(), key);
    if (want == real.valid) continue;
    (want ? show : hide).push_back(std::to_string(real.oid));
    real.valid = want;
  }
  if (show.empty() && hide.empty()) return Status::OK();
  auto start = std::chrono::steady_clock::now();
  std::string sql;
  if (!show.empty()) {
    sql += "UPDATE pg_index SET indisvalid = true WHERE indexrelid IN (" + Join(show, ",") + ");";
  }
  if (!hide.empty()) {
    sql += "UPDATE pg_index SET indisvalid = false WHERE indexrelid IN (" + Join(hide, ",") + ");";
  }
  Status st = conn_->ExecScript(sql);
  stats_.index_ms += MsSince(start);
  ++stats_.real_toggles;
  if (!st.ok()) return std::move(st).WithContext("showing/hiding real what-if indexes");
  return Status::OK();
}

Result<int64_t> WhatIfSession::Create(const IndexDef& index, int64_t* hypopg_size) {
  if (index.keys.empty()) {
    return Status::InvalidArgument("index on " + index.table.Quoted() + " has no key column");
  }
  if (static_cast<int>(live_.size()) >= options_.max_live_indexes) {
    DBARCH_RETURN_IF_ERROR(Reset());
  }
  // With hypopg_size, the size comes back in the same round trip.
  std::string sql = std::string("SELECT indexrelid") +
                    (hypopg_size != nullptr ? ", hypopg_relation_size(indexrelid)" : "") +
                    " FROM hypopg_create_index(" + QuoteLiteral(index.CreateSql()) + ")";
  auto start = std::chrono::steady_clock::now();
  Result<pg::QueryResult> r = conn_->Exec(sql);
  if (!r.ok() && IsOidExhausted(r.status()) && !live_.empty()) {
    // HypoPG's own limit is lower than options_.max_live_indexes: start over once.
    DBARCH_RETURN_IF_ERROR(Reset());
    r = conn_->Exec(sql);
  }
  stats_.index_ms += MsSince(start);
  ++stats_.index_creates;
  if (!r.ok()) {
    return std::move(r).TakeStatus().WithContext("creating hypothetical index " + index.Key());
  }
  if (r->rows() != 1) {
    return Status::Internal("hypopg_create_index returned no index for " + index.Key());
  }
  int64_t oid = r->GetInt(0, 0);
  live_[index.Key()] = LiveIndex{index, oid};
  if (hypopg_size != nullptr) {
    *hypopg_size = r->GetInt(0, 1);
    ++stats_.size_calls;
  }
  return oid;
}

Status WhatIfSession::DropOids(const std::vector<int64_t>& oids) {
  if (oids.empty()) return Status::OK();
  std::vector<std::string> parts;
  parts.reserve(oids.size());
  for (int64_t oid : oids) parts.push_back(std::to_string(oid));
  auto start = std::chrono::steady_clock::now();
  Status st = conn_->ExecScript("SELECT count(hypopg_drop_index(o)) FROM unnest('{" +
                                Join(parts, ",") + "}'::oid[]) AS o");
  stats_.index_ms += MsSince(start);
  stats_.index_drops += static_cast<int64_t>(oids.size());
  return st;
}

Result<int64_t> WhatIfSession::IndexSizeBytes(const IndexDef& index) {
  if (conn_ == nullptr) return Status::InvalidArgument("what-if session is closed");
  const std::string key = index.Key();
  if (auto it = size_cache_.find(key); it != size_cache_.end()) return it->second;
  if (!index.IsHypotheticalSupported()) {
    DBARCH_ASSIGN_OR_RETURN(RealIndex * real, BuildReal(index));
    auto start = std::chrono::steady_clock::now();
    Result<pg::QueryResult> r =
        conn_->Exec("SELECT pg_relation_size(" + std::to_string(real->oid) + ")");
    stats_.index_ms += MsSince(start);
    ++stats_.size_calls;
    if (!r.ok()) return std::move(r).TakeStatus().WithContext("sizing " + key);
    int64_t size = r->GetInt(0, 0);
    size_cache_[key] = size;
    hypopg_size_cache_[key] = size;
    return size;
  }
  int64_t size = 0;
  if (auto it = live_.find(key); it != live_.end()) {
    auto start = std::chrono::steady_clock::now();
    Result<pg::QueryResult> r =
        conn_->Exec("SELECT hypopg_relation_size(" + std::to_string(it->second.oid) + ")");
    stats_.index_ms += MsSince(start);
    ++stats_.size_calls;
    if (!r.ok()) return std::move(r).TakeStatus().WithContext("sizing " + key);
    size = r->GetInt(0, 0);
  } else {
    // Created and sized in one round trip.
    DBARCH_RETURN_IF_ERROR(Create(index, &size).status());
  }
  if (index.method == IndexMethod::kBrin) {
    // HypoPG 1.3.1 sizes a BRIN on a partitioned table from the parent, which holds no pages
    // (measured: 471 MB for 500,000 rows whose per-partition BRINs take 24 kB each). Such an
    // index is one BRIN per partition: sum HypoPG's sizes of those instead.
    DBARCH_ASSIGN_OR_RETURN(std::optional<int64_t> leaves, PartitionedBrinSize(index));
    if (leaves) size = *leaves;
  }
  hypopg_size_cache_[key] = size;
  if (options_.size_model) {
    auto model_start = std::chrono::steady_clock::now();
    // On a partitioned table: the model summed over the leaf partitions.
    Result<std::optional<int64_t>> modelled = ModelIndexSizeBytes(*conn_, index, size_stats_.get());
    stats_.index_ms += MsSince(model_start);
    if (!modelled.ok()) return std::move(modelled).TakeStatus().WithContext("size model of " + key);
    if (*modelled) size = **modelled;
  }
  size_cache_[key] = size;
  return size;
}

std::optional<int64_t> WhatIfSession::HypoPGSizeBytes(const IndexDef& index) const {
  auto it = hypopg_size_cache_.find(index.Key());
  if (it == hypopg_size_cache_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<int64_t>> WhatIfSession::PartitionedBrinSize(const IndexDef& index) {
  auto start = std::chrono::steady_clock::now();
  Result<pg::QueryResult> leaves = conn_->Exec(
      "SELECT n.nspname, c.relname FROM pg_partition_tree(" + QuoteLiteral(index.table.Quoted()) +
      "::regclass) t JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE t.isleaf AND t.level > 0 ORDER BY 1, 2");
  if (!leaves.ok())
    return std::move(leaves).TakeStatus().WithContext("partitions of " + index.Key());
  if (leaves->rows() == 0) return std::optional<int64_t>();
  int64_t total = 0;
  for (int i = 0; i < leaves->rows(); ++i) {
    IndexDef leaf = index;
    leaf.table = {std::string(leaves->Get(i, 0)), std::string(leaves->Get(i, 1))};
    // Created and dropped in one statement: a leaf's index must not stay visible to the
    // planner (queries name the parent, so MakeVisible would never hide it).
    Result<pg::QueryResult> r = conn_->Exec(
        "SELECT hypopg_relation_size(h.indexrelid), hypopg_drop_index(h.indexrelid) "
        "FROM hypopg_create_index(" +
        QuoteLiteral(leaf.CreateSql()) + ") h");
    ++stats_.size_calls;
    if (!r.ok()) return std::move(r).TakeStatus().WithContext("sizing " + leaf.Key());
    if (r->rows() == 1) total += r->GetInt(0, 0);
  }
  stats_.index_ms += MsSince(start);
  return std::optional<int64_t>(total);
}

Status WhatIfSession::SplitWanted(const std::vector<const IndexDef*>& all_wanted,
                                  std::vector<const IndexDef*>* wanted,
                                  std::vector<std::string>* wanted_keys,
                                  std::vector<std::string>* real_keys) {
  wanted->reserve(all_wanted.size());
  wanted_keys->reserve(all_wanted.size());
  for (const IndexDef* d : all_wanted) {
    if (d->IsHypotheticalSupported()) {
      wanted->push_back(d);
      wanted_keys->push_back(d->Key());
    } else {
      DBARCH_ASSIGN_OR_RETURN(RealIndex * real, BuildReal(*d));
      (void)real;
      real_keys->push_back(d->Key());
    }
  }
  // all_wanted is sorted by key, so both key lists are too.
  return Status::OK();
}

Status WhatIfSession::MakeVisible(const QueryEntry& q,
                                  const std::vector<const IndexDef*>& all_wanted) {
  std::vector<const IndexDef*> wanted;
  std::vector<std::string> wanted_keys;
  std::vector<std::string> real_keys;
  DBARCH_RETURN_IF_ERROR(SplitWanted(all_wanted, &wanted, &wanted_keys, &real_keys));
  DBARCH_RETURN_IF_ERROR(ShowReal(q, real_keys));
  std::vector<int64_t> drop;
  for (auto it = live_.begin(); it != live_.end();) {
    if (Touches(q, it->second.def.table) &&
        !std::binary_search(wanted_keys.begin(), wanted_keys.end(), it->first)) {
      drop.push_back(it->second.oid);
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  DBARCH_RETURN_IF_ERROR(DropOids(drop));
  if (static_cast<int>(wanted.size()) > options_.max_live_indexes) {
    return Status::InvalidArgument("configuration needs more than max_live_indexes (" +
                                   std::to_string(options_.max_live_indexes) +
                                   ") hypothetical indexes");
  }
  size_t missing = 0;
  for (const std::string& key : wanted_keys) missing += live_.count(key) == 0 ? 1 : 0;
  // Reset before the loop, not inside it, so no index of this configuration is lost.
  if (live_.size() + missing > static_cast<size_t>(options_.max_live_indexes)) {
    DBARCH_RETURN_IF_ERROR(Reset());
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (live_.count(wanted_keys[i]) != 0) continue;
    DBARCH_ASSIGN_OR_RETURN(int64_t oid, Create(*wanted[i]));
    (void)oid;
  }
  for (const std::string& key : wanted_keys) {
    if (live_.count(key) == 0) {
      // Create() reset HypoPG after its oids ran out: a configuration of this size does not
      // fit into one backend.
      return Status::InvalidArgument("HypoPG ran out of index oids while creating " + key);
    }
  }
  return Status::OK();
}

Result<double> WhatIfSession::Explain(const QueryEntry& q) {
  auto start = std::chrono::steady_clock::now();
  Result<std::string> json = ExplainQueryJson(*conn_, q.query, options_.explain);
  stats_.explain_ms += MsSince(start);
  ++stats_.explain_calls;
  if (!json.ok()) return std::move(json).TakeStatus();
  Result<double> cost = TotalCostFromExplainJson(*json);
  if (!cost.ok()) return std::move(cost).TakeStatus().WithContext("query \"" + q.query.name + "\"");
  return cost;
}

Result<std::optional<double>> WhatIfSession::ExplainInOneRoundTrip(
    const QueryEntry& q, const std::vector<const IndexDef*>& all_wanted) {
  const std::optional<std::string> explain = StandaloneExplainSql(q.query);
  if (!explain) return std::optional<double>();
  std::vector<const IndexDef*> wanted;
  std::vector<std::string> wanted_keys;
  std::vector<std::string> real_keys;
  DBARCH_RETURN_IF_ERROR(SplitWanted(all_wanted, &wanted, &wanted_keys, &real_keys));
  DBARCH_RETURN_IF_ERROR(ShowReal(q, real_keys));
  std::vector<std::string> drop_keys;
  std::vector<std::string> drop_oids;
  for (const auto& [key, live] : live_) {
    if (Touches(q, live.def.table) &&
        !std::binary_search(wanted_keys.begin(), wanted_keys.end(), key)) {
      drop_keys.push_back(key);
      drop_oids.push_back(std::to_string(live.oid));
    }
  }
  std::vector<size_t> missing;  // positions in `wanted`
  std::vector<std::string> definitions;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (live_.count(wanted_keys[i]) != 0) continue;
    if (wanted[i]->keys.empty()) return std::optional<double>();  // Create() reports it
    missing.push_back(i);
    definitions.push_back(QuoteLiteral(wanted[i]->CreateSql()));
  }
  // A reset is due: MakeVisible handles it.
  if (live_.size() - drop_keys.size() + missing.size() >
      static_cast<size_t>(options_.max_live_indexes)) {
    return std::optional<double>();
  }
  std::string sql;
  if (!drop_oids.empty()) {
    sql += "SELECT count(hypopg_drop_index(o)) FROM unnest('{" + Join(drop_oids, ",") +
           "}'::oid[]) AS o;\n";
  }
  if (!missing.empty()) {
    sql += "SELECT d.n, h.indexrelid FROM unnest(ARRAY[" + Join(definitions, ", ") +
           "]::text[]) WITH ORDINALITY AS d(def, n), LATERAL hypopg_create_index(d.def) AS h "
           "ORDER BY d.n;\n";
  }
  sql += *explain;
  auto start = std::chrono::steady_clock::now();
  Result<std::vector<pg::QueryResult>> results = conn_->ExecEach(sql);
  stats_.explain_ms += MsSince(start);
  if (!results.ok()) {
    if (results.status().code() == StatusCode::kConnection) return results.status();
    // Which steps ran is unknown (a definition or the query rejected, HypoPG out of oids):
    // forget every hypothetical index and let the step-by-step path report the failing
    // step (or succeed after the reset).
    DBARCH_RETURN_IF_ERROR(Reset());
    return std::optional<double>();
  }
  const size_t expected = (drop_oids.empty() ? 0 : 1) + (missing.empty() ? 0 : 1) + 1;
  if (results->size() < expected ||
      (!missing.empty() && (*results)[expected - 2].rows() != static_cast<int>(missing.size()))) {
    return Status::Internal("unexpected results of the what-if round trip for query \"" +
                            q.query.name + "\"");
  }
  ++stats_.explain_calls;
  stats_.index_drops += static_cast<int64_t>(drop_oids.size());
  stats_.index_creates += static_cast<int64_t>(missing.size());
  for (const std::string& key : drop_keys) live_.erase(key);
  if (!missing.empty()) {
    const pg::QueryResult& created = (*results)[expected - 2];
    for (int row = 0; row < created.rows(); ++row) {
      const int64_t n = created.GetInt(row, 0);
      if (n < 1 || n > static_cast<int64_t>(missing.size())) {
        return Status::Internal("hypopg_create_index returned an unexpected row");
      }
      const IndexDef& def = *wanted[missing[static_cast<size_t>(n - 1)]];
      live_[wanted_keys[missing[static_cast<size_t>(n - 1)]]] =
          LiveIndex{def, created.GetInt(row, 1)};
    }
  }
  const pg::QueryResult& plan = results->back();
  if (plan.rows() < 1 || plan.columns() < 1) {
    return Status::Internal("EXPLAIN of query \"" + q.query.name + "\" returned no plan");
  }
  Result<double> cost = TotalCostFromExplainJson(plan.Get(0, 0));
  if (!cost.ok()) return std::move(cost).TakeStatus().WithContext("query \"" + q.query.name + "\"");
  return std::optional<double>(*cost);
}

Result<double> WhatIfSession::Cost(int query_id, const std::vector<IndexDef>& indexes) {
  if (conn_ == nullptr) return Status::InvalidArgument("what-if session is closed");
  if (query_id < 0 || query_id >= static_cast<int>(queries_.size())) {
    return Status::InvalidArgument("unknown what-if query id " + std::to_string(query_id));
  }
  const QueryEntry& q = queries_[query_id];
  std::vector<std::pair<std::string, const IndexDef*>> relevant;
  for (const IndexDef& d : indexes) {
    if (IsRelevant(q, d)) relevant.emplace_back(d.Key(), &d);
  }
  std::sort(relevant.begin(), relevant.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  relevant.erase(std::unique(relevant.begin(), relevant.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 relevant.end());
  std::string cache_key = std::to_string(query_id) + "|";
  std::vector<const IndexDef*> wanted;
  wanted.reserve(relevant.size());
  for (const auto& [key, def] : relevant) {
    cache_key += key;
    cache_key += ';';
    wanted.push_back(def);
  }
  if (auto it = cost_cache_.find(cache_key); it != cost_cache_.end()) {
    ++stats_.cost_cache_hits;
    return it->second;
  }
  std::optional<double> cost;
  if (options_.one_round_trip) {
    DBARCH_ASSIGN_OR_RETURN(cost, ExplainInOneRoundTrip(q, wanted));
  }
  if (!cost) {
    DBARCH_RETURN_IF_ERROR(MakeVisible(q, wanted));
    DBARCH_ASSIGN_OR_RETURN(cost, Explain(q));
  }
  cost_cache_.emplace(std::move(cache_key), *cost);
  return *cost;
}

}  // namespace dbarch::advisor
