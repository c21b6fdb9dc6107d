// non-sargable-predicate: a WHERE or JOIN ON comparison applies a function, cast or operator
// to a column: lower(email) = ..., created_at::date = ..., date_trunc('day', t) = ...,
// price + 1 > ..., data ->> 'k' = ....
//
// Why: a btree index on a column stores the column's values; the planner can use it only
// for conditions on the bare column (`col op constant`). Wrapped in an expression, the
// condition must be evaluated row by row: the index on the column is useless and the query
// falls back to a sequential scan (or a worse plan).
// Fix: rewrite the condition on the bare column (a date cast or date_trunc becomes a range:
// created_at >= '2025-03-01' AND created_at < '2025-03-02'; col + 1 > x becomes col > x - 1),
// or create an expression index that matches the expression exactly.
// False positives: when the catalog shows an index on the very same expression, the rule is
// silent; casts that do not change the type (varchar -> text, a domain -> its base type, a
// column to its own type) are not reported. Conditions on small tables, and expressions
// written on purpose to avoid an index, are reported anyway.
// Example: SELECT id FROM orders WHERE created_at::date = '2025-03-01';
//       -> SELECT id FROM orders WHERE created_at >= '2025-03-01'::date AND created_at <
//       '2025-03-01'::date + 1;
#include <set>

#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using sql::Node;

bool IsComparison(std::string_view op) {
  return op == "=" || op == "<" || op == ">" || op == "<=" || op == ">=";
}

std::string_view Mirror(std::string_view op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return op;
}

// The one column an expression wraps: null when `n` is a bare column, holds no column or
// several, or contains a subquery or an aggregate/window call.
const PgQuery__ColumnRef* WrappedColumn(const Node* n) {
  if (n == nullptr) return nullptr;
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_FUNC_CALL:
      if (n->func_call->agg_star || n->func_call->over != nullptr) return nullptr;
      break;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
    case PG_QUERY__NODE__NODE_A_INDIRECTION:
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
      break;
    case PG_QUERY__NODE__NODE_A_EXPR:
      if (n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP ||
          IsComparison(OperatorName(n->a_expr))) {
        return nullptr;
      }
      break;
    default:
      return nullptr;
  }
  const PgQuery__ColumnRef* found = nullptr;
  std::string found_text;
  bool ok = true;
  WalkNodes(n, [&](const Node* x) {
    if (!ok) return false;
    if (x->node_case == PG_QUERY__NODE__NODE_SUB_LINK ||
        x->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
      ok = false;
      return false;
    }
    if (x->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
        (x->func_call->agg_star || x->func_call->over != nullptr ||
         x->func_call->n_agg_order > 0)) {
      ok = false;
      return false;
    }
    if (x->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return true;
    std::string text;
    for (const Node* f : sql::Nodes(x->column_ref->n_fields, x->column_ref->fields)) {
      text += std::string(sql::StrVal(f)) + ".";
    }
    if (found == nullptr) {
      found = x->column_ref;
      found_text = text;
    } else if (text != found_text) {
      ok = false;
    }
    return true;
  });
  return ok ? found : nullptr;
}

// format_type() spelling of a cast's target type (the common built-in names).
std::string CastTypeName(const PgQuery__TypeName* t) {
  if (t == nullptr || t->n_names == 0) return "";
  std::string n(sql::StrVal(t->names[t->n_names - 1]));
  static const std::pair<const char*, const char*> kAliases[] = {
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"varchar", "character varying"},
      {"bpchar", "character"},
      {"bool", "boolean"},
      {"decimal", "numeric"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp", "timestamp without time zone"},
      {"timetz", "time with time zone"},
      {"time", "time without time zone"}};
  for (const auto& [from, to] : kAliases) {
    if (n == from) return to;
  }
  return n;
}

