// ban-drop-table: DROP TABLE of a table that existed before the file.
//
// Why: it destroys the data irrecoverably (short of a restore) and breaks running code that
// still uses the table. It also takes ACCESS EXCLUSIVE locks on every table its foreign keys
// reference (their triggers are dropped), and fails while other tables' foreign keys point
// at it, unless CASCADE silently drops those constraints.
// Fix: stop using the table in the application first; then rename it (or revoke access) and
// drop it in a later migration once nothing broke.
// False positives: tables that were already retired (suppress with the reason); tables
// created in the same file are never reported.
// Example: DROP TABLE legacy_events;  ->  retire it in the application, rename, drop later.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanDropTable final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-drop-table",
        Family::kMigration,
        Severity::kWarning,
        "an existing table is dropped",
        "DROP TABLE destroys the data and breaks running code that still uses the table; it "
        "also takes ACCESS EXCLUSIVE locks on the tables its foreign keys reference, and fails "
        "(or with CASCADE, silently drops their constraints) while other tables reference it.",
        "Stop using the table in the application first, then rename it (or revoke access) and "
        "drop it in a later migration once nothing broke.",
        "DROP TABLE legacy_events;",
        "-- after a deploy that no longer uses it:\n"
        "ALTER TABLE legacy_events RENAME TO legacy_events_retired;\n"
        "-- a later migration:\nDROP TABLE IF EXISTS legacy_events_retired;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_DROP_STMT) return;
    const PgQuery__DropStmt* s = n->drop_stmt;
    if (s->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) return;
    for (const sql::Node* o : sql::Nodes(s->n_objects, s->objects)) {
      if (o->node_case != PG_QUERY__NODE__NODE_LIST) continue;
      std::vector<std::string> parts = sql::StrList(o->list->items, o->list->n_items);
      if (parts.empty()) continue;
      PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
      std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "";
      rv.schemaname = schema.data();
      rv.relname = parts.back().data();
      TargetTable target = ResolveTarget(ctx, &rv);
      if (!target.existing) continue;
      std::string msg = "dropping table " + TableLabel(target.name) +
                        " destroys its data and breaks running application code that still uses it";
      std::vector<catalog::QualifiedName> refs = ReferencingTables(*ctx.catalog, target.name);
      if (!refs.empty()) {
        std::vector<std::string> labels;
        for (const catalog::QualifiedName& r : refs) labels.push_back(TableLabel(r));
        msg += std::string("; foreign keys from ") + Join(labels, ", ") +
               (s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE
                    ? " are dropped with it (CASCADE)"
                    : " make it fail without CASCADE");
      }
      out.Report(
          -1, msg,
          "-- stop using the table in the application and deploy first; then:\nALTER TABLE " +
              SqlName(target.name) + " RENAME TO " + QuoteIdent(target.name.name + "_retired") +
              ";\n-- and in a later migration:\nDROP TABLE IF EXISTS " +
              SqlName(catalog::QualifiedName{target.name.schema, target.name.name + "_retired"}) +
              ";");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_drop_table() { return std::make_unique<BanDropTable>(); }

}  // namespace dbarch::lint
