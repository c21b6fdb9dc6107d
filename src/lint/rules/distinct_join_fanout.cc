// distinct-join-fanout: SELECT DISTINCT over a join (explicit JOIN or comma-separated FROM).
//
// Why: the join multiplies rows (one order per order line, one customer per order...) and
// DISTINCT then hashes or sorts the whole multiplied result to throw the copies away. It
// usually hides a join that should have been a semi-join: the joined table only filters.
// Fix: keep the filtering tables out of FROM and test them with WHERE EXISTS (SELECT 1 FROM
// ... WHERE <join condition>), which stops at the first match and needs no DISTINCT; or
// aggregate the many side before joining.
// False positives: queries whose selected columns come from several tables and genuinely need
// deduplication; DISTINCT ON is not reported (it picks one row per key on purpose).
// Example: SELECT DISTINCT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id;
//       -> SELECT c.id, c.email FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE
//       o.customer_id = c.id);
#include <set>

#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

bool IsPlainDistinct(const PgQuery__SelectStmt* s) {
  if (s->n_distinct_clause == 0) return false;
  for (const sql::Node* d : sql::Nodes(s->n_distinct_clause, s->distinct_clause)) {
    if (d != nullptr && d->node_case != PG_QUERY__NODE__NODE__NOT_SET) return false;  // DISTINCT ON
  }
  return true;
}

bool HasJoin(const PgQuery__SelectStmt* s) {
  if (s->n_from_clause >= 2) return true;
  return s->n_from_clause == 1 && s->from_clause[0]->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR;
}

std::string ItemText(const PgQuery__RangeVar* rv) {
  std::string out = RangeVarText(rv);
  if (rv->alias != nullptr) out += " " + std::string(rv->alias->aliasname);
  return out;
}

std::string_view RefName(const PgQuery__RangeVar* rv) {
  return rv->alias != nullptr ? std::string_view(rv->alias->aliasname)
                              : std::string_view(rv->relname);
}

// For `FROM a JOIN b ON cond [WHERE w]` whose select list reads only `a` (or only `b`):
// the same query with the other table moved into EXISTS. "" when the shape differs.
std::string SemiJoinRewrite(const PgQuery__SelectStmt* s) {
  if (s->n_from_clause != 1 || s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR ||
      s->n_group_clause > 0 || s->having_clause != nullptr || s->n_sort_clause > 0 ||
      s->limit_count != nullptr || s->with_clause != nullptr) {
    return "";
  }
  const PgQuery__JoinExpr* j = s->from_clause[0]->join_expr;
  if (j->jointype != PG_QUERY__JOIN_TYPE__JOIN_INNER || j->quals == nullptr || j->larg == nullptr ||
      j->rarg == nullptr || j->larg->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
      j->rarg->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) {
    return "";
  }
  const PgQuery__RangeVar* left = j->larg->range_var;
  const PgQuery__RangeVar* right = j->rarg->range_var;
  std::set<std::string_view> used;
  bool unqualified = false;
  for (const sql::Node* t : sql::Nodes(s->n_target_list, s->target_list)) {
    WalkNodes(t, [&](const sql::Node* n) {
      if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
        unqualified = true;  // a subquery in the select list: do not guess
        return false;
      }
      if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
      const PgQuery__ColumnRef* c = n->column_ref;
      if (c->n_fields < 2) {
        unqualified = true;
      } else {
        used.insert(sql::StrVal(c->fields[c->n_fields - 2]));
      }
      return true;
    });
  }
  if (unqualified || used.size() != 1) return "";
  const PgQuery__RangeVar* keep = nullptr;
  const PgQuery__RangeVar* probe = nullptr;
  if (*used.begin() == RefName(left)) {
    keep = left;
    probe = right;
  } else if (*used.begin() == RefName(right)) {
    keep = right;
    probe = left;
  } else {
    return "";
  }
  std::vector<std::string> targets;
  for (const sql::Node* t : sql::Nodes(s->n_target_list, s->target_list)) {
    const PgQuery__ResTarget* rt = t->res_target;
    std::string text = DeparseOr(rt->val, "");
    if (text.empty()) return "";
    if (rt->name != nullptr && *rt->name != '\0') text += " AS " + std::string(rt->name);
    targets.push_back(text);
  }
  std::string cond = DeparseOr(j->quals, "");
  if (cond.empty()) return "";
  std::string where;
  if (s->where_clause != nullptr) {
    bool is_or = s->where_clause->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
                 s->where_clause->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR;
    std::string w = DeparseOr(s->where_clause, "");
    if (w.empty()) return "";
    where = " AND " + (is_or ? "(" + w + ")" : w);
  }
  std::string list;
  for (size_t i = 0; i < targets.size(); ++i) list += (i ? ", " : "") + targets[i];
  return "SELECT " + list + " FROM " + ItemText(keep) + " WHERE EXISTS (SELECT 1 FROM " +
         ItemText(probe) + " WHERE " + cond + where + ")";
}

// Offset of the DISTINCT keyword: the word just before the first select-list entry.
int DistinctLocation(const StatementContext& ctx, const PgQuery__SelectStmt* s) {
  if (s->n_target_list == 0) return -1;
  int first = s->target_list[0]->res_target->location;
  if (first <= 0) return first;
  const std::string& text = ctx.file->text();
  size_t end = static_cast<size_t>(first);
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                     text[end - 1] == '\r'))
    --end;
  if (end >= 8) {
    std::string word = text.substr(end - 8, 8);
    for (char& c : word) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (word == "distinct") return static_cast<int>(end - 8);
  }
  return first;
}

class DistinctJoinFanout final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "distinct-join-fanout",
        Family::kQuery,
        Severity::kWarning,
        "SELECT DISTINCT over a join, usually hiding duplicate rows the join created",
        "The join multiplies rows and DISTINCT then sorts or hashes the whole multiplied result "
        "to remove the copies; usually the joined table only filters and a semi-join (EXISTS) "
        "would read far less and need no deduplication.",
        "Move tables that only filter into WHERE EXISTS (SELECT 1 FROM ... WHERE <join "
        "condition>) and drop DISTINCT, or aggregate the many side before joining.",
        "SELECT DISTINCT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id;",
        "SELECT c.id, c.email FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE "
        "o.customer_id = c.id);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return true;
      const PgQuery__SelectStmt* s = n->select_stmt;
      if (!IsPlainDistinct(s) || !HasJoin(s)) return true;
      std::string rewrite = SemiJoinRewrite(s);
      std::string fix =
          rewrite.empty()
              ? "test tables that only filter with WHERE EXISTS (SELECT 1 FROM ... WHERE "
                "<join condition>) instead of joining them, and drop DISTINCT"
              : rewrite +
                    " (keep DISTINCT if the selected columns can repeat across rows of that table)";
      out.Report(
          DistinctLocation(ctx, s),
          "distinct over a join: it usually hides duplicate rows the join created, and sorts "
          "or hashes them all to remove them",
          fix);
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_distinct_join_fanout() {
  return std::make_unique<DistinctJoinFanout>();
}

}  // namespace dbarch::lint
