// or-across-columns: a WHERE condition ORs simple conditions on different columns of the
// same table: a = x OR b = y.
//
// Why: one btree index is ordered by one leading column, so it cannot find the rows of
// "a = x OR b = y"; PostgreSQL can combine one index per column with a BitmapOr, but only
// when every column has its own index; otherwise the whole table is scanned.
// Fix: give each column an index of its own (the planner ORs the bitmaps), or split the query
// into UNION ALL branches, one per column (excluding rows an earlier branch already returned).
// False positives: when the catalog shows an index led by each of the columns (or a trigram
// index for LIKE / ILIKE conditions) the rule is silent, as PostgreSQL can use a BitmapOr.
// Small tables are reported anyway; the severity is info.
// Example: SELECT id FROM customers WHERE email = $1 OR phone = $2;
//       -> CREATE INDEX CONCURRENTLY ON customers (phone);  -- email already has one: BitmapOr
#include <set>

#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using sql::Node;

struct Arm {
  const PgQuery__ColumnRef* column = nullptr;
  bool like = false;  // LIKE / ILIKE: needs a trigram index rather than a btree
};

// The bare column of a condition an index could serve on its own (col op constant, col IN
// (...), col LIKE ..., col IS NULL), or an Arm with a null column.
Arm SimpleArm(const Node* n) {
  Arm arm;
  if (n == nullptr) return arm;
  if (n->node_case == PG_QUERY__NODE__NODE_NULL_TEST) {
    const Node* a = n->null_test->arg;
    if (n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL && a != nullptr &&
        a->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      arm.column = a->column_ref;
    }
    return arm;
  }
  if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR) return arm;
  const PgQuery__AExpr* e = n->a_expr;
  std::string_view op = OperatorName(e);
  bool two_sided = false;
  switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
      if (op != "=" && op != "<" && op != ">" && op != "<=" && op != ">=") return arm;
      two_sided = true;
      break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
      if (op != "=") return arm;
      break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
      break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
      if (op != "~~" && op != "~~*") return arm;
      arm.like = true;
      break;
    default:
      return arm;
  }
  for (int side = 0; side < (two_sided ? 2 : 1); ++side) {
    const Node* c = side == 0 ? e->lexpr : e->rexpr;
    const Node* other = side == 0 ? e->rexpr : e->lexpr;
    if (c != nullptr && c->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && IsConstant(other) &&
        c->column_ref->fields[c->column_ref->n_fields - 1]->node_case !=
            PG_QUERY__NODE__NODE_A_STAR) {
      arm.column = c->column_ref;
      return arm;
    }
  }
  return arm;
}

bool HasTrigramIndex(const catalog::Catalog& cat, const catalog::Table& table,
                     std::string_view column) {
  for (const auto& [name, idx] : cat.indexes) {
    if (idx.table != table.name || (idx.method != "gin" && idx.method != "gist")) continue;
    for (const catalog::IndexKey& k : idx.keys) {
      if (k.column == column && k.opclass.find("trgm") != std::string::npos) return true;
    }
  }
  return false;
}

class OrAcrossColumns final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "or-across-columns",
        Family::kQuery,
        Severity::kInfo,
        "conditions on different columns of one table joined by OR",
        "A btree is ordered by its leading column, so no single index finds the rows of "
        "`a = x OR b = y`; PostgreSQL can OR the bitmaps of one index per column (BitmapOr), "
        "but if any column lacks an index the whole table is scanned.",
        "Index each column on its own so the planner can use a BitmapOr, or split the query "
        "into UNION ALL branches, one per column.",
        "SELECT id FROM customers WHERE email = $1 OR phone = $2;",
        "CREATE INDEX CONCURRENTLY ON customers (phone);  -- with an index on email: BitmapOr"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr) return;
    QueryAnalyzer::Hooks hooks;
    hooks.level = [&](const Level& level) {
      const Node* where = level.select != nullptr   ? level.select->where_clause
                          : level.update != nullptr ? level.update->where_clause
                          : level.del != nullptr    ? level.del->where_clause
                                                    : nullptr;
      std::vector<const Node*> conj;
      Conjuncts(where, conj);
      for (const Node* c : conj) {
        if (c->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
            c->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR) {
          CheckOr(*ctx.catalog, level, c, out);
        }
      }
    };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }

 private:
  static void CheckOr(const catalog::Catalog& cat, const Level& level, const Node* or_expr,
                      Emitter& out) {
    const std::vector<RangeItem>& items = level.scope->items;
    const RangeItem* table = nullptr;
    std::vector<std::pair<std::string, bool>> columns;  // name, like (in order of appearance)
    for (const Node* a : sql::Nodes(or_expr->bool_expr->n_args, or_expr->bool_expr->args)) {
      Arm arm = SimpleArm(a);
      if (arm.column == nullptr) return;
      const PgQuery__ColumnRef* c = arm.column;
      std::string_view name = sql::StrVal(c->fields[c->n_fields - 1]);
      const RangeItem* item = nullptr;
      if (c->n_fields == 2) {
        for (const RangeItem& it : items) {
          if (it.name == sql::StrVal(c->fields[0])) item = &it;
        }
      } else if (c->n_fields == 1) {
        if (items.size() == 1) {
          item = &items.front();
        } else {
          item = FindTableColumn(*level.scope, c).item;
          // Only this level's items count: an outer reference is a constant here.
          bool here = false;
          for (const RangeItem& it : items) here |= &it == item;
          if (!here) item = nullptr;
        }
      }
      if (item == nullptr || (table != nullptr && item != table)) return;
      table = item;
      bool dup = false;
      for (auto& [n, like] : columns) {
        if (n == name) {
          dup = true;
          like |= arm.like;
        }
      }
      if (!dup) columns.emplace_back(std::string(name), arm.like);
    }
    if (table == nullptr || columns.size() < 2) return;
    std::vector<std::string> missing;
    if (table->table != nullptr) {
      for (const auto& [name, like] : columns) {
        bool served = like ? HasTrigramIndex(cat, *table->table, name)
                           : HasIndexLeadingWith(cat, *table->table, name);
        if (!served) {
          missing.push_back("CREATE INDEX CONCURRENTLY ON " + ShortName(table->table->name) +
                            (like ? " USING gin (" + QuoteIdent(name) + " gin_trgm_ops);"
                                  : " (" + QuoteIdent(name) + ");"));
        }
      }
      if (missing.empty()) return;  // every column has an index: BitmapOr
    }
    std::vector<std::string> quoted;
    for (const auto& [name, like] : columns) quoted.push_back("\"" + name + "\"");
    std::string rel =
        table->table != nullptr ? DisplayName(table->table->name) : std::string(table->name);
    std::string fix = "index each column so PostgreSQL can combine them with a BitmapOr";
    fix += missing.empty() ? "" : ":\n" + Join(missing, "\n");
    fix += "\n(or split the query into UNION ALL branches, one per column)";
    out.Report(StartLocation(or_expr),
               "conditions on different columns (" + Join(quoted, ", ") + ") of \"" + rel +
                   "\" joined by OR: no single index can serve them",
               fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_or_across_columns() { return std::make_unique<OrAcrossColumns>(); }

}  // namespace dbarch::lint
