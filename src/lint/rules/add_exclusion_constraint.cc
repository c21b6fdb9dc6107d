// add-exclusion-constraint: ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE on a table that
// existed before the file.
//
// Why: the constraint's index is built and every row checked against the others while an
// ACCESS EXCLUSIVE lock blocks reads and writes. Unlike UNIQUE there is no online path:
// exclusion constraints cannot be added NOT VALID nor attached USING INDEX.
// Fix: schedule it in a maintenance window with lock_timeout set, or build a new table with
// the constraint, copy the data in batches (keeping it in sync with a trigger) and swap the
// tables.
// False positives: small tables.
// Example: ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during
// WITH &&);
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class AddExclusionConstraint final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "add-exclusion-constraint",
        Family::kMigration,
        Severity::kWarning,
        "EXCLUDE constraint added to an existing table",
        "The constraint's index is built and every row checked under an ACCESS EXCLUSIVE lock "
        "that blocks reads and writes; exclusion constraints cannot be added NOT VALID or "
        "USING INDEX, so there is no online path.",
        "Run it in a maintenance window with lock_timeout set, or create a new table with the "
        "constraint, copy and sync the data, and swap the tables.",
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, "
        "during WITH &&);",
        "-- maintenance window:\nSET lock_timeout = '5s';\n"
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, "
        "during WITH &&);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s =
        AlterOfExistingTable(ctx, &target, {PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint || cmd->def == nullptr ||
          cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
          cmd->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION) {
        continue;
      }
      const PgQuery__Constraint* c = cmd->def->constraint;
      std::string name = Str(c->conname).empty() ? std::string() : " " + Quoted(Str(c->conname));
      out.Report(
          c->location,
          "adding EXCLUDE constraint" + name + " to " + TableLabel(target.name) +
              " builds its index and checks every row under ACCESS EXCLUSIVE lock; it cannot be "
              "done online",
          std::string("run it in a maintenance window with SET lock_timeout, or build a new table "
                      "with the constraint, copy and sync the rows, and swap"));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_add_exclusion_constraint() {
  return std::make_unique<AddExclusionConstraint>();
}

}  // namespace dbarch::lint
