// naming-convention: a name does not match the naming pattern configured for its kind of
// object.
//
// Pattern: with `naming:` patterns in dbarch.yaml (ECMAScript regular expressions, searched
// in the name, so anchor them with ^...$), for tables and columns of the linted input, their
// standalone indexes and their constraints: table, column, index, foreign_key, primary_key,
// unique; `constraint` applies to CHECK and EXCLUDE constraints and to foreign keys, primary
// keys and unique constraints whose own pattern is unset. `{table}` in a pattern stands for
// the name of the table the object belongs to. Without any pattern the rule is silent.
// Names PostgreSQL chose itself (unnamed constraints and indexes) are checked too: if they
// do not match, the convention says to name them.
// Why: predictable names make migrations and runbooks writable without looking the name up
// (DROP CONSTRAINT orders_customer_id_fkey), make error messages ("violates foreign key
// constraint ...") self-explaining, and keep generated names from colliding.
// Fix: rename (ALTER TABLE ... RENAME CONSTRAINT, ALTER INDEX ... RENAME TO); for keys and
// indexes the fix offers PostgreSQL's default name when that matches the pattern.
// False positives: none beyond the patterns themselves; a pattern that is not a valid regular
// expression is reported once, at the config file.
// Example (index: '^{table}_.*_idx$'): CREATE INDEX by_customer ON orders (customer_id);
//       -> CREATE INDEX orders_customer_id_idx ON orders (customer_id);
#include <optional>
#include <regex>

#include "base/strings.h"
#include "catalog/naming.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

constexpr char kTableMark = '\x01';

// One configured naming pattern, compiled once per run.
struct Pattern {
  const char* key = "";     // the naming key, for messages
  std::string text;         // as configured
  std::optional<std::regex> re;
  bool uses_table = false;  // contains {table}
  std::string error;        // compile error, when the pattern is invalid

  bool active() const { return re.has_value(); }

  // True when `name` of an object of `table` matches. With {table}, the table name is
  // replaced by the mark at each place it occurs until one of them matches.
  bool Matches(std::string_view name, std::string_view table) const {
    if (!uses_table) return std::regex_search(name.begin(), name.end(), *re);
    for (size_t pos = name.find(table); pos != std::string_view::npos && !table.empty();
         pos = name.find(table, pos + 1)) {
      std::string s(name.substr(0, pos));
      s += kTableMark;
      s += name.substr(pos + table.size());
      if (std::regex_search(s, *re)) return true;
    }
    return false;
  }
};

Pattern Compile(const char* key, const std::string& text) {
  Pattern p;
  p.key = key;
  p.text = text;
  if (text.empty()) return p;
  std::string expr;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 7, "{table}") == 0) {
      expr += kTableMark;
      p.uses_table = true;
      i += 6;
    } else {
      expr += text[i];
    }
  }
  try {
    p.re.emplace(expr, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    p.error = e.what();
  }
  return p;
}

