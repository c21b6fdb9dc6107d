#include "report/catalog_sql.h"

#include "sql/expr_normalizer.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "base/strings.h"
#include "catalog/index_clones.h"
#include "catalog/naming.h"
#include "report/ddl_fragments.h"

namespace dbarch::report {

namespace {

using catalog::Catalog;
using catalog::Column;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::Function;
using catalog::OtherObject;
using catalog::QualifiedName;
using catalog::Sequence;
using catalog::Table;
using catalog::Type;
using catalog::TypeKind;
using catalog::View;

// ---------------------------------------------------------------------------------------
// Names used by SQL text

struct Ident {
  std::string name;        // unquoted, case-folded like the server folds unquoted identifiers
  bool call = false;       // followed by '(' : a function call or type modifier
  bool qualified = false;  // preceded by '.': the second part of a qualified name
};

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }

// The identifiers of `sql` outside string literals, dollar quotes and comments. Good enough
// to find which functions and relations a canonical expression or a body may use; it is
// only used to order statements, so a spurious name costs nothing but a reordering.
std::vector<Ident> ScanIdents(std::string_view sql) {
  std::vector<Ident> out;
  size_t i = 0, n = sql.size();
  auto mark_call = [&](size_t pos) {
    while (pos < n && (sql[pos] == ' ' || sql[pos] == '\n' || sql[pos] == '\t')) ++pos;
    if (pos < n && sql[pos] == '(' && !out.empty()) out.back().call = true;
  };
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(sql[i]);
    if (c == '\'') {
      for (++i; i < n; ++i) {
        if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else if (c == '$' && (i == 0 || !IsIdentChar(static_cast<unsigned char>(sql[i - 1])))) {
      // $tag$ ... $tag$ (a bare $1 parameter is not a quote)
      size_t j = i + 1;
      while (j < n && IsIdentChar(static_cast<unsigned char>(sql[j])) && sql[j] != '$') ++j;
      if (j < n && sql[j] == '$' && (j == i + 1 || !(sql[i + 1] >= '0' && sql[i + 1] <= '9'))) {
        std::string_view tag = sql.substr(i, j - i + 1);
        size_t end = sql.find(tag, j + 1);
        i = end == std::string_view::npos ? n : end + tag.size();
      } else {
        i = j;
      }
    } else if (c == '"') {
      size_t start_quote = i;
      std::string name;
      for (++i; i < n; ++i) {
        if (sql[i] == '"') {
          if (i + 1 < n && sql[i + 1] == '"') {
            name += '"';
            ++i;
          } else {
            break;
          }
        } else {
          name += sql[i];
        }
      }
      bool qualified = start_quote > 0 && sql[start_quote - 1] == '.';
      ++i;
      out.push_back({std::move(name), false, qualified});
      mark_call(i);
    } else if (IsIdentStart(c)) {
      size_t start = i;
      while (i < n && IsIdentChar(static_cast<unsigned char>(sql[i]))) ++i;
      out.push_back(
          {ToLower(sql.substr(start, i - start)), false, start > 0 && sql[start - 1] == '.'});
      mark_call(i);
    } else {
      ++i;
    }
  }
  return out;
}

// A type spelling without array brackets and type modifiers: "app.money(12,2)[]" ->
// "app.money".
std::string_view BaseTypeName(std::string_view type) {
  while (EndsWith(type, "[]")) type.remove_suffix(2);
  if (EndsWith(type, ")")) {
    size_t open = type.rfind('(');
    if (open != std::string_view::npos) type = type.substr(0, open);
  }
  return Trim(type);
}

// How the model spells a user type or relation row type (format_type with
// search_path = public): bare in public, qualified elsewhere.
std::string TypeSpelling(const QualifiedName& q) {
  return q.schema == "public" ? QuoteIdent(q.name) : q.Quoted();
}

std::string Terminated(std::string_view sql) {
  std::string out(Trim(sql));
  while (!out.empty() && out.back() == ';') out.pop_back();
  // A trailing "-- comment" on the last line would swallow the ';'.
  size_t last_line = out.rfind('\n');
  std::string_view tail =
      std::string_view(out).substr(last_line == std::string::npos ? 0 : last_line);
  out += tail.find("--") != std::string_view::npos ? "\n;" : ";";
  return out;
}

// ---------------------------------------------------------------------------------------
// Statements kept as "others": where in the script they go.

enum class OtherPlace { kEarly, kWithObjects, kLate };

OtherPlace PlaceOf(const OtherObject& o) {
  static const std::vector<std::string_view> kEarlyKinds = {
      "DoStmt",           "CreateRoleStmt", "AlterRoleStmt",
      "AlterRoleSetStmt", "GrantRoleStmt",  "CreateConversionStmt"};
  static const std::vector<std::string_view> kObjectKinds = {
      "DefineStmt",         "CreateCastStmt",      "CreateOpClassStmt",
      "CreateOpFamilyStmt", "CreateTransformStmt", "CreatePLangStmt"};
  if (std::find(kEarlyKinds.begin(), kEarlyKinds.end(), o.kind) != kEarlyKinds.end()) {
    return OtherPlace::kEarly;
  }
  if (std::find(kObjectKinds.begin(), kObjectKinds.end(), o.kind) != kObjectKinds.end()) {
    // Collations and text search objects are used by column definitions: before types.
    std::vector<Ident> words = ScanIdents(o.sql);
    if (words.size() >= 2 && words[0].name == "create" &&
        (words[1].name == "collation" || (words[1].name == "text" && words.size() > 2))) {
      return OtherPlace::kEarly;
    }
    return OtherPlace::kWithObjects;
  }
  return OtherPlace::kLate;
}

// ---------------------------------------------------------------------------------------
// The topologically ordered middle of the script.

using Object = std::variant<const Type*, const Function*, const OtherObject*, const Sequence*,
                            const Table*, const View*>;

struct Item {
  Object object;
  int rank = 0;  // preferred position: lower first
  std::vector<size_t> deps;
};

class Planner {
 public:
  explicit Planner(const Catalog& cat) : cat_(cat) {}

  std::vector<Object> Plan() {
    for (const auto& [q, t] : cat_.types) Add(&t, TypeCreationRank(t.kind), TypeSpelling(q));
    for (const auto& [k, f] : cat_.functions) {
      functions_by_name_[f.name.name].push_back(items_.size());
      Add(&f, 4, "");
    }
    for (const OtherObject& o : cat_.others) {
      if (PlaceOf(o) == OtherPlace::kWithObjects) Add(&o, 5, "");
    }
    for (const auto& [q, s] : cat_.sequences) Add(&s, 6, "");
    for (const auto& [q, t] : cat_.tables) {
      relation_items_[q] = items_.size();
      relations_by_name_[q.name].push_back(items_.size());
      Add(&t, t.partition_of ? 8 : 7, TypeSpelling(q));
    }
    for (const auto& [q, v] : cat_.views) {
      relation_items_[q] = items_.size();
      relations_by_name_[q.name].push_back(items_.size());
      Add(&v, v.materialized ? 10 : 9, TypeSpelling(q));
    }
    for (size_t i = 0; i < items_.size(); ++i) {
      std::visit([&](auto* p) { Deps(i, *p); }, items_[i].object);
    }
    return Order();
  }

 private:
  void Add(Object o, int rank, const std::string& spelling) {
    if (!spelling.empty()) type_items_.emplace(spelling, items_.size());
    items_.push_back(Item{o, rank, {}});
  }

  void On(size_t item, size_t dep) {
    if (dep != item) items_[item].deps.push_back(dep);
  }
  void OnType(size_t item, std::string_view type) {
    auto it = type_items_.find(std::string(BaseTypeName(type)));
    if (it != type_items_.end()) On(item, it->second);
  }
  void OnRelation(size_t item, const QualifiedName& q) {
    auto it = relation_items_.find(q);
    if (it != relation_items_.end()) On(item, it->second);
  }
  // Functions called in `sql`; with `any_name`, every identifier that names a function
  // (CREATE AGGREGATE ... SFUNC = f) and, with `relations`, every one naming a relation.
  void OnText(size_t item, std::string_view sql, bool any_name = false, bool relations = false) {
    if (sql.empty() || (functions_by_name_.empty() && !relations)) return;
    for (const Ident& id : ScanIdents(sql)) {
      if (id.call || any_name) {
        auto it = functions_by_name_.find(id.name);
        if (it != functions_by_name_.end()) {
          for (size_t f : it->second) On(item, f);
        }
      }
      if (relations) {
        auto it = relations_by_name_.find(id.name);
        if (it != relations_by_name_.end()) {
          for (size_t r : it->second) On(item, r);
        }
      }
    }
  }

  void Deps(size_t i, const Type& t) {
    OnType(i, t.base_type);
    for (const catalog::TypeAttribute& a : t.attributes) OnType(i, a.type);
    OnText(i, t.default_expr);
    for (const catalog::DomainConstraint& c : t.constraints) OnText(i, c.expression);
  }
  void Deps(size_t i, const Function& f) {
    for (const catalog::FunctionArg& a : f.args) {
      OnType(i, a.type);
      OnText(i, a.default_expr);
    }
    OnType(i, f.returns);
    if (f.aggregate) {
      OnType(i, f.aggregate->stype);
      OnType(i, f.aggregate->mstype);
      for (const QualifiedName& q : f.aggregate->SupportFunctions()) {
        auto it = functions_by_name_.find(q.name);
        if (it == functions_by_name_.end()) continue;
        for (size_t dep : it->second) {
          const auto* g = std::get_if<const Function*>(&items_[dep].object);
          if (g != nullptr && (*g)->name == q) On(i, dep);
        }
      }
    }
    // Quoted bodies are not checked (check_function_bodies = off); SQL-standard ones are.
    if (HasSqlStandardBody(f)) OnText(i, f.body, false, true);
  }
  void Deps(size_t i, const OtherObject& o) { OnText(i, o.sql, true); }
  void Deps(size_t, const Sequence&) {}
  void Deps(size_t i, const Table& t) {
    for (const Column& c : t.columns) {
      OnType(i, c.type);
      OnText(i, c.default_expr);
      OnText(i, c.generated_expr);
    }
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey) continue;  // added after all tables
      OnText(i, c.expression);
      OnText(i, c.exclude_predicate);
      for (const catalog::IndexKey& k : c.exclude_keys) OnText(i, k.expression);
    }
    OnText(i, t.partition_key);
    if (t.partition_of) OnRelation(i, *t.partition_of);
    if (t.of_type) OnType(i, TypeSpelling(*t.of_type));
    for (const QualifiedName& p : t.inherits) OnRelation(i, p);
  }
  void Deps(size_t i, const View& v) {
    for (const QualifiedName& r : v.relations) OnRelation(i, r);
    OnText(i, v.definition);
  }

