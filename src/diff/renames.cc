#include "diff/renames.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "base/strings.h"
#include "catalog/builder.h"
#include "catalog/naming.h"

namespace dbarch::diff {
namespace {

using catalog::Catalog;
using catalog::ObjectKind;
using catalog::QualifiedName;

constexpr const char* kAccessExclusive = "ACCESS EXCLUSIVE";
constexpr const char* kShareUpdateExclusive = "SHARE UPDATE EXCLUSIVE";

// ---------------------------------------------------------------------------------------
// References in SQL text. Canonical expressions and type names spell an object of schema
// public unqualified and any other one qualified (format_type with search_path = public); a
// reference is rewritten token by token, never inside string literals (except an enum label
// in its cast, or a regclass literal, which the server also follows).

struct Token {
  enum Kind { kIdent, kQuoted, kString, kOther } kind = kOther;
  size_t begin = 0;
  size_t end = 0;
  std::string value;  // identifier as stored (lower-cased or unquoted); string contents
};

std::vector<Token> Tokenize(const std::string& text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    if (c == '"' || c == '\'') {
      t.kind = c == '"' ? Token::kQuoted : Token::kString;
      size_t j = i + 1;
      while (j < text.size()) {
        if (text[j] == c) {
          if (j + 1 < text.size() && text[j + 1] == c) {
            t.value += c;
            j += 2;
            continue;
          }
          break;
        }
        t.value += text[j++];
      }
      t.end = std::min(j + 1, text.size());
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t j = i;
      while (j < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' ||
              text[j] == '$' || static_cast<unsigned char>(text[j]) >= 0x80))
        ++j;
      t.kind = Token::kIdent;
      t.value = ToLower(std::string_view(text).substr(i, j - i));
      t.end = j;
    } else {
      t.end = i + 1;
      t.value = std::string(1, c);
    }
    out.push_back(std::move(t));
    i = t.end > i ? out.back().end : i + 1;
  }
  return out;
}

bool IsName(const Token& t) { return t.kind == Token::kIdent || t.kind == Token::kQuoted; }
bool IsChar(const std::vector<Token>& ts, size_t i, char c) {
  return i < ts.size() && ts[i].kind == Token::kOther && ts[i].value[0] == c;
}

// How a reference must be placed to count.
enum class Place {
  kAnywhere,  // a type or collation name string: every name token is one
  kCast,      // after "::" (a type in an expression)
  kCall,      // before "(" (a function call)
};

// The spelling of `name` in canonical text.
std::string Spell(const QualifiedName& name) {
  return name.schema == "public" || name.schema.empty() ? QuoteIdent(name.name) : name.Quoted();
}

// Matches a reference to `name` at token `i`: returns the number of tokens (3 qualified,
// 1 unqualified) or 0.
size_t MatchAt(const std::vector<Token>& ts, size_t i, const QualifiedName& name) {
  if (!IsName(ts[i]) || IsChar(ts, i - 1 < ts.size() ? i - 1 : ts.size(), '.')) return 0;
  if (i > 0 && IsChar(ts, i - 1, '.')) return 0;
  if (ts[i].value == name.schema && IsChar(ts, i + 1, '.') && i + 2 < ts.size() &&
      IsName(ts[i + 2]) && ts[i + 2].value == name.name && !IsChar(ts, i + 3, '.')) {
    return 3;
  }
  if (name.schema == "public" && ts[i].value == name.name && !IsChar(ts, i + 1, '.')) return 1;
  return 0;
}

bool PlaceFits(const std::vector<Token>& ts, size_t i, size_t n, Place place) {
  switch (place) {
    case Place::kAnywhere:
      return true;
    case Place::kCast:
      return i >= 2 && IsChar(ts, i - 1, ':') && IsChar(ts, i - 2, ':');
    case Place::kCall:
      return IsChar(ts, i + n, '(');
  }
  return false;
}

// `text` with its references to `from` spelled as `to`.
std::string ReplaceRefs(const std::string& text, const QualifiedName& from, const QualifiedName& to,
                        Place place) {
  if (text.find(from.name) == std::string::npos &&
      text.find(QuoteIdent(from.name)) == std::string::npos)
    return text;
  std::vector<Token> ts = Tokenize(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    size_t n = MatchAt(ts, i, from);
    if (n == 0 || !PlaceFits(ts, i, n, place)) continue;
    out += text.substr(copied, ts[i].begin - copied);
    out += Spell(to);
    copied = ts[i + n - 1].end;
    i += n - 1;
  }
  if (copied == 0) return text;
  return out + text.substr(copied);
}

// `text` with the schema qualifier `from` (a name followed by ".") spelled `to`.
std::string ReplaceQualifier(const std::string& text, const std::string& from,
                             const std::string& to) {
  if (text.find(from) == std::string::npos) return text;
  std::vector<Token> ts = Tokenize(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (!IsName(ts[i]) || ts[i].value != from || !IsChar(ts, i + 1, '.')) continue;
    if (i > 0 && IsChar(ts, i - 1, '.')) continue;
    out += text.substr(copied, ts[i].begin - copied);
    // An object moved to public is spelled unqualified: drop the qualifier and its dot.
    out += to == "public" ? "" : QuoteIdent(to) + ".";
    copied = ts[i + 1].end;
  }
  if (copied == 0) return text;
  return out + text.substr(copied);
}

// `text` with the enum label `from` of type `type` (a literal cast to it) written `to`.
std::string ReplaceLabel(const std::string& text, const QualifiedName& type,
                         const std::string& from, const std::string& to) {
  if (text.find(from) == std::string::npos) return text;
  std::vector<Token> ts = Tokenize(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i + 3 < ts.size(); ++i) {
    if (ts[i].kind != Token::kString || ts[i].value != from) continue;
    if (!IsChar(ts, i + 1, ':') || !IsChar(ts, i + 2, ':') || MatchAt(ts, i + 3, type) == 0)
      continue;
    out += text.substr(copied, ts[i].begin - copied);
    out += QuoteLiteral(to);
    copied = ts[i].end;
  }
  if (copied == 0) return text;
  return out + text.substr(copied);
}

