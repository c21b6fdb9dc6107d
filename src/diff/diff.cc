#include "diff/diff.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "base/strings.h"
#include "catalog/function_body.h"
#include "catalog/index_clones.h"
#include "catalog/naming.h"
#include "diff/renames.h"
#include "report/catalog_sql.h"
#include "report/ddl_fragments.h"
#include "sql/expr_normalizer.h"

namespace dbarch::diff {
namespace {

using catalog::Catalog;
using catalog::Collation;
using catalog::Column;
using catalog::Constraint;
using catalog::ConstraintKind;
using catalog::Function;
using catalog::IdentityKind;
using catalog::Index;
using catalog::ObjectKind;
using catalog::QualifiedName;
using catalog::Sequence;
using catalog::Table;
using catalog::Type;
using catalog::TypeKind;
using catalog::View;

constexpr const char* kAccessExclusive = "ACCESS EXCLUSIVE";
constexpr const char* kShareRowExclusive = "SHARE ROW EXCLUSIVE";
constexpr const char* kShare = "SHARE";
constexpr const char* kShareUpdateExclusive = "SHARE UPDATE EXCLUSIVE";

// Execution phases: a change runs after every change of a lower phase. Drops of what
// depends on something that changes come first, creations in dependency order, and drops
// of the things others depended on last.
enum Phase : int {
  kRenames = 0,
  kRoles,
  kDropViews,
  kDropAggregates,
  kDropTriggers,
  kDropForeignKeys,
  kDropConstraints,
  kDropIndexes,
  kDetach,
  kDropFunctionsForRecreate,
  kSchemas,
  kExtensions,
  kCollations,
  kTypes,
  kSequences,
  kFunctions,
  kDomains,
  kTables,
  kTableAlters,
  kColumns,
  kChildChecks,
  kAttach,
  kLateFunctions,  // functions whose SQL-standard bodies read what the tables phases change
  kConstraints,
  kIndexes,
  kForeignKeys,
  kAggregates,
  kViews,
  kViewIndexes,
  kTriggers,
  kPolicies,
  kSequenceOwners,
  kOwners,
  kGrants,
  kComments,
  kDropTables,
  kDropSequences,
  kDropDomains,
  kDropFunctions,
  kDropTypes,
  kDropCollations,
  kDropExtensions,
  kDropSchemas,
  kDropRoles,
};

std::string ColumnName(const QualifiedName& table, const std::string& column) {
  return table.Quoted() + "." + QuoteIdent(column);
}

std::string MemberName(const QualifiedName& table, const std::string& member) {
  return table.Quoted() + "." + QuoteIdent(member);
}

// A column default as SQL: the model drops a cast on a whole default, which an empty array
// needs to have a type.
std::string DefaultSql(const Column& c) {
  // In the source's words where the casts matter to the server (model.h).
  if (!c.default_text.empty()) return c.default_text;
  if (c.default_expr == "ARRAY[]") return "ARRAY[]::" + report::SqlType(c.type);
  return c.default_expr;
}

std::string OwnerSql(const std::string& owner) { return report::SqlRole(owner); }

// The storage parameters ALTER TABLE ... SET (...) gives so that the server's list of
// parameters becomes `to`, in `to`'s order, once those `to` lacks are RESET: SET drops the
// values it names and appends them in the order given (reloptions.c, transformRelOptions),
// separately for the table's own parameters and the toast.* ones. So the longest prefix of
// `to` that the parameters left alone already hold in that order (values included) stays, and
// the rest of `to` is set.
std::vector<std::pair<std::string, std::string>> OptionsToSet(const catalog::OptionList& from,
                                                              const catalog::OptionList& to) {
  std::vector<std::pair<std::string, std::string>> out;
  for (bool toast : {false, true}) {
    auto in_space = [&](const auto& o) { return o.first.starts_with("toast.") == toast; };
    std::vector<std::pair<std::string, std::string>> want, kept;
    for (const auto& o : to) {
      if (in_space(o)) want.push_back(o);
    }
    for (const auto& o : from) {
      if (in_space(o) && to.Find(o.first) != nullptr) kept.push_back(o);
    }
    // Whether the kept parameters named by want[0, n) are exactly want[0, n), in order.
    auto stays = [&](size_t n) {
      size_t next = 0;
      for (const auto& o : kept) {
        bool named = false;
        for (size_t i = 0; i < n && !named; ++i) named = want[i].first == o.first;
        if (!named) continue;
        if (next >= n || want[next] != o) return false;
        ++next;
      }
      return next == n;
    };
    size_t prefix = 0;
    while (prefix < want.size() && stays(prefix + 1)) ++prefix;
    out.insert(out.end(), want.begin() + static_cast<std::ptrdiff_t>(prefix), want.end());
  }
  return out;
}

std::string CommentSql(const std::string& what, const std::string& text) {
  return "COMMENT ON " + what + " IS " + (text.empty() ? "NULL" : QuoteLiteral(text));
}

// ---------------------------------------------------------------------------------------
// Column type changes

struct TypeInfo {
  std::string base;  // without modifiers
  int length = -1;   // varchar(n)/char(n) length; numeric precision
  int scale = -1;
};

TypeInfo ParseType(const std::string& type) {
  TypeInfo t;
  size_t open = type.find('(');
  if (open == std::string::npos || type.find('[') != std::string::npos) {
    t.base = type;
    return t;
  }
  t.base = type.substr(0, open);
  std::string args = type.substr(open + 1, type.find(')') - open - 1);
  size_t comma = args.find(',');
  try {
    t.length = std::stoi(args.substr(0, comma));
    if (comma != std::string::npos) t.scale = std::stoi(args.substr(comma + 1));
  } catch (...) {
    t.length = -1;
  }
  return t;
}

int IntRank(const std::string& base) {
  if (base == "smallint") return 1;
  if (base == "integer") return 2;
  if (base == "bigint") return 3;
  return 0;
}

bool IsStringType(const std::string& base) {
  return base == "character varying" || base == "text" || base == "character";
}

// True when every value of type `from` converts to `to` without loss.
bool IsWidening(const std::string& from, const std::string& to) {
  TypeInfo a = ParseType(from), b = ParseType(to);
  if (to == "text" && IsStringType(a.base)) return true;
  if (a.base == "character varying" && b.base == "character varying") {
    return b.length < 0 || (a.length >= 0 && b.length >= a.length);
  }
  if (a.base == "character" && b.base == "character varying") {
    return b.length < 0 || (a.length >= 0 && b.length >= a.length);
  }
  if (a.base == "text" && b.base == "character varying" && b.length < 0) return true;
  int ra = IntRank(a.base), rb = IntRank(b.base);
  if (ra > 0 && rb >= ra) return true;
  if (ra > 0 && b.base == "numeric" && b.length < 0) return true;
  if (ra > 0 && ra < 3 && b.base == "double precision") return true;
  if (a.base == "real" && b.base == "double precision") return true;
  if (a.base == "numeric" && b.base == "numeric") {
    if (b.length < 0) return true;
    if (a.length < 0) return false;
    int sa = std::max(a.scale, 0), sb = std::max(b.scale, 0);
    return sb >= sa && b.length - sb >= a.length - sa;
  }
  if (a.base == "timestamp without time zone" && b.base == "timestamp with time zone") return true;
  if (a.base == "time without time zone" && b.base == "time with time zone") return true;
  if (a.base == "date" && b.base.rfind("timestamp", 0) == 0) return true;
  return false;
}

// True when the server changes the type without rewriting the table (binary-coercible).
bool IsBinaryCoercible(const std::string& from, const std::string& to) {
  TypeInfo a = ParseType(from), b = ParseType(to);
  bool a_var = a.base == "character varying" || a.base == "text";
  bool b_var = b.base == "character varying" || b.base == "text";
  if (a_var && b_var) {
    if (b.base == "text" || b.length < 0) return true;
    return a.base == "character varying" && a.length >= 0 && b.length >= a.length;
  }
  if (a.base == "numeric" && b.base == "numeric") {
    return b.length < 0 || (a.length >= 0 && a.scale == b.scale && b.length >= a.length);
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// The engine

class Engine {
 public:
  // The source is copied only when renames have to be applied to it.
  Engine(const Catalog& from, const Catalog& to, const DiffOptions& options)
      : renamed_(options.renames.empty() ? Catalog{} : from),
        from_(options.renames.empty() ? from : renamed_),
        to_(to),
        options_(options) {}

  DiffResult Run() {
    if (!options_.renames.empty()) Renames(renamed_);
    Prepare();
    Roles();
    Schemas();
    Extensions();
    Collations();
    Types();
    Sequences();
    Functions();
    Aggregates();
    Tables();
    Indexes();
    IndexClones();
    Views();
    Grants();
    DefaultPrivileges();
    ExtensionAndDomainConstraintComments();
    Others();
    std::stable_sort(result_.changes.begin(), result_.changes.end(),
                     [](const Change& a, const Change& b) { return a.phase < b.phase; });
    for (Change& c : result_.changes) {
      if (c.destructive && !options_.allow_destructive) c.refused = true;
    }
    return std::move(result_);
  }

 private:
  Change& Add(int phase, ObjectKind kind, std::string object, Action action,
              std::vector<std::string> sql, std::vector<std::string> reverse = {}) {
    Change c;
    c.phase = phase;
    c.kind = kind;
    c.object = std::move(object);
    c.action = action;
    c.sql = std::move(sql);
    c.reverse = std::move(reverse);
    result_.changes.push_back(std::move(c));
    return result_.changes.back();
  }

  // ----- renames (renames.h): applied to the copy of the source, emitted first
  void Renames(Catalog& renamed) {
    AppliedRenames applied = ApplyRenames(std::move(renamed), to_, options_.renames);
    renamed = std::move(applied.catalog);
    for (Change& c : applied.changes) result_.changes.push_back(std::move(c));
  }

  // ----- what is dropped or recreated, decided before any statement is written
  void Prepare() {
    for (const auto& [q, t] : from_.tables) {
      auto it = to_.tables.find(q);
      if (it == to_.tables.end()) {
        dropped_tables_.insert(q);
        continue;
      }
      const Table& b = it->second;
      if (t.partition_key != b.partition_key || t.of_type != b.of_type) {
        recreated_tables_.insert(q);
        // No ALTER changes a partition key: the table is created again and keeps its rows.
        if (KeepsRowsAcrossKeyChange(t, b)) copied_tables_.insert(q);
        continue;
      }
      for (const Column& c : t.columns) {
        const Column* n = b.FindColumn(c.name);
        if (n == nullptr || n->type != c.type || n->collation != c.collation ||
            n->generated_expr != c.generated_expr) {
          view_breaking_tables_.insert(q);
        }
        if (n != nullptr && (n->type != c.type || n->collation != c.collation))
          converted_columns_[q].insert(c.name);
        if (n != nullptr && n->type != c.type && !IsWidening(c.type, n->type) &&
            !IsBinaryCoercible(c.type, n->type))
          retyped_key_columns_[q].insert(c.name);
      }
    }
    // Collations whose definition changes are rebuilt: the columns using them are converted.
    for (const auto& [q, c] : from_.collations) {
      auto it = to_.collations.find(q);
      if (it == to_.collations.end() || SameCollationDefinition(c, it->second)) continue;
      rebuilt_collations_.insert(q);
      rebuilt_collation_spellings_.insert(CollationSpelling(q));
    }
    if (!rebuilt_collations_.empty()) PrepareCollationRebuild();
    ClosePartitionsOfRecreated();
    // Composite types whose kept attributes change type or collation: their table columns go
    // through text around ALTER ATTRIBUTE (views over them are created again).
    for (const auto& [q, t] : from_.types) {
      auto it = to_.types.find(q);
      if (t.kind != TypeKind::kComposite || it == to_.types.end() ||
          it->second.kind != TypeKind::kComposite)
        continue;
      bool altered = false;
      for (const catalog::TypeAttribute& at : t.attributes) {
        for (const catalog::TypeAttribute& bt : it->second.attributes) {
          altered = altered ||
                    (bt.name == at.name && (bt.type != at.type || bt.collation != at.collation));
        }
      }
      if (!altered) continue;
      std::string spelling = TypeSpelling(q);
      for (const auto& [tq, table] : from_.tables) {
        if (recreated_tables_.count(tq) || !to_.tables.count(tq) || table.partition_of) continue;
        for (const Column& col : table.columns) {
          if (BaseName(col.type) != spelling || !col.is_local) continue;
          composite_columns_[tq].insert(col.name);
          converted_columns_[tq].insert(col.name);
          view_breaking_tables_.insert(tq);
        }
      }
    }
    // Enums that lose a value are rebuilt: the tables using them change column types (and the
    // composite and range types over them are rebuilt with them: PrepareCompositeRebuild).
    for (const auto& [q, t] : from_.types) {
      auto it = to_.types.find(q);
      if (it == to_.types.end() || t.kind != TypeKind::kEnum || it->second.kind != TypeKind::kEnum)
        continue;
      if (!IsSubsequence(t.labels, it->second.labels)) {
        rebuilt_enums_.insert(q);
        std::string spelling = TypeSpelling(q);
        for (const auto& [tq, table] : from_.tables) {
          for (const Column& c : table.columns) {
            if (c.type == spelling || c.type == spelling + "[]") {
              view_breaking_tables_.insert(tq);
              enum_rebuilt_tables_.insert(tq);
              converted_columns_[tq].insert(c.name);
            }
          }
        }
      }
    }
    PrepareCompositeRebuild();
    // Domains whose base type or collation changes (no ALTER DOMAIN does it) are rebuilt:
    // renamed aside, created again and their columns converted; views over those columns are
    // created again.
    for (const auto& [q, t] : from_.types) {
      auto it = to_.types.find(q);
      if (t.kind != TypeKind::kDomain || it == to_.types.end() ||
          it->second.kind != TypeKind::kDomain || collation_domains_.count(q) ||
          (it->second.base_type == t.base_type && it->second.collation == t.collation)) {
        continue;
      }
      rebuilt_domains_.insert(q);
      std::string spelling = TypeSpelling(q);
      for (const auto& [tq, table] : from_.tables) {
        for (const Column& col : table.columns) {
          if (BaseName(col.type) != spelling) continue;
          view_breaking_tables_.insert(tq);
          converted_columns_[tq].insert(col.name);
        }
      }
    }
    if (!rebuilt_enums_.empty()) PrepareEnumRebuild();
    // Functions dropped, or dropped and created again (their signature or result changes):
    // the views and triggers that use them go first and come back after.
    for (const auto& [sig, f] : from_.functions) {
      if (f.aggregate) continue;  // below
      auto it = to_.functions.find(sig);
      if (it == to_.functions.end() ||
          (!SameFunction(f, it->second) && !Replaceable(f, it->second))) {
        recreated_functions_.insert(f.name);
        // Dropped and created again under the same signature: its grants are given again.
        if (it != to_.functions.end()) recreated_.insert(sig);
      }
    }
    // Functions whose arguments or result are a domain rebuilt with its collation: the server
    // refuses to drop the old domain while they use it, so they are dropped before and created
    // again after (with what calls them, their owner, comment and grants).
    if (!collation_domains_.empty() || !rebuilt_domains_.empty()) {
      std::set<std::string> domains;
      for (const QualifiedName& d : collation_domains_) domains.insert(TypeSpelling(d));
      for (const QualifiedName& d : rebuilt_domains_) domains.insert(TypeSpelling(d));
      for (const auto& [sig, f] : from_.functions) {
        if (!to_.functions.count(sig) || f.aggregate) continue;
        bool uses = domains.count(BaseName(f.returns)) > 0;
        for (const catalog::FunctionArg& arg : f.args)
          uses = uses || domains.count(BaseName(arg.type));
        if (!uses) continue;
        recreated_functions_.insert(f.name);
        domain_bound_functions_.insert(sig);
        recreated_.insert(sig);
      }
      for (const QualifiedName& d : collation_domains_) recreated_.insert(d.Quoted());
      for (const QualifiedName& d : rebuilt_domains_) recreated_.insert(d.Quoted());
    }
    PrepareAggregates();
    PrepareDomainValidation();
    PrepareSqlBodyFunctions();
    // Generated columns that are dropped and added again: their expression changes (there is
    // no ALTER for it in PostgreSQL 15) or calls a function that is dropped and created again
    // (the server refuses to drop a function a generation expression uses).
    for (const auto& [tq, t] : from_.tables) {
      const Table* b = to_.FindTable(tq);
      if (b == nullptr || recreated_tables_.count(tq)) continue;
      for (const Column& c : t.columns) {
        const Column* n = b->FindColumn(c.name);
        if (n == nullptr) continue;
        bool drop_expression_only =
            !c.generated_expr.empty() && n->generated_expr.empty() && c.type == n->type;
        bool rebuilt = (c.generated_expr != n->generated_expr && !drop_expression_only) ||
                       (!c.generated_expr.empty() && !n->generated_expr.empty() &&
                        (UsesRecreatedFunction(c.generated_expr) || GeneratedOverConverted(tq, c)));
        if (rebuilt) {
          rebuilt_columns_[tq].insert(c.name);
          view_breaking_tables_.insert(tq);
        }
      }
    }
    // Views rebuilt: changed ones, those over a table whose columns change, those calling a
    // function that is dropped, and (closure) those over a rebuilt view.
    for (const auto& [q, v] : from_.views) {
      auto it = to_.views.find(q);
      if (it == to_.views.end()) {
        dropped_views_.insert(q);
        continue;
      }
      if (!SameIgnoringMeta(v, it->second)) rebuilt_views_.insert(q);
      for (const QualifiedName& f : recreated_functions_) {
        if (v.definition.find(f.name + "(") != std::string::npos) rebuilt_views_.insert(q);
      }
      for (const QualifiedName& r : v.relations) {
        if (view_breaking_tables_.count(r) || dropped_tables_.count(r) ||
            recreated_tables_.count(r)) {
          rebuilt_views_.insert(q);
        }
      }
    }
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& [q, v] : from_.views) {
        if (rebuilt_views_.count(q) || dropped_views_.count(q)) continue;
        for (const QualifiedName& r : v.relations) {
          if (rebuilt_views_.count(r) || dropped_views_.count(r)) {
            rebuilt_views_.insert(q);
            grew = true;
            break;
          }
        }
      }
    }
    for (const QualifiedName& q : rebuilt_views_) recreated_.insert(q.Quoted());
    for (const QualifiedName& q : recreated_tables_) recreated_.insert(q.Quoted());
    for (const QualifiedName& q : dropped_tables_) gone_.insert(q.Quoted());
    for (const QualifiedName& q : dropped_views_) gone_.insert(q.Quoted());
  }

  // Functions whose SQL-standard body (BEGIN ATOMIC / RETURN) reads a column whose type or
  // collation changes (other than through an enum rebuild, which takes them along): the server
  // binds such a body to the columns it reads when the function is created and refuses to
  // change them while it does, so they are dropped before and created again after the columns
  // change (with what calls them, their owner, comment and grants). So is a function whose
  // body changes while its old body reads what goes (CREATE OR REPLACE would keep that bound
  // until the new body is in).
  void PrepareSqlBodyFunctions() {
    for (const auto& [sig, f] : from_.functions) {
      auto it = to_.functions.find(sig);
      if (it == to_.functions.end() || domain_bound_functions_.count(sig) ||
          !BodyReadsChanging(f, true))
        continue;
      // One that is not replaceable is dropped and created again anyway.
      if (!SameFunction(f, it->second) && !Replaceable(f, it->second)) continue;
      recreated_functions_.insert(f.name);
      sql_body_bound_functions_.insert(sig);
      recreated_.insert(sig);
    }
  }

  // Whether the SQL-standard body of `f` (a function of the source when `source`, else of the
  // target) reads a table that the other side lacks or that is created again, or a column that
  // the other side lacks or whose type or collation changes. Names are matched in the body's
  // text, so a name that only looks alike makes it true (the function is then merely created
  // later, or dropped and created again).
  bool BodyReadsChanging(const Function& f, bool source) const {
    if (!report::HasSqlStandardBody(f)) return false;
    const Catalog& self = source ? from_ : to_;
    const Catalog& other = source ? to_ : from_;
    for (const auto& [tq, t] : self.tables) {
      if (!MentionsIdent(f.body, tq.name)) continue;
      const Table* o = other.FindTable(tq);
      if (o == nullptr || recreated_tables_.count(tq)) return true;
      for (const Column& c : t.columns) {
        if (!MentionsIdent(f.body, c.name)) continue;
        if (o->FindColumn(c.name) == nullptr || ConvertedColumns(tq).count(c.name)) return true;
      }
    }
    return false;
  }

  // The phase a function of the target is created (or replaced) in: after the tables and
  // columns its SQL-standard body reads when they are new or change (the server resolves such
  // a body when the function is created), else with the other functions.
  int FunctionPhase(const Function& f) const {
    return BodyReadsChanging(f, false) ? kLateFunctions : kFunctions;
  }

  // Whether function `a` of the source and `b` of the target are the same: as the model
  // compares them (catalog::Function::operator==), except that SQL-standard bodies compare by
  // their normal form (catalog/function_body.h), each resolved against its own catalog.
  bool SameFunction(const Function& a, const Function& b) const {
    if (!report::HasSqlStandardBody(a) || !report::HasSqlStandardBody(b)) return a == b;
    Function x = a, y = b;
    x.body = y.body = "";
    return x == y && catalog::SqlBodyNormalForm(from_, a) == catalog::SqlBodyNormalForm(to_, b);
  }

  // Whether a table whose partition key changes (or that becomes, or stops being,
  // partitioned) is copied (CopyTables) rather than dropped and created empty: a top-level
  // table, neither typed nor in an inheritance tree.
  bool KeepsRowsAcrossKeyChange(const Table& a, const Table& b) const {
    // A partition that is itself partitioned, of a parent that stays, is detached, copied and
    // created again under the same parent (CopyTables).
    bool kept_parent = a.partition_of && b.partition_of && *a.partition_of == *b.partition_of &&
                       to_.tables.count(*a.partition_of) &&
                       from_.tables.at(*a.partition_of).partition_key ==
                           to_.tables.at(*a.partition_of).partition_key;
    // A table in an inheritance tree (which it leaves, or joins, as it stops or starts being
    // partitioned: a partitioned table takes no part in inheritance) is copied as well: its
    // children and parents let go of the old one first (CopyTables), and its own rows are
    // copied.
    return a.of_type == b.of_type && !a.of_type && (!a.partition_of || kept_parent) &&
           (!b.partition_of || kept_parent);
  }

  // Partitions go with a partitioned table that is created again: those TO keeps are created
  // again too; when the rows are copied, the old partitions (kept by TO or not) are renamed
  // aside with their parent, their rows copied through the new parent and dropped with it.
  void ClosePartitionsOfRecreated() {
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& [tq, table] : from_.tables) {
        if (!table.partition_of || !recreated_tables_.count(*table.partition_of)) continue;
        bool copied = copied_tables_.count(*table.partition_of) > 0;
        if (to_.tables.count(tq) && !recreated_tables_.count(tq)) {
          recreated_tables_.insert(tq);
          grew = true;
        }
        if (copied && !copied_tables_.count(tq)) {
          copied_tables_.insert(tq);
          grew = true;
        }
      }
    }
  }

  // Whether `expr` calls a function that is dropped (or dropped and created again): an
  // expression the server bound to it must go before the function and come back after.
  bool UsesRecreatedFunction(const std::string& expr) const {
    if (expr.empty()) return false;
    for (const QualifiedName& f : recreated_functions_) {
      std::string call = f.name + "(";
      for (size_t p = expr.find(call); p != std::string::npos; p = expr.find(call, p + 1)) {
        char before = p == 0 ? ' ' : expr[p - 1];
        bool ident = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                     (before >= '0' && before <= '9') || before == '_' || before == '$';
        if (!ident) return true;
      }
      std::string quoted = QuoteIdent(f.name) + "(";
      if (quoted != call && expr.find(quoted) != std::string::npos) return true;
    }
    return false;
  }

