// equals-null: a comparison with NULL through an operator (x = NULL, x <> NULL, x != NULL), or
// a NOT IN list that contains NULL.
//
// Why: in SQL, comparing anything with NULL yields NULL, never true: `WHERE x = NULL` matches
// no row, `WHERE x <> NULL` matches no row either, and `x NOT IN (1, NULL)` is never true.
// The query runs without error and silently returns nothing (CHECK constraints written this
// way never reject anything).
// Fix: x IS NULL / x IS NOT NULL (or IS [NOT] DISTINCT FROM for a null-safe comparison); drop
// NULL from a NOT IN list.
// False positives: none under the default transform_null_equals = off (a setting only meant
// for old Microsoft Access front-ends; it never rewrites <> NULL).
// Example: SELECT id FROM orders WHERE shipped_at = NULL;
//       -> SELECT id FROM orders WHERE shipped_at IS NULL;
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class EqualsNull final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "equals-null",
        Family::kQuery,
        Severity::kError,
        "a comparison with NULL through =, <> or != (or NOT IN with a NULL element)",
        "Any comparison with NULL yields NULL, never true: `= NULL` and `<> NULL` match no row, "
        "and NOT IN with a NULL in its list is never true. The statement runs and quietly "
        "returns nothing.",
        "Use IS NULL / IS NOT NULL (IS [NOT] DISTINCT FROM for null-safe comparison); remove "
        "NULL from NOT IN lists.",
        "SELECT id FROM orders WHERE shipped_at = NULL;",
        "SELECT id FROM orders WHERE shipped_at IS NULL;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    WalkNodes(ctx.stmt->node, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR) return true;
      const PgQuery__AExpr* e = n->a_expr;
      std::string_view op = OperatorName(e);
      if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP && (op == "=" || op == "<>" || op == "!=")) {
        const sql::Node* other = nullptr;
        if (IsNullConst(e->rexpr)) {
          other = e->lexpr;
        } else if (IsNullConst(e->lexpr)) {
          other = e->rexpr;
        } else {
          return true;
        }
        if (other == nullptr || IsNullConst(other)) return true;
        bool eq = op == "=";
        std::string fix = DeparseOr(other, "expression") + (eq ? " IS NULL" : " IS NOT NULL");
        out.Report(StartLocation(n),
                   std::string("comparison with NULL using ") + std::string(op) +
                       " is never true: it yields NULL for every row",
                   fix);
        return true;
      }
      if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_IN && op == "<>" && e->rexpr != nullptr &&
          e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
        std::vector<std::string> kept;
        bool has_null = false;
        for (const sql::Node* item : sql::Nodes(e->rexpr->list->n_items, e->rexpr->list->items)) {
          if (IsNullConst(item)) {
            has_null = true;
          } else {
            kept.push_back(DeparseOr(item, "?"));
          }
        }
        if (!has_null) return true;
        std::string lhs = DeparseOr(e->lexpr, "expression");
        std::string fix =
            kept.empty() ? lhs + " IS NOT NULL" : lhs + " NOT IN (" + Join(kept, ", ") + ")";
        out.Report(StartLocation(n), "a NOT IN list that contains NULL is never true",
                   "remove NULL from the list: " + fix);
      }
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_equals_null() { return std::make_unique<EqualsNull>(); }

}  // namespace dbarch::lint
