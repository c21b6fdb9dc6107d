#include "advisor/drops.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "advisor/whatif.h"
#include "base/strings.h"

namespace dbarch::advisor {
namespace {

// A cost that rises by more than this fraction without the index means the index matters.
constexpr double kCostTolerance = 0.001;

bool ByTableAndName(const ExistingIndex& a, const ExistingIndex& b) {
  if (a.table != b.table) return a.table < b.table;
  return a.name < b.name;
}

// Higher is better to keep among duplicates.
auto KeepRank(const ExistingIndex& i) {
  return std::make_tuple(!i.Protection().empty(), i.unique, i.replica_identity, i.clustered,
                         i.idx_scan, -i.oid);
}

std::string ClusterNote(const ExistingIndex& i) {
  if (!i.clustered) return "";
  return "it is the table's CLUSTER index: mark another one with ALTER TABLE ... CLUSTER ON, or "
         "ALTER TABLE ... SET WITHOUT CLUSTER";
}

std::string KeyList(const ExistingIndex& i) {
  std::vector<std::string> keys(i.columns.begin(), i.columns.begin() + i.key_columns);
  return "(" + Join(keys, ", ") + ")";
}

bool SamePrefix(const ExistingIndex& shorter, const ExistingIndex& longer) {
  if (shorter.key_columns >= longer.key_columns) return false;
  for (int k = 0; k < shorter.key_columns; ++k) {
    if (shorter.signature[k] != longer.signature[k]) return false;
  }
  // INCLUDE columns of the shorter one must be in the longer one (key or INCLUDE).
  for (size_t k = static_cast<size_t>(shorter.key_columns); k < shorter.columns.size(); ++k) {
    if (std::find(longer.columns.begin(), longer.columns.end(), shorter.columns[k]) ==
        longer.columns.end()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string ExistingIndex::QualifiedName() const {
  return QuoteIdent(table.schema) + "." + QuoteIdent(name);
}

std::string ExistingIndex::Protection() const {
  if (!constraint.empty()) return "it backs constraint " + QuoteIdent(constraint);
  if (!referencing_foreign_key.empty()) {
    return "foreign key " + QuoteIdent(referencing_foreign_key) + " depends on it";
  }
  if (replica_identity) return "it is the table's replica identity (logical replication)";
  return "";
}

const char* DropKindName(DropKind kind) {
  switch (kind) {
    case DropKind::kDuplicate:
      return "duplicate";
    case DropKind::kPrefix:
      return "prefix";
    case DropKind::kUnused:
      return "unused";
  }
  return "duplicate";
}

std::string DropProposal::DropSql() const {
  return "DROP INDEX CONCURRENTLY " + index.QualifiedName();
}

std::string DropProposal::RollbackSql() const {
  std::string sql = index.definition;
  size_t at = sql.find("INDEX ");
  if (at != std::string::npos) sql.insert(at + 6, "CONCURRENTLY ");
  return sql;
}

Result<std::vector<ExistingIndex>> ReadExistingIndexes(pg::Connection& conn) {
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult rows,
      conn.Exec("SELECT i.indexrelid::bigint, n.nspname, t.relname, ic.relname, am.amname, "
                " pg_get_indexdef(i.indexrelid), i.indnkeyatts, i.indisunique, "
                " i.indisvalid AND i.indisready, i.indisreplident, i.indisclustered, "
                " coalesce(pg_get_expr(i.indpred, i.indrelid), ''), "
                " coalesce((SELECT c.conname FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "   AND c.contype IN ('p', 'u', 'x') AND c.conrelid = i.indrelid LIMIT 1), ''), "
                " coalesce((SELECT min(f.conname) FROM pg_constraint f WHERE f.contype = 'f' "
                "   AND f.conindid = i.indexrelid), ''), "
                " pg_relation_size(i.indexrelid), coalesce(s.idx_scan, 0), "
                " ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) "
                "   FROM generate_series(1, i.indnatts) AS k ORDER BY k), "
                " ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) || ' ' || "
                "   coalesce(i.indclass[k - 1]::text, '') || ' ' || "
                "   coalesce(i.indcollation[k - 1]::text, '') || ' ' || "
                "   coalesce(i.indoption[k - 1]::text, '') "
                "   FROM generate_series(1, i.indnatts) AS k ORDER BY k) "
                "FROM pg_index i "
                "JOIN pg_class ic ON ic.oid = i.indexrelid "
                "JOIN pg_class t ON t.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "JOIN pg_am am ON am.oid = ic.relam "
                "LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid "
                "WHERE t.relkind IN ('r', 'm') AND ic.relkind = 'i' "
                " AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                " AND n.nspname !~ '^pg_(toast|temp_)' "
                " AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) "
                " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
                "   AND d.objid = t.oid AND d.deptype = 'e') "
                "ORDER BY n.nspname, t.relname, ic.relname"));
  std::vector<ExistingIndex> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) {
    ExistingIndex i;
    i.oid = rows.GetInt(r, 0);
    i.table = {std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2))};
    i.name = std::string(rows.Get(r, 3));
    i.method = std::string(rows.Get(r, 4));
    i.definition = std::string(rows.Get(r, 5));
    i.key_columns = static_cast<int>(rows.GetInt(r, 6));
    i.unique = rows.GetBool(r, 7);
    i.valid = rows.GetBool(r, 8);
    i.replica_identity = rows.GetBool(r, 9);
    i.clustered = rows.GetBool(r, 10);
    i.predicate = std::string(rows.Get(r, 11));
    i.constraint = std::string(rows.Get(r, 12));
    i.referencing_foreign_key = std::string(rows.Get(r, 13));
    i.size_bytes = rows.GetInt(r, 14);
    i.idx_scan = rows.GetInt(r, 15);
    i.columns = rows.GetTextArray(r, 16);
    i.signature = rows.GetTextArray(r, 17);
    if (i.signature.size() != i.columns.size() ||
        i.key_columns > static_cast<int>(i.columns.size())) {
      return Status::Internal("inconsistent column lists read for index " + i.QualifiedName());
    }
    out.push_back(std::move(i));
  }
  return out;
}

