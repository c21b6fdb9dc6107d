// json-column: a column of type json instead of jsonb.
//
// Pattern: a column of a table in the linted input whose type, domains resolved, is json
// (or json[]).
// Why: json keeps the input text verbatim and re-parses it on every access (every ->, ->>,
// json_* call); it has no equality operator, so DISTINCT, GROUP BY, UNION and unique
// constraints fail on it; and it cannot be indexed with GIN (no containment @>, no jsonpath
// operators). jsonb stores a parsed binary form that is faster to process and indexable.
// Fix: ALTER COLUMN ... TYPE jsonb USING col::jsonb (rewrites the table; duplicate keys keep
// the last value, key order and whitespace are not preserved).
// False positives: documents that must round-trip byte for byte (signed webhook payloads,
// audit copies of the exact input), where key order or duplicate keys matter.
// Example: CREATE TABLE t (payload json);  ->  CREATE TABLE t (payload jsonb);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class JsonColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "json-column", Family::kDesign, Severity::kWarning,
        "a column uses json instead of jsonb",
        "json stores the text as written and re-parses it on every access; it has no "
        "equality operator (DISTINCT, GROUP BY, UNION fail) and no GIN operator class, so "
        "containment and jsonpath queries cannot use an index. jsonb stores a parsed binary "
        "form: faster to query, comparable and indexable.",
        "Convert with ALTER COLUMN ... TYPE jsonb USING col::jsonb (a table rewrite; key "
        "order, whitespace and duplicate keys are not kept).",
        "CREATE TABLE webhooks (payload json NOT NULL);",
        "CREATE TABLE webhooks (payload jsonb NOT NULL);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          std::string_view t = design::ResolveDomains(cat, c.type);
          return t == "json" || t == "json[]";
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string fix = design::AlterColumnsSql(table.name, cols, [&](const catalog::Column& c) {
            bool array = design::IsArrayType(design::ResolveDomains(cat, c.type));
            return std::string(array ? "TYPE jsonb[] USING " : "TYPE jsonb USING ") +
                   QuoteIdent(c.name) + (array ? "::jsonb[]" : "::jsonb");
          });
          out.ReportAtOrigin(
              design::OriginOf(table, column.origin),
              design::ColumnsSubject(cols, table.name) +
                  " json, which is re-parsed on every access, has no equality operator "
                  "and no GIN index support; use jsonb",
              std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_json_column() { return std::make_unique<JsonColumn>(); }

}  // namespace dbarch::lint
