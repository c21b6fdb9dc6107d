#include "catalog/builder.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "base/strings.h"
#include "catalog/builder_impl.h"
#include "catalog/builder_util.h"
#include "catalog/naming.h"
#include "sql/expr_normalizer.h"

namespace dbarch::catalog {

using sql::Node;
using sql::Nodes;
using sql::StrVal;


CatalogBuilder::Impl::Impl(BuildOptions options)
    : options_(std::move(options)), search_path_(options_.search_path) {
  cat_.schemas["public"] = Schema{"public", "", ""};
}

Status CatalogBuilder::Impl::Error(Status st, int location) const {
  uint32_t offset = stmt_ != nullptr ? stmt_->begin : 0;
  if (location >= 0) offset = static_cast<uint32_t>(location);
  if (file_ == nullptr) return st;
  return std::move(st).WithSpan(file_->Span(offset, offset));
}

Status CatalogBuilder::Impl::NotFound(const std::string& what, const std::string& name,
                                      int location,
                                      const std::vector<std::string>& candidates) const {
  Status st = Status::NotFound(what + " \"" + name + "\" does not exist");
  std::string close = ClosestMatch(name, candidates);
  if (close.empty()) return Error(std::move(st), location);
  return Error(std::move(st).WithHint("did you mean \"" + close + "\"?"), location);
}

Origin CatalogBuilder::Impl::MakeOrigin() const {
  Origin o;
  if (file_ != nullptr && stmt_ != nullptr) o.span = file_->Span(stmt_->begin, stmt_->end);
  return o;
}

Origin CatalogBuilder::Impl::MakeClauseOrigin(int location) const {
  Origin o = MakeOrigin();
  if (file_ == nullptr || stmt_ == nullptr || location < 0) return o;
  uint32_t begin = static_cast<uint32_t>(location);
  if (begin < stmt_->begin || begin >= stmt_->end) return o;
  // The clause runs to the first ',' or ')' outside parentheses, quotes and comments (the end
  // of a table element or of an ALTER TABLE command), or to the end of the statement.
  const std::string& text = file_->text();
  uint32_t end = begin;
  int depth = 0;
  while (end < stmt_->end) {
    char c = text[end];
    if (c == '\'' || c == '"') {
      size_t close = text.find(c, end + 1);
      end = close == std::string::npos || close >= stmt_->end ? stmt_->end
                                                              : static_cast<uint32_t>(close) + 1;
      continue;
    }
    if (c == '-' && end + 1 < stmt_->end && text[end + 1] == '-') {
      size_t nl = text.find('\n', end);
      end = nl == std::string::npos || nl >= stmt_->end ? stmt_->end : static_cast<uint32_t>(nl);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' || c == ',' || c == ';') {
      if (depth == 0) break;
      if (c == ')') --depth;
    }
    ++end;
  }
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t' ||
                         text[end - 1] == '\r')) {
    --end;
  }
  LineCol lc = file_->Locate(begin);
  o.clause_begin = begin;
  o.clause_end = end;
  o.clause_line = lc.line;
  o.clause_column = lc.column;
  return o;
}

std::string CatalogBuilder::Impl::StatementText() const {
  if (file_ == nullptr || stmt_ == nullptr) return "";
  return file_->text().substr(stmt_->begin, stmt_->end - stmt_->begin);
}

void CatalogBuilder::Impl::EnsureSchema(const std::string& schema) {
  if (!cat_.schemas.count(schema)) cat_.schemas[schema] = Schema{schema, "", ""};
}

Status CatalogBuilder::Impl::CheckSchemaExists(const std::string& schema, int location) const {
  if (cat_.schemas.count(schema)) return Status::OK();
  std::vector<std::string> names;
  for (const auto& [n, s] : cat_.schemas) names.push_back(n);
  return NotFound("schema", schema, location, names);
}

Result<std::string> CatalogBuilder::Impl::CreationSchema(const char* schema, int location) const {
  if (schema != nullptr && *schema != '\0') {
    DBARCH_RETURN_IF_ERROR(CheckSchemaExists(schema, location));
    return std::string(schema);
  }
  for (const std::string& s : search_path_) {
    if (cat_.schemas.count(s)) return s;
  }
  return Error(Status::InvalidArgument("no schema has been selected to create in"), location);
}

Result<QualifiedName> CatalogBuilder::Impl::CreationName(const PgQuery__RangeVar* rv) const {
  DBARCH_ASSIGN_OR_RETURN(std::string schema, CreationSchema(rv->schemaname, rv->location));
  return QualifiedName{schema, TruncateIdentifier(rv->relname)};
}

Result<QualifiedName> CatalogBuilder::Impl::CreationName(const std::vector<std::string>& parts,
                                                         int location) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing object name"), location);
  const char* schema = parts.size() >= 2 ? parts[parts.size() - 2].c_str() : nullptr;
  DBARCH_ASSIGN_OR_RETURN(std::string s, CreationSchema(schema, location));
  return QualifiedName{s, TruncateIdentifier(parts.back())};
}

