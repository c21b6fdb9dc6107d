// detach-partition-without-concurrently: ALTER TABLE ... DETACH PARTITION without
// CONCURRENTLY on an existing partitioned table (PostgreSQL 14+).
//
// Why: a plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table, so
// every query on any partition waits for it (and it waits for every running query).
// DETACH PARTITION ... CONCURRENTLY needs only SHARE UPDATE EXCLUSIVE on the parent.
// Fix: ALTER TABLE parent DETACH PARTITION part CONCURRENTLY, alone in its statement and
// outside a transaction block; if it is interrupted, finish it with ... FINALIZE.
// False positives: not reported before PostgreSQL 14 (no alternative exists) nor when the
// parent has a DEFAULT partition (CONCURRENTLY is refused then).
// Example: ALTER TABLE events DETACH PARTITION events_2020;  ->
//          ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class DetachPartitionWithoutConcurrently final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "detach-partition-without-concurrently",
        Family::kMigration,
        Severity::kWarning,
        "DETACH PARTITION without CONCURRENTLY on an existing partitioned table",
        "A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: "
        "every query on any of its partitions waits. With CONCURRENTLY (PostgreSQL 14+) the "
        "parent is locked only in SHARE UPDATE EXCLUSIVE mode.",
        "Use DETACH PARTITION ... CONCURRENTLY (alone, outside a transaction block); if it is "
        "interrupted, complete it with DETACH PARTITION ... FINALIZE.",
        "ALTER TABLE events DETACH PARTITION events_2020;",
        "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (ctx.config->target_version < 14) return;
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) return;
    const PgQuery__AlterTableStmt* s = n->alter_table_stmt;
    for (const sql::Node* c : sql::Nodes(s->n_cmds, s->cmds)) {
      const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD) {
        continue;
      }
      const PgQuery__PartitionCmd* pc = cmd->def->partition_cmd;
      if (pc->concurrent) continue;
      TargetTable parent = ResolveTarget(ctx, s->relation);
      if (!parent.existing) continue;
      bool has_default = false;
      for (const catalog::QualifiedName& p : Partitions(*ctx.catalog, parent.name)) {
        const catalog::Table* t = ctx.catalog->FindTable(p);
        has_default |= t != nullptr && t->partition_bound == "DEFAULT";
      }
      if (has_default) continue;  // CONCURRENTLY is refused when a default partition exists
      catalog::QualifiedName part = NameAsWritten(pc->name);
      if (auto q = ResolveRelation(*ctx.catalog, pc->name)) part = *q;
      std::string stmt =
          "ALTER TABLE " + SqlName(parent.name) + " DETACH PARTITION " + SqlName(part);
      std::string fix = stmt +
                        " CONCURRENTLY;\n-- outside a transaction block; if interrupted: " + stmt +
                        " FINALIZE;";
      out.Report(pc->name != nullptr ? pc->name->location : -1,
                 "DETACH PARTITION " + TableLabel(part) +
                     " without CONCURRENTLY takes an ACCESS "
                     "EXCLUSIVE lock on " +
                     TableLabel(parent.name) + ", blocking every query on the partitioned table",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_detach_partition_without_concurrently() {
  return std::make_unique<DetachPartitionWithoutConcurrently>();
}

}  // namespace dbarch::lint
