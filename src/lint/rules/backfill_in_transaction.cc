// backfill-in-transaction: UPDATE or DELETE of a table that existed before the file, inside
// the same transaction block as DDL that locked that table in SHARE mode or stronger.
//
// Why: locks are held until the transaction ends. After ALTER TABLE (ACCESS EXCLUSIVE) or
// CREATE INDEX (SHARE), a backfill UPDATE in the same transaction keeps the table blocked
// for as long as the UPDATE runs over every row, turning a millisecond DDL into minutes of
// downtime; one huge UPDATE also bloats the table and holds row locks throughout.
// Fix: COMMIT the DDL first, then backfill in batches, each in its own short transaction.
// False positives: small tables; updates of a handful of rows.
// Example: BEGIN; ALTER TABLE t ADD COLUMN c int; UPDATE t SET c = 0; COMMIT;  ->
//          ALTER TABLE t ADD COLUMN c int;  then batched UPDATEs outside the transaction.
#include <map>

#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BackfillInTransaction final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "backfill-in-transaction",
        Family::kMigration,
        Severity::kWarning,
        "UPDATE/DELETE of a table in the transaction whose DDL locked it",
        "Locks are held until COMMIT: after ALTER TABLE (ACCESS EXCLUSIVE) or CREATE INDEX "
        "(SHARE) a backfill in the same transaction keeps the table blocked for the whole "
        "UPDATE; a single huge UPDATE also bloats the table.",
        "COMMIT the DDL first, then backfill in batches (e.g. by primary-key ranges), each batch "
        "in its own short transaction.",
        "BEGIN;\nALTER TABLE orders ADD COLUMN region text;\nUPDATE orders SET region = "
        "'eu';\nCOMMIT;",
        "ALTER TABLE orders ADD COLUMN region text;\n"
        "-- then, batch by batch:\nUPDATE orders SET region = 'eu' WHERE id BETWEEN 1 AND 10000 "
        "AND region IS NULL;"};
    return d;
  }

  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    FileTables tables(ctx);
    bool in_tx = false;
    std::map<catalog::QualifiedName, LockMode> locked;  // strongest DDL lock in this transaction
    for (const sql::Statement& st : *ctx.statements) {
      const sql::Node* n = st.node;
      TxEffect tx = TransactionEffect(n);
      if (tx == TxEffect::kBegin || tx == TxEffect::kEnd) {
        in_tx = tx == TxEffect::kBegin;
        locked.clear();
        continue;
      }
      if (in_tx) {
        const PgQuery__RangeVar* target = nullptr;
        const char* verb = nullptr;
        if (n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT) {
          target = n->update_stmt->relation;
          verb = "UPDATE";
        } else if (n->node_case == PG_QUERY__NODE__NODE_DELETE_STMT) {
          target = n->delete_stmt->relation;
          verb = "DELETE";
        }
        if (target != nullptr) {
          auto it = locked.find(tables.Resolve(target));
          if (it != locked.end()) {
            out.Report(
                static_cast<int>(st.begin),
                std::string(verb) + " of " + TableLabel(it->first) +
                    " runs in the transaction whose DDL locked it in " + LockModeName(it->second) +
                    " mode: the table stays blocked until the whole " + verb + " commits",
                std::string("COMMIT the DDL first; then backfill in batches (e.g. by key ranges), "
                            "each in its own transaction"));
          }
        }
        for (const TableLock& lock :
             StatementLocks(tables.before(), n, ctx.config->target_version)) {
          if (!BlocksWrites(lock.lock) || !tables.IsPreexisting(lock.table)) continue;
          LockMode& m = locked[lock.table];
          if (lock.lock > m) m = lock.lock;
        }
      }
      tables.Apply(n);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_backfill_in_transaction() {
  return std::make_unique<BackfillInTransaction>();
}

}  // namespace dbarch::lint