  // Kahn's algorithm, always taking the ready item with the lowest (rank, position); on a
  // cycle (which the server could not have loaded either) the lowest remaining item goes
  // first so that the script is still complete.
  std::vector<Object> Order() {
    size_t n = items_.size();
    std::vector<std::vector<size_t>> users(n);
    std::vector<size_t> pending(n, 0);
    for (size_t i = 0; i < n; ++i) {
      std::vector<size_t>& d = items_[i].deps;
      std::sort(d.begin(), d.end());
      d.erase(std::unique(d.begin(), d.end()), d.end());
      pending[i] = d.size();
      for (size_t dep : d) users[dep].push_back(i);
    }
    using Key = std::pair<int, size_t>;
    std::priority_queue<Key, std::vector<Key>, std::greater<>> ready;
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] == 0) ready.push({items_[i].rank, i});
    }
    std::vector<bool> done(n, false);
    std::vector<Object> out;
    out.reserve(n);
    while (out.size() < n) {
      size_t next = n;
      while (!ready.empty() && next == n) {
        size_t i = ready.top().second;
        ready.pop();
        if (!done[i]) next = i;
      }
      if (next == n) {  // a cycle: break it
        Key best{INT32_MAX, n};
        for (size_t i = 0; i < n; ++i) {
          if (!done[i]) best = std::min(best, Key{items_[i].rank, i});
        }
        next = best.second;
      }
      done[next] = true;
      out.push_back(items_[next].object);
      for (size_t u : users[next]) {
        if (pending[u] > 0 && --pending[u] == 0 && !done[u]) ready.push({items_[u].rank, u});
      }
    }
    return out;
  }

  const Catalog& cat_;
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> type_items_;
  std::map<QualifiedName, size_t> relation_items_;
  std::unordered_map<std::string, std::vector<size_t>> functions_by_name_;
  std::unordered_map<std::string, std::vector<size_t>> relations_by_name_;
};

// ---------------------------------------------------------------------------------------
// Writers

class Writer {
 public:
  explicit Writer(const Catalog& cat) : cat_(cat) {}

  std::string Run() {
    out_ += "-- Schema DDL written by dbarch from its catalog model.\n";
    out_ += "SET check_function_bodies = false;\n";
    out_ += "SET search_path = public;\n";
    Schemas();
    Roles();
    Extensions();
    for (const auto& [q, c] : cat_.collations) {
      Section("Collations");
      Line(CollationSql(c));
    }
    Others(OtherPlace::kEarly, "Statements dbarch does not model (needed early)");
    Objects();
    Indexes();
    LateConstraints();
    SequenceOwnership();
    Triggers();
    Security();
    Owners();
    Grants();
    DefaultPrivileges();
    Comments();
    Others(OtherPlace::kLate, "Statements dbarch does not model");
    return std::move(out_);
  }

  // Statements creating one object, without ';' and without section comments, as the
  // whole script writes them (diff/ creates objects with these).
  template <typename T>
  std::vector<std::string> StatementsOf(const T& object) {
    std::vector<std::string> out;
    statements_ = &out;
    Write(object);
    SearchPath("public");
    statements_ = nullptr;
    return out;
  }

 private:
  void Section(const char* title) {
    if (statements_ != nullptr || last_section_ == title) return;
    last_section_ = title;
    out_ += "\n-- ";
    out_ += title;
    out_ += "\n";
  }
  void Line(const std::string& stmt) {
    if (statements_ != nullptr) {
      statements_->push_back(stmt);
      return;
    }
    out_ += stmt;
    out_ += ";\n";
  }

  void Schemas() {
    for (const auto& [name, s] : cat_.schemas) {
      if (name == "public") continue;  // every database has it
      Section("Schemas");
      Line("CREATE SCHEMA " + QuoteIdent(name));
    }
  }