// The name a regclass literal holds ('seq', 'app.seq', '"Odd"'), as a qualified name.
QualifiedName RegclassName(const std::string& literal) {
  std::vector<Token> ts = Tokenize(literal);
  if (ts.size() == 3 && IsName(ts[0]) && IsChar(ts, 1, '.') && IsName(ts[2]))
    return {ts[0].value, ts[2].value};
  if (ts.size() == 1 && IsName(ts[0])) return {"public", ts[0].value};
  return {};
}

// `text` with the regclass literals naming `from` ('seq'::regclass, or the argument of
// nextval / currval / setval) naming `to`: the server keeps the OID and prints the new name.
std::string ReplaceRegclass(const std::string& text, const QualifiedName& from,
                            const QualifiedName& to) {
  if (text.find("regclass") == std::string::npos && text.find("nextval") == std::string::npos)
    return text;
  std::vector<Token> ts = Tokenize(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].kind != Token::kString || RegclassName(ts[i].value) != from) continue;
    bool cast = IsChar(ts, i + 1, ':') && IsChar(ts, i + 2, ':') && i + 3 < ts.size() &&
                ts[i + 3].value == "regclass";
    bool sequence_call = i >= 2 && IsChar(ts, i - 1, '(') &&
                         (ts[i - 2].value == "nextval" || ts[i - 2].value == "currval" ||
                          ts[i - 2].value == "setval");
    if (!cast && !sequence_call) continue;
    out += text.substr(copied, ts[i].begin - copied) + QuoteLiteral(Spell(to));
    copied = ts[i].end;
  }
  if (copied == 0) return text;
  return out + text.substr(copied);
}

// The literal `from` written `to` in `text`, cast to `type` or not (a comparison with a
// column of the enum type keeps no cast in the model's normal form).
std::string ReplaceLabelLiteral(const std::string& text, const QualifiedName& type,
                                const std::string& from, const std::string& to) {
  if (text.find(from) == std::string::npos) return text;
  std::vector<Token> ts = Tokenize(text);
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].kind != Token::kString || ts[i].value != from) continue;
    if (IsChar(ts, i + 1, ':') && IsChar(ts, i + 2, ':') &&
        (i + 3 >= ts.size() || MatchAt(ts, i + 3, type) == 0))
      continue;  // cast to another type
    out += text.substr(copied, ts[i].begin - copied) + QuoteLiteral(to);
    copied = ts[i].end;
  }
  if (copied == 0) return text;
  return out + text.substr(copied);
}

// Every canonical expression of the catalog.
void ForEachExpression(Catalog& cat, const std::function<void(std::string&)>& fn) {
  for (auto& [q, t] : cat.tables) {
    for (catalog::Column& c : t.columns) {
      fn(c.default_expr);
      fn(c.generated_expr);
    }
    for (catalog::Constraint& k : t.constraints) {
      fn(k.expression);
      fn(k.exclude_predicate);
      for (catalog::IndexKey& key : k.exclude_keys) fn(key.expression);
    }
    for (catalog::Trigger& tr : t.triggers) fn(tr.when);
    for (catalog::Policy& p : t.policies) {
      fn(p.using_expr);
      fn(p.check_expr);
    }
  }
  for (auto& [q, i] : cat.indexes) {
    for (catalog::IndexKey& key : i.keys) fn(key.expression);
    fn(i.predicate);
  }
  for (auto& [q, v] : cat.views) {
    fn(v.definition);
    fn(v.normal_form);
  }
  for (auto& [q, t] : cat.types) {
    fn(t.default_expr);
    for (catalog::DomainConstraint& d : t.constraints) fn(d.expression);
  }
  for (auto& [k, f] : cat.functions) {
    for (catalog::FunctionArg& a : f.args) fn(a.default_expr);
  }
}

// Every type name string of the catalog.
void ForEachTypeName(Catalog& cat, const std::function<void(std::string&)>& fn) {
  for (auto& [q, t] : cat.tables) {
    for (catalog::Column& c : t.columns) fn(c.type);
  }
  for (auto& [q, t] : cat.types) {
    fn(t.base_type);
    for (catalog::TypeAttribute& a : t.attributes) fn(a.type);
  }
  for (auto& [k, f] : cat.functions) {
    for (catalog::FunctionArg& a : f.args) fn(a.type);
    fn(f.returns);
  }
  for (auto& [q, v] : cat.views) {
    for (std::string& t : v.column_types) fn(t);
  }
}

// Every collation name string of the catalog.
void ForEachCollationName(Catalog& cat, const std::function<void(std::string&)>& fn) {
  for (auto& [q, t] : cat.tables) {
    for (catalog::Column& c : t.columns) fn(c.collation);
    for (catalog::Constraint& k : t.constraints) {
      for (catalog::IndexKey& key : k.exclude_keys) fn(key.collation);
    }
  }
  for (auto& [q, i] : cat.indexes) {
    for (catalog::IndexKey& key : i.keys) fn(key.collation);
  }
  for (auto& [q, t] : cat.types) {
    fn(t.collation);
    for (catalog::TypeAttribute& a : t.attributes) fn(a.collation);
  }
}

// Functions keyed again by their signature (a renamed type or schema changes it), with the
// grants on them following.
void RekeyFunctions(Catalog& cat) {
  std::map<std::string, catalog::Function> rekeyed;
  std::map<std::string, std::string> moved;
  for (auto& [key, f] : cat.functions) {
    std::string sig = f.Signature();
    if (sig != key) moved[key] = sig;
    rekeyed[sig] = std::move(f);
  }
  cat.functions = std::move(rekeyed);
  for (std::vector<catalog::Grant>* list : {&cat.grants, &cat.revoked_defaults}) {
    for (catalog::Grant& g : *list) {
      if (g.object_kind != ObjectKind::kFunction) continue;
      auto it = moved.find(g.object);
      if (it != moved.end()) g.object = it->second;
    }
    std::sort(list->begin(), list->end());
  }
}

void RenameGrants(Catalog& cat, const std::string& from, const std::string& to) {
  for (std::vector<catalog::Grant>* list : {&cat.grants, &cat.revoked_defaults}) {
    for (catalog::Grant& g : *list) {
      if (g.object == from) g.object = to;
    }
    std::sort(list->begin(), list->end());
  }
}

