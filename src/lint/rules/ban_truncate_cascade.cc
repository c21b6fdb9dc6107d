// ban-truncate-cascade: TRUNCATE ... CASCADE.
//
// Why: CASCADE also empties every table that has a foreign key to a truncated table, and
// then every table referencing those, recursively: tables the author never named lose all
// their rows, each under an ACCESS EXCLUSIVE lock. The catalog lets dbarch list them.
// Fix: TRUNCATE exactly the tables you mean (RESTRICT, the default, refuses when others
// reference them), or delete the dependent rows deliberately.
// False positives: scratch or test databases.
// Example: TRUNCATE orders CASCADE;  ->  TRUNCATE order_items, orders;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanTruncateCascade final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-truncate-cascade",
        Family::kMigration,
        Severity::kWarning,
        "TRUNCATE ... CASCADE empties every table that references the truncated ones",
        "CASCADE follows foreign keys recursively and empties every referencing table too, each "
        "under an ACCESS EXCLUSIVE lock, including tables the statement never names.",
        "TRUNCATE exactly the tables you mean (RESTRICT is the default and refuses when other "
        "tables reference them).",
        "TRUNCATE orders CASCADE;",
        "TRUNCATE order_items, orders;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_TRUNCATE_STMT) return;
    const PgQuery__TruncateStmt* s = n->truncate_stmt;
    if (s->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) return;
    std::vector<TableLock> locks = StatementLocks(*ctx.catalog, n, ctx.config->target_version);
    std::vector<std::string> named, extra;
    bool any_existing = false;
    for (const sql::Node* r : sql::Nodes(s->n_relations, s->relations)) {
      if (r->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) continue;
      TargetTable t = ResolveTarget(ctx, r->range_var);
      any_existing |= t.existing;
      named.push_back(SqlName(t.name));
    }
    if (!any_existing) return;  // tables created in this file: nothing to lose
    for (size_t i = named.size(); i < locks.size(); ++i)
      extra.push_back(TableLabel(locks[i].table));
    std::string msg =
        "TRUNCATE ... CASCADE also empties every table with a foreign key to the truncated ones";
    if (!extra.empty()) msg = "TRUNCATE ... CASCADE also empties " + Join(extra, ", ");
    std::vector<std::string> all;
    for (size_t i = named.size(); i < locks.size(); ++i) all.push_back(SqlName(locks[i].table));
    for (const std::string& t : named) all.push_back(t);
    out.Report(-1, msg, "TRUNCATE " + Join(all, ", ") + ";  -- name every table you mean to empty");
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_truncate_cascade() {
  return std::make_unique<BanTruncateCascade>();
}

}  // namespace dbarch::lint
