// require-concurrent-index-creation: CREATE INDEX without CONCURRENTLY on a table that
// existed before the file.
//
// Why: a plain CREATE INDEX holds a SHARE lock on the table for the whole build: reads go on,
// but every INSERT, UPDATE and DELETE waits until the index is finished, which on a large
// table means minutes of write downtime. CREATE INDEX CONCURRENTLY takes SHARE UPDATE
// EXCLUSIVE instead (writes continue) at the price of two table scans.
// Fix: CREATE INDEX CONCURRENTLY, outside any transaction block (it cannot run in one). For
// a partitioned table (where CONCURRENTLY is not supported) create the parent index ON ONLY
// the parent, build each partition's index concurrently and ATTACH it.
// False positives: small or idle tables, where the brief write block is acceptable; tables
// created earlier in the same file are never reported.
// Example: CREATE INDEX orders_status_idx ON orders (status);  ->
//          CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

// Offset just past the (possibly qualified, possibly quoted) name starting at `at`.
size_t SkipName(std::string_view text, size_t at) {
  size_t i = at;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      size_t close = text.find('"', i + 1);
      while (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == '"') {
        close = text.find('"', close + 2);
      }
      i = close == std::string_view::npos ? text.size() : close + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

class RequireConcurrentIndexCreation final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "require-concurrent-index-creation",
        Family::kMigration,
        Severity::kWarning,
        "CREATE INDEX without CONCURRENTLY on an existing table",
        "A plain CREATE INDEX holds a SHARE lock for the whole build: reads continue but every "
        "INSERT, UPDATE and DELETE on the table waits until the index is built. CREATE INDEX "
        "CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE, so writes continue.",
        "Use CREATE INDEX CONCURRENTLY, outside a transaction block. If it fails it leaves an "
        "INVALID index: drop it (DROP INDEX CONCURRENTLY) and retry. On a partitioned table, "
        "create the index ON ONLY the parent, build each partition's index concurrently and "
        "ALTER INDEX ... ATTACH PARTITION it.",
        "CREATE INDEX orders_status_idx ON orders (status);",
        "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_INDEX_STMT) return;
    const PgQuery__IndexStmt* s = n->index_stmt;
    if (s->concurrent || s->relation == nullptr) return;
    TargetTable target = ResolveTarget(ctx, s->relation);
    if (!target.existing) return;
    std::string_view text = ctx.Text();
    std::string fix;
    bool partitioned = target.table != nullptr &&
                       target.table->partition_strategy != catalog::PartitionStrategy::kNone;
    if (partitioned) {
      fix = PartitionedRecipe(ctx, s, target);
    } else {
      fix = InsertAfterKeyword(text, "index", " CONCURRENTLY") + ";";
      if (ctx.in_transaction)
        fix += "\n-- outside the transaction block: CONCURRENTLY cannot run inside one";
    }
    std::string msg =
        "CREATE INDEX on " + TableLabel(target.name) +
        " without CONCURRENTLY blocks writes to it (SHARE lock) while the index is built";
    if (partitioned) msg += " on every partition";
    out.Report(-1, msg, fix);
  }

 private:
  static std::string PartitionedRecipe(const StatementContext& ctx, const PgQuery__IndexStmt* s,
                                       const TargetTable& target) {
    std::string_view text = ctx.Text();
    // The part after the table name: [USING method] (keys) [INCLUDE ...] [WHERE ...].
    int rel_at = s->relation->location - static_cast<int>(ctx.stmt->begin);
    std::string rest = rel_at >= 0 && static_cast<size_t>(rel_at) < text.size()
                           ? std::string(Trim(text.substr(SkipName(text, rel_at))))
                           : std::string("(...)");
    std::string head = s->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
    std::string parent_idx = !Str(s->idxname).empty() ? std::string(Str(s->idxname))
                                                      : ObjectName(target.name.name, {}, "idx");
    std::string fix =
        head + QuoteIdent(parent_idx) + " ON ONLY " + SqlName(target.name) + " " + rest + ";";
    std::vector<catalog::QualifiedName> parts = Partitions(*ctx.catalog, target.name);
    size_t shown = 0;
    for (const catalog::QualifiedName& p : parts) {
      if (shown == 3) {
        fix += "\n-- ... the same pair for each of the other " + std::to_string(parts.size() - 3) +
               " partitions";
        break;
      }
      std::string suffix = parent_idx;
      if (StartsWith(suffix, target.name.name + "_"))
        suffix = suffix.substr(target.name.name.size() + 1);
      std::string part_idx = p.name + "_" + suffix;
      if (part_idx.size() > 63) part_idx.resize(63);
      fix += "\n" + head + "CONCURRENTLY " + QuoteIdent(part_idx) + " ON " + SqlName(p) + " " +
             rest + ";";
      fix += "\nALTER INDEX " + QuoteIdent(parent_idx) + " ATTACH PARTITION " +
             QuoteIdent(part_idx) + ";";
      ++shown;
    }
    return fix;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_require_concurrent_index_creation() {
  return std::make_unique<RequireConcurrentIndexCreation>();
}

}  // namespace dbarch::lint