  // Whether `expr` holds `COLLATE <c>` for a collation that is rebuilt.
  bool MentionsRebuiltCollation(const std::string& expr) const {
    if (expr.empty() || expr.find("COLLATE") == std::string::npos) return false;
    for (const std::string& c : rebuilt_collation_spellings_) {
      for (const std::string& form : {c, report::SqlDottedName(c), "\"" + c + "\""}) {
        std::string needle = "COLLATE " + form;
        for (size_t p = expr.find(needle); p != std::string::npos; p = expr.find(needle, p + 1)) {
          size_t end = p + needle.size();
          char after = end < expr.size() ? expr[end] : ' ';
          bool ident = (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
                       (after >= '0' && after <= '9') || after == '_' || after == '$' ||
                       after == '.';
          if (!ident) return true;
        }
      }
    }
    return false;
  }

  bool UsesRebuiltCollation(const std::string& collation) const {
    return !collation.empty() && rebuilt_collation_spellings_.count(collation) > 0;
  }

  // An index whose key names a rebuilt collation (an explicit COLLATE, or an expression or
  // predicate with one): it is bound to the old collation, so it goes before the collation is
  // replaced and is created again after. Plain keys on a column of that collation are rebuilt
  // by the column's conversion.
  bool IndexUsesRebuiltCollation(const Index& i) const {
    auto composite = composite_columns_.find(i.table);
    if (composite != composite_columns_.end()) {
      for (const std::string& c : composite->second) {
        for (const catalog::IndexKey& k : i.keys) {
          if (MentionsIdent(k.expression, c)) return true;
        }
        if (MentionsIdent(i.predicate, c)) return true;
      }
    }
    if (rebuilt_collation_spellings_.empty()) return false;
    for (const catalog::IndexKey& k : i.keys) {
      if (UsesRebuiltCollation(k.collation) || MentionsRebuiltCollation(k.expression)) return true;
    }
    return MentionsRebuiltCollation(i.predicate);
  }

  // What a rebuilt collation reaches besides plain columns: domains of that collation (rebuilt
  // with it, their columns converted), views over the converted columns or naming the
  // collation, and partitioned tables whose key uses it (no ALTER changes a partition key: the
  // table is dropped and created again, with its partitions).
  void PrepareCollationRebuild() {
    for (const auto& [q, t] : from_.types) {
      auto it = to_.types.find(q);
      if (t.kind != TypeKind::kDomain || !UsesRebuiltCollation(t.collation) ||
          it == to_.types.end() || it->second.kind != TypeKind::kDomain ||
          it->second.base_type != t.base_type || it->second.collation != t.collation) {
        continue;
      }
      collation_domains_.insert(q);
    }
    std::set<std::string> domain_spellings;
    for (const QualifiedName& d : collation_domains_) domain_spellings.insert(TypeSpelling(d));
    for (const auto& [tq, table] : from_.tables) {
      bool key_uses = false;
      for (const Column& col : table.columns) {
        bool converted =
            UsesRebuiltCollation(col.collation) || domain_spellings.count(BaseName(col.type)) > 0;
        if (converted) {
          view_breaking_tables_.insert(tq);
          converted_columns_[tq].insert(col.name);
        }
        if (converted && !table.partition_key.empty() &&
            MentionsIdent(table.partition_key, col.name))
          key_uses = true;
      }
      if (MentionsRebuiltCollation(table.partition_key)) key_uses = true;
      if (key_uses && to_.tables.count(tq)) {
        recreated_tables_.insert(tq);
        copied_tables_.insert(tq);
      }
    }
    // Partitions go with a partitioned table that is created again.
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& [tq, table] : from_.tables) {
        if (table.partition_of && recreated_tables_.count(*table.partition_of) &&
            !recreated_tables_.count(tq) && to_.tables.count(tq)) {
          recreated_tables_.insert(tq);
          if (copied_tables_.count(*table.partition_of)) copied_tables_.insert(tq);
          grew = true;
        }
      }
    }
    // Columns of a composite type one of whose attributes changes collation: the server
    // refuses ALTER TYPE ... ALTER ATTRIBUTE while a table column uses the type, so such a
    // column is converted to text and back around it (its views are created again).
    std::set<std::string> composites;
    for (const auto& [q, t] : from_.types) {
      if (t.kind != TypeKind::kComposite || !to_.types.count(q)) continue;
      for (const catalog::TypeAttribute& at : t.attributes) {
        if (UsesRebuiltCollation(at.collation)) composites.insert(TypeSpelling(q));
      }
    }
    for (const auto& [tq, table] : from_.tables) {
      if (composites.empty() || recreated_tables_.count(tq) || !to_.tables.count(tq)) continue;
      for (const Column& col : table.columns) {
        if (!composites.count(BaseName(col.type)) || table.partition_of || !col.is_local) continue;
        composite_columns_[tq].insert(col.name);
        converted_columns_[tq].insert(col.name);
        view_breaking_tables_.insert(tq);
      }
    }
    for (const auto& [q, v] : from_.views) {
      if (MentionsRebuiltCollation(v.definition) && to_.views.count(q)) rebuilt_views_.insert(q);
    }
  }

  // What depends on an enum that is rebuilt besides its table columns: the server refuses to
  // drop the old type while a function takes or returns it, a SQL-standard body uses it (or
  // reads a column that is converted: the server refuses the conversion then), or a view
  // names it. Such functions are dropped before the rebuild and created again after it (with
  // what calls them, their owner, comment and grants), such views too; the type itself is
  // new, so its owner, comment and grants are set again.
  void PrepareEnumRebuild() {
    // A domain over a rebuilt enum is rebuilt after it (RebuildDomain, its columns converted
    // through text); the functions over it are created again with those over the enum.
    for (const auto& [q, d] : from_.types) {
      auto it = to_.types.find(q);
      if (d.kind != TypeKind::kDomain || it == to_.types.end() ||
          it->second.kind != TypeKind::kDomain || it->second.base_type != d.base_type ||
          d.base_type != BaseName(d.base_type) || !EnumRebuilt(d.base_type) ||
          rebuilt_domains_.count(q))
        continue;
      enum_domains_.insert(q);
      rebuilt_domains_.insert(q);
      std::string spelling = TypeSpelling(q);
      for (const auto& [tq, table] : from_.tables) {
        for (const Column& col : table.columns) {
          if (BaseName(col.type) != spelling) continue;
          view_breaking_tables_.insert(tq);
          converted_columns_[tq].insert(col.name);
        }
      }
    }
    std::set<QualifiedName> body_names = rebuilt_enums_;
    body_names.insert(enum_rebuilt_tables_.begin(), enum_rebuilt_tables_.end());
    BindToRebuiltTypes(
        rebuilt_enums_, [this](const std::string& type) { return EnumRebuilt(type); }, body_names);
  }

  // What is bound to the rebuilt types `types` besides their columns: the functions whose
  // argument or result type `bound` accepts, or whose SQL-standard body names one of
  // `body_names`, are dropped before the rebuild and created again after it (with what calls
  // them, their owner, comment and grants); the views that name one of `types` (a cast to it)
  // are created again; the types themselves are new (their grants are given again).
  void BindToRebuiltTypes(const std::set<QualifiedName>& types,
                          const std::function<bool(const std::string&)>& bound,
                          const std::set<QualifiedName>& body_names) {
    for (const auto& [sig, f] : from_.functions) {
      if (!to_.functions.count(sig)) continue;
      bool uses = bound(f.returns);
      for (const catalog::FunctionArg& arg : f.args) uses = uses || bound(arg.type);
      if (!uses && report::HasSqlStandardBody(f)) {
        for (const QualifiedName& q : body_names) uses = uses || MentionsIdent(f.body, q.name);
      }
      if (!uses) continue;
      recreated_functions_.insert(f.name);
      domain_bound_functions_.insert(sig);
      recreated_.insert(sig);
    }
    for (const auto& [vq, v] : from_.views) {
      if (!to_.views.count(vq)) continue;
      for (const QualifiedName& q : types) {
        if (MentionsIdent(v.definition, q.name)) rebuilt_views_.insert(vq);
      }
    }
    for (const QualifiedName& q : types) recreated_.insert(q.Quoted());
  }

  // A column that holds a domain inside another type, taken out of the domain while the
  // domain's change is checked (PrepareDomainValidation).
  struct ReleasedColumn {
    QualifiedName table;
    std::string column;
    std::string type;       // its type (an array of the domain, a composite type, ...)
    std::string base_type;  // an array of a domain: the domain's base type; else "" (text)
    bool aside = false;     // the old copy of a table whose rows are copied: never given back
  };

  // Whether the change of domain `a` into `b` makes the server check the stored values: a
  // constraint added (or added again) without NOT VALID, or SET NOT NULL.
  bool DomainChangeValidates(const Type& a, const Type& b) const {
    if (b.not_null && !a.not_null) return true;
    for (const catalog::DomainConstraint& dc : b.constraints) {
      if (dc.not_valid) continue;
      bool kept = false;
      for (const catalog::DomainConstraint& x : a.constraints) {
        kept = kept || (x.name == dc.name && x.expression == dc.expression &&
                        x.not_valid == dc.not_valid && !UsesRecreatedFunction(x.expression));
      }
      if (!kept) return true;
    }
    return false;
  }

  // The server checks a domain's new constraint (or NOT NULL) only on the columns of the
  // domain itself: it refuses the change while a column holds the domain inside another type
  // (an array of it, a composite type with an attribute of it, or either over a domain built
  // on it). Such columns leave the domain for the change (an array for an array of the base
  // type, any other for text, which keeps every value) and come back after it, which checks
  // every value they hold. Their views go before and come back after, and so do the policies,
  // trigger conditions and generated columns that name them.
  void PrepareDomainValidation() {
    for (const auto& [q, a] : from_.types) {
      auto it = to_.types.find(q);
      if (a.kind != TypeKind::kDomain || it == to_.types.end() ||
          it->second.kind != TypeKind::kDomain || rebuilt_domains_.count(q) ||
          collation_domains_.count(q) || !DomainChangeValidates(a, it->second))
        continue;
      // The domain and the domains over it; then the composite types holding one of them.
      std::set<std::string> domains{TypeSpelling(q)};
      std::set<std::string> composites;
      for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [oq, o] : from_.types) {
          std::string spelling = TypeSpelling(oq);
          if (domains.count(spelling) || composites.count(spelling)) continue;
          bool holds = o.kind == TypeKind::kDomain && domains.count(BaseName(o.base_type)) > 0;
          bool composite = false;
          for (const catalog::TypeAttribute& at : o.attributes) {
            std::string base = BaseName(at.type);
            composite = composite || domains.count(base) > 0 || composites.count(base) > 0;
          }
          if (holds) domains.insert(spelling);
          if (composite && o.kind == TypeKind::kComposite) composites.insert(spelling);
          grew = grew || holds || composite;
        }
      }
      for (const auto& [tq, table] : from_.tables) {
        // A table whose rows are copied (CopyTables) is renamed aside before the domain
        // changes: its old copy's columns are released for good, and the copy casts them back
        // (which checks every value).
        bool copied = copied_tables_.count(tq) > 0;
        if ((recreated_tables_.count(tq) && !copied) || table.partition_of || table.of_type)
          continue;
        for (const Column& col : table.columns) {
          std::string base = BaseName(col.type);
          bool array_of_domain = domains.count(base) > 0 && col.type != base;
          if ((!array_of_domain && !composites.count(base)) || !col.is_local) continue;
          const Type* element = nullptr;
          for (const auto& [oq, o] : from_.types) {
            if (TypeSpelling(oq) == base) element = &o;
          }
          if (element == nullptr) continue;
          released_columns_[q].push_back({copied ? AsideName(tq) : tq, col.name, col.type,
                                          array_of_domain ? DomainBaseType(*element) : "", copied});
          if (copied) copy_casts_[tq][col.name] = col.type;
          if (copied || !to_.tables.count(tq)) continue;
          converted_columns_[tq].insert(col.name);
          view_breaking_tables_.insert(tq);
        }
      }
    }
  }

  // The base type under domain `d` (through the domains it is built on).
  std::string DomainBaseType(const Type& d) const {
    const Type* t = &d;
    for (int depth = 0; depth < 64 && t->kind == TypeKind::kDomain; ++depth) {
      const Type* next = nullptr;
      for (const auto& [oq, o] : from_.types) {
        if (TypeSpelling(oq) == BaseName(t->base_type) && o.kind == TypeKind::kDomain) next = &o;
      }
      if (next == nullptr) return t->base_type;
      t = next;
    }
    return t->base_type;
  }

  // Whether `type` (or its element type) is an enum that is rebuilt.
  bool EnumRebuilt(const std::string& type) const {
    std::string base = BaseName(type);
    for (const QualifiedName& q : rebuilt_enums_) {
      if (TypeSpelling(q) == base) return true;
    }
    return false;
  }

  // Whether `expr` names the identifier `name` (bare, with no identifier character on either
  // side, or quoted).
  static bool MentionsIdent(const std::string& expr, const std::string& name) {
    if (expr.empty() || name.empty()) return false;
    auto ident = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '_' || ch == '$';
    };
    for (size_t p = expr.find(name); p != std::string::npos; p = expr.find(name, p + 1)) {
      char before = p == 0 ? ' ' : expr[p - 1];
      char after = p + name.size() < expr.size() ? expr[p + name.size()] : ' ';
      if (!ident(before) && !ident(after) && before != '"') return true;
    }
    std::string quoted = "\"" + name + "\"";
    return expr.find(quoted) != std::string::npos;
  }

  // Whether a generated column's expression names a column of its table whose type or
  // collation changes: the server refuses that change while the generated column uses it, so
  // the generated column goes before and is added again after.
  bool GeneratedOverConverted(const QualifiedName& table, const Column& c) const {
    if (c.generated_expr.empty()) return false;
    for (const std::string& other : ConvertedColumns(table)) {
      if (other != c.name && MentionsIdent(c.generated_expr, other)) return true;
    }
    return false;
  }

  // Whether one of `columns` of `table` changes to a type that is neither a widening nor
  // binary-coercible: a foreign key over it (either side) is dropped before and added after,
  // since the server checks that both sides still compare while it changes one.
  bool ColumnsRetyped(const QualifiedName& table, const std::vector<std::string>& columns) const {
    auto it = retyped_key_columns_.find(table);
    if (it == retyped_key_columns_.end()) return false;
    for (const std::string& c : columns) {
      if (it->second.count(c)) return true;
    }
    return false;
  }

  // The columns of `table` whose type or collation changes (empty when none).
  const std::set<std::string>& ConvertedColumns(const QualifiedName& table) const {
    static const std::set<std::string> kNone;
    auto it = converted_columns_.find(table);
    return it == converted_columns_.end() ? kNone : it->second;
  }

  // The generated columns of `table` that are dropped and added again (empty when none).
  const std::set<std::string>& RebuiltColumns(const QualifiedName& table) const {
    static const std::set<std::string> kNone;
    auto it = rebuilt_columns_.find(table);
    return it == rebuilt_columns_.end() ? kNone : it->second;
  }

  // Whether an index names a generated column that is dropped and added again: the server
  // drops the index with the column, so it is created again after.
  bool IndexOnRebuiltColumn(const Index& i) const {
    for (const std::string& c : RebuiltColumns(i.table)) {
      for (const catalog::IndexKey& k : i.keys) {
        if (k.column == c || MentionsIdent(k.expression, c)) return true;
      }
      if (std::find(i.include.begin(), i.include.end(), c) != i.include.end()) return true;
      if (MentionsIdent(i.predicate, c)) return true;
    }
    return false;
  }

  bool ConstraintOnRebuiltColumn(const QualifiedName& table, const Constraint& k) const {
    for (const std::string& c : RebuiltColumns(table)) {
      if (std::find(k.columns.begin(), k.columns.end(), c) != k.columns.end()) return true;
      if (MentionsIdent(k.expression, c) || MentionsIdent(k.exclude_predicate, c)) return true;
    }
    return false;
  }

  // Also true for a partial or expression index on a table whose enum is rebuilt: its
  // constants have the old type, so it is dropped before the conversion and created after.
  bool IndexUsesRecreatedFunction(const Index& i) const {
    bool enum_bound = enum_rebuilt_tables_.count(i.table) > 0;
    for (const catalog::IndexKey& k : i.keys) {
      if (UsesRecreatedFunction(k.expression) || (enum_bound && !k.expression.empty())) return true;
    }
    return UsesRecreatedFunction(i.predicate) || (enum_bound && !i.predicate.empty());
  }

  static bool IsSubsequence(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    size_t j = 0;
    for (const std::string& x : a) {
      while (j < b.size() && b[j] != x) ++j;
      if (j == b.size()) return false;
      ++j;
    }
    return true;
  }

  static bool SameIgnoringMeta(View a, View b) {
    a.owner = b.owner;
    a.comment = b.comment;
    a.column_comments = b.column_comments;
    return a == b;
  }

  static std::string TypeSpelling(const QualifiedName& q) {
    return q.schema == "public" || q.schema == "pg_catalog" ? QuoteIdent(q.name) : q.Quoted();
  }

  // ----- roles
  // Roles belong to the cluster, not to one database, so a database (or a schema file that
  // does not mention a role) never decides that a role should go: only the roles a schema
  // file of the target declares are managed. Such a role is created when it is missing (in a
  // block that tolerates its existence elsewhere in the cluster) and given the declared
  // attributes, memberships and comment; `DROP ROLE` in the target's files drops it (in a
  // block that leaves it, with a notice, while objects of other databases still depend on
  // it). Every other role, on either side, is left as it is.
  static bool DeclaredByFile(const catalog::Role& r) {
    return !r.origin.span.file.empty() && r.origin.span.file != catalog::kServerSource;
  }

  static std::string RoleOptions(const catalog::Role& r, const catalog::Role* before) {
    std::string out;
    auto flag = [&](bool now, bool was, const char* yes, const char* no) {
      if (before == nullptr ? now : now != was) out += std::string(" ") + (now ? yes : no);
    };
    catalog::Role none;
    const catalog::Role& b = before != nullptr ? *before : none;
    flag(r.superuser, b.superuser, "SUPERUSER", "NOSUPERUSER");
    flag(r.create_db, b.create_db, "CREATEDB", "NOCREATEDB");
    flag(r.create_role, b.create_role, "CREATEROLE", "NOCREATEROLE");
    if (before == nullptr ? !r.inherit : r.inherit != b.inherit)
      out += r.inherit ? " INHERIT" : " NOINHERIT";
    flag(r.login, b.login, "LOGIN", "NOLOGIN");
    flag(r.replication, b.replication, "REPLICATION", "NOREPLICATION");
    flag(r.bypass_rls, b.bypass_rls, "BYPASSRLS", "NOBYPASSRLS");
    if (before == nullptr ? r.connection_limit != -1 : r.connection_limit != b.connection_limit)
      out += " CONNECTION LIMIT " + std::to_string(r.connection_limit);
    if (before == nullptr ? !r.valid_until.empty() : r.valid_until != b.valid_until)
      out += " VALID UNTIL " + ValidUntilSql(r);
    return out;
  }

  // The attributes a role needs whatever it had: those a non-superuser may set spelled both
  // ways, the superuser-only ones when they are wanted.
  static std::string RoleResetOptions(const catalog::Role& r) {
    std::string out = r.create_db ? " CREATEDB" : " NOCREATEDB";
    out += r.create_role ? " CREATEROLE" : " NOCREATEROLE";
    out += r.inherit ? " INHERIT" : " NOINHERIT";
    out += r.login ? " LOGIN" : " NOLOGIN";
    out += " CONNECTION LIMIT " + std::to_string(r.connection_limit);
    out += " VALID UNTIL " + ValidUntilSql(r);
    if (r.superuser) out += " SUPERUSER";
    if (r.replication) out += " REPLICATION";
    if (r.bypass_rls) out += " BYPASSRLS";
    return out;
  }

  // 'infinity' stands for no limit: the server has no other way back to it.
  static std::string ValidUntilSql(const catalog::Role& r) {
    return QuoteLiteral(r.valid_until.empty() ? "infinity" : r.valid_until);
  }

  // The psql variable that carries a role's password into a migration: <role>_password, the
  // role's name lower-cased with every character psql does not allow in a name as '_'.
  static std::string PasswordVariable(const std::string& role) {
    std::string out;
    for (char c : role) {
      char l = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      out += (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' ? l : '_';
    }
    return out + "_password";
  }

  // The password the target's file gives a role, against what the source has. Secrets are
  // never copied: a clear-text password in the target's file becomes a psql variable
  // reference; a hash literal there is written as given (it is the user's own text, and not
  // the password); a hash read from a server is never written. A file that names no password
  // leaves the role's password alone; PASSWORD NULL removes it. A server whose pg_authid the
  // session cannot read (not a superuser) gives no way to compare: nothing is written and a
  // warning says so.
  void PasswordChange(const catalog::Role& r, const catalog::Role* before) {
    using catalog::RolePassword;
    if (r.password == RolePassword::kUnspecified) return;
    std::string name = QuoteIdent(r.name);
    RolePassword had = before == nullptr ? RolePassword::kNone : before->password;
    if (before != nullptr && had == RolePassword::kUnspecified) {
      if (!DeclaredByFile(*before)) {
        result_.warnings.push_back("role " + name +
                                   ": the server's password cannot be read (pg_authid needs a "
                                   "superuser), so its password is left as it is");
        return;
      }
      had = RolePassword::kNone;  // a file without PASSWORD: the role has none
    }
    bool had_password = had == RolePassword::kHash || had == RolePassword::kClearText;
    switch (r.password) {
      case RolePassword::kUnspecified:
        return;
      case RolePassword::kNone:
        if (had_password) {
          Add(kRoles, ObjectKind::kRole, name, Action::kAlter,
              {"ALTER ROLE " + name + " PASSWORD NULL"});
        }
        return;
      case RolePassword::kHash:
        if (had == RolePassword::kHash && before->password_hash == r.password_hash) return;
        Add(kRoles, ObjectKind::kRole, name, Action::kAlter,
            {"ALTER ROLE " + name + " PASSWORD " + QuoteLiteral(r.password_hash)});
        return;
      case RolePassword::kClearText: {
        // A hash on the other side cannot be checked against the text: taken as set.
        if (had == RolePassword::kHash) return;
        if (had == RolePassword::kClearText &&
            before->password_fingerprint == r.password_fingerprint)
          return;
        std::string var = PasswordVariable(r.name);
        Change& c = Add(kRoles, ObjectKind::kRole, name, Action::kAlter,
                        {"ALTER ROLE " + name + " PASSWORD :'" + var + "'"});
        c.psql_variable = var;
        return;
      }
    }
  }

  static std::string CreateRoleSql(const catalog::Role& r) {
    std::string opts = RoleOptions(r, nullptr);
    std::string name = QuoteIdent(r.name);
    return "DO $dbarch$BEGIN CREATE ROLE " + name + (opts.empty() ? "" : " WITH" + opts) +
           "; EXCEPTION WHEN duplicate_object THEN ALTER ROLE " + name + " WITH" +
           RoleResetOptions(r) + "; END$dbarch$";
  }

  static std::string DropRoleSql(const std::string& role) {
    std::string name = QuoteIdent(role);
    return "DO $dbarch$BEGIN DROP ROLE IF EXISTS " + name +
           "; EXCEPTION WHEN dependent_objects_still_exist THEN RAISE NOTICE " +
           QuoteLiteral("role " + role + " is still used in the cluster: not dropped") +
           "; END$dbarch$";
  }

  void Roles() {
    std::vector<const catalog::Role*> members;
    for (const auto& [name, r] : to_.roles) {
      if (!DeclaredByFile(r)) continue;
      auto it = from_.roles.find(name);
      const catalog::Role* before = it == from_.roles.end() ? nullptr : &it->second;
      std::string what = "ROLE " + QuoteIdent(name);
      if (before == nullptr) {
        Add(kRoles, ObjectKind::kRole, QuoteIdent(name), Action::kCreate, {CreateRoleSql(r)});
      } else {
        std::string opts = RoleOptions(r, before);
        if (!opts.empty()) {
          Add(kRoles, ObjectKind::kRole, QuoteIdent(name), Action::kAlter,
              {"ALTER ROLE " + QuoteIdent(name) + " WITH" + opts},
              {"ALTER ROLE " + QuoteIdent(name) + " WITH" + RoleOptions(*before, &r)});
        }
      }
      PasswordChange(r, before);
      members.push_back(&r);
      CommentChange(ObjectKind::kRole, what, before == nullptr ? "" : before->comment, r.comment);
    }
    // Memberships after every role exists.
    for (const catalog::Role* r : members) {
      auto it = from_.roles.find(r->name);
      std::vector<std::string> had;
      if (it != from_.roles.end()) had = it->second.member_of;
      std::string member = QuoteIdent(r->name);
      for (const std::string& g : r->member_of) {
        if (std::find(had.begin(), had.end(), g) != had.end()) continue;
        Add(kRoles, ObjectKind::kRole, member, Action::kAlter,
            {"GRANT " + QuoteIdent(g) + " TO " + member},
            {"REVOKE " + QuoteIdent(g) + " FROM " + member});
      }
      for (const std::string& g : had) {
        if (std::find(r->member_of.begin(), r->member_of.end(), g) != r->member_of.end()) continue;
        Add(kRoles, ObjectKind::kRole, member, Action::kAlter,
            {"REVOKE " + QuoteIdent(g) + " FROM " + member},
            {"GRANT " + QuoteIdent(g) + " TO " + member});
      }
    }
    for (const std::string& name : to_.dropped_roles) {
      auto it = from_.roles.find(name);
      if (it == from_.roles.end() || to_.roles.count(name)) continue;
      Change& c = Add(kDropRoles, ObjectKind::kRole, QuoteIdent(name), Action::kDrop,
                      {DropRoleSql(name)}, {CreateRoleSql(it->second)});
      c.destructive = true;
      c.data_loss = "role " + QuoteIdent(name) + " (cluster-wide: its logins and memberships)";
    }
    for (const auto& [name, r] : from_.roles) {
      if (DeclaredByFile(r) && to_.roles.count(name) == 0 &&
          std::find(to_.dropped_roles.begin(), to_.dropped_roles.end(), name) ==
              to_.dropped_roles.end()) {
        result_.warnings.push_back("role " + QuoteIdent(name) +
                                   " is declared only by the source: left as it is (roles belong "
                                   "to the cluster; write DROP ROLE in the target to drop it)");
      }
    }
  }

  // ----- collations
  static bool SameCollationDefinition(Collation a, const Collation& b) {
    a.owner = b.owner;
    a.comment = b.comment;
    return a == b;
  }

  // How a column's collation names this one (Column::collation).
  static std::string CollationSpelling(const QualifiedName& q) {
    return q.schema == "public" || q.schema == "pg_catalog" ? q.name : q.schema + "." + q.name;
  }

  void Collations() {
    for (const auto& [q, c] : to_.collations) {
      std::string what = "COLLATION " + q.Quoted();
      auto it = from_.collations.find(q);
      if (it == from_.collations.end()) {
        Add(kCollations, ObjectKind::kCollation, q.Quoted(), Action::kCreate,
            {report::CollationSql(c)}, {"DROP COLLATION " + q.Quoted()});
        if (!c.owner.empty()) OwnerChange(ObjectKind::kCollation, what, "", c.owner);
        if (!c.comment.empty()) CommentChange(ObjectKind::kCollation, what, "", c.comment);
        continue;
      }
      const Collation& a = it->second;
      if (rebuilt_collations_.count(q)) RebuildCollation(a, c);
      OwnerChange(ObjectKind::kCollation, what, a.owner, c.owner);
      CommentChange(ObjectKind::kCollation, what, a.comment, c.comment);
    }
    for (const auto& [q, c] : from_.collations) {
      if (to_.collations.count(q)) continue;
      Add(kDropCollations, ObjectKind::kCollation, q.Quoted(), Action::kDrop,
          {"DROP COLLATION " + q.Quoted()}, {report::CollationSql(c)});
    }
  }

  // A collation cannot be altered: the old one is renamed, the new one created, the columns
  // using it converted (their indexes are rebuilt) and the old one dropped.
  void RebuildCollation(const Collation& a, const Collation& b) {
    std::string old_name = b.name.name + "_dbarch_old";
    std::vector<std::string> sql{
        "ALTER COLLATION " + a.name.Quoted() + " RENAME TO " + QuoteIdent(old_name),
        report::CollationSql(b)};
    std::string spelling = CollationSpelling(b.name);
    // Domains of that collation: no ALTER DOMAIN changes a collation, so each is renamed,
    // created again (as the source has it: later changes of the domain apply after) and its
    // columns converted to the new one, their defaults set again.
    std::vector<std::string> domain_drops;
    for (const QualifiedName& dq : collation_domains_) {
      const Type& d = from_.types.at(dq);
      if (d.collation != spelling) continue;
      std::string old_domain = dq.name + "_dbarch_old";
      sql.push_back("ALTER DOMAIN " + dq.Quoted() + " RENAME TO " + QuoteIdent(old_domain));
      for (const std::string& s : report::CreateStatements(from_, d)) sql.push_back(s);
      std::string type = TypeSpelling(dq);
      for (const auto& [tq, t] : from_.tables) {
        if (dropped_tables_.count(tq) || recreated_tables_.count(tq)) continue;
        for (const Column& c : t.columns) {
          bool array = c.type == type + "[]";
          if ((c.type != type && !array) || t.partition_of || !c.is_local) continue;
          std::string alter = "ALTER TABLE " + tq.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
          // A default that calls a function dropped and created again is already gone and
          // comes back after the function.
          bool own_default = !c.default_expr.empty() && !UsesRecreatedFunction(c.default_expr);
          if (own_default) sql.push_back(alter + " DROP DEFAULT");
          sql.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " +
                        QuoteIdent(c.name) + "::" + report::SqlType(d.base_type) +
                        (array ? "[]" : "") + "::" + report::SqlType(c.type));
          if (own_default) sql.push_back(alter + " SET DEFAULT " + DefaultSql(c));
        }
      }
      domain_drops.push_back("DROP DOMAIN " + QualifiedName{dq.schema, old_domain}.Quoted());
      auto target_it = to_.types.find(dq);
      const Type* target = target_it == to_.types.end() ? nullptr : &target_it->second;
      if (target != nullptr && !target->comment.empty())
        sql.push_back(CommentSql("DOMAIN " + dq.Quoted(), target->comment));
      if (target != nullptr && !target->owner.empty())
        sql.push_back("ALTER DOMAIN " + dq.Quoted() + " OWNER TO " + OwnerSql(target->owner));
    }
    // Composite type attributes of that collation are converted in place; the table columns
    // of such a type go through text meanwhile (the text form of a row keeps every value),
    // and typed tables follow with CASCADE.
    for (const auto& [tq, t] : from_.types) {
      auto target_it = to_.types.find(tq);
      const Type* target = target_it == to_.types.end() ? nullptr : &target_it->second;
      if (t.kind != TypeKind::kComposite || target == nullptr) continue;
      std::vector<std::string> alters;
      for (const catalog::TypeAttribute& at : t.attributes) {
        if (at.collation != spelling) continue;
        bool kept = false;
        for (const catalog::TypeAttribute& bt : target->attributes) {
          kept = kept || (bt.name == at.name && bt.type == at.type && bt.collation == spelling);
        }
        if (!kept) continue;
        alters.push_back("ALTER TYPE " + tq.Quoted() + " ALTER ATTRIBUTE " + QuoteIdent(at.name) +
                         " TYPE " + report::SqlType(at.type) + " COLLATE " +
                         report::SqlDottedName(spelling));
      }
      if (alters.empty()) continue;
      std::string type = TypeSpelling(tq);
      bool typed_tables = false;
      std::vector<std::string> back;
      CompositeColumnsThroughText(tq, sql, back, back);
      for (const auto& [table_q, table] : from_.tables) {
        typed_tables = typed_tables || (table.of_type && *table.of_type == tq);
      }
      for (const std::string& a : alters) sql.push_back(typed_tables ? a + " CASCADE" : a);
      for (const std::string& b : back) sql.push_back(b);
    }
    for (const auto& [tq, t] : from_.tables) {
      if (dropped_tables_.count(tq) || recreated_tables_.count(tq)) continue;
      const Table* target = to_.FindTable(tq);
      for (const Column& c : t.columns) {
        if (c.collation != spelling || target == nullptr) continue;
        const Column* n = target->FindColumn(c.name);
        if (n == nullptr || n->collation != spelling || n->type != c.type) continue;
        if (t.partition_of || !c.is_local) continue;  // reached through its parent
        if (t.of_type) continue;  // a typed table follows its type (ALTER TYPE ... CASCADE)
        sql.push_back("ALTER TABLE " + tq.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name) +
                      " TYPE " + report::SqlType(c.type) + " COLLATE " +
                      report::SqlDottedName(spelling));
      }
    }
    Change& c = Add(kCollations, ObjectKind::kCollation, b.name.Quoted(), Action::kAlter, sql);
    c.lock = kAccessExclusive;
    c.rewrites = true;
    // The old domains and collation go last: a partitioned table whose rows are copied keeps
    // them until it is dropped.
    for (const std::string& d : domain_drops) {
      Add(kDropDomains, ObjectKind::kDomain, b.name.Quoted(), Action::kDrop, {d});
    }
    Add(kDropCollations, ObjectKind::kCollation, b.name.Quoted(), Action::kDrop,
        {"DROP COLLATION " + QualifiedName{b.name.schema, old_name}.Quoted()});
  }

  // ----- schemas and extensions
  void Schemas() {
    for (const auto& [name, s] : to_.schemas) {
      auto it = from_.schemas.find(name);
      if (it == from_.schemas.end()) {
        if (name != "public") {
          Add(kSchemas, ObjectKind::kSchema, QuoteIdent(name), Action::kCreate,
              {"CREATE SCHEMA " + QuoteIdent(name)}, {"DROP SCHEMA " + QuoteIdent(name)});
        }
        if (!s.owner.empty())
          OwnerChange(ObjectKind::kSchema, "SCHEMA " + QuoteIdent(name), "", s.owner);
        if (!s.comment.empty())
          CommentChange(ObjectKind::kSchema, "SCHEMA " + QuoteIdent(name), "", s.comment);
        continue;
      }
      // The model's "" on the schema public stands for pg_database_owner, its owner as the
      // server creates it (a dump names no owner then), not for the session role.
      auto owner = [&](const std::string& o) {
        return name == "public" && o.empty() ? std::string("pg_database_owner") : o;
      };
      OwnerChange(ObjectKind::kSchema, "SCHEMA " + QuoteIdent(name), owner(it->second.owner),
                  owner(s.owner));
      CommentChange(ObjectKind::kSchema, "SCHEMA " + QuoteIdent(name), it->second.comment,
                    s.comment);
    }
    // The database's and the languages' owners that TO states (model.h).
    if (to_.database_owner && from_.database_owner.value_or("") != *to_.database_owner) {
      Add(kOwners, ObjectKind::kDatabase, catalog::kCurrentDatabase, Action::kAlter,
          {report::DatabaseOwnerSql(*to_.database_owner)},
          {report::DatabaseOwnerSql(from_.database_owner.value_or(""))});
    }
    for (const auto& [language, owner] : to_.language_owners) {
      auto before = from_.language_owners.find(language);
      OwnerChange(ObjectKind::kLanguage, "LANGUAGE " + QuoteIdent(language),
                  before == from_.language_owners.end() ? "" : before->second, owner);
    }
    for (const auto& [name, s] : from_.schemas) {
      if (to_.schemas.count(name) || name == "public") continue;
      Change& c = Add(kDropSchemas, ObjectKind::kSchema, QuoteIdent(name), Action::kDrop,
                      {"DROP SCHEMA " + QuoteIdent(name)}, {"CREATE SCHEMA " + QuoteIdent(name)});
      c.destructive = true;
      c.data_loss = "schema " + QuoteIdent(name);
    }
  }

  void Extensions() {
    for (const auto& [name, e] : to_.extensions) {
      auto it = from_.extensions.find(name);
      std::string create = "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(name);
      if (!e.schema.empty()) create += " WITH SCHEMA " + QuoteIdent(e.schema);
      if (it == from_.extensions.end()) {
        Add(kExtensions, ObjectKind::kExtension, QuoteIdent(name), Action::kCreate, {create},
            {"DROP EXTENSION " + QuoteIdent(name)});
      } else if (it->second.schema != e.schema && !e.schema.empty()) {
        Add(kExtensions, ObjectKind::kExtension, QuoteIdent(name), Action::kAlter,
            {"ALTER EXTENSION " + QuoteIdent(name) + " SET SCHEMA " + QuoteIdent(e.schema)},
            {"ALTER EXTENSION " + QuoteIdent(name) + " SET SCHEMA " +
             QuoteIdent(it->second.schema.empty() ? "public" : it->second.schema)});
      }
    }
    for (const auto& [name, e] : from_.extensions) {
      if (to_.extensions.count(name)) continue;
      Change& c = Add(kDropExtensions, ObjectKind::kExtension, QuoteIdent(name), Action::kDrop,
                      {"DROP EXTENSION " + QuoteIdent(name)},
                      {"CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(name)});
      c.destructive = true;
      c.data_loss = "extension " + QuoteIdent(name) + " and the objects it provides";
    }
  }

  void OwnerChange(ObjectKind kind, const std::string& what, const std::string& from,
                   const std::string& to) {
    if (from == to) return;
    Add(kOwners, kind, what, Action::kAlter, {"ALTER " + what + " OWNER TO " + OwnerSql(to)},
        {"ALTER " + what + " OWNER TO " + OwnerSql(from)});
  }

  void CommentChange(ObjectKind kind, const std::string& what, const std::string& from,
                     const std::string& to) {
    if (from == to) return;
    Add(kComments, kind, what, Action::kAlter, {CommentSql(what, to)}, {CommentSql(what, from)});
  }

  // COMMENT ON EXTENSION: a value, or (nullopt) the comment of the extension's control file,
  // which the server looks up.
  static std::string ExtensionCommentSql(const std::string& name,
                                         const std::optional<std::string>& text) {
    if (text) return CommentSql("EXTENSION " + QuoteIdent(name), *text);
    return "DO $dbarch$ BEGIN EXECUTE pg_catalog.format('COMMENT ON EXTENSION %I IS %L', " +
           QuoteLiteral(name) + ", (SELECT comment FROM pg_catalog.pg_available_extensions " +
           "WHERE name = " + QuoteLiteral(name) + ")); END $dbarch$";
  }

  // Comments on extensions and on domain constraints. A constraint added, or added again
  // (changed, or its domain created again), has none until it is set.
  void ExtensionAndDomainConstraintComments() {
    for (const auto& [name, e] : to_.extensions) {
      auto it = from_.extensions.find(name);
      std::optional<std::string> before;
      if (it != from_.extensions.end()) before = it->second.comment;
      if (before == e.comment) continue;
      Add(kComments, ObjectKind::kExtension, QuoteIdent(name), Action::kAlter,
          {ExtensionCommentSql(name, e.comment)}, {ExtensionCommentSql(name, before)});
    }
    for (const auto& [q, t] : to_.types) {
      if (t.kind != TypeKind::kDomain) continue;
      auto it = from_.types.find(q);
      bool created = it == from_.types.end() || it->second.kind != t.kind ||
                     recreated_.count(q.Quoted()) > 0 || DomainCallsRecreatedFunction(it->second);
      for (const catalog::DomainConstraint& c : t.constraints) {
        std::string before;
        bool kept = false;
        if (!created) {
          for (const catalog::DomainConstraint& a : it->second.constraints) {
            if (a.name != c.name) continue;
            kept = a.expression == c.expression && a.not_valid == c.not_valid;
            before = a.comment;
          }
        }
        if (!kept) before.clear();
        if (before == c.comment) continue;
        std::string what = "CONSTRAINT " + QuoteIdent(c.name) + " ON DOMAIN " + q.Quoted();
        Add(kComments, ObjectKind::kDomain, what, Action::kAlter, {CommentSql(what, c.comment)},
            {CommentSql(what, before)});
      }
    }
  }

  // ----- types
  static std::string TypeWord(const Type& t) {
    return t.kind == TypeKind::kDomain ? "DOMAIN " : "TYPE ";
  }

  void CreateType(const Type& t, int phase) {
    std::vector<std::string> sql = report::CreateStatements(to_, t);
    Add(phase, t.kind == TypeKind::kDomain ? ObjectKind::kDomain : ObjectKind::kType,
        t.name.Quoted(), Action::kCreate, sql, {"DROP " + TypeWord(t) + t.name.Quoted()});
    if (!t.owner.empty())
      OwnerChange(ObjectKind::kType, TypeWord(t) + t.name.Quoted(), "", t.owner);
    if (!t.comment.empty())
      CommentChange(ObjectKind::kType, TypeWord(t) + t.name.Quoted(), "", t.comment);
  }

  void DropType(const Type& t, int phase) {
    Change& c = Add(phase, t.kind == TypeKind::kDomain ? ObjectKind::kDomain : ObjectKind::kType,
                    t.name.Quoted(), Action::kDrop, {"DROP " + TypeWord(t) + t.name.Quoted()},
                    report::CreateStatements(from_, t));
    (void)c;
  }

  void Types() {
    std::vector<const Type*> created;
    // Enums that lose a value first: the composite and range types rebuilt over them are
    // created again over the new enum.
    for (const QualifiedName& q : rebuilt_enums_) {
      const Type& t = to_.types.at(q);
      EnumChange(from_.types.at(q), t);
      // A new type: its owner and comment are set again.
      OwnerChange(ObjectKind::kType, TypeWord(t) + q.Quoted(), "", t.owner);
      CommentChange(ObjectKind::kType, TypeWord(t) + q.Quoted(), "", t.comment);
    }
    if (!rebuilt_composites_.empty() || !composite_ranges_.empty()) RebuildComposites();
    for (const auto& [q, t] : to_.types) {
      auto it = from_.types.find(q);
      if (it == from_.types.end()) {
        created.push_back(&t);
        continue;
      }
      // RebuildComposites
      if (rebuilt_composites_.count(q) || composite_ranges_.count(q)) continue;
      const Type& a = it->second;
      if (a == t && !DomainCallsRecreatedFunction(a) && !composite_domains_.count(q) &&
          !enum_domains_.count(q))
        continue;
      std::string what = TypeWord(t) + q.Quoted();
      if (a.kind != t.kind) {
        result_.warnings.push_back("type " + q.Quoted() + " changes kind: dropped and created");
        DropType(a, kDropFunctionsForRecreate);
        created.push_back(&t);
        continue;
      }
      switch (t.kind) {
        case TypeKind::kEnum:
          if (rebuilt_enums_.count(q)) continue;  // above
          EnumChange(a, t);
          break;
        case TypeKind::kComposite:
          CompositeChange(a, t);
          break;
        case TypeKind::kDomain:
          if (enum_domains_.count(q)) {
            // After its enum is rebuilt (below).
            enum_domain_rebuilds_.emplace_back(&a, &t);
            continue;
          }
          DomainChange(a, t);
          if (rebuilt_domains_.count(q)) continue;  // comment and owner set with it
          break;
        case TypeKind::kRange:
          if (a.base_type != t.base_type || a.subtype_opclass != t.subtype_opclass) {
            DropType(a, kDropFunctionsForRecreate);
            created.push_back(&t);
            continue;
          }
          break;
      }
      OwnerChange(ObjectKind::kType, what, a.owner, t.owner);
      CommentChange(ObjectKind::kType, what, a.comment, t.comment);
    }
    for (const auto& [a, t] : enum_domain_rebuilds_) RebuildDomain(*a, *t);
    // Domains come after functions (their checks may call them), and so do the new types
    // built on a new domain.
    std::set<std::string> late;
    for (const Type* t : DependencyOrder(created)) {
      bool is_late = t->kind == TypeKind::kDomain || late.count(BaseName(t->base_type)) > 0;
      for (const catalog::TypeAttribute& at : t->attributes) {
        is_late = is_late || late.count(BaseName(at.type)) > 0;
      }
      if (is_late) late.insert(TypeSpelling(t->name));
      CreateType(*t, is_late ? kDomains : kTypes);
    }
    std::vector<const Type*> dropped;
    for (const auto& [q, t] : from_.types) {
      if (to_.types.count(q) == 0) dropped.push_back(&t);
    }
    // Mirror of the creation: domains (and the types built on them) before the functions
    // their checks call, every type after the types built on it.
    std::vector<const Type*> drop_order = DependencyOrder(dropped);
    std::set<std::string> early;
    for (const Type* t : drop_order) {
      bool is_early = t->kind == TypeKind::kDomain || early.count(BaseName(t->base_type)) > 0;
      for (const catalog::TypeAttribute& at : t->attributes) {
        is_early = is_early || early.count(BaseName(at.type)) > 0;
      }
      if (is_early) early.insert(TypeSpelling(t->name));
    }
    std::reverse(drop_order.begin(), drop_order.end());
    for (const Type* t : drop_order) {
      Add(early.count(TypeSpelling(t->name)) ? kDropDomains : kDropTypes,
          t->kind == TypeKind::kDomain ? ObjectKind::kDomain : ObjectKind::kType, t->name.Quoted(),
          Action::kDrop, {"DROP " + TypeWord(*t) + t->name.Quoted()},
          report::CreateStatements(from_, *t));
    }
    // The old forms of rebuilt composite types (and of the ranges over them), after the
    // dropped types that may use them.
    for (const auto& [q, drop] : old_range_drops_)
      Add(kDropTypes, ObjectKind::kType, q.Quoted(), Action::kDrop, {drop});
    for (const auto& [q, drop] : old_composite_drops_)
      Add(kDropTypes, ObjectKind::kType, q.Quoted(), Action::kDrop, {drop});
    // The old forms of rebuilt enums, after the domains, composite and range types over them.
    for (const auto& [q, drop] : old_enum_drops_)
      Add(kDropTypes, ObjectKind::kType, q.Quoted(), Action::kDrop, {drop});
  }

  // `types` ordered so that a type comes after the types of the list it is built on.
  static std::vector<const Type*> DependencyOrder(std::vector<const Type*> created) {
    std::stable_sort(created.begin(), created.end(), [](const Type* a, const Type* b) {
      return report::TypeCreationRank(a->kind) < report::TypeCreationRank(b->kind);
    });
    std::vector<const Type*> ordered;
    std::set<std::string> placed;
    for (size_t round = 0; round < created.size() + 1 && ordered.size() < created.size(); ++round) {
      for (const Type* t : created) {
        std::string spelling = TypeSpelling(t->name);
        if (placed.count(spelling)) continue;
        bool ready = true;
        for (const Type* o : created) {
          std::string os = TypeSpelling(o->name);
          if (o == t || placed.count(os)) continue;
          if (BaseName(t->base_type) == os) ready = false;
          for (const catalog::TypeAttribute& at : t->attributes)
            if (BaseName(at.type) == os) ready = false;
        }
        if (ready || round == created.size()) {
          ordered.push_back(t);
          placed.insert(spelling);
        }
      }
    }
    return ordered;
  }

  static std::string BaseName(const std::string& type) {
    std::string out = type;
    while (out.size() > 2 && out.compare(out.size() - 2, 2, "[]") == 0) out.resize(out.size() - 2);
    return out;
  }

  void EnumChange(const Type& a, const Type& b) {
    std::string name = b.name.Quoted();
    if (IsSubsequence(a.labels, b.labels)) {
      // ADD VALUE each new label next to its neighbour in the target order.
      std::vector<std::string> have = a.labels;
      for (size_t i = 0; i < b.labels.size(); ++i) {
        const std::string& l = b.labels[i];
        if (std::find(have.begin(), have.end(), l) != have.end()) continue;
        std::string stmt = "ALTER TYPE " + name + " ADD VALUE " + QuoteLiteral(l);
        if (i > 0) {
          stmt += " AFTER " + QuoteLiteral(b.labels[i - 1]);
        } else if (!have.empty()) {
          stmt += " BEFORE " + QuoteLiteral(have.front());
        }
        auto pos = i > 0 ? std::find(have.begin(), have.end(), b.labels[i - 1]) + 1 : have.begin();
        have.insert(pos, l);
        Add(kTypes, ObjectKind::kType, name, Action::kAlter, {stmt});
      }
      return;
    }
    // A removed (or reordered) value: rebuild the type and convert the columns using it.
    std::string old_name = b.name.name + "_dbarch_old";
    QualifiedName old_q{b.name.schema, old_name};
    std::vector<std::string> sql;
    sql.push_back("ALTER TYPE " + name + " RENAME TO " + QuoteIdent(old_name));
    for (const std::string& s : report::CreateStatements(to_, b)) sql.push_back(s);
    std::string spelling = TypeSpelling(b.name);
    std::string lost;
    for (const std::string& l : a.labels) {
      if (std::find(b.labels.begin(), b.labels.end(), l) == b.labels.end()) {
        lost += (lost.empty() ? "" : ", ") + QuoteLiteral(l);
      }
    }
    for (const auto& [tq, t] : from_.tables) {
      if (dropped_tables_.count(tq)) continue;
      for (const Column& c : t.columns) {
        bool array = c.type == spelling + "[]";
        if (c.type != spelling && !array) continue;
        std::string alter = "ALTER TABLE " + tq.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
        if (!c.default_expr.empty()) sql.push_back(alter + " DROP DEFAULT");
        sql.push_back(alter + " TYPE " + c.type + " USING " + QuoteIdent(c.name) + "::text" +
                      (array ? "[]" : "") + "::" + c.type);
        if (!c.default_expr.empty()) {
          std::string def = c.default_expr;
          size_t p;
          while ((p = def.find("::" + QuoteIdent(old_name))) != std::string::npos) {
            def.replace(p, 2 + QuoteIdent(old_name).size(), "::" + spelling);
          }
          sql.push_back(alter + " SET DEFAULT " + def);
        }
      }
    }
    // With domains over it, after their old forms are dropped.
    // With composite or range types over it, after their old forms are dropped.
    bool domains_over = false;
    for (const QualifiedName& d : enum_domains_)
      domains_over = domains_over || from_.types.at(d).base_type == spelling;
    bool types_over = false;
    for (const QualifiedName& r : composite_ranges_)
      types_over = types_over || from_.types.at(r).base_type == spelling;
    for (const QualifiedName& t : rebuilt_composites_) {
      for (const catalog::TypeAttribute& at : from_.types.at(t).attributes)
        types_over = types_over || BaseName(at.type) == spelling;
    }
    if (!domains_over && !types_over) sql.push_back("DROP TYPE " + old_q.Quoted());
    if (domains_over || types_over)
      old_enum_drops_.emplace_back(b.name, "DROP TYPE " + old_q.Quoted());
    Change& c = Add(kTypes, ObjectKind::kType, name, Action::kAlter, sql);
    c.destructive = true;
    c.rewrites = true;
    c.lock = kAccessExclusive;
    c.data_loss = "rows holding the removed value(s) " + lost + " fail to convert";
  }

  // The statements that take the table columns of composite type `type` to text (`to_text`)
  // and back (`back`), their defaults dropped and set again (`defaults`: the target's, once
  // the type has all its attributes): the server refuses ALTER TYPE ...
  // ALTER ATTRIBUTE while a table column uses the type, and the text form of a row keeps every
  // value.
  void CompositeColumnsThroughText(const QualifiedName& type_q, std::vector<std::string>& to_text,
                                   std::vector<std::string>& back,
                                   std::vector<std::string>& defaults) const {
    std::string type = TypeSpelling(type_q);
    for (const auto& [table_q, cols] : composite_columns_) {
      const Table& table = from_.tables.at(table_q);
      for (const Column& c : table.columns) {
        if (!cols.count(c.name) || BaseName(c.type) != type) continue;
        std::string alter =
            "ALTER TABLE " + table_q.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
        if (!c.default_expr.empty()) to_text.push_back(alter + " DROP DEFAULT");
        to_text.push_back(alter + " TYPE text USING " + QuoteIdent(c.name) + "::text");
        back.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " + QuoteIdent(c.name) +
                       "::" + report::SqlType(c.type));
        // The target's default: the type has its new attributes by then.
        const Table* target = to_.FindTable(table_q);
        const Column* n = target == nullptr ? nullptr : target->FindColumn(c.name);
        if (n != nullptr && !n->default_expr.empty() && !UsesRecreatedFunction(n->default_expr))
          defaults.push_back(alter + " SET DEFAULT " + DefaultSql(*n));
      }
    }
  }

  // The attribute names of composite `a` after CompositeChange's ALTERs towards `b`: the
  // dropped ones gone, the new ones added at the end.
  static std::vector<std::string> ReachableAttributeOrder(const Type& a, const Type& b) {
    std::vector<std::string> now;
    auto in = [](const Type& t, const std::string& name) {
      for (const catalog::TypeAttribute& at : t.attributes) {
        if (at.name == name) return true;
      }
      return false;
    };
    for (const catalog::TypeAttribute& at : a.attributes) {
      if (in(b, at.name)) now.push_back(at.name);
    }
    for (const catalog::TypeAttribute& bt : b.attributes) {
      if (!in(a, bt.name)) now.push_back(bt.name);
    }
    return now;
  }

  // Composite types that no ALTER TYPE reaches while something uses them: an attribute order
  // that dropping and adding attributes cannot give, and a type whose attributes change
  // type or collation while another composite type uses it (the server refuses ALTER
  // ATTRIBUTE while a table column uses the type through another one). Each is rebuilt: renamed
  // aside, created again, and every table column of it converted by attribute name. A type
  // whose attribute is of a rebuilt type is rebuilt too (its attribute would keep the old
  // type), and so on outwards. Their columns are treated like those converted through text:
  // defaults set again, the indexes, views, policies and triggers over them created again.
  void PrepareCompositeRebuild() {
    auto composite_pair = [&](const QualifiedName& q) -> const Type* {
      const Type* a = nullptr;
      auto fa = from_.types.find(q);
      auto tb = to_.types.find(q);
      if (fa == from_.types.end() || tb == to_.types.end()) return nullptr;
      a = &fa->second;
      if (a->kind != TypeKind::kComposite || tb->second.kind != TypeKind::kComposite)
        return nullptr;
      return &tb->second;
    };
    // Spellings of the types an attribute of a kept composite type uses.
    std::set<std::string> attribute_types;
    for (const auto& [q, t] : from_.types) {
      if (composite_pair(q) == nullptr) continue;
      for (const catalog::TypeAttribute& at : t.attributes)
        attribute_types.insert(BaseName(at.type));
    }
    for (const auto& [q, a] : from_.types) {
      const Type* b = composite_pair(q);
      if (b == nullptr) continue;
      std::vector<std::string> target;
      for (const catalog::TypeAttribute& bt : b->attributes) target.push_back(bt.name);
      bool reordered = ReachableAttributeOrder(a, *b) != target;
      bool altered = false;
      for (const catalog::TypeAttribute& at : a.attributes) {
        for (const catalog::TypeAttribute& bt : b->attributes) {
          altered = altered ||
                    (bt.name == at.name && (bt.type != at.type || bt.collation != at.collation));
        }
      }
      // An attribute of a rebuilt enum would keep the old enum: no ALTER gives it the new one.
      bool enum_bound = false;
      for (const catalog::TypeAttribute& at : a.attributes) {
        for (const catalog::TypeAttribute& bt : b->attributes)
          enum_bound =
              enum_bound || (bt.name == at.name && bt.type == at.type && EnumRebuilt(at.type));
      }
      if (reordered || enum_bound || (altered && attribute_types.count(TypeSpelling(q))))
        rebuilt_composites_.insert(q);
    }
    bool enum_ranges = false;
    for (const auto& [q, r] : from_.types) {
      enum_ranges = enum_ranges || (r.kind == TypeKind::kRange && EnumRebuilt(r.base_type) &&
                                    r.base_type == BaseName(r.base_type));
    }
    if (rebuilt_composites_.empty() && !enum_ranges) return;
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& [q, a] : from_.types) {
        if (rebuilt_composites_.count(q) || composite_pair(q) == nullptr) continue;
        for (const catalog::TypeAttribute& at : a.attributes) {
          if (!RebuiltComposite(at.type)) continue;
          rebuilt_composites_.insert(q);
          grew = true;
          break;
        }
      }
    }
    // A typed table of a rebuilt type takes its column order from the type, which no ALTER
    // TABLE gives: it is created again and keeps its rows (CopyTables).
    for (const auto& [tq, table] : from_.tables) {
      const Table* target = to_.FindTable(tq);
      if (!table.of_type || !rebuilt_composites_.count(*table.of_type) || target == nullptr ||
          target->of_type != table.of_type || table.partition_of || !table.partition_key.empty())
        continue;
      recreated_tables_.insert(tq);
      copied_tables_.insert(tq);
    }
    for (const auto& [tq, table] : from_.tables) {
      if (recreated_tables_.count(tq) || !to_.tables.count(tq) || table.partition_of) continue;
      for (const Column& col : table.columns) {
        if (!RebuiltComposite(col.type) || !col.is_local) continue;
        composite_columns_[tq].insert(col.name);
        converted_columns_[tq].insert(col.name);
        view_breaking_tables_.insert(tq);
      }
    }
    // A domain over a rebuilt type would keep the old one: it is rebuilt after it (renamed
    // aside, created again, its columns converted by attribute name; RebuildDomain), and the
    // functions over it are created again.
    for (const auto& [q, d] : from_.types) {
      auto it = to_.types.find(q);
      if (d.kind != TypeKind::kDomain || it == to_.types.end() ||
          it->second.kind != TypeKind::kDomain || d.base_type != BaseName(d.base_type) ||
          RebuiltCompositeOf(d.base_type) == nullptr || it->second.base_type != d.base_type)
        continue;
      composite_domains_.insert(q);
      rebuilt_domains_.insert(q);
      std::string spelling = TypeSpelling(q);
      for (const auto& [tq, table] : from_.tables) {
        if (recreated_tables_.count(tq) || !to_.tables.count(tq)) continue;
        for (const Column& col : table.columns) {
          if (BaseName(col.type) != spelling) continue;
          converted_columns_[tq].insert(col.name);
          view_breaking_tables_.insert(tq);
        }
      }
    }
    // A range type over a rebuilt type (composite, or an enum that loses a value) would keep
    // the old one: it is rebuilt with it (RebuildComposites), its columns converted bound by
    // bound (arrays of it element by element, its multirange range by range).
    for (const auto& [q, r] : from_.types) {
      auto it = to_.types.find(q);
      if (r.kind != TypeKind::kRange || it == to_.types.end() ||
          it->second.kind != TypeKind::kRange || it->second.base_type != r.base_type ||
          it->second.subtype_opclass != r.subtype_opclass || r.base_type != BaseName(r.base_type) ||
          (RebuiltCompositeOf(r.base_type) == nullptr && !EnumRebuilt(r.base_type)))
        continue;
      composite_ranges_.insert(q);
      recreated_.insert(q.Quoted());
      std::string spelling = TypeSpelling(q);
      std::string multirange = TypeSpelling(MultirangeName(q));
      for (const auto& [tq, table] : from_.tables) {
        if (recreated_tables_.count(tq) || !to_.tables.count(tq) || table.partition_of) continue;
        for (const Column& col : table.columns) {
          bool holds = BaseName(col.type) == spelling || col.type == multirange;
          if (!holds || !col.is_local) continue;
          composite_columns_[tq].insert(col.name);
          converted_columns_[tq].insert(col.name);
          view_breaking_tables_.insert(tq);
        }
      }
    }
    // Functions over a rebuilt type (or a range over one) and views that name a rebuilt type
    // would keep the old one. (SQL-standard bodies that read the converted columns are
    // PrepareSqlBodyFunctions's.)
    BindToRebuiltTypes(
        rebuilt_composites_,
        [this](const std::string& type) { return RebuiltComposite(type) || RebuiltRange(type); },
        {});
  }

  // Whether `type` (or its element type) is a composite type that is rebuilt.
  bool RebuiltComposite(const std::string& type) const {
    if (rebuilt_composites_.empty()) return false;
    std::string base = BaseName(type);
    for (const QualifiedName& q : rebuilt_composites_) {
      if (TypeSpelling(q) == base) return true;
    }
    return false;
  }

  // Whether `type` (or its element type) is a range type over a rebuilt composite type, or
  // the multirange type of one.
  bool RebuiltRange(const std::string& type) const {
    return RebuiltRangeOf(BaseName(type)) != nullptr || RebuiltRangeOfMultirange(type) != nullptr;
  }

  // The range over a rebuilt composite type that `type` names (itself, not an array of it);
  // nullptr when none.
  const QualifiedName* RebuiltRangeOf(const std::string& type) const {
    for (const QualifiedName& q : composite_ranges_) {
      if (TypeSpelling(q) == type) return &q;
    }
    return nullptr;
  }

  // The range over a rebuilt composite type whose multirange type `type` is; nullptr when none.
  const QualifiedName* RebuiltRangeOfMultirange(const std::string& type) const {
    for (const QualifiedName& q : composite_ranges_) {
      if (TypeSpelling(MultirangeName(q)) == type) return &q;
    }
    return nullptr;
  }

  // The multirange type the server creates with range type `q` (the model keeps no
  // multirange_type_name): "multi" before the first "range" of its name, else "_multirange"
  // appended (makeMultirangeTypeName in src/backend/commands/typecmds.c).
  static QualifiedName MultirangeName(const QualifiedName& q) {
    size_t p = q.name.find("range");
    if (p == std::string::npos) return QualifiedName{q.schema, q.name + "_multirange"};
    return QualifiedName{q.schema, q.name.substr(0, p) + "multi" + q.name.substr(p)};
  }

  // `value` (of the old, renamed-aside range type over a rebuilt composite type `range_q`) as a
  // value of the new range type: bound by bound, each converted by attribute name; an empty
  // range stays empty, an infinite bound infinite, NULL stays NULL.
  std::string RangeConversion(const std::string& value, const QualifiedName& range_q,
                              std::set<QualifiedName>& arrays) const {
    const Type& range = from_.types.at(range_q);
    const QualifiedName* sub = RebuiltCompositeOf(range.base_type);
    std::string type = report::SqlType(TypeSpelling(range_q));
    auto bound = [&](const std::string& f) {
      // Over a rebuilt enum: through text (no cast joins the old enum and the new one).
      if (sub == nullptr) return f + "(" + value + ")::text::" + report::SqlType(range.base_type);
      return CompositeConversion(f + "(" + value + ")", from_.types.at(*sub), to_.types.at(*sub),
                                 arrays);
    };
    return "CASE WHEN " + value + " IS NULL THEN NULL WHEN isempty(" + value +
           ") THEN 'empty'::" + type + " ELSE " + range_q.Quoted() + "(" + bound("lower") + ", " +
           bound("upper") + ", CASE WHEN lower_inc(" + value +
           ") THEN '[' ELSE '(' END || CASE WHEN upper_inc(" + value +
           ") THEN ']' ELSE ')' END) END";
  }

  // The function that converts a multirange of the old range type `q` into one of the new
  // range type, range by range (its argument is polymorphic: the old multirange type is
  // renamed aside under a name the server picks).
  static QualifiedName MultirangeConversionFunction(const QualifiedName& q) {
    return QualifiedName{q.schema, "dbarch_convert_" + q.name + "_multirange"};
  }

  // The rebuilt composite type `type` names (itself, not an array of it); nullptr when none.
  const QualifiedName* RebuiltCompositeOf(const std::string& type) const {
    for (const QualifiedName& q : rebuilt_composites_) {
      if (TypeSpelling(q) == type) return &q;
    }
    return nullptr;
  }

  // The function that converts an array of the old (renamed-aside) type `q` into an array of
  // the new one: no subquery may convert each element in ALTER COLUMN ... USING.
  static QualifiedName ArrayConversionFunction(const QualifiedName& q) {
    return QualifiedName{q.schema, "dbarch_convert_" + q.name};
  }

  // `value` (of the old, renamed-aside composite `a`) as a value of the new type `b`: each
  // attribute taken by name (a new one NULL), cast when its type changes, a nested rebuilt
  // composite (or an array of one) converted the same way; NULL stays NULL, a row of NULLs
  // stays a row. `arrays` collects the rebuilt types whose array conversion it calls.
  std::string CompositeConversion(const std::string& value, const Type& a, const Type& b,
                                  std::set<QualifiedName>& arrays) const {
    std::vector<std::string> fields;
    for (const catalog::TypeAttribute& bt : b.attributes) {
      const catalog::TypeAttribute* at = nullptr;
      for (const catalog::TypeAttribute& x : a.attributes) {
        if (x.name == bt.name) at = &x;
      }
      if (at == nullptr) {
        fields.push_back("NULL");
        continue;
      }
      std::string field = "(" + value + ")." + QuoteIdent(at->name);
      const QualifiedName* inner = at->type == bt.type ? RebuiltCompositeOf(at->type) : nullptr;
      const QualifiedName* inner_array =
          at->type == bt.type && at->type == BaseName(at->type) + "[]"
              ? RebuiltCompositeOf(BaseName(at->type))
              : nullptr;
      if (inner != nullptr) {
        fields.push_back(
            CompositeConversion(field, from_.types.at(*inner), to_.types.at(*inner), arrays));
      } else if (inner_array != nullptr) {
        arrays.insert(*inner_array);
        fields.push_back(ArrayConversionFunction(*inner_array).Quoted() + "(" + field + ")");
      } else if (at->type != bt.type) {
        fields.push_back(CastSql(from_, at->type, to_, bt.type, field));
      } else if (EnumRebuilt(at->type)) {
        // Through text: no cast joins the old enum and the new one.
        std::string dims = at->type.substr(BaseName(at->type).size());
        fields.push_back(field + "::text" + dims + "::" + report::SqlType(bt.type));
      } else {
        fields.push_back(field);
      }
    }
    return "CASE WHEN num_nonnulls(" + value + ") = 0 THEN NULL ELSE ROW(" + Join(fields, ", ") +
           ")::" + report::SqlType(TypeSpelling(b.name)) + " END";
  }

  // The rebuild of PrepareCompositeRebuild's types, as one change: the defaults of their
  // columns dropped, the types renamed aside and created again (inner ones first), the
  // columns converted (arrays through a conversion function created for the change and
  // dropped after it), the target's defaults set; the old types are dropped last (outer ones
  // first).
  void RebuildComposites() {
    std::vector<const Type*> targets;
    for (const QualifiedName& q : rebuilt_composites_) targets.push_back(&to_.types.at(q));
    targets = DependencyOrder(targets);
    std::vector<std::string> defaults_off, aside, create, convert, defaults_on;
    std::set<QualifiedName> arrays;  // types whose array conversion function is called
    std::set<QualifiedName> multiranges;  // ranges whose multirange conversion is called
    for (const Type* b : targets) {
      aside.push_back("ALTER TYPE " + b->name.Quoted() + " RENAME TO " +
                      QuoteIdent(b->name.name + "_dbarch_old"));
      for (const std::string& s : report::CreateStatements(to_, *b)) create.push_back(s);
    }
    // Range types over them: renamed aside with their multirange types and the multirange's
    // constructor functions (the server names them after the range, so the new ones take
    // those names: the one without arguments would clash) and created again.
    for (const QualifiedName& q : composite_ranges_) {
      QualifiedName old_q{q.schema, q.name + "_dbarch_old"};
      aside.push_back("ALTER TYPE " + q.Quoted() + " RENAME TO " + QuoteIdent(old_q.name));
      aside.push_back(
          "DO $dbarch$DECLARE m regtype; f regprocedure; BEGIN SELECT rngmultitypid::regtype "
          "INTO m FROM pg_range WHERE rngtypid = " +
          QuoteLiteral(old_q.Quoted()) +
          "::regtype; FOR f IN SELECT oid FROM pg_proc WHERE prorettype = m LOOP EXECUTE "
          "format('ALTER FUNCTION %s RENAME TO %I', f, 'dbarch_old_' || f::oid); END LOOP; "
          "EXECUTE format('ALTER TYPE %s RENAME TO %I', m, 'dbarch_old_' || m::oid); "
          "END$dbarch$");
      for (const std::string& s : report::CreateStatements(to_, to_.types.at(q)))
        create.push_back(s);
      old_range_drops_.emplace_back(q, "DROP TYPE " + old_q.Quoted());
      std::string what = "TYPE " + q.Quoted();
      OwnerChange(ObjectKind::kType, what, "", to_.types.at(q).owner);
      CommentChange(ObjectKind::kType, what, "", to_.types.at(q).comment);
    }
    for (const auto& [table_q, cols] : composite_columns_) {
      const Table& table = from_.tables.at(table_q);
      const Table* target = to_.FindTable(table_q);
      for (const Column& c : table.columns) {
        if (cols.count(c.name) && RebuiltRange(c.type)) {
          // A range bound by bound (an array of them element by element, a multirange range by
          // range, through conversion functions created for the change).
          const Column* n = target == nullptr ? nullptr : target->FindColumn(c.name);
          std::string alter =
              "ALTER TABLE " + table_q.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
          if (!c.default_expr.empty() && !UsesRecreatedFunction(c.default_expr))
            defaults_off.push_back(alter + " DROP DEFAULT");
          if (n == nullptr || n->type != c.type) continue;
          std::string col = QuoteIdent(c.name);
          std::string using_expr;
          if (const QualifiedName* range_q = RebuiltRangeOf(c.type)) {
            using_expr = RangeConversion(col, *range_q, arrays);
          } else if (const QualifiedName* multi_q = RebuiltRangeOfMultirange(c.type)) {
            arrays.insert(*multi_q);
            multiranges.insert(*multi_q);
            using_expr = MultirangeConversionFunction(*multi_q).Quoted() + "(" + col + ")";
          } else {
            const QualifiedName* element_q = RebuiltRangeOf(BaseName(c.type));
            arrays.insert(*element_q);
            using_expr = ArrayConversionFunction(*element_q).Quoted() + "(" + col + ")";
          }
          convert.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " + using_expr);
          if (!n->default_expr.empty() && !UsesRecreatedFunction(n->default_expr))
            defaults_on.push_back(alter + " SET DEFAULT " + DefaultSql(*n));
          continue;
        }
        if (!cols.count(c.name) || !RebuiltComposite(c.type)) continue;
        std::string alter =
            "ALTER TABLE " + table_q.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
        if (!c.default_expr.empty() && !UsesRecreatedFunction(c.default_expr))
          defaults_off.push_back(alter + " DROP DEFAULT");
        const Column* n = target == nullptr ? nullptr : target->FindColumn(c.name);
        if (n == nullptr || n->type != c.type) continue;  // its own change converts it
        const QualifiedName* type_q = RebuiltCompositeOf(BaseName(c.type));
        std::string using_expr;
        if (c.type == BaseName(c.type)) {
          using_expr = CompositeConversion(QuoteIdent(c.name), from_.types.at(*type_q),
                                           to_.types.at(*type_q), arrays);
        } else {
          arrays.insert(*type_q);
          using_expr = ArrayConversionFunction(*type_q).Quoted() + "(" + QuoteIdent(c.name) + ")";
        }
        convert.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " + using_expr);
        if (!n->default_expr.empty() && !UsesRecreatedFunction(n->default_expr))
          defaults_on.push_back(alter + " SET DEFAULT " + DefaultSql(*n));
      }
    }
    // Conversions written by later changes (the conversion functions they call stay until
    // the old tables and domains are dropped): the columns of a domain over a rebuilt type
    // (RebuildDomain) and of a table whose rows are copied (CopyTables).
    std::set<QualifiedName> later_arrays;
    auto conversion = [&](const std::string& value, const std::string& type) -> std::string {
      const QualifiedName* type_q = RebuiltCompositeOf(BaseName(type));
      if (type == BaseName(type))
        return CompositeConversion(value, from_.types.at(*type_q), to_.types.at(*type_q),
                                   later_arrays);
      later_arrays.insert(*type_q);
      return ArrayConversionFunction(*type_q).Quoted() + "(" + value + ")";
    };
    for (const QualifiedName& dq : composite_domains_) {
      std::string spelling = TypeSpelling(dq);
      const Type& d = from_.types.at(dq);
      for (const auto& [tq, t] : from_.tables) {
        if (dropped_tables_.count(tq) || recreated_tables_.count(tq)) continue;
        for (const Column& c : t.columns) {
          if (c.type == spelling) {
            domain_conversions_[tq][c.name] =
                "(" + conversion(QuoteIdent(c.name), d.base_type) + ")::" + report::SqlType(c.type);
          } else if (BaseName(c.type) == spelling) {
            // An array of the domain: as an array of the old base type, converted element by
            // element, then an array of the new domain (which checks each element).
            std::string dims = c.type.substr(spelling.size());
            std::string old_base = AsideName(*RebuiltCompositeOf(d.base_type)).Quoted() + dims;
            domain_conversions_[tq][c.name] =
                "(" + conversion(QuoteIdent(c.name) + "::" + old_base, d.base_type + dims) +
                ")::" + report::SqlType(c.type);
          }
        }
      }
    }
    for (const QualifiedName& tq : copied_tables_) {
      const Table& t = from_.tables.at(tq);
      const Table* b = to_.FindTable(tq);
      for (const Column& c : t.columns) {
        const Column* n = b == nullptr ? nullptr : b->FindColumn(c.name);
        if (n == nullptr || n->type != c.type || !RebuiltComposite(c.type)) continue;
        copy_conversions_[tq][c.name] = conversion(QuoteIdent(c.name), c.type);
      }
    }
    arrays.insert(later_arrays.begin(), later_arrays.end());
    // Arrays element by element, of any number of dimensions (up to the server's 6).
    std::vector<std::string> functions, functions_off;
    std::set<QualifiedName> written;
    while (written.size() < arrays.size()) {
      for (const QualifiedName& q : std::set<QualifiedName>(arrays)) {
        if (!written.insert(q).second) continue;
        QualifiedName fn = ArrayConversionFunction(q);
        QualifiedName element_fn{q.schema, fn.name + "_element"};
        std::string old_type = AsideName(q).Quoted();
        std::string new_type = report::SqlType(TypeSpelling(q));
        std::string element =
            composite_ranges_.count(q)
                ? RangeConversion("v", q, arrays)
                : CompositeConversion("v", from_.types.at(q), to_.types.at(q), arrays);
        functions.push_back(
            "CREATE FUNCTION " + element_fn.Quoted() + "(v " + old_type + ") RETURNS " + new_type +
            " LANGUAGE plpgsql IMMUTABLE AS $dbarch$BEGIN RETURN " + element + "; END$dbarch$");
        std::string body = "DECLARE r " + new_type +
                           "[]; BEGIN IF v IS NULL THEN RETURN NULL; END IF; CASE "
                           "coalesce(array_ndims(v), 1)";
        for (int dims = 1; dims <= 6; ++dims) {
          std::string expr = element_fn.Quoted() + "(v";
          for (int d = 1; d <= dims; ++d) expr += "[i" + std::to_string(d) + "]";
          expr += ")";
          // ARRAY(SELECT ARRAY(...) ...) stacks the inner arrays into one more dimension.
          for (int d = dims; d >= 1; --d) {
            std::string i = "i" + std::to_string(d);
            expr = "ARRAY(SELECT " + expr + " FROM generate_subscripts(v, " + std::to_string(d) +
                   ") AS " + i + " ORDER BY " + i + ")";
          }
          body += " WHEN " + std::to_string(dims) + " THEN r := " + expr + ";";
        }
        // ARRAY() starts every dimension at 1: the text form with explicit bounds keeps the
        // source's.
        body +=
            " END CASE; IF array_dims(r) IS DISTINCT FROM array_dims(v) THEN r := "
            "(array_dims(v) || '=' || r::text)::" +
            new_type + "[]; END IF; RETURN r; END";
        functions.push_back("CREATE FUNCTION " + fn.Quoted() + "(v " + old_type + "[]) RETURNS " +
                            new_type + "[] LANGUAGE plpgsql IMMUTABLE AS $dbarch$" + body +
                            "$dbarch$");
        functions_off.push_back("DROP FUNCTION " + fn.Quoted() + "(" + old_type + "[])");
        functions_off.push_back("DROP FUNCTION " + element_fn.Quoted() + "(" + old_type + ")");
      }
    }
    for (const QualifiedName& q : multiranges) {
      QualifiedName fn = MultirangeConversionFunction(q);
      QualifiedName element_fn{q.schema, ArrayConversionFunction(q).name + "_element"};
      std::string new_type = report::SqlType(TypeSpelling(MultirangeName(q)));
      functions.push_back(
          "CREATE FUNCTION " + fn.Quoted() + "(v anymultirange) RETURNS " + new_type +
          " LANGUAGE plpgsql IMMUTABLE AS $dbarch$BEGIN IF v IS NULL THEN RETURN "
          "NULL; END IF; RETURN (SELECT coalesce(range_agg(" +
          element_fn.Quoted() + "(r)), '{}'::" + new_type + ") FROM unnest(v) AS r); END$dbarch$");
      functions_off.insert(functions_off.begin(),
                           "DROP FUNCTION " + fn.Quoted() + "(anymultirange)");
    }
    std::vector<std::string> sql = defaults_off;
    bool keep_functions = !later_arrays.empty();
    for (auto* part : {&aside, &create, &functions, &convert, &functions_off, &defaults_on}) {
      if (part == &functions_off && keep_functions) continue;
      sql.insert(sql.end(), part->begin(), part->end());
    }
    // Named after the first composite type rebuilt, else the first range type.
    std::string object =
        targets.empty() ? composite_ranges_.begin()->Quoted() : targets.front()->name.Quoted();
    Change& c = Add(kTypes, ObjectKind::kType, object, Action::kAlter, sql);
    c.lock = kAccessExclusive;
    c.rewrites = !convert.empty();
    if (keep_functions) {
      // After the rows are copied and the domains converted; before the old types go.
      Add(kDropTables, ObjectKind::kFunction, object, Action::kDrop, functions_off);
    }
    for (auto it = targets.rbegin(); it != targets.rend(); ++it) {
      const Type* b = *it;
      old_composite_drops_.emplace_back(
          b->name,
          "DROP TYPE " + QualifiedName{b->name.schema, b->name.name + "_dbarch_old"}.Quoted());
      std::string what = "TYPE " + b->name.Quoted();
      OwnerChange(ObjectKind::kType, what, "", b->owner);
      CommentChange(ObjectKind::kType, what, "", b->comment);
    }
  }

  void CompositeChange(const Type& a, const Type& b) {
    std::string name = b.name.Quoted();
    // Typed tables (OF the type) follow its attributes only with CASCADE.
    std::string cascade;
    for (const auto& [tq, t] : from_.tables) {
      if (t.of_type && *t.of_type == b.name && !dropped_tables_.count(tq)) cascade = " CASCADE";
    }
    std::vector<std::string> sql;
    std::vector<catalog::TypeAttribute> now;
    for (const catalog::TypeAttribute& at : a.attributes) {
      bool kept = false;
      for (const catalog::TypeAttribute& bt : b.attributes) kept = kept || bt.name == at.name;
      if (!kept) {
        sql.push_back("ALTER TYPE " + name + " DROP ATTRIBUTE " + QuoteIdent(at.name) + cascade);
      } else {
        now.push_back(at);
      }
    }
    std::vector<std::string> to_text, back, defaults;
    CompositeColumnsThroughText(b.name, to_text, back, defaults);
    bool altered = false;
    for (catalog::TypeAttribute& at : now) {
      for (const catalog::TypeAttribute& bt : b.attributes) {
        if (bt.name != at.name || (bt.type == at.type && bt.collation == at.collation)) continue;
        std::string stmt = "ALTER TYPE " + name + " ALTER ATTRIBUTE " + QuoteIdent(at.name) +
                           " TYPE " + report::SqlType(bt.type);
        if (!bt.collation.empty()) stmt += " COLLATE " + report::SqlDottedName(bt.collation);
        // Before the attributes dropped too, so that no default has the old form.
        if (!altered) sql.insert(sql.begin(), to_text.begin(), to_text.end());
        altered = true;
        sql.push_back(stmt + cascade);
        at = bt;
      }
    }
    if (altered) sql.insert(sql.end(), back.begin(), back.end());
    for (const catalog::TypeAttribute& bt : b.attributes) {
      bool had = false;
      for (const catalog::TypeAttribute& at : now) had = had || at.name == bt.name;
      if (had) continue;
      std::string stmt = "ALTER TYPE " + name + " ADD ATTRIBUTE " + QuoteIdent(bt.name) + " " +
                         report::SqlType(bt.type);
      if (!bt.collation.empty()) stmt += " COLLATE " + report::SqlDottedName(bt.collation);
      sql.push_back(stmt + cascade);
      now.push_back(bt);
    }
    if (altered) sql.insert(sql.end(), defaults.begin(), defaults.end());
    if (now != b.attributes) {
      // The order differs: only a new type gives it.
      sql.clear();
      sql.push_back("DROP TYPE " + name);
      for (const std::string& s : report::CreateStatements(to_, b)) sql.push_back(s);
    }
    if (sql.empty()) return;
    Add(kTypes, ObjectKind::kType, name, Action::kAlter, sql);
  }

  void DomainChange(const Type& a, const Type& b) {
    std::string name = b.name.Quoted();
    if (a.base_type != b.base_type || a.collation != b.collation ||
        composite_domains_.count(b.name)) {
      RebuildDomain(a, b);
      return;
    }
    std::string alter = "ALTER DOMAIN " + name;
    auto released = released_columns_.find(b.name);
    if (released != released_columns_.end()) ReleaseColumns(released->second, true);
    // A default or CHECK that calls a function dropped and created again goes before the
    // function is dropped and comes back after it is created.
    bool default_bound = UsesRecreatedFunction(a.default_expr);
    if (default_bound) {
      Add(kDropConstraints, ObjectKind::kDomain, name, Action::kAlter, {alter + " DROP DEFAULT"});
    }
    if (a.default_expr != b.default_expr || (default_bound && !b.default_expr.empty())) {
      Add(kDomains, ObjectKind::kDomain, name, Action::kAlter,
          {alter + (b.default_expr.empty() ? " DROP DEFAULT" : " SET DEFAULT " + b.default_expr)});
    }
    if (a.not_null != b.not_null) {
      Change& c = Add(kDomains, ObjectKind::kDomain, name, Action::kAlter,
                      {alter + (b.not_null ? " SET NOT NULL" : " DROP NOT NULL")});
      c.scans = b.not_null;
    }
    std::set<std::string> bound;  // constraints that call a function dropped and created again
    // Constraints compare without their comments (set apart, with the other comments).
    auto same_check = [](const catalog::DomainConstraint& x) {
      return [&x](const catalog::DomainConstraint& y) {
        return x.name == y.name && x.expression == y.expression && x.not_valid == y.not_valid;
      };
    };
    for (const catalog::DomainConstraint& dc : a.constraints) {
      auto same = std::find_if(b.constraints.begin(), b.constraints.end(), same_check(dc));
      bool calls = UsesRecreatedFunction(dc.expression);
      if (calls) bound.insert(dc.name);
      if (same != b.constraints.end() && !calls) continue;
      Add(calls ? kDropConstraints : kDomains, ObjectKind::kDomain, MemberName(b.name, dc.name),
          Action::kDrop, {alter + " DROP CONSTRAINT " + QuoteIdent(dc.name)});
    }
    for (const catalog::DomainConstraint& dc : b.constraints) {
      auto same = std::find_if(a.constraints.begin(), a.constraints.end(), same_check(dc));
      if (same != a.constraints.end() && !bound.count(dc.name)) continue;
      Change& c = Add(kDomains, ObjectKind::kDomain, MemberName(b.name, dc.name), Action::kCreate,
                      {alter + " ADD CONSTRAINT " + QuoteIdent(dc.name) + " CHECK (" +
                       sql::DdlExprText(dc.expression) + ")" + (dc.not_valid ? " NOT VALID" : "")});
      c.scans = !dc.not_valid;
    }
    if (released != released_columns_.end()) ReleaseColumns(released->second, false);
  }

  // PrepareDomainValidation's columns taken out of their domain (`out`) or given it back.
  void ReleaseColumns(const std::vector<ReleasedColumn>& columns, bool out) {
    for (const ReleasedColumn& r : columns) {
      if (r.aside && !out) continue;
      std::string col = QuoteIdent(r.column);
      std::string alter = "ALTER TABLE " + r.table.Quoted() + " ALTER COLUMN " + col;
      std::string dims = r.type.substr(BaseName(r.type).size());
      std::string sql;
      if (out) {
        std::string type = r.base_type.empty() ? "text" : report::SqlType(r.base_type) + dims;
        sql = alter + " TYPE " + type + " USING " + col + "::" + type;
      } else {
        sql = alter + " TYPE " + report::SqlType(r.type) + " USING " + col +
              (r.base_type.empty() ? "::text" : "") + "::" + report::SqlType(r.type);
      }
      Change& c =
          Add(kDomains, ObjectKind::kColumn, ColumnName(r.table, r.column), Action::kAlter, {sql});
      c.lock = kAccessExclusive;
      c.rewrites = true;
      c.scans = !out;
    }
  }

  // A domain whose base type or collation changes: renamed aside, created again (before the
  // functions over it are created again), its columns converted through the new base type
  // with their defaults set again, its comment and owner set; the old one dropped last. A
  // narrowing base type may fail to convert rows: destructive.
  void RebuildDomain(const Type& a, const Type& b) {
    std::string name = b.name.Quoted();
    std::string old_name = b.name.name + "_dbarch_old";
    std::vector<std::string> sql{"ALTER DOMAIN " + name + " RENAME TO " + QuoteIdent(old_name)};
    for (const std::string& s : report::CreateStatements(to_, b)) sql.push_back(s);
    std::string type = TypeSpelling(b.name);
    for (const auto& [tq, t] : from_.tables) {
      if (dropped_tables_.count(tq) || recreated_tables_.count(tq)) continue;
      for (const Column& c : t.columns) {
        bool array = c.type == type + "[]";
        if ((c.type != type && !array) || t.partition_of || !c.is_local || t.of_type) continue;
        std::string alter = "ALTER TABLE " + tq.Quoted() + " ALTER COLUMN " + QuoteIdent(c.name);
        bool own_default = !c.default_expr.empty() && !UsesRecreatedFunction(c.default_expr);
        if (own_default) sql.push_back(alter + " DROP DEFAULT");
        auto conversions = domain_conversions_.find(tq);
        if (conversions != domain_conversions_.end() && conversions->second.count(c.name)) {
          // Over a rebuilt composite type: converted by attribute name.
          sql.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " +
                        conversions->second.at(c.name));
        } else {
          // Over a rebuilt enum: through text (no cast joins the old enum and the new one).
          std::string base = enum_domains_.count(b.name) ? "text" : report::SqlType(b.base_type);
          sql.push_back(alter + " TYPE " + report::SqlType(c.type) + " USING " +
                        QuoteIdent(c.name) + "::" + base + (array ? "[]" : "") +
                        "::" + report::SqlType(c.type));
        }
        if (own_default) sql.push_back(alter + " SET DEFAULT " + DefaultSql(c));
      }
    }
    if (!b.comment.empty()) sql.push_back(CommentSql("DOMAIN " + name, b.comment));
    if (!b.owner.empty()) sql.push_back("ALTER DOMAIN " + name + " OWNER TO " + OwnerSql(b.owner));
    Change& c = Add(kTypes, ObjectKind::kDomain, name, Action::kAlter, sql);
    c.lock = kAccessExclusive;
    c.rewrites = true;
    if (a.base_type != b.base_type && !IsWidening(a.base_type, b.base_type)) {
      c.destructive = true;
      c.data_loss = "values of the columns of domain " + name + " that do not fit " + b.base_type +
                    " (was " + a.base_type + ")";
    }
    Add(kDropDomains, ObjectKind::kDomain, name, Action::kDrop,
        {"DROP DOMAIN " + QualifiedName{b.name.schema, old_name}.Quoted()});
  }

  bool DomainCallsRecreatedFunction(const Type& d) const {
    if (d.kind != TypeKind::kDomain || recreated_functions_.empty()) return false;
    if (UsesRecreatedFunction(d.default_expr)) return true;
    for (const catalog::DomainConstraint& dc : d.constraints) {
      if (UsesRecreatedFunction(dc.expression)) return true;
    }
    return false;
  }

  // ----- sequences
  static std::string SequenceAlterOptions(const catalog::SequenceOptions& o) {
    std::string out = " AS " + o.data_type;
    out += " INCREMENT BY " + std::to_string(o.increment);
    out += " MINVALUE " + std::to_string(o.min_value);
    out += " MAXVALUE " + std::to_string(o.max_value);
    out += " START WITH " + std::to_string(o.start);
    out += " CACHE " + std::to_string(o.cache);
    out += o.cycle ? " CYCLE" : " NO CYCLE";
    return out;
  }

  bool SequenceGoesWithColumn(const Sequence& s) const {
    if (!s.owned_by_table) return false;
    if (dropped_tables_.count(*s.owned_by_table) || recreated_tables_.count(*s.owned_by_table))
      return true;
    const Table* t = to_.FindTable(*s.owned_by_table);
    return t == nullptr || t->FindColumn(s.owned_by_column) == nullptr;
  }

  void Sequences() {
    for (const auto& [q, s] : to_.sequences) {
      auto it = from_.sequences.find(q);
      std::string what = "SEQUENCE " + q.Quoted();
      if (it == from_.sequences.end() ||
          (it->second.owned_by_table && recreated_tables_.count(*it->second.owned_by_table) &&
           !copied_tables_.count(*it->second.owned_by_table))) {
        Add(kSequences, ObjectKind::kSequence, q.Quoted(), Action::kCreate,
            report::CreateStatements(to_, s), {"DROP SEQUENCE " + q.Quoted()});
        if (s.owned_by_table) {
          Add(kSequenceOwners, ObjectKind::kSequence, q.Quoted(), Action::kAlter,
              {"ALTER SEQUENCE " + q.Quoted() + " OWNED BY " + s.owned_by_table->Quoted() + "." +
               QuoteIdent(s.owned_by_column)});
        }
        if (!s.owner.empty()) OwnerChange(ObjectKind::kSequence, what, "", s.owner);
        if (!s.comment.empty()) CommentChange(ObjectKind::kSequence, what, "", s.comment);
        continue;
      }
      const Sequence& a = it->second;
      if (a == s) continue;
      if (!(a.options == s.options)) {
        Add(kSequences, ObjectKind::kSequence, q.Quoted(), Action::kAlter,
            {"ALTER SEQUENCE " + q.Quoted() + SequenceAlterOptions(s.options) +
             Restart(a.options, s.options)},
            {"ALTER SEQUENCE " + q.Quoted() + SequenceAlterOptions(a.options) +
             Restart(s.options, a.options)});
      }
      if (a.unlogged != s.unlogged) {
        Add(kSequences, ObjectKind::kSequence, q.Quoted(), Action::kAlter,
            {"ALTER SEQUENCE " + q.Quoted() + (s.unlogged ? " SET UNLOGGED" : " SET LOGGED")});
      }
      if (a.owned_by_table != s.owned_by_table || a.owned_by_column != s.owned_by_column) {
        std::string target = s.owned_by_table
                                 ? s.owned_by_table->Quoted() + "." + QuoteIdent(s.owned_by_column)
                                 : "NONE";
        Add(kSequenceOwners, ObjectKind::kSequence, q.Quoted(), Action::kAlter,
            {"ALTER SEQUENCE " + q.Quoted() + " OWNED BY " + target});
      }
      OwnerChange(ObjectKind::kSequence, what, a.owner, s.owner);
      CommentChange(ObjectKind::kSequence, what, a.comment, s.comment);
    }
    for (const auto& [q, s] : from_.sequences) {
      if (to_.sequences.count(q) || SequenceGoesWithColumn(s)) continue;
      Add(kDropSequences, ObjectKind::kSequence, q.Quoted(), Action::kDrop,
          {"DROP SEQUENCE " + q.Quoted()}, report::CreateStatements(from_, s));
    }
  }

  // ----- functions
  static bool Replaceable(const Function& a, const Function& b) {
    if (a.is_procedure != b.is_procedure || a.returns != b.returns ||
        a.returns_set != b.returns_set || a.args.size() != b.args.size()) {
      return false;
    }
    for (size_t i = 0; i < a.args.size(); ++i) {
      if (a.args[i].name != b.args[i].name || a.args[i].mode != b.args[i].mode) return false;
      if (!a.args[i].default_expr.empty() && b.args[i].default_expr.empty()) return false;
    }
    return true;
  }

  static std::string OrReplace(std::string sql) {
    if (sql.rfind("CREATE ", 0) == 0) sql.insert(7, "OR REPLACE ");
    return sql;
  }

  static std::string FunctionWhat(const Function& f) {
    return (f.is_procedure ? "PROCEDURE " : "FUNCTION ") + f.Signature();
  }

  // ALTER FUNCTION that gives `to`'s COST and ROWS to a function that has `from`'s (the model
  // keeps "" for the server's defaults, written out here).
  static std::string CostRowsSql(const Function& to, const Function& from) {
    std::string sql = "ALTER " + FunctionWhat(to);
    if (to.cost != from.cost) {
      std::string def = to.language == "internal" || to.language == "c" ? "1" : "100";
      sql += " COST " + (to.cost.empty() ? def : to.cost);
    }
    if (to.rows != from.rows && to.returns_set) {
      sql += " ROWS " + (to.rows.empty() ? std::string("1000") : to.rows);
    }
    return sql;
  }

  void Functions() {
    for (const auto& [sig, f] : to_.functions) {
      if (f.aggregate) continue;  // Aggregates()
      auto it = from_.functions.find(sig);
      std::string what = FunctionWhat(f);
      int phase = FunctionPhase(f);
      if (it == from_.functions.end()) {
        Add(phase, f.is_procedure ? ObjectKind::kProcedure : ObjectKind::kFunction, sig,
            Action::kCreate, {report::FunctionSql(f)}, {"DROP " + what});
        if (!f.owner.empty()) OwnerChange(ObjectKind::kFunction, what, "", f.owner);
        if (!f.comment.empty()) CommentChange(ObjectKind::kFunction, what, "", f.comment);
        continue;
      }
      const Function& a = it->second;
      if (domain_bound_functions_.count(sig) || sql_body_bound_functions_.count(sig)) {
        // Dropped before its type is rebuilt (or the columns its body reads change), created
        // again after: what it had is set again.
        Add(kDropFunctionsForRecreate, ObjectKind::kFunction, sig, Action::kDrop,
            {"DROP " + FunctionWhat(a)});
        Add(domain_bound_functions_.count(sig) ? kFunctions : std::max<int>(phase, kLateFunctions),
            ObjectKind::kFunction, sig, Action::kCreate, {report::FunctionSql(f)});
        OwnerChange(ObjectKind::kFunction, what, "", f.owner);
        CommentChange(ObjectKind::kFunction, what, "", f.comment);
        continue;
      }
      if (SameFunction(a, f)) continue;
      Function a_meta = a, f_meta = f;
      a_meta.owner = f_meta.owner = "";
      a_meta.comment = f_meta.comment = "";
      a_meta.cost = f_meta.cost = "";
      a_meta.rows = f_meta.rows = "";
      if (SameFunction(a_meta, f_meta) && (a.cost != f.cost || a.rows != f.rows)) {
        // Only the planner estimates change: ALTER FUNCTION ... COST / ROWS.
        Add(kFunctions, f.is_procedure ? ObjectKind::kProcedure : ObjectKind::kFunction, sig,
            Action::kAlter, {CostRowsSql(f, a)}, {CostRowsSql(a, f)});
      }
      if (!SameFunction(a_meta, f_meta)) {
        if (Replaceable(a, f)) {
          Add(phase, ObjectKind::kFunction, sig, Action::kAlter,
              {OrReplace(report::FunctionSql(f))}, {OrReplace(report::FunctionSql(a))});
        } else {
          Add(kDropFunctionsForRecreate, ObjectKind::kFunction, sig, Action::kDrop,
              {"DROP " + FunctionWhat(a)});
          Add(phase, ObjectKind::kFunction, sig, Action::kCreate, {report::FunctionSql(f)});
          // A new function: its owner and comment are set again.
          OwnerChange(ObjectKind::kFunction, what, "", f.owner);
          CommentChange(ObjectKind::kFunction, what, "", f.comment);
          continue;
        }
      }
      OwnerChange(ObjectKind::kFunction, what, a.owner, f.owner);
      CommentChange(ObjectKind::kFunction, what, a.comment, f.comment);
    }
    std::set<QualifiedName> target_names;
    for (const auto& [sig, f] : to_.functions) {
      if (!f.aggregate) target_names.insert(f.name);
    }
    for (const auto& [sig, f] : from_.functions) {
      if (to_.functions.count(sig) || f.aggregate) continue;
      // A function whose argument list changes: the old one goes before the expressions that
      // call it are created again, which then bind to the new one.
      // So does one whose SQL-standard body reads a table or column that goes: the server
      // refuses to drop them while the body reads them.
      bool replaced = target_names.count(f.name) > 0 || BodyReadsChanging(f, true);
      Add(replaced ? kDropFunctionsForRecreate : kDropFunctions,
          f.is_procedure ? ObjectKind::kProcedure : ObjectKind::kFunction, sig, Action::kDrop,
          {"DROP " + FunctionWhat(f)}, {report::FunctionSql(f)});
    }
  }

  // ----- aggregates
  // The result type of aggregate `f` of `cat`: its final function's (when every function of
  // that name in the model returns the same type), else its state type; "" = not known (a
  // built-in final function).
  static std::string AggregateResult(const Catalog& cat, const Function& f) {
    const catalog::Aggregate& a = *f.aggregate;
    if (a.finalfunc.name.empty()) return a.stype;
    std::string result;
    for (const auto& [sig, g] : cat.functions) {
      if (g.name != a.finalfunc || g.aggregate) continue;
      if (!result.empty() && result != g.returns) return "";
      result = g.returns;
    }
    return result;
  }

  // Whether CREATE OR REPLACE AGGREGATE turns `a` (of FROM) into `b` (of TO): the server
  // keeps the kind, the number of direct arguments, the argument list (names included) and
  // the result type.
  bool AggregateReplaceable(const Function& a, const Function& b) const {
    const catalog::Aggregate& x = *a.aggregate;
    const catalog::Aggregate& y = *b.aggregate;
    if (x.kind != y.kind || x.direct_args != y.direct_args || a.args != b.args) return false;
    if (x.finalfunc == y.finalfunc && (!x.finalfunc.name.empty() || x.stype == y.stype)) {
      return true;
    }
    std::string result = AggregateResult(from_, a);
    return !result.empty() && result == AggregateResult(to_, b);
  }

  // Aggregates dropped, or dropped and created again: those that change in a way CREATE OR
  // REPLACE cannot give, and those whose support functions are dropped or dropped and created
  // again (the server refuses to drop a function an aggregate uses). The views calling them
  // follow (recreated_functions_), and so do their grants.
  void PrepareAggregates() {
    std::set<QualifiedName> plain_recreated = recreated_functions_;
    for (const auto& [sig, f] : from_.functions) {
      if (!f.aggregate) continue;
      auto it = to_.functions.find(sig);
      bool recreate = it == to_.functions.end() || !it->second.aggregate ||
                      (!(it->second == f) && !AggregateReplaceable(f, it->second));
      for (const QualifiedName& q : f.aggregate->SupportFunctions()) {
        recreate = recreate || plain_recreated.count(q) > 0;
      }
      if (!recreate) continue;
      recreated_functions_.insert(f.name);
      if (it != to_.functions.end()) {
        recreated_.insert(sig);
        recreated_aggregates_.insert(sig);
      }
    }
  }

  void Aggregates() {
    for (const auto& [sig, f] : to_.functions) {
      if (!f.aggregate) continue;
      std::string what = report::RoutineWhat(f);
      auto it = from_.functions.find(sig);
      bool fresh = it == from_.functions.end();
      if (fresh || recreated_aggregates_.count(sig)) {
        if (!fresh) {
          Add(kDropAggregates, ObjectKind::kAggregate, sig, Action::kDrop,
              {"DROP " + report::RoutineWhat(it->second)}, {report::AggregateSql(it->second)});
        }
        Add(kAggregates, ObjectKind::kAggregate, sig, Action::kCreate, {report::AggregateSql(f)},
            {"DROP " + what});
        OwnerChange(ObjectKind::kAggregate, what, "", f.owner);
        CommentChange(ObjectKind::kAggregate, what, "", f.comment);
        continue;
      }
      const Function& a = it->second;
      if (a == f) continue;
      Function a_def = a, f_def = f;
      a_def.owner = f_def.owner = a_def.comment = f_def.comment = "";
      if (!(a_def == f_def)) {
        Add(kAggregates, ObjectKind::kAggregate, sig, Action::kAlter,
            {OrReplace(report::AggregateSql(f))}, {OrReplace(report::AggregateSql(a))});
      }
      OwnerChange(ObjectKind::kAggregate, what, a.owner, f.owner);
      CommentChange(ObjectKind::kAggregate, what, a.comment, f.comment);
    }
    for (const auto& [sig, f] : from_.functions) {
      if (!f.aggregate || to_.functions.count(sig)) continue;
      Add(kDropAggregates, ObjectKind::kAggregate, sig, Action::kDrop,
          {"DROP " + report::RoutineWhat(f)}, {report::AggregateSql(f)});
    }
  }

  // ----- tables
  int Depth(const Catalog& cat, const QualifiedName& q) const {
    int depth = 0;
    const Table* t = cat.FindTable(q);
    while (t != nullptr && depth < 64) {
      const QualifiedName* parent = t->partition_of        ? &*t->partition_of
                                    : !t->inherits.empty() ? &t->inherits.front()
                                                           : nullptr;
      if (parent == nullptr) break;
      t = cat.FindTable(*parent);
      ++depth;
    }
    return depth;
  }

  void Tables() {
    std::vector<const Table*> created;
    for (const auto& [q, t] : to_.tables) {
      auto it = from_.tables.find(q);
      if (it == from_.tables.end() || recreated_tables_.count(q)) {
        created.push_back(&t);
        continue;
      }
      if (it->second == t && !TouchesRebuilt(t)) continue;
      AlterTable(it->second, t);
    }
    std::stable_sort(created.begin(), created.end(), [&](const Table* a, const Table* b) {
      return Depth(to_, a->name) < Depth(to_, b->name);
    });
    for (const Table* t : created) CreateTable(*t);
    // Drops: partitions and children before their parents.
    std::vector<const Table*> dropped;
    for (const auto& [q, t] : from_.tables) {
      if (dropped_tables_.count(q) || recreated_tables_.count(q)) dropped.push_back(&t);
    }
    std::stable_sort(dropped.begin(), dropped.end(), [&](const Table* a, const Table* b) {
      return Depth(from_, a->name) > Depth(from_, b->name);
    });
    for (const Table* t : dropped) {
      // Foreign keys between dropped tables go first, so that any drop order works.
      for (const Constraint& k : t->constraints) {
        if (k.kind == ConstraintKind::kForeignKey && k.ref_table != t->name) DropConstraint(*t, k);
      }
    }
    for (const Table* t : dropped) {
      bool recreate = recreated_tables_.count(t->name) > 0;
      // A partition of a dropped partitioned table goes with it.
      if (t->partition_of && dropped_tables_.count(*t->partition_of)) continue;
      if (copied_tables_.count(t->name)) continue;  // CopyTables
      Change& c = Add(recreate ? kDropConstraints : kDropTables, ObjectKind::kTable,
                      t->name.Quoted(), Action::kDrop, {"DROP TABLE " + t->name.Quoted()},
                      report::CreateStatements(from_, *t));
      c.lock = kAccessExclusive;
      c.destructive = true;
      c.data_loss = "all rows of table " + t->name.Quoted();
    }
    if (!copied_tables_.empty()) CopyTables();
  }

  static QualifiedName AsideName(const QualifiedName& q) {
    return QualifiedName{q.schema, q.name + "_dbarch_old"};
  }

  // A partitioned table whose key uses a rebuilt collation keeps its rows: it is renamed aside
  // with its partitions, and their indexes too (the new ones take their names: key indexes,
  // and the partitions' own indexes that PostgreSQL names), before the collation changes; the
  // new table is created with its partitions, the rows are copied through the new parent (its
  // key routes them), and the old table is dropped with its partitions last. Its foreign keys,
  // views, triggers, policies and grants go and come back as for a table created again.
  void CopyTables() {
    std::vector<const Table*> ordered;
    for (const QualifiedName& q : copied_tables_) ordered.push_back(&from_.tables.at(q));
    std::stable_sort(ordered.begin(), ordered.end(), [&](const Table* a, const Table* b) {
      return Depth(from_, a->name) < Depth(from_, b->name);
    });
    std::vector<std::string> aside;
    std::vector<std::string> relations;
    // A copied partition whose parent stays leaves it first: the new one takes its bound.
    for (const Table* t : ordered) {
      if (t->partition_of && !copied_tables_.count(*t->partition_of))
        aside.push_back("ALTER TABLE " + t->partition_of->Quoted() + " DETACH PARTITION " +
                        t->name.Quoted());
    }
    // A copied table leaves its inheritance tree before it is renamed: its children (which
    // cannot inherit the partitioned table it becomes, or which TO no longer has) and its
    // parents let go of it, so that only its own rows are copied and the old one drops
    // alone; a child TO keeps is attached to the new table in its own change, after it.
    for (const Table* t : ordered) {
      for (const auto& [cq, child] : from_.tables) {
        if (copied_tables_.count(cq) || std::find(child.inherits.begin(), child.inherits.end(),
                                                  t->name) == child.inherits.end())
          continue;
        aside.push_back("ALTER TABLE " + cq.Quoted() + " NO INHERIT " + t->name.Quoted());
      }
      for (const QualifiedName& p : t->inherits)
        aside.push_back("ALTER TABLE " + t->name.Quoted() + " NO INHERIT " + p.Quoted());
    }
    for (const Table* t : ordered) {
      QualifiedName old_q = AsideName(t->name);
      aside.push_back("ALTER TABLE " + t->name.Quoted() + " RENAME TO " + QuoteIdent(old_q.name));
      relations.push_back(QuoteLiteral(old_q.Quoted()) + "::regclass");
    }
    // Identity sequences are named by the server after their column: the old ones are
    // renamed too, so that the new table's take the same names.
    aside.push_back(
        "DO $dbarch$DECLARE r record; BEGIN FOR r IN SELECT indexrelid FROM pg_index WHERE "
        "indrelid IN (" +
        Join(relations, ", ") +
        ") LOOP EXECUTE format('ALTER INDEX %s RENAME TO %I', r.indexrelid::regclass, "
        "'dbarch_old_' || r.indexrelid); END LOOP; FOR r IN SELECT "
        "pg_get_serial_sequence(attrelid::regclass::text, attname)::regclass AS seq FROM "
        "pg_attribute WHERE attidentity <> '' AND attrelid IN (" +
        Join(relations, ", ") +
        ") LOOP EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', r.seq, 'dbarch_old_' || "
        "r.seq::oid); END LOOP; END$dbarch$");
    // Sequences owned by a column (serial) stay, with their values: owned by nothing while the
    // table is created again, by its new column after.
    std::vector<std::string> released;
    for (const auto& [sq, seq] : from_.sequences) {
      if (!seq.owned_by_table || !copied_tables_.count(*seq.owned_by_table)) continue;
      auto target = to_.sequences.find(sq);
      if (target == to_.sequences.end()) continue;
      released.push_back("ALTER SEQUENCE " + sq.Quoted() + " OWNED BY NONE");
      if (target->second.owned_by_table == seq.owned_by_table &&
          target->second.owned_by_column == seq.owned_by_column) {
        Add(kSequenceOwners, ObjectKind::kSequence, sq.Quoted(), Action::kAlter,
            {"ALTER SEQUENCE " + sq.Quoted() + " OWNED BY " + seq.owned_by_table->Quoted() + "." +
             QuoteIdent(seq.owned_by_column)});
      }
    }
    aside.insert(aside.begin(), released.begin(), released.end());
    for (const Table* t : ordered) {
      if (t->partition_of && copied_tables_.count(*t->partition_of)) continue;
      std::string name = t->name.Quoted();
      Change& r = Add(kDropConstraints, ObjectKind::kTable, name, Action::kAlter, aside);
      r.lock = kAccessExclusive;
      aside.clear();
      const Table& b = to_.tables.at(t->name);
      std::vector<std::string> columns;
      bool overriding = false;
      std::vector<std::string> values;  // a rebuilt composite type's value converted
      auto conversions = copy_conversions_.find(t->name);
      for (const Column& c : t->columns) {
        const Column* n = b.FindColumn(c.name);
        if (n == nullptr || !n->generated_expr.empty()) continue;
        columns.push_back(QuoteIdent(c.name));
        values.push_back(QuoteIdent(c.name));
        if (conversions != copy_conversions_.end() && conversions->second.count(c.name))
          values.back() = conversions->second.at(c.name);
        auto casts = copy_casts_.find(t->name);
        if (casts != copy_casts_.end() && casts->second.count(c.name))
          values.back() += "::" + report::SqlType(casts->second.at(c.name));
        overriding = overriding || n->identity == IdentityKind::kAlways;
      }
      std::string list = Join(columns, ", ");
      QualifiedName old_q = AsideName(t->name);
      Change& copy = Add(kAttach, ObjectKind::kTable, name, Action::kAlter,
                         {"INSERT INTO " + name + " (" + list + ")" +
                          (overriding ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " +
                          Join(values, ", ") + " FROM " + old_q.Quoted()});
      copy.lock = kAccessExclusive;
      copy.rewrites = true;
      // Identity columns go on from where the old ones were.
      for (const Column& c : t->columns) {
        const Column* n = b.FindColumn(c.name);
        if (n == nullptr || c.identity == IdentityKind::kNone || n->identity == IdentityKind::kNone)
          continue;
        std::string old_seq = "pg_get_serial_sequence(" + QuoteLiteral(old_q.Quoted()) + ", " +
                              QuoteLiteral(c.name) + ")::regclass";
        copy.sql.push_back(
            "DO $dbarch$BEGIN PERFORM setval(pg_get_serial_sequence(" + QuoteLiteral(name) + ", " +
            QuoteLiteral(c.name) + "), pg_sequence_last_value(" + old_seq +
            ")) WHERE pg_sequence_last_value(" + old_seq + ") IS NOT NULL; END$dbarch$");
      }
      Change& d = Add(kDropTables, ObjectKind::kTable, name, Action::kDrop,
                      {"DROP TABLE " + old_q.Quoted()});
      d.lock = kAccessExclusive;
    }
  }

  // Whether a foreign key of `t` points at a table whose keys are dropped or changed (the
  // foreign key is then dropped first and added again after).
  bool TouchesRebuilt(const Table& t) {
    for (const Constraint& k : t.constraints) {
      if (k.kind == ConstraintKind::kForeignKey && KeysChange(k.ref_table)) return true;
    }
    for (const catalog::Trigger& tr : t.triggers) {
      if (recreated_functions_.count(tr.function)) return true;
    }
    if (enum_rebuilt_tables_.count(t.name) || rebuilt_columns_.count(t.name) ||
        converted_columns_.count(t.name))
      return true;
    for (const Constraint& k : t.constraints) {
      if (MentionsRebuiltCollation(k.expression) || MentionsRebuiltCollation(k.exclude_predicate))
        return true;
      for (const catalog::IndexKey& key : k.exclude_keys) {
        if (UsesRebuiltCollation(key.collation) || MentionsRebuiltCollation(key.expression))
          return true;
      }
    }
    if (recreated_functions_.empty()) return false;
    for (const Constraint& k : t.constraints) {
      if (UsesRecreatedFunction(k.expression)) return true;
    }
    for (const catalog::Policy& p : t.policies) {
      if (UsesRecreatedFunction(p.using_expr) || UsesRecreatedFunction(p.check_expr)) return true;
    }
    for (const Column& c : t.columns) {
      if (UsesRecreatedFunction(c.default_expr)) return true;
    }
    return false;
  }

  void CreateTable(const Table& t) {
    std::string name = t.name.Quoted();
    Change& c = Add(kTables, ObjectKind::kTable, name, Action::kCreate,
                    report::CreateStatements(to_, t), {"DROP TABLE " + name});
    if (t.partition_of) c.lock = kAccessExclusive;  // the parent
    for (const Constraint& k : t.constraints) {
      if (k.kind == ConstraintKind::kForeignKey || k.not_valid) AddConstraint(t, k);
      if (!k.comment.empty())
        CommentChange(ObjectKind::kConstraint, "CONSTRAINT " + QuoteIdent(k.name) + " ON " + name,
                      "", k.comment);
    }
    for (const catalog::Trigger& tr : t.triggers) CreateTrigger(t.name, tr);
    if (t.rls_enabled)
      Add(kPolicies, ObjectKind::kTable, name, Action::kAlter,
          {"ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY"});
    if (t.rls_forced)
      Add(kPolicies, ObjectKind::kTable, name, Action::kAlter,
          {"ALTER TABLE " + name + " FORCE ROW LEVEL SECURITY"});
    for (const catalog::Policy& p : t.policies) CreatePolicy(t.name, p);
    ReplicaIdentityChange(name, "", t.replica_identity);
    if (!t.owner.empty()) OwnerChange(ObjectKind::kTable, "TABLE " + name, "", t.owner);
    if (!t.comment.empty()) CommentChange(ObjectKind::kTable, "TABLE " + name, "", t.comment);
    for (const Column& col : t.columns) {
      if (!col.comment.empty())
        CommentChange(ObjectKind::kColumn, "COLUMN " + ColumnName(t.name, col.name), "",
                      col.comment);
    }
  }

  void AddConstraint(const Table& t, const Constraint& k) {
    bool fk = k.kind == ConstraintKind::kForeignKey;
    std::string alter = "ALTER TABLE " + t.name.Quoted();
    // A CHECK of an inheritance child's own that a parent gives it too goes before INHERIT
    // (which wants it) and before the parent's (which would make it the child's inherited
    // one only).
    int phase = fk                                                                  ? kForeignKeys
                : k.kind == ConstraintKind::kCheck && InheritsCheck(to_, t, k.name) ? kChildChecks
                                                                                    : kConstraints;
    Change& c = Add(phase, ObjectKind::kConstraint, MemberName(t.name, k.name), Action::kCreate,
                    {alter + " ADD CONSTRAINT " + QuoteIdent(k.name) + " " +
                     report::ConstraintBodySql(k, true)},
                    {alter + " DROP CONSTRAINT " + QuoteIdent(k.name)});
    c.lock = fk ? kShareRowExclusive : kAccessExclusive;
    c.scans = !k.not_valid;
  }

  // Whether `cat`'s table `t` also has the CHECK `name` from an inheritance parent (or
  // further ancestor): the server refuses to drop it from `t` until no parent gives it any
  // more, and INHERIT wants `t` to have it already.
  static bool InheritsCheck(const Catalog& cat, const Table& t, const std::string& name) {
    std::vector<QualifiedName> queue = t.inherits;
    std::set<QualifiedName> seen;
    for (size_t i = 0; i < queue.size(); ++i) {
      if (!seen.insert(queue[i]).second) continue;
      const Table* p = cat.FindTable(queue[i]);
      if (p == nullptr) continue;
      for (const Constraint& c : p->constraints) {
        if (c.kind == ConstraintKind::kCheck && !c.no_inherit && c.name == name) return true;
      }
      queue.insert(queue.end(), p->inherits.begin(), p->inherits.end());
    }
    return false;
  }

  void DropConstraint(const Table& t, const Constraint& k) {
    bool fk = k.kind == ConstraintKind::kForeignKey;
    std::string alter = "ALTER TABLE " + t.name.Quoted();
    // A CHECK of an inheritance child's own that a parent gives it too goes once the parent
    // has dropped it or the child has left the parent (NO INHERIT, in the same phase before).
    int phase = fk ? kDropForeignKeys
                : k.kind == ConstraintKind::kCheck && InheritsCheck(from_, t, k.name)
                    ? kDetach
                    : kDropConstraints;
    Change& c = Add(phase, ObjectKind::kConstraint, MemberName(t.name, k.name), Action::kDrop,
                    {alter + " DROP CONSTRAINT " + QuoteIdent(k.name)},
                    {alter + " ADD CONSTRAINT " + QuoteIdent(k.name) + " " +
                     report::ConstraintBodySql(k, true)});
    c.lock = kAccessExclusive;
  }

  void CreateTrigger(const QualifiedName& table, const catalog::Trigger& tr) {
    std::vector<std::string> sql{report::TriggerSql(table, tr)};
    if (!tr.enabled)
      sql.push_back("ALTER TABLE " + table.Quoted() + " DISABLE TRIGGER " + QuoteIdent(tr.name));
    Change& c = Add(kTriggers, ObjectKind::kTrigger, MemberName(table, tr.name), Action::kCreate,
                    sql, {"DROP TRIGGER " + QuoteIdent(tr.name) + " ON " + table.Quoted()});
    c.lock = kShareRowExclusive;
    if (!tr.comment.empty())
      CommentChange(ObjectKind::kTrigger,
                    "TRIGGER " + QuoteIdent(tr.name) + " ON " + table.Quoted(), "", tr.comment);
  }

  void CreatePolicy(const QualifiedName& table, const catalog::Policy& p) {
    Change& c = Add(kPolicies, ObjectKind::kPolicy, MemberName(table, p.name), Action::kCreate,
                    {report::PolicySql(table, p)},
                    {"DROP POLICY " + QuoteIdent(p.name) + " ON " + table.Quoted()});
    c.lock = kAccessExclusive;
    if (!p.comment.empty())
      CommentChange(ObjectKind::kPolicy, "POLICY " + QuoteIdent(p.name) + " ON " + table.Quoted(),
                    "", p.comment);
  }

  // Key constraints (PRIMARY KEY / UNIQUE) of `table` that are dropped or changed: foreign
  // keys pointing at the table are dropped first and re-added after.
  bool KeysChange(const QualifiedName& table) {
    auto cached = keys_change_.find(table);
    if (cached != keys_change_.end()) return cached->second;
    bool changes = ComputeKeysChange(table);
    keys_change_.emplace(table, changes);
    return changes;
  }

  bool ComputeKeysChange(const QualifiedName& table) {
    if (unique_indexes_.empty()) {
      for (const auto& [q, i] : from_.indexes) {
        if (i.unique) unique_indexes_[i.table].push_back(&i);
      }
      unique_indexes_[QualifiedName{}];  // built, even when there is none
    }
    const Table* a = from_.FindTable(table);
    const Table* b = to_.FindTable(table);
    if (a == nullptr || b == nullptr || recreated_tables_.count(table)) return true;
    // A partition copied under this table is detached first, which the server refuses while
    // a foreign key references its rows through this table: such keys go and come back.
    for (const QualifiedName& q : copied_tables_) {
      const Table* t = from_.FindTable(q);
      for (int depth = 0; t != nullptr && t->partition_of && depth < 64; ++depth) {
        if (*t->partition_of == table) return true;
        t = from_.FindTable(*t->partition_of);
      }
    }
    for (const Constraint& k : a->constraints) {
      if (k.kind != ConstraintKind::kPrimaryKey && k.kind != ConstraintKind::kUnique) continue;
      // A key column whose type changes to one the referencing columns may not compare with.
      if (ColumnsRetyped(table, k.columns)) return true;
      // A key on a generated column that is dropped and added again goes with the column.
      if (ConstraintOnRebuiltColumn(table, k)) return true;
      bool same = false;
      for (const Constraint& o : b->constraints) same = same || o == k;
      if (!same) return true;
    }
    auto unique = unique_indexes_.find(table);
    if (unique == unique_indexes_.end()) return false;
    for (const Index* i : unique->second) {
      auto it = to_.indexes.find(i->name);
      if (it == to_.indexes.end() || !(it->second == *i) || IndexOnRebuiltColumn(*i)) return true;
    }
    return false;
  }

  static bool IsKey(const Constraint& k) {
    return k.kind == ConstraintKind::kPrimaryKey || k.kind == ConstraintKind::kUnique ||
           k.kind == ConstraintKind::kExclude;
  }

  void AlterTable(const Table& a, const Table& b) {
    std::string name = b.name.Quoted();
    std::string alter = "ALTER TABLE " + name;
    // Table-level properties.
    if (a.unlogged != b.unlogged) {
      Change& c = Add(kTableAlters, ObjectKind::kTable, name, Action::kAlter,
                      {alter + (b.unlogged ? " SET UNLOGGED" : " SET LOGGED")},
                      {alter + (a.unlogged ? " SET UNLOGGED" : " SET LOGGED")});
      c.lock = kAccessExclusive;
      c.rewrites = true;
    }
    if (a.options != b.options) {  // as sets: an order of their own is no change
      std::vector<std::pair<std::string, std::string>> set = OptionsToSet(a.options, b.options);
      std::vector<std::string> reset;
      for (const auto& o : a.options) {
        if (b.options.Find(o.first) == nullptr) reset.push_back(o.first);
      }
      std::vector<std::string> sql;
      if (!reset.empty()) sql.push_back(alter + " RESET (" + Join(reset, ", ") + ")");
      if (!set.empty()) sql.push_back(alter + " SET (" + report::SqlOptions(set) + ")");
      Change& c = Add(kTableAlters, ObjectKind::kTable, name, Action::kAlter, sql);
      c.lock = kShareUpdateExclusive;
    }
    // Partitions: a changed bound or parent is a DETACH and an ATTACH.
    if (a.partition_of != b.partition_of || a.partition_bound != b.partition_bound) {
      if (a.partition_of && to_.tables.count(*a.partition_of) &&
          !recreated_tables_.count(*a.partition_of)) {
        Change& c = Add(kDetach, ObjectKind::kTable, name, Action::kAlter,
                        {"ALTER TABLE " + a.partition_of->Quoted() + " DETACH PARTITION " + name});
        c.lock = kAccessExclusive;
      }
      if (b.partition_of) {
        Change& c = Add(kAttach, ObjectKind::kTable, name, Action::kAlter,
                        {"ALTER TABLE " + b.partition_of->Quoted() + " ATTACH PARTITION " + name +
                         " " + b.partition_bound});
        c.lock = kShareUpdateExclusive;
        c.scans = true;
      }
    }
    if (a.inherits != b.inherits) {
      for (const QualifiedName& p : a.inherits) {
        if (std::find(b.inherits.begin(), b.inherits.end(), p) == b.inherits.end() &&
            !dropped_tables_.count(p) && !copied_tables_.count(p)) {
          Add(kDetach, ObjectKind::kTable, name, Action::kAlter,
              {alter + " NO INHERIT " + p.Quoted()})
              .lock = kAccessExclusive;
        }
      }
      for (const QualifiedName& p : b.inherits) {
        if (std::find(a.inherits.begin(), a.inherits.end(), p) == a.inherits.end()) {
          Add(kAttach, ObjectKind::kTable, name, Action::kAlter, {alter + " INHERIT " + p.Quoted()})
              .lock = kAccessExclusive;
        }
      }
    }
    // Constraints by name: a changed one is dropped and added again, and so is a foreign key
    // whose referenced key changes.
    for (const Constraint& k : a.constraints) {
      const Constraint* n = nullptr;
      for (const Constraint& o : b.constraints) {
        if (o.name == k.name) n = &o;
      }
      // A CHECK (or EXCLUDE predicate) on a table whose enum is rebuilt holds constants of the
      // old type: it goes before the conversion and comes back after.
      bool enum_bound = enum_rebuilt_tables_.count(a.name) > 0 &&
                        (!k.expression.empty() || !k.exclude_predicate.empty());
      bool on_rebuilt_column = ConstraintOnRebuiltColumn(a.name, k);
      bool collation_bound =
          MentionsRebuiltCollation(k.expression) || MentionsRebuiltCollation(k.exclude_predicate);
      for (const catalog::IndexKey& key : k.exclude_keys) {
        collation_bound = collation_bound || UsesRebuiltCollation(key.collation) ||
                          MentionsRebuiltCollation(key.expression);
      }
      bool refs_rebuilt = (k.kind == ConstraintKind::kForeignKey &&
                           (KeysChange(k.ref_table) || ColumnsRetyped(a.name, k.columns))) ||
                          UsesRecreatedFunction(k.expression) || enum_bound || on_rebuilt_column ||
                          collation_bound;
      if (n != nullptr && SameConstraint(k, *n) && !refs_rebuilt) {
        CommentChange(ObjectKind::kConstraint, "CONSTRAINT " + QuoteIdent(k.name) + " ON " + name,
                      k.comment, n->comment);
        continue;
      }
      if (n == nullptr && ConstraintGoesWithColumns(b, k)) continue;
      // The server drops it with the generated column it names, unless it must go earlier
      // (it calls a function that is dropped).
      if (!on_rebuilt_column || UsesRecreatedFunction(k.expression) || enum_bound ||
          collation_bound)
        DropConstraint(a, k);
      if (n != nullptr) {
        AddConstraint(b, *n);
        if (!n->comment.empty())
          CommentChange(ObjectKind::kConstraint,
                        "CONSTRAINT " + QuoteIdent(n->name) + " ON " + name, "", n->comment);
      }
    }
    for (const Constraint& k : b.constraints) {
      bool had = false;
      for (const Constraint& o : a.constraints) had = had || o.name == k.name;
      if (had) continue;
      if (ConstraintKeptByDetach(a, b, k)) {
        CommentChange(ObjectKind::kConstraint, "CONSTRAINT " + QuoteIdent(k.name) + " ON " + name,
                      "", k.comment);
        continue;
      }
      AddConstraint(b, k);
      if (!k.comment.empty())
        CommentChange(ObjectKind::kConstraint, "CONSTRAINT " + QuoteIdent(k.name) + " ON " + name,
                      "", k.comment);
    }
    Columns(a, b);
    // Triggers and policies by name.
    for (const catalog::Trigger& tr : a.triggers) {
      const catalog::Trigger* n = nullptr;
      for (const catalog::Trigger& o : b.triggers) {
        if (o.name == tr.name) n = &o;
      }
      if (n != nullptr) {
        catalog::Trigger x = tr, y = *n;
        x.comment = y.comment;
        x.enabled = y.enabled;
        // The server refuses to change the type of a column a trigger's WHEN or UPDATE OF
        // list uses.
        bool when_converted = false;
        for (const std::string& c : ConvertedColumns(a.name)) {
          when_converted = when_converted || MentionsIdent(tr.when, c) ||
                           std::find(tr.update_columns.begin(), tr.update_columns.end(), c) !=
                               tr.update_columns.end();
        }
        if (x == y && !recreated_functions_.count(tr.function) && !when_converted) {
          if (tr.enabled != n->enabled) {
            Add(kTriggers, ObjectKind::kTrigger, MemberName(b.name, tr.name), Action::kAlter,
                {alter + (n->enabled ? " ENABLE" : " DISABLE") + " TRIGGER " + QuoteIdent(tr.name)})
                .lock = kShareRowExclusive;
          }
          CommentChange(ObjectKind::kTrigger, "TRIGGER " + QuoteIdent(tr.name) + " ON " + name,
                        tr.comment, n->comment);
          continue;
        }
      }
      Add(kDropTriggers, ObjectKind::kTrigger, MemberName(b.name, tr.name), Action::kDrop,
          {"DROP TRIGGER " + QuoteIdent(tr.name) + " ON " + name}, {report::TriggerSql(a.name, tr)})
          .lock = kAccessExclusive;
      if (n != nullptr) CreateTrigger(b.name, *n);
    }
    for (const catalog::Trigger& tr : b.triggers) {
      bool had = false;
      for (const catalog::Trigger& o : a.triggers) had = had || o.name == tr.name;
      if (!had) CreateTrigger(b.name, tr);
    }
    if (a.rls_enabled != b.rls_enabled) {
      Add(kPolicies, ObjectKind::kTable, name, Action::kAlter,
          {alter + (b.rls_enabled ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY"})
          .lock = kAccessExclusive;
    }
    if (a.rls_forced != b.rls_forced) {
      Add(kPolicies, ObjectKind::kTable, name, Action::kAlter,
          {alter + (b.rls_forced ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY"})
          .lock = kAccessExclusive;
    }
    for (const catalog::Policy& p : a.policies) {
      const catalog::Policy* n = nullptr;
      for (const catalog::Policy& o : b.policies) {
        if (o.name == p.name) n = &o;
      }
      if (n != nullptr) {
        catalog::Policy x = p;
        x.comment = n->comment;
        bool on_rebuilt_column = false;
        for (const std::string& c : RebuiltColumns(a.name)) {
          on_rebuilt_column =
              on_rebuilt_column || MentionsIdent(p.using_expr, c) || MentionsIdent(p.check_expr, c);
        }
        // The server refuses to change the type of a column a policy uses.
        for (const std::string& c : ConvertedColumns(a.name)) {
          on_rebuilt_column =
              on_rebuilt_column || MentionsIdent(p.using_expr, c) || MentionsIdent(p.check_expr, c);
        }
        if (x == *n && !UsesRecreatedFunction(p.using_expr) &&
            !UsesRecreatedFunction(p.check_expr) && !enum_rebuilt_tables_.count(a.name) &&
            !on_rebuilt_column) {
          CommentChange(ObjectKind::kPolicy, "POLICY " + QuoteIdent(p.name) + " ON " + name,
                        p.comment, n->comment);
          continue;
        }
      }
      Add(kDropTriggers, ObjectKind::kPolicy, MemberName(b.name, p.name), Action::kDrop,
          {"DROP POLICY " + QuoteIdent(p.name) + " ON " + name}, {report::PolicySql(a.name, p)})
          .lock = kAccessExclusive;
      if (n != nullptr) CreatePolicy(b.name, *n);
    }
    for (const catalog::Policy& p : b.policies) {
      bool had = false;
      for (const catalog::Policy& o : a.policies) had = had || o.name == p.name;
      if (!had) CreatePolicy(b.name, p);
    }
    ReplicaIdentityChange(name, a.replica_identity, b.replica_identity);
    OwnerChange(ObjectKind::kTable, "TABLE " + name, a.owner, b.owner);
    CommentChange(ObjectKind::kTable, "TABLE " + name, a.comment, b.comment);
  }

  // REPLICA IDENTITY (Table::replica_identity), once the indexes exist.
  void ReplicaIdentityChange(const std::string& table, const std::string& from,
                             const std::string& to) {
    if (from == to) return;
    auto sql = [&](const std::string& r) {
      std::string what = r.empty()        ? "DEFAULT"
                         : r == "full"    ? "FULL"
                         : r == "nothing" ? "NOTHING"
                                          : "USING INDEX " + QuoteIdent(r.substr(6));
      return "ALTER TABLE " + table + " REPLICA IDENTITY " + what;
    };
    Add(kOwners, ObjectKind::kTable, table, Action::kAlter, {sql(to)}, {sql(from)}).lock =
        kAccessExclusive;
  }

  // The parents (nearest first) that partition `a` of FROM leaves by a plain DETACH (`b` is
  // no partition): the server keeps, as the table's own, the indexes and the key and foreign
  // key constraints it had cloned for theirs.
  std::vector<QualifiedName> DetachedParents(const Table& a, const Table& b) const {
    std::vector<QualifiedName> out;
    if (!a.partition_of || b.partition_of || !to_.tables.count(*a.partition_of) ||
        recreated_tables_.count(*a.partition_of))
      return out;
    for (const Table* p = from_.FindTable(*a.partition_of); p != nullptr && out.size() < 64;
         p = p->partition_of ? from_.FindTable(*p->partition_of) : nullptr) {
      out.push_back(p->name);
    }
    return out;
  }

  // TO's constraint `k` of a table that FROM has as a partition is the clone of a parent's
  // that the DETACH leaves on it.
  bool ConstraintKeptByDetach(const Table& a, const Table& b, const Constraint& k) const {
    if (k.kind == ConstraintKind::kCheck) return false;
    for (const QualifiedName& p : DetachedParents(a, b)) {
      for (const Constraint& c : from_.FindTable(p)->constraints) {
        Constraint x = c;
        x.name = k.name;
        x.comment = k.comment;
        if (x == k) return true;
      }
    }
    return false;
  }

  // The same for TO's index `i`, new on such a table.
  bool IndexKeptByDetach(const Index& i) const {
    const Table* a = from_.FindTable(i.table);
    const Table* b = to_.FindTable(i.table);
    if (a == nullptr || b == nullptr) return false;
    for (const QualifiedName& p : DetachedParents(*a, *b)) {
      for (const auto& [q, pi] : from_.indexes) {
        if (pi.table == p && catalog::IndexesMatch(pi, i) && pi.options == i.options) return true;
      }
    }
    return false;
  }

  static bool SameConstraint(const Constraint& a, const Constraint& b) {
    Constraint x = a;
    x.comment = b.comment;
    return x == b;
  }

  // A constraint the server drops by itself when one of its columns is dropped.
  bool ConstraintGoesWithColumns(const Table& b, const Constraint& k) const {
    for (const std::string& c : k.columns) {
      if (b.FindColumn(c) == nullptr) return true;
    }
    return false;
  }

  // Whether a parent that `a` and `b` both inherit has `column` in the source and not in the
  // target.
  bool DroppedByParent(const Table& a, const Table& b, const std::string& column) const {
    for (const QualifiedName& p : a.inherits) {
      if (std::find(b.inherits.begin(), b.inherits.end(), p) == b.inherits.end()) continue;
      const Table* before = from_.FindTable(p);
      const Table* after = to_.FindTable(p);
      if (before != nullptr && after != nullptr && before->FindColumn(column) != nullptr &&
          after->FindColumn(column) == nullptr) {
        return true;
      }
    }
    return false;
  }

  void Columns(const Table& a, const Table& b) {
    std::string name = b.name.Quoted();
    std::string alter = "ALTER TABLE " + name;
    // A typed table gets and loses columns with its type (ALTER TYPE ... CASCADE).
    bool typed = a.of_type && b.of_type && *a.of_type == *b.of_type;
    // Generated columns first: one that is dropped goes before the columns its expression
    // reads, which the server refuses to drop while it is there.
    std::vector<const Column*> order;
    for (const Column& c : a.columns) {
      if (!c.generated_expr.empty()) order.push_back(&c);
    }
    for (const Column& c : a.columns) {
      if (c.generated_expr.empty()) order.push_back(&c);
    }
    for (const Column* column : order) {
      const Column& c = *column;
      const Column* n = b.FindColumn(c.name);
      if (n == nullptr && typed) continue;
      if (n == nullptr) {
        if (!c.is_local && (b.partition_of || !b.inherits.empty())) continue;
        // A child's column that a parent it keeps drops too: the parent's DROP COLUMN takes it
        // when the child has it only from that parent and leaves it when the child has it of
        // its own as well. A live database that reads the child as created with all its columns
        // (its column order differs from CREATE TABLE ... INHERITS) says "of its own" either
        // way, so the child's drop runs after the parent's, with IF EXISTS.
        bool parent_drops = !b.partition_of && DroppedByParent(a, b, c.name);
        Change& ch = Add(parent_drops ? kAttach : kColumns, ObjectKind::kColumn,
                         ColumnName(b.name, c.name), Action::kDrop,
                         {alter + " DROP COLUMN " + std::string(parent_drops ? "IF EXISTS " : "") +
                          QuoteIdent(c.name)},
                         {alter + " ADD COLUMN " + report::ColumnSql(c)});
        ch.lock = kAccessExclusive;
        ch.destructive = true;
        ch.data_loss = "the values of column " + ColumnName(b.name, c.name);
        // A generation expression that calls a function dropped (or dropped and created
        // again) goes before that function: the server refuses to drop it while it is used.
        if (UsesRecreatedFunction(c.generated_expr)) ch.phase = kDropConstraints;
        continue;
      }
      AlterColumn(b, c, *n);
    }
    for (const Column& c : b.columns) {
      if (a.FindColumn(c.name) != nullptr || typed) continue;
      // A column that a partition (or child) gets from its parent is added by the parent's ADD
      // COLUMN; a table that becomes a partition only now gets its columns itself.
      bool already_child = b.partition_of ? a.partition_of.has_value() : !b.inherits.empty();
      // Any of a child's parents that gets the column adds it to the child.
      bool added_by_parent = false;
      std::vector<QualifiedName> parents = b.inherits;
      if (b.partition_of) parents = {*b.partition_of};
      for (const QualifiedName& p : already_child ? parents : std::vector<QualifiedName>{}) {
        const Table* parent = to_.FindTable(p);
        const Table* parent_before = from_.FindTable(p);
        if (parent != nullptr && parent->FindColumn(c.name) != nullptr &&
            (parent_before == nullptr || parent_before->FindColumn(c.name) == nullptr)) {
          added_by_parent = true;
        }
      }
      if (added_by_parent) continue;
      Change& ch = Add(kColumns, ObjectKind::kColumn, ColumnName(b.name, c.name), Action::kCreate,
                       {alter + " ADD COLUMN " + report::ColumnSql(c)},
                       {alter + " DROP COLUMN " + QuoteIdent(c.name)});
      ch.lock = kAccessExclusive;
      bool volatile_default = c.default_expr.find("nextval(") != std::string::npos ||
                              c.default_expr.find("random()") != std::string::npos ||
                              c.default_expr.find("gen_random_uuid") != std::string::npos ||
                              c.default_expr.find("clock_timestamp") != std::string::npos;
      ch.rewrites =
          !c.generated_expr.empty() || c.identity != IdentityKind::kNone || volatile_default;
      ch.scans = c.not_null && c.default_expr.empty() && c.identity == IdentityKind::kNone;
      if (!c.storage.empty()) {
        Add(kColumns, ObjectKind::kColumn, ColumnName(b.name, c.name), Action::kAlter,
            {alter + " ALTER COLUMN " + QuoteIdent(c.name) + " SET STORAGE " + ToUpper(c.storage)})
            .lock = kAccessExclusive;
      }
      if (!c.comment.empty())
        CommentChange(ObjectKind::kColumn, "COLUMN " + ColumnName(b.name, c.name), "", c.comment);
    }
    if (ColumnOrderDiffers(a, b)) {
      result_.warnings.push_back("the column order of table " + name +
                                 " differs; ALTER TABLE cannot reorder columns, new columns are "
                                 "added at the end");
    }
  }

  static bool ColumnOrderDiffers(const Table& a, const Table& b) {
    std::vector<std::string> common_a, common_b;
    for (const Column& c : a.columns)
      if (b.FindColumn(c.name)) common_a.push_back(c.name);
    for (const Column& c : b.columns)
      if (a.FindColumn(c.name)) common_b.push_back(c.name);
    if (common_a != common_b) return true;
    // New columns must all come after the kept ones.
    bool seen_new = false;
    for (const Column& c : b.columns) {
      bool is_new = a.FindColumn(c.name) == nullptr;
      if (is_new)
        seen_new = true;
      else if (seen_new)
        return true;
    }
    return false;
  }

  static std::string ToUpper(std::string s) {
    for (char& ch : s) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return s;
  }

  // " RESTART" when the new bounds exclude where the sequence starts (the server refuses
  // bounds that exclude its current value).
  static std::string Restart(const catalog::SequenceOptions& a, const catalog::SequenceOptions& b) {
    return a.start < b.min_value || a.start > b.max_value ? " RESTART" : "";
  }

  static std::string IdentityWord(IdentityKind k) {
    return k == IdentityKind::kAlways ? "ALWAYS" : "BY DEFAULT";
  }

  static std::string IdentitySetOptions(const catalog::SequenceOptions& o) {
    std::string out;
    out += " SET INCREMENT BY " + std::to_string(o.increment);
    out += " SET MINVALUE " + std::to_string(o.min_value);
    out += " SET MAXVALUE " + std::to_string(o.max_value);
    out += " SET START WITH " + std::to_string(o.start);
    out += " SET CACHE " + std::to_string(o.cache);
    out += o.cycle ? " SET CYCLE" : " SET NO CYCLE";
    return out;
  }

  // Whether a column belongs to a partition or child and is changed through its parent (the
  // parent's ALTER COLUMN reaches it).
  bool ChangedThroughParent(const Table& b, const Column& a_col, const Column& b_col) const {
    if (!b.partition_of && b.inherits.empty()) return false;
    for (const QualifiedName& pq :
         b.partition_of ? std::vector<QualifiedName>{*b.partition_of} : b.inherits) {
      const Table* pa = from_.FindTable(pq);
      const Table* pb = to_.FindTable(pq);
      if (pa == nullptr || pb == nullptr) continue;
      const Column* ca = pa->FindColumn(a_col.name);
      const Column* cb = pb->FindColumn(b_col.name);
      // The parent's ALTER COLUMN ... TYPE carries its COLLATE to the partitions too.
      if (ca != nullptr && cb != nullptr &&
          (ca->type != cb->type || ca->collation != cb->collation) && cb->type == b_col.type &&
          (ca->collation == cb->collation || cb->collation == b_col.collation))
        return true;
    }
    return false;
  }

  void AlterColumn(const Table& t, const Column& a, const Column& b) {
    auto composite = composite_columns_.find(t.name);
    if (composite != composite_columns_.end() && composite->second.count(a.name) &&
        a.default_expr != b.default_expr && !UsesRecreatedFunction(b.default_expr)) {
      // Its type's change already dropped its default and set the target's.
      Column a2 = a;
      a2.default_expr = b.default_expr;
      AlterColumn(t, a2, b);
      return;
    }
    bool rebuilt_generated = RebuiltColumns(t.name).count(b.name) > 0;
    if (a == b && !UsesRecreatedFunction(a.default_expr) && !rebuilt_generated) return;
    std::string col = ColumnName(t.name, b.name);
    std::string alter = "ALTER TABLE " + t.name.Quoted() + " ALTER COLUMN " + QuoteIdent(b.name);
    std::string table_alter = "ALTER TABLE " + t.name.Quoted();
    auto add = [&](std::vector<std::string> sql, std::vector<std::string> reverse) -> Change& {
      Change& c = Add(kColumns, ObjectKind::kColumn, col, Action::kAlter, std::move(sql),
                      std::move(reverse));
      c.lock = kAccessExclusive;
      return c;
    };
    if (a.generated_expr != b.generated_expr || rebuilt_generated) {
      if (!a.generated_expr.empty() && b.generated_expr.empty() && a.type == b.type) {
        // Before a function the expression calls is dropped.
        Change& c = add({alter + " DROP EXPRESSION"}, {});
        if (UsesRecreatedFunction(a.generated_expr)) c.phase = kDropConstraints;
        Column a2 = a;
        a2.generated_expr.clear();
        AlterColumn(t, a2, b);
        return;
      }
      // No ALTER for a new generation expression in PostgreSQL 15: drop and add again. A
      // generation expression that calls a function dropped and created again goes before
      // that function is dropped and comes back after it is created; the values are
      // recomputed from the other columns, so nothing is lost.
      std::string drop = table_alter + " DROP COLUMN " + QuoteIdent(a.name);
      std::string add_back = table_alter + " ADD COLUMN " + report::ColumnSql(b);
      bool over_converted = GeneratedOverConverted(t.name, a);
      if (UsesRecreatedFunction(a.generated_expr) || over_converted) {
        Change& d = add({drop}, {table_alter + " ADD COLUMN " + report::ColumnSql(a)});
        d.phase = kDropConstraints;
        Change& c = add({add_back}, {table_alter + " DROP COLUMN " + QuoteIdent(b.name)});
        c.rewrites = true;
        // After every column of the table has its new type.
        if (over_converted) c.phase = kAttach;
      } else {
        Change& c = add({drop, add_back}, {table_alter + " DROP COLUMN " + QuoteIdent(b.name),
                                           table_alter + " ADD COLUMN " + report::ColumnSql(a)});
        c.rewrites = true;
        if (a.generated_expr.empty()) {
          c.destructive = true;
          c.data_loss = "the values of column " + col + " (replaced by a generated column)";
        }
      }
      if (!b.comment.empty()) CommentChange(ObjectKind::kColumn, "COLUMN " + col, "", b.comment);
      if (&t.columns.back() != &b && t.columns.back().name != b.name) {
        result_.warnings.push_back("generated column " + col +
                                   " is dropped and added again, so it moves to the end of the "
                                   "table (ALTER TABLE cannot reorder columns)");
      }
      return;
    }
    // 1. identity removed first (its NOT NULL cannot go while it is an identity).
    if (a.identity != IdentityKind::kNone && b.identity == IdentityKind::kNone) {
      add({alter + " DROP IDENTITY"},
          {alter + " ADD GENERATED " + IdentityWord(a.identity) + " AS IDENTITY"});
    }
    // A typed table's columns change with its type (ALTER TYPE ... CASCADE).
    bool type_changes = (a.type != b.type || a.collation != b.collation) &&
                        !ChangedThroughParent(t, a, b) && !t.of_type;
    // 2. the default goes before a type change (it may not convert).
    bool default_dropped = false;
    if (UsesRecreatedFunction(a.default_expr)) {
      // Before the function it calls is dropped.
      Change& c = add({alter + " DROP DEFAULT"}, {alter + " SET DEFAULT " + DefaultSql(a)});
      c.phase = kDropConstraints;
      default_dropped = true;
    } else if (!a.default_expr.empty() && (a.default_expr != b.default_expr || type_changes)) {
      add({alter + " DROP DEFAULT"}, {alter + " SET DEFAULT " + DefaultSql(a)});
      default_dropped = true;
    }
    // 3. the type.
    if (type_changes) {
      std::string stmt = alter + " TYPE " + report::SqlType(b.type);
      if (!b.collation.empty()) stmt += " COLLATE " + report::SqlDottedName(b.collation);
      bool widening = IsWidening(a.type, b.type);
      bool same_type = a.type == b.type;
      if (!same_type && !widening && !IsBinaryCoercible(a.type, b.type)) {
        stmt += " USING " + CastSql(from_, a.type, to_, b.type, QuoteIdent(b.name));
      }
      std::string back = alter + " TYPE " + report::SqlType(a.type);
      if (!a.collation.empty()) back += " COLLATE " + report::SqlDottedName(a.collation);
      if (!same_type && !IsWidening(b.type, a.type) && !IsBinaryCoercible(b.type, a.type)) {
        back += " USING " + CastSql(to_, b.type, from_, a.type, QuoteIdent(a.name));
      }
      Change& c = add({stmt}, {back});
      c.rewrites = !same_type && !IsBinaryCoercible(a.type, b.type);
      if (!same_type && !widening) {
        c.destructive = true;
        c.data_loss =
            "values of column " + col + " that do not fit " + b.type + " (was " + a.type + ")";
      }
    }
    // 4. the new default.
    if (!b.default_expr.empty() && (default_dropped || a.default_expr != b.default_expr)) {
      add({alter + " SET DEFAULT " + DefaultSql(b)},
          {a.default_expr.empty() ? alter + " DROP DEFAULT"
                                  : alter + " SET DEFAULT " + DefaultSql(a)});
    }
    // 5. NOT NULL (an identity needs it first).
    if (a.not_null != b.not_null) {
      Change& c = add({alter + (b.not_null ? " SET NOT NULL" : " DROP NOT NULL")},
                      {alter + (a.not_null ? " SET NOT NULL" : " DROP NOT NULL")});
      c.scans = b.not_null;
    }
    // 6. identity added or changed.
    if (a.identity == IdentityKind::kNone && b.identity != IdentityKind::kNone) {
      std::string opts = report::SqlSequenceOptions(b.identity_options, false);
      add({alter + " ADD GENERATED " + IdentityWord(b.identity) + " AS IDENTITY" +
           (opts.empty() ? "" : " (" + opts + ")")},
          {alter + " DROP IDENTITY"});
    } else if (a.identity != IdentityKind::kNone && b.identity != IdentityKind::kNone) {
      if (a.identity != b.identity) {
        add({alter + " SET GENERATED " + IdentityWord(b.identity)},
            {alter + " SET GENERATED " + IdentityWord(a.identity)});
      }
      if (!(a.identity_options == b.identity_options)) {
        add({alter + IdentitySetOptions(b.identity_options) +
             Restart(a.identity_options, b.identity_options)},
            {alter + IdentitySetOptions(a.identity_options) +
             Restart(b.identity_options, a.identity_options)});
      }
    }
    if (a.storage != b.storage) {
      add({alter + " SET STORAGE " +
           (b.storage.empty() ? std::string("EXTENDED") : ToUpper(b.storage))},
          {});
    }
    if (a.statistics_target != b.statistics_target) {
      // ONLY: the partitions and children keep their own targets.
      add({"ALTER TABLE ONLY " + t.name.Quoted() + " ALTER COLUMN " + QuoteIdent(b.name) +
           " SET STATISTICS " + std::to_string(b.statistics_target)},
          {"ALTER TABLE ONLY " + t.name.Quoted() + " ALTER COLUMN " + QuoteIdent(b.name) +
           " SET STATISTICS " + std::to_string(a.statistics_target)});
    }
    if (a.compression != b.compression) {
      add({alter + " SET COMPRESSION " +
           (b.compression.empty() ? std::string("default") : QuoteIdent(b.compression))},
          {});
    }
    CommentChange(ObjectKind::kColumn, "COLUMN " + col, a.comment, b.comment);
  }

  // Whether `type` names an enum of `cat` (or an array of one).
  static bool IsEnum(const Catalog& cat, const std::string& type) {
    std::string base = BaseName(type);
    for (const auto& [q, t] : cat.types) {
      if (t.kind == TypeKind::kEnum && TypeSpelling(q) == base) return true;
    }
    return false;
  }

  // `value` (a column reference) converted from `from_type` to `to_type`: enums have no cast
  // to another enum or from most types, so they go through text.
  static std::string CastSql(const Catalog& from, const std::string& from_type, const Catalog& to,
                             const std::string& to_type, const std::string& value) {
    bool arrays = EndsWith(from_type, "[]") && EndsWith(to_type, "[]");
    if (IsEnum(from, from_type) || IsEnum(to, to_type)) {
      return value + "::text" + (arrays ? "[]" : "") + "::" + report::SqlType(to_type);
    }
    return value + "::" + report::SqlType(to_type);
  }

  // ----- indexes
  void Indexes() {
    for (const auto& [q, i] : from_.indexes) {
      if (IndexGoesWithRelation(i)) continue;
      auto it = to_.indexes.find(q);
      if (it != to_.indexes.end()) {
        Index x = i;
        x.comment = it->second.comment;
        if (x == it->second && !IndexUsesRecreatedFunction(i) && !IndexOnRebuiltColumn(i) &&
            !IndexUsesRebuiltCollation(i)) {
          CommentChange(ObjectKind::kIndex, "INDEX " + q.Quoted(), i.comment, it->second.comment);
          continue;
        }
      } else if (IndexLosesColumn(i)) {
        continue;
      }
      // Dropped by the server with the generated column it names (no statement of its own).
      if (IndexOnRebuiltColumn(i) && !IndexUsesRecreatedFunction(i) &&
          !IndexUsesRebuiltCollation(i))
        continue;
      Change& c = Add(kDropIndexes, ObjectKind::kIndex, q.Quoted(), Action::kDrop,
                      {"DROP INDEX " + q.Quoted()}, {report::IndexSql(i)});
      c.lock = kAccessExclusive;
    }
    for (const auto& [q, i] : to_.indexes) {
      auto it = from_.indexes.find(q);
      bool on_new = from_.tables.count(i.table) == 0 && from_.views.count(i.table) == 0;
      bool rebuilt = recreated_tables_.count(i.table) || rebuilt_views_.count(i.table) || on_new;
      if (it != from_.indexes.end() && !rebuilt) {
        Index x = it->second;
        x.comment = i.comment;
        if (x == i && !IndexUsesRecreatedFunction(it->second) &&
            !IndexOnRebuiltColumn(it->second) && !IndexUsesRebuiltCollation(it->second))
          continue;
      }
      if (it == from_.indexes.end() && IndexKeptByDetach(i)) {
        CommentChange(ObjectKind::kIndex, "INDEX " + q.Quoted(), "", i.comment);
        continue;
      }
      bool on_view = to_.views.count(i.table) > 0;
      Change& c = Add(on_view ? kViewIndexes : kIndexes, ObjectKind::kIndex, q.Quoted(),
                      Action::kCreate, {report::IndexSql(i)}, {"DROP INDEX " + q.Quoted()});
      if (!on_new) {
        c.lock = kShare;
        c.scans = true;
      }
      // A created index has no comment yet.
      if (!i.comment.empty())
        CommentChange(ObjectKind::kIndex, "INDEX " + q.Quoted(), "", i.comment);
    }
  }

  // ----- index clones of partitions: their names and comments
  //
  // The server creates a clone on each partition for each index and key of its parent, named
  // from the columns of that moment; ALTER INDEX renames one (a key's constraint with it). A
  // clone both sides have (same partition, same unchanged root index or key) is renamed and
  // commented in place; one the diff has the server create (a new or re-created index, key or
  // partition) is renamed when TO's name is not the one the server gives now, found through
  // pg_inherits at run time, since that name depends on what the database holds then.
  // Partitions are visited parents first, so a clone is found under its parent's final name.
  void IndexClones() {
    std::vector<std::pair<int, const Table*>> parts;
    for (const auto& [q, b] : to_.tables) {
      if (!b.partition_of || b.clones.empty()) continue;
      int depth = 0;
      for (const Table* p = &b; p != nullptr && p->partition_of && depth < 64; ++depth)
        p = to_.FindTable(*p->partition_of);
      parts.emplace_back(depth, &b);
    }
    std::stable_sort(parts.begin(), parts.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [depth, bp] : parts) {
      const Table& b = *bp;
      const Table* a = from_.FindTable(b.name);
      bool kept_table = a != nullptr && a->partition_of && *a->partition_of == *b.partition_of &&
                        !recreated_tables_.count(b.name) && !dropped_tables_.count(b.name);
      for (const catalog::IndexClone& c : b.clones) {
        const catalog::IndexClone* old = nullptr;
        catalog::CloneRoot root = catalog::CloneRootOf(to_, b.name, c);
        if (kept_table && CloneRootKept(root) && !RootRebuiltByTypeChange(root, c.constraint)) {
          for (const catalog::IndexClone& x : a->clones) {
            if (x.constraint == c.constraint && catalog::CloneRootOf(from_, a->name, x) == root)
              old = &x;
          }
        }
        std::string what = c.constraint
                               ? "CONSTRAINT " + QuoteIdent(c.name) + " ON " + b.name.Quoted()
                               : "INDEX " + QualifiedName{b.name.schema, c.name}.Quoted();
        ObjectKind kind = c.constraint ? ObjectKind::kConstraint : ObjectKind::kIndex;
        if (old != nullptr) {
          if (old->name != c.name) {
            QualifiedName from_name{b.name.schema, old->name};
            QualifiedName to_name{b.name.schema, c.name};
            Add(kComments, kind, to_name.Quoted(), Action::kRename,
                {"ALTER INDEX " + from_name.Quoted() + " RENAME TO " + QuoteIdent(c.name)},
                {"ALTER INDEX " + to_name.Quoted() + " RENAME TO " + QuoteIdent(old->name)});
          }
          CommentChange(kind, what, old->comment, c.comment);
          continue;
        }
        // The DO block finds the clone whatever name the server gave it (and does nothing
        // when that is the name already), so any name but the unnumbered one gets one.
        if (c.name != catalog::ServerCloneName(to_, b, c)) {
          Add(kComments, kind, QualifiedName{b.name.schema, c.name}.Quoted(), Action::kRename,
              {CloneRenameSql(b, c)});
        }
        if (!c.comment.empty()) CommentChange(kind, what, "", c.comment);
      }
    }
  }

  // Whether the changes so far alter the type (or collation) of a column that the root index
  // or key uses, on its table or an ancestor: the server then builds the index again with
  // its partitions' clones, which get new names from the columns of that moment.
  bool RootRebuiltByTypeChange(const catalog::CloneRoot& root, bool constraint) {
    catalog::CloneSource source = catalog::FindCloneSource(to_, root, constraint);
    std::vector<std::string> columns;
    std::vector<const std::string*> texts;
    auto keys = [&](const std::vector<catalog::IndexKey>& list) {
      for (const catalog::IndexKey& k : list) {
        if (!k.column.empty()) columns.push_back(k.column);
        if (!k.expression.empty()) texts.push_back(&k.expression);
      }
    };
    if (source.index != nullptr) {
      keys(source.index->keys);
      columns.insert(columns.end(), source.index->include.begin(), source.index->include.end());
      texts.push_back(&source.index->predicate);
    } else if (source.key != nullptr) {
      columns = source.key->columns;
      keys(source.key->exclude_keys);
    } else {
      return false;
    }
    const Table* t = to_.FindTable(root.table);
    if (t == nullptr) return false;
    for (const catalog::Column& col : t->columns) {
      bool used = std::find(columns.begin(), columns.end(), col.name) != columns.end();
      for (const std::string* x : texts) used = used || MentionsIdent(*x, col.name);
      if (used) columns.push_back(col.name);
    }
    if (!type_alters_) {
      // "ALTER TABLE t ALTER COLUMN c" of each ALTER COLUMN ... TYPE written so far (every
      // one is, when the clones' turn comes).
      type_alters_.emplace();
      for (const Change& c : result_.changes) {
        for (const std::string& stmt : c.sql) {
          size_t column = stmt.find(" ALTER COLUMN ");
          if (stmt.rfind("ALTER TABLE ", 0) != 0 || column == std::string::npos) continue;
          size_t type = stmt.find(" TYPE ", column);
          if (type != std::string::npos) type_alters_->insert(stmt.substr(0, type));
        }
      }
    }
    for (int depth = 0; t != nullptr && depth < 64; ++depth) {
      for (const std::string& col : columns) {
        if (type_alters_->count("ALTER TABLE " + t->name.Quoted() + " ALTER COLUMN " +
                                QuoteIdent(col)))
          return true;
      }
      t = t->partition_of ? to_.FindTable(*t->partition_of) : nullptr;
    }
    return false;
  }

  // Whether the diff leaves the root index or key alone (its clones stay as they are).
  bool CloneRootKept(const catalog::CloneRoot& root) {
    const QualifiedName& table = root.table;
    if (recreated_tables_.count(table) || dropped_tables_.count(table)) return false;
    QualifiedName iq{table.schema, root.name};
    auto ai = from_.indexes.find(iq);
    auto bi = to_.indexes.find(iq);
    if (ai != from_.indexes.end() || bi != to_.indexes.end()) {
      if (ai == from_.indexes.end() || bi == to_.indexes.end()) return false;
      Index x = ai->second;
      x.comment = bi->second.comment;
      return x == bi->second && !IndexUsesRecreatedFunction(ai->second) &&
             !IndexOnRebuiltColumn(ai->second) && !IndexUsesRebuiltCollation(ai->second);
    }
    const Table* a = from_.FindTable(table);
    const Table* b = to_.FindTable(table);
    if (a == nullptr || b == nullptr) return false;
    const Constraint* ka = nullptr;
    const Constraint* kb = nullptr;
    for (const Constraint& k : a->constraints) {
      if (k.name == root.name) ka = &k;
    }
    for (const Constraint& k : b->constraints) {
      if (k.name == root.name) kb = &k;
    }
    return ka != nullptr && kb != nullptr && SameConstraint(*ka, *kb) && !KeysChange(table);
  }

  // Renames partition `b`'s clone of its parent's index (or clone) `c.parent_name` to
  // `c.name`, whatever name the server gave it.
  static std::string CloneRenameSql(const Table& b, const catalog::IndexClone& c) {
    QualifiedName parent_index{b.partition_of->schema, c.parent_name};
    return "DO $dbarch$DECLARE r regclass; BEGIN SELECT h.inhrelid::regclass INTO r FROM "
           "pg_catalog.pg_inherits h JOIN pg_catalog.pg_index x ON x.indexrelid = h.inhrelid "
           "WHERE h.inhparent = " +
           QuoteLiteral(parent_index.Quoted()) +
           "::regclass AND x.indrelid = " + QuoteLiteral(b.name.Quoted()) +
           "::regclass; IF (SELECT relname FROM pg_catalog.pg_class WHERE oid = r) <> " +
           QuoteLiteral(c.name) +
           " THEN EXECUTE pg_catalog.format('ALTER INDEX %s RENAME TO %I', r, " +
           QuoteLiteral(c.name) + "); END IF; END$dbarch$";
  }

  bool IndexGoesWithRelation(const Index& i) const {
    return dropped_tables_.count(i.table) || recreated_tables_.count(i.table) ||
           rebuilt_views_.count(i.table) || dropped_views_.count(i.table);
  }
  bool IndexLosesColumn(const Index& i) const {
    const Table* t = to_.FindTable(i.table);
    if (t == nullptr) return false;
    for (const catalog::IndexKey& k : i.keys) {
      if (!k.column.empty() && t->FindColumn(k.column) == nullptr) return true;
    }
    for (const std::string& c : i.include) {
      if (t->FindColumn(c) == nullptr) return true;
    }
    return false;
  }

  // ----- views
  void Views() {
    // Drops in reverse dependency order (a view before the views it reads).
    std::vector<QualifiedName> drops;
    for (const QualifiedName& q : dropped_views_) drops.push_back(q);
    for (const QualifiedName& q : rebuilt_views_) drops.push_back(q);
    for (const QualifiedName& q : TopoOrder(from_, drops, true)) {
      const View& v = from_.views.at(q);
      std::string word = v.materialized ? "MATERIALIZED VIEW " : "VIEW ";
      Change& c =
          Add(kDropViews, v.materialized ? ObjectKind::kMaterializedView : ObjectKind::kView,
              q.Quoted(), Action::kDrop, {"DROP " + word + q.Quoted()},
              report::CreateStatements(from_, v));
      (void)c;
    }
    std::vector<QualifiedName> creates;
    for (const auto& [q, v] : to_.views) {
      auto it = from_.views.find(q);
      if (it == from_.views.end() || rebuilt_views_.count(q)) {
        creates.push_back(q);
        continue;
      }
      const View& a = it->second;
      std::string word = v.materialized ? "MATERIALIZED VIEW " : "VIEW ";
      OwnerChange(ObjectKind::kView, word + q.Quoted(), a.owner, v.owner);
      CommentChange(ObjectKind::kView, word + q.Quoted(), a.comment, v.comment);
      ViewColumnComments(v, a.column_comments);
    }
    for (const QualifiedName& q : TopoOrder(to_, creates, false)) {
      const View& v = to_.views.at(q);
      std::string word = v.materialized ? "MATERIALIZED VIEW " : "VIEW ";
      std::vector<std::string> sql = report::CreateStatements(to_, v);
      if (v.materialized) {
        // The renderer writes WITH NO DATA (a schema load runs no query); a migration
        // populates the view as CREATE MATERIALIZED VIEW does by default.
        for (std::string& s : sql) {
          const std::string tail = "\nWITH NO DATA";
          if (s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0) {
            s.resize(s.size() - tail.size());
          }
        }
      }
      Add(kViews, v.materialized ? ObjectKind::kMaterializedView : ObjectKind::kView, q.Quoted(),
          Action::kCreate, sql, {"DROP " + word + q.Quoted()});
      if (!v.owner.empty()) OwnerChange(ObjectKind::kView, word + q.Quoted(), "", v.owner);
      if (!v.comment.empty()) CommentChange(ObjectKind::kView, word + q.Quoted(), "", v.comment);
      ViewColumnComments(v, {});
    }
  }

  void ViewColumnComments(const View& v, const std::map<std::string, std::string>& before) {
    for (const auto& [c, text] : v.column_comments) {
      auto it = before.find(c);
      CommentChange(ObjectKind::kColumn, "COLUMN " + ColumnName(v.name, c),
                    it == before.end() ? "" : it->second, text);
    }
    for (const auto& [c, text] : before) {
      if (v.column_comments.count(c) == 0)
        CommentChange(ObjectKind::kColumn, "COLUMN " + ColumnName(v.name, c), text, "");
    }
  }

  // `names` ordered so that a view comes after the views of the set it reads (or before,
  // with `reverse`).
  static std::vector<QualifiedName> TopoOrder(const Catalog& cat, std::vector<QualifiedName> names,
                                              bool reverse) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::set<QualifiedName> in(names.begin(), names.end());
    std::set<QualifiedName> done;
    std::vector<QualifiedName> out;
    std::function<void(const QualifiedName&, int)> visit = [&](const QualifiedName& q, int depth) {
      if (done.count(q) || depth > 256) return;
      done.insert(q);
      auto it = cat.views.find(q);
      if (it != cat.views.end()) {
        for (const QualifiedName& r : it->second.relations) {
          if (in.count(r)) visit(r, depth + 1);
        }
      }
      out.push_back(q);
    };
    for (const QualifiedName& q : names) visit(q, 0);
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
  }

  // ----- grants
  std::string GrantSql(const Catalog& cat, const catalog::Grant& g, bool grant) const {
    std::string priv = g.privilege;
    if (!g.column.empty()) priv += " (" + QuoteIdent(g.column) + ")";
    if (grant) {
      return report::PrivilegeSql(
          cat, g.object_kind, g.object, "GRANT " + priv,
          "TO " + report::SqlRole(g.grantee) + (g.with_grant_option ? " WITH GRANT OPTION" : ""));
    }
    // The owner's explicit grant option: only the option goes (the privilege is the owner's
    // by default). The owner either side: FROM's grants are revoked once the owners phase has
    // given the objects TO's owners (FollowOwners).
    bool owners_option = false;
    if (g.with_grant_option && g.column.empty()) {
      ObjectKind kind = g.object_kind == ObjectKind::kProcedure ? ObjectKind::kFunction
                        : g.object_kind == ObjectKind::kDomain  ? ObjectKind::kType
                                                                : g.object_kind;
      for (const Catalog* side : {&from_, &to_}) {
        OwnerMap owners = OwnersOf(*side);
        auto it = owners.find({kind, g.object});
        owners_option = owners_option || (it != owners.end() && it->second == g.grantee);
      }
    }
    return report::PrivilegeSql(cat, g.object_kind, g.object,
                                (owners_option ? "REVOKE GRANT OPTION FOR " : "REVOKE ") + priv,
                                "FROM " + report::SqlRole(g.grantee));
  }

  bool ObjectGone(const catalog::Grant& g) const {
    if (gone_.count(g.object) || recreated_.count(g.object)) return true;
    if (g.object_kind == ObjectKind::kFunction || g.object_kind == ObjectKind::kProcedure) {
      return to_.functions.count(g.object) == 0;
    }
    if (g.object_kind == ObjectKind::kSequence) {
      for (const auto& [q, s] : from_.sequences) {
        if (q.Quoted() == g.object) return to_.sequences.count(q) == 0;
      }
    }
    if (g.object_kind == ObjectKind::kSchema)
      return to_.schemas.count(g.object) == 0 && from_.schemas.count(g.object) > 0;
    if (!g.column.empty()) {
      // A dropped column takes its column grants with it: a REVOKE after the DROP COLUMN
      // would name a column that is gone.
      for (const auto& [q, t] : to_.tables) {
        if (q.Quoted() == g.object) return t.FindColumn(g.column) == nullptr;
      }
    }
    return false;
  }

  // (object, grantee, privilege) of each REVOKE on a whole object that Grants() writes.
  std::set<std::tuple<std::string, std::string, std::string>> revoked_on_object_;

  using OwnerMap = std::map<std::pair<ObjectKind, std::string>, std::string>;

  // The owner of every object that holds privileges, by the kind and name a Grant gives it.
  static OwnerMap OwnersOf(const Catalog& cat) {
    OwnerMap out;
    for (const auto& [q, t] : cat.tables) out[{ObjectKind::kTable, q.Quoted()}] = t.owner;
    for (const auto& [q, v] : cat.views) out[{ObjectKind::kTable, q.Quoted()}] = v.owner;
    for (const auto& [q, sq] : cat.sequences) out[{ObjectKind::kSequence, q.Quoted()}] = sq.owner;
    for (const auto& [sig, f] : cat.functions) out[{ObjectKind::kFunction, sig}] = f.owner;
    for (const auto& [q, t] : cat.types) out[{ObjectKind::kType, q.Quoted()}] = t.owner;
    for (const auto& [name, sc] : cat.schemas)
      out[{ObjectKind::kSchema, QuoteIdent(name)}] = sc.owner;
    for (const auto& [name, owner] : cat.language_owners)
      out[{ObjectKind::kLanguage, QuoteIdent(name)}] = owner;
    if (cat.database_owner)
      out[{ObjectKind::kDatabase, catalog::kCurrentDatabase}] = *cat.database_owner;
    return out;
  }

  // FROM's privileges as the server holds them once the owners have changed (the owners
  // phase runs before the grants): an old owner's column grants and revoked privileges are
  // the new owner's, and what the new owner was granted is part of its owner's entry
  // (aclnewowner).
  void FollowOwners(std::vector<catalog::Grant>& grants, std::vector<catalog::Grant>& revoked) {
    OwnerMap before = OwnersOf(from_);
    OwnerMap after = OwnersOf(to_);
    std::map<std::pair<ObjectKind, std::string>, std::pair<std::string, std::string>> moved;
    for (const auto& [key, owner] : before) {
      auto it = after.find(key);
      if (it != after.end() && it->second != owner && !recreated_.count(key.second))
        moved[key] = {owner, it->second};
    }
    if (moved.empty()) return;
    auto moved_of = [&](const catalog::Grant& g) -> const std::pair<std::string, std::string>* {
      ObjectKind kind = g.object_kind == ObjectKind::kProcedure ? ObjectKind::kFunction
                        : g.object_kind == ObjectKind::kDomain  ? ObjectKind::kType
                                                                : g.object_kind;
      auto it = moved.find({kind, g.object});
      return it == moved.end() ? nullptr : &it->second;
    };
    std::set<std::pair<std::string, std::string>> absorbed;  // (object, privilege)
    std::vector<catalog::Grant> kept;
    for (catalog::Grant g : grants) {
      const auto* m = moved_of(g);
      if (m != nullptr && g.column.empty() && g.grantee == m->second) {
        absorbed.insert({g.object, g.privilege});
        continue;
      }
      // Column grants and explicit grant options of the old owner are the new owner's.
      if (m != nullptr && (!g.column.empty() || g.with_grant_option) && g.grantee == m->first)
        g.grantee = m->second;
      kept.push_back(std::move(g));
    }
    grants = std::move(kept);
    std::vector<catalog::Grant> still;
    for (catalog::Grant g : revoked) {
      const auto* m = moved_of(g);
      if (m != nullptr && g.grantee == m->first) {
        if (absorbed.count({g.object, g.privilege})) continue;
        g.grantee = m->second;
      }
      still.push_back(std::move(g));
    }
    revoked = std::move(still);
  }

  void Grants() {
    from_grants_ = from_.grants;
    from_revoked_ = from_.revoked_defaults;
    FollowOwners(from_grants_, from_revoked_);
    // An owner's REVOKE on the whole object also takes its column grants: before the grants.
    RevokedDefaults(/*owners=*/true);
    std::set<catalog::Grant> before(from_grants_.begin(), from_grants_.end());
    std::set<catalog::Grant> after(to_.grants.begin(), to_.grants.end());
    auto on_rebuilt_column = [&](const catalog::Grant& g) {
      if (g.column.empty()) return false;
      for (const auto& [tq, cols] : rebuilt_columns_) {
        if (tq.Quoted() == g.object && cols.count(g.column)) return true;
      }
      return false;
    };
    for (const catalog::Grant& g : before) {
      if (after.count(g) || ObjectGone(g) || on_rebuilt_column(g)) continue;
      // A changed grant option is a revoke of the old row only when no row replaces it.
      Add(kGrants, g.object_kind, g.object, Action::kDrop, {GrantSql(from_, g, false)},
          {GrantSql(from_, g, true)});
      if (g.column.empty()) revoked_on_object_.insert({g.object, g.grantee, g.privilege});
    }
    for (const catalog::Grant& g : after) {
      // A REVOKE on the whole object takes the grantee's column grants of that privilege
      // too (the server's rule), so those it keeps are given again after it.
      bool revoked_with_object =
          !g.column.empty() && revoked_on_object_.count({g.object, g.grantee, g.privilege}) > 0;
      if (before.count(g) && !recreated_.count(g.object) && !on_rebuilt_column(g) &&
          !revoked_with_object)
        continue;
      Add(kGrants, g.object_kind, g.object, Action::kCreate, {GrantSql(to_, g, true)},
          {GrantSql(to_, g, false)});
    }
    RevokedDefaults(/*owners=*/false);
    SourceDefaultPrivilegesOnCreated();
  }

  // Objects the up script creates (or creates again) get the default privileges in force
  // while it runs, FROM's (TO's are set after them, in the order a file gives them to the
  // objects created before them): what FROM's add is taken away again and what FROM's
  // revoke of a built-in privilege takes is given back, unless TO's model holds the same.
  // A statement whose privilege the object already has (or lacks) changes nothing.
  void SourceDefaultPrivilegesOnCreated() {
    if (from_.default_privileges.empty()) return;
    struct Created {
      const char* type;  // TABLES, SEQUENCES, ...
      ObjectKind kind;
      std::string object;
      std::string schema;
    };
    std::vector<Created> created;
    for (const auto& [q, t] : to_.tables) {
      if (!from_.tables.count(q) || recreated_.count(q.Quoted()))
        created.push_back({"TABLES", ObjectKind::kTable, q.Quoted(), q.schema});
    }
    for (const auto& [q, v] : to_.views) {
      if (!from_.views.count(q) || recreated_.count(q.Quoted()) || rebuilt_views_.count(q) ||
          dropped_views_.count(q))
        created.push_back({"TABLES", ObjectKind::kTable, q.Quoted(), q.schema});
    }
    for (const auto& [q, sq] : to_.sequences) {
      if (!from_.sequences.count(q))
        created.push_back({"SEQUENCES", ObjectKind::kSequence, q.Quoted(), q.schema});
    }
    for (const auto& [sig, f] : to_.functions) {
      catalog::Grant probe{ObjectKind::kFunction, sig, "", "PUBLIC", "EXECUTE", false};
      if (CreatedWithDefaults(probe))
        created.push_back({"FUNCTIONS", ObjectKind::kFunction, sig, f.name.schema});
    }
    for (const auto& [q, t] : to_.types) {
      catalog::Grant probe{ObjectKind::kType, q.Quoted(), "", "PUBLIC", "USAGE", false};
      if (CreatedWithDefaults(probe))
        created.push_back({"TYPES", ObjectKind::kType, q.Quoted(), q.schema});
    }
    for (const auto& [name, sc] : to_.schemas) {
      if (!from_.schemas.count(name))
        created.push_back({"SCHEMAS", ObjectKind::kSchema, QuoteIdent(name), ""});
    }
    std::set<catalog::Grant> granted(to_.grants.begin(), to_.grants.end());
    std::set<catalog::Grant> revoked(to_.revoked_defaults.begin(), to_.revoked_defaults.end());
    std::set<std::string> emitted;
    OwnerMap owners = OwnersOf(to_);
    for (const catalog::DefaultPrivilege& d : from_.default_privileges) {
      for (const Created& c : created) {
        if (d.object_type != c.type || (!d.schema.empty() && d.schema != c.schema)) continue;
        catalog::Grant g{c.kind, c.object, "", d.grantee, d.privilege, false};
        if (d.revokes_builtin && d.grantee != "PUBLIC") {
          // The creator's own privilege, revoked from what it creates: only the role that
          // runs the script creates these objects, and their owner (set after) holds it.
          if (!d.role.empty()) continue;
          auto owner = owners.find({c.kind, c.object});
          if (owner == owners.end()) continue;
          g.grantee = owner->second;
        }
        std::string sql;
        if (d.revokes_builtin) {
          if (revoked.count(g)) continue;
          sql = GrantSql(to_, g, true);
        } else {
          catalog::Grant with_option = g;
          with_option.with_grant_option = true;
          if (granted.count(g) || granted.count(with_option)) continue;
          sql = GrantSql(to_, g, false);
        }
        if (!emitted.insert(sql).second) continue;
        Add(kGrants, c.kind, c.object, d.revokes_builtin ? Action::kCreate : Action::kDrop, {sql});
      }
    }
  }

  // Whether the object of a built-in privilege is created (again) by the up script: it then
  // holds PUBLIC's default privilege, whatever FROM's did.
  bool CreatedWithDefaults(const catalog::Grant& g) const {
    if (recreated_.count(g.object)) return true;
    switch (g.object_kind) {
      case ObjectKind::kLanguage:
      case ObjectKind::kDatabase:
        return false;
      case ObjectKind::kTable:
        for (const auto& [q, v] : to_.views) {
          if (q.Quoted() == g.object)
            return !from_.views.count(q) || rebuilt_views_.count(q) || dropped_views_.count(q);
        }
        for (const auto& [q, t] : to_.tables) {
          if (q.Quoted() == g.object) return !from_.tables.count(q);
        }
        return false;
      case ObjectKind::kSequence:
        return HasSequence(to_, g.object) && !HasSequence(from_, g.object);
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
        return from_.functions.count(g.object) == 0;
      case ObjectKind::kSchema:
        return std::none_of(from_.schemas.begin(), from_.schemas.end(),
                            [&](const auto& kv) { return QuoteIdent(kv.first) == g.object; });
      default:
        for (const auto& [q, t] : to_.types) {
          if (q.Quoted() != g.object) continue;
          auto it = from_.types.find(q);
          if (it == from_.types.end() || rebuilt_enums_.count(q)) return true;
          const Type& a = it->second;
          return a.kind != t.kind ||
                 (t.kind == TypeKind::kRange &&
                  (a.base_type != t.base_type || a.subtype_opclass != t.subtype_opclass));
        }
        return false;
    }
  }

  // Whether the object of a built-in privilege is still there after the up script.
  // Whether `cat` has the sequence `quoted` (one of its own or an identity column's).
  static bool HasSequence(const Catalog& cat, const std::string& quoted) {
    for (const auto& [q, sq] : cat.sequences) {
      if (q.Quoted() == quoted) return true;
    }
    for (const auto& [q, t] : cat.tables) {
      for (const catalog::Column& c : t.columns) {
        if (!c.identity_sequence.empty() &&
            QualifiedName{q.schema, c.identity_sequence}.Quoted() == quoted)
          return true;
      }
    }
    return false;
  }

  bool KeptInTarget(const catalog::Grant& g) const {
    switch (g.object_kind) {
      case ObjectKind::kLanguage:
      case ObjectKind::kDatabase:
        return true;
      case ObjectKind::kTable:
        return std::any_of(to_.tables.begin(), to_.tables.end(),
                           [&](const auto& kv) { return kv.first.Quoted() == g.object; }) ||
               std::any_of(to_.views.begin(), to_.views.end(),
                           [&](const auto& kv) { return kv.first.Quoted() == g.object; });
      case ObjectKind::kSequence:
        return HasSequence(to_, g.object);
      case ObjectKind::kFunction:
      case ObjectKind::kProcedure:
        return to_.functions.count(g.object) > 0;
      case ObjectKind::kSchema:
        return std::any_of(to_.schemas.begin(), to_.schemas.end(),
                           [&](const auto& kv) { return QuoteIdent(kv.first) == g.object; });
      default:
        return std::any_of(to_.types.begin(), to_.types.end(),
                           [&](const auto& kv) { return kv.first.Quoted() == g.object; });
    }
  }

  // PUBLIC's built-in privileges (EXECUTE on functions and procedures, USAGE on types,
  // domains and the schema public) that one side revokes: REVOKE ... FROM PUBLIC where TO
  // revokes one (also on an object created, or created again, by the script, which gets the
  // default back), GRANT ... TO PUBLIC where only FROM does.
  // `owners`: the owners' privileges (grantee not PUBLIC), else PUBLIC's.
  void RevokedDefaults(bool owners) {
    std::set<catalog::Grant> before, after;
    for (const catalog::Grant& g : from_revoked_) {
      if ((g.grantee != "PUBLIC") == owners) before.insert(g);
    }
    for (const catalog::Grant& g : to_.revoked_defaults) {
      if ((g.grantee != "PUBLIC") == owners) after.insert(g);
    }
    for (const catalog::Grant& g : before) {
      if (after.count(g) || !KeptInTarget(g) || CreatedWithDefaults(g)) continue;
      Add(kGrants, g.object_kind, g.object, Action::kCreate, {GrantSql(to_, g, true)},
          {GrantSql(to_, g, false)});
    }
    for (const catalog::Grant& g : after) {
      if (before.count(g) && !CreatedWithDefaults(g)) continue;
      Add(kGrants, g.object_kind, g.object, Action::kDrop, {GrantSql(to_, g, false)},
          {GrantSql(to_, g, true)});
      if (owners && g.column.empty()) revoked_on_object_.insert({g.object, g.grantee, g.privilege});
    }
  }

  static std::string DefaultPrivilegeSql(const catalog::DefaultPrivilege& d, bool apply) {
    std::string stmt = "ALTER DEFAULT PRIVILEGES";
    if (!d.role.empty()) stmt += " FOR ROLE " + report::SqlRole(d.role);
    if (!d.schema.empty()) stmt += " IN SCHEMA " + QuoteIdent(d.schema);
    bool grant = d.revokes_builtin ? !apply : apply;
    if (grant) {
      stmt +=
          " GRANT " + d.privilege + " ON " + d.object_type + " TO " + report::SqlRole(d.grantee);
      if (d.with_grant_option && !d.revokes_builtin) stmt += " WITH GRANT OPTION";
    } else {
      stmt +=
          " REVOKE " + d.privilege + " ON " + d.object_type + " FROM " + report::SqlRole(d.grantee);
    }
    return stmt;
  }

  void DefaultPrivileges() {
    std::set<catalog::DefaultPrivilege> before(from_.default_privileges.begin(),
                                               from_.default_privileges.end());
    std::set<catalog::DefaultPrivilege> after(to_.default_privileges.begin(),
                                              to_.default_privileges.end());
    for (const auto& d : before) {
      if (after.count(d)) continue;
      Add(kGrants, ObjectKind::kOther, "default privileges", Action::kDrop,
          {DefaultPrivilegeSql(d, false)}, {DefaultPrivilegeSql(d, true)});
    }
    for (const auto& d : after) {
      if (before.count(d)) continue;
      Add(kGrants, ObjectKind::kOther, "default privileges", Action::kCreate,
          {DefaultPrivilegeSql(d, true)}, {DefaultPrivilegeSql(d, false)});
    }
  }

  void Others() {
    if (from_.others == to_.others) return;
    for (const catalog::OtherObject& o : to_.others) {
      if (std::find(from_.others.begin(), from_.others.end(), o) == from_.others.end()) {
        result_.warnings.push_back("statement not modelled by dbarch, only in the target: " +
                                   o.kind + (o.name.empty() ? "" : " " + o.name));
      }
    }
    for (const catalog::OtherObject& o : from_.others) {
      if (std::find(to_.others.begin(), to_.others.end(), o) == to_.others.end()) {
        result_.warnings.push_back("statement not modelled by dbarch, only in the source: " +
                                   o.kind + (o.name.empty() ? "" : " " + o.name));
      }
    }
  }

  Catalog renamed_;      // the source with the declared renames applied (when there are any)
  const Catalog& from_;  // the source as the diff sees it
  const Catalog& to_;
  const DiffOptions& options_;
  DiffResult result_;
  std::set<QualifiedName> dropped_tables_;
  std::optional<std::set<std::string>> type_alters_;  // see RootRebuiltByTypeChange
  std::set<QualifiedName> recreated_tables_;
  std::set<QualifiedName> view_breaking_tables_;
  std::set<QualifiedName> dropped_views_;
  std::set<QualifiedName> rebuilt_views_;
  std::set<QualifiedName> rebuilt_enums_;
  std::set<QualifiedName> rebuilt_collations_;
  std::set<std::string> rebuilt_collation_spellings_;  // as Column::collation names them
  std::set<QualifiedName> collation_domains_;          // domains rebuilt with their collation
  // Columns whose type or collation changes, by table: the policies and trigger conditions
  // that name them go before and come back after (the server refuses the change otherwise).
  std::map<QualifiedName, std::set<std::string>> converted_columns_;
  // Columns whose type changes to one that is not a widening (nor binary-coercible), by table.
  std::map<QualifiedName, std::set<std::string>> retyped_key_columns_;
  std::set<QualifiedName> rebuilt_domains_;       // domains whose base type or collation changes
  std::set<std::string> recreated_aggregates_;    // signatures of aggregates dropped and created
  // Signatures of functions whose SQL-standard bodies read columns that change (or whose old
  // body reads what goes): dropped before, created again after (PrepareSqlBodyFunctions).
  std::set<std::string> sql_body_bound_functions_;
  std::set<std::string> domain_bound_functions_;  // signatures of functions taking or giving one
  // Partitioned tables (and their partitions) whose key uses a rebuilt collation: renamed
  // aside, created again and their rows copied before the old ones are dropped.
  std::set<QualifiedName> copied_tables_;
  // Table columns of a composite type whose attribute collation is rebuilt, by table: they go
  // through text while the type changes.
  std::map<QualifiedName, std::set<std::string>> composite_columns_;
  // Composite types renamed aside and created again, their columns converted by attribute
  // name (PrepareCompositeRebuild).
  std::set<QualifiedName> rebuilt_composites_;
  // Domains over a rebuilt composite type (rebuilt after it, values converted by attribute
  // name), and the conversion of each of their columns, by table and column
  // (RebuildComposites, for RebuildDomain).
  std::set<QualifiedName> composite_domains_;
  // Domains over a rebuilt enum (rebuilt after it), and the pairs Types() rebuilds after the
  // enums.
  std::set<QualifiedName> enum_domains_;
  std::vector<std::pair<const Type*, const Type*>> enum_domain_rebuilds_;
  std::map<QualifiedName, std::map<std::string, std::string>> domain_conversions_;
  // Copied tables' columns of a rebuilt composite type: the conversion of the old table's
  // value, by table and column (RebuildComposites, for CopyTables).
  std::map<QualifiedName, std::map<std::string, std::string>> copy_conversions_;
  // Columns of a table whose rows are copied that its old copy released from a domain
  // (PrepareDomainValidation): the copy casts them to this type (the column's own).
  std::map<QualifiedName, std::map<std::string, std::string>> copy_casts_;
  // The drops of the old composite types, written after the types the target drops (which may
  // use them).
  std::vector<std::pair<QualifiedName, std::string>> old_composite_drops_;
  // Range types over a rebuilt composite type, rebuilt with it, and their old forms' drops.
  std::set<QualifiedName> composite_ranges_;
  // DROP TYPE of the old forms of rebuilt enums that other rebuilt types used.
  std::vector<std::pair<QualifiedName, std::string>> old_enum_drops_;
  std::vector<std::pair<QualifiedName, std::string>> old_range_drops_;
  std::set<QualifiedName> enum_rebuilt_tables_;  // tables with a column of a rebuilt enum
  std::map<QualifiedName, std::vector<ReleasedColumn>> released_columns_;  // by domain
  std::set<std::string> recreated_;  // quoted names of relations dropped and created again
  std::set<std::string> gone_;       // quoted names of relations dropped
  // FROM's grants and revoked built-in privileges once the owners phase has run (FollowOwners).
  std::vector<catalog::Grant> from_grants_;
  std::vector<catalog::Grant> from_revoked_;
  std::set<QualifiedName> recreated_functions_;  // dropped, or dropped and created again
  // Generated columns dropped and added again (a new expression, or one that calls a function
  // dropped and created again), by table: the indexes, constraints, policies and column
  // grants that name them are lost with them and come back after.
  std::map<QualifiedName, std::set<std::string>> rebuilt_columns_;
  std::map<QualifiedName, bool> keys_change_;    // KeysChange, by table
  std::map<QualifiedName, std::vector<const Index*>> unique_indexes_;  // of from_, by table
};

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kDrop:
      return "drop";
    case Action::kAlter:
      return "alter";
    case Action::kRename:
      return "rename";
  }
  return "alter";
}

std::vector<std::string> DiffResult::UpStatements() const {
  std::vector<std::string> out;
  for (const Change& c : changes) {
    if (c.refused || !c.psql_variable.empty()) continue;
    for (const std::string& s : c.sql) out.push_back(s);
  }
  return out;
}

bool DiffResult::HasRefused() const {
  for (const Change& c : changes) {
    if (c.refused) return true;
  }
  return false;
}

DiffResult Diff(const Catalog& from, const Catalog& to, const DiffOptions& options) {
  // Equal catalogs may still differ in what a declared rename names and equality leaves out
  // (an identity column's sequence name).
  if (options.renames.empty() && from == to) return {};
  return Engine(from, to, options).Run();
}

DiffOptions ReverseOptions(const DiffOptions& options, const Catalog& from, const Catalog& to) {
  DiffOptions out = options;
  out.renames = ReverseRenames(options.renames, &from);
  (void)to;
  return out;
}

}  // namespace dbarch::diff