Result<QualifiedName> CatalogBuilder::Impl::FindRelation(const std::vector<std::string>& parts,
                                                         int location, const char* kind,
                                                         bool tables, bool views,
                                                         bool sequences, bool indexes) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing relation name"), location);
  auto exists = [&](const QualifiedName& q) {
    return (tables && cat_.tables.count(q)) || (views && cat_.views.count(q)) ||
           (sequences && (cat_.sequences.count(q) || identity_seqs_.count(q))) ||
           (indexes && cat_.indexes.count(q));
  };
  std::string name = TruncateIdentifier(parts.back());
  if (parts.size() >= 2) {
    QualifiedName q{parts[parts.size() - 2], name};
    if (exists(q)) return q;
  } else {
    for (const std::string& s : search_path_) {
      QualifiedName q{s, name};
      if (exists(q)) return q;
    }
  }
  std::vector<std::string> candidates;
  auto add = [&](const auto& map) {
    for (const auto& [q, obj] : map) candidates.push_back(q.name);
  };
  if (tables) add(cat_.tables);
  if (views) add(cat_.views);
  if (sequences) add(cat_.sequences);
  if (indexes) add(cat_.indexes);
  std::string shown = parts.size() >= 2 ? parts[parts.size() - 2] + "." + name : name;
  return NotFound(kind, shown, location, candidates);
}

Result<QualifiedName> CatalogBuilder::Impl::FindTableName(const PgQuery__RangeVar* rv) const {
  std::vector<std::string> parts;
  if (rv->schemaname != nullptr && *rv->schemaname != '\0') parts.push_back(rv->schemaname);
  parts.push_back(rv->relname);
  return FindRelation(parts, rv->location, "relation", true, false, false, false);
}

Result<QualifiedName> CatalogBuilder::Impl::FindTypeName(const std::vector<std::string>& parts,
                                                         int location) const {
  if (parts.empty()) return Error(Status::InvalidArgument("missing type name"), location);
  if (parts.size() >= 2) {
    QualifiedName q{parts[parts.size() - 2], parts.back()};
    if (cat_.types.count(q)) return q;
  } else {
    for (const std::string& s : search_path_) {
      QualifiedName q{s, parts.back()};
      if (cat_.types.count(q)) return q;
    }
  }
  std::vector<std::string> candidates;
  for (const auto& [q, t] : cat_.types) candidates.push_back(q.name);
  return NotFound("type", Join(parts, "."), location, candidates);
}

std::string CatalogBuilder::Impl::RoleName(const PgQuery__RoleSpec* r) const {
  if (r == nullptr) return "";
  switch (r->roletype) {
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC: return "PUBLIC";
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING:
      // The role that runs the DDL is the model's "" (introspection's current_user).
      return r->rolename == options_.session_role ? std::string() : std::string(r->rolename);
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_USER:
    case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_ROLE: return current_role_;
    default: return "";  // SESSION_USER: the loading role
  }
}

bool CatalogBuilder::Impl::RelationTaken(const std::string& schema, const std::string& name) const {
  auto it = relnames_.find(schema);
  return it != relnames_.end() && it->second.count(name) > 0;
}

bool CatalogBuilder::Impl::ConstraintTaken(const std::string& schema,
                                           const std::string& name) const {
  auto it = connames_.find(schema);
  return it != connames_.end() && it->second.count(name) > 0;
}

void CatalogBuilder::Impl::ReserveRelation(const std::string& schema, const std::string& name) {
  relnames_[schema].insert(name);
}
void CatalogBuilder::Impl::ReleaseRelation(const std::string& schema, const std::string& name) {
  relnames_[schema].erase(name);
}
void CatalogBuilder::Impl::ReserveConstraint(const std::string& schema, const std::string& name) {
  connames_[schema].insert(name);
}
void CatalogBuilder::Impl::ReleaseConstraint(const std::string& schema, const std::string& name) {
  connames_[schema].erase(name);
}

