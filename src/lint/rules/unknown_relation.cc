// unknown-relation: a query reads or writes a table or view that does not exist in the schema
// known at that point (FROM / JOIN items, INSERT / UPDATE / DELETE targets, subqueries, CTE
// bodies, the queries of EXPLAIN, CREATE TABLE AS, PREPARE, DECLARE and COPY).
//
// Why: PostgreSQL rejects the statement ("relation ... does not exist"); in a query file it is
// a typo or a query written against a schema that has moved on, found before deploy.
// Fix: correct the name (the finding suggests the closest table, view or CTE) or create the
// relation first.
// False positives: kept low on purpose. Silent without a known schema; CTE names, system
// catalogs (pg_*, information_schema), and relations created by statements dbarch does not
// model (temporary tables, CREATE TABLE AS, SELECT INTO, foreign tables, DO blocks) are
// accepted; an unqualified name found in a schema other than public is accepted (the
// session's search_path may reach it). CREATE VIEW / MATERIALIZED VIEW bodies are left to
// unknown-object, which already reports them. Remaining: relations created by functions or
// outside the linted files and the --schema baseline.
// Example: SELECT id FROM ordres;  ->  SELECT id FROM orders;
#include "lint/query_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class UnknownRelation final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "unknown-relation",
        Family::kQuery,
        Severity::kError,
        "a query refers to a table or view that does not exist",
        "PostgreSQL rejects the whole statement with \"relation does not exist\"; in a query "
        "file this is a typo or a query that no longer matches the schema.",
        "Correct the name (see the suggestion) or create the relation before the query runs.",
        "SELECT id, status FROM ordres WHERE id = 1;",
        "SELECT id, status FROM orders WHERE id = 1;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (QueryOf(ctx.stmt->node) == nullptr || !SchemaKnown(ctx)) return;
    QueryAnalyzer::Hooks hooks;
    hooks.unknown_relation = [&](const PgQuery__RangeVar* rv, const std::string& suggestion) {
      std::string name = rv->relname;
      if (rv->schemaname != nullptr && *rv->schemaname != '\0')
        name = rv->schemaname + ("." + name);
      std::optional<std::string> fix;
      if (!suggestion.empty()) fix = "did you mean \"" + suggestion + "\"?";
      out.Report(rv->location, "relation \"" + name + "\" does not exist", std::move(fix));
    };
    QueryAnalyzer(*ctx.catalog, std::move(hooks)).Run(ctx.stmt->node);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_unknown_relation() { return std::make_unique<UnknownRelation>(); }

}  // namespace dbarch::lint
