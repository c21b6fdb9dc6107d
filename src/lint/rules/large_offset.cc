// large-offset: OFFSET with a constant above a threshold (option `max`, default 1000).
//
// Why: the server cannot jump to row N: it produces and throws away every skipped row (through
// the same scans, joins and sorts), so page 500 costs 500 pages of work, and rows shift
// between pages when the table changes.
// Fix: keyset ("seek") pagination: remember the sort key of the last row shown and ask for
// the rows after it (WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC
// LIMIT n), served by an index on the sort key.
// False positives: reports and exports that really need positional pages; OFFSET given as a
// parameter ($1) is not reported because its value is unknown.
// Example: SELECT id FROM orders ORDER BY id LIMIT 50 OFFSET 10000;
//       -> SELECT id FROM orders WHERE id > $1 ORDER BY id LIMIT 50;
#include <cstdlib>

#include "base/strings.h"
#include "lint/query_util.h"
#include "lint/rule.h"
#include "lint/rule_util.h"

namespace dbarch::lint {

namespace {

// The OFFSET value when it is an integer literal (a huge one arrives as a Float node).
bool OffsetValue(const sql::Node* n, long long* value) {
  if (n == nullptr) return false;
  if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) return OffsetValue(n->type_cast->arg, value);
  if (n->node_case != PG_QUERY__NODE__NODE_A_CONST) return false;
  const PgQuery__AConst* c = n->a_const;
  if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
    *value = c->ival->ival;
    return true;
  }
  if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval->fval != nullptr) {
    *value = std::strtoll(c->fval->fval, nullptr, 10);
    return true;
  }
  return false;
}

std::string KeysetFix(const PgQuery__SelectStmt* s) {
  std::vector<std::string> keys;
  std::vector<std::string> params;
  int asc = 0;
  int desc = 0;
  for (const sql::Node* sb : sql::Nodes(s->n_sort_clause, s->sort_clause)) {
    if (sb->node_case != PG_QUERY__NODE__NODE_SORT_BY) return "";
    const PgQuery__SortBy* b = sb->sort_by;
    if (b->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC) {
      ++desc;
    } else {
      ++asc;
    }
    keys.push_back(DeparseOr(b->node, "?"));
    params.push_back("$" + std::to_string(keys.size()));
  }
  std::string advice =
      "use keyset pagination: remember the sort key of the last row shown and read the rows "
      "after it through an index on that key";
  if (keys.empty()) {
    return advice +
           " (OFFSET without ORDER BY also returns an arbitrary page); e.g. WHERE id > $1 "
           "ORDER BY id LIMIT n";
  }
  if (asc > 0 && desc > 0) return advice + "; with mixed sort directions, compare key by key";
  std::string lhs = keys.size() == 1 ? keys[0] : "(" + Join(keys, ", ") + ")";
  std::string rhs = keys.size() == 1 ? params[0] : "(" + Join(params, ", ") + ")";
  std::string limit =
      s->limit_count != nullptr ? " LIMIT " + DeparseOr(s->limit_count, "n") : " LIMIT n";
  std::string order;
  for (size_t i = 0; i < keys.size(); ++i)
    order += (i ? ", " : "") + keys[i] + (desc > 0 ? " DESC" : "");
  return advice + ": WHERE " + lhs + (desc > 0 ? " < " : " > ") + rhs + " ORDER BY " + order +
         limit +
         " (end the sort key with a unique column, such as the primary key, so no row is skipped)";
}

class LargeOffset final : public Rule {
 public:
  const RuleDoc& doc() const override {
    static const RuleDoc d{
        "large-offset",
        Family::kQuery,
        Severity::kWarning,
        "a query skips many rows with OFFSET (more than the `max` option, default 1000)",
        "OFFSET does not jump: the server produces every skipped row through the same scans, "
        "joins and sorts and throws it away, so deep pages cost as much as reading all pages "
        "before them, and rows shift between pages when the data changes.",
        "Paginate by key: WHERE (sort key) > (last key seen) ORDER BY sort key LIMIT n, served "
        "by an index on the sort key.",
        "SELECT id, total FROM orders ORDER BY id LIMIT 50 OFFSET 10000;",
        "SELECT id, total FROM orders WHERE id > $1 ORDER BY id LIMIT 50;"};
    return d;
  }

  void CheckStatement(const StatementContext& ctx, Emitter& out) const override {
    const sql::Node* q = QueryOf(ctx.stmt->node);
    if (q == nullptr) return;
    long long max =
        ctx.config != nullptr ? ctx.config->IntOption("large-offset", "max", 1000) : 1000;
    WalkNodes(q, [&](const sql::Node* n) {
      if (n->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return true;
      const PgQuery__SelectStmt* s = n->select_stmt;
      long long offset = 0;
      if (!OffsetValue(s->limit_offset, &offset) || offset <= max) return true;
      out.Report(StartLocation(s->limit_offset),
                 "offset " + std::to_string(offset) + " makes the server read and discard " +
                     std::to_string(offset) + " rows before returning any (more than " +
                     std::to_string(max) + ")",
                 KeysetFix(s));
      return true;
    });
  }
};

}  // namespace

std::unique_ptr<Rule> MakeRule_large_offset() { return std::make_unique<LargeOffset>(); }

}  // namespace dbarch::lint
