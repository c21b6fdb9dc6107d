// char-column: a column of type character(n) (char(n), bpchar).
//
// Pattern: a column of a table in the linted input whose type, domains resolved, is
// character[(n)], unless padding can never happen or is not this column's choice: a CHECK
// constraint of the table (or of the column's domain) mentions the column (it typically
// pins the exact length or pattern), or the column is a foreign key (its type follows the
// referenced column, which is where the finding belongs).
// Why: char(n) pads shorter values with blanks. The blanks are ignored by = and ordering,
// dropped when cast to text, but significant for LIKE, regular expressions and in clients,
// so 'ab' and 'ab ' compare equal in one place and differ in another. It is not faster or
// smaller than text in PostgreSQL (the padding takes space), and changing n means ALTER
// COLUMN TYPE under an ACCESS EXCLUSIVE lock.
// Fix: text (ALTER COLUMN ... TYPE text rewrites the table and strips the padding), with a
// CHECK (char_length(col) = n) if the length really is fixed.
// False positives: fixed-length codes guaranteed by the application; add a CHECK that states
// the format (which silences the rule) or suppress.
// Example: CREATE TABLE t (code char(8));
//       -> CREATE TABLE t (code text CHECK (code ~ '^[A-Z0-9]{8}$'));
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class CharColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "char-column", Family::kDesign, Severity::kWarning,
        "a column uses character(n)",
        "character(n) blank-pads shorter values. The padding is ignored by = and ORDER BY and "
        "dropped on a cast to text, but it counts for LIKE, regular expressions and clients, "
        "so equality differs between code paths. It is no faster or smaller than text in "
        "PostgreSQL, and changing n is an ALTER COLUMN TYPE under an ACCESS EXCLUSIVE lock.",
        "Use text, with a CHECK on the length or format when it is fixed (a column with such "
        "a CHECK is not reported).",
        "CREATE TABLE api_keys (key_prefix char(8) NOT NULL);",
        "CREATE TABLE api_keys (key_prefix text NOT NULL CHECK (char_length(key_prefix) = 8));"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table& table, const catalog::Column& c) {
          std::string_view t = design::ResolveDomains(cat, c.type);
          if (!(t == "character" || t == "character[]" || StartsWith(t, "character("))) {
            return false;
          }
          const catalog::Type* domain = design::FindDomain(cat, c.type);
          if (domain != nullptr && !domain->constraints.empty()) return false;
          return !design::HasCheckOn(table, c.name) && !design::IsForeignKeyColumn(table, c.name);
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string fix = design::AlterColumnsSql(table.name, cols, [&](const catalog::Column& c) {
            bool array = design::IsArrayType(design::ResolveDomains(cat, c.type));
            return std::string(array ? "TYPE text[]" : "TYPE text");
          });
          out.ReportAtOrigin(design::OriginOf(table, column.origin),
                             design::ColumnsSubject(cols, table.name) + " " +
                                 design::CommonType(cols, "character(n)") +
                                 ": values are blank-padded and the padding counts in "
                                 "some comparisons but not others; use text with a CHECK if the "
                                 "length is fixed",
                             std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_char_column() { return std::make_unique<CharColumn>(); }

}  // namespace dbarch::lint
