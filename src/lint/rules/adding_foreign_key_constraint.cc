// adding-foreign-key-constraint: a FOREIGN KEY added to a table that existed before the file
// without NOT VALID (ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY, or ADD COLUMN ...
// REFERENCES).
//
// Why: adding a foreign key takes SHARE ROW EXCLUSIVE locks on both the table and the
// referenced table (writes to both are blocked) and, unless NOT VALID, keeps them while it
// checks every existing row against the referenced table. With NOT VALID the locks are
// brief; VALIDATE CONSTRAINT then checks the rows under SHARE UPDATE EXCLUSIVE on the table
// and ROW SHARE on the referenced one, so reads and writes continue.
// Fix: ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID; then VALIDATE CONSTRAINT in a separate
// transaction.
// False positives: small tables. A new column with REFERENCES is all NULL, so its validation
// is quick, but both tables are still locked against writes while the table is read.
// Example: ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id)
//          REFERENCES customers (id);  ->  ... NOT VALID; VALIDATE CONSTRAINT orders_customer_fkey;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

std::string Action(const char* code) {
  switch (code == nullptr ? 'a' : code[0]) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "";
  }
}

// FOREIGN KEY (...) REFERENCES ... clause rebuilt from the parse tree.
std::string ForeignKeySql(const catalog::Catalog& catalog, const PgQuery__Constraint* c,
                          const std::string& local_column) {
  std::string cols = c->n_fk_attrs > 0 ? ColumnList(sql::Nodes(c->n_fk_attrs, c->fk_attrs))
                                       : QuoteIdent(local_column);
  catalog::QualifiedName ref = NameAsWritten(c->pktable);
  if (auto q = ResolveRelation(catalog, c->pktable)) ref = *q;
  std::string out = "FOREIGN KEY (" + cols + ") REFERENCES " + SqlName(ref);
  if (c->n_pk_attrs > 0) out += " (" + ColumnList(sql::Nodes(c->n_pk_attrs, c->pk_attrs)) + ")";
  if (Str(c->fk_matchtype) == "f") out += " MATCH FULL";
  if (!Action(c->fk_upd_action).empty()) out += " ON UPDATE " + Action(c->fk_upd_action);
  if (!Action(c->fk_del_action).empty()) out += " ON DELETE " + Action(c->fk_del_action);
  if (c->deferrable) out += " DEFERRABLE";
  if (c->initdeferred) out += " INITIALLY DEFERRED";
  return out;
}

class AddingForeignKeyConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "adding-foreign-key-constraint",
        Family::kMigration,
        Severity::kWarning,
        "FOREIGN KEY added to an existing table without NOT VALID",
        "Adding a foreign key takes SHARE ROW EXCLUSIVE locks on both tables, blocking writes "
        "to both, and holds them while every existing row is checked. With NOT VALID the "
        "locks are brief; VALIDATE CONSTRAINT later checks the rows under SHARE UPDATE "
        "EXCLUSIVE (and ROW SHARE on the referenced table), so reads and writes continue.",
        "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, commit, then VALIDATE CONSTRAINT in a "
        "separate transaction.",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) "
        "REFERENCES customers (id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) "
        "REFERENCES customers (id) NOT VALID;\n"
        "-- separate transaction:\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fkey;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s = AlterOfExistingTable(
        ctx, &target,
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint, PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn});
    if (s == nullptr) return;
    std::string t = "ALTER TABLE " + SqlName(target.name);
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->def == nullptr) continue;
      const PgQuery__Constraint* c = nullptr;
      std::string column;
      std::string add_column;
      if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
          cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        c = cmd->def->constraint;
        if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN || c->skip_validation) continue;
        if (c->n_fk_attrs > 0) column = std::string(sql::StrVal(c->fk_attrs[0]));
      } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
                 cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        c = DescribeColumnDef(def).references;
        if (c == nullptr) continue;
        column = std::string(Str(def->colname));
        add_column = t + " ADD COLUMN " + QuoteIdent(column) + " " +
                     TypeSpecOf(def->type_name).Text() + ";  -- without REFERENCES\n";
      } else {
        continue;
      }
      catalog::QualifiedName ref = NameAsWritten(c->pktable);
      if (auto q = ResolveRelation(*ctx.catalog, c->pktable)) ref = *q;
      std::string name = !Str(c->conname).empty() ? std::string(Str(c->conname))
                                                  : ObjectName(target.name.name, {column}, "fkey");
      std::string fix = add_column + t + " ADD CONSTRAINT " + QuoteIdent(name) + " " +
                        ForeignKeySql(*ctx.catalog, c, column) +
                        " NOT VALID;\n-- separate transaction:\n" + t + " VALIDATE CONSTRAINT " +
                        QuoteIdent(name) + ";";
      std::string tables = ref == target.name ? TableLabel(target.name)
                                              : TableLabel(target.name) + " and " + TableLabel(ref);
      out.Report(c->location,
                 "adding foreign key " + Quoted(name) + " without NOT VALID blocks writes to " +
                     tables + " (SHARE ROW EXCLUSIVE) while every existing row is checked",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_adding_foreign_key_constraint() {
  return std::make_unique<AddingForeignKeyConstraint>();
}

}  // namespace dbarch::lint
