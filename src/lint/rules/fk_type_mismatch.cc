// fk-type-mismatch: a foreign key column's type differs from the referenced column's type.
//
// Pattern: for each FOREIGN KEY of a table in the linted input, a local column whose type
// (domains resolved to their base type, type modifiers ignored, varchar treated as text)
// differs from the type of the referenced column.
// Why: PostgreSQL accepts the constraint when a cross-type equality operator or an implicit
// cast exists, but then: an integer column referencing a bigint key cannot hold parent keys
// above 2^31 - 1 (inserts start failing once the parent's sequence passes it); a column of
// another type family (numeric vs integer, char vs text, citext vs text) is compared through
// a cast, so the index on one side is not usable for the FK lookups and joins (the ON DELETE
// check scans the child) and comparison semantics can differ (char(n) pads, citext ignores
// case). Mixed integer widths also make every join compare across types.
// Fix: give the referencing column the referenced column's type (ALTER COLUMN ... TYPE, a
// table rewrite under ACCESS EXCLUSIVE); when the child is the wider integer, widen the parent
// key instead.
// False positives: none known for real mismatches; numeric(p,s) precision and varchar length
// differences are deliberately ignored.
// Example: CREATE TABLE items (order_id integer REFERENCES orders);  -- orders.id is bigint
//       -> CREATE TABLE items (order_id bigint REFERENCES orders);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

// The type family used for comparisons: typmods dropped, varchar spelled text.
std::string TypeKey(std::string_view type) {
  std::string t = design::StripTypmod(type);
  if (StartsWith(t, "character varying")) t = "text" + t.substr(17);
  return t;
}

class FkTypeMismatch final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "fk-type-mismatch", Family::kDesign, Severity::kWarning,
        "a foreign key column's type differs from the type of the column it references",
        "PostgreSQL accepts a foreign key between different types when a cross-type operator "
        "or an implicit cast exists. An integer column referencing a bigint key cannot store "
        "parent keys above 2147483647, so inserts fail once the parent outgrows it. Across "
        "type families (numeric/integer, character/text, citext/text) values are compared "
        "through a cast: an index on one side cannot serve the FK checks and joins, and "
        "equality semantics differ (char(n) pads with blanks, citext ignores case).",
        "Declare the referencing column with exactly the referenced column's type "
        "(ALTER COLUMN ... TYPE rewrites the table under an ACCESS EXCLUSIVE lock); when the "
        "child is the wider integer, widen the parent key instead.",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
        "CREATE TABLE order_items (order_id integer REFERENCES orders);",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n"
        "CREATE TABLE order_items (order_id bigint REFERENCES orders);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    for (const auto& [name, table] : cat.tables) {
      if (table.partition_of.has_value()) continue;
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind != catalog::ConstraintKind::kForeignKey ||
            !design::IsCheckedPart(ctx, table, c.origin)) {
          continue;
        }
        const catalog::Table* parent = cat.FindTable(c.ref_table);
        if (parent == nullptr) continue;
        std::string problems;
        std::string fix;
        for (size_t i = 0; i < c.columns.size() && i < c.ref_columns.size(); ++i) {
          const catalog::Column* col = table.FindColumn(c.columns[i]);
          const catalog::Column* ref = parent->FindColumn(c.ref_columns[i]);
          if (col == nullptr || ref == nullptr) continue;
          std::string_view ct = design::ResolveDomains(cat, col->type);
          std::string_view pt = design::ResolveDomains(cat, ref->type);
          if (TypeKey(ct) == TypeKey(pt)) continue;
          if (!problems.empty()) problems += "; ";
          if (!fix.empty()) fix += "\n";
          problems += design::Ident(col->name) + " is " + col->type + " but " +
                      design::Rel(c.ref_table) + "." + design::Ident(ref->name) + " is " +
                      ref->type;
          long long cmax = design::IntegerTypeMax(ct);
          long long pmax = design::IntegerTypeMax(pt);
          if (cmax != 0 && pmax != 0 && cmax < pmax) {
            problems += ": parent keys above " + std::to_string(cmax) + " cannot be referenced";
          } else if (cmax != 0 && pmax != 0) {
            problems += ": joins compare mixed integer widths and the parent key runs out first";
          } else {
            problems += ": values are compared through a cast, so an index on one side cannot "
                        "serve the foreign key checks and joins";
          }
          if (cmax != 0 && pmax != 0 && cmax > pmax) {
            fix += "ALTER TABLE " + ShortName(parent->name) + " ALTER COLUMN " +
                   QuoteIdent(ref->name) + " TYPE " + col->type + ";";
          } else {
            fix += "ALTER TABLE " + ShortName(name) + " ALTER COLUMN " + QuoteIdent(col->name) +
                   " TYPE " + ref->type + ";";
          }
        }
        if (problems.empty()) continue;
        out.ReportAtOrigin(
            design::OriginOf(table, c.origin),
            "foreign key " + design::Ident(c.name) + " of " + design::Rel(name) + ": " + problems,
            std::move(fix));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_fk_type_mismatch() { return std::make_unique<FkTypeMismatch>(); }

}  // namespace dbarch::lint
