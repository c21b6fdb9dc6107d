// ban-uncommitted-transaction: a file that starts a transaction (BEGIN / START TRANSACTION)
// and ends without COMMIT or ROLLBACK.
//
// Why: what happens to the open transaction depends on the runner: psql rolls it back at
// exit, a migration tool may commit it, or the session stays "idle in transaction" holding
// every lock the migration took (ACCESS EXCLUSIVE on altered tables) until it is killed.
// Fix: end the file with COMMIT.
// False positives: files meant to be concatenated with a later one that commits.
// Example: BEGIN; ALTER TABLE orders ADD COLUMN note text;  ->  ... COMMIT;
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class BanUncommittedTransaction final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "ban-uncommitted-transaction",
        Family::kMigration,
        Severity::kWarning,
        "a transaction is begun but the file ends without COMMIT or ROLLBACK",
        "The outcome depends on the runner: psql rolls the work back at exit, other tools may "
        "commit it, or the session stays idle in transaction holding every lock it took "
        "(ACCESS EXCLUSIVE on altered tables) until it is killed.",
        "End the transaction with COMMIT.",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;"};
    return d;
  }

  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    int open_at = -1;
    for (const sql::Statement& st : *ctx.statements) {
      TxEffect tx = TransactionEffect(st.node);
      if (tx == TxEffect::kBegin && open_at < 0) open_at = static_cast<int>(st.begin);
      if (tx == TxEffect::kEnd) open_at = -1;
    }
    if (open_at >= 0) {
      out.Report(open_at, "transaction begun here is never committed: the file ends inside it",
                 std::string("COMMIT;  -- at the end of the file"));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_ban_uncommitted_transaction() {
  return std::make_unique<BanUncommittedTransaction>();
}

}  // namespace dbarch::lint