  void Roles() {
    for (const auto& [name, r] : cat_.roles) {
      Section("Roles");
      std::string opts;
      if (r.superuser) opts += " SUPERUSER";
      if (r.create_db) opts += " CREATEDB";
      if (r.create_role) opts += " CREATEROLE";
      if (!r.inherit) opts += " NOINHERIT";
      if (r.login) opts += " LOGIN";
      if (r.replication) opts += " REPLICATION";
      if (r.bypass_rls) opts += " BYPASSRLS";
      if (r.connection_limit != -1)
        opts += " CONNECTION LIMIT " + std::to_string(r.connection_limit);
      Line("CREATE ROLE " + QuoteIdent(name) + (opts.empty() ? "" : " WITH" + opts));
    }
    for (const auto& [name, r] : cat_.roles) {
      for (const std::string& parent : r.member_of) {
        Line("GRANT " + QuoteIdent(parent) + " TO " + QuoteIdent(name));
      }
    }
  }

  void Extensions() {
    for (const auto& [name, e] : cat_.extensions) {
      Section("Extensions");
      std::string stmt = "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(name);
      if (!e.schema.empty()) stmt += " WITH SCHEMA " + QuoteIdent(e.schema);
      Line(stmt);
    }
  }

  void Others(OtherPlace place, const char* title) {
    for (const OtherObject& o : cat_.others) {
      if (PlaceOf(o) != place) continue;
      Section(title);
      OtherSearchPath(o);
      out_ += Terminated(o.sql) + "\n";
    }
  }

  void Objects() {
    for (const Object& o : Planner(cat_).Plan()) {
      if (!std::holds_alternative<const View*>(o)) SearchPath("public");
      std::visit([&](auto* p) { Write(*p); }, o);
    }
    SearchPath("public");
  }

  void Write(const Type& t) {
    Section("Types");
    std::string name = t.name.Quoted();
    switch (t.kind) {
      case TypeKind::kEnum: {
        std::string labels;
        for (const std::string& l : t.labels) {
          if (!labels.empty()) labels += ", ";
          labels += QuoteLiteral(l);
        }
        Line("CREATE TYPE " + name + " AS ENUM (" + labels + ")");
        break;
      }
      case TypeKind::kComposite: {
        std::string attrs;
        for (const catalog::TypeAttribute& a : t.attributes) {
          attrs += attrs.empty() ? "\n    " : ",\n    ";
          attrs += QuoteIdent(a.name) + " " + SqlType(a.type);
          if (!a.collation.empty()) attrs += " COLLATE " + SqlDottedName(a.collation);
        }
        Line("CREATE TYPE " + name + " AS (" + attrs + (attrs.empty() ? ")" : "\n)"));
        Created(t.name);
        break;
      }
      case TypeKind::kRange: {
        std::string stmt = "CREATE TYPE " + name + " AS RANGE (SUBTYPE = " + SqlType(t.base_type);
        if (!t.subtype_opclass.empty())
          stmt += ", SUBTYPE_OPCLASS = " + SqlDottedName(t.subtype_opclass);
        Line(stmt + ")");
        break;
      }
      case TypeKind::kDomain: {
        std::string stmt = "CREATE DOMAIN " + name + " AS " + SqlType(t.base_type);
        if (!t.collation.empty()) stmt += " COLLATE " + SqlDottedName(t.collation);
        if (!t.default_expr.empty()) stmt += " DEFAULT " + t.default_expr;
        if (t.not_null) stmt += " NOT NULL";
        for (const catalog::DomainConstraint& c : t.constraints) {
          if (c.not_valid) continue;
          stmt += "\n    CONSTRAINT " + QuoteIdent(c.name) + " CHECK (" + sql::DdlExprText(c.expression) + ")";
        }
        Line(stmt);
        for (const catalog::DomainConstraint& c : t.constraints)
          names_[t.name.schema].constraints.insert(c.name);
        for (const catalog::DomainConstraint& c : t.constraints) {
          if (!c.not_valid) continue;
          Line("ALTER DOMAIN " + name + " ADD CONSTRAINT " + QuoteIdent(c.name) + " CHECK (" +
               sql::DdlExprText(c.expression) + ") NOT VALID");
        }
        break;
      }
    }
  }

  void Write(const Function& f) {
    Section(f.aggregate ? "Aggregates" : f.is_procedure ? "Procedures" : "Functions");
    Line(FunctionSql(f));
  }

  void Write(const OtherObject& o) {
    Section("Statements dbarch does not model (objects)");
    OtherSearchPath(o);
    out_ += Terminated(o.sql) + "\n";
  }

  void Write(const Sequence& s) {
    Section("Sequences");
    std::string stmt = s.unlogged ? "CREATE UNLOGGED SEQUENCE " : "CREATE SEQUENCE ";
    stmt += s.name.Quoted();
    std::string opts = SqlSequenceOptions(s.options, true);
    if (!opts.empty()) stmt += " " + opts;
    Line(stmt);
    Created(s.name);
  }

  // The columns a table gets from elsewhere, in the server's order: a typed table's from
  // its composite type; a child's from its parents. Empty for a plain table.
  std::vector<Column> InheritedColumns(const Table& t) const {
    std::vector<Column> out;
    if (t.of_type) {
      auto type = cat_.types.find(*t.of_type);
      if (type != cat_.types.end()) {
        for (const catalog::TypeAttribute& a : type->second.attributes) {
          out.push_back(Column{.name = a.name, .type = a.type, .collation = a.collation});
        }
      } else {
        // A type the model does not hold (an extension's): its attributes are the columns.
        for (const Column& c : t.columns) out.push_back(Column{.name = c.name, .type = c.type});
      }
      return out;
    }
    std::vector<QualifiedName> parents = t.inherits;
    if (t.partition_of) parents.insert(parents.begin(), *t.partition_of);
    for (const QualifiedName& p : parents) {
      const Table* pt = cat_.FindTable(p);
      if (pt == nullptr) continue;
      for (const Column& c : pt->columns) {
        bool seen = false;
        for (const Column& o : out) seen = seen || o.name == c.name;
        if (!seen) out.push_back(c);
      }
    }
    return out;
  }

  // The direct parents (PARTITION OF first, then INHERITS) of `t` that the model holds.
  std::vector<const Table*> ParentsOf(const Table& t) const {
    std::vector<QualifiedName> names = t.inherits;
    if (t.partition_of) names.insert(names.begin(), *t.partition_of);
    std::vector<const Table*> out;
    for (const QualifiedName& p : names) {
      if (const Table* pt = cat_.FindTable(p)) out.push_back(pt);
    }
    return out;
  }

  bool ParentNotNull(const Table& t, const std::string& column) const {
    for (const Table* p : ParentsOf(t)) {
      const Column* c = p->FindColumn(column);
      if (c != nullptr && c->not_null) return true;
    }
    return false;
  }

  // The CHECKs `t` has from its ancestors (the model keeps them on the ancestor that defines
  // them), by name, except those `t` defines itself.
  std::vector<Constraint> InheritedChecks(const Table& t) const {
    std::map<std::string, Constraint> found;
    std::vector<const Table*> queue = ParentsOf(t);
    for (size_t i = 0; i < queue.size() && i < 256; ++i) {
      for (const Constraint& c : queue[i]->constraints) {
        if (c.kind == ConstraintKind::kCheck && !c.no_inherit && !c.not_valid)
          found.emplace(c.name, c);
      }
      for (const Table* p : ParentsOf(*queue[i])) queue.push_back(p);
    }
    for (const Constraint& c : t.constraints) found.erase(c.name);
    std::vector<Constraint> out;
    for (const auto& [n, c] : found) out.push_back(c);
    return out;
  }