// A type renamed or moved: columns, attributes, domains, arguments, casts and grants follow.
void FollowType(Catalog& cat, const QualifiedName& from, const QualifiedName& to) {
  auto rename = [&](std::string& s) { s = ReplaceRefs(s, from, to, Place::kAnywhere); };
  ForEachTypeName(cat, rename);
  ForEachExpression(cat, [&](std::string& s) { s = ReplaceRefs(s, from, to, Place::kCast); });
  RenameGrants(cat, from.Quoted(), to.Quoted());
  RekeyFunctions(cat);
}

// ---------------------------------------------------------------------------------------

// Whether `name` is the sequence of an identity column of `cat` (not listed among its
// sequences: it belongs to the column).
bool IsIdentitySequence(const Catalog& cat, const QualifiedName& name) {
  for (const auto& [q, t] : cat.tables) {
    if (q.schema != name.schema) continue;
    for (const catalog::Column& c : t.columns) {
      if (c.identity_sequence == name.name) return true;
    }
  }
  return false;
}

bool HasConstraint(const catalog::Table& t, const std::string& name) {
  return std::any_of(t.constraints.begin(), t.constraints.end(),
                     [&](const catalog::Constraint& k) { return k.name == name; });
}

// A column rename read from a line that also defines a constraint, taken as the constraint's.
Rename AsConstraint(const Rename& r) {
  Rename c = r;
  c.kind = ObjectKind::kConstraint;
  c.column = r.or_constraint;
  c.or_constraint.clear();
  return c;
}

int KindRank(const Rename& r) {
  switch (r.kind) {
    case ObjectKind::kSchema:
      return 0;
    case ObjectKind::kType:
    case ObjectKind::kDomain:
      return r.column.empty() ? 1 : 2;
    case ObjectKind::kCollation:
      return 3;
    case ObjectKind::kSequence:
      return 4;
    case ObjectKind::kTable:
      return 5;
    case ObjectKind::kView:
    case ObjectKind::kMaterializedView:
      return 6;
    case ObjectKind::kColumn:
      return 7;
    case ObjectKind::kConstraint:
      return 8;
    case ObjectKind::kIndex:
      return 9;
    case ObjectKind::kFunction:
    case ObjectKind::kProcedure:
    case ObjectKind::kAggregate:
      return 10;
    case ObjectKind::kTrigger:
      return 11;
    case ObjectKind::kPolicy:
      return 12;
    default:
      return 13;
  }
}

// The keyword of ALTER <keyword> for a kind.
std::string AlterWord(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kSchema:
      return "SCHEMA";
    case ObjectKind::kView:
      return "VIEW";
    case ObjectKind::kMaterializedView:
      return "MATERIALIZED VIEW";
    case ObjectKind::kSequence:
      return "SEQUENCE";
    case ObjectKind::kIndex:
      return "INDEX";
    case ObjectKind::kType:
      return "TYPE";
    case ObjectKind::kDomain:
      return "DOMAIN";
    case ObjectKind::kCollation:
      return "COLLATION";
    case ObjectKind::kFunction:
      return "FUNCTION";
    case ObjectKind::kProcedure:
      return "PROCEDURE";
    case ObjectKind::kAggregate:
      return "AGGREGATE";
    default:
      return "TABLE";
  }
}

class Applier {
 public:
  Applier(Catalog from, const Catalog& to) : to_(to), work_(std::move(from)) {}

  AppliedRenames Run(std::vector<Rename> renames) {
    std::stable_sort(renames.begin(), renames.end(),
                     [](const Rename& a, const Rename& b) { return KindRank(a) < KindRank(b); });
    for (const Rename& r : renames) {
      Status s = Apply(r);
      if (!s.ok() && out_.status.ok()) out_.status = std::move(s).WithSpan(r.where);
    }
    out_.catalog = std::move(cat());
    for (const auto& fix : deferred_) fix(out_.catalog);
    return std::move(out_);
  }

 private:
  // The working catalog, to change in place. It lives in the catalog builder while RENAME
  // statements run (Build) and comes out of it for the changes made here; each move in or out
  // costs a pass over the catalog, so reads go through view() and the text fix-ups that later
  // renames do not depend on are deferred to the end (Defer).
  Catalog& cat() {
    if (in_builder_) {
      work_ = builder_.Finish();
      in_builder_ = false;
    }
    return work_;
  }
  const Catalog& view() const { return in_builder_ ? builder_.catalog() : work_; }
  void Defer(std::function<void(Catalog&)> fix) { deferred_.push_back(std::move(fix)); }

  Status Error(const Rename& r, const std::string& message) {
    return Status::InvalidArgument("cannot rename " + std::string(catalog::ObjectKindName(r.kind)) +
                                   " from \"" + r.old_name + "\": " + message);
  }

  // The source schema of the old object, once schema renames are applied.
  std::string OldSchema(const Rename& r) const {
    if (r.old_schema.empty()) return r.table.schema;
    auto it = schema_moves_.find(r.old_schema);
    return it == schema_moves_.end() ? r.old_schema : it->second;
  }

  // Applies `sql` to the working catalog through the catalog builder (which models how the
  // server's RENAME and SET SCHEMA statements carry dependants along).
  Status Build(const std::vector<std::string>& sql) {
    if (!in_builder_) {
      builder_.Reset(std::move(work_));
      in_builder_ = true;
    }
    size_t others = view().others.size();
    std::string text;
    for (const std::string& s : sql) text += s + ";\n";
    // A failing statement changes nothing: the builder checks before it applies.
    Status st = builder_.ApplyFile(SourceFile("<rename>", text));
    if (!st.ok()) return st;
    if (view().others.size() != others) {
      cat().others.resize(others);
      return Status::Internal("the catalog builder does not model: " + sql.front());
    }
    return Status::OK();
  }

