// update-without-where: an UPDATE with no WHERE clause (also inside a WITH query).
//
// Why: it rewrites every row of the table in one transaction: a new version of each row (the
// table and its indexes roughly double until VACUUM), row locks on all of them that block
// concurrent writers, and WAL for the whole table. Most often the WHERE was forgotten.
// Fix: add the WHERE clause; for an intended whole-table backfill, update in batches of keys
// (WHERE id >= $1 AND id < $2) so each transaction stays short, and say so with a
// suppression comment.
// False positives: deliberate backfills on small or new tables (suppress with
// `-- dbarch:ignore update-without-where <reason>`). An UPDATE ... FROM without WHERE is
// reported too: it is still a whole-table write.
// Example: UPDATE orders SET status = 'cancelled';
//       -> UPDATE orders SET status = 'cancelled' WHERE id = $1;
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class UpdateWithoutWhere final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "update-without-where",
        Family::kQuery,
        Severity::kError,
        "an UPDATE has no WHERE clause and rewrites every row",
        "Every row gets a new version (table and indexes bloat until VACUUM), every row is "
        "locked against concurrent writers until commit, and the whole table goes through the "
        "WAL; usually the WHERE clause was simply forgotten.",
        "Add the WHERE clause; for an intended backfill, update in key batches in separate "
        "transactions and suppress the finding with a reason.",
        "UPDATE orders SET status = 'cancelled';",
        "UPDATE orders SET status = 'cancelled' WHERE id = $1;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_UPDATE_STMT) return true;
      const PgQuery__UpdateStmt* u = n->update_stmt;
      if (u->where_clause != nullptr || u->relation == nullptr) return true;
      std::string table = RangeVarText(u->relation);
      int at = n == ctx.stmt->node ? -1 : u->relation->location;
      out.Report(at,
                 "update of \"" + RangeVarPlain(u->relation) +
                     "\" has no WHERE clause: it rewrites every row",
                 "add a WHERE clause; for an intended backfill, update in key batches (UPDATE " +
                     table + " SET ... WHERE id >= $1 AND id < $2), one transaction per batch");
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_update_without_where() {
  return std::make_unique<UpdateWithoutWhere>();
}

}  // namespace dbarch::lint
