// table-without-unique-key: a table has neither a primary key nor any unique key.
//
// Pattern: a table (not a partition) defined in the linted input with no PRIMARY KEY, no
// UNIQUE constraint and no non-partial unique index. (table-without-primary-key leaves these
// tables to this rule while it is enabled.)
// Why: nothing stops the same row from being inserted twice, and nothing can tell two equal
// rows apart afterwards: a retried INSERT silently duplicates data, deduplication needs ctid
// tricks, ON CONFLICT has no arbiter, and logical replication can only publish its UPDATE
// and DELETE with REPLICA IDENTITY FULL (every change logs and compares the whole row; on the
// subscriber each one may scan the table).
// Fix: add a primary key (an existing id column, or a bigint identity column), or a UNIQUE
// constraint on the natural key; deduplicate the existing rows first.
// False positives: append-only staging tables that are bulk loaded and truncated.
// Example: CREATE TABLE signups (email text, signed_up_at timestamptz);
//       -> CREATE TABLE signups (email text PRIMARY KEY, signed_up_at timestamptz);
#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class TableWithoutUniqueKey final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "table-without-unique-key", Family::kDesign, Severity::kWarning,
        "a table has no primary key and no unique key at all",
        "Nothing prevents duplicate rows and nothing tells equal rows apart: retried inserts "
        "duplicate data silently, INSERT ... ON CONFLICT has no arbiter, deduplication needs "
        "ctid, and logical replication can publish UPDATE and DELETE only with REPLICA "
        "IDENTITY FULL, which logs whole rows and may make the subscriber scan the table for "
        "every change.",
        "Add a primary key (an existing id column or a bigint identity column) or a UNIQUE "
        "constraint on the natural key, after removing existing duplicates.",
        "CREATE TABLE signups (email text, signed_up_at timestamptz);",
        "CREATE TABLE signups (email text PRIMARY KEY, signed_up_at timestamptz);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<design::IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (!design::IsCheckedTable(ctx, table) || design::PrimaryKey(table) != nullptr) continue;
      lookup.Get(table, indexes);
      if (design::HasUniqueKey(indexes)) continue;
      out.ReportAt(table.origin.span,
                   "table " + design::Rel(name) +
                       " has no primary key or unique key: duplicate rows cannot be prevented "
                       "or told apart, and logical replication cannot publish its UPDATE and "
                       "DELETE without REPLICA IDENTITY FULL",
                   design::AddPrimaryKeySql(table));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_table_without_unique_key() {
  return std::make_unique<TableWithoutUniqueKey>();
}

}  // namespace dbarch::lint
