// reindex-without-concurrently: REINDEX INDEX/TABLE/SCHEMA/DATABASE without CONCURRENTLY on
// existing objects.
//
// Why: a plain REINDEX holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE
// lock on each index being rebuilt, so queries whose plans would use that index wait too.
// REINDEX ... CONCURRENTLY (PostgreSQL 12+) rebuilds beside the old index under SHARE UPDATE
// EXCLUSIVE and swaps it in.
// Fix: REINDEX ... CONCURRENTLY outside a transaction block; before PostgreSQL 12, CREATE
// INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one and rename the copy.
// False positives: small tables; REINDEX SYSTEM (cannot be concurrent) is not reported.
// Example: REINDEX INDEX orders_status_idx;  ->  REINDEX INDEX CONCURRENTLY orders_status_idx;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

class ReindexWithoutConcurrently final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "reindex-without-concurrently",
        Family::kMigration,
        Severity::kWarning,
        "REINDEX without CONCURRENTLY on existing tables or indexes",
        "REINDEX holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on "
        "each index it rebuilds (queries that would use the index wait) for the whole rebuild. "
        "REINDEX CONCURRENTLY (PostgreSQL 12+) builds a new index under SHARE UPDATE EXCLUSIVE "
        "and swaps it in.",
        "Use REINDEX ... CONCURRENTLY outside a transaction block; before PostgreSQL 12, create "
        "a copy with CREATE INDEX CONCURRENTLY, drop the old index concurrently and rename.",
        "REINDEX INDEX orders_status_idx;",
        "REINDEX INDEX CONCURRENTLY orders_status_idx;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_REINDEX_STMT) return;
    const PgQuery__ReindexStmt* s = n->reindex_stmt;
    if (HasOption(sql::Nodes(s->n_params, s->params), "concurrently")) return;
    std::string kind;
    std::string name;
    std::string subject;
    switch (s->kind) {
      case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE: {
        TargetTable t = ResolveTarget(ctx, s->relation);
        if (!t.existing) return;
        kind = "TABLE";
        name = SqlName(t.name);
        subject = "rebuilds every index of " + TableLabel(t.name) +
                  " under a SHARE lock that blocks writes, and locks each index against reads";
        break;
      }
      case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX: {
        if (s->relation == nullptr) return;
        std::vector<std::string> parts;
        if (!Str(s->relation->schemaname).empty()) parts.emplace_back(Str(s->relation->schemaname));
        parts.emplace_back(Str(s->relation->relname));
        const catalog::Index* idx = FindIndex(*ctx.catalog, parts);
        std::string table = "its table";
        if (idx != nullptr) {
          if (!IsPreexistingTable(ctx, idx->table)) return;
          table = TableLabel(idx->table);
        } else if (SchemaIsKnown(ctx)) {
          return;
        }
        kind = "INDEX";
        name = RangeVarText(s->relation);
        subject = "rebuilds " + Quoted(parts.back()) + " under a SHARE lock on " + table +
                  " that blocks writes, and an ACCESS EXCLUSIVE lock on the index that blocks "
                  "queries using it";
        break;
      }
      case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
      case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE: {
        bool schema = s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA;
        kind = schema ? "SCHEMA" : "DATABASE";
        name = QuoteIdent(Str(s->name));
        subject = std::string("rebuilds every index of the ") + (schema ? "schema" : "database") +
                  ", blocking writes to each table while its indexes are rebuilt";
        break;
      }
      default:
        return;  // SYSTEM cannot be concurrent
    }
    std::string fix;
    if (ctx.config->target_version >= 12) {
      fix = "REINDEX " + kind + " CONCURRENTLY " + name + ";";
      if (ctx.in_transaction)
        fix += "\n-- outside the transaction block: CONCURRENTLY cannot run inside one";
    } else {
      fix = "-- PostgreSQL " + std::to_string(ctx.config->target_version) +
            " has no REINDEX CONCURRENTLY: per index,\n"
            "CREATE INDEX CONCURRENTLY new_idx ON ... (same definition);\n"
            "DROP INDEX CONCURRENTLY old_idx;\n"
            "ALTER INDEX new_idx RENAME TO old_idx;";
    }
    out.Report(-1, "REINDEX " + kind + " without CONCURRENTLY " + subject, fix);
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_reindex_without_concurrently() {
  return std::make_unique<ReindexWithoutConcurrently>();
}

}  // namespace dbarch::lint
