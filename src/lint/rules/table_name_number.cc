// table-name-number: a table name's grammatical number (singular/plural) breaks the schema's
// convention.
//
// Pattern: the last '_'-separated word of each table name (partitions excluded) is classed
// singular or plural by the simple English rules: a word ending in s (but not ss, us, is) is
// plural, others singular, with a list of irregular nouns (person/people, child/children,
// criterion/criteria, analysis/analyses...) and words that tell nothing (data, media, news,
// series, staff, inventory, metadata...). With `naming: { table_number: plural }` (or
// singular) in dbarch.yaml every table of the linted input of the other number is reported;
// without it, when the schema (baseline included) mixes both, the tables of the minority
// form are reported, and a tie reports nothing.
// Why: a consistent convention lets people and tools guess names (is it order or orders?)
// and keeps generated code (ORM models, foreign key column names) uniform.
// Fix: rename the table (ALTER TABLE ... RENAME TO); views, functions and application code
// that name it must follow.
// False positives: words the English heuristic misclassifies (a table named "analytics",
// "bus", "gas" or a non-English word); suppress, or set table_number explicitly.
// Example (mostly plural schema): CREATE TABLE audit_log (...);  ->  CREATE TABLE audit_logs (...);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class TableNameNumber final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "table-name-number", Family::kDesign, Severity::kInfo,
        "a table name is singular where the convention is plural, or the other way round",
        "A consistent convention lets people and tools guess table names (order or orders?) "
        "and keeps generated code uniform. The convention is naming.table_number in "
        "dbarch.yaml, or else the majority of the schema's table names; number is guessed "
        "from the last word by the simple English plural rules (-s, -es, -ies, a list of "
        "irregular and uncountable nouns).",
        "Rename the table and update views, functions and application code.",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE customer (id bigint PRIMARY KEY);",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE customers (id bigint PRIMARY KEY);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const std::string& configured = ctx.config->naming.table_number;
    design::Number want = design::Number::kUnknown;
    size_t singular = 0, plural = 0;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value()) continue;
      design::Number num = design::WordNumber(ToLower(design::LastToken(name.name)));
      if (num == design::Number::kSingular) ++singular;
      if (num == design::Number::kPlural) ++plural;
    }
    if (configured == "plural") {
      want = design::Number::kPlural;
    } else if (configured == "singular") {
      want = design::Number::kSingular;
    } else if (singular != plural && singular > 0 && plural > 0) {
      want = plural > singular ? design::Number::kPlural : design::Number::kSingular;
    }
    if (want == design::Number::kUnknown) return;
    bool want_plural = want == design::Number::kPlural;
    size_t majority = want_plural ? plural : singular;
    size_t total = singular + plural;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (!design::IsCheckedTable(ctx, table)) continue;
      std::string last = ToLower(design::LastToken(name.name));
      design::Number num = design::WordNumber(last);
      if (num == design::Number::kUnknown || num == want) continue;
      std::string is = want_plural ? "singular" : "plural";
      std::string why = configured.empty()
                            ? std::to_string(majority) + " of " + std::to_string(total) +
                                  " table names are " + (want_plural ? "plural" : "singular")
                            : "naming.table_number is " + configured;
      std::string renamed = design::ReplaceLastToken(
          name.name, want_plural ? design::Pluralize(last) : design::Singularize(last));
      std::string fix = IsReservedKeyword(renamed)
                            ? "-- " + design::Ident(renamed) +
                                  " is a reserved keyword: choose another name"
                            : "ALTER TABLE " + ShortName(name) + " RENAME TO " +
                                  QuoteIdent(renamed) + ";";
      out.ReportAt(table.origin.span,
                   "table " + design::Rel(name) + " has a " + is + " name while " + why,
                   std::move(fix));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_table_name_number() { return std::make_unique<TableNameNumber>(); }

}  // namespace dbarch::lint
