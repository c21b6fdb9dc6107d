// unused-suppression: a `-- dbarch:ignore rule-id` comment suppresses nothing.
//
// Why: stale suppressions hide future problems on that line and make readers believe there
// is one; a misspelt rule id silently suppresses nothing.
// Fix: delete the comment, or correct the rule id.
// Example: SELECT id FROM t; -- dbarch:ignore select-star  ->  SELECT id FROM t;
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

// Reported by the linter after matching suppressions to findings.
class UnusedSuppression final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "unused-suppression", Family::kDesign, Severity::kWarning,
        "a dbarch:ignore comment suppresses nothing",
        "A stale or misspelt suppression hides the next real problem on its line and tells "
        "readers there is one when there is not.",
        "Delete the comment or correct the rule id.",
        "SELECT id FROM t; -- dbarch:ignore select-star",
        "SELECT id FROM t;"};
    return d;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_unused_suppression() { return std::make_unique<UnusedSuppression>(); }

}  // namespace dbarch::lint