  Change& Add(const Rename& r, std::string object, std::vector<std::string> sql,
              std::vector<std::string> reverse, std::string lock) {
    Change c;
    c.phase = 0;
    c.kind = r.kind == ObjectKind::kType && !r.column.empty() ? ObjectKind::kType : r.kind;
    c.object = std::move(object);
    c.action = Action::kRename;
    c.sql = std::move(sql);
    c.reverse = std::move(reverse);
    c.lock = std::move(lock);
    out_.changes.push_back(std::move(c));
    return out_.changes.back();
  }

  // A claimed old object: two renames of one object are ambiguous.
  Status Claim(const Rename& r, const std::string& key) {
    if (!claimed_.insert(key).second) return Error(r, "another annotation renames it too");
    return Status::OK();
  }

  Status Apply(const Rename& r) {
    switch (r.kind) {
      case ObjectKind::kSchema:
        return Schema(r);
      case ObjectKind::kColumn:
      case ObjectKind::kConstraint:
      case ObjectKind::kTrigger:
      case ObjectKind::kPolicy:
        return Member(r);
      case ObjectKind::kType:
      case ObjectKind::kDomain:
        return r.column.empty() ? Object(r) : Label(r);
      default:
        return Object(r);
    }
  }

  Status Schema(const Rename& r) {
    const std::string& old = r.old_name;
    const std::string& now = r.table.name;
    bool has_old = view().schemas.count(old) > 0, has_new = view().schemas.count(now) > 0;
    if (!has_old && has_new) return Status::OK();  // already renamed
    if (!has_old) return Error(r, "no schema \"" + old + "\" in the source");
    if (has_new) return Error(r, "schema \"" + now + "\" exists in the source too");
    if (to_.schemas.count(old) > 0) return Error(r, "schema \"" + old + "\" is kept in the target");
    DBARCH_RETURN_IF_ERROR(Claim(r, "schema " + old));
    std::string sql = "ALTER SCHEMA " + QuoteIdent(old) + " RENAME TO " + QuoteIdent(now);
    DBARCH_RETURN_IF_ERROR(Build({sql}));
    // What the builder does not move: functions, collations, qualifiers in names and text.
    Catalog& c = cat();
    std::map<QualifiedName, catalog::Collation> collations;
    for (auto& [q, coll] : c.collations) {
      coll.name.schema = q.schema == old ? now : q.schema;
      collations[coll.name] = std::move(coll);
    }
    c.collations = std::move(collations);
    for (auto& [k, f] : c.functions) {
      if (f.name.schema == old) f.name.schema = now;
    }
    auto qualify = [&](std::string& s) { s = ReplaceQualifier(s, old, now); };
    ForEachTypeName(c, qualify);
    ForEachCollationName(c, qualify);
    ForEachExpression(c, qualify);
    for (auto& [q, t] : c.tables) {
      for (catalog::Trigger& tr : t.triggers) {
        if (tr.function.schema == old) tr.function.schema = now;
      }
    }
    for (auto& [q, s] : c.sequences) {
      if (s.owned_by_table && s.owned_by_table->schema == old) s.owned_by_table->schema = now;
      if (q.schema != now) continue;
      QualifiedName before{old, q.name};
      ForEachExpression(c, [&](std::string& e) { e = ReplaceRegclass(e, before, q); });
    }
    for (std::vector<catalog::Grant>* list : {&c.grants, &c.revoked_defaults}) {
      for (catalog::Grant& g : *list) {
        if (g.object_kind == ObjectKind::kSchema) {
          if (g.object == QuoteIdent(old)) g.object = QuoteIdent(now);
        } else if (StartsWith(g.object, QuoteIdent(old) + ".")) {
          g.object = QuoteIdent(now) + g.object.substr(QuoteIdent(old).size());
        }
      }
    }
    for (catalog::DefaultPrivilege& d : c.default_privileges) {
      if (d.schema == old) d.schema = now;
    }
    std::sort(c.default_privileges.begin(), c.default_privileges.end());
    RekeyFunctions(c);
    schema_moves_[old] = now;
    Add(r, QuoteIdent(now), {sql},
        {"ALTER SCHEMA " + QuoteIdent(now) + " RENAME TO " + QuoteIdent(old)}, "");
    return Status::OK();
  }

  // Whether the working catalog has an object of `kind` named `name` (functions: `args`).
  bool Has(ObjectKind kind, const QualifiedName& name, const std::string& args) const {
    const Catalog& c = view();
    switch (kind) {
      case ObjectKind::kTable:
        return c.tables.count(name) > 0;
      case ObjectKind::kView:
      case ObjectKind::kMaterializedView: {
        auto it = c.views.find(name);
        return it != c.views.end() &&
               it->second.materialized == (kind == ObjectKind::kMaterializedView);
      }
      case ObjectKind::kSequence:
        return c.sequences.count(name) > 0 || IsIdentitySequence(c, name);
      case ObjectKind::kIndex:
        return c.indexes.count(name) > 0;
      case ObjectKind::kType:
      case ObjectKind::kDomain: {
        auto it = c.types.find(name);
        return it != c.types.end() &&
               (it->second.kind == catalog::TypeKind::kDomain) == (kind == ObjectKind::kDomain);
      }
      case ObjectKind::kCollation:
        return c.collations.count(name) > 0;
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
      case ObjectKind::kAggregate: {
        auto it = c.functions.find(name.Quoted() + args);
        return it != c.functions.end() &&
               it->second.is_procedure == (kind == ObjectKind::kProcedure) &&
               it->second.aggregate.has_value() == (kind == ObjectKind::kAggregate);
      }
      default:
        return false;
    }
  }

  bool InTarget(ObjectKind kind, const QualifiedName& name, const std::string& args) const {
    switch (kind) {
      case ObjectKind::kTable:
        return to_.tables.count(name) > 0;
      case ObjectKind::kView:
      case ObjectKind::kMaterializedView:
        return to_.views.count(name) > 0;
      case ObjectKind::kSequence:
        return to_.sequences.count(name) > 0 || IsIdentitySequence(to_, name);
      case ObjectKind::kIndex:
        return to_.indexes.count(name) > 0;
      case ObjectKind::kType:
      case ObjectKind::kDomain:
        return to_.types.count(name) > 0;
      case ObjectKind::kCollation:
        return to_.collations.count(name) > 0;
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
      case ObjectKind::kAggregate:
        return to_.functions.count(name.Quoted() + args) > 0;
      default:
        return false;
    }
  }