  static bool InPrimaryKey(const Table& t, const std::string& column) {
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kPrimaryKey &&
          std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end()) {
        return true;
      }
    }
    return false;
  }

  void Write(const Table& t) {
    Section(t.partition_of ? "Partitions" : "Tables");
    std::string name = t.name.Quoted();
    std::vector<Column> inherited = InheritedColumns(t);
    // OF type / PARTITION OF / INHERITS give the table those columns first; when the
    // model's column order is not that (a table attached or made a child later), the table
    // is created with all its columns and attached afterwards.
    bool layout_matches = inherited.size() <= t.columns.size();
    for (size_t i = 0; layout_matches && i < inherited.size(); ++i) {
      layout_matches = t.columns[i].name == inherited[i].name;
    }
    // A typed table has exactly its type's columns.
    if (t.of_type && inherited.size() != t.columns.size()) layout_matches = false;
    if (!layout_matches) inherited.clear();
    bool as_partition =
        t.partition_of.has_value() && layout_matches && inherited.size() == t.columns.size();
    bool as_typed = t.of_type.has_value() && layout_matches;

    std::vector<std::string> elements;
    // Created first and attached later: ALTER TABLE ... INHERIT / ATTACH PARTITION want the
    // child NOT NULL where a parent is (dropped again after) and the parents' CHECKs.
    std::vector<std::string> drop_not_null;
    std::vector<Constraint> parent_checks =
        layout_matches ? std::vector<Constraint>{} : InheritedChecks(t);
    // An inheritance child's column of its own that a parent has too (created with the
    // child's CREATE TABLE and merged, or kept by a table that became a child later) is
    // written in the column list, so that it stays the child's own (attislocal) as pg_dump
    // writes it; the statements after CREATE TABLE give it its own properties.
    if (!t.partition_of && !t.of_type) {
      for (size_t i = 0; i < inherited.size(); ++i) {
        const Column& c = t.columns[i];
        if (c.is_local && c.identity == catalog::IdentityKind::kNone && c.generated_expr.empty())
          elements.push_back(QuoteIdent(c.name) + " " + c.type);
      }
    }
    for (size_t i = inherited.size(); i < t.columns.size(); ++i) {
      Column c = t.columns[i];
      if (!layout_matches && !c.not_null && ParentNotNull(t, c.name)) {
        c.not_null = true;
        drop_not_null.push_back(c.name);
      }
      elements.push_back(ColumnSql(c, t.name));
    }
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey || c.not_valid) continue;  // added later
      if (IsKey(c) && statements_ == nullptr && !t.partition_key.empty() &&
          !ClonesComplete(t.name, c.name, true)) {
        late_keys_.emplace_back(&t, &c);  // added ONLY, after the partitions
        continue;
      }
      elements.push_back("CONSTRAINT " + QuoteIdent(c.name) + " " + ConstraintBodySql(c, false));
    }
    for (const Constraint& c : parent_checks) {
      elements.push_back("CONSTRAINT " + QuoteIdent(c.name) + " " + ConstraintBodySql(c, false));
    }
    std::string stmt = t.unlogged ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ";
    stmt += name;
    if (as_typed) stmt += " OF " + t.of_type->Quoted();
    if (as_partition) stmt += " PARTITION OF " + t.partition_of->Quoted();
    if (!elements.empty() || (!as_partition && !as_typed)) {
      stmt += " (";
      for (size_t i = 0; i < elements.size(); ++i)
        stmt += (i > 0 ? ",\n    " : "\n    ") + elements[i];
      stmt += elements.empty() ? ")" : "\n)";
    }
    if (as_partition) stmt += " " + t.partition_bound;
    if (!t.inherits.empty() && layout_matches) {
      std::string parents;
      for (const QualifiedName& p : t.inherits)
        parents += (parents.empty() ? "" : ", ") + p.Quoted();
      stmt += " INHERITS (" + parents + ")";
    }
    if (!t.partition_key.empty()) stmt += " PARTITION BY " + t.partition_key;
    if (!t.options.empty()) stmt += " WITH (" + SqlOptions(t.options) + ")";
    Line(stmt);
    Created(t, parent_checks);
    if (as_partition) ClonesForNewPartition(t);

    if (!layout_matches) {
      if (t.of_type) Line("ALTER TABLE " + name + " OF " + t.of_type->Quoted());
      for (const QualifiedName& p : t.inherits)
        Line("ALTER TABLE " + name + " INHERIT " + p.Quoted());
      // The parents' CHECKs were the child's own for INHERIT; they are its inherited ones
      // only again as pg_dump --binary-upgrade makes them (ATTACH PARTITION does so itself).
      if (!t.partition_of) {
        for (const Constraint& c : parent_checks) {
          Line(
              "UPDATE pg_catalog.pg_constraint SET conislocal = false WHERE contype = 'c' AND "
              "conname = " +
              QuoteLiteral(c.name) + " AND conrelid = " + QuoteLiteral(name) +
              "::pg_catalog.regclass");
        }
      }
      if (t.partition_of) {
        Line("ALTER TABLE " + t.partition_of->Quoted() + " ATTACH PARTITION " + name + " " +
             t.partition_bound);
        ClonesForNewPartition(t);
      }
      for (const std::string& c : drop_not_null) {
        Line("ALTER TABLE ONLY " + name + " ALTER COLUMN " + QuoteIdent(c) + " DROP NOT NULL");
      }
    }
    // Properties the inherited columns have of their own, and column storage (which
    // CREATE TABLE does not take in PostgreSQL 15).
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Column& c = t.columns[i];
      const Column* parent = i < inherited.size() ? &inherited[i] : nullptr;
      std::string alter = "ALTER TABLE " + name + " ALTER COLUMN " + QuoteIdent(c.name);
      if (parent != nullptr) {
        if (c.default_expr != parent->default_expr && c.generated_expr.empty()) {
          Line(alter + (c.default_expr.empty()
                            ? " DROP DEFAULT"
                            : " SET DEFAULT " +
                                  (c.default_text.empty() ? c.default_expr : c.default_text)));
        }
        // A primary key makes its columns NOT NULL by itself.
        if (c.not_null && !parent->not_null && !InPrimaryKey(t, c.name))
          Line(alter + " SET NOT NULL");
        if (!c.not_null && parent->not_null && !t.partition_of) Line(alter + " DROP NOT NULL");
        if (c.compression != parent->compression) {
          Line(alter + " SET COMPRESSION " +
               (c.compression.empty() ? "default" : QuoteIdent(c.compression)));
        }
      }
      std::string parent_storage = parent != nullptr ? parent->storage : "";
      if (c.storage != parent_storage && !c.storage.empty())
        Line(alter + " SET STORAGE " + ToUpperWord(c.storage));
      // A partition or child does not get its parent's target when it is created.
      if (c.statistics_target >= 0) {
        Line("ALTER TABLE ONLY " + name + " ALTER COLUMN " + QuoteIdent(c.name) +
             " SET STATISTICS " + std::to_string(c.statistics_target));
      }
    }
  }

  static std::string ToUpperWord(std::string s) {
    for (char& ch : s) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return s;
  }

  void Write(const View& v) {
    Section(v.materialized ? "Materialized views" : "Views");
    std::string stmt = v.materialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ";
    stmt += v.name.Quoted();
    if (!v.columns.empty()) stmt += " (" + SqlIdentList(v.columns) + ")";
    if (!v.options.empty()) {
      stmt += " WITH (" + SqlOptions({v.options.begin(), v.options.end()}) + ")";
    }
    std::string definition(Trim(v.definition));
    while (!definition.empty() && definition.back() == ';') definition.pop_back();
    stmt += " AS\n" + definition;
    // Not populated: loading a schema should not run its queries.
    if (v.materialized) stmt += "\nWITH NO DATA";
    SearchPath(NeedsOwnSearchPath(v) ? v.name.schema : "public");
    Line(stmt);
    Created(v.name);
  }

  // Sets the session's search_path to `schema` (then public) when it is not that already.
  void SearchPath(const std::string& schema) {
    SetSearchPath(schema == "public" ? "public" : QuoteIdent(schema) + ", public");
  }
  void SetSearchPath(const std::string& value) {
    if (value == search_path_) return;
    search_path_ = value;
    Line("SET search_path = " + value);
  }
  // A statement kept as text runs under the search_path it was written for.
  void OtherSearchPath(const OtherObject& o) {
    if (o.search_path.empty()) {
      SearchPath("public");
      return;
    }
    std::string value;
    for (const std::string& s : o.search_path) value += (value.empty() ? "" : ", ") + QuoteIdent(s);
    SetSearchPath(value);
  }

  bool RelationExists(const QualifiedName& q) const {
    return cat_.tables.count(q) > 0 || cat_.views.count(q) > 0;
  }

  // A view defined in DDL keeps its query as written, so a relation of its own schema may be
  // named without a schema (CREATE SCHEMA s CREATE VIEW ..., or under SET search_path). Such
  // a view is created with its schema first on the search path, unless that would make an
  // unqualified name of a public relation it reads resolve to another relation.
  bool NeedsOwnSearchPath(const View& v) const {
    if (v.name.schema == "public") return false;
    std::vector<std::string> own;  // relations of the view's schema that it reads
    for (const QualifiedName& r : v.relations) {
      if (r.schema == v.name.schema) own.push_back(r.name);
      if (r.schema == "public" && RelationExists({v.name.schema, r.name})) return false;
    }
    if (own.empty()) return false;
    for (const Ident& id : ScanIdents(v.definition)) {
      if (!id.qualified && std::find(own.begin(), own.end(), id.name) != own.end()) return true;
    }
    return false;
  }

  // Partition depth of a relation: 0 for a table that is not a partition.
  int Depth(const QualifiedName& table) const {
    int depth = 0;
    for (const Table* t = cat_.FindTable(table); t != nullptr && t->partition_of && depth < 64;
         t = cat_.FindTable(*t->partition_of)) {
      ++depth;
    }
    return depth;
  }

  void Indexes() {
    // An index created on a partitioned table adopts a matching index of each partition
    // instead of creating one of its own (the model lists adopted ones no more, and names
    // the clones the server creates; see catalog/README.md). So a partition's index that
    // matches one of an ancestor's, and so was not adopted, is created after the ancestor's
    // (which then clones itself onto the partition first), unless it has the very name the
    // clone would take (an ancestor's index made ON ONLY, never attached): then it comes
    // first and is adopted, which loses it from the model but not from the server. Other
    // indexes of partitions come first, as before.
    std::map<QualifiedName, std::vector<const catalog::Index*>> by_table;
    for (const auto& [q, i] : cat_.indexes) by_table[i.table].push_back(&i);
    std::vector<std::pair<int, const catalog::Index*>> order;
    for (const auto& [q, i] : cat_.indexes) {
      int depth = Depth(i.table);
      order.emplace_back(MatchesAncestorIndex(i, by_table) ? depth : -depth, &i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Keys of partitioned tables that some partitions have no clone of (added ONLY).
    for (const auto& [t, k] : late_keys_) {
      Section("Indexes");
      Line("ALTER TABLE ONLY " + t->name.Quoted() + " ADD CONSTRAINT " + QuoteIdent(k->name) + " " +
           ConstraintBodySql(*k, false));
      names_[t->name.schema].relations.insert(k->name);
      names_[t->name.schema].constraints.insert(k->name);
      made_keys_.insert({t->name, k->name});
      AttachClones(t->name, k->name, true, catalog::CloneSource{.key = k});
    }
    for (const auto& [depth, i] : order) {
      Section("Indexes");
      const Table* t = cat_.FindTable(i->table);
      if (t != nullptr && !t->partition_key.empty() &&
          !ClonesComplete(t->name, i->name.name, false)) {
        // Created ONLY, and attached to the partitions that have a clone of it.
        std::string sql = IndexSql(*i);
        std::string on = " ON " + i->table.Quoted();
        sql.replace(sql.find(on), on.size(), " ON ONLY " + i->table.Quoted());
        Line(sql);
        Created(i->name);
        created_indexes_.insert(i->name);
        AttachClones(i->table, i->name.name, false, catalog::CloneSource{.index = i});
        continue;
      }
      Line(IndexSql(*i));
      Created(i->name);
      created_indexes_.insert(i->name);
      std::vector<CloneRename> renames;
      CloneOnto(i->table, i->name.name, false, catalog::CloneSource{.index = i}, nullptr, renames);
      RenameClones(std::move(renames));
    }
  }

  bool MatchesAncestorIndex(
      const catalog::Index& index,
      const std::map<QualifiedName, std::vector<const catalog::Index*>>& by_table) const {
    const Table* t = cat_.FindTable(index.table);
    std::string clone_name = catalog::MakeObjectName(
        index.table.name,
        catalog::NameAddition(catalog::IndexColumnNames(index.keys, index.include)), "idx");
    if (t == nullptr || index.name.name == clone_name) return false;
    int depth = 0;
    for (const Table* a = t->partition_of ? cat_.FindTable(*t->partition_of) : nullptr;
         a != nullptr && depth < 64;
         a = a->partition_of ? cat_.FindTable(*a->partition_of) : nullptr, ++depth) {
      auto it = by_table.find(a->name);
      if (it == by_table.end()) continue;
      for (const catalog::Index* other : it->second) {
        if (catalog::IndexesMatch(index, *other)) return true;
      }
    }
    return false;
  }

  void LateConstraints() {
    for (const auto& [q, t] : cat_.tables) {
      for (const Constraint& c : t.constraints) {
        if (c.kind != ConstraintKind::kForeignKey && !c.not_valid) continue;
        Section("Foreign keys and NOT VALID constraints");
        Line("ALTER TABLE " + q.Quoted() + " ADD CONSTRAINT " + QuoteIdent(c.name) + " " +
             ConstraintBodySql(c, true));
      }
    }
  }

  void SequenceOwnership() {
    for (const auto& [q, s] : cat_.sequences) {
      if (!s.owned_by_table) continue;
      Section("Sequence ownership");
      Line("ALTER SEQUENCE " + q.Quoted() + " OWNED BY " + s.owned_by_table->Quoted() + "." +
           QuoteIdent(s.owned_by_column));
    }
  }

  void Triggers() {
    for (const auto& [q, t] : cat_.tables) {
      for (const catalog::Trigger& tr : t.triggers) {
        Section("Triggers");
        Line(TriggerSql(q, tr));
        if (!tr.enabled)
          Line("ALTER TABLE " + q.Quoted() + " DISABLE TRIGGER " + QuoteIdent(tr.name));
      }
    }
  }

  void Security() {
    for (const auto& [q, t] : cat_.tables) {
      if (t.rls_enabled || t.rls_forced || !t.policies.empty()) Section("Row level security");
      if (t.rls_enabled) Line("ALTER TABLE " + q.Quoted() + " ENABLE ROW LEVEL SECURITY");
      if (t.rls_forced) Line("ALTER TABLE " + q.Quoted() + " FORCE ROW LEVEL SECURITY");
      for (const catalog::Policy& p : t.policies) Line(PolicySql(q, p));
    }
  }

  void Owner(const std::string& what, const std::string& owner) {
    if (owner.empty()) return;
    Section("Owners");
    Line("ALTER " + what + " OWNER TO " + SqlRole(owner));
  }

  void Owners() {
    for (const auto& [name, s] : cat_.schemas) Owner("SCHEMA " + QuoteIdent(name), s.owner);
    for (const auto& [q, c] : cat_.collations) Owner("COLLATION " + q.Quoted(), c.owner);
    for (const auto& [q, t] : cat_.types) {
      Owner((t.kind == TypeKind::kDomain ? "DOMAIN " : "TYPE ") + q.Quoted(), t.owner);
    }
    for (const auto& [k, f] : cat_.functions) {
      Owner(RoutineWhat(f), f.owner);
    }
    for (const auto& [q, t] : cat_.tables) Owner("TABLE " + q.Quoted(), t.owner);
    for (const auto& [q, s] : cat_.sequences) {
      // A sequence owned by a table follows the table's owner (and cannot be given another).
      if (s.owned_by_table) {
        const Table* t = cat_.FindTable(*s.owned_by_table);
        if (t != nullptr && t->owner == s.owner) continue;
      }
      Owner("SEQUENCE " + q.Quoted(), s.owner);
    }
    for (const auto& [q, v] : cat_.views) {
      Owner((v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + q.Quoted(), v.owner);
    }
    // Stated owners only, the role that runs the script included (model.h).
    if (cat_.database_owner) {
      Section("Owners");
      Line(DatabaseOwnerSql(*cat_.database_owner));
    }
    for (const auto& [language, owner] : cat_.language_owners) {
      Section("Owners");
      Line("ALTER LANGUAGE " + QuoteIdent(language) + " OWNER TO " + SqlRole(owner));
    }
  }

  void Grants() {
    // Consecutive rows that differ only in the privilege become one GRANT.
    const std::vector<catalog::Grant>& g = cat_.grants;
    for (size_t i = 0; i < g.size();) {
      size_t j = i;
      std::string privileges;
      while (j < g.size() && g[j].object_kind == g[i].object_kind && g[j].object == g[i].object &&
             g[j].column == g[i].column && g[j].grantee == g[i].grantee &&
             g[j].with_grant_option == g[i].with_grant_option) {
        if (!privileges.empty()) privileges += ", ";
        privileges += g[j].privilege;
        if (!g[j].column.empty()) privileges += " (" + QuoteIdent(g[j].column) + ")";
        ++j;
      }
      Section("Privileges");
      Line(PrivilegeSql(
          cat_, g[i].object_kind, g[i].object, "GRANT " + privileges,
          "TO " + SqlRole(g[i].grantee) + (g[i].with_grant_option ? " WITH GRANT OPTION" : "")));
      i = j;
    }
    // PUBLIC's and the owners' built-in privileges that the schema takes away.
    for (const catalog::Grant& r : cat_.revoked_defaults) {
      Section("Privileges");
      Line(PrivilegeSql(cat_, r.object_kind, r.object, "REVOKE " + r.privilege,
                        "FROM " + SqlRole(r.grantee)));
    }
  }

  // After every object exists, so that (as in the original order) they give nothing to the
  // objects of this script: the grants those received are in the model already.
  void DefaultPrivileges() {
    const std::vector<catalog::DefaultPrivilege>& d = cat_.default_privileges;
    for (size_t i = 0; i < d.size();) {
      size_t j = i;
      std::string privileges;
      while (j < d.size() && d[j].role == d[i].role && d[j].schema == d[i].schema &&
             d[j].object_type == d[i].object_type && d[j].grantee == d[i].grantee &&
             d[j].with_grant_option == d[i].with_grant_option &&
             d[j].revokes_builtin == d[i].revokes_builtin) {
        if (!privileges.empty()) privileges += ", ";
        privileges += d[j].privilege;
        ++j;
      }
      std::string stmt = "ALTER DEFAULT PRIVILEGES";
      if (!d[i].role.empty()) stmt += " FOR ROLE " + SqlRole(d[i].role);
      if (!d[i].schema.empty()) stmt += " IN SCHEMA " + QuoteIdent(d[i].schema);
      if (d[i].revokes_builtin) {
        stmt +=
            " REVOKE " + privileges + " ON " + d[i].object_type + " FROM " + SqlRole(d[i].grantee);
      } else {
        stmt += " GRANT " + privileges + " ON " + d[i].object_type + " TO " + SqlRole(d[i].grantee);
        if (d[i].with_grant_option) stmt += " WITH GRANT OPTION";
      }
      Section("Default privileges");
      Line(stmt);
      i = j;
    }
  }

  void Comment(const std::string& what, const std::string& text) {
    if (text.empty()) return;
    Section("Comments");
    Line("COMMENT ON " + what + " IS " + QuoteLiteral(text));
  }

  void Comments() {
    for (const auto& [name, s] : cat_.schemas) Comment("SCHEMA " + QuoteIdent(name), s.comment);
    for (const auto& [name, r] : cat_.roles) Comment("ROLE " + QuoteIdent(name), r.comment);
    for (const auto& [q, c] : cat_.collations) Comment("COLLATION " + q.Quoted(), c.comment);
    for (const auto& [name, e] : cat_.extensions) {
      if (!e.comment) continue;  // the comment CREATE EXTENSION gives
      Section("Comments");
      Line("COMMENT ON EXTENSION " + QuoteIdent(name) + " IS " +
           (e.comment->empty() ? std::string("NULL") : QuoteLiteral(*e.comment)));
    }
    for (const auto& [q, t] : cat_.types) {
      Comment((t.kind == TypeKind::kDomain ? "DOMAIN " : "TYPE ") + q.Quoted(), t.comment);
      for (const catalog::DomainConstraint& c : t.constraints) {
        Comment("CONSTRAINT " + QuoteIdent(c.name) + " ON DOMAIN " + q.Quoted(), c.comment);
      }
    }
    for (const auto& [k, f] : cat_.functions) {
      Comment(RoutineWhat(f), f.comment);
    }
    for (const auto& [q, s] : cat_.sequences) Comment("SEQUENCE " + q.Quoted(), s.comment);
    for (const auto& [q, t] : cat_.tables) {
      Comment("TABLE " + q.Quoted(), t.comment);
      for (const Column& c : t.columns)
        Comment("COLUMN " + q.Quoted() + "." + QuoteIdent(c.name), c.comment);
      for (const Constraint& c : t.constraints) {
        Comment("CONSTRAINT " + QuoteIdent(c.name) + " ON " + q.Quoted(), c.comment);
      }
      for (const catalog::Trigger& tr : t.triggers) {
        Comment("TRIGGER " + QuoteIdent(tr.name) + " ON " + q.Quoted(), tr.comment);
      }
      for (const catalog::Policy& p : t.policies) {
        Comment("POLICY " + QuoteIdent(p.name) + " ON " + q.Quoted(), p.comment);
      }
      for (const catalog::IndexClone& c : t.clones) {
        Comment(c.constraint ? "CONSTRAINT " + QuoteIdent(c.name) + " ON " + q.Quoted()
                             : "INDEX " + QualifiedName{q.schema, c.name}.Quoted(),
                c.comment);
      }
    }
    for (const auto& [q, v] : cat_.views) {
      Comment((v.materialized ? "MATERIALIZED VIEW " : "VIEW ") + q.Quoted(), v.comment);
      for (const auto& [c, text] : v.column_comments) {
        Comment("COLUMN " + q.Quoted() + "." + QuoteIdent(c), text);
      }
    }
    for (const auto& [q, i] : cat_.indexes) Comment("INDEX " + q.Quoted(), i.comment);
  }

  // ----- index clones of partitions
  //
  // The server creates a partition's clones itself (CREATE TABLE ... PARTITION OF, ATTACH
  // PARTITION, CREATE INDEX on the parent) and names them from the columns, with a number
  // while a name is in use. The script follows the names it has the server give, as the
  // catalog builder does, and renames each clone whose name in the model is another one
  // right after the statement that creates it, so that later names are chosen as before.

  struct Names {
    std::set<std::string> relations;    // pg_class names of a schema
    std::set<std::string> constraints;  // pg_constraint names of a schema
  };
  struct CloneRename {
    std::string schema;
    std::string given;  // the name the server gave the clone
    std::string name;   // the model's
    bool constraint = false;
  };

  void Created(const QualifiedName& relation) {
    names_[relation.schema].relations.insert(relation.name);
  }
  void Created(const Table& t, const std::vector<Constraint>& parent_checks) {
    if (statements_ != nullptr) return;
    Names& n = names_[t.name.schema];
    n.relations.insert(t.name.name);
    for (const Constraint& c : t.constraints) {
      if (c.kind == ConstraintKind::kForeignKey || c.not_valid || IsLateKey(t, c)) continue;
      n.constraints.insert(c.name);
      if (IsKey(c)) n.relations.insert(c.name);
    }
    for (const Constraint& c : parent_checks) n.constraints.insert(c.name);
    for (const Column& c : t.columns) {
      if (c.identity == catalog::IdentityKind::kNone) continue;
      n.relations.insert(c.identity_sequence.empty()
                             ? catalog::MakeObjectName(t.name.name, c.name, "seq")
                             : c.identity_sequence);
    }
    created_tables_.insert(t.name);
  }

  // The clones a new partition `t` gets from its parent, in the builder's order: the
  // parent's indexes, its keys, then its own clones.
  void ClonesForNewPartition(const Table& t) {
    if (statements_ != nullptr || !t.partition_of) return;
    const Table* parent = cat_.FindTable(*t.partition_of);
    if (parent == nullptr || parent->partition_key.empty()) return;
    std::vector<CloneRename> renames;
    for (const catalog::Index* i : IndexesOf(parent->name)) {
      if (created_indexes_.count(i->name))
        CloneOnto(parent->name, i->name.name, false, catalog::CloneSource{.index = i}, &t.name,
                  renames);
    }
    for (const Constraint& k : parent->constraints) {
      if (IsKey(k) && (!IsLateKey(*parent, k) || made_keys_.count({parent->name, k.name})))
        CloneOnto(parent->name, k.name, true, catalog::CloneSource{.key = &k}, &t.name, renames);
    }
    std::vector<std::pair<std::string, bool>> own = made_clones_[parent->name];
    for (const auto& [name, constraint] : own) {
      catalog::IndexClone c{.name = name, .constraint = constraint};
      for (const catalog::IndexClone& x : parent->clones) {
        if (x.name == name && x.constraint == constraint) c = x;
      }
      catalog::CloneSource source =
          catalog::FindCloneSource(cat_, catalog::CloneRootOf(cat_, parent->name, c), constraint);
      CloneOnto(parent->name, name, constraint, source, &t.name, renames);
    }
    RenameClones(std::move(renames));
  }

  // The server clones `source` (named `name` on `table`, a root or a clone) onto the
  // partitions of `table` that exist (only `only`, when set), and theirs in turn.
  void CloneOnto(const QualifiedName& table, const std::string& name, bool constraint,
                 const catalog::CloneSource& source, const QualifiedName* only,
                 std::vector<CloneRename>& renames) {
    if (statements_ != nullptr || (source.index == nullptr && source.key == nullptr)) return;
    auto children = Partitions().find(table);
    if (children == partitions_.end()) return;
    for (const Table* part_ptr : children->second) {
      const Table& part = *part_ptr;
      const QualifiedName& pn = part.name;
      if (!created_tables_.count(pn) || (only && pn != *only)) continue;
      Names& n = names_[pn.schema];
      std::string given;
      // An equivalent index the partition has already is attached instead of a new one.
      for (const catalog::Index* i : IndexesOf(pn)) {
        if (!constraint && given.empty() && created_indexes_.count(i->name) &&
            catalog::IndexesMatch(*i, *source.index)) {
          given = i->name.name;
        }
      }
      if (given.empty()) {
        given = catalog::ChooseCloneName(pn.name, source, [&](const std::string& x) {
          return n.relations.count(x) > 0 || (constraint && n.constraints.count(x) > 0);
        });
        n.relations.insert(given);
        if (constraint) n.constraints.insert(given);
      }
      std::string final_name = given;
      for (const catalog::IndexClone& c : part.clones) {
        if (c.parent_name == name && c.constraint == constraint) final_name = c.name;
      }
      made_clones_[pn].emplace_back(final_name, constraint);
      if (final_name != given) renames.push_back({pn.schema, given, final_name, constraint});
      CloneOnto(pn, final_name, constraint, source, nullptr, renames);
    }
  }

  static bool IsKey(const Constraint& c) {
    return c.kind == ConstraintKind::kPrimaryKey || c.kind == ConstraintKind::kUnique ||
           c.kind == ConstraintKind::kExclude;
  }
  bool IsLateKey(const Table& t, const Constraint& c) const {
    for (const auto& [lt, lk] : late_keys_) {
      if (lt == &t && lk == &c) return true;
    }
    return false;
  }

  // Whether every partition of `table` (and theirs) has a clone of its index or key `name`:
  // then creating it on `table` makes them all. Otherwise (an index made ON ONLY, a
  // partition attached later) it is created ONLY and attached to those that have one.
  bool ClonesComplete(const QualifiedName& table, const std::string& name, bool constraint,
                      int depth = 0) {
    auto children = Partitions().find(table);
    if (children == partitions_.end() || depth > 64) return true;
    for (const Table* p : children->second) {
      const catalog::IndexClone* found = nullptr;
      for (const catalog::IndexClone& c : p->clones) {
        if (c.parent_name == name && c.constraint == constraint) found = &c;
      }
      if (found == nullptr) return false;
      if (!ClonesComplete(p->name, found->name, constraint, depth + 1)) return false;
    }
    return true;
  }

  // Creates, for index or key `name` of `table` created ONLY, each clone the partitions of
  // `table` have (under its own name) and attaches it; the server clones it further down.
  void AttachClones(const QualifiedName& table, const std::string& name, bool constraint,
                    const catalog::CloneSource& source) {
    auto children = Partitions().find(table);
    if (children == partitions_.end()) return;
    std::vector<CloneRename> renames;
    for (const Table* p : children->second) {
      const catalog::IndexClone* found = nullptr;
      for (const catalog::IndexClone& c : p->clones) {
        if (c.parent_name == name && c.constraint == constraint) found = &c;
      }
      if (found == nullptr || !created_tables_.count(p->name)) continue;
      if (source.index != nullptr) {
        catalog::Index copy = *source.index;
        copy.name = QualifiedName{p->name.schema, found->name};
        copy.table = p->name;
        Line(IndexSql(copy));
      } else {
        Line("ALTER TABLE " + p->name.Quoted() + " ADD CONSTRAINT " + QuoteIdent(found->name) +
             " " + ConstraintBodySql(*source.key, false));
        names_[p->name.schema].constraints.insert(found->name);
      }
      names_[p->name.schema].relations.insert(found->name);
      Line("ALTER INDEX " + QualifiedName{table.schema, name}.Quoted() + " ATTACH PARTITION " +
           QualifiedName{p->name.schema, found->name}.Quoted());
      made_clones_[p->name].emplace_back(found->name, constraint);
      CloneOnto(p->name, found->name, constraint, source, nullptr, renames);
    }
    RenameClones(std::move(renames));
  }

  // The partitions of each partitioned table, by name (built on first use).
  const std::map<QualifiedName, std::vector<const Table*>>& Partitions() {
    if (!partitions_built_) {
      for (const auto& [q, t] : cat_.tables) {
        if (t.partition_of) partitions_[*t.partition_of].push_back(&t);
      }
      for (const auto& [q, i] : cat_.indexes) indexes_by_table_[i.table].push_back(&i);
      partitions_built_ = true;
    }
    return partitions_;
  }
  // The indexes of `table`, by name.
  const std::vector<const catalog::Index*>& IndexesOf(const QualifiedName& table) {
    static const std::vector<const catalog::Index*> kNone;
    Partitions();
    auto it = indexes_by_table_.find(table);
    return it == indexes_by_table_.end() ? kNone : it->second;
  }

  // ALTER INDEX ... RENAME TO for each clone whose name is not the one the server gave it,
  // in an order where each new name is free (through a free name when two swap names).
  void RenameClones(std::vector<CloneRename> renames) {
    while (!renames.empty()) {
      size_t pick = renames.size();
      for (size_t i = 0; i < renames.size() && pick == renames.size(); ++i) {
        const Names& n = names_[renames[i].schema];
        bool free = !n.relations.count(renames[i].name) &&
                    !(renames[i].constraint && n.constraints.count(renames[i].name));
        if (free) pick = i;
      }
      // Every new name is taken: by another clone of the batch (they swap names), which
      // moves out of the way first, or by something else (then the rename fails as it
      // would in the server).
      size_t holder = renames.size();
      for (size_t i = 0; pick == renames.size() && i < renames.size(); ++i) {
        if (renames[i].schema == renames[0].schema && renames[i].given == renames[0].name)
          holder = i;
      }
      CloneRename r = renames[pick != renames.size()     ? pick
                              : holder != renames.size() ? holder
                                                         : 0];
      if (pick == renames.size() && holder != renames.size()) {
        const Names& n = names_[r.schema];
        r.name = catalog::ChooseName(r.given, "", "tmp", [&](const std::string& x) {
          return n.relations.count(x) > 0 || n.constraints.count(x) > 0;
        });
        renames[holder].given = r.name;
      } else {
        renames.erase(renames.begin() +
                      static_cast<std::ptrdiff_t>(pick != renames.size() ? pick : 0));
      }
      Names& n = names_[r.schema];
      Line("ALTER INDEX " + QualifiedName{r.schema, r.given}.Quoted() + " RENAME TO " +
           QuoteIdent(r.name));
      n.relations.erase(r.given);
      n.relations.insert(r.name);
      if (r.constraint) {
        n.constraints.erase(r.given);
        n.constraints.insert(r.name);
      }
    }
  }

  const Catalog& cat_;
  std::map<std::string, Names> names_;  // names in use at this point of the script
  std::set<QualifiedName> created_tables_;
  std::set<QualifiedName> created_indexes_;
  // Per partition, the clones the script has had the server create, by their model names.
  std::map<QualifiedName, std::vector<std::pair<std::string, bool>>> made_clones_;
  bool partitions_built_ = false;
  std::vector<std::pair<const Table*, const Constraint*>> late_keys_;
  std::set<std::pair<QualifiedName, std::string>> made_keys_;  // late keys added so far
  std::map<QualifiedName, std::vector<const Table*>> partitions_;
  std::map<QualifiedName, std::vector<const catalog::Index*>> indexes_by_table_;
  std::string out_;
  std::string last_section_;
  std::string search_path_ = "public";
  std::vector<std::string>* statements_ = nullptr;  // set while StatementsOf runs
};

}  // namespace

std::string CatalogToSql(const Catalog& cat) { return Writer(cat).Run(); }

std::vector<std::string> CreateStatements(const Catalog& cat, const Table& table) {
  return Writer(cat).StatementsOf(table);
}
std::vector<std::string> CreateStatements(const Catalog& cat, const View& view) {
  return Writer(cat).StatementsOf(view);
}
std::vector<std::string> CreateStatements(const Catalog& cat, const Type& type) {
  return Writer(cat).StatementsOf(type);
}
std::vector<std::string> CreateStatements(const Catalog& cat, const Sequence& sequence) {
  return Writer(cat).StatementsOf(sequence);
}

int TypeCreationRank(catalog::TypeKind kind) {
  switch (kind) {
    case catalog::TypeKind::kEnum:
      return 0;
    case catalog::TypeKind::kComposite:
      return 1;
    case catalog::TypeKind::kRange:
      return 2;
    case catalog::TypeKind::kDomain:
      return 3;
  }
  return 3;
}

std::string CollationSql(const catalog::Collation& c) {
  std::vector<std::string> opts{"provider = " + c.provider};
  if (c.provider == "libc") {
    if (c.lc_collate == c.lc_ctype) {
      opts.push_back("locale = " + QuoteLiteral(c.lc_collate));
    } else {
      opts.push_back("lc_collate = " + QuoteLiteral(c.lc_collate));
      opts.push_back("lc_ctype = " + QuoteLiteral(c.lc_ctype));
    }
  } else if (!c.locale.empty()) {
    opts.push_back("locale = " + QuoteLiteral(c.locale));
  }
  if (!c.deterministic) opts.push_back("deterministic = false");
  return "CREATE COLLATION " + c.name.Quoted() + " (" + Join(opts, ", ") + ")";
}

}  // namespace dbarch::report
