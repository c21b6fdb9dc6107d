// delete-without-where: a DELETE with no WHERE clause (also inside a WITH query).
//
// Why: it removes every row one by one: each is marked dead (the table keeps its size until
// VACUUM), each fires triggers and foreign-key checks, all are locked until commit and all go
// through the WAL. Most often the WHERE was forgotten; when emptying the table is intended,
// TRUNCATE does it at once.
// Fix: add the WHERE clause, or TRUNCATE the table when it should be emptied (instant, no dead
// rows; takes an ACCESS EXCLUSIVE lock and does not fire DELETE triggers).
// False positives: emptying a small table inside a transaction where TRUNCATE's lock is
// unwanted (suppress with a reason).
// Example: DELETE FROM sessions;  ->  DELETE FROM sessions WHERE expires_at < now();
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class DeleteWithoutWhere final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "delete-without-where",
        Family::kQuery,
        Severity::kError,
        "a DELETE has no WHERE clause and removes every row",
        "Every row is deleted one at a time: marked dead (the table does not shrink until "
        "VACUUM), triggers and foreign-key checks run per row, all rows stay locked until "
        "commit and all of it is WAL-logged. Usually the WHERE clause was forgotten.",
        "Add the WHERE clause; to empty the table on purpose use TRUNCATE (instant, no dead "
        "rows, but an ACCESS EXCLUSIVE lock and no DELETE triggers).",
        "DELETE FROM sessions;",
        "DELETE FROM sessions WHERE expires_at < now();"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_DELETE_STMT) return true;
      const PgQuery__DeleteStmt* d = n->delete_stmt;
      if (d->where_clause != nullptr || d->relation == nullptr) return true;
      int at = n == ctx.stmt->node ? -1 : d->relation->location;
      out.Report(at,
                 "delete from \"" + RangeVarPlain(d->relation) +
                     "\" has no WHERE clause: it removes every row",
                 "add a WHERE clause; to empty the table on purpose: TRUNCATE " +
                     RangeVarText(d->relation) + ";");
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_delete_without_where() {
  return std::make_unique<DeleteWithoutWhere>();
}

}  // namespace dbarch::lint