// format_type() spelling of a parsed type name. See model.h for the normal form.
Result<std::string> CatalogBuilder::Impl::TypeString(const PgQuery__TypeName* t) const {
  if (t == nullptr) return std::string();
  if (t->pct_type) {
    return Error(Status::NotSupported("%TYPE references are not supported"), t->location);
  }
  std::vector<std::string> names = sql::StrList(t->names, t->n_names);
  if (names.empty()) return Error(Status::InvalidArgument("empty type name"), t->location);
  bool catalog_type = names.size() == 2 && names[0] == "pg_catalog";
  std::string base = names.back();
  std::vector<int> mods;
  std::vector<std::string> raw_mods;
  for (const Node* m : Nodes(t->n_typmods, t->typmods)) {
    int v = sql::IntVal(m, INT32_MIN);
    mods.push_back(v);
    if (v != INT32_MIN) {
      raw_mods.push_back(std::to_string(v));
    } else {
      auto text = sql::DeparseExpr(m);
      raw_mods.push_back(text.ok() ? *text : "?");
    }
  }
  auto with_mods = [&](const std::string& name) {
    return raw_mods.empty() ? name : name + "(" + Join(raw_mods, ",") + ")";
  };
  std::string out;
  bool builtin = catalog_type || names.size() == 1;
  if (builtin) {
    static const std::map<std::string, std::string> kNames = {
        {"int2", "smallint"}, {"int4", "integer"}, {"int", "integer"}, {"int8", "bigint"},
        {"float4", "real"}, {"float8", "double precision"}, {"bool", "boolean"},
        {"varchar", "character varying"}, {"bpchar", "character"}, {"varbit", "bit varying"},
        {"decimal", "numeric"}, {"timestamptz", "timestamp with time zone"},
        {"timetz", "time with time zone"}, {"serial4", "serial"}, {"serial8", "bigserial"},
        {"serial2", "smallserial"}};
    std::string lower = base;
    auto it = kNames.find(lower);
    std::string name = it != kNames.end() ? it->second : lower;
    if (name == "numeric" && mods.size() == 1) {
      out = "numeric(" + raw_mods[0] + ",0)";
    } else if (name == "timestamp" || name == "time") {
      out = name + (raw_mods.empty() ? "" : "(" + raw_mods[0] + ")") + " without time zone";
    } else if (name == "timestamp with time zone" || name == "time with time zone") {
      std::string head = name.substr(0, name.find(' '));
      out = head + (raw_mods.empty() ? "" : "(" + raw_mods[0] + ")") + " with time zone";
    } else if (name == "interval") {
      out = "interval";
      if (!mods.empty()) {
        // typmods: field mask (INTERVAL_MASK bits), then precision.
        static const std::map<int, std::string> kFields = {
            {1 << 2, " year"}, {1 << 1, " month"}, {1 << 3, " day"}, {1 << 10, " hour"},
            {1 << 11, " minute"}, {1 << 12, " second"}, {(1 << 2) | (1 << 1), " year to month"},
            {(1 << 3) | (1 << 10), " day to hour"},
            {(1 << 3) | (1 << 10) | (1 << 11), " day to minute"},
            {(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), " day to second"},
            {(1 << 10) | (1 << 11), " hour to minute"},
            {(1 << 10) | (1 << 11) | (1 << 12), " hour to second"},
            {(1 << 11) | (1 << 12), " minute to second"}};
        auto f = kFields.find(mods[0]);
        if (f != kFields.end()) out += f->second;
        if (mods.size() > 1) out += "(" + raw_mods[1] + ")";
      }
    } else if (name == "character" && raw_mods.empty() && !catalog_type) {
      out = "character";  // bare user-typed "bpchar"
    } else if (!catalog_type && names.size() == 1) {
      // A user type name resolves through the search path: bare in public, else qualified.
      std::string shown = name;
      for (const std::string& s : search_path_) {
        // Tables and views are types too (their row type), as in function signatures.
        QualifiedName q{s, base};
        if (cat_.types.count(q) || cat_.tables.count(q) || cat_.views.count(q)) {
          shown = s == "public" ? QuoteIdent(base) : QualifiedName{s, base}.Quoted();
          break;
        }
      }
      if (shown == name && name != base) shown = name;  // built-in alias
      else if (shown == name) shown = QuoteIdent(name) == name ? name : QuoteIdent(name);
      out = with_mods(shown);
    } else {
      out = with_mods(name);
    }
  } else {
    std::string schema = names[names.size() - 2];
    out = with_mods(schema == "public" ? QuoteIdent(base) : QualifiedName{schema, base}.Quoted());
  }
  if (t->n_array_bounds > 0) out += "[]";
  return out;
}

std::string CatalogBuilder::Impl::FunctionSchemaOf(std::string_view name) const {
  for (const std::string& schema : search_path_) {
    std::string prefix = QualifiedName{schema, std::string(name)}.Quoted() + "(";
    auto it = cat_.functions.lower_bound(prefix);
    if (it != cat_.functions.end() && StartsWith(it->first, prefix)) return schema;
  }
  return "";
}

std::string CatalogBuilder::Impl::RegclassName(std::string_view text) const {
  // Split 'a.b' or '"A"."b"' into identifiers as the regclass input function does.
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  parts.push_back(cur);
  if (parts.empty() || parts.size() > 2 || parts.back().empty()) return "";
  auto exists = [&](const QualifiedName& q) {
    return cat_.tables.count(q) || cat_.views.count(q) || cat_.sequences.count(q) ||
           identity_seqs_.count(q) || cat_.indexes.count(q);
  };
  auto shown = [](const QualifiedName& q) {
    return q.schema == "public" ? QuoteIdent(q.name) : q.Quoted();
  };
  if (parts.size() == 2) return shown(QualifiedName{parts[0], parts[1]});
  for (const std::string& schema : search_path_) {
    QualifiedName q{schema, parts[0]};
    if (exists(q)) return shown(q);
  }
  return "";
}

