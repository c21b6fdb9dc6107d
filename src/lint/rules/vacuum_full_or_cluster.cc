// vacuum-full-or-cluster: VACUUM FULL or CLUSTER on tables that existed before the file (or on
// the whole database).
//
// Why: both write a complete new copy of the table and rebuild every index while holding an
// ACCESS EXCLUSIVE lock: the table is unreadable and unwritable for the whole rewrite, and
// the copy needs as much free disk as the table itself. Without a table list they do this
// to every table (VACUUM FULL) or every previously clustered table (CLUSTER).
// Fix: rebuild online with pg_repack (or pg_squeeze), which copies the table while writes
// continue and takes the strong lock only for the final swap; plain VACUUM (no FULL)
// reclaims space for reuse without blocking.
// False positives: maintenance windows, small tables.
// Example: VACUUM FULL orders;  ->  pg_repack --table=orders
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class VacuumFullOrCluster final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "vacuum-full-or-cluster",
        Family::kMigration,
        Severity::kWarning,
        "VACUUM FULL or CLUSTER rewrites tables under ACCESS EXCLUSIVE lock",
        "VACUUM FULL and CLUSTER write a new copy of the table and rebuild its indexes while "
        "holding an ACCESS EXCLUSIVE lock: no reads or writes for the whole rewrite, and the "
        "copy needs as much free disk as the table.",
        "Rebuild online with pg_repack or pg_squeeze (strong lock only for the final swap), or "
        "use plain VACUUM, which does not block reads or writes.",
        "VACUUM FULL orders;",
        "-- from a shell: pg_repack --table=orders"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case == PG_QUERY__NODE__NODE_VACUUM_STMT) {
      const PgQuery__VacuumStmt* s = n->vacuum_stmt;
      if (!s->is_vacuumcmd || !HasOption(sql::Nodes(s->n_options, s->options), "full")) return;
      if (s->n_rels == 0) {
        out.Report(
            -1,
            "VACUUM FULL without a table list rewrites every table of the database under ACCESS "
            "EXCLUSIVE locks",
            std::string("-- rebuild bloated tables online instead: pg_repack --table=<table>"));
        return;
      }
      for (const sql::Node* r : sql::Nodes(s->n_rels, s->rels)) {
        if (r->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION ||
            r->vacuum_relation->relation == nullptr)
          continue;
        TargetTable t = ResolveTarget(ctx, r->vacuum_relation->relation);
        if (!t.existing) continue;
        out.Report(r->vacuum_relation->relation->location,
                   "VACUUM FULL rewrites " + TableLabel(t.name) +
                       " and its indexes under ACCESS EXCLUSIVE lock, blocking reads and writes",
                   "-- rebuild online instead: pg_repack --table=" + SqlName(t.name));
      }
      return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_CLUSTER_STMT) {
      const PgQuery__ClusterStmt* s = n->cluster_stmt;
      if (s->relation == nullptr) {
        out.Report(
            -1,
            "CLUSTER without a table rewrites every previously clustered table under ACCESS "
            "EXCLUSIVE locks",
            std::string(
                "-- rebuild online instead: pg_repack --table=<table> --order-by=<columns>"));
        return;
      }
      TargetTable t = ResolveTarget(ctx, s->relation);
      if (!t.existing) return;
      std::string order = "<columns>";
      if (!Str(s->indexname).empty()) {
        if (const catalog::Index* idx =
                FindIndex(*ctx.catalog, {t.name.schema, std::string(Str(s->indexname))})) {
          std::vector<std::string> cols;
          for (const catalog::IndexKey& k : idx->keys)
            cols.push_back(k.column.empty() ? k.expression : k.column);
          order = Join(cols, ",");
        }
      }
      out.Report(-1,
                 "CLUSTER rewrites " + TableLabel(t.name) +
                     " and its indexes under ACCESS EXCLUSIVE lock, blocking reads and writes",
                 "-- rebuild online instead: pg_repack --table=" + SqlName(t.name) +
                     " --order-by=" + order);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_vacuum_full_or_cluster() {
  return std::make_unique<VacuumFullOrCluster>();
}

}  // namespace dbarch::lint
