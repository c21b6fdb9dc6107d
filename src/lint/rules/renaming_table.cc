// renaming-table: ALTER TABLE ... RENAME TO, or ALTER TABLE ... SET SCHEMA, on a table that
// existed before the file.
//
// Why: the rename is a quick catalog change, but running application code still queries the
// old name and fails until every instance is redeployed; moving the table to another schema
// has the same effect for code that finds it through search_path.
// Fix: expand and contract (new table, write to both, backfill, move reads, drop the old
// one), or rename and leave a view with the old name (simple views are updatable) until all
// code uses the new name.
// False positives: tables no deployed code uses yet; tables created in the same file.
// Example: ALTER TABLE orders RENAME TO purchases;  ->
//          ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM purchases;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class RenamingTable final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "renaming-table",
        Family::kMigration,
        Severity::kWarning,
        "an existing table is renamed or moved to another schema",
        "The rename is a quick catalog change, but running application code still uses the "
        "old name and fails until all of it is redeployed; SET SCHEMA does the same to code "
        "that finds the table through search_path.",
        "Expand and contract with a new table, or rename and keep a view under the old name "
        "(simple views are updatable) until no code uses it, in the same transaction.",
        "ALTER TABLE orders RENAME TO purchases;",
        "BEGIN;\nALTER TABLE orders RENAME TO purchases;\n"
        "CREATE VIEW orders AS SELECT * FROM purchases;\nCOMMIT;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    const PgQuery__RangeVar* rv = nullptr;
    std::string new_name;
    catalog::QualifiedName to;
    bool set_schema = false;
    if (n->node_case == PG_QUERY__NODE__NODE_RENAME_STMT &&
        n->rename_stmt->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
      rv = n->rename_stmt->relation;
      new_name = std::string(Str(n->rename_stmt->newname));
    } else if (n->node_case == PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT &&
               n->alter_object_schema_stmt->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
      rv = n->alter_object_schema_stmt->relation;
      set_schema = true;
    } else {
      return;
    }
    TargetTable target = ResolveTarget(ctx, rv);
    if (!target.existing) return;
    if (set_schema) {
      to = catalog::QualifiedName{std::string(Str(n->alter_object_schema_stmt->newschema)),
                                  target.name.name};
    } else {
      to = catalog::QualifiedName{target.name.schema, new_name};
    }
    std::string fix =
        "-- in one transaction, keep the old name working until all code uses the new one:\n" +
        std::string(Trim(ctx.Text())) + ";\nCREATE VIEW " + SqlName(target.name) +
        " AS SELECT * FROM " + SqlName(to) + ";";
    out.Report(-1,
               std::string(set_schema ? "moving " : "renaming ") + TableLabel(target.name) +
                   " to " + TableLabel(to) + " breaks running application code that still uses " +
                   TableLabel(target.name),
               fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_renaming_table() { return std::make_unique<RenamingTable>(); }

}  // namespace dbarch::lint