std::string CatalogBuilder::Impl::ResolveCollation(const std::vector<std::string>& parts) const {
  if (parts.size() == 1) {
    for (const std::string& schema : search_path_) {
      if (collations_.count(QualifiedName{schema, parts[0]})) {
        return CollationName({schema, parts[0]});
      }
    }
  }
  return CollationName(parts);
}

namespace {

// The first word of `text` at or after `i` (skipping blanks and comments), lower-cased, and
// the offset past it.
std::string FirstWord(std::string_view text, size_t i, size_t* end) {
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
      ++i;
    } else if (text.substr(i, 2) == "--") {
      size_t eol = text.find('\n', i);
      i = eol == std::string_view::npos ? text.size() : eol;
    } else {
      break;
    }
  }
  size_t j = i;
  std::string word;
  while (j < text.size() && ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z') || text[j] == '_')) {
    word += static_cast<char>(text[j] >= 'A' && text[j] <= 'Z' ? text[j] - 'A' + 'a' : text[j]);
    ++j;
  }
  *end = j;
  return word;
}

// The statement of a DO block in the form diff and inspect write for privileges on the
// database the script runs in (report::PrivilegeSql): `BEGIN EXECUTE format('GRANT ... ON
// DATABASE %I ...', current_database()); END`, with the database named `current_database`
// (any name stands for the database the schema is loaded into); nullopt for any other body.
std::optional<std::string> CurrentDatabaseStatement(std::string_view body) {
  size_t i = 0;
  auto space = [&] {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  };
  auto token = [&](std::string_view want) {
    space();
    if (body.size() - i < want.size()) return false;
    for (size_t k = 0; k < want.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(body[i + k])) != want[k]) return false;
    }
    i += want.size();
    return true;
  };
  if (!token("begin") || !token("execute") || !token("format") || !token("(") || !token("'"))
    return std::nullopt;
  std::string format;
  for (;; ++i) {
    if (i >= body.size()) return std::nullopt;
    if (body[i] == '\'') {
      if (i + 1 < body.size() && body[i + 1] == '\'') {
        format += '\'';
        ++i;
        continue;
      }
      ++i;
      break;
    }
    format += body[i];
  }
  if (!token(",") || !token("current_database") || !token("(") || !token(")") || !token(")") ||
      !token(";") || !token("end")) {
    return std::nullopt;
  }
  token(";");
  space();
  if (i != body.size()) return std::nullopt;
  std::string out;
  for (size_t k = 0; k < format.size(); ++k) {
    if (format[k] != '%') {
      out += format[k];
    } else if (k + 1 < format.size() && format[k + 1] == '%') {
      out += '%';
      ++k;
    } else if (k + 1 < format.size() && format[k + 1] == 'I') {
      out += "current_database";
      ++k;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

// DO blocks run code the model cannot follow in general, but installers often use one to
// run plain DDL with an exception handler (CREATE ... EXCEPTION WHEN insufficient_privilege
// THEN ...). When the body is BEGIN, SQL statements, an optional EXCEPTION part, END, the
// statements before EXCEPTION are applied: the path a server takes when they succeed.
Status CatalogBuilder::Impl::ApplyDoBlock(const Node* n) {
  const PgQuery__DoStmt* d = n->do_stmt;
  std::string body;
  std::string language = "plpgsql";
  for (const Node* a : Nodes(d->n_args, d->args)) {
    const PgQuery__DefElem* e = a->def_elem;
    if (std::string_view(e->defname) == "as") body = std::string(StrVal(e->arg));
    if (std::string_view(e->defname) == "language") language = ToLower(std::string(StrVal(e->arg)));
  }
  if (language != "plpgsql" || body.empty() || file_ == nullptr || stmt_ == nullptr) {
    return KeepOther(n, "");
  }
  if (std::optional<std::string> grant = CurrentDatabaseStatement(body)) {
    // GRANT / REVOKE on the database the script runs in, or ALTER DATABASE ... OWNER TO.
    SourceFile inner(file_->name(), *grant);
    auto tree = sql::ParseTree::Parse(inner);
    if (!tree.ok() || tree->statements().size() != 1) return KeepOther(n, "");
    const Node* inner_node = tree->statements()[0].node;
    bool on_database =
        (inner_node->node_case == PG_QUERY__NODE__NODE_GRANT_STMT &&
         inner_node->grant_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE) ||
        (inner_node->node_case == PG_QUERY__NODE__NODE_ALTER_OWNER_STMT &&
         inner_node->alter_owner_stmt->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE);
    if (!on_database) return KeepOther(n, "");
    const SourceFile* outer_file = file_;
    const sql::Statement* outer_stmt = stmt_;
    file_ = &inner;
    stmt_ = &tree->statements()[0];
    Status applied = ApplyNode(stmt_->node);
    file_ = outer_file;
    stmt_ = outer_stmt;
    return applied;
  }
  const std::string& text = file_->text();
  size_t at = text.find(body, stmt_->begin);
  if (at == std::string::npos || at > stmt_->end) return KeepOther(n, "");
  size_t after_begin = 0;
  if (FirstWord(body, 0, &after_begin) != "begin") return KeepOther(n, "");
  // Statement ranges of the body after BEGIN, offsets in the whole file.
  std::string region(text.size(), ' ');
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') region[i] = '\n';
  }
  region.replace(at + after_begin, body.size() - after_begin, body.substr(after_begin));
  SourceFile scan(file_->name(), region);
  auto ranges = sql::SplitStatements(scan);
  if (!ranges.ok()) return KeepOther(n, "");
  std::string kept(text.size(), ' ');
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') kept[i] = '\n';
  }
  bool ended = false;
  size_t statements = 0;
  for (const sql::StatementRange& r : *ranges) {
    size_t word_end = 0;
    std::string word = FirstWord(region, r.begin, &word_end);
    if (word == "exception" || word == "end") {
      ended = true;
      break;
    }
    kept.replace(r.begin, r.end - r.begin, region.substr(r.begin, r.end - r.begin));
    size_t semi = region.find(';', r.end);
    if (semi != std::string::npos) kept[semi] = ';';
    ++statements;
  }
  if (!ended || statements == 0) return KeepOther(n, "");
  SourceFile inner(file_->name(), kept);
  auto tree = sql::ParseTree::Parse(inner);
  if (!tree.ok()) return KeepOther(n, "");  // plpgsql control flow: not plain SQL
  for (const sql::Statement& st : tree->statements()) {
    switch (st.node->node_case) {
      case PG_QUERY__NODE__NODE_SELECT_STMT:
      case PG_QUERY__NODE__NODE_DO_STMT:
      case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return KeepOther(n, "");
      default:
        break;
    }
  }
  const SourceFile* outer_file = file_;
  const sql::Statement* outer_stmt = stmt_;
  for (const sql::Statement& st : tree->statements()) {
    file_ = &inner;
    stmt_ = &st;
    Status applied = ApplyNode(st.node);
    file_ = outer_file;
    stmt_ = outer_stmt;
    DBARCH_RETURN_IF_ERROR(applied);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::KeepOther(const Node* node, const std::string& name) {
  std::string kind = "statement";
  for (unsigned i = 0; i < pg_query__node__descriptor.n_fields; ++i) {
    if (pg_query__node__descriptor.fields[i].id == static_cast<unsigned>(node->node_case)) {
      // "rule_stmt" -> "RuleStmt", the parse node's name.
      kind.clear();
      bool upper = true;
      for (const char* p = pg_query__node__descriptor.fields[i].name; *p != '\0'; ++p) {
        if (*p == '_') {
          upper = true;
        } else {
          kind += upper && *p >= 'a' && *p <= 'z' ? static_cast<char>(*p - 'a' + 'A') : *p;
          upper = false;
        }
      }
      break;
    }
  }
  if (!options_.keep_unsupported) {
    return Error(Status::NotSupported("statement " + kind + " is not modelled by dbarch"), -1);
  }
  OtherObject other{kind, name, StatementText(), {}, MakeOrigin()};
  if (search_path_ != std::vector<std::string>{"public"}) other.search_path = search_path_;
  cat_.others.push_back(std::move(other));
  return Status::OK();
}

Status CatalogBuilder::Impl::Apply(const SourceFile& file, const sql::Statement& stmt) {
  file_ = &file;
  stmt_ = &stmt;
  // Only RENAME statements keep the references index up to date.
  if (stmt.node->node_case != PG_QUERY__NODE__NODE_RENAME_STMT) refs_.reset();
  Status st = ApplyNode(stmt.node);
  if (!st.ok()) refs_.reset();
  stmt_ = nullptr;
  return st;
}

CatalogBuilder::Impl::References& CatalogBuilder::Impl::Refs() {
  if (refs_) return *refs_;
  References& r = refs_.emplace();
  for (const auto& [q, t] : cat_.tables) {
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey) r.fk_from[c.ref_table].push_back(q);
    }
    if (t.partition_of) r.children[*t.partition_of].push_back(q);
    for (const QualifiedName& p : t.inherits) r.children[p].push_back(q);
  }
  for (const auto& [q, i] : cat_.indexes) r.indexes[i.table].push_back(q);
  for (const auto& [q, seq] : cat_.sequences) {
    if (seq.owned_by_table) r.sequences[*seq.owned_by_table].push_back(q);
  }
  for (const auto& [q, v] : cat_.views) {
    for (const QualifiedName& rel : v.relations) r.views[rel].push_back(q);
  }
  return r;
}

