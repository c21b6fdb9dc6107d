// too-many-indexes: a table has more indexes than the configured maximum.
//
// Pattern: a table in the linted input with more than `max` indexes (option
// `rules: { too-many-indexes: { max: N } }`, default 10), counting standalone indexes and the
// indexes behind PRIMARY KEY, UNIQUE and EXCLUDE constraints.
// Why: every INSERT writes every index; an UPDATE can be HOT (no index writes, in-page)
// only when it changes no indexed column, and each added index makes that less likely, so
// updates write all indexes and bloat them. Each index adds WAL volume, VACUUM and checkpoint
// work, cache pressure and planning time; unused ones cost the same as used ones.
// Fix: list the table's indexes with their idx_scan from pg_stat_user_indexes (on the primary
// and on replicas), drop the unused ones and merge overlapping ones.
// False positives: read-mostly tables (reporting, reference data) where many indexes are
// cheap; raise `max` or suppress.
// Example: 14 indexes on orders  ->  the 6 that the workload uses.
#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class TooManyIndexes final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "too-many-indexes", Family::kDesign, Severity::kWarning,
        "a table has more indexes than the configured maximum (option max, default 10)",
        "Every INSERT writes every index, and an UPDATE avoids index writes (a HOT update) "
        "only when it changes no indexed column, so each added index makes writes, WAL, "
        "VACUUM and bloat heavier; the planner also spends longer considering them. Unused "
        "indexes cost as much as used ones.",
        "Check idx_scan in pg_stat_user_indexes (primary and replicas), drop unused indexes "
        "and merge overlapping ones; raise the option max for read-mostly tables.",
        "-- orders with 14 indexes",
        "-- orders with the 6 indexes its queries use"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    int max = ctx.config->IntOption("too-many-indexes", "max", 10);
    if (max < 0) max = 0;
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<design::IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (!design::IsCheckedTable(ctx, table)) continue;
      lookup.Get(table, indexes);
      if (indexes.size() <= static_cast<size_t>(max)) continue;
      out.ReportAt(table.origin.span,
                   "table " + design::Rel(name) + " has " + std::to_string(indexes.size()) +
                       " indexes (more than " + std::to_string(max) +
                       "): every insert and every non-HOT update writes all of them",
                   "SELECT indexrelname, idx_scan, pg_size_pretty(pg_relation_size(indexrelid)) "
                   "FROM pg_stat_user_indexes WHERE relid = " +
                       QuoteLiteral(ShortName(name)) + "::regclass ORDER BY idx_scan;");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_too_many_indexes() { return std::make_unique<TooManyIndexes>(); }

}  // namespace dbarch::lint
