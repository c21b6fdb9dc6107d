// not-in-subquery: x NOT IN (SELECT col FROM ...) where col may be NULL.
//
// Why: if the subquery returns a single NULL, `x NOT IN (...)` is NULL for every x that is
// not found, so the condition matches no row at all: a silent wrong result the first time a
// NULL appears. It also plans badly: PostgreSQL cannot turn NOT IN into an anti-join, and
// when the subquery result does not fit in work_mem it is re-scanned for every outer row.
// Fix: NOT EXISTS (SELECT 1 FROM ... WHERE col = x), which ignores NULLs and becomes an
// anti-join. (Where x itself is NULL the two differ: NOT IN drops the row, NOT EXISTS keeps
// it; add x IS NOT NULL to keep NOT IN's behaviour.)
// False positives: the catalog is consulted: a NOT NULL column (or one filtered with
// IS NOT NULL in the subquery) is not reported. Without a schema, or when the column comes
// from a CTE or subquery, the rule cannot prove it non-null and warns.
// Example: SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM blocked);
//       -> SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM blocked b WHERE b.customer_id
//       = c.id);
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using sql::Node;

std::string RefText(const PgQuery__ColumnRef* ref) {
  std::string out;
  for (size_t i = 0; i < ref->n_fields; ++i)
    out += (i ? "." : "") + std::string(sql::StrVal(ref->fields[i]));
  return out;
}

bool SameRef(const PgQuery__ColumnRef* a, const PgQuery__ColumnRef* b) {
  return RefText(a) == RefText(b);
}

// The subquery's WHERE requires `ref` to be non-null (col IS NOT NULL, or a strict comparison
// col = / < / > ... with something).
bool FilteredNotNull(const PgQuery__SelectStmt* s, const PgQuery__ColumnRef* ref) {
  std::vector<const Node*> conj;
  Conjuncts(s->where_clause, conj);
  for (const Node* c : conj) {
    if (c->node_case == PG_QUERY__NODE__NODE_NULL_TEST &&
        c->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL &&
        c->null_test->arg != nullptr &&
        c->null_test->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        SameRef(c->null_test->arg->column_ref, ref)) {
      return true;
    }
    if (c->node_case == PG_QUERY__NODE__NODE_A_EXPR &&
        c->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
      std::string_view op = OperatorName(c->a_expr);
      if (op != "=" && op != "<" && op != ">" && op != "<=" && op != ">=" && op != "<>") continue;
      for (const Node* side : {c->a_expr->lexpr, c->a_expr->rexpr}) {
        if (side != nullptr && side->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            SameRef(side->column_ref, ref)) {
          return true;
        }
      }
    }
  }
  return false;
}

// NOT EXISTS (...) for `lhs NOT IN (SELECT col FROM ... [WHERE w])`, or "" when the subquery
// has more than FROM and WHERE.
std::string Rewrite(const std::string& lhs, const Node* select, const PgQuery__ColumnRef* col) {
  const PgQuery__SelectStmt* s = select->select_stmt;
  if (s->n_group_clause > 0 || s->having_clause != nullptr || s->n_sort_clause > 0 ||
      s->limit_count != nullptr || s->limit_offset != nullptr || s->n_distinct_clause > 0 ||
      s->n_window_clause > 0 || s->n_from_clause == 0) {
    return "";
  }
  std::string body = WithTargetList(select, "1");
  if (body.empty()) return "";
  Node col_node = PG_QUERY__NODE__INIT;
  col_node.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
  col_node.column_ref = const_cast<PgQuery__ColumnRef*>(col);
  if (lhs.empty()) return "";
  std::string cond = DeparseOr(&col_node, "") + " = " + lhs;
  size_t where = FindTopLevel(body, "WHERE");
  if (where == std::string::npos) return "NOT EXISTS (" + body + " WHERE " + cond + ")";
  bool is_or = s->where_clause->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
               s->where_clause->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR;
  std::string w = body.substr(where + 6);
  return "NOT EXISTS (" + body.substr(0, where) + "WHERE " + (is_or ? "(" + w + ")" : w) + " AND " +
         cond + ")";
}