Status CatalogBuilder::Impl::ApplyNode(const Node* n) {
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: return CreateSchema(n->create_schema_stmt);
    case PG_QUERY__NODE__NODE_CREATE_STMT: return CreateTable(n->create_stmt);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: return AlterTable(n->alter_table_stmt);
    case PG_QUERY__NODE__NODE_INDEX_STMT: return CreateIndex(n->index_stmt);
    case PG_QUERY__NODE__NODE_DROP_STMT: return Drop(n->drop_stmt);
    case PG_QUERY__NODE__NODE_RENAME_STMT: return Rename(n->rename_stmt);
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT: return SetSchema(n->alter_object_schema_stmt);
    case PG_QUERY__NODE__NODE_VIEW_STMT: return CreateView(n->view_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
      if (n->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) {
        return CreateMatView(n->create_table_as_stmt);
      }
      return KeepOther(n, n->create_table_as_stmt->into->rel->relname);
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT: return CreateSequence(n->create_seq_stmt);
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT: return AlterSequence(n->alter_seq_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT: return CreateEnum(n->create_enum_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT: return AlterEnum(n->alter_enum_stmt);
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT: return CreateComposite(n->composite_type_stmt);
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT: return CreateDomain(n->create_domain_stmt);
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT: return AlterDomain(n->alter_domain_stmt);
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT: return CreateRange(n->create_range_stmt);
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT: return CreateFunction(n->create_function_stmt);
    case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT: return AlterFunction(n->alter_function_stmt);
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT: return CreateTrigger(n->create_trig_stmt);
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT: return CreatePolicy(n->create_policy_stmt);
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT: return AlterPolicy(n->alter_policy_stmt);
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT: return CreateExtension(n->create_extension_stmt);
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT: return CreateRole(n->create_role_stmt);
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT: return AlterRole(n->alter_role_stmt);
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT: return DropRole(n->drop_role_stmt);
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT: return GrantRole(n->grant_role_stmt);
    case PG_QUERY__NODE__NODE_GRANT_STMT: return GrantPrivileges(n->grant_stmt);
    case PG_QUERY__NODE__NODE_COMMENT_STMT: return Comment(n->comment_stmt);
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT: return AlterOwner(n->alter_owner_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: return SetSearchPath(n->variable_set_stmt);
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
      return AlterDefaultPrivileges(n->alter_default_privileges_stmt);
    // Session and transaction control: no schema objects.
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
    case PG_QUERY__NODE__NODE_LOCK_STMT:
    case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
      return Status::OK();
    case PG_QUERY__NODE__NODE_SELECT_STMT: {
      // pg_dump's SELECT pg_catalog.set_config('search_path', '', false).
      const PgQuery__SelectStmt* s = n->select_stmt;
      if (s->n_target_list == 1 && s->n_from_clause == 0) {
        const Node* v = s->target_list[0]->res_target->val;
        if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
            FigureColname(v) == "set_config" && v->func_call->n_args >= 2 &&
            StrVal(v->func_call->args[0]) == "search_path") {
          search_path_.clear();
          std::string path(StrVal(v->func_call->args[1]));
          std::stringstream ss(path);
          std::string item;
          while (std::getline(ss, item, ',')) {
            std::string t(Trim(item));
            if (!t.empty()) search_path_.push_back(t);
          }
          return Status::OK();
        }
      }
      // pg_dump's SELECT pg_catalog.setval('seq', n, true): the sequence's current value is
      // data, not schema.
      if (s->n_target_list == 1 && s->n_from_clause == 0) {
        const Node* v = s->target_list[0]->res_target->val;
        if (v != nullptr && v->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
            FigureColname(v) == "setval") {
          return Status::OK();
        }
      }
      // SELECT ... INTO creates a table: kept even when queries are not.
      return options_.keep_queries || s->into_clause != nullptr ? KeepOther(n, "") : Status::OK();
    }
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
      return UpdateCatalog(n);
    case PG_QUERY__NODE__NODE_INSERT_STMT:
    case PG_QUERY__NODE__NODE_DELETE_STMT:
    case PG_QUERY__NODE__NODE_MERGE_STMT:
    case PG_QUERY__NODE__NODE_COPY_STMT:
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
      return options_.keep_queries ? KeepOther(n, "") : Status::OK();
    case PG_QUERY__NODE__NODE_DO_STMT: return ApplyDoBlock(n);
    case PG_QUERY__NODE__NODE_DEFINE_STMT: {
      const PgQuery__DefineStmt* d = n->define_stmt;
      if (d->kind == PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION) return CreateCollation(d);
      if (d->kind == PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE) return CreateAggregate(d);
      return KeepOther(n, "");
    }
    default:
      return KeepOther(n, "");
  }
}

Status CatalogBuilder::Impl::SetSearchPath(const PgQuery__VariableSetStmt* s) {
  if (s->name != nullptr && std::string_view(s->name) == "role") {
    std::string role = s->n_args > 0 ? std::string(StrVal(s->args[0])) : "";
    current_role_ = s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && role != "none" &&
                            role != options_.session_role
                        ? role
                        : "";
    return Status::OK();
  }
  if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL) {
    current_role_.clear();
    search_path_ = options_.search_path;
    return Status::OK();
  }
  if (s->name == nullptr || std::string_view(s->name) != "search_path") return Status::OK();
  if (s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT ||
      s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET) {
    search_path_ = options_.search_path;
    return Status::OK();
  }
  search_path_.clear();
  for (const Node* a : Nodes(s->n_args, s->args)) {
    std::string v(StrVal(a));
    if (!v.empty() && v != "$user" && v != "pg_catalog") search_path_.push_back(v);
  }
  return Status::OK();
}

Status CatalogBuilder::Impl::CreateSchema(const PgQuery__CreateSchemaStmt* s) {
  std::string name = s->schemaname != nullptr && *s->schemaname != '\0'
                         ? s->schemaname
                         : RoleName(s->authrole);
  if (cat_.schemas.count(name)) {
    if (s->if_not_exists) return Status::OK();
    return Error(Status::InvalidArgument("schema \"" + name + "\" already exists"), -1);
  }
  std::string owner = s->authrole != nullptr ? RoleName(s->authrole) : current_role_;
  cat_.schemas[name] = Schema{name, owner, ""};
  ApplyDefaultPrivileges("SCHEMAS", ObjectKind::kSchema, "", QuoteIdent(name), owner);
  if (s->n_schema_elts > 0) {
    std::vector<std::string> saved = search_path_;
    search_path_ = {name};
    for (const Node* e : Nodes(s->n_schema_elts, s->schema_elts)) {
      Status st = ApplyNode(e);
      if (!st.ok()) {
        search_path_ = saved;
        return st;
      }
    }
    search_path_ = saved;
  }
  return Status::OK();
}


Catalog CatalogBuilder::Impl::Finish() {
  for (auto& [q, t] : cat_.tables) {
    t.clones.clear();
    if (auto cl = clones_.find(q); cl != clones_.end() && t.partition_of) {
      for (const Clone& c : cl->second) {
        t.clones.push_back(IndexClone{c.name, c.parent_name, c.constraint, c.comment});
      }
      std::sort(t.clones.begin(), t.clones.end(), [](const IndexClone& a, const IndexClone& b) {
        return std::tie(a.parent_name, a.name) < std::tie(b.parent_name, b.name);
      });
    }
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const Constraint& a, const Constraint& b) { return a.name < b.name; });
    std::sort(t.triggers.begin(), t.triggers.end(),
              [](const Trigger& a, const Trigger& b) { return a.name < b.name; });
    std::sort(t.policies.begin(), t.policies.end(),
              [](const Policy& a, const Policy& b) { return a.name < b.name; });
  }
  for (auto& [q, t] : cat_.types) {
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const DomainConstraint& a, const DomainConstraint& b) { return a.name < b.name; });
  }
  std::sort(cat_.grants.begin(), cat_.grants.end());
  cat_.grants.erase(std::unique(cat_.grants.begin(), cat_.grants.end()), cat_.grants.end());
  // Revoked built-in privileges of objects a later statement dropped (a schema dropped with
  // CASCADE takes its functions and types along) go with them.
  std::erase_if(cat_.revoked_defaults, [&](const Grant& g) {
    switch (g.object_kind) {
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
        return cat_.functions.count(g.object) == 0;
      case ObjectKind::kSchema:
        return std::none_of(cat_.schemas.begin(), cat_.schemas.end(),
                            [&](const auto& kv) { return QuoteIdent(kv.first) == g.object; });
      case ObjectKind::kLanguage:
      case ObjectKind::kDatabase:
        return false;
      case ObjectKind::kTable:
        return std::none_of(cat_.tables.begin(), cat_.tables.end(),
                            [&](const auto& kv) { return kv.first.Quoted() == g.object; }) &&
               std::none_of(cat_.views.begin(), cat_.views.end(),
                            [&](const auto& kv) { return kv.first.Quoted() == g.object; });
      case ObjectKind::kSequence:
        return std::none_of(cat_.sequences.begin(), cat_.sequences.end(),
                            [&](const auto& kv) { return kv.first.Quoted() == g.object; }) &&
               std::none_of(identity_seqs_.begin(), identity_seqs_.end(),
                            [&](const auto& kv) { return kv.first.Quoted() == g.object; });
      default:
        return std::none_of(cat_.types.begin(), cat_.types.end(),
                            [&](const auto& kv) { return kv.first.Quoted() == g.object; });
    }
  });
  Catalog out = std::move(cat_);
  refs_.reset();
  cat_ = Catalog{};
  cat_.schemas["public"] = Schema{"public", "", ""};
  relnames_.clear();
  connames_.clear();
  clones_.clear();
  return out;
}

