// unknown-column: a query names a column that none of the relations in scope has: a bare or
// table-qualified column, a qualifier that is not in FROM, or a column of an INSERT column
// list, UPDATE SET or ON CONFLICT clause that the target table lacks.
//
// Why: PostgreSQL rejects the statement ("column ... does not exist"); the query was written
// against another version of the schema, or has a typo.
// Fix: correct the name (the finding suggests the closest visible column) or add the column
// first.
// False positives: the rule resolves names the way the server does: aliases, CTEs (with
// their column lists), subqueries in FROM and their output names, joins (USING, join aliases),
// LATERAL and correlated references to outer queries, output-column aliases in ORDER BY /
// GROUP BY / DISTINCT ON, `excluded` in ON CONFLICT, RETURNING, system columns, whole-row
// references and t.f functional notation. Whenever a scope holds something it cannot see
// into (a function in FROM, a system catalog, a relation it cannot resolve, a view whose
// columns are not reliably known) it stays silent. Silent without a known schema.
// Example: SELECT o.totl FROM orders o;  ->  SELECT o.total FROM orders o;
#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

std::string RefText(const PgQuery__ColumnRef* ref) {
  std::string out;
  for (size_t i = 0; i < ref->n_fields; ++i) {
    if (i > 0) out += ".";
    const sql::Node* f = ref->fields[i];
    out += f->node_case == PG_QUERY__NODE__NODE_A_STAR ? std::string("*")
                                                       : std::string(sql::StrVal(f));
  }
  return out;
}

std::optional<std::string> DidYouMean(std::string_view word,
                                      const std::vector<std::string_view>& views,
                                      std::string_view prefix) {
  std::vector<std::string> candidates(views.begin(), views.end());
  std::string close = ClosestMatch(word, candidates);
  if (close.empty()) return std::nullopt;
  return "did you mean \"" + std::string(prefix) + close + "\"?";
}

class UnknownColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "unknown-column",
        Family::kQuery,
        Severity::kError,
        "a query refers to a column that the relations in scope do not have",
        "PostgreSQL rejects the whole statement with \"column does not exist\"; the query does "
        "not match the schema it will run against.",
        "Correct the name (see the suggestion) or add the column before the query runs.",
        "SELECT o.id, o.totl FROM orders o WHERE o.status = 'paid';",
        "SELECT o.id, o.total FROM orders o WHERE o.status = 'paid';"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr || !SchemaKnown(ctx)) return;
    QueryAnalyzer::Hooks hooks;
    hooks.column = [&](const PgQuery__ColumnRef* ref, const ColumnResolution& r,
                       const Scope& scope) {
      if (r.status == ColumnStatus::kNoSuchColumn) {
        std::string_view column = sql::StrVal(ref->fields[ref->n_fields - 1]);
        std::vector<std::string_view> candidates;
        std::string prefix;
        if (r.item != nullptr) {
          r.item->AppendColumns(candidates);
          for (size_t i = 0; i + 1 < ref->n_fields; ++i)
            prefix += std::string(sql::StrVal(ref->fields[i])) + ".";
        } else {
          for (const Scope* s = &scope; s != nullptr; s = s->parent) {
            for (const RangeItem& item : s->items) item.AppendColumns(candidates);
          }
        }
        out.Report(ref->location, "column \"" + RefText(ref) + "\" does not exist",
                   DidYouMean(column, candidates, prefix));
      } else if (r.status == ColumnStatus::kNoSuchQualifier) {
        std::string_view qualifier = sql::StrVal(ref->fields[0]);
        std::vector<std::string_view> names;
        std::optional<std::string> fix;
        for (const Scope* s = &scope; s != nullptr; s = s->parent) {
          for (const RangeItem& item : s->items) {
            if (item.name.empty()) continue;
            names.push_back(item.name);
            // The relation's own name is hidden by its alias.
            if (item.range_var != nullptr && item.range_var->alias != nullptr &&
                item.range_var->relname != nullptr && qualifier == item.range_var->relname &&
                !fix) {
              fix = "use the alias: \"" + std::string(item.name) + "\"";
            }
          }
        }
        // One- and two-letter aliases are too close to everything for a useful guess.
        if (!fix && qualifier.size() > 2) fix = DidYouMean(qualifier, names, "");
        out.Report(ref->location,
                   "missing FROM-clause entry for table \"" + std::string(qualifier) + "\" (in \"" +
                       RefText(ref) + "\")",
                   std::move(fix));
      }
    };
    hooks.unknown_target_column = [&](const RangeItem& target, std::string_view column,
                                      int location) {
      std::vector<std::string_view> candidates;
      target.AppendColumns(candidates);
      std::string rel = target.table != nullptr ? DisplayName(target.table->name)
                                                : DisplayName(target.view->name);
      out.Report(
          location,
          "column \"" + std::string(column) + "\" of relation \"" + rel + "\" does not exist",
          DidYouMean(column, candidates, ""));
    };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_unknown_column() { return std::make_unique<UnknownColumn>(); }

}  // namespace dbarch::lint
