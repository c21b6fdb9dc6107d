// ban-drop-database: DROP DATABASE in linted SQL.
//
// Why: it irrecoverably deletes every object and row of the database, and a migration that
// runs it against the wrong environment is a restore-from-backup incident. It has no place
// in schema migrations.
// Fix: remove it; drop databases by hand, deliberately, outside the migration pipeline.
// False positives: test-setup scripts that recreate a scratch database (suppress there).
// Example: DROP DATABASE shop;  ->  (remove the statement)
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanDropDatabase final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-drop-database",
        Family::kMigration,
        Severity::kError,
        "DROP DATABASE in a migration",
        "DROP DATABASE deletes every object and row of the database at once; run against the "
        "wrong environment it means restoring from backup.",
        "Remove it from the migration; drop databases by hand, outside the pipeline.",
        "DROP DATABASE shop;",
        "-- (no statement)"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_DROPDB_STMT) return;
    out.Report(-1,
               "DROP DATABASE " + Quoted(Str(n->dropdb_stmt->dbname)) + " destroys all of its data",
               std::string("remove it from the migration; drop databases by hand"));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_drop_database() { return std::make_unique<BanDropDatabase>(); }

}  // namespace dbarch::lint