// ---------------------------------------------------------------------------------------

CatalogBuilder::CatalogBuilder(BuildOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
CatalogBuilder::~CatalogBuilder() = default;

Status CatalogBuilder::ApplyFile(const SourceFile& file) {
  auto tree = sql::ParseTree::Parse(file);
  if (!tree.ok()) return tree.status();
  for (const sql::Statement& stmt : tree->statements()) {
    DBARCH_RETURN_IF_ERROR(impl_->Apply(file, stmt));
  }
  return Status::OK();
}

Status CatalogBuilder::ApplyStatement(const SourceFile& file, const sql::Statement& stmt) {
  return impl_->Apply(file, stmt);
}

const Catalog& CatalogBuilder::catalog() const { return impl_->cat_; }

void CatalogBuilder::Reset(Catalog catalog) { impl_->Reset(std::move(catalog)); }

void CatalogBuilder::Impl::Reset(Catalog catalog) {
  cat_ = std::move(catalog);
  refs_.reset();
  relnames_.clear();
  connames_.clear();
  clones_.clear();
  for (const auto& [q, t] : cat_.tables) {
    ReserveRelation(q.schema, q.name);
    for (const Constraint& c : t.constraints) {
      ReserveConstraint(q.schema, c.name);
      if (c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
          c.kind == ConstraintKind::kExclude) {
        ReserveRelation(q.schema, c.name);
      }
    }
    for (const Column& c : t.columns) {
      if (c.identity != IdentityKind::kNone) {
        ReserveRelation(q.schema, c.identity_sequence.empty()
                                      ? MakeObjectName(q.name, c.name, "seq")
                                      : c.identity_sequence);
      }
    }
  }
  identity_seqs_.clear();
  for (const auto& [q, t] : cat_.tables) {
    for (const Column& c : t.columns) {
      if (c.identity != IdentityKind::kNone) {
        std::string seq = c.identity_sequence.empty() ? MakeObjectName(q.name, c.name, "seq")
                                                      : c.identity_sequence;
        identity_seqs_[QualifiedName{q.schema, seq}] = {q, c.name};
      }
    }
  }
  // The partitions' index clones are kept by the builder while it applies statements.
  for (auto& [q, t] : cat_.tables) {
    for (const IndexClone& c : t.clones) {
      if (!t.partition_of) break;
      clones_[q].push_back(Clone{c.name, *t.partition_of, c.parent_name, c.constraint, c.comment});
      ReserveRelation(q.schema, c.name);
      if (c.constraint) ReserveConstraint(q.schema, c.name);
    }
    t.clones.clear();
  }
  for (const auto& [q, v] : cat_.views) ReserveRelation(q.schema, q.name);
  for (const auto& [q, s] : cat_.sequences) ReserveRelation(q.schema, q.name);
  for (const auto& [q, i] : cat_.indexes) ReserveRelation(q.schema, q.name);
  for (const auto& [q, t] : cat_.types) {
    if (t.kind == TypeKind::kComposite) ReserveRelation(q.schema, q.name);
    for (const DomainConstraint& c : t.constraints) ReserveConstraint(q.schema, c.name);
  }
}

Catalog CatalogBuilder::Finish() { return impl_->Finish(); }

Result<SourceFile> ReadSourceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("error reading \"" + path + "\"");
  return SourceFile(path, ss.str());
}

