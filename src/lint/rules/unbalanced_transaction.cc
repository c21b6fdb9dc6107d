// unbalanced-transaction: transaction statements that do not pair up in a file: BEGIN inside
// an open transaction (nesting), COMMIT/ROLLBACK with no transaction open, SAVEPOINT /
// RELEASE / ROLLBACK TO outside a transaction. A file that ends inside BEGIN is
// ban-uncommitted-transaction.
//
// Why: PostgreSQL has no nested transactions. A second BEGIN only warns ("there is already a
// transaction in progress"), and the first COMMIT then commits everything, so the statements
// meant to be in the "outer" transaction run after it in autocommit mode and a failure no
// longer rolls them back. A COMMIT without BEGIN means the statements before it were never
// atomic. Savepoint commands outside a transaction fail.
// Fix: one BEGIN ... COMMIT per file (or none, when the migration tool wraps the file); use
// SAVEPOINT for nested units.
// False positives: files that are deliberately concatenated fragments.
// Example: BEGIN; BEGIN; ALTER ...; COMMIT; ALTER ...; COMMIT;  ->  BEGIN; ALTER ...; ALTER ...;
// COMMIT;
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class UnbalancedTransaction final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "unbalanced-transaction",
        Family::kMigration,
        Severity::kWarning,
        "nested BEGIN, COMMIT/ROLLBACK without BEGIN, or a savepoint outside a transaction",
        "PostgreSQL has no nested transactions: a second BEGIN is ignored with a warning and "
        "the first COMMIT ends the whole transaction, so later statements run in autocommit "
        "and are not rolled back on failure. COMMIT without BEGIN means the statements before "
        "it were never atomic; savepoint commands outside a transaction fail.",
        "Use one BEGIN ... COMMIT pair per file (none if the migration tool adds it), and "
        "SAVEPOINT for nested units.",
        "BEGIN;\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nALTER TABLE orders "
        "DROP COLUMN legacy;\nCOMMIT;",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders DROP COLUMN "
        "legacy;\nCOMMIT;"};
    return d;
  }

  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    bool in_tx = false;
    int ignored_begins = 0;  // nested BEGINs already reported: their COMMITs are orphans
    for (const sql::Statement& st : *ctx.statements) {
      int at = static_cast<int>(st.begin);
      switch (TransactionEffect(st.node)) {
        case TxEffect::kBegin:
          if (in_tx) {
            ++ignored_begins;
            out.Report(
                at,
                "BEGIN inside an open transaction is ignored: the next COMMIT ends the outer "
                "transaction and the rest runs outside it",
                std::string("remove the inner BEGIN (and its COMMIT), or use SAVEPOINT"));
          }
          in_tx = true;
          break;
        case TxEffect::kEnd:
          if (!in_tx) {
            if (ignored_begins > 0) {
              --ignored_begins;
            } else {
              out.Report(
                  at, "COMMIT or ROLLBACK without a matching BEGIN: no transaction is in progress",
                  std::string("add BEGIN before the statements it should cover, or remove it"));
            }
          }
          in_tx = false;
          break;
        case TxEffect::kSavepoint:
          if (!in_tx) {
            out.Report(at, "savepoint command outside a transaction block fails",
                       std::string("put it between BEGIN and COMMIT"));
          }
          break;
        case TxEffect::kNone:
          break;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_unbalanced_transaction() {
  return std::make_unique<UnbalancedTransaction>();
}

}  // namespace dbarch::lint
