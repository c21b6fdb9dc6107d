// unknown-object: a statement refers to a table, column, constraint, index or other object
// that does not exist at that point, or creates one that already exists.
//
// Why: the statement fails on the server (and a migration fails half-way); in query files
// it usually means a typo or a schema that moved on.
// Fix: correct the name (the message suggests the closest existing one) or order the
// migrations so the object exists first.
// False positives: objects created outside the linted files and the --schema/--dsn baseline
// (give the schema with --schema or --dsn). Without any known schema the rule stays silent.
// Example: ALTER TABLE ordres ADD COLUMN note text;  ->  ALTER TABLE orders ADD COLUMN note text;
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

// The linter reports this rule itself, from the catalog builder's errors, as it applies each
// statement; the class only carries the documentation and the on/off switch.
class UnknownObject final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "unknown-object", Family::kMigration, Severity::kError,
        "a statement refers to an object that does not exist (or creates one that does)",
        "PostgreSQL rejects the statement, so the migration stops half-way (or, outside a "
        "transaction, leaves the schema half-changed).",
        "Fix the name (see the suggestion) or create the object first.",
        "ALTER TABLE ordres ADD COLUMN note text;",
        "ALTER TABLE orders ADD COLUMN note text;"};
    return d;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_unknown_object() { return std::make_unique<UnknownObject>(); }

}  // namespace dbarch::lint
