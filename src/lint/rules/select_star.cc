// select-star: a query selects `*` (or `t.*`).
//
// Why: the column list changes meaning when the table changes (a view freezes the columns it
// saw at creation; an application reading by position breaks; a new wide column is shipped
// to every client); `*` also defeats index-only scans, since every column must be fetched.
// Fix: list the columns the caller uses.
// False positives: `EXISTS (SELECT * ...)` and `count(*)` are not reported; ad-hoc queries
// in a console are fine, which is why the severity is a warning.
// Example: SELECT * FROM orders WHERE id = 1;  ->  SELECT id, status, total FROM orders WHERE id = 1;
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

void FindStars(const sql::Node* n, bool in_exists, std::vector<int>& out) {
  if (n == nullptr) return;
  if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK &&
      n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) {
    in_exists = true;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT && !in_exists) {
    for (const sql::Node* t : sql::Nodes(n->select_stmt->n_target_list, n->select_stmt->target_list)) {
      const sql::Node* v = t->res_target->val;
      if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        const PgQuery__ColumnRef* c = v->column_ref;
        if (c->n_fields > 0 && c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR) {
          out.push_back(c->location);
        }
      }
    }
  }
  sql::ForEachChildNode(&n->base, [&](sql::Node* const& child) { FindStars(child, in_exists, out); });
}

class SelectStar final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "select-star", Family::kQuery, Severity::kWarning,
        "a query selects * instead of naming its columns",
        "The meaning of * changes whenever the table does: views freeze the column list they "
        "saw when created, positional readers break, new wide columns are sent to every "
        "client, and an index-only scan is impossible because every column must be read.",
        "Name the columns the caller needs.",
        "SELECT * FROM orders WHERE id = 1;",
        "SELECT id, status, total FROM orders WHERE id = 1;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    std::vector<int> stars;
    FindStars(ctx.stmt->node, false, stars);
    for (int at : stars) out.Report(at, "query selects * instead of naming its columns", std::nullopt);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_select_star() { return std::make_unique<SelectStar>(); }

}  // namespace dbarch::lint