  // Names the source has for `kind` under `name` with other arguments (functions only).
  std::vector<std::string> Overloads(const QualifiedName& name) const {
    std::vector<std::string> out;
    for (const auto& [k, f] : view().functions) {
      if (f.name == name) out.push_back(k);
    }
    return out;
  }

  Status Object(const Rename& r) {
    QualifiedName old{OldSchema(r), r.old_name};
    const QualifiedName& now = r.table;
    const std::string& args = r.column;
    bool has_old = Has(r.kind, old, args), has_new = Has(r.kind, now, args);
    std::string kind = catalog::ObjectKindName(r.kind);
    if (claimed_.count(kind + " " + old.Quoted() + args) > 0) {
      return Error(r, "another annotation renames it too");
    }
    if (!has_old && has_new) return Status::OK();  // already renamed
    if (!has_old) {
      if (r.kind == ObjectKind::kFunction || r.kind == ObjectKind::kProcedure ||
          r.kind == ObjectKind::kAggregate) {
        std::vector<std::string> others = Overloads(old);
        if (!others.empty()) {
          return Error(r, "the source has " + old.Quoted() + " only as " + Join(others, ", ") +
                              ", not with the arguments " + args);
        }
      }
      return Error(r, "no " + kind + " " + old.Quoted() + args + " in the source");
    }
    if (has_new) return Error(r, kind + " " + now.Quoted() + args + " exists in the source too");
    if (InTarget(r.kind, old, args)) {
      return Error(r, kind + " " + old.Quoted() + args + " is kept in the target");
    }
    if (r.kind == ObjectKind::kIndex && old.schema != now.schema) {
      return Error(r, "an index moves with its table, never on its own (SET SCHEMA)");
    }
    if (r.kind == ObjectKind::kSequence && old.schema != now.schema &&
        view().sequences.count(old) == 0) {
      return Error(r, "an identity column's sequence moves with its table, never on its own");
    }
    DBARCH_RETURN_IF_ERROR(Claim(r, kind + " " + old.Quoted() + args));
    std::string word = AlterWord(r.kind);
    // An aggregate without arguments is named name(*) in ALTER AGGREGATE.
    const std::string sql_args = r.kind == ObjectKind::kAggregate && args == "()" ? "(*)" : args;
    std::vector<std::string> sql, reverse;
    QualifiedName renamed{old.schema, now.name};
    if (old.name != now.name) {
      sql.push_back("ALTER " + word + " " + old.Quoted() + sql_args + " RENAME TO " +
                    QuoteIdent(now.name));
    }
    if (old.schema != now.schema) {
      sql.push_back("ALTER " + word + " " + renamed.Quoted() + sql_args + " SET SCHEMA " +
                    QuoteIdent(now.schema));
      reverse.push_back("ALTER " + word + " " + now.Quoted() + sql_args + " SET SCHEMA " +
                        QuoteIdent(old.schema));
    }
    if (old.name != now.name) {
      reverse.push_back("ALTER " + word + " " + renamed.Quoted() + sql_args + " RENAME TO " +
                        QuoteIdent(old.name));
    }
    switch (r.kind) {
      case ObjectKind::kCollation:
        MoveCollation(old, now);
        break;
      case ObjectKind::kType:
      case ObjectKind::kDomain:
        DBARCH_RETURN_IF_ERROR(Build(sql));
        FollowType(cat(), old, now);
        break;
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
      case ObjectKind::kAggregate:
        DBARCH_RETURN_IF_ERROR(Build(sql));
        Defer([old, now](Catalog& c) { FollowFunction(c, old, now); });
        break;
      case ObjectKind::kSequence:
        DBARCH_RETURN_IF_ERROR(Build(sql));
        Defer([old, now](Catalog& c) {
          ForEachExpression(c, [&](std::string& e) { e = ReplaceRegclass(e, old, now); });
        });
        break;
      default:
        DBARCH_RETURN_IF_ERROR(Build(sql));
        break;
    }
    std::string lock;
    if (r.kind == ObjectKind::kTable || r.kind == ObjectKind::kView ||
        r.kind == ObjectKind::kMaterializedView || r.kind == ObjectKind::kSequence) {
      lock = kAccessExclusive;
    } else if (r.kind == ObjectKind::kIndex) {
      lock = kShareUpdateExclusive;
    }
    Add(r, now.Quoted() + args, sql, reverse, lock);
    if (r.kind == ObjectKind::kTable) DerivedNames(old.name, now);
    if (r.kind == ObjectKind::kDomain) DomainConstraintNames(old.name, now);
    return Status::OK();
  }

  // A domain's constraints keep their names when it is renamed; those named after the old
  // domain ("mail_check") are renamed when the target has them under the new name only.
  void DomainConstraintNames(const std::string& old_domain, const QualifiedName& domain) {
    auto it = cat().types.find(domain);
    auto target = to_.types.find(domain);
    if (it == cat().types.end() || target == to_.types.end()) return;
    auto target_has = [&](const std::string& name) {
      return std::any_of(target->second.constraints.begin(), target->second.constraints.end(),
                         [&](const catalog::DomainConstraint& d) { return d.name == name; });
    };
    std::string prefix = old_domain + "_";
    std::string alter = "ALTER DOMAIN " + domain.Quoted() + " RENAME CONSTRAINT ";
    for (catalog::DomainConstraint& d : it->second.constraints) {
      if (d.name.rfind(prefix, 0) != 0) continue;
      std::string new_name = domain.name + d.name.substr(old_domain.size());
      if (!target_has(new_name) || target_has(d.name)) continue;
      Change c;
      c.kind = ObjectKind::kDomain;
      c.object = domain.Quoted() + "." + QuoteIdent(new_name);
      c.action = Action::kRename;
      c.sql = {alter + QuoteIdent(d.name) + " TO " + QuoteIdent(new_name)};
      c.reverse = {alter + QuoteIdent(new_name) + " TO " + QuoteIdent(d.name)};
      out_.changes.push_back(std::move(c));
      d.name = new_name;
    }
    std::sort(it->second.constraints.begin(), it->second.constraints.end(),
              [](const catalog::DomainConstraint& a, const catalog::DomainConstraint& b) {
                return a.name < b.name;
              });
  }