// The outer expression as it must be written inside the subquery: a bare column gets its
// table's name, or the subquery's own tables would capture it. "" when that is not possible.
std::string OuterText(const Node* lhs, const Scope& scope) {
  if (lhs == nullptr) return "";
  if (lhs->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) {
    bool bare = false;
    WalkNodes(lhs, [&](const Node* n) {
      if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 1)
        bare = true;
      return !bare;
    });
    return bare ? "" : DeparseOr(lhs, "");
  }
  const PgQuery__ColumnRef* c = lhs->column_ref;
  if (c->n_fields > 1) return DeparseOr(lhs, "");
  ColumnResolution r = ResolveColumnRef(scope, c, nullptr, nullptr);
  if (r.status != ColumnStatus::kFound || r.item == nullptr || r.item->name.empty()) return "";
  return QuoteIdent(r.item->name) + "." + QuoteIdent(sql::StrVal(c->fields[0]));
}

class NotInSubquery final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "not-in-subquery",
        Family::kQuery,
        Severity::kWarning,
        "NOT IN (SELECT col ...) where col may be NULL",
        "One NULL from the subquery makes `x NOT IN (...)` NULL for every x not found, so the "
        "condition matches nothing; NOT IN also cannot become an anti-join, and a subquery "
        "result larger than work_mem is re-scanned for every outer row.",
        "Use NOT EXISTS (SELECT 1 FROM ... WHERE col = x); it ignores NULLs and plans as an "
        "anti-join.",
        "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM blocked);",
        "SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM blocked b WHERE "
        "b.customer_id = c.id);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr) return;
    QueryAnalyzer* self = nullptr;
    QueryAnalyzer::Hooks hooks;
    hooks.level = [&](const Level& level) {
      std::vector<const Node*> roots = LevelPredicates(level);
      if (level.select != nullptr && level.select->having_clause != nullptr) {
        roots.push_back(level.select->having_clause);
      }
      for (const Node* root : roots) {
        WalkLevelExpr(root, [&](const Node* n) {
          if (n->node_case != PG_QUERY__NODE__NODE_BOOL_EXPR ||
              n->bool_expr->boolop != PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR ||
              n->bool_expr->n_args != 1) {
            return true;
          }
          const Node* arg = n->bool_expr->args[0];
          if (arg->node_case != PG_QUERY__NODE__NODE_SUB_LINK) return true;
          const PgQuery__SubLink* sl = arg->sub_link;
          if (sl->sub_link_type != PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK) return true;
          if (sl->n_oper_name > 0 && sql::StrVal(sl->oper_name[sl->n_oper_name - 1]) != "=")
            return true;
          const Node* select = sl->subselect;
          if (select == nullptr || select->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return true;
          const PgQuery__SelectStmt* s = select->select_stmt;
          if (s->larg != nullptr || s->n_target_list != 1) return true;
          const Node* v = s->target_list[0]->res_target->val;
          while (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
            v = v->type_cast->arg;
          if (v == nullptr || v->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
          const PgQuery__ColumnRef* col = v->column_ref;
          if (col->fields[col->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR) return true;
          Scope inner = self->BuildScope(s, level.scope, level.ctes);
          TableColumnRef tc = FindTableColumn(inner, col);
          if (tc.column != nullptr && tc.column->not_null) return true;
          if (FilteredNotNull(s, col)) return true;
          std::string rewrite = Rewrite(OuterText(sl->testexpr, *level.scope), select, col);
          std::string fix = rewrite.empty() ? "use NOT EXISTS (SELECT 1 FROM ... WHERE " +
                                                  RefText(col) + " = ...)"
                                            : rewrite;
          fix += " (or add WHERE " + RefText(col) + " IS NOT NULL to the subquery)";
          std::string why = tc.column != nullptr ? "is nullable" : "may be NULL";
          out.Report(n->bool_expr->location,
                     "subquery column \"" + RefText(col) + "\" " + why +
                         ": a single NULL makes NOT IN match no rows",
                     fix);
          return true;
        });
      }
    };
    QueryAnalyzer analyzer(*ctx.catalog, std::move(hooks));
    self = &analyzer;
    analyzer.Run(ctx.stmt->node);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_not_in_subquery() { return std::make_unique<NotInSubquery>(); }

}  // namespace dbarch::lint
