// order-by-random: ORDER BY random() over a table, usually to pick a random row or sample.
//
// Why: PostgreSQL must read every qualifying row, compute random() for each and sort them all
// (a full scan plus a top-N or full sort) just to return a few rows; the cost grows with the
// table, and no index can help.
// Fix: TABLESAMPLE SYSTEM / BERNOULLI (n) for an approximate sample, or pick a random key and
// read from an index: WHERE id >= <random id> ORDER BY id LIMIT 1.
// False positives: small tables and one-off scripts; ORDER BY random() over VALUES or
// generate_series() is not reported.
// Example: SELECT id FROM products ORDER BY random() LIMIT 5;
//       -> SELECT id FROM products TABLESAMPLE BERNOULLI (1) LIMIT 5;
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

// The first table the FROM clause reads, or null when it reads none (VALUES, functions).
const PgQuery__RangeVar* FirstTable(const PgQuery__SelectStmt* s) {
  const PgQuery__RangeVar* found = nullptr;
  for (const sql::Node* f : sql::Nodes(s->n_from_clause, s->from_clause)) {
    WalkNodes(f, [&](const sql::Node* n) {
      if (found != nullptr) return false;
      if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION) return false;
      if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) found = n->range_var;
      return found == nullptr;
    });
    if (found != nullptr) break;
  }
  return found;
}

class OrderByRandom final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "order-by-random",
        Family::kQuery,
        Severity::kWarning,
        "a query sorts a table by random()",
        "Every qualifying row is read, given a random number and sorted to return a handful: "
        "a full scan and sort whose cost grows with the table; no index can help.",
        "Sample with TABLESAMPLE SYSTEM/BERNOULLI, or pick a random key and read it through an "
        "index (WHERE id >= <random id> ORDER BY id LIMIT 1).",
        "SELECT id, name FROM products ORDER BY random() LIMIT 5;",
        "SELECT id, name FROM products TABLESAMPLE BERNOULLI (1) LIMIT 5;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return true;
      const PgQuery__SelectStmt* s = n->select_stmt;
      for (const sql::Node* sb : sql::Nodes(s->n_sort_clause, s->sort_clause)) {
        const sql::Node* key =
            sb->node_case == PG_QUERY__NODE__NODE_SORT_BY ? sb->sort_by->node : nullptr;
        if (key == nullptr || key->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) continue;
        const PgQuery__FuncCall* f = key->func_call;
        if (FuncName(f) != "random" || f->n_args != 0) continue;
        const PgQuery__RangeVar* table = FirstTable(s);
        if (table == nullptr) continue;
        std::string name = RangeVarText(table);
        out.Report(
            f->location,
            "sorting by random() reads and sorts every row of \"" + std::string(table->relname) +
                "\" to return a few",
            "sample instead: FROM " + name +
                " TABLESAMPLE BERNOULLI (1) (or SYSTEM (1), "
                "faster but block-grained), or pick a random key and use its index: WHERE id >= "
                "(SELECT floor(random() * max(id)) FROM " +
                name + ") ORDER BY id LIMIT 1");
      }
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_order_by_random() { return std::make_unique<OrderByRandom>(); }

}  // namespace dbarch::lint