  void MoveCollation(const QualifiedName& old, const QualifiedName& now) {
    Catalog& c = cat();
    auto node = c.collations.extract(old);
    node.key() = now;
    node.mapped().name = now;
    c.collations.insert(std::move(node));
    ForEachCollationName(c,
                         [&](std::string& s) { s = ReplaceRefs(s, old, now, Place::kAnywhere); });
    ForEachExpression(c, [&](std::string& s) {
      // COLLATE clauses in expressions.
      std::vector<Token> ts = Tokenize(s);
      std::string out;
      size_t copied = 0;
      for (size_t i = 1; i < ts.size(); ++i) {
        if (ts[i - 1].kind != Token::kIdent || ts[i - 1].value != "collate") continue;
        size_t n = MatchAt(ts, i, old);
        if (n == 0) continue;
        out += s.substr(copied, ts[i].begin - copied) + Spell(now);
        copied = ts[i + n - 1].end;
      }
      if (copied != 0) s = out + s.substr(copied);
    });
  }

  static void FollowFunction(Catalog& c, const QualifiedName& old, const QualifiedName& now) {
    for (auto& [q, t] : c.tables) {
      for (catalog::Trigger& tr : t.triggers) {
        if (tr.function == old) tr.function = now;
      }
    }
    ForEachExpression(c, [&](std::string& s) { s = ReplaceRefs(s, old, now, Place::kCall); });
  }

  // The server keeps the names of a renamed table's constraints and indexes; those named
  // after the old table ("customers_pkey") are renamed when the target has them under the
  // new table's name ("clients_pkey") and not under the old one.
  void DerivedNames(const std::string& old_table, const QualifiedName& table) {
    const catalog::Table* t = view().FindTable(table);
    const catalog::Table* target = to_.FindTable(table);
    if (t == nullptr || target == nullptr) return;
    std::string prefix = old_table + "_";
    auto target_has = [&](const std::string& name) {
      for (const catalog::Constraint& k : target->constraints) {
        if (k.name == name) return true;
      }
      return false;
    };
    std::vector<std::string> derived;
    for (const catalog::Constraint& k : t->constraints) {
      if (k.name.rfind(prefix, 0) != 0) continue;
      std::string new_name = table.name + k.name.substr(old_table.size());
      if (!target_has(new_name) || target_has(k.name)) continue;
      derived.push_back(k.name);
    }
    for (const std::string& name : derived) {
      std::string new_name = table.name + name.substr(old_table.size());
      (void)Member(Rename{ObjectKind::kConstraint, table, new_name, name, "", {}});
    }
    // Indexes live in their table's schema and sort by name: those with the prefix are one
    // range of the map.
    std::vector<QualifiedName> indexes;
    for (auto it = view().indexes.lower_bound(QualifiedName{table.schema, prefix});
         it != view().indexes.end() && it->first.schema == table.schema &&
         it->first.name.rfind(prefix, 0) == 0;
         ++it) {
      if (it->second.table == table) indexes.push_back(it->first);
    }
    for (const QualifiedName& q : indexes) {
      QualifiedName new_q{q.schema, table.name + q.name.substr(old_table.size())};
      if (to_.indexes.count(new_q) == 0 || to_.indexes.count(q) > 0 ||
          view().indexes.count(new_q) > 0)
        continue;
      Rename derived{ObjectKind::kIndex, new_q, "", q.name, "", {}};
      (void)Object(derived);
    }
    std::vector<std::string> columns;
    for (const catalog::Column& c : t->columns) columns.push_back(c.name);
    for (const std::string& c : columns) IdentitySequenceName(table, old_table, c, table.name, c);
  }

  // The server keeps an identity column's sequence name when its table or column is renamed:
  // a sequence named after the old table and column (orders_id_seq) is renamed when the target
  // names it after the new ones and the name is free.
  void IdentitySequenceName(const QualifiedName& table, const std::string& old_table,
                            const std::string& old_column, const std::string& new_table,
                            const std::string& new_column) {
    const catalog::Table* t = view().FindTable(table);
    const catalog::Table* target = to_.FindTable(table);
    const catalog::Column* c = t != nullptr ? t->FindColumn(new_column) : nullptr;
    const catalog::Column* wanted = target != nullptr ? target->FindColumn(new_column) : nullptr;
    if (c == nullptr || wanted == nullptr || c->identity_sequence.empty()) return;
    std::string old_seq = catalog::MakeObjectName(old_table, old_column, "seq");
    std::string new_seq = catalog::MakeObjectName(new_table, new_column, "seq");
    if (c->identity_sequence != old_seq || wanted->identity_sequence != new_seq) return;
    QualifiedName new_q{table.schema, new_seq};
    if (Has(ObjectKind::kSequence, new_q, "") || view().tables.count(new_q) > 0 ||
        view().views.count(new_q) > 0 || view().indexes.count(new_q) > 0)
      return;
    (void)Object(Rename{ObjectKind::kSequence, new_q, "", old_seq, "", {}});
  }

