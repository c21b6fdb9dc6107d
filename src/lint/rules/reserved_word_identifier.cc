// reserved-word-identifier: a table, view or column named with a reserved SQL keyword
// (user, order, group, default, limit, end, check...).
//
// Pattern: a table or view in the linted input, or one of its columns, whose name is a
// PostgreSQL keyword of the reserved or type/function-name categories (pg_get_keywords()
// catcode R or T): those cannot be used as table or column names unless double-quoted.
// Column-name keywords that work unquoted (position, time, value...) are not reported.
// Why: every reference in every query, migration, view, trigger and tool must quote the
// name ("user", "order"), and forgetting it gives a syntax error at best; `user` unquoted
// is worse, it is valid and means the CURRENT_USER function. ORMs and code generators
// differ in how reliably they quote.
// Fix: rename (ALTER TABLE ... RENAME / RENAME COLUMN), e.g. users, sort_order,
// group_id; views and application queries must follow the rename.
// False positives: none as a fact; renaming an established name may not be worth it, in
// which case suppress.
// Example: CREATE TABLE "user" ("order" int);  ->  CREATE TABLE users (sort_order int);
#include <algorithm>
#include <iterator>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

// PostgreSQL 15: SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T'), sorted.
constexpr std::string_view kReserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
    "column", "concurrently", "constraint", "create", "cross", "current_catalog",
    "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
    "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral",
    "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not",
    "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
    "primary", "references", "returning", "right", "select", "session_user", "similar", "some",
    "symmetric", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique",
    "user", "using", "variadic", "verbose", "when", "where", "window", "with"};

bool IsReserved(std::string_view word) {
  return std::binary_search(std::begin(kReserved), std::end(kReserved), word);
}

// A readable unreserved column name for keyword `word`.
std::string ColumnName(std::string_view word, std::string_view type, bool is_fk) {
  if (type == "boolean") return "is_" + std::string(word);
  if (is_fk || ((word == "user" || word == "group") && design::IsIntegerType(type))) {
    return std::string(word) + "_id";
  }
  if (word == "order" || word == "desc" || word == "asc") {
    return word == "order" ? "sort_order" : (word == "desc" ? "description" : "ascending");
  }
  if (StartsWith(type, "timestamp") || type == "date") return std::string(word) + "_at";
  if (word == "user" || word == "group" || word == "table" || word == "column") {
    return std::string(word) + "_name";
  }
  return std::string(word) + "_value";
}

class ReservedWordIdentifier final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "reserved-word-identifier", Family::kDesign, Severity::kWarning,
        "a table, view or column is named with a reserved SQL keyword",
        "Reserved keywords (user, order, group, default, limit, end, check...) can only be "
        "table or column names when double-quoted, in every query, view, trigger and tool "
        "forever; a forgotten quote is a syntax error, and unquoted user even parses, as the "
        "CURRENT_USER function. Keywords that PostgreSQL accepts as column names unquoted "
        "(position, time, value) are not reported.",
        "Rename the table or column (and update views and queries).",
        "CREATE TABLE \"user\" (id bigint PRIMARY KEY, \"order\" integer);",
        "CREATE TABLE users (id bigint PRIMARY KEY, sort_order integer);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const catalog::Catalog& cat = *ctx.catalog;
    std::vector<std::string_view> cols;
    std::string fix;
    for (const auto& [name, table] : cat.tables) {
      if (table.partition_of.has_value()) continue;
      if (design::IsCheckedTable(ctx, table) && IsReserved(name.name)) {
        out.ReportAt(table.origin.span,
                     "table " + design::Rel(name) +
                         " is named with a reserved keyword: every reference must quote it",
                     "ALTER TABLE " + ShortName(name) + " RENAME TO " +
                         QuoteIdent(design::Pluralize(name.name)) + ";");
      }
      // One finding per column, at its definition.
      for (const catalog::Column& c : table.columns) {
        if (!IsReserved(c.name) || !design::IsCheckedPart(ctx, table, c.origin)) continue;
        out.ReportAtOrigin(design::OriginOf(table, c.origin),
                           "column " + design::Ident(c.name) + " of " + design::Rel(name) +
                               " is a reserved keyword: every reference must quote it",
                           "ALTER TABLE " + ShortName(name) + " RENAME COLUMN " +
                               QuoteIdent(c.name) + " TO " +
                               QuoteIdent(ColumnName(c.name, design::ResolveDomains(cat, c.type),
                                                     design::IsForeignKeyColumn(table, c.name))) +
                               ";");
      }
    }
    for (const auto& [name, view] : cat.views) {
      if (!ctx.is_input(view.origin.span)) continue;
      std::string kind = view.materialized ? "MATERIALIZED VIEW " : "VIEW ";
      if (IsReserved(name.name)) {
        out.ReportAt(view.origin.span,
                     (view.materialized ? "materialized view " : "view ") + design::Rel(name) +
                         " is named with a reserved keyword: every reference must quote it",
                     "ALTER " + kind + ShortName(name) + " RENAME TO " +
                         QuoteIdent(design::Pluralize(name.name)) + ";");
      }
      cols.clear();
      fix.clear();
      for (const std::string& c : view.columns) {
        if (!IsReserved(c)) continue;
        cols.push_back(c);
        if (!fix.empty()) fix += "\n";
        fix += "ALTER " + kind + ShortName(name) + " RENAME COLUMN " + QuoteIdent(c) + " TO " +
               QuoteIdent(ColumnName(c, "", false)) + ";";
      }
      if (!cols.empty()) {
        out.ReportAt(view.origin.span,
                     design::ColumnPhrase(cols) + " of " + design::Rel(name) +
                         (cols.size() == 1 ? " is a reserved keyword" : " are reserved keywords") +
                         ": every reference must quote " + (cols.size() == 1 ? "it" : "them"),
                     fix);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_reserved_word_identifier() {
  return std::make_unique<ReservedWordIdentifier>();
}

}  // namespace dbarch::lint
