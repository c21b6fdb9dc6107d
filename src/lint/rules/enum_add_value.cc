// enum-add-value: ALTER TYPE ... ADD VALUE pitfalls: inside a transaction block before
// PostgreSQL 12 (fails); the new value used later in the same transaction (fails: "unsafe
// use of new value"); BEFORE/AFTER placing the value between existing ones (changes how
// range comparisons and ORDER BY treat the enum).
//
// Why: before PostgreSQL 12, ADD VALUE cannot run in a transaction block at all. Since 12 it
// can, but the new label cannot be used until the transaction commits, so a migration that
// adds a value and then sets a default or backfills with it fails. An enum sorts by its
// declared order: inserting a value BEFORE/AFTER an existing one changes the result of
// `status < 'shipped'`, BETWEEN and ORDER BY for queries written against the old order.
// Fix: run ADD VALUE outside the transaction (or in its own migration) before any statement
// that uses the value; append new values at the end unless the sort position is intended.
// False positives: a later string constant equal to the label but unrelated to the enum, in
// a statement on a table that has a column of the enum type.
// Example: BEGIN; ALTER TYPE mood ADD VALUE 'calm'; UPDATE t SET m = 'calm'; COMMIT;  ->
//          ALTER TYPE mood ADD VALUE 'calm';  (own migration)  then the UPDATE.
#include <set>

#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

catalog::QualifiedName EnumName(const PgQuery__AlterEnumStmt* s) {
  std::vector<std::string> parts = sql::StrList(s->type_name, s->n_type_name);
  if (parts.empty()) return {};
  return parts.size() >= 2 ? catalog::QualifiedName{parts[parts.size() - 2], parts.back()}
                           : catalog::QualifiedName{"public", parts.back()};
}

std::string TypeLabelOf(const catalog::QualifiedName& q) {
  return q.schema == "public" ? QuoteIdent(q.name) : q.Quoted();
}

class EnumAddValue final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "enum-add-value",
        Family::kMigration,
        Severity::kWarning,
        "ALTER TYPE ... ADD VALUE in a transaction before PostgreSQL 12, used in the same "
        "transaction, or placed BEFORE/AFTER existing values",
        "Before PostgreSQL 12 ADD VALUE cannot run inside a transaction block; since 12 it can, "
        "but the new value cannot be used until the transaction commits (\"unsafe use of new "
        "value\"). Enums sort in declaration order, so a value inserted BEFORE/AFTER an "
        "existing one changes what range comparisons, BETWEEN and ORDER BY return.",
        "Add the value in its own migration outside any transaction, before migrations that use "
        "it; append new values at the end unless the sort position is intended.",
        "BEGIN;\nALTER TYPE mood ADD VALUE 'calm';\nUPDATE people SET mood = 'calm' WHERE mood IS "
        "NULL;\nCOMMIT;",
        "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';\n-- next migration:\n"
        "UPDATE people SET mood = 'calm' WHERE mood IS NULL;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* n = ctx.stmt->node;
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_ENUM_STMT) return;
    const PgQuery__AlterEnumStmt* s = n->alter_enum_stmt;
    if (!Str(s->old_val).empty()) return;  // RENAME VALUE
    catalog::QualifiedName type = EnumName(s);
    std::string value(Str(s->new_val));
    if (ctx.in_transaction && ctx.config->target_version < 12) {
      out.Report(-1,
                 "ALTER TYPE " + Quoted(type.name) +
                     " ADD VALUE cannot run inside a transaction block before "
                     "PostgreSQL 12 (target " +
                     std::to_string(ctx.config->target_version) + ")",
                 std::string("move it out of the transaction, into its own migration"));
    }
    if (!Str(s->new_val_neighbor).empty()) {
      // New enum types of this file have no data yet: ordering them is fine.
      const catalog::Type* t = nullptr;
      auto it = ctx.catalog->types.find(type);
      if (it != ctx.catalog->types.end()) t = &it->second;
      if (t != nullptr && !t->origin.span.file.empty() && t->origin.span.file == ctx.file->name())
        return;
      std::string where = s->new_val_is_after ? "AFTER " : "BEFORE ";
      out.Report(-1,
                 "adding " + Quoted(value) + " " + where + Quoted(Str(s->new_val_neighbor)) +
                     " places it between existing values of " + Quoted(type.name) +
                     ": range comparisons, BETWEEN and ORDER BY on its columns change meaning",
                 "ALTER TYPE " + TypeLabelOf(type) + " ADD VALUE " + QuoteLiteral(value) +
                     ";  -- appended at the end, unless the sort position is intended");
    }
  }

  // A value added in a transaction and used later in the same transaction.
  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    if (ctx.config->target_version < 12) return;  // ADD VALUE in a transaction already fails
    bool in_tx = false;
    struct Added {
      catalog::QualifiedName type;
      std::string value;
    };
    std::vector<Added> added;
    for (const sql::Statement& st : *ctx.statements) {
      const sql::Node* n = st.node;
      TxEffect tx = TransactionEffect(n);
      if (tx == TxEffect::kBegin || tx == TxEffect::kEnd) {
        in_tx = tx == TxEffect::kBegin;
        added.clear();
        continue;
      }
      if (!in_tx) continue;
      if (n->node_case == PG_QUERY__NODE__NODE_ALTER_ENUM_STMT) {
        const PgQuery__AlterEnumStmt* s = n->alter_enum_stmt;
        if (Str(s->old_val).empty()) added.push_back({EnumName(s), std::string(Str(s->new_val))});
        continue;
      }
      if (added.empty()) continue;
      for (const Added& a : added) {
        int at = UseOf(ctx, n, a.type, a.value);
        if (at < 0) continue;
        out.Report(at,
                   "new value " + Quoted(a.value) + " of " + Quoted(a.type.name) +
                       " is used in the transaction that added it: PostgreSQL rejects it until the "
                       "ADD VALUE commits",
                   std::string("COMMIT after ALTER TYPE ... ADD VALUE (or move it to an earlier "
                               "migration) before using the value"));
        break;
      }
    }
  }

 private:
  // Offset of a use of `value` as a label of enum `type` in `stmt`, or -1: a cast to the type,
  // or a string constant in a statement on a table that has a column of the type.
  static int UseOf(const FileContext& ctx, const sql::Node* stmt,
                   const catalog::QualifiedName& type, const std::string& value) {
    std::string label = TypeLabelOf(type);
    bool touches_enum_table = false;
    WalkNodes(stmt, [&](const sql::Node* x) {
      if (x->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && !touches_enum_table) {
        const catalog::Table* t = ResolveTable(*ctx.catalog_before, x->range_var);
        if (t != nullptr) {
          for (const catalog::Column& c : t->columns) touches_enum_table |= c.type == label;
        }
      }
      return true;
    });
    int found = -1;
    WalkNodes(stmt, [&](const sql::Node* x) {
      if (found >= 0) return false;
      if (x->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        const PgQuery__TypeCast* c = x->type_cast;
        std::vector<std::string> names =
            c->type_name != nullptr ? sql::StrList(c->type_name->names, c->type_name->n_names)
                                    : std::vector<std::string>{};
        if (!names.empty() && names.back() == type.name && sql::StrVal(c->arg) == value) {
          found = c->location;
          return false;
        }
      }
      if (touches_enum_table && x->node_case == PG_QUERY__NODE__NODE_A_CONST &&
          sql::StrVal(x) == value) {
        found = x->a_const->location;
        return false;
      }
      return true;
    });
    return found;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_enum_add_value() { return std::make_unique<EnumAddValue>(); }

}  // namespace dbarch::lint