  // An output column of a view or materialized view: ALTER [MATERIALIZED] VIEW ... RENAME
  // COLUMN (the query is kept; the server prints the old expression AS the new name).
  Status ViewColumn(const Rename& r, const catalog::View& v) {
    auto has = [](const catalog::View& view, const std::string& name) {
      return std::find(view.columns.begin(), view.columns.end(), name) != view.columns.end();
    };
    std::string where = " of " + r.table.Quoted();
    std::string key = "column " + r.table.Quoted() + "." + r.old_name;
    if (claimed_.count(key) > 0) return Error(r, "another annotation renames it too");
    bool has_old = has(v, r.old_name), has_new = has(v, r.column);
    if (!has_old && has_new) return Status::OK();
    if (!has_old) return Error(r, "no column \"" + r.old_name + "\"" + where + " in the source");
    if (has_new)
      return Error(r, "column \"" + r.column + "\"" + where + " exists in the source too");
    auto target = to_.views.find(r.table);
    if (target != to_.views.end() && has(target->second, r.old_name)) {
      return Error(r, "column \"" + r.old_name + "\"" + where + " is kept in the target");
    }
    DBARCH_RETURN_IF_ERROR(Claim(r, key));
    std::string alter = std::string(v.materialized ? "ALTER MATERIALIZED VIEW " : "ALTER VIEW ") +
                        r.table.Quoted() + " RENAME COLUMN ";
    std::string sql = alter + QuoteIdent(r.old_name) + " TO " + QuoteIdent(r.column);
    DBARCH_RETURN_IF_ERROR(Build({sql}));
    Add(r, r.table.Quoted() + "." + QuoteIdent(r.column), {sql},
        {alter + QuoteIdent(r.column) + " TO " + QuoteIdent(r.old_name)}, kAccessExclusive);
    return Status::OK();
  }

  Status Member(const Rename& given) {
    Rename r = given;
    if (r.kind == ObjectKind::kColumn) {
      auto v = view().views.find(r.table);
      if (v != view().views.end()) return ViewColumn(r, v->second);
    }
    const catalog::Table* t = view().FindTable(r.table);
    if (t != nullptr && !r.or_constraint.empty()) {
      bool column = t->FindColumn(r.old_name) != nullptr;
      bool constraint = HasConstraint(*t, r.old_name);
      if (column && constraint) {
        return Error(r,
                     "the source has a column and a constraint of that name; put the "
                     "constraint on a line of its own");
      }
      if (constraint) r = AsConstraint(r);
    }
    const catalog::Table* target = to_.FindTable(r.table);
    std::string kind = catalog::ObjectKindName(r.kind);
    if (t == nullptr) {
      return Error(r, "no table " + r.table.Quoted() + " in the source (rename the table too)");
    }
    auto has = [&](const catalog::Table& table, const std::string& name) {
      switch (r.kind) {
        case ObjectKind::kColumn:
          return table.FindColumn(name) != nullptr;
        case ObjectKind::kConstraint:
          return std::any_of(table.constraints.begin(), table.constraints.end(),
                             [&](const catalog::Constraint& k) { return k.name == name; });
        case ObjectKind::kTrigger:
          return std::any_of(table.triggers.begin(), table.triggers.end(),
                             [&](const catalog::Trigger& k) { return k.name == name; });
        default:
          return std::any_of(table.policies.begin(), table.policies.end(),
                             [&](const catalog::Policy& k) { return k.name == name; });
      }
    };
    bool has_old = has(*t, r.old_name), has_new = has(*t, r.column);
    std::string where = " of " + r.table.Quoted();
    if (claimed_.count(kind + " " + r.table.Quoted() + "." + r.old_name) > 0) {
      return Error(r, "another annotation renames it too");
    }
    if (!has_old && has_new) return Status::OK();
    if (!has_old)
      return Error(r, "no " + kind + " \"" + r.old_name + "\"" + where + " in the source");
    if (has_new)
      return Error(r, kind + " \"" + r.column + "\"" + where + " exists in the source too");
    if (target != nullptr && has(*target, r.old_name)) {
      return Error(r, kind + " \"" + r.old_name + "\"" + where + " is kept in the target");
    }
    DBARCH_RETURN_IF_ERROR(Claim(r, kind + " " + r.table.Quoted() + "." + r.old_name));
    std::string table = r.table.Quoted();
    auto statement = [&](const std::string& a, const std::string& b) {
      switch (r.kind) {
        case ObjectKind::kColumn:
          return "ALTER TABLE " + table + " RENAME COLUMN " + QuoteIdent(a) + " TO " +
                 QuoteIdent(b);
        case ObjectKind::kConstraint:
          return "ALTER TABLE " + table + " RENAME CONSTRAINT " + QuoteIdent(a) + " TO " +
                 QuoteIdent(b);
        case ObjectKind::kTrigger:
          return "ALTER TRIGGER " + QuoteIdent(a) + " ON " + table + " RENAME TO " + QuoteIdent(b);
        default:
          return "ALTER POLICY " + QuoteIdent(a) + " ON " + table + " RENAME TO " + QuoteIdent(b);
      }
    };
    std::string sql = statement(r.old_name, r.column);
    DBARCH_RETURN_IF_ERROR(Build({sql}));
    if (r.kind == ObjectKind::kColumn) {
      QualifiedName table_name = r.table;
      std::string old = r.old_name, now = r.column;
      Defer([table_name, old, now](Catalog& c) { FollowColumn(c, table_name, old, now); });
    }
    Add(r, table + "." + QuoteIdent(r.column), {sql}, {statement(r.column, r.old_name)},
        kAccessExclusive);
    if (r.kind == ObjectKind::kColumn) {
      IdentitySequenceName(r.table, r.table.name, r.old_name, r.table.name, r.column);
    }
    return Status::OK();
  }

  // What the builder leaves to the caller after a column rename: the trigger conditions
  // of that table naming the column (NEW.col, OLD.col).
  static void FollowColumn(Catalog& c, const QualifiedName& table, const std::string& old,
                           const std::string& now) {
    catalog::Table* t = c.FindTable(table);
    if (t == nullptr) return;
    for (catalog::Trigger& tr : t->triggers) {
      if (tr.when.empty()) continue;
      std::vector<Token> ts = Tokenize(tr.when);
      std::string out;
      size_t copied = 0;
      for (size_t i = 2; i < ts.size(); ++i) {
        if (!IsName(ts[i]) || ts[i].value != old || !IsChar(ts, i - 1, '.')) continue;
        if (ts[i - 2].value != "new" && ts[i - 2].value != "old") continue;
        out += tr.when.substr(copied, ts[i].begin - copied) + QuoteIdent(now);
        copied = ts[i].end;
      }
      if (copied != 0) tr.when = out + tr.when.substr(copied);
    }
  }