DropAnalysis FindRedundantIndexes(const std::vector<ExistingIndex>& indexes) {
  DropAnalysis out;
  std::set<int64_t> dropped;
  // Duplicates: group valid indexes by everything a scan depends on.
  std::map<std::string, std::vector<const ExistingIndex*>> groups;
  for (const ExistingIndex& i : indexes) {
    if (!i.valid) continue;
    std::string key = i.table.schema + "." + i.table.name + "\n" + i.method + "\n" +
                      std::to_string(i.key_columns) + "\n" + Join(i.signature, "\n") + "\nWHERE " +
                      i.predicate;
    groups[key].push_back(&i);
  }
  for (auto& [key, group] : groups) {
    if (group.size() < 2) continue;
    std::sort(group.begin(), group.end(), [](const ExistingIndex* a, const ExistingIndex* b) {
      return KeepRank(*a) > KeepRank(*b);
    });
    const ExistingIndex& keeper = *group[0];
    for (size_t k = 1; k < group.size(); ++k) {
      const ExistingIndex& other = *group[k];
      std::string same = "same definition as " + keeper.QualifiedName();
      if (std::string why = other.Protection(); !why.empty()) {
        out.kept.push_back({other, DropKind::kDuplicate,
                            same + ", but " + why + ": drop or change that first if intended"});
        continue;
      }
      DropProposal p;
      p.index = other;
      p.kind = DropKind::kDuplicate;
      p.covered_by = keeper.QualifiedName();
      p.covered_by_oid = keeper.oid;
      p.reason = "duplicate: " + same;
      if (other.unique && !keeper.unique) p.reason += " (which is not UNIQUE)";
      p.note = ClusterNote(other);
      dropped.insert(other.oid);
      out.drops.push_back(std::move(p));
    }
  }
  // Prefixes: a shorter B-tree served by a longer one that stays.
  for (const ExistingIndex& a : indexes) {
    if (!a.valid || a.method != "btree" || dropped.count(a.oid) > 0) continue;
    const ExistingIndex* longer = nullptr;
    for (const ExistingIndex& b : indexes) {
      if (&a == &b || !b.valid || b.method != "btree" || dropped.count(b.oid) > 0) continue;
      if (b.table != a.table || b.predicate != a.predicate || !SamePrefix(a, b)) continue;
      if (longer == nullptr || b.name < longer->name) longer = &b;
    }
    if (longer == nullptr) continue;
    std::string prefix =
        "its keys " + KeyList(a) + " lead " + longer->QualifiedName() + " " + KeyList(*longer);
    if (std::string why = a.Protection(); !why.empty()) {
      out.kept.push_back({a, DropKind::kPrefix, prefix + ", but " + why});
      continue;
    }
    if (a.unique) {
      out.kept.push_back({a, DropKind::kPrefix,
                          prefix + ", but it is UNIQUE: it enforces uniqueness of " + KeyList(a) +
                              " that the longer index does not"});
      continue;
    }
    DropProposal p;
    p.index = a;
    p.kind = DropKind::kPrefix;
    p.covered_by = longer->QualifiedName();
    p.covered_by_oid = longer->oid;
    p.reason = "prefix-redundant: " + prefix + ", which serves the same scans";
    p.note = ClusterNote(a);
    dropped.insert(a.oid);
    out.drops.push_back(std::move(p));
  }
  // A duplicate whose keeper turned out prefix-redundant is served by the longer index.
  for (DropProposal& d : out.drops) {
    if (d.kind != DropKind::kDuplicate) continue;
    for (const DropProposal& p : out.drops) {
      if (p.kind != DropKind::kPrefix || p.index.oid != d.covered_by_oid) continue;
      d.reason += ", itself prefix-redundant: " + p.covered_by + " serves both";
      d.covered_by = p.covered_by;
      d.covered_by_oid = p.covered_by_oid;
    }
  }
  auto by_index = [](const auto& x, const auto& y) { return ByTableAndName(x.index, y.index); };
  std::sort(out.drops.begin(), out.drops.end(), by_index);
  std::sort(out.kept.begin(), out.kept.end(), by_index);
  return out;
}

