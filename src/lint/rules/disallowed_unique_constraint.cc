// disallowed-unique-constraint: ALTER TABLE ... ADD [CONSTRAINT ...] UNIQUE (...) without
// USING INDEX (or ADD COLUMN ... UNIQUE) on a table that existed before the file.
//
// Why: adding a UNIQUE constraint builds its unique index while holding an ACCESS EXCLUSIVE
// lock on the table: reads and writes stop for the whole index build. The same index can be
// built first with CREATE UNIQUE INDEX CONCURRENTLY (writes continue) and then turned into
// the constraint with ADD CONSTRAINT ... UNIQUE USING INDEX, which is only a catalog change.
// Fix: CREATE UNIQUE INDEX CONCURRENTLY idx ON t (cols); ALTER TABLE t ADD CONSTRAINT c
// UNIQUE USING INDEX idx;
// False positives: small tables.
// Example: ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);  ->
//          CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
//          ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class DisallowedUniqueConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "disallowed-unique-constraint",
        Family::kMigration,
        Severity::kWarning,
        "UNIQUE constraint added to an existing table without USING INDEX",
        "ADD CONSTRAINT ... UNIQUE builds the unique index under an ACCESS EXCLUSIVE lock, "
        "blocking reads and writes for the whole build. Building the index first with CREATE "
        "UNIQUE INDEX CONCURRENTLY keeps writes flowing; attaching it with ADD CONSTRAINT ... "
        "USING INDEX is then a catalog change.",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING "
        "INDEX.",
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n"
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;"};
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
      std::string cols;
      std::vector<std::string> col_names;
      std::string add_column;
      if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
          cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        c = cmd->def->constraint;
        if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE || !Str(c->indexname).empty())
          continue;
        cols = ColumnList(sql::Nodes(c->n_keys, c->keys));
        for (const sql::Node* k : sql::Nodes(c->n_keys, c->keys))
          col_names.emplace_back(sql::StrVal(k));
      } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
                 cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        const PgQuery__ColumnDef* def = cmd->def->column_def;
        ColumnDefInfo info = DescribeColumnDef(def);
        if (!info.unique || info.primary_key) continue;
        c = info.key;
        std::string col(Str(def->colname));
        cols = QuoteIdent(col);
        col_names.push_back(col);
        add_column = t + " ADD COLUMN " + QuoteIdent(col) + " " +
                     TypeSpecOf(def->type_name).Text() + ";  -- without UNIQUE\n";
      } else {
        continue;
      }
      std::string name = !Str(c->conname).empty() ? std::string(Str(c->conname))
                                                  : ObjectName(target.name.name, col_names, "key");
      std::string nulls = c->nulls_not_distinct ? " NULLS NOT DISTINCT" : "";
      std::string fix = add_column + "CREATE UNIQUE INDEX CONCURRENTLY " + QuoteIdent(name) +
                        " ON " + SqlName(target.name) + " (" + cols + ")" + nulls + ";\n" + t +
                        " ADD CONSTRAINT " + QuoteIdent(name) + " UNIQUE USING INDEX " +
                        QuoteIdent(name) + ";";
      out.Report(c->location,
                 "adding UNIQUE constraint " + Quoted(name) + " to " + TableLabel(target.name) +
                     " builds its index under ACCESS EXCLUSIVE lock, blocking reads and writes",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_disallowed_unique_constraint() {
  return std::make_unique<DisallowedUniqueConstraint>();
}

}  // namespace dbarch::lint
