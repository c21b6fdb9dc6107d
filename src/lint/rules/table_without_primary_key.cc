// table-without-primary-key: a table has no PRIMARY KEY.
//
// Pattern: a table (not a partition: partitions share the parent's key) defined in the linted
// input without a PRIMARY KEY constraint. When the table has no unique key of any kind and
// table-without-unique-key is enabled, that rule reports it instead (one finding per table);
// with table-without-unique-key off, this rule reports every table without a primary key.
// Why: the primary key is what every tool and the server itself use to name one row. Without
// it logical replication cannot publish UPDATE and DELETE (the table needs REPLICA IDENTITY
// FULL, which ships and compares whole rows), ORMs and admin tools cannot update a single
// row, and foreign keys can only point at some other UNIQUE constraint.
// Fix: promote an existing unique key on NOT NULL columns (ADD PRIMARY KEY USING INDEX for a
// unique index), or add one: ALTER TABLE ... ADD PRIMARY KEY (id), or a bigint identity
// column (which rewrites a populated table under an ACCESS EXCLUSIVE lock).
// False positives: staging/import tables that are loaded and truncated in bulk, and
// tables that only ever receive INSERT and are never replicated.
// Example: CREATE TABLE visits (visitor_id bigint NOT NULL UNIQUE, seen_at timestamptz);
//       -> CREATE TABLE visits (visitor_id bigint PRIMARY KEY, seen_at timestamptz);
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using design::IndexRef;

class TableWithoutPrimaryKey final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "table-without-primary-key", Family::kDesign, Severity::kWarning,
        "a table has no primary key",
        "A primary key is how the server and every tool identify one row: logical replication "
        "cannot publish UPDATE and DELETE of a table without one (short of REPLICA IDENTITY "
        "FULL, which logs and compares whole rows), ORMs and admin tools cannot address a "
        "single row, and foreign keys have no natural target. Tables with no unique key at "
        "all are reported by table-without-unique-key when that rule is enabled.",
        "Promote a unique key on NOT NULL columns to the primary key, or add one (an existing "
        "id column, or a bigint identity column; adding a column to a populated table "
        "rewrites it under an ACCESS EXCLUSIVE lock).",
        "CREATE TABLE visits (visitor_id bigint NOT NULL UNIQUE, seen_at timestamptz);",
        "CREATE TABLE visits (visitor_id bigint PRIMARY KEY, seen_at timestamptz);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    const Rule* unique_rule = FindRule("table-without-unique-key");
    bool defer = unique_rule != nullptr && ctx.config->IsEnabled(unique_rule->doc());
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (!design::IsCheckedTable(ctx, table) || design::PrimaryKey(table) != nullptr) continue;
      lookup.Get(table, indexes);
      if (defer && !design::HasUniqueKey(indexes)) continue;
      // A unique key on plain NOT NULL columns can simply become the primary key.
      const IndexRef* candidate = nullptr;
      for (const IndexRef& r : indexes) {
        if (!r.unique() || !r.predicate().empty() || r.method() != "btree") continue;
        bool ok = r.size() > 0;
        for (size_t i = 0; ok && i < r.size(); ++i) {
          const catalog::Column* col = table.FindColumn(std::string(r.key(i).column));
          ok = col != nullptr && col->not_null && r.key(i).expression.empty();
        }
        if (ok) {
          candidate = &r;
          break;
        }
      }
      std::string msg = "table " + design::Rel(name) + " has no primary key";
      std::string fix;
      std::string t = ShortName(name);
      if (candidate != nullptr) {
        msg += ": " + candidate->Describe() + " " + candidate->KeyText() +
               " is on NOT NULL columns and can become it";
        if (candidate->index != nullptr) {
          fix = "ALTER TABLE " + t + " ADD PRIMARY KEY USING INDEX " +
                QuoteIdent(candidate->name()) + ";";
        } else {
          fix = "ALTER TABLE " + t + " ADD PRIMARY KEY " + candidate->KeyText() + ";\n" +
                "ALTER TABLE " + t + " DROP CONSTRAINT " + QuoteIdent(candidate->name()) + ";";
        }
      } else {
        msg += ": rows have no canonical identity for replication, tools and foreign keys";
        fix = design::AddPrimaryKeySql(table);
      }
      out.ReportAt(table.origin.span, std::move(msg), std::move(fix));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_table_without_primary_key() {
  return std::make_unique<TableWithoutPrimaryKey>();
}

}  // namespace dbarch::lint
