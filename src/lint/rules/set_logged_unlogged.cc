// set-logged-unlogged: ALTER TABLE ... SET LOGGED / SET UNLOGGED on a table that existed
// before the file.
//
// Why: switching persistence rewrites the table and its indexes under an ACCESS EXCLUSIVE
// lock; SET LOGGED also writes the whole table into the WAL (a burst that replicas must
// replay). SET UNLOGGED makes the table empty after a crash and invisible to replicas.
// Fix: for a bulk load, create a new UNLOGGED table, load it, SET LOGGED while nothing uses
// it, then swap names; otherwise plan a maintenance window.
// False positives: small tables.
// Example: ALTER TABLE events SET LOGGED;  ->  build events_new, load it, SET LOGGED, swap.
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class SetLoggedUnlogged final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "set-logged-unlogged",
        Family::kMigration,
        Severity::kWarning,
        "SET LOGGED / SET UNLOGGED rewrites an existing table",
        "Changing persistence rewrites the table and its indexes under an ACCESS EXCLUSIVE lock; "
        "SET LOGGED also writes the whole table to the WAL, and an UNLOGGED table is emptied "
        "after a crash and not replicated.",
        "Do it on a new table nothing uses yet (load it, SET LOGGED, then swap names), or in a "
        "maintenance window.",
        "ALTER TABLE events SET LOGGED;",
        "-- load events_new (UNLOGGED) first, then:\nALTER TABLE events_new SET LOGGED;\n"
        "-- and swap names in one short transaction"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    TargetTable target;
    const PgQuery__AlterTableStmt* s = AlterOfExistingTable(
        ctx, &target,
        {PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged, PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged});
    if (s == nullptr) return;
    for (const PgQuery__AlterTableCmd* cmd : AlterCommands(s)) {
      bool logged = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged;
      if (!logged && cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged) continue;
      std::string msg = logged ? "SET LOGGED rewrites " + TableLabel(target.name) +
                                     " and writes all of it to the WAL under ACCESS EXCLUSIVE lock"
                               : "SET UNLOGGED rewrites " + TableLabel(target.name) +
                                     " under ACCESS EXCLUSIVE lock; afterwards it is emptied on "
                                     "crash and not replicated";
      out.Report(
          -1, msg,
          std::string("change persistence on a new table nothing uses yet and swap names, or use a "
                      "maintenance window"));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_set_logged_unlogged() {
  return std::make_unique<SetLoggedUnlogged>();
}

}  // namespace dbarch::lint
