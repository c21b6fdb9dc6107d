// default-without-not-null: a column has a DEFAULT but accepts NULL.
//
// Pattern: a column of a table in the linted input with a DEFAULT (other than NULL), not
// NOT NULL (directly or through its domain), not an identity or generated column.
// Why: a default says "there is always a value", but it applies only when the INSERT omits
// the column. An explicit NULL (ORMs often send every column; COPY and INSERT ... SELECT
// pass NULLs through) or a later UPDATE ... SET col = NULL stores NULL anyway, so readers
// must still handle NULL and three-valued logic (col = false misses NULL rows).
// Fix: backfill with the default, then SET NOT NULL (it scans the table under an ACCESS
// EXCLUSIVE lock; on a big table validate a CHECK (col IS NOT NULL) NOT VALID first, which
// SET NOT NULL then uses instead of scanning).
// False positives: columns where NULL deliberately means "unknown" after the fact while new
// rows start with a value; suppress those.
// Example: CREATE TABLE t (created_at timestamptz DEFAULT now());
//       -> CREATE TABLE t (created_at timestamptz NOT NULL DEFAULT now());
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class DefaultWithoutNotNull final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "default-without-not-null", Family::kDesign, Severity::kWarning,
        "a column has a DEFAULT but allows NULL",
        "A default applies only when an INSERT omits the column. Explicit NULLs (ORMs that "
        "send every column, COPY, INSERT ... SELECT) and UPDATE ... SET col = NULL still "
        "store NULL, so readers must handle NULL even though the default suggests a value "
        "is always expected.",
        "Backfill NULLs with the default and SET NOT NULL (on a big table validate a CHECK "
        "(col IS NOT NULL) NOT VALID first so SET NOT NULL skips its full scan).",
        "CREATE TABLE signups (email text, signed_up_at timestamptz DEFAULT now());",
        "CREATE TABLE signups (email text, signed_up_at timestamptz NOT NULL DEFAULT now());"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          if (c.default_expr.empty() || c.not_null || c.identity != catalog::IdentityKind::kNone ||
              !c.generated_expr.empty() || StartsWith(c.default_expr, "NULL")) {
            return false;
          }
          const catalog::Type* domain = design::FindDomain(cat, c.type);
          return domain == nullptr || !domain->not_null;
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string t = ShortName(table.name);
          std::string fix;
          for (const catalog::Column* c : cols) {
            std::string col = QuoteIdent(c->name);
            fix += "UPDATE " + t + " SET " + col + " = DEFAULT WHERE " + col + " IS NULL;\n";
          }
          fix += design::AlterColumnsSql(table.name, cols, [](const catalog::Column&) {
            return std::string("SET NOT NULL");
          });
          std::vector<std::string_view> names;
          for (const catalog::Column* c : cols) names.push_back(c->name);
          out.ReportAtOrigin(
              design::OriginOf(table, column.origin),
              design::ColumnPhrase(names) + " of " + design::Rel(table.name) +
                  (cols.size() == 1 ? " has a default but allows" : " have defaults but allow") +
                  " NULL: an explicit NULL bypasses the default",
              std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_default_without_not_null() {
  return std::make_unique<DefaultWithoutNotNull>();
}

}  // namespace dbarch::lint