Result<std::vector<std::string>> ExpandSqlPaths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".sql") {
          found.push_back(it->path().string());
        }
      }
      if (ec) return Status::IOError("cannot list \"" + p + "\": " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty()) return Status::InvalidArgument("no .sql files in directory \"" + p + "\"");
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      return Status::IOError("cannot read \"" + p + "\": no such file or directory");
    }
  }
  return files;
}

Result<sql::PsqlScript> ReadSqlScript(const std::string& path) {
  DBARCH_ASSIGN_OR_RETURN(SourceFile file, ReadSourceFile(path));
  sql::PsqlOptions options;
  options.read_file = [](const std::string& p) { return ReadSourceFile(p); };
  return sql::ExpandPsqlScript(file, options);
}

Status ApplyPaths(CatalogBuilder& builder, const std::vector<std::string>& paths,
                  const std::function<void(const sql::ScriptNote&)>& on_note) {
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandSqlPaths(paths));
  for (const std::string& f : files) {
    DBARCH_ASSIGN_OR_RETURN(sql::PsqlScript script, ReadSqlScript(f));
    if (on_note) {
      for (const sql::ScriptNote& note : script.notes) on_note(note);
    }
    for (const sql::ScriptPart& part : script.parts) {
      DBARCH_RETURN_IF_ERROR(builder.ApplyFile(part.file));
    }
  }
  return Status::OK();
}

Result<Catalog> BuildCatalogFromPaths(const std::vector<std::string>& paths,
                                      const BuildOptions& options) {
  CatalogBuilder builder(options);
  DBARCH_RETURN_IF_ERROR(ApplyPaths(builder, paths, options.on_note));
  return builder.Finish();
}

}  // namespace dbarch::catalog
