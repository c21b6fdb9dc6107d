// overlapping-index: two btree indexes of a table start with the same key, and neither is a
// prefix of the other.
//
// Pattern: on a table in the linted input, two btree indexes (standalone or behind PRIMARY
// KEY / UNIQUE constraints), not both unique, with the same partial-index predicate and the
// same first key, where neither's keys are a prefix of the other's (those are
// redundant-index and duplicate-index findings): (a, b) and (a, c).
// Why: both indexes are maintained on every write, while queries filtering on the shared
// leading column can use either; often one composite index (a, b, c) or a single-column
// index plus the right second columns serves both query shapes for half the write and
// cache cost. It is a judgement call, hence info.
// Fix: compare their use in pg_stat_user_indexes (idx_scan) and the queries behind them;
// merge or drop one if the workload allows.
// False positives: both orders genuinely needed (equality on a plus range/order on b in one
// query, on c in another), which is common; suppress when reviewed.
// Example: CREATE INDEX t_a_b ON t (a, b); CREATE INDEX t_a_c ON t (a, c);
//       -> CREATE INDEX t_a_b_c ON t (a, b, c);  -- when a is selective enough
#include <tuple>

#include "base/strings.h"
#include "lint/design_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

using design::IndexRef;

// The origin that comes later in the input: the later offset in one file; across files the
// later name (a directory is linted in name order).
const catalog::Origin& LaterOf(const catalog::Origin& a, const catalog::Origin& b) {
  return std::tie(a.span.file, a.span.begin) < std::tie(b.span.file, b.span.begin) ? b : a;
}

class OverlappingIndex final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "overlapping-index", Family::kDesign, Severity::kInfo,
        "two btree indexes start with the same column, neither a prefix of the other",
        "Every write maintains both indexes, yet lookups on the shared leading column can use "
        "either; one composite index often serves both query shapes for half the write and "
        "cache cost. Whether it does depends on the queries, so this is information.",
        "Compare idx_scan in pg_stat_user_indexes and the queries that use each; merge them "
        "or drop one when the workload allows.",
        "CREATE INDEX orders_customer_status_idx ON orders (customer_id, status);\n"
        "CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at);",
        "CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<IndexRef> indexes;
    for (const auto& [name, table] : ctx.catalog->tables) {
      if (table.partition_of.has_value()) continue;
      lookup.Get(table, indexes);
      for (size_t i = 0; i < indexes.size(); ++i) {
        const IndexRef& a = indexes[i];
        if (a.method() != "btree" || a.size() == 0) continue;
        for (size_t j = i + 1; j < indexes.size(); ++j) {
          const IndexRef& b = indexes[j];
          if (b.method() != "btree" || b.size() == 0 || a.predicate() != b.predicate() ||
              (a.unique() && b.unique()) || !design::SameKey(a.key(0), b.key(0))) {
            continue;
          }
          // Equal key lists, or one a prefix of the other: duplicate-/redundant-index.
          size_t common = 0;
          while (common < a.size() && common < b.size() &&
                 design::SameKey(a.key(common), b.key(common))) {
            ++common;
          }
          if (common == a.size() || common == b.size()) continue;
          // Reported at the index defined later: the one that added the overlap.
          const catalog::Origin& later = design::OriginOf(
              table,
              LaterOf(design::OriginOf(table, a.origin()), design::OriginOf(table, b.origin())));
          if (!design::IsCheckedPart(ctx, table, later)) continue;
          std::string fix = "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE "
                            "schemaname = " + QuoteLiteral(name.schema) +
                            " AND indexrelname IN (" + QuoteLiteral(a.name()) + ", " +
                            QuoteLiteral(b.name()) + ");";
          out.ReportAtOrigin(later,
                             a.Describe() + " " + a.KeyText() + " and " + b.Describe() + " " +
                                 b.KeyText() + " on " + design::Rel(name) +
                                 " start with the same key: check whether one index can serve both",
                             std::move(fix));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_overlapping_index() { return std::make_unique<OverlappingIndex>(); }

}  // namespace dbarch::lint
