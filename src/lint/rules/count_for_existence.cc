// count-for-existence: count(...) is computed only to be compared with 0 or 1 — a scalar
// subquery `(SELECT count(*) ...) > 0` / `= 0`, or `SELECT count(*) > 0 FROM ...`.
//
// Why: count() must find and count every matching row, while the question is only whether one
// exists; EXISTS stops at the first row (and the planner can turn it into a semi-join).
// Fix: EXISTS (SELECT 1 FROM ... WHERE ...) for > 0 / >= 1 / <> 0, NOT EXISTS (...) for = 0 /
// < 1 / <= 0; SELECT EXISTS (...) instead of SELECT count(*) > 0.
// False positives: none for the shapes matched; counts compared with other numbers (> 5) are
// not reported. Application code that runs SELECT count(*) and tests the result is not
// visible to a SQL linter.
// Example: SELECT id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id =
// c.id) > 0;
//       -> SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id =
//       c.id);
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

int IntConst(const sql::Node* n, int fallback) {
  if (n != nullptr && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
    return IntConst(n->type_cast->arg, fallback);
  if (n == nullptr || n->node_case != PG_QUERY__NODE__NODE_A_CONST) return fallback;
  return sql::IntVal(n, fallback);
}

// The count() call of a single-target, ungrouped SELECT, or null.
const PgQuery__FuncCall* CountOnly(const PgQuery__SelectStmt* s) {
  if (s == nullptr || s->larg != nullptr || s->n_target_list != 1 || s->n_group_clause > 0 ||
      s->having_clause != nullptr || s->limit_offset != nullptr) {
    return nullptr;
  }
  const sql::Node* v = s->target_list[0]->res_target->val;
  if (v == nullptr || v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return nullptr;
  const PgQuery__FuncCall* f = v->func_call;
  if (FuncName(f) != "count" || f->over != nullptr) return nullptr;
  return f;
}

// count(x) counts only non-null x: an EXISTS rewrite must then also require x IS NOT NULL.
std::string NullNote(const PgQuery__FuncCall* count) {
  if (count->agg_star || count->n_args != 1 || IsConstant(count->args[0])) return "";
  return " (count(" + DeparseOr(count->args[0], "x") + ") ignores NULLs: add AND " +
         DeparseOr(count->args[0], "x") + " IS NOT NULL to the WHERE clause)";
}

// Whether `count op k` (count on the left) asks "exists" (1), "not exists" (0), or neither (-1).
int Existence(std::string_view op, int k) {
  if ((op == ">" && k == 0) || (op == ">=" && k == 1) || (op == "<>" && k == 0) ||
      (op == "!=" && k == 0))
    return 1;
  if ((op == "=" && k == 0) || (op == "<" && k == 1) || (op == "<=" && k == 0)) return 0;
  return -1;
}

std::string_view Mirror(std::string_view op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return op;
}

class CountForExistence final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "count-for-existence",
        Family::kQuery,
        Severity::kWarning,
        "count() is computed only to test whether any row exists",
        "count() has to find and count every matching row; EXISTS stops at the first one and "
        "lets the planner use a semi-join.",
        "Use EXISTS (SELECT 1 FROM ... WHERE ...) for > 0, NOT EXISTS (...) for = 0, and "
        "SELECT EXISTS (...) instead of SELECT count(*) > 0.",
        "SELECT id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = "
        "c.id) > 0;",
        "SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = "
        "c.id);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) CheckSelectTarget(n, out);
      if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR) return true;
      const PgQuery__AExpr* e = n->a_expr;
      if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) return true;
      std::string_view op = OperatorName(e);
      for (int side = 0; side < 2; ++side) {
        const sql::Node* sub = side == 0 ? e->lexpr : e->rexpr;
        const sql::Node* other = side == 0 ? e->rexpr : e->lexpr;
        if (sub == nullptr || sub->node_case != PG_QUERY__NODE__NODE_SUB_LINK ||
            sub->sub_link->sub_link_type != PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK) {
          continue;
        }
        const sql::Node* select = sub->sub_link->subselect;
        if (select == nullptr || select->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) continue;
        const PgQuery__FuncCall* count = CountOnly(select->select_stmt);
        if (count == nullptr) continue;
        int k = IntConst(other, -1);
        int exists = Existence(side == 0 ? op : Mirror(op), k);
        if (exists < 0) continue;
        std::string body = WithTargetList(select, "1");
        std::string keyword = exists ? "EXISTS" : "NOT EXISTS";
        std::string fix = body.empty() ? "use " + keyword + " (SELECT 1 FROM ... WHERE ...)"
                                       : keyword + " (" + body + ")";
        fix += NullNote(count);
        out.Report(count->location,
                   "count() compared with " + std::to_string(k) +
                       " counts every matching row to answer a yes/no question",
                   fix);
      }
      return true;
    });
  }

 private:
  // SELECT count(*) > 0 FROM ... (the comparison is the whole target list).
  static void CheckSelectTarget(const sql::Node* n, Emitter& out) {
    const PgQuery__SelectStmt* s = n->select_stmt;
    if (s->larg != nullptr || s->n_target_list != 1 || s->n_from_clause == 0 ||
        s->n_group_clause > 0 || s->having_clause != nullptr) {
      return;
    }
    const sql::Node* v = s->target_list[0]->res_target->val;
    if (v == nullptr || v->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        v->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
      return;
    }
    const PgQuery__AExpr* e = v->a_expr;
    std::string_view op = OperatorName(e);
    for (int side = 0; side < 2; ++side) {
      const sql::Node* c = side == 0 ? e->lexpr : e->rexpr;
      const sql::Node* other = side == 0 ? e->rexpr : e->lexpr;
      if (c == nullptr || c->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) continue;
      const PgQuery__FuncCall* count = c->func_call;
      if (FuncName(count) != "count" || count->over != nullptr) continue;
      int k = IntConst(other, -1);
      int exists = Existence(side == 0 ? op : Mirror(op), k);
      if (exists < 0) continue;
      std::string body = WithTargetList(n, "1");
      std::string expr = (exists ? "EXISTS (" : "NOT EXISTS (") + body + ")";
      out.Report(count->location,
                 "count() compared with " + std::to_string(k) +
                     " counts every matching row to answer a yes/no question",
                 (body.empty() ? std::string("SELECT EXISTS (SELECT 1 FROM ... WHERE ...)")
                               : "SELECT " + expr) +
                     NullNote(count));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_count_for_existence() {
  return std::make_unique<CountForExistence>();
}

}  // namespace dbarch::lint
