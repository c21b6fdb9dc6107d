// adding-required-field: ALTER TABLE ... ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a
// DEFAULT on a table that existed before the file.
//
// Why: the new column is NULL in every existing row, so the NOT NULL check fails and the
// migration errors out as soon as the table has a single row ("column contains null
// values"). It passes in development on empty tables and fails in production.
// Fix: give it a constant DEFAULT (metadata-only since PostgreSQL 11), or add it nullable,
// backfill, and enforce NOT NULL through a CHECK ... NOT VALID + VALIDATE CONSTRAINT.
// False positives: tables known to be empty. Identity, serial and generated columns are
// filled by the server and not reported.
// Example: ALTER TABLE orders ADD COLUMN region text NOT NULL;  ->
//          ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AddingRequiredField final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "adding-required-field",
        Family::kMigration,
        Severity::kWarning,
        "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table",
        "Existing rows get NULL in the new column, so the NOT NULL check fails as soon as the "
        "table has any row: the migration works on empty development tables and fails in "
        "production.",
        "Add a constant DEFAULT (metadata-only since PostgreSQL 11), or add the column "
        "nullable, backfill it in batches and enforce NOT NULL with CHECK (col IS NOT NULL) NOT "
        "VALID + VALIDATE CONSTRAINT (+ SET NOT NULL on PostgreSQL 12+).",
        "ALTER TABLE orders ADD COLUMN region text NOT NULL;",
        "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn});
    if (s == nullptr) return;
    int version = ctx.config->target_version;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
        continue;
      }
      const PgQuery__ColumnDef* def = cmd->def->column_def;
      ColumnDefInfo info = DescribeColumnDef(def);
      if (!info.not_null || info.default_expr != nullptr || info.identity ||
          info.generated_stored || !info.serial.empty()) {
        continue;
      }
      std::string col(Str(def->colname));
      std::string type = TypeSpecOf(def->type_name).Text();
      std::string t = "ALTER TABLE " + SqlName(target.name);
      std::string fix;
      if (version >= 11) {
        fix = t + " ADD COLUMN " + QuoteIdent(col) + " " + type +
              " NOT NULL DEFAULT <value>;  -- constant default: metadata-only\n-- or: ";
      }
      fix += t + " ADD COLUMN " + QuoteIdent(col) + " " + type +
             ";\n-- backfill in batches, then:\n" + NotNullRecipe(target.name, col, version);
      out.Report(def->location,
                 "adding NOT NULL column " + Quoted(col) + " without a default to " +
                     TableLabel(target.name) + " fails if the table has any rows",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_adding_required_field() {
  return std::make_unique<AddingRequiredField>();
}

}  // namespace dbarch::lint
