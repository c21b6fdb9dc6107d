// duplicate-index: two indexes of a table have the same definition.
//
// Pattern: on a table in the linted input, two indexes (standalone indexes and the indexes
// behind PRIMARY KEY, UNIQUE and EXCLUDE constraints) with the same access method, the same
// keys (columns or expressions, collations, operator classes, order), the same partial-index
// predicate and the same INCLUDE columns. Uniqueness may differ: a plain index duplicates a
// unique one with the same keys. The index reported is the one to drop: a constraint's index
// is kept over a standalone one, a unique index over a plain one, and otherwise the one
// defined first (the finding sits on the CREATE INDEX that added the copy).
// Why: every INSERT, every non-HOT UPDATE and VACUUM maintain both, which doubles that write
// and WAL cost and the disk and cache footprint, while the planner only ever uses one of
// them.
// Fix: DROP INDEX CONCURRENTLY the duplicate (or drop the redundant constraint).
// False positives: none for real duplicates; during a planned index swap (create the new one,
// then drop the old in a later migration) suppress until the drop. Dropping a UNIQUE
// constraint fails while foreign keys depend on its index: re-point them first.
// Example: ALTER TABLE t ADD UNIQUE (sku); CREATE INDEX t_sku_idx ON t (sku);
//       -> ALTER TABLE t ADD UNIQUE (sku);
#include <tuple>

#include "lint/design_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

using design::IndexRef;

// Which of two identical indexes to keep: lower is better.
int KeepRank(const IndexRef& r) {
  if (r.primary_key()) return 0;
  if (r.constraint != nullptr) return 1;
  return r.unique() ? 2 : 3;
}

class DuplicateIndex final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "duplicate-index", Family::kDesign, Severity::kWarning,
        "two indexes of a table have the same definition",
        "Every INSERT, non-HOT UPDATE and VACUUM maintains both indexes: twice the write "
        "and WAL work, disk and cache for the same lookups, while the planner uses one. A "
        "plain index with the keys of a PRIMARY KEY or UNIQUE constraint duplicates the "
        "constraint's own index.",
        "Drop the duplicate with DROP INDEX CONCURRENTLY (or drop the redundant constraint); "
        "keep the constraint or unique index.",
        "CREATE TABLE variants (id bigint PRIMARY KEY, sku text UNIQUE);\n"
        "CREATE INDEX variants_sku_idx ON variants (sku);",
        "CREATE TABLE variants (id bigint PRIMARY KEY, sku text UNIQUE);"};
    return d;
  }

  void CheckCatalog(const CatalogContext& ctx, Emitter& out) const override {
    design::IndexLookup lookup(*ctx.catalog);
    std::vector<IndexRef> indexes;
    for (const auto& entry : ctx.catalog->tables) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
      const catalog::QualifiedName& name = entry.first;
      const catalog::Table& table = entry.second;
      if (table.partition_of.has_value()) continue;
      lookup.Get(table, indexes);
      if (indexes.size() < 2) continue;
      // Constraints first, then unique indexes, then in definition order (file, offset; name
      // for indexes of one statement): the first of a set of identical indexes is kept.
      std::stable_sort(indexes.begin(), indexes.end(), [&](const IndexRef& a, const IndexRef& b) {
        int ra = KeepRank(a), rb = KeepRank(b);
        if (ra != rb) return ra < rb;
        const catalog::Origin& oa = design::OriginOf(table, a.origin());
        const catalog::Origin& ob = design::OriginOf(table, b.origin());
        std::string_view na = a.name(), nb = b.name();
        return std::tie(oa.span.file, oa.span.begin, na) <
               std::tie(ob.span.file, ob.span.begin, nb);
      });
      for (size_t j = 1; j < indexes.size(); ++j) {
        for (size_t i = 0; i < j; ++i) {
          const IndexRef& keep = indexes[i];
          const IndexRef& drop = indexes[j];
          if (!design::SameDefinition(keep, drop)) continue;
          if (keep.unique() && drop.unique() &&
              keep.nulls_not_distinct() != drop.nulls_not_distinct()) {
            continue;  // different constraints
          }
          if (drop.constraint != nullptr &&
              drop.constraint->kind == catalog::ConstraintKind::kExclude) {
            continue;  // an exclusion constraint enforces more than its index
          }
          if (!design::IsCheckedPart(ctx, table, drop.origin())) break;
          out.ReportAtOrigin(design::OriginOf(table, drop.origin()),
                             drop.Describe() + " on " + design::Rel(name) + " " + drop.KeyText() +
                                 " duplicates " + keep.Describe() +
                                 ": every write maintains both and queries use only one",
                             drop.DropSql(name));
          break;
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_duplicate_index() { return std::make_unique<DuplicateIndex>(); }

}  // namespace dbarch::lint