class NamingConvention final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "naming-convention", Family::kDesign, Severity::kWarning,
        "a table, column, index or constraint name does not match the configured pattern",
        "Predictable names let migrations and runbooks name objects without looking them up, "
        "make constraint-violation errors self-explaining and keep generated names from "
        "colliding. Patterns come from the naming section of dbarch.yaml ({table} stands for "
        "the owning table's name); without patterns the rule does nothing.",
        "Rename the object (for keys and indexes the fix offers PostgreSQL's default name when "
        "it matches the pattern).",
        "-- naming: { index: '^{table}_.*_idx$' }\nCREATE INDEX by_customer ON orders (customer_id);",
        "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const NamingConfig& n = ctx.config->naming;
    if (n.table.empty() && n.column.empty() && n.index.empty() && n.foreign_key.empty() &&
        n.primary_key.empty() && n.unique.empty() && n.constraint.empty()) {
      return;
    }
    Pattern table_p = Compile("table", n.table);
    Pattern column_p = Compile("column", n.column);
    Pattern index_p = Compile("index", n.index);
    Pattern fk_p = Compile("foreign_key", n.foreign_key);
    Pattern pk_p = Compile("primary_key", n.primary_key);
    Pattern unique_p = Compile("unique", n.unique);
    Pattern constraint_p = Compile("constraint", n.constraint);
    for (const Pattern* p : {&table_p, &column_p, &index_p, &fk_p, &pk_p, &unique_p, &constraint_p}) {
      if (p->error.empty()) continue;
      SourceSpan span;
      span.file = ctx.config->path.empty() ? "dbarch.yaml" : ctx.config->path;
      span.line = 1;
      span.column = 1;
      out.ReportAt(span,
                   "naming." + std::string(p->key) + " pattern " + QuoteLiteral(p->text) +
                       " is not a valid regular expression: " + p->error,
                   std::nullopt);
    }
    auto pattern_for = [&](catalog::ConstraintKind kind) -> const Pattern* {
      const Pattern* own = nullptr;
      switch (kind) {
        case catalog::ConstraintKind::kForeignKey: own = &fk_p; break;
        case catalog::ConstraintKind::kPrimaryKey: own = &pk_p; break;
        case catalog::ConstraintKind::kUnique: own = &unique_p; break;
        default: break;
      }
      if (own != nullptr && !own->text.empty()) return own->active() ? own : nullptr;
      return constraint_p.active() ? &constraint_p : nullptr;
    };
    auto describe = [](const Pattern& p) { return "naming." + std::string(p.key) + " " + QuoteLiteral(p.text); };

    design::IndexLookup lookup(*ctx.catalog);
    std::vector<design::IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value()) continue;
      const std::string& tname = name.name;
      std::string t = ShortName(name);
      if (design::IsCheckedTable(ctx, table) && table_p.active() &&
          !table_p.Matches(tname, tname)) {
        out.ReportAt(table.origin.span,
                     "table " + design::Rel(name) + " does not match " + describe(table_p),
                     std::nullopt);
      }
      if (column_p.active()) {
        for (const catalog::Column& c : table.columns) {
          if (column_p.Matches(c.name, tname) || !design::IsCheckedPart(ctx, table, c.origin)) {
            continue;
          }
          out.ReportAtOrigin(design::OriginOf(table, c.origin),
                             "column " + design::Ident(c.name) + " of " + design::Rel(name) +
                                 " does not match " + describe(column_p),
                             std::nullopt);
        }
      }
      for (const catalog::Constraint& c : table.constraints) {
        const Pattern* p = pattern_for(c.kind);
        if (p == nullptr || p->Matches(c.name, tname) ||
            !design::IsCheckedPart(ctx, table, c.origin)) {
          continue;
        }
        // PostgreSQL's own name for it, offered when it satisfies the convention.
        std::string suggestion;
        switch (c.kind) {
          case catalog::ConstraintKind::kPrimaryKey:
            suggestion = catalog::MakeObjectName(tname, "", "pkey");
            break;
          case catalog::ConstraintKind::kForeignKey:
            suggestion = catalog::MakeObjectName(tname, catalog::NameAddition(c.columns), "fkey");
            break;
          case catalog::ConstraintKind::kUnique:
            suggestion = catalog::MakeObjectName(tname, catalog::NameAddition(c.columns), "key");
            break;
          default: break;
        }
        std::optional<std::string> fix;
        if (!suggestion.empty() && suggestion != c.name && p->Matches(suggestion, tname)) {
          fix = "ALTER TABLE " + t + " RENAME CONSTRAINT " + QuoteIdent(c.name) + " TO " +
                QuoteIdent(suggestion) + ";";
        }
        out.ReportAtOrigin(design::OriginOf(table, c.origin),
                           "constraint " + design::Ident(c.name) + " of " + design::Rel(name) +
                               " does not match " + describe(*p),
                           std::move(fix));
      }
      if (index_p.active()) {
        lookup.Get(table, indexes);
        for (const design::IndexRef& r : indexes) {
          if (r.index == nullptr || index_p.Matches(r.name(), tname) ||
              !design::IsCheckedPart(ctx, table, r.origin())) {
            continue;
          }
          std::vector<std::string> cols;
          for (size_t i = 0; i < r.size(); ++i) {
            design::KeyView k = r.key(i);
            cols.emplace_back(k.column.empty() ? std::string_view("expr") : k.column);
          }
          std::string suggestion = catalog::MakeObjectName(
              tname, catalog::NameAddition(cols), r.unique() ? "key" : "idx");
          std::optional<std::string> fix;
          if (suggestion != r.name() && index_p.Matches(suggestion, tname) &&
              ctx.catalog->indexes.count({name.schema, suggestion}) == 0) {
            fix = "ALTER INDEX " + ShortName(r.index->name) + " RENAME TO " +
                  QuoteIdent(suggestion) + ";";
          }
          out.ReportAtOrigin(design::OriginOf(table, r.origin()),
                             "index " + design::Ident(r.name()) + " of " + design::Rel(name) +
                                 " does not match " + describe(index_p),
                             std::move(fix));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_naming_convention() { return std::make_unique<NamingConvention>(); }

}  // namespace dbarch::lint
