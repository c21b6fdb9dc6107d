// implicit-cross-join: tables listed with commas in FROM (or UPDATE ... FROM / DELETE ...
// USING) that no condition links to the others.
//
// Why: `FROM a, b` without a condition relating them is a cross join: every row of a paired
// with every row of b (|a| x |b| rows), which is almost always a forgotten join condition; in
// UPDATE ... FROM it updates every target row from an arbitrary row of the other table.
// Fix: add the join condition (better: write it as JOIN ... ON, which cannot be forgotten),
// or write CROSS JOIN when every combination is really wanted.
// Other filters do not make a product intended: `FROM users u, invoices i WHERE u.email = 'x'`
// still pairs the user with every invoice. Links: WHERE conditions that mention two items
// (also through a chain a = b, b = c), JOIN ... ON conditions, LATERAL items that reference
// earlier ones, and conditions inside EXISTS subqueries.
// False positives: one-row subqueries (aggregates without GROUP BY, LIMIT 1), VALUES lists and
// set-returning functions in FROM are treated as intended, and so are products of tables
// whose unique keys are all fixed by `= constant` (one row each); a condition the rule cannot
// attribute to a table (unknown columns without a schema) is assumed to link everything it
// touches.
// Example: SELECT o.id, c.email FROM orders o, customers c WHERE o.total > 100;
//       -> SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE
//       o.total > 100;
#include <numeric>
#include <set>

#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using sql::Node;

bool IsAggregateName(std::string_view f) {
  return f == "count" || f == "sum" || f == "min" || f == "max" || f == "avg" || f == "bool_and" ||
         f == "bool_or" || f == "every" || f == "array_agg" || f == "string_agg" ||
         f == "json_agg" || f == "jsonb_agg" || f == "json_object_agg" || f == "jsonb_object_agg";
}

// A subquery that returns at most one row: no FROM, LIMIT 1, or only aggregates and no GROUP BY.
bool SingleRow(const Node* q) {
  if (q == nullptr || q->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return false;
  const PgQuery__SelectStmt* s = q->select_stmt;
  if (s->larg != nullptr) return false;
  if (s->n_values_lists > 0) return true;  // VALUES: a literal list, joined on purpose
  if (s->n_from_clause == 0) return true;
  if (sql::IntVal(s->limit_count, -1) == 1) return true;
  if (s->n_group_clause > 0 || s->n_target_list == 0) return false;
  bool agg = false;
  for (const Node* t : sql::Nodes(s->n_target_list, s->target_list)) {
    const Node* v = t->res_target->val;
    if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
        IsAggregateName(FuncName(v->func_call)) && v->func_call->over == nullptr) {
      agg = true;
    } else if (!IsConstant(v)) {
      return false;
    }
  }
  return agg;
}

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Find(size_t x) { return parent[x] == x ? x : parent[x] = Find(parent[x]); }
  void Union(size_t a, size_t b) { parent[Find(a)] = Find(b); }
};

struct Top {
  const Node* node = nullptr;  // null for the UPDATE / DELETE target
  bool needs_link = false;
  int location = -1;
};