// "character varying(20)" -> "character varying"; "timestamp(3) with time zone" -> "timestamp with
// time zone".
std::string BaseType(std::string_view type) {
  std::string out;
  int depth = 0;
  for (char c : type) {
    if (c == '(') ++depth;
    if (depth == 0) out += c;
    if (c == ')') --depth;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  size_t dbl = out.find("  ");
  if (dbl != std::string::npos) out.erase(dbl, 1);
  return out;
}

bool IsTextLike(std::string_view t) {
  return t == "text" || t == "character varying" || t == "character" || t == "citext" ||
         t == "name";
}

// True when casting a column of `column_type` to `target` keeps an index on it usable (or
// when that cannot be ruled out).
bool HarmlessCast(const catalog::Catalog& cat, const std::string& column_type,
                  const std::string& target) {
  std::string base = BaseType(column_type);
  if (base == target) return true;
  if (IsTextLike(base) && (target == "text" || target == "character varying")) return true;
  for (const auto& [q, type] : cat.types) {
    if (type.kind != catalog::TypeKind::kDomain) continue;
    if (q.name == base || q.Quoted() == base || q.schema + "." + q.name == base) {
      return BaseType(type.base_type) == target;
    }
  }
  return false;
}

// True when an index of `table` has an expression key equal to `wrapped` (compared in
// canonical form, which is only computed when the table has expression keys at all).
bool HasExpressionIndex(const catalog::Catalog& cat, const catalog::Table& table,
                        const Node* wrapped) {
  std::string expr;
  for (const auto& [name, idx] : cat.indexes) {
    if (idx.table != table.name) continue;
    for (const catalog::IndexKey& k : idx.keys) {
      if (k.expression.empty()) continue;
      if (expr.empty()) expr = UnqualifiedCanonical(wrapped);
      if (k.expression == expr) return true;
    }
  }
  return false;
}

// True when an expression index on `wrapped` is impossible because the expression depends on
// the session time zone (date parts and casts of a timestamptz column are only STABLE).
bool TimeZoneDependent(const Node* wrapped, const std::string& column_type) {
  if (BaseType(column_type) != "timestamp with time zone") return false;
  if (wrapped->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
    std::string t = CastTypeName(wrapped->type_cast->type_name);
    return t == "date" || t == "timestamp without time zone" || t == "time without time zone" ||
           t == "text" || t == "character varying";
  }
  if (wrapped->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
    std::string_view f = FuncName(wrapped->func_call);
    return f == "date_trunc" || f == "extract" || f == "date_part" || f == "to_char" || f == "date";
  }
  return false;
}

// A constant rendered with an explicit cast to `type` (unknown-typed literals need one for
// arithmetic).
std::string Typed(const Node* n, const std::string& type) {
  std::string text = DeparseOr(n, "?");
  if (type == "date" && n->node_case == PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION &&
      n->sqlvalue_function->op == PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE) {
    return text;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_A_CONST) return text + "::" + type;
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
      CastTypeName(n->type_cast->type_name) == type)
    return text;
  return "(" + text + ")::" + type;
}

std::string CastKeyword(const std::string& column_type) {
  std::string base = BaseType(column_type);
  if (base == "timestamp without time zone") return "timestamp";
  if (base == "date") return "date";
  return "timestamptz";
}

// A rewrite of `wrapped op other` on the bare column, or "" when none is derived.
std::string RangeRewrite(const Node* wrapped, std::string_view op, const Node* other,
                         const std::string& col, const std::string& column_type) {
  if (!IsConstant(other)) return "";
  if (wrapped->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
      CastTypeName(wrapped->type_cast->type_name) == "date" &&
      wrapped->type_cast->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
    std::string d = Typed(other, "date");
    if (op == "=") return col + " >= " + d + " AND " + col + " < " + d + " + 1";
    if (op == "<") return col + " < " + d;
    if (op == ">=") return col + " >= " + d;
    if (op == "<=") return col + " < " + d + " + 1";
    if (op == ">") return col + " >= " + d + " + 1";
    return "";
  }
  if (wrapped->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && op == "=") {
    const PgQuery__FuncCall* f = wrapped->func_call;
    std::string_view name = FuncName(f);
    if ((name == "extract" || name == "date_part") && f->n_args == 2 &&
        f->args[1]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        ToLower(sql::StrVal(f->args[0])) == "year" &&
        other->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        other->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
      int year = other->a_const->ival->ival;
      return col + " >= make_date(" + std::to_string(year) + ", 1, 1) AND " + col +
             " < make_date(" + std::to_string(year + 1) + ", 1, 1)";
    }
    if (FuncName(f) == "date_trunc" && f->n_args == 2 &&
        f->args[1]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      std::string_view unit = sql::StrVal(f->args[0]);
      if (unit.empty()) return "";
      std::string t = Typed(other, CastKeyword(column_type));
      return col + " >= " + t + " AND " + col + " < " + t + " + interval '1 " + std::string(unit) +
             "'";
    }
  }
  if (wrapped->node_case == PG_QUERY__NODE__NODE_A_EXPR) {
    const PgQuery__AExpr* e = wrapped->a_expr;
    std::string_view aop = OperatorName(e);
    if ((aop == "+" || aop == "-") && e->lexpr != nullptr &&
        e->lexpr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && IsConstant(e->rexpr)) {
      std::string k = DeparseOr(e->rexpr, "?");
      std::string x = DeparseOr(other, "?");
      return col + " " + std::string(op) + " " + x + (aop == "+" ? " - " : " + ") + k;
    }
  }
  return "";
}

