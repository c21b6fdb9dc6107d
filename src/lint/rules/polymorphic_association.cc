// polymorphic-association: a <x>_type + <x>_id column pair that points at rows of varying
// tables, without a foreign key.
//
// Pattern: a table in the linted input with columns <x>_type (or <x>_table, <x>_class,
// <x>_model) and <x>_id, where <x>_id is not part of any FOREIGN KEY
// (commentable_type + commentable_id). Tables named as logs, audits, histories, journals or
// event streams are skipped: their references are meant to outlive the rows they name.
// Why: PostgreSQL cannot declare a foreign key whose target table depends on another
// column, so nothing checks that the row exists: deleting the target leaves dangling rows
// (no ON DELETE action), typos in the type column go unnoticed, the id column cannot have
// the target's type for every target, and each lookup must branch on the type, so joins
// are unions or application-side.
// Fix: one nullable foreign key column per target table with CHECK (num_nonnulls(a_id,
// b_id, ...) = 1), or one link table per target, or a common supertype table that every
// target references.
// False positives: references to objects outside the database, and deliberately
// reference-free records such as notifications or audit rows in tables not named that way.
// Example: CREATE TABLE comments (commentable_type text, commentable_id bigint, ...);
//       -> CREATE TABLE comments (post_id bigint REFERENCES posts, photo_id bigint REFERENCES photos,
//            CHECK (num_nonnulls(post_id, photo_id) = 1), ...);
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr std::string_view kTypeSuffixes[] = {"_type", "_table", "_class", "_model"};
constexpr std::string_view kLogWords[] = {
    "audit", "audits", "changelog", "event", "events", "histories", "history", "journal",
    "journals", "log", "logs", "trail", "trails"};

bool IsLogTable(std::string_view name) {
  for (std::string_view w : design::NameTokens(name)) {
    if (std::find(std::begin(kLogWords), std::end(kLogWords), w) != std::end(kLogWords)) return true;
  }
  return false;
}

class PolymorphicAssociation final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "polymorphic-association", Family::kDesign, Severity::kWarning,
        "a <x>_type + <x>_id column pair references rows of several tables without a "
        "foreign key",
        "A foreign key cannot have a target that depends on another column, so nothing "
        "checks the referenced row exists: deleting it leaves dangling rows, misspelled types "
        "go unnoticed, one id type must fit every target, and every join has to branch on "
        "the type column. Log, audit, history and event tables are skipped.",
        "Use one nullable foreign key column per target table with CHECK (num_nonnulls(...) "
        "= 1), one link table per target, or a supertype table that all targets reference.",
        "CREATE TABLE comments (id bigint PRIMARY KEY, commentable_type text, commentable_id bigint);",
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint REFERENCES posts,\n"
        "  photo_id bigint REFERENCES photos, CHECK (num_nonnulls(post_id, photo_id) = 1));"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value() || IsLogTable(name.name)) continue;
      for (const catalog::Column& c : table.columns) {
        if (!design::IsCheckedPart(ctx, table, c.origin)) continue;
        for (std::string_view suffix : kTypeSuffixes) {
          if (!EndsWith(c.name, suffix) || c.name.size() == suffix.size()) continue;
          std::string id = c.name.substr(0, c.name.size() - suffix.size()) + "_id";
          if (table.FindColumn(id) == nullptr || design::IsForeignKeyColumn(table, id)) continue;
          out.ReportAtOrigin(
              design::OriginOf(table, c.origin),
              "columns " + design::Ident(c.name) + " and " + design::Ident(id) + " of " +
                  design::Rel(name) + " form a polymorphic association: " + design::Ident(id) +
                  " has no foreign key, so dangling references are not prevented and deletes "
                  "do not cascade",
              "-- one nullable foreign key per target table, exactly one of them set:\n"
              "-- ALTER TABLE " +
                  ShortName(name) +
                  " ADD COLUMN <target>_id bigint REFERENCES <target>, ...,\n"
                  "--   ADD CHECK (num_nonnulls(<target>_id, ...) = 1);");
          break;
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_polymorphic_association() {
  return std::make_unique<PolymorphicAssociation>();
}

}  // namespace dbarch::lint
