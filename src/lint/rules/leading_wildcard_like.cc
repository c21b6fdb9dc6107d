// leading-wildcard-like: LIKE / ILIKE with a pattern that starts with a wildcard ('%x',
// '%x%', '_x', or '%' || $1 || '%').
//
// Why: a btree index (even with text_pattern_ops) can only serve a LIKE that has a fixed
// prefix; with a leading wildcard every row is read and matched, and ILIKE cannot use a
// btree at all.
// Fix: a trigram index (CREATE EXTENSION pg_trgm; CREATE INDEX ... USING gin (col
// gin_trgm_ops)), which serves LIKE/ILIKE '%x%' for patterns of three or more characters; or
// full-text search (to_tsvector / tsquery with a GIN index) for word searches.
// False positives: small tables; when the catalog shows a trigram (gin/gist *_trgm_ops) index
// on the column (or on the same expression), the rule stays silent.
// Example: SELECT id FROM products WHERE name ILIKE '%phone%';
//       -> CREATE INDEX CONCURRENTLY ON products USING gin (name gin_trgm_ops);  (same query)
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

// The pattern literal when it starts with a wildcard: a string constant, possibly cast, or
// the leftmost operand of a || chain.
const sql::Node* LeadingWildcard(const sql::Node* n) {
  if (n == nullptr) return nullptr;
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) return LeadingWildcard(n->type_cast->arg);
  if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR &&
      n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP && OperatorName(n->a_expr) == "||") {
    return LeadingWildcard(n->a_expr->lexpr);
  }
  if (n->node_case != PG_QUERY__NODE__NODE_A_CONST ||
      n->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
    return nullptr;
  }
  const char* s = n->a_const->sval->sval;
  return s != nullptr && (s[0] == '%' || s[0] == '_') ? n : nullptr;
}

bool IsTrigramOpclass(const std::string& opclass) {
  return opclass.find("trgm") != std::string::npos;
}

// A trigram index of `table` on column `column`, or (when `lhs` is not a bare column) on the
// expression `lhs`.
bool HasTrigramIndex(const catalog::Catalog& cat, const catalog::Table& table,
                     std::string_view column, const sql::Node* lhs) {
  std::string expr;
  for (const auto& [name, idx] : cat.indexes) {
    if (idx.table != table.name || (idx.method != "gin" && idx.method != "gist")) continue;
    for (const catalog::IndexKey& k : idx.keys) {
      if (!IsTrigramOpclass(k.opclass)) continue;
      if (!column.empty() && k.column == column) return true;
      if (column.empty() && !k.expression.empty()) {
        if (expr.empty()) expr = UnqualifiedCanonical(lhs);
        if (k.expression == expr) return true;
      }
    }
  }
  return false;
}

class LeadingWildcardLike final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "leading-wildcard-like",
        Family::kQuery,
        Severity::kWarning,
        "LIKE / ILIKE with a pattern that starts with a wildcard",
        "A btree index serves LIKE only through a fixed prefix of the pattern; a leading % or _ "
        "leaves none, so every row is read and matched (ILIKE cannot use a btree at all).",
        "Add a pg_trgm index (USING gin (col gin_trgm_ops)) that serves '%x%' patterns, or use "
        "full-text search for word searches.",
        "SELECT id, name FROM products WHERE name ILIKE '%phone%';",
        "CREATE INDEX CONCURRENTLY products_name_trgm_idx ON products USING gin (name "
        "gin_trgm_ops);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr) return;
    QueryAnalyzer::Hooks hooks;
    hooks.level = [&](const Level& level) {
      for (const sql::Node* pred : LevelPredicates(level)) {
        WalkLevelExpr(pred, [&](const sql::Node* n) {
          if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR) return true;
          const PgQuery__AExpr* e = n->a_expr;
          bool like = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_LIKE && OperatorName(e) == "~~";
          bool ilike = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE && OperatorName(e) == "~~*";
          if (!like && !ilike) return true;
          const sql::Node* pattern = LeadingWildcard(e->rexpr);
          if (pattern == nullptr || IsConstant(e->lexpr)) return true;
          Check(*ctx.catalog, level, e, pattern, ilike, out);
          return true;
        });
      }
    };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }

 private:
  static void Check(const catalog::Catalog& cat, const Level& level, const PgQuery__AExpr* e,
                    const sql::Node* pattern, bool ilike, Emitter& out) {
    const sql::Node* lhs = e->lexpr;
    const PgQuery__ColumnRef* col = nullptr;
    if (lhs->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
      col = lhs->column_ref;
    } else {
      WalkNodes(lhs, [&](const sql::Node* n) {
        if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && col == nullptr) col = n->column_ref;
        return col == nullptr;
      });
    }
    TableColumnRef tc = col != nullptr ? FindTableColumn(*level.scope, col) : TableColumnRef{};
    std::string key_text;
    if (tc.column != nullptr) {
      bool bare = lhs->node_case == PG_QUERY__NODE__NODE_COLUMN_REF;
      if (HasTrigramIndex(cat, *tc.item->table, bare ? std::string_view(tc.column->name) : "", lhs))
        return;
      key_text = bare ? QuoteIdent(tc.column->name) : "(" + UnqualifiedText(lhs) + ")";
    }
    std::string what = DeparseOr(lhs, "expression");
    std::string op = ilike ? "ILIKE" : "LIKE";
    std::string fix;
    if (tc.column != nullptr) {
      fix = std::string(cat.extensions.count("pg_trgm")
                            ? ""
                            : "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n") +
            "CREATE INDEX CONCURRENTLY ON " + ShortName(tc.item->table->name) + " USING gin (" +
            key_text + " gin_trgm_ops);\n(or full-text search when matching whole words)";
    } else {
      fix =
          "index " + what + " with pg_trgm (USING gin (... gin_trgm_ops)) or use full-text search";
    }
    out.Report(sql::NodeLocation(pattern),
               "pattern starts with a wildcard: " + op + " on " + what +
                   " cannot use a btree index and reads every row",
               fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_leading_wildcard_like() {
  return std::make_unique<LeadingWildcardLike>();
}

}  // namespace dbarch::lint
