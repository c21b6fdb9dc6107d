// require-concurrent-index-deletion: DROP INDEX without CONCURRENTLY on an index of a table
// that existed before the file.
//
// Why: DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table. The drop itself is
// quick, but the lock must wait for every running query on the table, and every query that
// arrives meanwhile (SELECTs included) queues behind it. DROP INDEX CONCURRENTLY waits
// without blocking others.
// Fix: DROP INDEX CONCURRENTLY [IF EXISTS] name, one index per statement, outside any
// transaction block.
// False positives: idle tables; indexes of partitioned tables (CONCURRENTLY is not supported
// there, so they are not reported).
// Example: DROP INDEX orders_status_idx;  ->  DROP INDEX CONCURRENTLY orders_status_idx;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class RequireConcurrentIndexDeletion final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "require-concurrent-index-deletion",
        Family::kMigration,
        Severity::kWarning,
        "DROP INDEX without CONCURRENTLY on an index of an existing table",
        "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: it waits for every running "
        "query on it, and all queries arriving meanwhile, reads included, queue behind it.",
        "Use DROP INDEX CONCURRENTLY (one index per statement, no CASCADE, outside a "
        "transaction block).",
        "DROP INDEX orders_status_idx;",
        "DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_DROP_STMT) return;
    const PgQuery__DropStmt* s = n->drop_stmt;
    if (s->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX || s->concurrent) return;
    for (const sql::Node* o : sql::Nodes(s->n_objects, s->objects)) {
      std::vector<std::string> parts = o->node_case == PG_QUERY__NODE__NODE_LIST
                                           ? sql::StrList(o->list->items, o->list->n_items)
                                           : std::vector<std::string>{};
      if (parts.empty()) continue;
      const catalog::Index* idx = FindIndex(*ctx.catalog, parts);
      std::string table_label = "its table";
      if (idx != nullptr) {
        if (!IsPreexistingTable(ctx, idx->table)) continue;
        const catalog::Table* t = ctx.catalog->FindTable(idx->table);
        if (t != nullptr && t->partition_strategy != catalog::PartitionStrategy::kNone) continue;
        table_label = TableLabel(idx->table);
      } else if (SchemaIsKnown(ctx)) {
        continue;  // unknown index in a known schema: unknown-object reports it
      }
      std::vector<std::string> quoted;
      for (const std::string& p : parts) quoted.push_back(QuoteIdent(p));
      std::string name = Join(quoted, ".");
      std::string fix =
          "DROP INDEX CONCURRENTLY " + std::string(s->missing_ok ? "IF EXISTS " : "") + name + ";";
      if (ctx.in_transaction)
        fix += "\n-- outside the transaction block: CONCURRENTLY cannot run inside one";
      out.Report(-1,
                 "DROP INDEX " + Quoted(parts.back()) +
                     " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on " + table_label +
                     ", blocking reads and writes while it waits",
                 fix);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_require_concurrent_index_deletion() {
  return std::make_unique<RequireConcurrentIndexDeletion>();
}

}  // namespace dbarch::lint
