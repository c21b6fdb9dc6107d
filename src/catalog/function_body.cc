#include "catalog/function_body.h"

#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "base/source_span.h"
#include "base/strings.h"
#include "sql/ast.h"
#include "sql/expr_normalizer.h"
#include "sql/parser.h"
#include "sql/view_normalizer.h"

namespace dbarch::catalog {

namespace {

bool IsIdentChar(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '$';
}

// Whether `text` holds `name` as a whole identifier.
bool MentionsName(const std::string& text, const std::string& name) {
  for (size_t p = text.find(name); p != std::string::npos; p = text.find(name, p + 1)) {
    size_t end = p + name.size();
    if ((p == 0 || !IsIdentChar(text[p - 1])) && (end >= text.size() || !IsIdentChar(text[end])))
      return true;
  }
  return false;
}

// `body` with each `<function>.<parameter>` written `<parameter>`: the server qualifies a
// parameter with the function's name when a relation is in scope; the text a user writes
// usually does not. A parameter named like a column of a table the body names is left
// qualified: bare, that name is the column (columns come first in SQL functions). Only whole
// identifiers are replaced.
std::string UnqualifyParameters(std::string body, const Function& f, const Catalog& catalog) {
  std::set<std::string> shadowed;
  for (const auto& [q, t] : catalog.tables) {
    if (!MentionsName(body, q.name)) continue;
    for (const Column& c : t.columns) shadowed.insert(c.name);
  }
  for (const std::string& fn : {f.name.name, QuoteIdent(f.name.name)}) {
    for (const FunctionArg& a : f.args) {
      if (a.name.empty() || shadowed.count(a.name)) continue;
      for (const std::string& param : {a.name, QuoteIdent(a.name)}) {
        std::string needle = fn + "." + param;
        size_t p = 0;
        while ((p = body.find(needle, p)) != std::string::npos) {
          size_t end = p + needle.size();
          bool starts =
              p == 0 || (!IsIdentChar(body[p - 1]) && body[p - 1] != '.' && body[p - 1] != '"');
          bool ends = end >= body.size() || (!IsIdentChar(body[end]) && body[end] != '"');
          if (starts && ends) {
            body.replace(p, needle.size(), param);
            p += param.size();
          } else {
            p = end;
          }
        }
      }
    }
  }
  return body;
}

sql::QueryHints HintsOf(const Catalog& catalog) {
  sql::QueryHints hints;
  hints.relation = [&catalog](
                       const std::vector<std::string>& parts) -> std::
                                                                  optional<sql::QueryRelation> {
                                                                    if (parts.empty() ||
                                                                        parts.size() > 2)
                                                                      return std::nullopt;
                                                                    QualifiedName q = parts.size() == 1 ? QualifiedName{"public", parts[0]}
                                        : QualifiedName{parts[0], parts[1]};
                                                                    sql::QueryRelation rel{
                                                                        q.schema, q.name, {}};
                                                                    if (const Table* t =
                                                                            catalog.FindTable(q)) {
                                                                      for (const Column& c :
                                                                           t->columns) {
                                                                        // A domain column reads as
                                                                        // its base type.
                                                                        std::string type = c.type;
                                                                        for (int depth = 0;
                                                                             depth < 16; ++depth) {
                                                                          QualifiedName tq = type.find('.') == std::string::npos
                                 ? QualifiedName{"public", type}
                                 : QualifiedName{type.substr(0, type.find('.')),
                                                 type.substr(type.find('.') + 1)};
                                                                          auto d =
                                                                              catalog.types.find(
                                                                                  tq);
                                                                          if (d == catalog.types
                                                                                       .end() ||
                                                                              d->second.kind !=
                                                                                  TypeKind::kDomain)
                                                                            break;
                                                                          type =
                                                                              d->second.base_type;
                                                                        }
                                                                        rel.columns.emplace_back(
                                                                            c.name,
                                                                            sql::InternalTypeName(
                                                                                type));
                                                                      }
                                                                      return rel;
                                                                    }
                                                                    if (auto v =
                                                                            catalog.views.find(q);
                                                                        v != catalog.views.end()) {
                                                                      const View& view = v->second;
                                                                      for (size_t i = 0;
                                                                           i < view.columns.size();
                                                                           ++i) {
                                                                        rel.columns.emplace_back(
                                                                            view.columns[i],
                                                                            i < view.column_types
                                                                                        .size()
                                                                                ? view.column_types
                                                                                      [i]
                                                                                : "");
                                                                      }
                                                                      return rel;
                                                                    }
                                                                    return std::nullopt;
                                                                  };
  return hints;
}

// One statement of a body in normal form: a query normalised; any other statement (INSERT,
// UPDATE, DELETE) by its kind only, since the server prints them with its own qualifications
// and casts that no normaliser here undoes (a change inside one is not seen).
std::optional<std::string> StatementNormalForm(const sql::Node* stmt,
                                               const sql::QueryHints& hints) {
  if (stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
    auto normal = sql::NormalizeViewQuery(stmt, hints);
    if (normal.ok()) return *normal;
    auto text = sql::DeparseStatement(stmt);
    if (!text.ok()) return std::nullopt;
    return *text;
  }
  switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_INSERT_STMT:
      return "<insert>";
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
      return "<update>";
    case PG_QUERY__NODE__NODE_DELETE_STMT:
      return "<delete>";
    default:
      return "<statement " + std::to_string(static_cast<int>(stmt->node_case)) + ">";
  }
}

}  // namespace

std::string SqlBodyNormalForm(const Catalog& catalog, const Function& function) {
  std::string body = UnqualifyParameters(function.body, function, catalog);
  sql::QueryHints hints = HintsOf(catalog);
  if (body.rfind("RETURN ", 0) == 0) {
    auto normal = sql::NormalizeViewQueryText("SELECT " + body.substr(7), hints);
    return normal.ok() ? "RETURN " + *normal : body;
  }
  if (body.rfind("BEGIN ATOMIC", 0) != 0) return body;
  SourceFile file("<function body>",
                  "CREATE FUNCTION dbarch_body() RETURNS void LANGUAGE sql " + body);
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok() || tree->statements().size() != 1 ||
      tree->statements()[0].node->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT)
    return body;
  const sql::Node* sql_body = tree->statements()[0].node->create_function_stmt->sql_body;
  if (sql_body == nullptr || sql_body->node_case != PG_QUERY__NODE__NODE_LIST) return body;
  std::vector<std::string> out;
  for (const sql::Node* st : sql::Nodes(sql_body->list->n_items, sql_body->list->items)) {
    std::vector<const sql::Node*> stmts;
    if (st->node_case == PG_QUERY__NODE__NODE_LIST) {
      for (const sql::Node* inner : sql::Nodes(st->list->n_items, st->list->items))
        stmts.push_back(inner);
    } else {
      stmts.push_back(st);
    }
    for (const sql::Node* s : stmts) {
      std::optional<std::string> normal = StatementNormalForm(s, hints);
      if (!normal) return body;
      out.push_back(*normal);
    }
  }
  return "BEGIN ATOMIC " + Join(out, "; ") + " END";
}

}  // namespace dbarch::catalog
