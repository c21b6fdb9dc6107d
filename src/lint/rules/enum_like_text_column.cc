// enum-like-text-column: a free-text column named like an enumeration (status, state, type,
// kind, category, role, level, priority...) with nothing restricting its values.
//
// Pattern: a text, varchar or citext column (not an enum, not a domain) of a table in the
// linted input whose name, or last name word, is status, state, type, kind, category, role,
// level, priority, mode, stage, phase, tier, severity or visibility; no CHECK constraint of
// the table mentions it and it is not a foreign key (a lookup table is a fine enumeration).
// Skipped: content_type / mime_type / media_type (open sets), "state" on a table with
// address columns (a region, not a lifecycle state), and <x>_type beside an <x>_id column (a
// polymorphic reference, see polymorphic-association).
// Why: the database accepts any string, so 'canceled', 'cancelled' and 'Cancelled' all end
// up stored; queries filtering on one spelling silently miss the others, and the planner's
// statistics and partial indexes (WHERE status = 'open') only help for the spellings used.
// Fix: a CHECK (col IN (...)) constraint (add NOT VALID, then VALIDATE, to avoid a long lock;
// easy to extend later), an enum type, or a foreign key to a lookup table.
// False positives: columns whose value set is open by design (event types of an event
// stream, carrier status texts stored as received); suppress those.
// Example: CREATE TABLE promotions (kind text NOT NULL);
//       -> CREATE TABLE promotions (kind text NOT NULL CHECK (kind IN ('percent', 'fixed')));
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "catalog/naming.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kEnumWords[] = {
    "category", "kind", "level", "mode", "phase", "priority", "role", "severity", "stage",
    "state", "status", "tier", "type", "visibility"};
constexpr std::string_view kOpenSets[] = {"content_type", "mime_type", "media_type"};
constexpr std::string_view kAddressColumns[] = {
    "address", "city", "country", "country_code", "line1", "postal_code", "street", "zip",
    "zip_code", "zipcode"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

bool HasAddressColumns(const catalog::Table& table) {
  for (const catalog::Column& c : table.columns) {
    if (In(kAddressColumns, c.name)) return true;
  }
  return false;
}

class EnumLikeTextColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "enum-like-text-column", Family::kDesign, Severity::kWarning,
        "a free-text column named like an enumeration has no CHECK, enum type or lookup table",
        "Any string is accepted, so variant spellings ('canceled', 'cancelled', 'Cancelled') "
        "accumulate; filters on one spelling silently miss the others and partial indexes "
        "and statistics cover only what the queries spell. Detected by name: status, state, "
        "type, kind, category, role, level, priority, mode, stage, phase, tier, severity, "
        "visibility.",
        "Add CHECK (col IN (...)) (NOT VALID, then VALIDATE CONSTRAINT, to avoid a long "
        "lock), or use an enum type or a foreign key to a lookup table.",
        "CREATE TABLE promotions (id bigint PRIMARY KEY, kind text NOT NULL);",
        "CREATE TABLE promotions (id bigint PRIMARY KEY,\n"
        "  kind text NOT NULL CHECK (kind IN ('percent', 'fixed_amount')));"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table& table, const catalog::Column& c) {
          if (!design::IsTextLike(c.type)) return false;
          std::string_view last = design::LastToken(c.name);
          if (!In(kEnumWords, last) || In(kOpenSets, c.name)) return false;
          if (last == "state" && HasAddressColumns(table)) return false;
          // <x>_type next to <x>_id names a table: polymorphic-association's concern.
          if (last == "type" && c.name.size() > 5 &&
              table.FindColumn(c.name.substr(0, c.name.size() - 4) + "id") != nullptr) {
            return false;
          }
          return !design::HasCheckOn(table, c.name) && !design::IsForeignKeyColumn(table, c.name);
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string t = ShortName(table.name);
          std::string fix;
          for (const catalog::Column* c : cols) {
            std::string col = QuoteIdent(c->name);
            std::string con = QuoteIdent(catalog::MakeObjectName(table.name.name, c->name, "check"));
            if (!fix.empty()) fix += "\n";
            fix += "SELECT DISTINCT " + col + " FROM " + t + ";  -- the values in use\n" +
                   "ALTER TABLE " + t + " ADD CONSTRAINT " + con + " CHECK (" + col +
                   " IN ('value1', 'value2')) NOT VALID;\n" + "ALTER TABLE " + t +
                   " VALIDATE CONSTRAINT " + con + ";";
          }
          out.ReportAtOrigin(design::OriginOf(table, column.origin),
                             design::ColumnsSubject(cols, table.name) +
                                 " free text named like an enumeration, with no CHECK, enum or "
                                 "lookup table: any spelling is accepted",
                             std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_enum_like_text_column() {
  return std::make_unique<EnumLikeTextColumn>();
}

}  // namespace dbarch::lint