class NonSargablePredicate final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "non-sargable-predicate",
        Family::kQuery,
        Severity::kWarning,
        "a WHERE / JOIN condition wraps a column in a function, cast or operator",
        "An index on a column can only serve conditions on the bare column; wrapped in an "
        "expression (lower(email), created_at::date, date_trunc(...), col + 1) the condition is "
        "evaluated row by row and the index is not used, unless an index on that exact "
        "expression exists.",
        "Rewrite the condition on the bare column (casts to date and date_trunc become ranges, "
        "arithmetic moves to the constant side), or create an expression index matching it.",
        "SELECT id FROM orders WHERE created_at::date = '2025-03-01';",
        "SELECT id FROM orders WHERE created_at >= '2025-03-01'::date AND created_at < "
        "'2025-03-01'::date + 1;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr) return;
    QueryAnalyzer::Hooks hooks;
    hooks.level = [&](const Level& level) {
      for (const Node* pred : LevelPredicates(level)) {
        WalkLevelExpr(pred, [&](const Node* n) {
          if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR)
            CheckComparison(*ctx.catalog, level, n->a_expr, out);
          return true;
        });
      }
    };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }

 private:
  static void CheckComparison(const catalog::Catalog& cat, const Level& level,
                              const PgQuery__AExpr* e, Emitter& out) {
    std::string_view op = OperatorName(e);
    bool both_sides = false;
    switch (e->kind) {
      case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
        if (!IsComparison(op)) return;
        both_sides = true;
        break;
      case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
      case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        if (op != "=") return;
        break;
      case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
      case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
        break;
      default:
        return;
    }
    for (int side = 0; side < (both_sides ? 2 : 1); ++side) {
      const Node* wrapped = side == 0 ? e->lexpr : e->rexpr;
      const Node* other = side == 0 ? e->rexpr : e->lexpr;
      const PgQuery__ColumnRef* col = WrappedColumn(wrapped);
      if (col == nullptr ||
          col->fields[col->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR)
        continue;
      std::string column(sql::StrVal(col->fields[col->n_fields - 1]));
      TableColumnRef tc = FindTableColumn(*level.scope, col);
      if (wrapped->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        std::string target = CastTypeName(wrapped->type_cast->type_name);
        if (tc.column != nullptr) {
          if (HarmlessCast(cat, tc.column->type, target)) continue;
        } else if (target == "text" || target == "character varying") {
          continue;  // likely a no-op relabel of a text column; cannot tell without the type
        }
      }
      if (tc.column != nullptr && HasExpressionIndex(cat, *tc.item->table, wrapped)) continue;
      Report(e, wrapped, other, side == 0 ? op : Mirror(op), col, column, tc, out);
      return;
    }
  }

  static void Report(const PgQuery__AExpr* e, const Node* wrapped, const Node* other,
                     std::string_view op, const PgQuery__ColumnRef* col, const std::string& column,
                     const TableColumnRef& tc, Emitter& out) {
    std::string what;
    switch (wrapped->node_case) {
      case PG_QUERY__NODE__NODE_FUNC_CALL:
        what = "applies " + std::string(FuncName(wrapped->func_call)) + "() to column \"" + column +
               "\"";
        break;
      case PG_QUERY__NODE__NODE_TYPE_CAST:
        what = "casts column \"" + column + "\" to " + CastTypeName(wrapped->type_cast->type_name);
        break;
      default:
        what =
            "computes " + DeparseOr(wrapped, "an expression") + " from column \"" + column + "\"";
        break;
    }
    Node col_node = PG_QUERY__NODE__INIT;
    col_node.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    col_node.column_ref = const_cast<PgQuery__ColumnRef*>(col);
    std::string col_text = DeparseOr(&col_node, QuoteIdent(column));
    std::string rewrite =
        e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP
            ? RangeRewrite(wrapped, op, other, col_text, tc.column ? tc.column->type : "")
            : "";
    std::string fix;
    std::string_view func =
        wrapped->node_case == PG_QUERY__NODE__NODE_FUNC_CALL ? FuncName(wrapped->func_call) : "";
    std::string how = func == "lower" || func == "upper"
                          ? "store the value normalized (or make the column citext) and compare "
                            "the bare column \"" +
                                column + "\""
                          : "rewrite the condition on the bare column \"" + column + "\"";
    if (!rewrite.empty()) {
      fix = "compare the bare column: " + rewrite;
    } else if (tc.column != nullptr && TimeZoneDependent(wrapped, tc.column->type)) {
      fix = "rewrite the condition as a range on the bare column \"" + column +
            "\" (an index on this expression is impossible: on timestamptz it depends on the "
            "session time zone)";
    } else if (tc.column != nullptr) {
      fix = how + ", or index the expression:\nCREATE INDEX CONCURRENTLY ON " +
            ShortName(tc.item->table->name) + " ((" + UnqualifiedText(wrapped) + "));";
    } else {
      fix = how + ", or create an index on the expression " + DeparseOr(wrapped, "") +
            " (it must be immutable)";
    }
    out.Report(StartLocation(wrapped),
               "predicate " + what + ": a plain index on \"" + column + "\" cannot be used", fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_non_sargable_predicate() {
  return std::make_unique<NonSargablePredicate>();
}

}  // namespace dbarch::lint
