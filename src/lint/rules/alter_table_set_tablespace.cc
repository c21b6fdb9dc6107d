// alter-table-set-tablespace: ALTER TABLE/INDEX ... SET TABLESPACE on an existing table or
// its index, or ALTER TABLE ALL IN TABLESPACE ... SET TABLESPACE.
//
// Why: moving a relation copies all of its data files to the new tablespace while holding
// an ACCESS EXCLUSIVE lock (on the table, or on the index, which blocks every query that
// plans with it): on a big table that is minutes of downtime.
// Fix: move it online with pg_repack --tablespace (and --moveidx), or schedule a maintenance
// window.
// False positives: small tables.
// Example: ALTER TABLE orders SET TABLESPACE fast_ssd;  ->  pg_repack --table=orders
// --tablespace=fast_ssd --moveidx
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AlterTableSetTablespace final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "alter-table-set-tablespace",
        Family::kMigration,
        Severity::kWarning,
        "SET TABLESPACE copies an existing table or index under ACCESS EXCLUSIVE lock",
        "Moving a table or index to another tablespace copies all its data files while holding "
        "an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole copy.",
        "Move it online with pg_repack --tablespace (--moveidx for its indexes), or in a "
        "maintenance window.",
        "ALTER TABLE orders SET TABLESPACE fast_ssd;",
        "-- from a shell: pg_repack --table=orders --tablespace=fast_ssd --moveidx"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT) {
      const PgQuery__AlterTableMoveAllStmt* s = n->alter_table_move_all_stmt;
      out.Report(-1,
                 "moving every relation of tablespace " + Quoted(Str(s->orig_tablespacename)) +
                     " copies them one by one under ACCESS EXCLUSIVE locks",
                 "-- move tables online instead: pg_repack --table=<table> --tablespace=" +
                     QuoteIdent(Str(s->new_tablespacename)) + " --moveidx");
      return;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) return;
    const PgQuery__AlterTableStmt* s = n->alter_table_stmt;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace) continue;
      std::string space(Str(cmd->name));
      if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
        TargetTable t = ResolveTarget(ctx, s->relation);
        if (!t.existing) return;
        out.Report(-1,
                   "SET TABLESPACE copies " + TableLabel(t.name) +
                       " under ACCESS EXCLUSIVE lock, blocking reads and writes",
                   "-- move it online instead: pg_repack --table=" + SqlName(t.name) +
                       " --tablespace=" + QuoteIdent(space) + " --moveidx");
      } else if (s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX && s->relation != nullptr) {
        std::vector<std::string> parts;
        if (!Str(s->relation->schemaname).empty()) parts.emplace_back(Str(s->relation->schemaname));
        parts.emplace_back(Str(s->relation->relname));
        const catalog::Index* idx = FindIndex(*ctx.catalog, parts);
        std::string table = "its table";
        if (idx != nullptr) {
          if (!IsPreexistingTable(ctx, idx->table)) return;
          table = TableLabel(idx->table);
        } else if (SchemaIsKnown(ctx)) {
          return;
        }
        out.Report(-1,
                   "SET TABLESPACE copies index " + Quoted(parts.back()) +
                       " under ACCESS EXCLUSIVE lock, blocking queries on " + table +
                       " that use it",
                   "-- rebuild it in the new tablespace instead: CREATE INDEX CONCURRENTLY ... "
                   "TABLESPACE " +
                       QuoteIdent(space) + ", then DROP INDEX CONCURRENTLY the old one");
      }
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_alter_table_set_tablespace() {
  return std::make_unique<AlterTableSetTablespace>();
}

}  // namespace dbarch::lint
