// nullable-fk-mandatory: a nullable foreign key column whose constraint or naming says the
// relationship is mandatory.
//
// Pattern (heuristic), for each FOREIGN KEY of a table in the linted input that has a
// nullable local column and does not reference its own table:
//  (a) the FK is ON DELETE CASCADE: the child is deleted with its parent, i.e. it is part of
//      the parent and should not exist without one; or
//  (b) the child table is named after the parent as a part of it and the key is the plain
//      link to it: the table name starts with the parent's singular name and '_', and the FK
//      column is that name + "id" (order_items.order_id -> orders, invoice_lines.invoice_id
//      -> invoices).
// Why: a NULL foreign key is never checked (MATCH SIMPLE skips rows with a NULL key column),
// so a child row can be stored without any parent, outside every cascade, and every query
// must handle the NULL case.
// Fix: ALTER TABLE ... ALTER COLUMN ... SET NOT NULL (it scans the table under an ACCESS
// EXCLUSIVE lock; on a big table add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then
// SET NOT NULL, which uses the validated check).
// False positives: optional relationships that should still cascade when present (a guest
// cart whose customer_id is NULL until login; a catalogue row that is global when seller_id
// is NULL). That is why the severity is info.
// Example: CREATE TABLE order_items (order_id bigint REFERENCES orders ON DELETE CASCADE);
//       -> CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class NullableFkMandatory final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "nullable-fk-mandatory", Family::kDesign, Severity::kInfo,
        "a nullable foreign key column looks like a mandatory relationship",
        "Rows whose foreign key column is NULL are never checked (MATCH SIMPLE), so a child "
        "can exist without any parent, outside every cascade. Heuristic: the FK is ON "
        "DELETE CASCADE (the child lives and dies with its parent), or the child table is "
        "named as a part of the parent and the column as its link (order_items.order_id to "
        "orders). Optional relationships that "
        "cascade when present are false positives.",
        "SET NOT NULL on the column (it scans the table; on a big table first add and "
        "validate CHECK (col IS NOT NULL) NOT VALID so SET NOT NULL can skip the scan), or "
        "suppress the finding when the relationship is really optional.",
        "CREATE TABLE order_items (order_id bigint REFERENCES orders ON DELETE CASCADE);",
        "CREATE TABLE order_items (order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value()) continue;
      for (const catalog::Constraint& c : table.constraints) {
        if (c.kind != catalog::ConstraintKind::kForeignKey || c.ref_table == name ||
            !design::IsCheckedPart(ctx, table, c.origin)) {
          continue;
        }
        std::vector<std::string_view> nullable;
        for (const std::string& col : c.columns) {
          const catalog::Column* column = table.FindColumn(col);
          if (column != nullptr && !column->not_null) nullable.push_back(column->name);
        }
        if (nullable.empty()) continue;
        std::string why;
        if (c.on_delete == 'c') {
          why = "ON DELETE CASCADE makes each row depend on " + design::Rel(c.ref_table);
        } else {
          std::string parent_singular = design::Singularize(design::LastToken(c.ref_table.name));
          std::string parent_stem =
              design::ReplaceLastToken(c.ref_table.name, parent_singular) + "_";
          if (parent_stem.size() > 1 && StartsWith(name.name, parent_stem) &&
              c.columns.size() == 1 && c.columns[0] == parent_stem + "id") {
            why = design::Rel(name) + " rows look like parts of " + design::Rel(c.ref_table);
          }
        }
        if (why.empty()) continue;
        std::string fix;
        for (std::string_view col : nullable) {
          if (!fix.empty()) fix += "\n";
          fix += "ALTER TABLE " + ShortName(name) + " ALTER COLUMN " + QuoteIdent(col) +
                 " SET NOT NULL;";
        }
        out.ReportAtOrigin(design::OriginOf(table, c.origin),
                           "foreign key " + design::Ident(c.name) + " of " + design::Rel(name) +
                               " is nullable (" + design::ColumnPhrase(nullable) + ") although " +
                               why,
                           std::move(fix));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_nullable_fk_mandatory() {
  return std::make_unique<NullableFkMandatory>();
}

}  // namespace dbarch::lint