Result<UnusedResult> FindUnusedIndexes(pg::Connection& conn,
                                       const std::vector<ExistingIndex>& indexes,
                                       const std::vector<PlannedQuery>& queries,
                                       const std::vector<DropProposal>& already_proposed,
                                       const UnusedOptions& options) {
  UnusedResult out;
  // Every plan as the server stands: the index names it uses and its cost.
  std::set<std::string> used;
  std::vector<double> base_costs;
  std::set<catalog::QualifiedName> read_tables;
  for (const PlannedQuery& q : queries) {
    Result<std::string> json = ExplainQueryJson(conn, *q.query, options.explain);
    if (!json.ok()) {
      if (json.status().code() == StatusCode::kConnection) return std::move(json).TakeStatus();
      out.not_checked = json.status().message();
      return out;
    }
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> names, IndexNamesFromExplainJson(*json));
    used.insert(names.begin(), names.end());
    DBARCH_ASSIGN_OR_RETURN(double cost, TotalCostFromExplainJson(*json));
    base_costs.push_back(cost);
    read_tables.insert(q.tables.begin(), q.tables.end());
  }
  // Plans that use an index proposed for dropping will use the one covering it instead.
  std::set<int64_t> used_oids;
  std::set<int64_t> proposed;
  for (const DropProposal& p : already_proposed) {
    proposed.insert(p.index.oid);
    if (used.count(p.index.name) > 0) used_oids.insert(p.covered_by_oid);
  }
  for (const ExistingIndex& i : indexes) {
    if (!i.valid || read_tables.count(i.table) == 0 || proposed.count(i.oid) > 0) continue;
    if (used.count(i.name) > 0 || used_oids.count(i.oid) > 0) continue;
    // Constraint indexes and UNIQUE indexes do more than serve scans: not candidates.
    if (!i.Protection().empty() || i.unique) continue;
    std::string reason =
        "unused: no plan of the workload's queries on " + i.table.Quoted() + " uses it";
    if (options.require_no_scans) {
      if (i.idx_scan > 0) {
        out.kept.push_back({i, DropKind::kUnused,
                            "no workload plan uses it, but the server counted " +
                                std::to_string(i.idx_scan) + " index scans since the stats reset"});
        continue;
      }
      reason += ", and the server counted no scan of it since the statistics were reset";
    }
    if (options.confirm_by_hiding) {
      DBARCH_RETURN_IF_ERROR(
          conn.ExecScript("BEGIN; UPDATE pg_index SET indisvalid = false "
                          "WHERE indexrelid = " +
                          std::to_string(i.oid)));
      std::string rises;
      Status failed;
      for (size_t k = 0; k < queries.size() && rises.empty(); ++k) {
        const PlannedQuery& q = queries[k];
        bool touches = q.tables.empty() ||
                       std::find(q.tables.begin(), q.tables.end(), i.table) != q.tables.end();
        if (!touches) continue;
        ExplainMode inside;  // already in a transaction: setup and teardown run plainly
        Result<std::string> json = ExplainQueryJson(conn, *q.query, inside);
        if (!json.ok()) {
          failed = std::move(json).TakeStatus();
          break;
        }
        Result<double> cost = TotalCostFromExplainJson(*json);
        if (!cost.ok()) {
          failed = std::move(cost).TakeStatus();
          break;
        }
        if (*cost > base_costs[k] * (1 + kCostTolerance)) rises = q.query->name;
      }
      Status rolled_back = conn.ExecScript("ROLLBACK");
      if (!failed.ok())
        return std::move(failed).WithContext("re-costing without " + i.QualifiedName());
      DBARCH_RETURN_IF_ERROR(rolled_back);
      if (!rises.empty()) {
        out.kept.push_back({i, DropKind::kUnused,
                            "no workload plan names it, but the estimated cost of query '" + rises +
                                "' rises without it (a uniqueness proof or expression "
                                "statistics the plan does not name)"});
        continue;
      }
      reason += "; the estimated workload cost is unchanged without it";
    }
    std::vector<std::string> covers;
    for (const DropProposal& d : already_proposed) {
      if (d.covered_by_oid == i.oid) covers.push_back(d.index.QualifiedName());
    }
    if (!covers.empty()) {
      reason += " (nor " + Join(covers, ", ") + ", proposed because it covers them)";
    }
    DropProposal p;
    p.index = i;
    p.kind = DropKind::kUnused;
    p.reason = std::move(reason);
    p.note = ClusterNote(i);
    out.drops.push_back(std::move(p));
  }
  return out;
}

}  // namespace dbarch::advisor
