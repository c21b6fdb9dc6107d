// prefer-robust-stmts: in a migration that runs without a transaction (no BEGIN in the file)
// and changes tables that existed before it, CREATE/ADD without IF NOT EXISTS and DROP
// without IF EXISTS.
//
// Why: without a transaction, a failure half-way leaves the first statements applied. The
// migration tool then retries the whole file, and the retry fails on the statements that
// already succeeded ("already exists" / "does not exist"), so someone has to repair the
// database by hand. Migrations that must run outside a transaction (CREATE INDEX
// CONCURRENTLY) are exactly the ones where this happens; a failed CONCURRENTLY build also
// leaves an INVALID index behind that IF NOT EXISTS would then silently keep.
// Fix: make each statement idempotent with IF [NOT] EXISTS (for CREATE INDEX CONCURRENTLY:
// DROP INDEX CONCURRENTLY IF EXISTS first), or wrap the file in BEGIN ... COMMIT when
// nothing in it needs to run outside a transaction.
// False positives: files the tool wraps in a transaction itself. Files with a single
// statement and files that only create new objects (schema files) are not reported.
// Example: ALTER TABLE orders ADD COLUMN note text;  ->  ALTER TABLE orders ADD COLUMN IF NOT
// EXISTS note text;
#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

class PreferRobustStmts final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "prefer-robust-stmts",
        Family::kMigration,
        Severity::kInfo,
        "a non-transactional migration has statements that fail when it is retried",
        "Without a transaction, a failure half-way leaves the earlier statements applied and "
        "the retry fails on them (\"already exists\" / \"does not exist\"). A failed CREATE INDEX "
        "CONCURRENTLY also leaves an INVALID index that IF NOT EXISTS would keep.",
        "Use IF NOT EXISTS / IF EXISTS (drop a possibly invalid index with DROP INDEX "
        "CONCURRENTLY IF EXISTS before CREATE INDEX CONCURRENTLY), or wrap the file in BEGIN ... "
        "COMMIT when nothing in it must run outside a transaction.",
        "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY orders_note_idx ON "
        "orders (note);",
        "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\n"
        "DROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;\n"
        "CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);"};
    return d;
  }

  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    const std::vector<sql::Statement>& stmts = *ctx.statements;
    if (stmts.size() < 2) return;
    for (const sql::Statement& st : stmts) {
      if (TransactionEffect(st.node) != TxEffect::kNone) return;  // transactional file
    }
    FileTables tables(ctx);
    bool touches_existing = false;
    for (const sql::Statement& st : stmts) {
      for (const TableLock& lock :
           StatementLocks(tables.before(), st.node, ctx.config->target_version)) {
        touches_existing |= tables.IsPreexisting(lock.table);
      }
      if (touches_existing) break;
      tables.Apply(st.node);
    }
    if (!touches_existing) return;
    const std::string& text = ctx.file->text();
    for (const sql::Statement& st : stmts) {
      std::string_view stmt_text(text.data() + st.begin, st.end - st.begin);
      Check(st, stmt_text, out);
    }
  }

 private:
  static void Check(const sql::Statement& st, std::string_view text, Emitter& out) {
    const sql::Node* n = st.node;
    int at = static_cast<int>(st.begin);
    auto report = [&](const std::string& what, const std::string& fix) {
      out.Report(at, what + ": a retry after a partial failure fails on it", fix);
    };
    switch (n->node_case) {
      case PG_QUERY__NODE__NODE_CREATE_STMT:
        if (!n->create_stmt->if_not_exists) {
          report("CREATE TABLE without IF NOT EXISTS",
                 InsertAfterKeyword(text, "table", " IF NOT EXISTS") + ";");
        }
        return;
      case PG_QUERY__NODE__NODE_INDEX_STMT: {
        const PgQuery__IndexStmt* s = n->index_stmt;
        if (s->if_not_exists || Str(s->idxname).empty()) return;
        std::string fix;
        if (s->concurrent) {
          fix = "DROP INDEX CONCURRENTLY IF EXISTS " + QuoteIdent(Str(s->idxname)) +
                ";  -- a failed build leaves an INVALID index\n" + std::string(text) + ";";
        } else {
          fix = InsertAfterKeyword(text, "index", " IF NOT EXISTS", {"concurrently"}) + ";";
        }
        report("CREATE INDEX without IF NOT EXISTS", fix);
        return;
      }
      case PG_QUERY__NODE__NODE_DROP_STMT: {
        const PgQuery__DropStmt* s = n->drop_stmt;
        if (s->missing_ok) return;
        if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER ||
            s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY ||
            s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE) {
          report("DROP without IF EXISTS", "DROP ... IF EXISTS ...;");
          return;
        }
        // DROP [MATERIALIZED] <kind> [CONCURRENTLY] name: IF EXISTS goes after the kind.
        size_t kind_end = FindKeyword(text, "drop");
        std::string fix = std::string(text);
        if (kind_end != std::string_view::npos) {
          size_t p = kind_end + 4;
          while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
          size_t word_end = p;
          while (
              word_end < text.size() &&
              (std::isalnum(static_cast<unsigned char>(text[word_end])) || text[word_end] == '_'))
            ++word_end;
          std::string_view word = text.substr(p, word_end - p);
          std::string first = ToLower(word);
          std::vector<std::string_view> then = {"concurrently"};
          if (first == "materialized" || first == "foreign") then = {"view", "table"};
          fix = InsertAfterKeyword(text, word, " IF EXISTS", then);
        }
        report("DROP without IF EXISTS", fix + ";");
        return;
      }
      case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        for (const PgQuery__AlterTableCmd* cmd : AlterCommands(n->alter_table_stmt)) {
          if (cmd->missing_ok) continue;
          if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn) {
            report("ADD COLUMN without IF NOT EXISTS",
                   InsertAfterKeyword(text, "add", " IF NOT EXISTS", {"column"}) + ";");
            return;
          }
          if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn) {
            report("DROP COLUMN without IF EXISTS",
                   InsertAfterKeyword(text, "drop", " IF EXISTS", {"column"}) + ";");
            return;
          }
          if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint) {
            report("DROP CONSTRAINT without IF EXISTS",
                   InsertAfterKeyword(text, "constraint", " IF EXISTS") + ";");
            return;
          }
        }
        return;
      default:
        return;
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_prefer_robust_stmts() {
  return std::make_unique<PreferRobustStmts>();
}

}  // namespace dbarch::lint