class ImplicitCrossJoin final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "implicit-cross-join",
        Family::kQuery,
        Severity::kWarning,
        "comma-separated FROM items that no condition links (an accidental cross join)",
        "Without a condition relating them, `FROM a, b` pairs every row of a with every row of "
        "b: |a| x |b| rows to produce and filter, nearly always a forgotten join condition. In "
        "UPDATE ... FROM every target row is updated from an arbitrary row.",
        "Add the join condition (write it as JOIN ... ON so it cannot go missing), or say CROSS "
        "JOIN when every combination is intended.",
        "SELECT o.id, c.email FROM orders o, customers c WHERE o.total > 100;",
        "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total "
        "> 100;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr) return;
    QueryAnalyzer::Hooks hooks;
    hooks.level = [&](const Level& level) { CheckLevel(level, ctx.catalog, out); };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }

 private:
  static void CheckLevel(const Level& level, const catalog::Catalog* cat, Emitter& out) {
    std::vector<Top> tops;
    sql::NodeRange from{nullptr, nullptr};
    const Node* where = nullptr;
    if (level.select != nullptr) {
      from = sql::Nodes(level.select->n_from_clause, level.select->from_clause);
      where = level.select->where_clause;
    } else if (level.update != nullptr) {
      tops.push_back(Top{nullptr, true, level.update->relation->location});
      from = sql::Nodes(level.update->n_from_clause, level.update->from_clause);
      where = level.update->where_clause;
    } else if (level.del != nullptr) {
      tops.push_back(Top{nullptr, true, level.del->relation->location});
      from = sql::Nodes(level.del->n_using_clause, level.del->using_clause);
      where = level.del->where_clause;
    } else {
      return;
    }
    for (const Node* f : from) {
      Top t;
      t.node = f;
      t.location = StartLocation(f);
      switch (f->node_case) {
        case PG_QUERY__NODE__NODE_RANGE_VAR:
        case PG_QUERY__NODE__NODE_JOIN_EXPR:
        case PG_QUERY__NODE__NODE_RANGE_TABLE_SAMPLE:
          t.needs_link = true;
          break;
        case PG_QUERY__NODE__NODE_RANGE_SUBSELECT:
          t.needs_link = !SingleRow(f->range_subselect->subquery);
          break;
        default:
          t.needs_link = false;
      }
      tops.push_back(t);
    }
    size_t linked_count = 0;
    for (const Top& t : tops) linked_count += t.needs_link ? 1 : 0;
    if (linked_count < 2) return;

    const std::vector<RangeItem>& items = level.scope->items;
    auto top_of_name = [&](std::string_view q) -> int {
      for (const RangeItem& it : items) {
        if (it.name == q) return static_cast<int>(it.top);
      }
      return -1;
    };
    // -1: no item at this level has it (an outer reference); -2: cannot tell.
    auto top_of_bare = [&](std::string_view c) -> int {
      int found = -1;
      bool open = false;
      for (const RangeItem& it : items) {
        if (it.open) {
          open = true;
        } else if (it.HasColumn(c)) {
          if (found >= 0 && found != static_cast<int>(it.top)) return -2;
          found = static_cast<int>(it.top);
        }
      }
      return open && found < 0 ? -2 : found;
    };

    UnionFind uf(tops.size());
    auto link = [&](const Node* expr, bool bare_is_wild) {
      std::set<int> seen;
      bool wild = false;
      std::function<void(const Node*, bool)> visit = [&](const Node* n, bool in_sub) {
        if (n == nullptr) return;
        if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
          const PgQuery__ColumnRef* c = n->column_ref;
          size_t k = c->n_fields;
          if (k >= 2) {
            int t = top_of_name(sql::StrVal(c->fields[k - 2]));
            if (t >= 0) seen.insert(t);
          } else if (k == 1 && !in_sub && c->fields[0]->node_case != PG_QUERY__NODE__NODE_A_STAR) {
            int t = bare_is_wild ? -2 : top_of_bare(sql::StrVal(c->fields[0]));
            if (t >= 0) seen.insert(t);
            if (t == -2) wild = true;
          }
          return;
        }
        bool sub = in_sub || n->node_case == PG_QUERY__NODE__NODE_SUB_LINK ||
                   n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
        sql::ForEachChildNode(&n->base, [&](Node* const& child) { visit(child, sub); });
      };
      visit(expr, false);
      if (wild) {
        for (size_t i = 1; i < tops.size(); ++i) uf.Union(0, i);
        return;
      }
      for (int t : seen) uf.Union(static_cast<size_t>(*seen.begin()), static_cast<size_t>(t));
    };
    std::vector<const Node*> conj;
    Conjuncts(where, conj);
    for (const Node* c : conj) link(c, false);

    // A table whose unique key is fixed by `col = constant` conditions yields at most one
    // row. Pairing such rows only with each other is harmless (a 1 x 1 product); pairing one
    // with a table of many rows is still a product (every row of the other table, repeated
    // with the pinned row), so it is reported like any other.
    std::vector<bool> pinned(tops.size(), false);
    if (cat != nullptr) {
      std::vector<std::vector<std::string_view>> fixed(tops.size());
      for (const Node* c : conj) {
        if (c->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
            c->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
            OperatorName(c->a_expr) != "=") {
          continue;
        }
        for (int side = 0; side < 2; ++side) {
          const Node* col = side == 0 ? c->a_expr->lexpr : c->a_expr->rexpr;
          const Node* val = side == 0 ? c->a_expr->rexpr : c->a_expr->lexpr;
          if (col == nullptr || col->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
              !IsConstant(val))
            continue;
          TableColumnRef tc = FindTableColumn(*level.scope, col->column_ref);
          if (tc.item == nullptr) continue;
          for (const RangeItem& it : items) {
            if (&it == tc.item) fixed[it.top].push_back(tc.column->name);
          }
        }
      }
      for (const RangeItem& it : items) {
        if (it.table != nullptr && it.top < tops.size() && tops[it.top].node != nullptr &&
            tops[it.top].node->node_case == PG_QUERY__NODE__NODE_RANGE_VAR &&
            CoversUniqueKey(*cat, *it.table, fixed[it.top])) {
          pinned[it.top] = true;
        }
      }
    }
    for (size_t i = 0; i < tops.size(); ++i) {
      const Node* f = tops[i].node;
      if (f == nullptr) continue;
      if (f->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
        // ON conditions may (invalidly, but leniently) refer to other comma items.
        WalkNodes(f, [&](const Node* n) {
          if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR && n->join_expr->quals != nullptr) {
            link(n->join_expr->quals, false);
          }
          return n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR;
        });
      } else if (f->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT ||
                 f->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION ||
                 f->node_case == PG_QUERY__NODE__NODE_RANGE_TABLE_FUNC) {
        // LATERAL references: qualified names of other items; a bare column in a function
        // argument can only come from an item before it.
        std::set<int> before;
        bool is_function = f->node_case != PG_QUERY__NODE__NODE_RANGE_SUBSELECT;
        WalkNodes(f, [&](const Node* n) {
          if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
          const PgQuery__ColumnRef* c = n->column_ref;
          if (c->n_fields >= 2) {
            int t = top_of_name(sql::StrVal(c->fields[c->n_fields - 2]));
            if (t >= 0 && static_cast<size_t>(t) != i) uf.Union(i, static_cast<size_t>(t));
          } else if (is_function) {
            for (size_t k = 0; k < i; ++k) uf.Union(i, k);
          }
          return true;
        });
      }
    }

    // Left alone only when every item is a pinned single row (a product of one-row results).
    bool any_many = false;
    for (size_t i = 0; i < tops.size(); ++i) {
      if (tops[i].needs_link && !pinned[i]) any_many = true;
    }
    if (!any_many) return;
    size_t first = tops.size();
    for (size_t i = 0; i < tops.size(); ++i) {
      if (!tops[i].needs_link) continue;
      if (first == tops.size()) {
        first = i;
        continue;
      }
      if (uf.Find(i) == uf.Find(first)) continue;
      std::string name = TopName(items, i);
      std::string other = TopName(items, first);
      std::string cond = ForeignKeyCondition(items, i, first);
      std::string fix =
          cond.empty()
              ? "add the condition that joins \"" + name + "\" to \"" + other +
                    "\" (as JOIN ... ON), or write CROSS JOIN if every combination is intended"
              : "add the join condition: " + cond +
                    " (as JOIN ... ON), or write CROSS JOIN if every combination is intended";
      out.Report(tops[i].location,
                 "no condition joins \"" + name + "\" to \"" + other +
                     "\": the comma makes a cross join (every row paired with every row)",
                 fix);
      return;  // one finding per level: the rest usually follows from the same omission
    }
  }

  static std::string TopName(const std::vector<RangeItem>& items, size_t top) {
    for (const RangeItem& it : items) {
      if (it.top == top && !it.name.empty()) return std::string(it.name);
    }
    return "?";
  }

  // `a.col = b.ref` from a single-column foreign key between a table of top `x` and one of top
  // `y` (either direction); "" when there is none.
  static std::string ForeignKeyCondition(const std::vector<RangeItem>& items, size_t x, size_t y) {
    for (const RangeItem& a : items) {
      if (a.top != x || a.table == nullptr || a.name.empty()) continue;
      for (const RangeItem& b : items) {
        if (b.top != y || b.table == nullptr || b.name.empty()) continue;
        for (int dir = 0; dir < 2; ++dir) {
          const RangeItem& from = dir == 0 ? a : b;
          const RangeItem& to = dir == 0 ? b : a;
          for (const catalog::Constraint& c : from.table->constraints) {
            if (c.kind != catalog::ConstraintKind::kForeignKey || c.ref_table != to.table->name ||
                c.columns.size() != 1 || c.ref_columns.size() != 1) {
              continue;
            }
            return QuoteIdent(from.name) + "." + QuoteIdent(c.columns[0]) + " = " +
                   QuoteIdent(to.name) + "." + QuoteIdent(c.ref_columns[0]);
          }
        }
      }
    }
    return "";
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_implicit_cross_join() {
  return std::make_unique<ImplicitCrossJoin>();
}

}  // namespace dbarch::lint
