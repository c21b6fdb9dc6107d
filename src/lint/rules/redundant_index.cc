// redundant-index: a btree index whose keys are a strict prefix of another btree index's.
//
// Pattern: on a table in the linted input, a non-unique standalone btree index A and another
// btree index B (standalone, or behind a PRIMARY KEY / UNIQUE constraint) with the same
// partial-index predicate, where A's keys are the first keys of B (same columns or
// expressions, collations, operator classes and order) and B has more keys, or where the keys
// are equal and B INCLUDEs strictly more columns; and every INCLUDE column of A is a key or
// INCLUDE column of B (so B also serves A's index-only scans).
// Why: a btree on (a, b) serves every lookup, range scan and ordering on (a) that an index
// on (a) serves, so A adds write cost (each INSERT and non-HOT UPDATE), WAL, VACUUM work and
// cache pressure for little gain. A unique A is not redundant (it enforces a rule B does not),
// and neither is a partial A under a full B (it is smaller and targeted).
// Fix: DROP INDEX CONCURRENTLY the shorter index.
// False positives: the shorter index is smaller and slightly faster for very hot lookups, and
// B may be much wider (long text keys); check pg_stat_user_indexes before dropping.
// Example: CREATE INDEX o_c ON orders (customer_id); CREATE INDEX o_c_p ON orders (customer_id, placed_at);
//       -> CREATE INDEX o_c_p ON orders (customer_id, placed_at);
#include <algorithm>

#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

using design::IndexRef;

// Every INCLUDE column of `a` is a key column or an INCLUDE column of `b`.
bool IncludeCovered(const IndexRef& a, const IndexRef& b) {
  for (const std::string& col : a.include()) {
    bool found = std::find(b.include().begin(), b.include().end(), col) != b.include().end();
    for (size_t i = 0; !found && i < b.size(); ++i) found = b.key(i).column == col;
    if (!found) return false;
  }
  return true;
}

// Same keys, and b's INCLUDE columns a strict superset of a's.
bool WiderInclude(const IndexRef& a, const IndexRef& b) {
  if (a.size() != b.size() || b.include().size() <= a.include().size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!design::SameKey(a.key(i), b.key(i))) return false;
  }
  return true;
}

class RedundantIndex final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "redundant-index", Family::kDesign, Severity::kWarning,
        "a btree index's keys are a prefix of another btree index on the same table",
        "A btree on (a, b) serves every equality, range and ordering lookup on (a), so a "
        "separate index on (a) only adds write cost to each INSERT and non-HOT UPDATE, WAL, "
        "VACUUM work and cache pressure. Unique indexes are never redundant (they enforce a "
        "rule), and a partial index is only compared with indexes of the same predicate.",
        "Drop the shorter index with DROP INDEX CONCURRENTLY after checking "
        "pg_stat_user_indexes.",
        "CREATE INDEX orders_customer_idx ON orders (customer_id);\n"
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
      if (indexes.size() < 2) continue;
      for (const IndexRef& a : indexes) {
        if (a.index == nullptr || a.unique() || a.method() != "btree" ||
            !design::IsCheckedPart(ctx, table, a.origin())) {
          continue;
        }
        for (const IndexRef& b : indexes) {
          if (&a == &b || b.method() != "btree" || a.predicate() != b.predicate()) continue;
          if (!(design::IsStrictKeyPrefix(a, b) || WiderInclude(a, b)) || !IncludeCovered(a, b)) {
            continue;
          }
          std::string how = a.size() == b.size() ? "has the keys of " : "is a prefix of ";
          out.ReportAtOrigin(design::OriginOf(table, a.origin()),
                             a.Describe() + " on " + design::Rel(name) + " " + a.KeyText() +
                                 " is redundant: it " + how + b.Describe() + " " + b.KeyText() +
                                 ", which serves the same lookups",
                             a.DropSql(name));
          break;
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_redundant_index() { return std::make_unique<RedundantIndex>(); }

}  // namespace dbarch::lint
