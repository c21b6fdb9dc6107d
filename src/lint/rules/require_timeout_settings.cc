// require-timeout-settings: a migration file takes a lock that blocks writes (SHARE or
// stronger: ALTER TABLE, CREATE INDEX, DROP, TRUNCATE...) on a table that existed before the
// file, without setting lock_timeout (and statement_timeout) earlier in the file.
//
// Why: a lock request waits behind every running transaction on the table, and while it
// waits every later query on that table (ACCESS EXCLUSIVE: every SELECT too) queues behind
// the waiting request. One long report query can thus turn a millisecond ALTER into an
// outage. lock_timeout makes the migration give up (and be retried) instead of stalling the
// table; statement_timeout bounds how long the lock can then be held.
// Fix: start the file with SET lock_timeout = '...'; SET statement_timeout = '...'; (or
// SET LOCAL inside the transaction). Which settings are required is the rule option
// `settings` (default [lock_timeout, statement_timeout]).
// False positives: timeouts set outside the file (ALTER ROLE ... SET, the migration tool's
// connection settings); suppress or configure `settings: []` there.
// Example: ALTER TABLE orders ADD COLUMN note text;  ->
//          SET lock_timeout = '2s'; SET statement_timeout = '5min'; ALTER TABLE orders ADD COLUMN
//          note text;
#include <map>

#include "base/strings.h"
#include "lint/migration_util.h"
#include "lint/rule.h"

namespace dbarch::lint {

namespace {

constexpr const char* kId = "require-timeout-settings";

// The setting a statement sets: SET x = v / SET LOCAL / RESET / SELECT set_config('x', v, local).
struct SettingChange {
  std::string name;
  bool set = false;    // false: reset, or set to 0 (disabled)
  bool local = false;  // lasts until the end of the transaction
};

bool IsZero(std::string_view v) {
  v = Trim(v);
  return v == "0" || v == "0ms" || v == "0s" || v == "0min";
}

std::vector<SettingChange> SettingChanges(const sql::Node* n) {
  std::vector<SettingChange> out;
  if (n->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT) {
    const PgQuery__VariableSetStmt* s = n->variable_set_stmt;
    SettingChange c;
    c.name = ToLower(Str(s->name));
    c.local = s->is_local;
    if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && s->n_args > 0) {
      const sql::Node* a = s->args[0];
      int iv = sql::IntVal(a, -1);
      c.set = iv != 0 && !(iv < 0 && IsZero(sql::StrVal(a)));
    }
    out.push_back(c);
    return out;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    WalkNodes(n, [&](const sql::Node* x) {
      if (x->node_case != PG_QUERY__NODE__NODE_FUNC_CALL) return true;
      const PgQuery__FuncCall* f = x->func_call;
      std::vector<std::string> name = sql::StrList(f->funcname, f->n_funcname);
      if (name.empty() || name.back() != "set_config" || f->n_args < 2) return true;
      SettingChange c;
      c.name = ToLower(sql::StrVal(f->args[0]));
      c.set = !IsZero(sql::StrVal(f->args[1]));
      if (f->n_args >= 3 && f->args[2]->node_case == PG_QUERY__NODE__NODE_A_CONST &&
          f->args[2]->a_const->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL) {
        c.local = f->args[2]->a_const->boolval->boolval;
      }
      out.push_back(c);
      return true;
    });
  }
  return out;
}

class RequireTimeoutSettings final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        kId,
        Family::kMigration,
        Severity::kWarning,
        "a migration locks existing tables without setting lock_timeout and statement_timeout "
        "first",
        "A lock request waits behind every running transaction on the table, and every later "
        "query on the table queues behind the waiting request: one slow query turns a "
        "millisecond ALTER into an outage. lock_timeout makes the migration fail fast (and be "
        "retried) instead; statement_timeout bounds how long the lock can be held.",
        "Begin the file with SET lock_timeout and SET statement_timeout (SET LOCAL inside a "
        "transaction), and retry the migration when the lock times out.",
        "ALTER TABLE orders ADD COLUMN note text;",
        "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
        "ALTER TABLE orders ADD COLUMN note text;"};
    return d;
  }

  void CheckFile(const FileContext& ctx, Emitter& out) const override {
    std::vector<std::string> required =
        ctx.config->ListOption(kId, "settings", {"lock_timeout", "statement_timeout"});
    if (required.empty()) return;
    FileTables tables(ctx);
    std::map<std::string, bool> session, local;  // setting -> set
    for (const sql::Statement& st : *ctx.statements) {
      const sql::Node* n = st.node;
      if (TransactionEffect(n) == TxEffect::kEnd) local.clear();
      for (const SettingChange& c : SettingChanges(n)) {
        if (c.local) {
          local[c.name] = c.set;
        } else {
          session[c.name] = c.set;
          local.erase(c.name);  // a later SET overrides an earlier SET LOCAL
        }
      }
      std::vector<std::string> missing;
      for (const std::string& r : required) {
        auto l = local.find(r);
        auto g = session.find(r);
        bool is_set = l != local.end() ? l->second : g != session.end() && g->second;
        if (!is_set) missing.push_back(r);
      }
      if (missing.empty()) {
        tables.Apply(n);
        continue;  // every timeout is set: no need to look at the locks
      }
      for (const TableLock& lock : StatementLocks(tables.before(), n, ctx.config->target_version)) {
        if (!BlocksWrites(lock.lock) || !tables.IsPreexisting(lock.table)) continue;
        std::string fix;
        for (const std::string& m : missing) {
          fix += "SET " + m + " = '" +
                 (m == "lock_timeout"        ? "2s"
                  : m == "statement_timeout" ? "5min"
                                             : "...") +
                 "';\n";
        }
        fix +=
            "-- at the top of the file (SET LOCAL inside a transaction); retry when the lock times "
            "out";
        out.Report(static_cast<int>(st.begin),
                   "takes " + std::string(LockModeName(lock.lock)) + " lock on " +
                       TableLabel(lock.table) + " without " + Join(missing, " and ") +
                       " set earlier in the file: while it waits for the lock, queries on the "
                       "table queue behind it",
                   fix);
        return;  // once per file
      }
      tables.Apply(n);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_require_timeout_settings() {
  return std::make_unique<RequireTimeoutSettings>();
}

}  // namespace dbarch::lint
