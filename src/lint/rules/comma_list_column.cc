// comma-list-column: a text column named like a list (tags, ids, emails...), which usually
// stores several values in one delimited string.
//
// Pattern: a text, varchar or citext column of a table in the linted input whose last name
// word is a plural of a typically multi-valued attribute: tags, ids, categories, emails,
// phones, numbers (phone_numbers), recipients, keywords, labels, roles, permissions, scopes,
// groups, members, urls, links, attachments, skus, codes, aliases, hashtags, cc, bcc; or
// "list" / "csv" (tag_list, ids_csv); or the name email_addresses.
// Why: a delimited list defeats the database: no index can find one element (only a
// sequential scan with LIKE '%x%', which also matches substrings), no foreign key can check
// the ids, no CHECK can validate an element, duplicates and delimiter escaping are the
// application's problem, and counting or joining elements needs string splitting in every
// query. First normal form exists for this.
// Fix: an array column (text[], bigint[] for ids; GIN-indexable with @> and &&), a child
// table (one row per element, with foreign keys and indexes), or jsonb.
// False positives: a column that holds one value despite its plural name, or a list that is
// only ever displayed (a free-text "keywords" note); suppress those.
// Example: CREATE TABLE posts (tags text);  ->  CREATE TABLE posts (tags text[] NOT NULL DEFAULT '{}');
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kListWords[] = {
    "aliases",  "attachments", "bcc",    "categories", "cc",      "codes",   "csv",
    "emails",   "groups",      "hashtags", "ids",      "keywords", "labels", "links",
    "list",     "members",     "permissions", "phones", "recipients", "roles", "scopes",
    "skus",     "tags",        "urls"};

bool IsListName(std::string_view name) {
  std::string_view last = design::LastToken(name);
  if (std::find(std::begin(kListWords), std::end(kListWords), last) != std::end(kListWords)) {
    return true;
  }
  return EndsWith(name, "phone_numbers") || EndsWith(name, "email_addresses");
}

class CommaListColumn final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "comma-list-column", Family::kDesign, Severity::kWarning,
        "a text column named like a list stores several values in one string",
        "A delimited list cannot be indexed per element (LIKE '%x%' scans and matches "
        "substrings), its ids cannot have foreign keys, its elements cannot be checked, and "
        "every query that counts or joins elements has to split strings. Detected by name: "
        "tags, ids, categories, emails, phone_numbers, recipients, roles... on a text column.",
        "Use an array column (GIN-indexable), a child table with one row per element, or "
        "jsonb.",
        "CREATE TABLE posts (id bigint PRIMARY KEY, tags text);",
        "CREATE TABLE posts (id bigint PRIMARY KEY, tags text[] NOT NULL DEFAULT '{}');"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::ForEachTableColumns(
        ctx,
        [&](const catalog::Table&, const catalog::Column& c) {
          return design::IsTextLike(c.type) && IsListName(c.name);
        },
        [&](const catalog::Table& table, const catalog::Column& column) {
          const std::vector<const catalog::Column*> cols{&column};
          std::string fix = design::AlterColumnsSql(table.name, cols, [](const catalog::Column& c) {
            std::string col = QuoteIdent(c.name);
            if (design::LastToken(c.name) == "ids") {
              return "TYPE bigint[] USING string_to_array(" + col + ", ',')::bigint[]";
            }
            return "TYPE text[] USING string_to_array(" + col + ", ',')";
          });
          out.ReportAtOrigin(design::OriginOf(table, column.origin),
                             design::ColumnsSubject(cols, table.name) +
                                 " text named like a list: delimited values cannot be indexed, "
                                 "referenced or checked one by one; use an array, a child table or "
                                 "jsonb",
                             std::move(fix));
        });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_comma_list_column() { return std::make_unique<CommaListColumn>(); }

}  // namespace dbarch::lint