  Status Label(const Rename& r) {
    auto it = view().types.find(r.table);
    if (it == view().types.end() || it->second.kind != catalog::TypeKind::kEnum) {
      return Error(r, "no enum type " + r.table.Quoted() + " in the source (rename the type too)");
    }
    const std::vector<std::string>& labels = it->second.labels;
    bool has_old = std::find(labels.begin(), labels.end(), r.old_name) != labels.end();
    bool has_new = std::find(labels.begin(), labels.end(), r.column) != labels.end();
    if (!has_old && has_new) return Status::OK();
    if (!has_old) {
      return Error(r,
                   "no label '" + r.old_name + "' in enum " + r.table.Quoted() + " of the source");
    }
    if (has_new) return Error(r, "enum " + r.table.Quoted() + " has '" + r.column + "' already");
    DBARCH_RETURN_IF_ERROR(Claim(r, "label " + r.table.Quoted() + "." + r.old_name));
    std::string type = "ALTER TYPE " + r.table.Quoted() + " RENAME VALUE ";
    std::string sql = type + QuoteLiteral(r.old_name) + " TO " + QuoteLiteral(r.column);
    DBARCH_RETURN_IF_ERROR(Build({sql}));
    Defer([r](Catalog& c) { FollowLabel(c, r.table, r.old_name, r.column); });
    Add(r, r.table.Quoted() + "." + QuoteLiteral(r.column), {sql},
        {type + QuoteLiteral(r.column) + " TO " + QuoteLiteral(r.old_name)}, "");
    return Status::OK();
  }

  // Expressions naming an enum label renamed from `old` to `now`.
  static void FollowLabel(Catalog& c, const QualifiedName& type_name, const std::string& old,
                          const std::string& now) {
    ForEachExpression(c, [&](std::string& s) { s = ReplaceLabel(s, type_name, old, now); });
    // Uncast literals compared with a column of the type, in that table's expressions.
    std::string spelled = Spell(type_name);
    auto label = [&](std::string& s) { s = ReplaceLabelLiteral(s, type_name, old, now); };
    for (auto& [q, t] : c.tables) {
      bool uses = std::any_of(t.columns.begin(), t.columns.end(), [&](const catalog::Column& c) {
        return c.type == spelled || c.type == spelled + "[]";
      });
      if (!uses) continue;
      for (catalog::Column& c : t.columns) {
        if (c.type == spelled) label(c.default_expr);
        label(c.generated_expr);
      }
      for (catalog::Constraint& k : t.constraints) {
        label(k.expression);
        label(k.exclude_predicate);
      }
      for (catalog::Trigger& tr : t.triggers) label(tr.when);
      for (catalog::Policy& p : t.policies) {
        label(p.using_expr);
        label(p.check_expr);
      }
      for (auto& [iq, i] : c.indexes) {
        if (i.table != q) continue;
        for (catalog::IndexKey& key : i.keys) label(key.expression);
        label(i.predicate);
      }
    }
  }

  const Catalog& to_;
  Catalog work_;  // the working catalog when it is not in builder_
  catalog::CatalogBuilder builder_;
  bool in_builder_ = false;
  std::vector<std::function<void(Catalog&)>> deferred_;
  AppliedRenames out_;
  std::map<std::string, std::string> schema_moves_;  // old schema -> new
  std::set<std::string> claimed_;
};

}  // namespace

AppliedRenames ApplyRenames(Catalog from, const Catalog& to, const std::vector<Rename>& renames) {
  return Applier(std::move(from), to).Run(renames);
}

Status CheckRenames(const Catalog& from, const Catalog& to, const std::vector<Rename>& renames) {
  if (renames.empty()) return Status::OK();
  return ApplyRenames(from, to, renames).status;  // a copy of `from`: checked, then dropped
}

std::vector<Rename> ReverseRenames(const std::vector<Rename>& renames, const Catalog* from) {
  std::map<std::string, std::string> schema_back;  // new schema -> old
  for (const Rename& r : renames) {
    if (r.kind == ObjectKind::kSchema) schema_back[r.table.name] = r.old_name;
  }
  auto back = [&](const std::string& schema) {
    auto it = schema_back.find(schema);
    return it == schema_back.end() ? schema : it->second;
  };
  // Containers (tables, enum types) by their target name -> their source name.
  std::map<QualifiedName, QualifiedName> container_back;
  for (const Rename& r : renames) {
    if ((r.kind == ObjectKind::kTable || r.kind == ObjectKind::kType ||
         r.kind == ObjectKind::kView || r.kind == ObjectKind::kMaterializedView) &&
        r.column.empty()) {
      container_back[r.table] = {r.old_schema.empty() ? back(r.table.schema) : r.old_schema,
                                 r.old_name};
    }
  }
  std::vector<Rename> out;
  for (const Rename& given : renames) {
    Rename r = given;
    if (!r.or_constraint.empty()) {
      // Which of the two the annotation named, as the forward diff decided it.
      auto it = container_back.find(r.table);
      QualifiedName table = it != container_back.end()
                                ? it->second
                                : QualifiedName{back(r.table.schema), r.table.name};
      const catalog::Table* t = from != nullptr ? from->FindTable(table) : nullptr;
      if (t != nullptr && t->FindColumn(r.old_name) == nullptr && HasConstraint(*t, r.old_name))
        r = AsConstraint(r);
      r.or_constraint.clear();
    }
    Rename b;
    b.kind = r.kind;
    b.where = r.where;
    bool member = r.kind == ObjectKind::kColumn || r.kind == ObjectKind::kConstraint ||
                  r.kind == ObjectKind::kTrigger || r.kind == ObjectKind::kPolicy ||
                  (r.kind == ObjectKind::kType && !r.column.empty());
    if (r.kind == ObjectKind::kSchema) {
      b.table = {"", r.old_name};
      b.old_name = r.table.name;
    } else if (member) {
      auto it = container_back.find(r.table);
      b.table = it != container_back.end() ? it->second
                                           : QualifiedName{back(r.table.schema), r.table.name};
      b.column = r.old_name;
      b.old_name = r.column;
    } else {
      b.table = {r.old_schema.empty() ? back(r.table.schema) : r.old_schema, r.old_name};
      b.old_name = r.table.name;
      b.old_schema = r.old_schema.empty() ? "" : r.table.schema;
      b.column = r.column;
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace dbarch::diff
