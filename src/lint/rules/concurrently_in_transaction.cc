// concurrently-in-transaction: CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX
// ... CONCURRENTLY or DETACH PARTITION ... CONCURRENTLY inside an explicit BEGIN ... COMMIT.
//
// Why: these commands commit internally between their phases, so PostgreSQL refuses them in
// a transaction block ("cannot run inside a transaction block") and the migration fails.
// Migration tools that wrap every file in a transaction (Flyway, Rails, Django...) hit the
// same error unless the file opts out of it.
// Fix: move the statement out of the BEGIN ... COMMIT block, into its own migration that the
// tool runs without a transaction.
// False positives: none for explicit transaction blocks; implicit per-file transactions of
// migration tools are not visible to dbarch.
// Example: BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT;  ->  CREATE INDEX CONCURRENTLY i ON
// t (a);
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class ConcurrentlyInTransaction final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "concurrently-in-transaction",
        Family::kMigration,
        Severity::kError,
        "a CONCURRENTLY command inside a transaction block",
        "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY "
        "commit between their phases, so PostgreSQL rejects them inside BEGIN ... COMMIT and "
        "the migration fails.",
        "Run the statement outside the transaction block, e.g. in its own migration file that "
        "the migration tool runs without a transaction.",
        "BEGIN;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nCOMMIT;",
        "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    if (!ctx.in_transaction) return;
    const sql::Node* n = ctx.stmt->node;
    const char* what = nullptr;
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_INDEX_STMT:
        if (n->index_stmt->concurrent) what = "CREATE INDEX CONCURRENTLY";
        break;
      case PG_QUERY__NODE__NODE_DROP_STMT:
        if (n->drop_stmt->concurrent) what = "DROP INDEX CONCURRENTLY";
        break;
      case PG_QUERY__NODE__NODE_REINDEX_STMT:
        if (HasOption(sql::Nodes(n->reindex_stmt->n_params, n->reindex_stmt->params),
                      "concurrently")) {
          what = "REINDEX CONCURRENTLY";
        }
        break;
      case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        for (const sql::Node* c :
             sql::Nodes(n->alter_table_stmt->n_cmds, n->alter_table_stmt->cmds)) {
          const PgQuery__AlterTableCmd* cmd = c->alter_table_cmd;
          if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition &&
              cmd->def != nullptr && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
              cmd->def->partition_cmd->concurrent) {
            what = "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
          }
        }
        break;
      default:
        break;
    }
    if (what == nullptr) return;
    out.Report(
        -1, std::string(what) + " cannot run inside a transaction block",
        std::string("move it after COMMIT, into a migration that runs without a transaction"));
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_concurrently_in_transaction() {
  return std::make_unique<ConcurrentlyInTransaction>();
}

}  // namespace dbarch::lint
