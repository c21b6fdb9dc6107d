#include "pg/schema_dump.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "pg/connection.h"

namespace dbarch::pg {
namespace {

using Oid = uint32_t;

// Lists inside one result column are joined with this separator (ASCII unit separator),
// which no identifier, option or expression text contains.
constexpr char kSep = '\x1f';
constexpr const char* kSepSql = "chr(31)";

// First OID assigned to user objects (FirstNormalObjectId): everything below is built in.
constexpr Oid kFirstNormalOid = 16384;
// The bootstrap superuser (BOOTSTRAP_SUPERUSERID).
constexpr Oid kBootstrapSuperuser = 10;

// The parts of `s` between `sep` characters; empty for an empty `s`.
std::vector<std::string> SplitList(const std::string& s, char sep = kSep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

// Reads one row of a catalog query column by column, in select-list order.
class RowReader {
 public:
  RowReader(const QueryResult& res, int row) : res_(res), row_(row) {}

  bool IsNull() const { return res_.IsNull(row_, col_); }
  std::string Text() {
    int col = col_++;
    if (res_.IsNull(row_, col)) return std::string();
    return std::string(res_.Get(row_, col));
  }
  bool Bool() { return Text() == "t"; }
  int64_t Int() {
    std::string s = Text();
    int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  Oid OidValue() { return static_cast<Oid>(Int()); }
  char Char() {
    std::string s = Text();
    return s.empty() ? '\0' : s[0];
  }
  std::vector<std::string> List() { return SplitList(Text()); }

 private:
  const QueryResult& res_;
  int row_;
  int col_ = 0;
};

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The catalogs whose objects carry comments (pg_description.classoid, as regclass text).
constexpr const char* kClass = "pg_class";
constexpr const char* kType = "pg_type";
constexpr const char* kProc = "pg_proc";
constexpr const char* kNamespace = "pg_namespace";
constexpr const char* kConstraint = "pg_constraint";
constexpr const char* kTrigger = "pg_trigger";
constexpr const char* kPolicy = "pg_policy";
constexpr const char* kCollation = "pg_collation";
constexpr const char* kExtension = "pg_extension";
constexpr const char* kStatistic = "pg_statistic_ext";
constexpr const char* kRewrite = "pg_rewrite";
constexpr const char* kTsDict = "pg_ts_dict";
constexpr const char* kTsConfig = "pg_ts_config";

std::string Q(std::string_view ident) { return QuoteIdent(ident); }
std::string QN(std::string_view schema, std::string_view name) {
  return ::dbarch::QualifiedName(schema, name);
}

// Renders reloptions ("key=value" strings) as the body of WITH (...): values that are
// plain words or numbers stay bare, anything else becomes a string literal.
std::string RenderOptions(const std::vector<std::string>& options) {
  std::vector<std::string> parts;
  for (const std::string& kv : options) {
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    if (eq == std::string::npos) {
      parts.push_back(key);
      continue;
    }
    std::string value = kv.substr(eq + 1);
    // A lower-case word (on, off, auto, local) or a number; anything else is quoted.
    bool word = !value.empty() && ((value[0] >= 'a' && value[0] <= 'z') || value[0] == '_');
    bool number = !value.empty();
    for (size_t i = 0; i < value.size(); ++i) {
      char c = value[i];
      bool digit = c >= '0' && c <= '9';
      if (!((c >= 'a' && c <= 'z') || digit || c == '_')) word = false;
      if (!(digit || c == '.' || (i == 0 && c == '-'))) number = false;
    }
    parts.push_back(key + "=" + (word || number ? value : QuoteLiteral(value)));
  }
  return Join(parts, ", ");
}

// ---------------------------------------------------------------- what the queries return

struct RoleInfo {
  Oid oid = 0;
  std::string name;
  bool superuser = false, inherit = true, create_role = false, create_db = false;
  bool login = false, replication = false, bypass_rls = false;
  int64_t connection_limit = -1;
  std::string valid_until;  // UTC "YYYY-MM-DD HH:MM:SS+00"; "" = none or infinity
  // Read from pg_authid only when the session may (superusers): else unknown.
  bool password_known = false;
  std::optional<std::string> password;  // the stored hash; nullopt = no password
  std::string comment;
};

struct ExtensionInfo {
  std::string name, schema;
  std::string version;  // "" = the default version
  std::string comment;  // "" = the comment of the extension's control file
  bool comment_removed = false;  // COMMENT ... IS NULL of an extension whose control file has one
};

struct SchemaInfo {
  Oid oid = 0;
  std::string name;
  std::string owner;
  std::string comment;
};

struct TypeInfo {
  Oid oid = 0;
  std::string schema, name;
  char kind = 'e';  // typtype: e enum, c composite, d domain, r range
  std::string owner, comment;
  std::string enum_labels;                          // rendered 'a', 'b'
  std::string attributes;                           // rendered "a integer, b text COLLATE \"C\""
  std::string base_type;                            // domain
  std::string collation;                            // domain / range, rendered
  std::string default_expr;                         // domain
  bool not_null = false;                            // domain
  std::string subtype;                              // range
  std::string subtype_opclass;                      // range, rendered; "" = default
  std::string canonical, subtype_diff, multirange;  // range
  std::string QName() const { return QN(schema, name); }
};

struct DomainConstraintInfo {
  Oid oid = 0;
  Oid domain = 0;
  std::string name, definition, comment;
  bool validated = true;
};

struct FunctionInfo {
  Oid oid = 0;
  std::string schema, name;
  char kind = 'f';            // prokind: f function, p procedure, a aggregate, w window
  std::string identity_args;  // input argument types (aggregates: with ORDER BY)
  std::string arg_types;      // input argument types, one list (what GRANT ON FUNCTION takes)
  std::string owner, comment;
  std::string definition;  // pg_get_functiondef (not for aggregates)
  // aggregates
  std::string agg_args;
  int64_t nargs = 0;
  char agg_kind = 'n';
  std::string transfn, finalfn, combinefn, serialfn, deserialfn;
  std::string mtransfn, minvtransfn, mfinalfn;
  bool finalextra = false, mfinalextra = false;
  char finalmodify = 'r', mfinalmodify = 'r';
  std::string sortop, transtype, mtranstype, initval, minitval;
  bool has_initval = false, has_minitval = false;
  int64_t transspace = 0, mtransspace = 0;
  char parallel = 'u';
  std::string QName() const { return QN(schema, name); }
  // name(args) for ALTER / COMMENT / GRANT.
  std::string Signature() const {
    if (kind == 'a' && identity_args.empty()) return QName() + "(*)";
    return QName() + "(" + identity_args + ")";
  }
  const char* Keyword() const {
    return kind == 'p' ? "PROCEDURE" : kind == 'a' ? "AGGREGATE" : "FUNCTION";
  }
};

struct SequenceInfo {
  Oid oid = 0;
  std::string schema, name;
  std::string data_type;
  int64_t start = 1, increment = 1, max_value = 0, min_value = 0, cache = 1;
  bool cycle = false, unlogged = false;
  std::string owner, comment;
  Oid owned_by_table = 0;  // deptype 'a' (OWNED BY) or 'i' (identity)
  int64_t owned_by_attnum = 0;
  std::string owned_by_column;
  bool identity = false;
  std::string QName() const { return QN(schema, name); }
};

struct ColumnInfo {
  int64_t attnum = 0;
  std::string name, type, collation, default_expr, storage, compression, comment;
  bool not_null = false, is_local = true;
  int64_t inh_count = 0, stat_target = -1;
  char identity = '\0', generated = '\0';
};

struct ConstraintInfo {
  Oid oid = 0;
  Oid table = 0;
  std::string name;
  char kind = 'c';
  std::string definition, comment;
  bool is_local = true, validated = true;
  int64_t inh_count = 0;
  Oid parent = 0;
};

struct TableInfo {
  Oid oid = 0;
  std::string schema, name;
  char relkind = 'r';
  bool unlogged = false, is_partition = false;
  std::vector<std::string> options;
  std::string partition_bound, partition_key;
  std::vector<Oid> parents;
  bool rls = false, rls_forced = false;
  std::string owner, comment;
  Oid rowtype = 0, rowtype_array = 0;
  std::string access_method;
  char replica_identity = 'd';
  std::string of_type;
  std::vector<ColumnInfo> columns;
  std::vector<const ConstraintInfo*> checks;  // local CHECKs, emitted inside CREATE TABLE
  bool has_children = false;
  std::string QName() const { return QN(schema, name); }
  const ColumnInfo* FindColumn(const std::string& column) const {
    for (const ColumnInfo& c : columns) {
      if (c.name == column) return &c;
    }
    return nullptr;
  }
};

struct IndexInfo {
  Oid oid = 0, table = 0;
  std::string name, definition, comment, stat_targets;
  char relkind = 'i';
  bool clustered = false, constraint_backed = false, attached = false, replica_identity = false;
};

struct ViewInfo {
  Oid oid = 0;
  std::string schema, name;
  bool materialized = false;
  std::string definition;
  std::vector<std::string> options;
  bool populated = true;
  std::string owner, comment;
  Oid rowtype = 0, rowtype_array = 0;
  std::vector<ColumnInfo> columns;
  std::string QName() const { return QN(schema, name); }
};

struct TriggerInfo {
  Oid oid = 0, table = 0;
  std::string name, definition, comment;
  char enabled = 'O';
};

struct PolicyInfo {
  Oid oid = 0, table = 0;
  std::string name, roles, using_expr, check_expr, comment;
  bool permissive = true;
  char command = '*';
};

struct GrantRow {
  char kind = 'r';  // r relation, c column, n schema, f function, t type, l language, d database
  Oid oid = 0;
  int64_t attnum = 0;
  std::string grantee;  // "" = PUBLIC
  std::string privilege;
  bool grantable = false;
  std::string target_name;   // languages and the database: the object's name
  std::string target_owner;  // languages and the database: its owner
};

struct SimpleObject {  // statistics objects, rules, collations
  Oid oid = 0;
  std::string name, definition, owner, comment;
};

// A statement that creates an object, ordered by dependencies.
struct Node {
  char kind = 'r';  // t type, f function, r relation (sequence, table, view), k key
  int rank = 0;
  Oid oid = 0;
  std::string sql;
  std::vector<int> deps;
};

// ---------------------------------------------------------------- the dumper

class Dumper {
 public:
  Dumper(Connection& conn, const DumpOptions& options) : conn_(conn), options_(options) {}

  Result<std::string> Run();

 private:
  Result<QueryResult> Query(const char* what, const std::string& sql);
  std::string NspFilter(const std::string& alias) const;
  // SQL condition: the object is not a member of an extension.
  static std::string NotExtensionMember(const char* catalog, const std::string& oid_expr);
  // SQL condition: the object is neither an extension member nor created implicitly as
  // part of another object (a range type's constructor functions and multirange cast).
  static std::string NotImplicit(const char* catalog, const std::string& oid_expr);

  Status Setup();
  Status LoadComments();
  // The comment on an object ("" if none), from LoadComments.
  std::string CommentOn(const char* catalog, Oid oid, int64_t subid = 0) const {
    auto it = comments_.find({catalog, oid, subid});
    return it == comments_.end() ? std::string() : it->second;
  }
  Status LoadRoles();
  Status LoadSchemas();
  Status LoadExtensions();
  Status LoadCollations();
  Status LoadTextSearch();
  Status LoadTypes();
  Status LoadFunctions();
  Status LoadSequences();
  Status LoadTables();
  Status LoadColumns();
  Status LoadConstraints();
  Status LoadIndexes();
  Status LoadViews();
  Status LoadTriggers();
  Status LoadPolicies();
  Status LoadGrants();
  Status LoadDefaultPrivileges();
  Status LoadStatisticsAndRules();
  Status LoadUnsupported();
  Status LoadDependencies();

  std::string RenderType(const TypeInfo& t) const;
  std::string RenderFunction(const FunctionInfo& f) const;
  std::string RenderAggregate(const FunctionInfo& f) const;
  std::string RenderSequence(const SequenceInfo& s) const;
  std::string RenderTable(const TableInfo& t) const;
  // Whether CREATE TABLE ... INHERITS gives `t` its columns in their order: the parents'
  // columns first, then its own.
  bool InheritsLayoutMatches(const TableInfo& t) const;
  // An inheritance child created with all its columns and CHECKs, then attached with
  // ALTER TABLE ... INHERIT (which keeps the column order).
  std::string RenderChildThenInherit(const TableInfo& t) const;
  std::string RenderColumn(const TableInfo& t, const ColumnInfo& c) const;
  std::string RenderView(const ViewInfo& v) const;
  std::vector<int> OrderNodes() const;
  void RenderGrants(std::string& out) const;
  void RenderComments(std::string& out) const;
  std::string Render() const;

  const TableInfo* FindTable(Oid oid) const {
    auto it = tables_.find(oid);
    return it == tables_.end() ? nullptr : &it->second;
  }
  std::string RelationName(Oid oid) const;
  // "ALTER TABLE ONLY t" for a plain table; "ALTER TABLE t" for a partitioned one, where
  // keys and foreign keys must reach the partitions.
  std::string AlterTable(Oid table) const {
    const TableInfo* t = FindTable(table);
    return std::string(t && t->relkind == 'r' ? "ALTER TABLE ONLY " : "ALTER TABLE ") +
           RelationName(table);
  }
  // CURRENT_USER for the connecting user, else the quoted role name.
  std::string RoleRef(const std::string& role) const {
    return role == current_user_ ? "CURRENT_USER" : Q(role);
  }
  void AddNode(char kind, Oid oid, int rank, std::string sql);
  void AddAlias(char kind, Oid oid, char target_kind, Oid target_oid);
  int NodeOf(char kind, Oid oid) const {
    auto it = node_of_.find({kind, oid});
    if (it != node_of_.end()) return it->second;
    auto alias = aliases_.find({kind, oid});
    if (alias == aliases_.end()) return -1;
    it = node_of_.find(alias->second);
    return it == node_of_.end() ? -1 : it->second;
  }

  Connection& conn_;
  const DumpOptions& options_;
  std::string current_user_;
  // The owner of the database dumped, and of each language but internal, c and sql.
  std::string database_owner_;
  std::vector<std::pair<std::string, std::string>> language_owners_;
  std::map<std::tuple<std::string, Oid, int64_t>, std::string> comments_;

  std::vector<RoleInfo> roles_;
  std::vector<std::pair<std::string, std::pair<std::string, bool>>> memberships_;
  std::vector<SchemaInfo> schemas_;
  std::map<Oid, std::string> schema_names_;
  std::vector<ExtensionInfo> extensions_;
  std::vector<SimpleObject> collations_;
  std::vector<SimpleObject> ts_dictionaries_;
  std::vector<SimpleObject> ts_configs_;
  std::map<Oid, TypeInfo> types_;
  std::vector<DomainConstraintInfo> domain_constraints_;
  std::map<Oid, FunctionInfo> functions_;
  std::map<Oid, SequenceInfo> sequences_;
  std::map<std::pair<Oid, int64_t>, const SequenceInfo*> identity_sequences_;
  std::map<Oid, TableInfo> tables_;
  std::vector<ConstraintInfo> constraints_;
  std::vector<IndexInfo> indexes_;
  std::map<Oid, ViewInfo> views_;
  std::vector<TriggerInfo> triggers_;
  std::vector<PolicyInfo> policies_;
  std::vector<GrantRow> grants_;
  std::vector<std::string> default_privileges_;
  std::vector<SimpleObject> statistics_;
  std::vector<SimpleObject> rules_;
  std::vector<std::string> unsupported_;

  std::vector<Node> nodes_;
  std::map<std::pair<char, Oid>, int> node_of_;
  std::map<std::pair<char, Oid>, std::pair<char, Oid>> aliases_;
  std::vector<int> node_order_;     // indexes into nodes_, in creation order
  std::vector<int> node_position_;  // position of each node in node_order_
  std::vector<const ConstraintInfo*> sorted_constraints_;
  std::vector<const IndexInfo*> sorted_indexes_;
  std::vector<const TriggerInfo*> sorted_triggers_;
  std::vector<const PolicyInfo*> sorted_policies_;
  std::vector<std::pair<std::pair<char, Oid>, std::pair<char, Oid>>> edges_;
};

Result<QueryResult> Dumper::Query(const char* what, const std::string& sql) {
  auto res = conn_.Exec(sql);
  if (!res.ok()) {
    return std::move(res).TakeStatus().WithContext(std::string("reading ") + what);
  }
  return res;
}

std::string Dumper::NspFilter(const std::string& alias) const {
  std::string f =
      "(" + alias + ".nspname !~ '^pg_' AND " + alias + ".nspname <> 'information_schema'";
  auto list = [](const std::vector<std::string>& names) {
    std::vector<std::string> lits;
    for (const std::string& n : names) lits.push_back(QuoteLiteral(n));
    return "ARRAY[" + Join(lits, ", ") + "]::text[]";
  };
  if (!options_.include_schemas.empty()) {
    f += " AND " + alias + ".nspname::text = ANY (" + list(options_.include_schemas) + ")";
  }
  if (!options_.exclude_schemas.empty()) {
    f += " AND " + alias + ".nspname::text <> ALL (" + list(options_.exclude_schemas) + ")";
  }
  return f + ")";
}

std::string Dumper::NotExtensionMember(const char* catalog, const std::string& oid_expr) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = '") +
         catalog + "'::pg_catalog.regclass AND x.objid = " + oid_expr + " AND x.deptype = 'e')";
}

std::string Dumper::NotImplicit(const char* catalog, const std::string& oid_expr) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.classid = '") +
         catalog + "'::pg_catalog.regclass AND x.objid = " + oid_expr +
         " AND x.deptype IN ('e', 'i'))";
}

Status Dumper::Setup() {
  // Type names and expressions print objects in public bare and all others qualified (the
  // model's normal form); literals of time types print the same whatever the session's
  // zone and styles are.
  auto set = Query("session settings",
                   "SET search_path = public; SET TimeZone = 'UTC'; "
                   "SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
                   "SET extra_float_digits = 1");
  if (!set.ok()) return set.status();
  DBARCH_ASSIGN_OR_RETURN(QueryResult res, Query("the session user", "SELECT current_user"));
  if (res.rows() != 1) return Status::Internal("current_user returned no row");
  current_user_ = RowReader(res, 0).Text();
  return Status::OK();
}

// All comments on user objects in one query, looked up while reading each kind. (Joining
// pg_description into every query is planned from catalog statistics, which are stale right
// after bulk DDL; the nested loops that result cost seconds on 10,000 tables.)
Status Dumper::LoadComments() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("comments",
            "SELECT d.classoid::pg_catalog.regclass::text, d.objoid, d.objsubid, d.description "
            "FROM pg_catalog.pg_description d WHERE d.objoid >= " +
                std::to_string(kFirstNormalOid)));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    std::string catalog = r.Text();
    Oid oid = r.OidValue();
    int64_t subid = r.Int();
    comments_[{catalog, oid, subid}] = r.Text();
  }
  return Status::OK();
}

Status Dumper::LoadRoles() {
  if (!options_.include_roles) return Status::OK();
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("roles",
            "SELECT r.oid, r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, "
            "r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit, "
            "CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil = 'infinity' THEN '' ELSE "
            "pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
            "|| '+00' END, "
            "(SELECT dsc.description FROM pg_catalog.pg_shdescription dsc "
            "WHERE dsc.objoid = r.oid "
            "AND dsc.classoid = 'pg_catalog.pg_authid'::pg_catalog.regclass) "
            "FROM pg_catalog.pg_roles r "
            "WHERE r.rolname !~ '^pg_' AND r.oid <> " +
                std::to_string(kBootstrapSuperuser) +
                " AND r.rolname <> current_user ORDER BY r.rolname"));
  std::set<std::string> dumped;
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    RoleInfo role;
    role.oid = r.OidValue();
    role.name = r.Text();
    role.superuser = r.Bool();
    role.inherit = r.Bool();
    role.create_role = r.Bool();
    role.create_db = r.Bool();
    role.login = r.Bool();
    role.replication = r.Bool();
    role.bypass_rls = r.Bool();
    role.connection_limit = r.Int();
    role.valid_until = r.Text();
    role.comment = r.Text();
    dumped.insert(role.name);
    roles_.push_back(std::move(role));
  }
  // Password hashes are in pg_authid, which only superusers may read; without that right
  // the passwords stay unknown (and diff leaves them alone).
  std::optional<QueryResult> can;
  if (options_.role_passwords) {
    DBARCH_ASSIGN_OR_RETURN(can,
                            Query("roles",
                                  "SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', "
                                  "'SELECT')"));
  }
  if (can.has_value() && can->rows() == 1 && RowReader(*can, 0).Bool()) {
    DBARCH_ASSIGN_OR_RETURN(QueryResult pw, Query("roles",
                                                  "SELECT a.rolname, a.rolpassword IS NOT NULL, "
                                                  "a.rolpassword FROM pg_catalog.pg_authid a"));
    std::map<std::string, std::optional<std::string>> by_name;
    for (int i = 0; i < pw.rows(); ++i) {
      RowReader r(pw, i);
      std::string name = r.Text();
      bool set = r.Bool();
      std::string hash = r.Text();
      by_name[name] = set ? std::optional<std::string>(hash) : std::nullopt;
    }
    for (RoleInfo& role : roles_) {
      auto it = by_name.find(role.name);
      if (it == by_name.end()) continue;
      role.password_known = true;
      role.password = it->second;
    }
  }
  DBARCH_ASSIGN_OR_RETURN(QueryResult mem, Query("role memberships",
                                                 "SELECT g.rolname, m.rolname, am.admin_option "
                                                 "FROM pg_catalog.pg_auth_members am "
                                                 "JOIN pg_catalog.pg_roles g ON g.oid = am.roleid "
                                                 "JOIN pg_catalog.pg_roles m ON m.oid = am.member "
                                                 "ORDER BY g.rolname, m.rolname"));
  for (int i = 0; i < mem.rows(); ++i) {
    RowReader r(mem, i);
    std::string role = r.Text();
    std::string member = r.Text();
    bool admin = r.Bool();
    if (dumped.count(member) == 0) continue;
    memberships_.push_back({role, {member, admin}});
  }
  return Status::OK();
}

Status Dumper::LoadSchemas() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("schemas",
            "SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) "
            "FROM pg_catalog.pg_namespace n "
            "WHERE " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_namespace", "n.oid") +
                " ORDER BY n.nspname"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    SchemaInfo s;
    s.oid = r.OidValue();
    s.name = r.Text();
    s.owner = r.Text();
    s.comment = CommentOn(kNamespace, s.oid);
    schema_names_[s.oid] = s.name;
    schemas_.push_back(std::move(s));
  }
  return Status::OK();
}

Status Dumper::LoadExtensions() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("extensions",
            "SELECT e.extname, n.nspname, "
            "CASE WHEN e.extversion IS DISTINCT FROM a.default_version THEN e.extversion END, "
            "e.oid, a.comment "
            "FROM pg_catalog.pg_extension e "
            "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
            "LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname "
            "WHERE e.extname <> 'plpgsql' AND " +
                NspFilter("n") + " ORDER BY e.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    ExtensionInfo e;
    e.name = r.Text();
    e.schema = r.Text();
    e.version = r.Text();
    Oid oid = r.OidValue();
    std::string default_comment = r.Text();
    e.comment = CommentOn(kExtension, oid);
    e.comment_removed = e.comment.empty() && !default_comment.empty();
    if (e.comment == default_comment) e.comment.clear();
    extensions_.push_back(std::move(e));
  }
  return Status::OK();
}

Status Dumper::LoadCollations() {
  // colliculocale (15, 16) was renamed colllocale in 17: read it through jsonb so one query
  // works on every version.
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("collations",
            "SELECT c.oid, n.nspname, c.collname, c.collprovider, c.collisdeterministic, "
            "c.collcollate, c.collctype, "
            "coalesce(pg_catalog.to_jsonb(c) ->> 'colllocale', "
            "pg_catalog.to_jsonb(c) ->> 'colliculocale'), "
            "pg_catalog.pg_get_userbyid(c.collowner) "
            "FROM pg_catalog.pg_collation c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace "
            "WHERE " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_collation", "c.oid") +
                " ORDER BY c.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    SimpleObject c;
    c.oid = r.OidValue();
    std::string schema = r.Text();
    std::string name = r.Text();
    c.name = QN(schema, name);
    char provider = r.Char();
    bool deterministic = r.Bool();
    std::string collate = r.Text();
    std::string ctype = r.Text();
    std::string locale = r.Text();
    std::vector<std::string> opts;
    if (provider == 'i') {
      opts.push_back("provider = icu");
      opts.push_back("locale = " + QuoteLiteral(locale));
    } else if (provider == 'c') {
      opts.push_back("provider = libc");
      if (collate == ctype) {
        opts.push_back("locale = " + QuoteLiteral(collate));
      } else {
        opts.push_back("lc_collate = " + QuoteLiteral(collate));
        opts.push_back("lc_ctype = " + QuoteLiteral(ctype));
      }
    } else {
      opts.push_back("provider = " + std::string(provider == 'b' ? "builtin" : "default"));
      if (!locale.empty()) opts.push_back("locale = " + QuoteLiteral(locale));
    }
    if (!deterministic) opts.push_back("deterministic = false");
    c.definition = "CREATE COLLATION " + c.name + " (" + Join(opts, ", ") + ")";
    c.owner = r.Text();
    c.comment = CommentOn(kCollation, c.oid);
    collations_.push_back(std::move(c));
  }
  return Status::OK();
}

Status Dumper::LoadTypes() {
  const std::string collation_of_attr =
      "CASE WHEN a.attcollation <> at.typcollation "
      "THEN ' COLLATE ' || a.attcollation::pg_catalog.regcollation::text ELSE '' END";
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("types",
            "SELECT t.oid, n.nspname, t.typname, t.typtype, "
            "pg_catalog.pg_get_userbyid(t.typowner), t.typarray, t.typrelid, "
            "(SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' "
            "ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), "
            "(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' || "
            "pg_catalog.format_type(a.atttypid, a.atttypmod) || " +
                collation_of_attr +
                ", ', ' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
                "JOIN pg_catalog.pg_type at ON at.oid = a.atttypid "
                "WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), "
                "CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, "
                "t.typtypmod) END, "
                "CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation "
                "THEN t.typcollation::pg_catalog.regcollation::text "
                "WHEN t.typtype = 'r' AND r.rngcollation <> st.typcollation "
                "THEN r.rngcollation::pg_catalog.regcollation::text END, "
                "coalesce(pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typdefault), "
                "t.typnotnull, "
                "pg_catalog.format_type(r.rngsubtype, NULL), "
                "CASE WHEN NOT opc.opcdefault THEN CASE WHEN opc.opcnamespace = "
                "'pg_catalog'::pg_catalog.regnamespace THEN pg_catalog.quote_ident(opc.opcname) "
                "ELSE pg_catalog.quote_ident(opcn.nspname) || '.' || "
                "pg_catalog.quote_ident(opc.opcname) END END, "
                "CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text "
                "END, "
                "CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END, "
                "CASE WHEN r.rngmultitypid <> 0 THEN pg_catalog.quote_ident(mn.nspname) || '.' "
                "|| pg_catalog.quote_ident(mt.typname) END, "
                "r.rngmultitypid, mt.typarray "
                "FROM pg_catalog.pg_type t "
                "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
                "LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid "
                "LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype "
                "LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid "
                "LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype "
                "LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc "
                "LEFT JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace "
                "LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid "
                "LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace "
                "WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c')) "
                "AND " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_type", "t.oid") +
                " ORDER BY t.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    TypeInfo t;
    t.oid = r.OidValue();
    t.schema = r.Text();
    t.name = r.Text();
    t.kind = r.Char();
    t.owner = r.Text();
    t.comment = CommentOn(kType, t.oid);
    Oid array = r.OidValue();
    Oid relid = r.OidValue();
    t.enum_labels = r.Text();
    t.attributes = r.Text();
    t.base_type = r.Text();
    t.collation = r.Text();
    t.default_expr = r.Text();
    t.not_null = r.Bool();
    t.subtype = r.Text();
    t.subtype_opclass = r.Text();
    t.canonical = r.Text();
    t.subtype_diff = r.Text();
    t.multirange = r.Text();
    Oid multirange = r.OidValue();
    Oid multirange_array = r.OidValue();
    if (array != 0) AddAlias('t', array, 't', t.oid);
    if (relid != 0) AddAlias('r', relid, 't', t.oid);
    if (multirange != 0) AddAlias('t', multirange, 't', t.oid);
    if (multirange_array != 0) AddAlias('t', multirange_array, 't', t.oid);
    types_.emplace(t.oid, std::move(t));
  }

  DBARCH_ASSIGN_OR_RETURN(
      QueryResult con,
      Query("domain constraints",
            "SELECT c.oid, c.contypid, c.conname, pg_catalog.pg_get_constraintdef(c.oid), "
            "c.convalidated "
            "FROM pg_catalog.pg_constraint c "
            "JOIN pg_catalog.pg_type t ON t.oid = c.contypid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
            "WHERE c.contypid <> 0 AND c.contype = 'c' AND " +
                NspFilter("n") + " ORDER BY c.contypid, c.conname"));
  for (int i = 0; i < con.rows(); ++i) {
    RowReader r(con, i);
    DomainConstraintInfo c;
    c.oid = r.OidValue();
    c.domain = r.OidValue();
    c.name = r.Text();
    c.definition = r.Text();
    c.validated = r.Bool();
    c.comment = CommentOn(kConstraint, c.oid);
    if (types_.count(c.domain) == 0) continue;
    domain_constraints_.push_back(std::move(c));
  }
  return Status::OK();
}

Status Dumper::LoadFunctions() {
  auto regproc = [](const char* col) {
    return std::string("CASE WHEN a.") + col + " <> 0 THEN a." + col +
           "::pg_catalog.regproc::text END, ";
  };
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("functions",
            "SELECT p.oid, n.nspname, p.proname, p.prokind, "
            "CASE WHEN p.prokind = 'a' "
            "THEN pg_catalog.pg_get_function_identity_arguments(p.oid) "
            "ELSE pg_catalog.oidvectortypes(p.proargtypes) END, "
            "pg_catalog.oidvectortypes(p.proargtypes), "
            "pg_catalog.pg_get_userbyid(p.proowner), "
            "CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END, "
            "CASE WHEN p.prokind = 'a' THEN pg_catalog.pg_get_function_arguments(p.oid) END, "
            "p.pronargs, a.aggkind, " +
                regproc("aggtransfn") + regproc("aggfinalfn") + regproc("aggcombinefn") +
                regproc("aggserialfn") + regproc("aggdeserialfn") + regproc("aggmtransfn") +
                regproc("aggminvtransfn") + regproc("aggmfinalfn") +
                "a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify, a.aggmfinalmodify, "
                "CASE WHEN a.aggsortop <> 0 THEN CASE WHEN o.oprnamespace = "
                "'pg_catalog'::pg_catalog.regnamespace THEN o.oprname::text ELSE 'OPERATOR(' || "
                "pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname || ')' END END, "
                "CASE WHEN a.aggtranstype <> 0 THEN pg_catalog.format_type(a.aggtranstype, "
                "NULL) END, "
                "CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, "
                "NULL) END, "
                "a.agginitval, a.aggminitval, a.aggtransspace, a.aggmtransspace, p.proparallel "
                "FROM pg_catalog.pg_proc p "
                "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                "LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid "
                "LEFT JOIN pg_catalog.pg_operator o ON o.oid = a.aggsortop "
                "LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace "
                "WHERE " +
                NspFilter("n") + " AND " + NotImplicit("pg_catalog.pg_proc", "p.oid") +
                " ORDER BY p.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    FunctionInfo f;
    f.oid = r.OidValue();
    f.schema = r.Text();
    f.name = r.Text();
    f.kind = r.Char();
    f.identity_args = r.Text();
    f.arg_types = r.Text();
    f.owner = r.Text();
    f.comment = CommentOn(kProc, f.oid);
    f.definition = r.Text();
    f.agg_args = r.Text();
    f.nargs = r.Int();
    f.agg_kind = r.Char();
    f.transfn = r.Text();
    f.finalfn = r.Text();
    f.combinefn = r.Text();
    f.serialfn = r.Text();
    f.deserialfn = r.Text();
    f.mtransfn = r.Text();
    f.minvtransfn = r.Text();
    f.mfinalfn = r.Text();
    f.finalextra = r.Bool();
    f.mfinalextra = r.Bool();
    f.finalmodify = r.Char();
    f.mfinalmodify = r.Char();
    f.sortop = r.Text();
    f.transtype = r.Text();
    f.mtranstype = r.Text();
    f.has_initval = !r.IsNull();
    f.initval = r.Text();
    f.has_minitval = !r.IsNull();
    f.minitval = r.Text();
    f.transspace = r.Int();
    f.mtransspace = r.Int();
    f.parallel = r.Char();
    functions_.emplace(f.oid, std::move(f));
  }
  return Status::OK();
}

Status Dumper::LoadSequences() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("sequences",
            "SELECT c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), "
            "s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle, "
            "c.relpersistence, pg_catalog.pg_get_userbyid(c.relowner), "
            "own.refobjid, own.refobjsubid, own.deptype, oa.attname "
            "FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_depend own ON own.classid = "
            "'pg_catalog.pg_class'::pg_catalog.regclass AND own.objid = c.oid "
            "AND own.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
            "AND own.refobjsubid > 0 AND own.deptype IN ('a', 'i') "
            "LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = own.refobjid "
            "AND oa.attnum = own.refobjsubid "
            "WHERE c.relkind = 'S' AND " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_class", "c.oid") +
                " ORDER BY c.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    SequenceInfo s;
    s.oid = r.OidValue();
    s.schema = r.Text();
    s.name = r.Text();
    s.data_type = r.Text();
    s.start = r.Int();
    s.increment = r.Int();
    s.max_value = r.Int();
    s.min_value = r.Int();
    s.cache = r.Int();
    s.cycle = r.Bool();
    s.unlogged = r.Char() == 'u';
    s.owner = r.Text();
    s.comment = CommentOn(kClass, s.oid);
    s.owned_by_table = r.OidValue();
    s.owned_by_attnum = r.Int();
    s.identity = r.Char() == 'i';
    s.owned_by_column = r.Text();
    auto it = sequences_.emplace(s.oid, std::move(s)).first;
    if (it->second.identity) {
      identity_sequences_[{it->second.owned_by_table, it->second.owned_by_attnum}] = &it->second;
    }
  }
  return Status::OK();
}

Status Dumper::LoadTables() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("tables",
            std::string("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, "
                        "c.relispartition, pg_catalog.array_to_string(c.reloptions, ") +
                kSepSql +
                "), "
                "CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) "
                "END, "
                "CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, "
                "(SELECT pg_catalog.string_agg(h.inhparent::text, ',' ORDER BY h.inhseqno) "
                "FROM pg_catalog.pg_inherits h WHERE h.inhrelid = c.oid), "
                "c.relrowsecurity, c.relforcerowsecurity, "
                "pg_catalog.pg_get_userbyid(c.relowner), c.reltype, rt.typarray, "
                "CASE WHEN am.amname <> 'heap' THEN am.amname END, c.relreplident, "
                "CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END, "
                "c.relhassubclass, pg_catalog.array_to_string(tc.reloptions, " +
                kSepSql +
                ") "
                "FROM pg_catalog.pg_class c "
                "LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_catalog.pg_type rt ON rt.oid = c.reltype "
                "LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam "
                "WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_class", "c.oid") +
                " ORDER BY c.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    TableInfo t;
    t.oid = r.OidValue();
    t.schema = r.Text();
    t.name = r.Text();
    t.relkind = r.Char();
    t.unlogged = r.Char() == 'u';
    t.is_partition = r.Bool();
    t.options = r.List();
    t.partition_bound = r.Text();
    t.partition_key = r.Text();
    for (const std::string& p : SplitList(r.Text(), ',')) {
      Oid parent = 0;
      std::from_chars(p.data(), p.data() + p.size(), parent);
      t.parents.push_back(parent);
    }
    t.rls = r.Bool();
    t.rls_forced = r.Bool();
    t.owner = r.Text();
    t.comment = CommentOn(kClass, t.oid);
    t.rowtype = r.OidValue();
    t.rowtype_array = r.OidValue();
    t.access_method = r.Text();
    t.replica_identity = r.Char();
    t.of_type = r.Text();
    t.has_children = r.Bool();
    for (const std::string& option : r.List()) t.options.push_back("toast." + option);
    tables_.emplace(t.oid, std::move(t));
  }
  return Status::OK();
}

Status Dumper::LoadColumns() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("columns",
            "SELECT a.attrelid, a.attnum, a.attname, "
            "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attislocal, "
            "a.attinhcount, a.attidentity, a.attgenerated, "
            // A default cannot refer to columns, so it deparses without the table as context
            // (opening every table for that costs ~10x more); a generation expression can.
            "CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(ad.adbin, 0) "
            "ELSE pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END, "
            "CASE WHEN a.attcollation <> t.typcollation "
            "THEN a.attcollation::pg_catalog.regcollation::text END, "
            "CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END, "
            "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END, "
            "coalesce(a.attstattarget, -1) "
            "FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid "
            "AND ad.adnum = a.attnum "
            "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm') "
            "AND " +
                NspFilter("n") + " ORDER BY a.attrelid, a.attnum"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    Oid rel = r.OidValue();
    ColumnInfo c;
    c.attnum = r.Int();
    c.name = r.Text();
    c.type = r.Text();
    c.not_null = r.Bool();
    c.is_local = r.Bool();
    c.inh_count = r.Int();
    c.identity = r.Char();
    c.generated = r.Char();
    c.default_expr = r.Text();
    c.collation = r.Text();
    std::string storage = r.Text();
    if (storage == "p") c.storage = "plain";
    if (storage == "e") c.storage = "external";
    if (storage == "x") c.storage = "extended";
    if (storage == "m") c.storage = "main";
    c.compression = r.Text();
    c.stat_target = r.Int();
    c.comment = CommentOn(kClass, rel, c.attnum);
    if (auto it = tables_.find(rel); it != tables_.end()) {
      it->second.columns.push_back(std::move(c));
    } else if (auto v = views_.find(rel); v != views_.end()) {
      v->second.columns.push_back(std::move(c));
    }
  }
  return Status::OK();
}

Status Dumper::LoadConstraints() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("constraints",
            "SELECT con.oid, con.conrelid, con.conname, con.contype, "
            "pg_catalog.pg_get_constraintdef(con.oid), con.conislocal, con.coninhcount, "
            "con.conparentid, con.convalidated "
            "FROM pg_catalog.pg_constraint con "
            "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE con.contype IN ('c', 'p', 'u', 'f', 'x') AND " +
                NspFilter("n") + " ORDER BY con.conrelid, con.conname"));
  constraints_.reserve(res.rows());
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    ConstraintInfo c;
    c.oid = r.OidValue();
    c.table = r.OidValue();
    c.name = r.Text();
    c.kind = r.Char();
    c.definition = r.Text();
    c.is_local = r.Bool();
    c.inh_count = r.Int();
    c.parent = r.OidValue();
    c.validated = r.Bool();
    c.comment = CommentOn(kConstraint, c.oid);
    if (tables_.count(c.table) == 0) continue;
    constraints_.push_back(std::move(c));
  }
  for (const ConstraintInfo& c : constraints_) {
    // CHECKs go inside CREATE TABLE, so inheritance children and partitions created after
    // their parent inherit them as the server would (ALTER TABLE ONLY ... ADD CHECK is
    // refused on a table with children). NOT VALID ones must be added later.
    if (c.kind == 'c' && c.is_local && c.parent == 0 && c.validated) {
      tables_[c.table].checks.push_back(&c);
    }
  }
  return Status::OK();
}

Status Dumper::LoadIndexes() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("indexes",
            "SELECT i.indexrelid, i.indrelid, ic.relname, "
            "CASE WHEN k.oid IS NULL AND h.inhrelid IS NULL "
            "THEN pg_catalog.pg_get_indexdef(i.indexrelid) END, "
            "ic.relkind, i.indisclustered, k.oid IS NOT NULL, h.inhrelid IS NOT NULL, "
            "(SELECT pg_catalog.string_agg(ia.attnum || ' ' || ia.attstattarget, ',' "
            "ORDER BY ia.attnum) FROM pg_catalog.pg_attribute ia "
            "WHERE ia.attrelid = i.indexrelid AND ia.attstattarget >= 0), "
            "i.indisreplident "
            "FROM pg_catalog.pg_index i "
            "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = i.indrelid "
            "AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x') "
            "LEFT JOIN pg_catalog.pg_inherits h ON h.inhrelid = i.indexrelid "
            "WHERE c.relkind IN ('r', 'p', 'm') AND " +
                NspFilter("n") + " ORDER BY i.indrelid, ic.relname"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    IndexInfo x;
    x.oid = r.OidValue();
    x.table = r.OidValue();
    x.name = r.Text();
    x.definition = r.Text();
    x.relkind = r.Char();
    x.clustered = r.Bool();
    x.constraint_backed = r.Bool();
    x.attached = r.Bool();
    x.stat_targets = r.Text();
    x.comment = CommentOn(kClass, x.oid);
    x.replica_identity = r.Bool();
    if (tables_.count(x.table) == 0 && views_.count(x.table) == 0) continue;
    indexes_.push_back(std::move(x));
  }
  return Status::OK();
}

Status Dumper::LoadViews() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("views", std::string("SELECT c.oid, n.nspname, c.relname, c.relkind, "
                                 "pg_catalog.pg_get_viewdef(c.oid), "
                                 "pg_catalog.array_to_string(c.reloptions, ") +
                         kSepSql +
                         "), c.relispopulated, pg_catalog.pg_get_userbyid(c.relowner), "
                         "c.reltype, rt.typarray "
                         "FROM pg_catalog.pg_class c "
                         "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                         "LEFT JOIN pg_catalog.pg_type rt ON rt.oid = c.reltype "
                         "WHERE c.relkind IN ('v', 'm') AND " +
                         NspFilter("n") + " AND " +
                         NotExtensionMember("pg_catalog.pg_class", "c.oid") + " ORDER BY c.oid"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    ViewInfo v;
    v.oid = r.OidValue();
    v.schema = r.Text();
    v.name = r.Text();
    v.materialized = r.Char() == 'm';
    v.definition = r.Text();
    v.options = r.List();
    v.populated = r.Bool();
    v.owner = r.Text();
    v.comment = CommentOn(kClass, v.oid);
    v.rowtype = r.OidValue();
    v.rowtype_array = r.OidValue();
    // pg_get_viewdef ends the query with ';'.
    while (!v.definition.empty() &&
           (v.definition.back() == ';' ||
            std::isspace(static_cast<unsigned char>(v.definition.back())))) {
      v.definition.pop_back();
    }
    views_.emplace(v.oid, std::move(v));
  }
  return Status::OK();
}

Status Dumper::LoadTriggers() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("triggers",
            "SELECT t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), "
            "t.tgenabled "
            "FROM pg_catalog.pg_trigger t "
            "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND " +
                NspFilter("n") + " ORDER BY t.tgrelid, t.tgname"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    TriggerInfo t;
    t.oid = r.OidValue();
    t.table = r.OidValue();
    t.name = r.Text();
    t.definition = r.Text();
    t.enabled = r.Char();
    t.comment = CommentOn(kTrigger, t.oid);
    if (tables_.count(t.table) == 0 && views_.count(t.table) == 0) continue;
    triggers_.push_back(std::move(t));
  }
  return Status::OK();
}

Status Dumper::LoadPolicies() {
  DBARCH_ASSIGN_OR_RETURN(QueryResult res,
                          Query("policies",
                                "SELECT p.oid, p.polrelid, p.polname, p.polpermissive, p.polcmd, "
                                "(SELECT pg_catalog.string_agg(CASE WHEN x.r = 0 THEN 'PUBLIC' "
                                "WHEN ro.rolname = current_user THEN 'CURRENT_USER' "
                                "ELSE pg_catalog.quote_ident(ro.rolname) END, ', ' "
                                "ORDER BY x.r <> 0, ro.rolname) "
                                "FROM pg_catalog.unnest(p.polroles) AS x(r) "
                                "LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = x.r), "
                                "pg_catalog.pg_get_expr(p.polqual, p.polrelid), "
                                "pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) "
                                "FROM pg_catalog.pg_policy p "
                                "JOIN pg_catalog.pg_class c ON c.oid = p.polrelid "
                                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE " +
                                    NspFilter("n") + " ORDER BY p.polrelid, p.polname"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    PolicyInfo p;
    p.oid = r.OidValue();
    p.table = r.OidValue();
    p.name = r.Text();
    p.permissive = r.Bool();
    p.command = r.Char();
    p.roles = r.Text();
    p.using_expr = r.Text();
    p.check_expr = r.Text();
    p.comment = CommentOn(kPolicy, p.oid);
    if (tables_.count(p.table) == 0) continue;
    policies_.push_back(std::move(p));
  }
  return Status::OK();
}

Status Dumper::LoadGrants() {
  {
    DBARCH_ASSIGN_OR_RETURN(
        QueryResult res,
        Query(
            "database and language owners",
            "SELECT NULL::text, pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d "
            "WHERE d.datname = pg_catalog.current_database() UNION ALL "
            "SELECT l.lanname::text, pg_catalog.pg_get_userbyid(l.lanowner) "
            "FROM pg_catalog.pg_language l WHERE l.lanname NOT IN ('internal', 'c', 'sql') "
            "ORDER BY 1 NULLS FIRST"));
    for (int i = 0; i < res.rows(); ++i) {
      RowReader r(res, i);
      bool database = res.IsNull(i, 0);
      std::string name = r.Text();
      std::string owner = r.Text();
      if (database) {
        database_owner_ = owner;
      } else {
        language_owners_.emplace_back(name, owner);
      }
    }
  }
  const std::string cols =
      "a.grantee, CASE WHEN a.grantee = 0 THEN '' "
      "ELSE pg_catalog.pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable";
  const std::string none = ", NULL::text, NULL::text";
  const std::string sql =
      "SELECT 'r', c.oid, 0, " + cols + none +
      " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      // An empty ACL (everything revoked, from the owner too) gives one row of NULLs.
      "LEFT JOIN pg_catalog.aclexplode(c.relacl) a ON true WHERE c.relacl IS NOT NULL AND " +
      NspFilter("n") + " UNION ALL SELECT 'c', c.oid, att.attnum, " + cols + none +
      " FROM pg_catalog.pg_attribute att JOIN pg_catalog.pg_class c ON c.oid = att.attrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, "
      "pg_catalog.aclexplode(att.attacl) a WHERE att.attacl IS NOT NULL AND NOT att.attisdropped "
      "AND " +
      NspFilter("n") + " UNION ALL SELECT 'n', n.oid, 0, " + cols + none +
      " FROM pg_catalog.pg_namespace n LEFT JOIN pg_catalog.aclexplode(n.nspacl) a ON true "
      "WHERE n.nspacl IS NOT NULL AND " +
      NspFilter("n") + " UNION ALL SELECT 'f', p.oid, 0, " + cols + none +
      " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
      "LEFT JOIN pg_catalog.aclexplode(p.proacl) a ON true WHERE p.proacl IS NOT NULL AND " +
      NspFilter("n") + " UNION ALL SELECT 't', t.oid, 0, " + cols + none +
      " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
      "LEFT JOIN pg_catalog.aclexplode(t.typacl) a ON true WHERE t.typacl IS NOT NULL AND " +
      NspFilter("n") + " UNION ALL SELECT 'l', l.oid, 0, " + cols +
      ", l.lanname::text, pg_catalog.pg_get_userbyid(l.lanowner) "
      "FROM pg_catalog.pg_language l LEFT JOIN pg_catalog.aclexplode(l.lanacl) a ON true "
      "WHERE l.lanacl IS NOT NULL AND l.lanname NOT IN ('internal', 'c', 'sql') "
      "UNION ALL SELECT 'd', d.oid, 0, " +
      cols +
      ", d.datname::text, pg_catalog.pg_get_userbyid(d.datdba) "
      "FROM pg_catalog.pg_database d LEFT JOIN pg_catalog.aclexplode(d.datacl) a ON true "
      "WHERE d.datacl IS NOT NULL AND d.datname = pg_catalog.current_database() "
      "ORDER BY 1, 2, 3, 5, 6";
  DBARCH_ASSIGN_OR_RETURN(QueryResult res, Query("privileges", sql));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    GrantRow g;
    g.kind = r.Char();
    g.oid = r.OidValue();
    g.attnum = r.Int();
    Oid grantee_oid = r.OidValue();
    g.grantee = r.Text();
    if (grantee_oid == 0) g.grantee.clear();
    g.privilege = r.Text();
    g.grantable = r.Bool();
    g.target_name = r.Text();
    g.target_owner = r.Text();
    grants_.push_back(std::move(g));
  }
  return Status::OK();
}

Status Dumper::LoadDefaultPrivileges() {
  // A schema-specific entry adds to the global defaults; a global entry replaces the
  // built-in defaults (acldefault), so it is written as the grants and revokes that turn
  // the built-in defaults into it.
  const std::string deftype =
      "CASE da.defaclobjtype WHEN 'S' THEN 's' ELSE da.defaclobjtype END::\"char\"";
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("default privileges",
            "SELECT pg_catalog.pg_get_userbyid(da.defaclrole), n.nspname, da.defaclobjtype, "
            "g.action, CASE WHEN g.grantee = 0 THEN '' "
            "ELSE pg_catalog.pg_get_userbyid(g.grantee) END, g.privilege_type, g.is_grantable "
            "FROM pg_catalog.pg_default_acl da "
            "LEFT JOIN pg_catalog.pg_namespace n ON n.oid = da.defaclnamespace, "
            "LATERAL (SELECT 'GRANT' AS action, x.grantee, x.privilege_type, x.is_grantable "
            "FROM pg_catalog.aclexplode(da.defaclacl) x "
            "WHERE da.defaclnamespace <> 0 OR NOT EXISTS (SELECT 1 FROM "
            "pg_catalog.aclexplode(pg_catalog.acldefault(" +
                deftype +
                ", da.defaclrole)) y WHERE y.grantee = x.grantee "
                "AND y.privilege_type = x.privilege_type AND y.is_grantable = x.is_grantable) "
                "UNION ALL SELECT 'REVOKE', y.grantee, y.privilege_type, false "
                "FROM pg_catalog.aclexplode(pg_catalog.acldefault(" +
                deftype +
                ", da.defaclrole)) y WHERE da.defaclnamespace = 0 AND NOT EXISTS (SELECT 1 "
                "FROM pg_catalog.aclexplode(da.defaclacl) x WHERE x.grantee = y.grantee "
                "AND x.privilege_type = y.privilege_type)) g "
                "WHERE da.defaclnamespace = 0 OR " +
                NspFilter("n") + " ORDER BY 1, 2 NULLS FIRST, 3, 4, 5, 7, 6"));
  // One statement per (role, schema, object type, action, grantee, grant option).
  std::string last_key;
  std::string stmt_head, stmt_tail;
  std::vector<std::string> privs;
  auto flush = [&] {
    if (!privs.empty()) default_privileges_.push_back(stmt_head + Join(privs, ", ") + stmt_tail);
    privs.clear();
  };
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    std::string role = r.Text();
    bool global = r.IsNull();
    std::string schema = r.Text();
    char objtype = r.Char();
    std::string action = r.Text();
    std::string grantee = r.Text();
    std::string privilege = r.Text();
    bool grantable = r.Bool();
    const char* objects = objtype == 'r'   ? "TABLES"
                          : objtype == 'S' ? "SEQUENCES"
                          : objtype == 'f' ? "FUNCTIONS"
                          : objtype == 'T' ? "TYPES"
                                           : "SCHEMAS";
    std::string key = role + kSep + schema + kSep + objtype + kSep + action + kSep + grantee +
                      kSep + (grantable ? "t" : "f");
    if (key != last_key) {
      flush();
      last_key = key;
      stmt_head = "ALTER DEFAULT PRIVILEGES";
      if (role != current_user_) stmt_head += " FOR ROLE " + Q(role);
      if (!global) stmt_head += " IN SCHEMA " + Q(schema);
      stmt_head += " " + action + " ";
      std::string who = grantee.empty() ? "PUBLIC" : RoleRef(grantee);
      stmt_tail = std::string(" ON ") + objects + (action == "GRANT" ? " TO " : " FROM ") + who +
                  (grantable && action == "GRANT" ? " WITH GRANT OPTION" : "");
    }
    privs.push_back(privilege);
  }
  flush();
  return Status::OK();
}

Status Dumper::LoadStatisticsAndRules() {
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult st,
      Query("statistics objects",
            "SELECT s.oid, pg_catalog.quote_ident(n.nspname) || '.' || "
            "pg_catalog.quote_ident(s.stxname), "
            "pg_catalog.pg_get_statisticsobjdef(s.oid), "
            "pg_catalog.pg_get_userbyid(s.stxowner), "
            "coalesce(s.stxstattarget, -1) "
            "FROM pg_catalog.pg_statistic_ext s "
            "JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace "
            "WHERE " +
                NspFilter("n") + " AND " +
                NotExtensionMember("pg_catalog.pg_statistic_ext", "s.oid") + " ORDER BY s.oid"));
  for (int i = 0; i < st.rows(); ++i) {
    RowReader r(st, i);
    SimpleObject s;
    s.oid = r.OidValue();
    s.name = r.Text();
    s.definition = r.Text();
    s.owner = r.Text();
    s.comment = CommentOn(kStatistic, s.oid);
    int64_t target = r.Int();
    if (target >= 0) {
      s.definition += ";\nALTER STATISTICS " + s.name + " SET STATISTICS " + std::to_string(target);
    }
    statistics_.push_back(std::move(s));
  }
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult rules,
      Query("rules",
            "SELECT r.oid, r.ev_class, r.rulename, pg_catalog.pg_get_ruledef(r.oid) "
            "FROM pg_catalog.pg_rewrite r "
            "JOIN pg_catalog.pg_class c ON c.oid = r.ev_class "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE r.rulename <> '_RETURN' AND " +
                NspFilter("n") + " ORDER BY r.oid"));
  for (int i = 0; i < rules.rows(); ++i) {
    RowReader r(rules, i);
    SimpleObject s;
    s.oid = r.OidValue();
    Oid table = r.OidValue();
    std::string name = r.Text();
    s.definition = r.Text();
    s.comment = CommentOn(kRewrite, s.oid);
    if (tables_.count(table) == 0 && views_.count(table) == 0) continue;
    s.name = Q(name) + " ON " + RelationName(table);
    while (!s.definition.empty() && s.definition.back() == ';') s.definition.pop_back();
    rules_.push_back(std::move(s));
  }
  return Status::OK();
}

Status Dumper::LoadUnsupported() {
  auto in_schema = [&](const char* catalog, const char* alias, const char* nsp_col) {
    return std::string(" JOIN pg_catalog.pg_namespace n ON n.oid = ") + alias + "." + nsp_col +
           " WHERE " + NspFilter("n") + " AND " +
           NotExtensionMember(catalog, std::string(alias) + ".oid");
  };
  const std::string sql =
      "SELECT 'foreign table', n.nspname || '.' || c.relname FROM pg_catalog.pg_class c" +
      in_schema("pg_catalog.pg_class", "c", "relnamespace") +
      " AND c.relkind = 'f'"
      " UNION ALL SELECT 'operator', n.nspname || '.' || o.oprname "
      "FROM pg_catalog.pg_operator o" +
      in_schema("pg_catalog.pg_operator", "o", "oprnamespace") +
      " UNION ALL SELECT 'operator class', n.nspname || '.' || o.opcname "
      "FROM pg_catalog.pg_opclass o" +
      in_schema("pg_catalog.pg_opclass", "o", "opcnamespace") +
      " UNION ALL SELECT 'operator family', n.nspname || '.' || o.opfname "
      "FROM pg_catalog.pg_opfamily o" +
      in_schema("pg_catalog.pg_opfamily", "o", "opfnamespace") +
      " UNION ALL SELECT 'text search parser', n.nspname || '.' || o.prsname "
      "FROM pg_catalog.pg_ts_parser o" +
      in_schema("pg_catalog.pg_ts_parser", "o", "prsnamespace") +
      " UNION ALL SELECT 'text search template', n.nspname || '.' || o.tmplname "
      "FROM pg_catalog.pg_ts_template o" +
      in_schema("pg_catalog.pg_ts_template", "o", "tmplnamespace") +
      " UNION ALL SELECT 'conversion', n.nspname || '.' || o.conname "
      "FROM pg_catalog.pg_conversion o" +
      in_schema("pg_catalog.pg_conversion", "o", "connamespace") +
      " UNION ALL SELECT 'base type', n.nspname || '.' || t.typname FROM pg_catalog.pg_type t" +
      in_schema("pg_catalog.pg_type", "t", "typnamespace") +
      " AND t.typtype IN ('b', 'p') AND t.typelem = 0 AND t.oid >= " +
      std::to_string(kFirstNormalOid) +
      " UNION ALL SELECT 'cast', pg_catalog.format_type(k.castsource, NULL) || ' AS ' || "
      "pg_catalog.format_type(k.casttarget, NULL) FROM pg_catalog.pg_cast k WHERE k.oid >= " +
      std::to_string(kFirstNormalOid) + " AND " + NotImplicit("pg_catalog.pg_cast", "k.oid") +
      " UNION ALL SELECT 'event trigger', e.evtname::text FROM pg_catalog.pg_event_trigger e "
      "WHERE " +
      NotExtensionMember("pg_catalog.pg_event_trigger", "e.oid") +
      " UNION ALL SELECT 'foreign server', s.srvname::text FROM pg_catalog.pg_foreign_server s "
      "WHERE " +
      NotExtensionMember("pg_catalog.pg_foreign_server", "s.oid") +
      " UNION ALL SELECT 'publication', p.pubname::text FROM pg_catalog.pg_publication p"
      " ORDER BY 1, 2";
  DBARCH_ASSIGN_OR_RETURN(QueryResult res, Query("objects dbarch does not model", sql));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    std::string kind = r.Text();
    std::string name = r.Text();
    unsupported_.push_back(kind + " " + name);
  }
  return Status::OK();
}

Status Dumper::LoadTextSearch() {
  auto qualified = [](const char* ns_alias, const char* name_col) {
    return std::string("CASE WHEN ") + ns_alias + ".nspname = 'pg_catalog' THEN " +
           "pg_catalog.quote_ident(" + name_col + ") ELSE pg_catalog.quote_ident(" + ns_alias +
           ".nspname) || '.' || pg_catalog.quote_ident(" + name_col + ") END";
  };
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult dicts,
      Query("text search dictionaries",
            "SELECT d.oid, pg_catalog.quote_ident(n.nspname) || '.' || "
            "pg_catalog.quote_ident(d.dictname), " +
                qualified("tn", "t.tmplname") +
                ", d.dictinitoption, pg_catalog.pg_get_userbyid(d.dictowner) "
                "FROM pg_catalog.pg_ts_dict d "
                "JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace "
                "JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate "
                "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace "
                "WHERE " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_ts_dict", "d.oid") +
                " ORDER BY d.oid"));
  for (int i = 0; i < dicts.rows(); ++i) {
    RowReader r(dicts, i);
    SimpleObject d;
    d.oid = r.OidValue();
    d.name = r.Text();
    std::string tmpl = r.Text();
    std::string init = r.Text();
    d.owner = r.Text();
    d.comment = CommentOn(kTsDict, d.oid);
    d.definition = "CREATE TEXT SEARCH DICTIONARY " + d.name + " (TEMPLATE = " + tmpl +
                   (init.empty() ? "" : ", " + init) + ")";
    ts_dictionaries_.push_back(std::move(d));
  }
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult configs,
      Query("text search configurations",
            "SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || "
            "pg_catalog.quote_ident(c.cfgname), " +
                qualified("pn", "p.prsname") +
                ", pg_catalog.pg_get_userbyid(c.cfgowner), "
                "(SELECT pg_catalog.string_agg(m.alias || ' WITH ' || m.dicts, " +
                kSepSql +
                " ORDER BY m.tokid) FROM (SELECT t.tokid, t.alias, "
                "pg_catalog.string_agg(cm.mapdict::pg_catalog.regdictionary::text, ', ' "
                "ORDER BY cm.mapseqno) AS dicts "
                "FROM pg_catalog.pg_ts_config_map cm "
                "JOIN pg_catalog.ts_token_type(c.cfgparser) t ON t.tokid = cm.maptokentype "
                "WHERE cm.mapcfg = c.oid GROUP BY t.tokid, t.alias) m) "
                "FROM pg_catalog.pg_ts_config c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace "
                "JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser "
                "JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace "
                "WHERE " +
                NspFilter("n") + " AND " + NotExtensionMember("pg_catalog.pg_ts_config", "c.oid") +
                " ORDER BY c.oid"));
  for (int i = 0; i < configs.rows(); ++i) {
    RowReader r(configs, i);
    SimpleObject c;
    c.oid = r.OidValue();
    c.name = r.Text();
    std::string parser = r.Text();
    c.owner = r.Text();
    c.comment = CommentOn(kTsConfig, c.oid);
    c.definition = "CREATE TEXT SEARCH CONFIGURATION " + c.name + " (PARSER = " + parser + ")";
    for (const std::string& mapping : r.List()) {
      c.definition +=
          ";\nALTER TEXT SEARCH CONFIGURATION " + c.name + " ADD MAPPING FOR " + mapping;
    }
    ts_configs_.push_back(std::move(c));
  }
  return Status::OK();
}

void Dumper::AddNode(char kind, Oid oid, int rank, std::string sql) {
  node_of_[{kind, oid}] = static_cast<int>(nodes_.size());
  nodes_.push_back(Node{kind, rank, oid, std::move(sql), {}});
}

void Dumper::AddAlias(char kind, Oid oid, char target_kind, Oid target_oid) {
  aliases_[{kind, oid}] = {target_kind, target_oid};
}

std::string Dumper::RelationName(Oid oid) const {
  if (auto t = tables_.find(oid); t != tables_.end()) return t->second.QName();
  if (auto v = views_.find(oid); v != views_.end()) return v->second.QName();
  if (auto s = sequences_.find(oid); s != sequences_.end()) return s->second.QName();
  return std::string();
}

Status Dumper::LoadDependencies() {
  // Normal dependencies between user objects, with each dependent mapped to the object whose
  // CREATE statement carries it: a column default to its table, a view's rewrite rule to the
  // view, a domain CHECK to the domain, a table CHECK to the table.
  DBARCH_ASSIGN_OR_RETURN(
      QueryResult res,
      Query("dependencies",
            "SELECT DISTINCT "
            "CASE WHEN d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN 't' "
            "WHEN d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'f' "
            "WHEN con.contypid <> 0 THEN 't' ELSE 'r' END, "
            "CASE WHEN d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN ad.adrelid "
            "WHEN d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN rw.ev_class "
            "WHEN d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN "
            "CASE WHEN con.contypid <> 0 THEN con.contypid ELSE con.conrelid END "
            "ELSE d.objid END, "
            "CASE WHEN d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN 't' "
            "WHEN d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'f' "
            "WHEN d.refclassid = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN 'k' "
            "ELSE 'r' END, d.refobjid "
            "FROM pg_catalog.pg_depend d "
            "LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = "
            "'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = d.objid "
            "LEFT JOIN pg_catalog.pg_rewrite rw ON d.classid = "
            "'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = d.objid "
            "LEFT JOIN pg_catalog.pg_constraint con ON d.classid = "
            "'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = d.objid "
            "WHERE d.deptype = 'n' AND d.objid >= " +
                std::to_string(kFirstNormalOid) +
                " AND d.refobjid >= " + std::to_string(kFirstNormalOid) +
                " AND d.refclassid IN ('pg_catalog.pg_class'::pg_catalog.regclass, "
                "'pg_catalog.pg_type'::pg_catalog.regclass, "
                "'pg_catalog.pg_proc'::pg_catalog.regclass, "
                "'pg_catalog.pg_constraint'::pg_catalog.regclass) "
                "AND (d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, "
                "'pg_catalog.pg_type'::pg_catalog.regclass, "
                "'pg_catalog.pg_proc'::pg_catalog.regclass, "
                "'pg_catalog.pg_attrdef'::pg_catalog.regclass, "
                "'pg_catalog.pg_rewrite'::pg_catalog.regclass) "
                "OR (d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass "
                "AND con.contype = 'c'))"));
  for (int i = 0; i < res.rows(); ++i) {
    RowReader r(res, i);
    char kind = r.Char();
    Oid oid = r.OidValue();
    char ref_kind = r.Char();
    Oid ref_oid = r.OidValue();
    int from = NodeOf(kind, oid);
    int to = NodeOf(ref_kind, ref_oid);
    if (from < 0 || to < 0 || from == to) continue;
    nodes_[from].deps.push_back(to);
  }
  for (const auto& [oid, t] : tables_) {
    int from = NodeOf('r', oid);
    for (Oid parent : t.parents) {
      int to = NodeOf('r', parent);
      if (from >= 0 && to >= 0 && from != to) nodes_[from].deps.push_back(to);
    }
  }
  return Status::OK();
}

// Creation statements in an order that respects dependencies; among the statements that
// are ready, types come first, then sequences, functions, tables and views, each in OID
// (creation) order. A dump loaded into an empty database and dumped again comes out in the
// same order, since the reloaded objects get OIDs in this order.
std::vector<int> Dumper::OrderNodes() const {
  size_t n = nodes_.size();
  std::vector<std::vector<int>> dependents(n);
  std::vector<int> waiting(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::set<int> deps(nodes_[i].deps.begin(), nodes_[i].deps.end());
    for (int d : deps) {
      dependents[d].push_back(static_cast<int>(i));
      ++waiting[i];
    }
  }
  using Key = std::tuple<int, Oid, int>;
  std::priority_queue<Key, std::vector<Key>, std::greater<Key>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push({nodes_[i].rank, nodes_[i].oid, static_cast<int>(i)});
  }
  std::vector<int> order;
  std::vector<bool> done(n, false);
  while (order.size() < n) {
    if (ready.empty()) {
      // A dependency cycle (rare: e.g. a function returning a table's row type used in that
      // table's default). Break it at the first remaining object.
      for (size_t i = 0; i < n; ++i) {
        if (!done[i]) {
          ready.push({nodes_[i].rank, nodes_[i].oid, static_cast<int>(i)});
          waiting[i] = 0;
          break;
        }
      }
    }
    auto [rank, oid, i] = ready.top();
    ready.pop();
    if (done[i]) continue;
    done[i] = true;
    order.push_back(i);
    for (int d : dependents[i]) {
      if (--waiting[d] == 0 && !done[d]) ready.push({nodes_[d].rank, nodes_[d].oid, d});
    }
  }
  return order;
}

std::string Dumper::RenderType(const TypeInfo& t) const {
  switch (t.kind) {
    case 'e':
      return "CREATE TYPE " + t.QName() + " AS ENUM (" + t.enum_labels + ");\n";
    case 'c':
      return "CREATE TYPE " + t.QName() + " AS (" + t.attributes + ");\n";
    case 'd': {
      std::string out = "CREATE DOMAIN " + t.QName() + " AS " + t.base_type;
      if (!t.collation.empty()) out += " COLLATE " + t.collation;
      if (!t.default_expr.empty()) out += " DEFAULT " + t.default_expr;
      if (t.not_null) out += " NOT NULL";
      for (const DomainConstraintInfo& c : domain_constraints_) {
        if (c.domain != t.oid || !c.validated) continue;
        out += "\n    CONSTRAINT " + Q(c.name) + " " + c.definition;
      }
      return out + ";\n";
    }
    default: {
      std::vector<std::string> opts = {"subtype = " + t.subtype};
      if (!t.subtype_opclass.empty()) opts.push_back("subtype_opclass = " + t.subtype_opclass);
      if (!t.collation.empty()) opts.push_back("collation = " + t.collation);
      if (!t.canonical.empty()) opts.push_back("canonical = " + t.canonical);
      if (!t.subtype_diff.empty()) opts.push_back("subtype_diff = " + t.subtype_diff);
      if (!t.multirange.empty()) opts.push_back("multirange_type_name = " + t.multirange);
      return "CREATE TYPE " + t.QName() + " AS RANGE (" + Join(opts, ", ") + ");\n";
    }
  }
}

std::string Dumper::RenderFunction(const FunctionInfo& f) const {
  std::string def = f.definition;
  while (!def.empty() && std::isspace(static_cast<unsigned char>(def.back()))) def.pop_back();
  return def + ";\n";
}

std::string Dumper::RenderAggregate(const FunctionInfo& f) const {
  bool ordered_set = f.agg_kind == 'o' || f.agg_kind == 'h';
  std::vector<std::string> opts;
  opts.push_back("SFUNC = " + f.transfn);
  opts.push_back("STYPE = " + f.transtype);
  if (f.transspace != 0) opts.push_back("SSPACE = " + std::to_string(f.transspace));
  auto modify = [](char m) {
    return std::string(m == 'r' ? "READ_ONLY" : m == 's' ? "SHAREABLE" : "READ_WRITE");
  };
  char default_modify = ordered_set ? 'w' : 'r';
  if (!f.finalfn.empty()) {
    opts.push_back("FINALFUNC = " + f.finalfn);
    if (f.finalextra) opts.push_back("FINALFUNC_EXTRA");
    if (f.finalmodify != default_modify) {
      opts.push_back("FINALFUNC_MODIFY = " + modify(f.finalmodify));
    }
  }
  if (!f.combinefn.empty()) opts.push_back("COMBINEFUNC = " + f.combinefn);
  if (!f.serialfn.empty()) opts.push_back("SERIALFUNC = " + f.serialfn);
  if (!f.deserialfn.empty()) opts.push_back("DESERIALFUNC = " + f.deserialfn);
  if (f.has_initval) opts.push_back("INITCOND = " + QuoteLiteral(f.initval));
  if (!f.mtransfn.empty()) {
    opts.push_back("MSFUNC = " + f.mtransfn);
    if (!f.minvtransfn.empty()) opts.push_back("MINVFUNC = " + f.minvtransfn);
    if (!f.mtranstype.empty()) opts.push_back("MSTYPE = " + f.mtranstype);
    if (f.mtransspace != 0) opts.push_back("MSSPACE = " + std::to_string(f.mtransspace));
    if (!f.mfinalfn.empty()) {
      opts.push_back("MFINALFUNC = " + f.mfinalfn);
      if (f.mfinalextra) opts.push_back("MFINALFUNC_EXTRA");
      if (f.mfinalmodify != default_modify) {
        opts.push_back("MFINALFUNC_MODIFY = " + modify(f.mfinalmodify));
      }
    }
    if (f.has_minitval) opts.push_back("MINITCOND = " + QuoteLiteral(f.minitval));
  }
  if (!f.sortop.empty()) opts.push_back("SORTOP = " + f.sortop);
  if (f.parallel == 's') opts.push_back("PARALLEL = SAFE");
  if (f.parallel == 'r') opts.push_back("PARALLEL = RESTRICTED");
  if (f.agg_kind == 'h') opts.push_back("HYPOTHETICAL");
  std::string args = f.nargs == 0 ? "*" : f.agg_args;
  std::string out = "CREATE AGGREGATE " + f.QName() + "(" + args + ") (\n";
  for (size_t i = 0; i < opts.size(); ++i) {
    out += "    " + opts[i] + (i + 1 < opts.size() ? ",\n" : "\n");
  }
  return out + ");\n";
}

std::string Dumper::RenderSequence(const SequenceInfo& s) const {
  return std::string("CREATE ") + (s.unlogged ? "UNLOGGED " : "") + "SEQUENCE " + s.QName() +
         " AS " + s.data_type + " INCREMENT BY " + std::to_string(s.increment) + " MINVALUE " +
         std::to_string(s.min_value) + " MAXVALUE " + std::to_string(s.max_value) + " START WITH " +
         std::to_string(s.start) + " CACHE " + std::to_string(s.cache) +
         (s.cycle ? " CYCLE" : " NO CYCLE") + ";\n";
}

std::string Dumper::RenderColumn(const TableInfo& t, const ColumnInfo& c) const {
  std::string out = Q(c.name) + " " + c.type;
  if (!c.collation.empty()) out += " COLLATE " + c.collation;
  if (!c.compression.empty()) out += " COMPRESSION " + c.compression;
  if (c.generated == 's') {
    out += " GENERATED ALWAYS AS (" + c.default_expr + ") STORED";
  } else if (c.identity == 'a' || c.identity == 'd') {
    out +=
        c.identity == 'a' ? " GENERATED ALWAYS AS IDENTITY" : " GENERATED BY DEFAULT AS IDENTITY";
    auto it = identity_sequences_.find({t.oid, c.attnum});
    if (it != identity_sequences_.end()) {
      const SequenceInfo& s = *it->second;
      out += " (SEQUENCE NAME " + s.QName() + " START WITH " + std::to_string(s.start) +
             " INCREMENT BY " + std::to_string(s.increment) + " MINVALUE " +
             std::to_string(s.min_value) + " MAXVALUE " + std::to_string(s.max_value) + " CACHE " +
             std::to_string(s.cache) + (s.cycle ? " CYCLE" : " NO CYCLE") + ")";
    }
  } else if (!c.default_expr.empty()) {
    out += " DEFAULT " + c.default_expr;
  }
  if (c.not_null) out += " NOT NULL";
  return out;
}

bool Dumper::InheritsLayoutMatches(const TableInfo& t) const {
  std::vector<std::string> expected;
  auto add = [&](const std::string& name) {
    if (std::find(expected.begin(), expected.end(), name) == expected.end()) {
      expected.push_back(name);
    }
  };
  for (Oid p : t.parents) {
    const TableInfo* pt = FindTable(p);
    if (pt == nullptr) return true;  // written as a table of its own anyway
    for (const ColumnInfo& c : pt->columns) add(c.name);
  }
  for (const ColumnInfo& c : t.columns) add(c.name);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i >= expected.size() || expected[i] != t.columns[i].name) return false;
  }
  return true;
}

std::string Dumper::RenderChildThenInherit(const TableInfo& t) const {
  std::vector<std::string> elements;
  std::vector<std::string> fixups;
  for (const ColumnInfo& c : t.columns) {
    std::string column = RenderColumn(t, c);
    // INHERIT wants the child NOT NULL where a parent is (ALTER TABLE ONLY parent SET NOT
    // NULL leaves children as they were): made so, then dropped again.
    bool parent_not_null = false;
    for (Oid p : t.parents) {
      const ColumnInfo* pc = FindTable(p)->FindColumn(c.name);
      parent_not_null = parent_not_null || (pc != nullptr && pc->not_null);
    }
    if (parent_not_null && !c.not_null) {
      column += " NOT NULL";
      fixups.push_back("ALTER TABLE ONLY " + t.QName() + " ALTER COLUMN " + Q(c.name) +
                       " DROP NOT NULL;\n");
    }
    elements.push_back(column);
  }
  // INHERIT also wants the parents' CHECKs: the inherited ones are written as the child's.
  for (const ConstraintInfo& k : constraints_) {
    if (k.table == t.oid && k.kind == 'c' && k.validated && (k.is_local || k.inh_count > 0)) {
      elements.push_back("CONSTRAINT " + Q(k.name) + " " + k.definition);
    }
  }
  std::string out = std::string("CREATE ") + (t.unlogged ? "UNLOGGED " : "") + "TABLE " +
                    t.QName() + " (\n    " + Join(elements, ",\n    ") + "\n)";
  if (!t.access_method.empty()) out += " USING " + Q(t.access_method);
  if (!t.options.empty()) out += " WITH (" + RenderOptions(t.options) + ")";
  out += ";\n";
  for (Oid p : t.parents) {
    out += "ALTER TABLE ONLY " + t.QName() + " INHERIT " + RelationName(p) + ";\n";
  }
  for (const std::string& f : fixups) out += f;
  // The CHECKs it has from its parents only were its own for INHERIT; they are made
  // inherited-only again as pg_dump --binary-upgrade does (the catalog builder reads this).
  for (const ConstraintInfo& k : constraints_) {
    if (k.table == t.oid && k.kind == 'c' && k.validated && !k.is_local && k.inh_count > 0) {
      out +=
          "UPDATE pg_catalog.pg_constraint SET conislocal = false WHERE contype = 'c' AND "
          "conname = " +
          QuoteLiteral(k.name) + " AND conrelid = " + QuoteLiteral(t.QName()) +
          "::pg_catalog.regclass;\n";
    }
  }
  return out;
}

std::string Dumper::RenderTable(const TableInfo& t) const {
  // An inheritance child whose columns are not in the order CREATE TABLE ... INHERITS gives
  // (a column added to a parent after the child had columns of its own, or dropped from the
  // parent with ONLY) is created with all its columns and then attached, which keeps the
  // order; its columns are then all the child's own (attislocal), which the model does not
  // compare.
  if (!t.is_partition && t.of_type.empty() && !t.parents.empty() && !InheritsLayoutMatches(t)) {
    return RenderChildThenInherit(t);
  }
  // Parents outside the dump (an excluded schema) are not named: the table is then written
  // with all its columns, as a table of its own.
  const TableInfo* first_parent = t.parents.empty() ? nullptr : FindTable(t.parents[0]);
  std::vector<std::string> elements;
  // Statements that adjust inherited columns after CREATE TABLE.
  std::vector<std::string> fixups;
  std::string only = t.relkind == 'p' ? "ALTER TABLE " : "ALTER TABLE ONLY ";
  for (const ColumnInfo& c : t.columns) {
    const ColumnInfo* pc = first_parent ? first_parent->FindColumn(c.name) : nullptr;
    bool inherited = first_parent != nullptr && (!c.is_local || t.is_partition);
    if (!inherited) {
      elements.push_back(RenderColumn(t, c));
      // A column of the child's own merged with the parent's takes the parent's NOT NULL
      // and default unless it has its own.
      if (pc != nullptr && !t.is_partition) {
        if (pc->not_null && !c.not_null) {
          fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " DROP NOT NULL;\n");
        }
        if (!pc->default_expr.empty() && c.default_expr.empty() && c.generated != 's' &&
            c.identity != 'a' && c.identity != 'd') {
          fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " DROP DEFAULT;\n");
        }
      }
      continue;
    }
    // An inherited column: the parent's definition is copied; write only what differs.
    std::string parent_default = pc ? pc->default_expr : std::string();
    bool parent_not_null = pc && pc->not_null;
    std::string options;
    if (c.generated != 's' && c.default_expr != parent_default) {
      if (c.default_expr.empty()) {
        fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " DROP DEFAULT;\n");
      } else if (t.is_partition) {
        options += " DEFAULT " + c.default_expr;
      } else {
        fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " SET DEFAULT " +
                         c.default_expr + ";\n");
      }
    }
    if (c.not_null && !parent_not_null) {
      if (t.is_partition) {
        options += " NOT NULL";
      } else {
        fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " SET NOT NULL;\n");
      }
    }
    // ALTER TABLE ONLY parent SET NOT NULL leaves an inheritance child's column nullable.
    if (!c.not_null && parent_not_null && !t.is_partition) {
      fixups.push_back(only + t.QName() + " ALTER COLUMN " + Q(c.name) + " DROP NOT NULL;\n");
    }
    if (!options.empty()) elements.push_back(Q(c.name) + options);
  }
  for (const ConstraintInfo* k : t.checks) {
    elements.push_back("CONSTRAINT " + Q(k->name) + " " + k->definition);
  }

  std::string out = std::string("CREATE ") + (t.unlogged ? "UNLOGGED " : "") + "TABLE " + t.QName();
  if (!t.of_type.empty()) {
    // A typed table takes its columns from the composite type; only their options differ.
    std::vector<std::string> options;
    for (const ColumnInfo& c : t.columns) {
      std::string o;
      if (!c.default_expr.empty()) o += " DEFAULT " + c.default_expr;
      if (c.not_null) o += " NOT NULL";
      if (!o.empty()) options.push_back(Q(c.name) + " WITH OPTIONS" + o);
    }
    for (const ConstraintInfo* k : t.checks) {
      options.push_back("CONSTRAINT " + Q(k->name) + " " + k->definition);
    }
    out += " OF " + t.of_type;
    if (!options.empty()) out += " (\n    " + Join(options, ",\n    ") + "\n)";
  } else if (t.is_partition && first_parent) {
    out += " PARTITION OF " + first_parent->QName();
    if (!elements.empty()) out += " (\n    " + Join(elements, ",\n    ") + "\n)";
    out += "\n    " + t.partition_bound;
  } else {
    out += elements.empty() ? " (\n)" : " (\n    " + Join(elements, ",\n    ") + "\n)";
    std::vector<std::string> parents;
    for (Oid p : t.parents) {
      if (FindTable(p) != nullptr) parents.push_back(RelationName(p));
    }
    if (!parents.empty() && !t.is_partition) out += " INHERITS (" + Join(parents, ", ") + ")";
  }
  if (!t.partition_key.empty()) out += " PARTITION BY " + t.partition_key;
  if (!t.access_method.empty()) out += " USING " + Q(t.access_method);
  if (!t.options.empty()) out += " WITH (" + RenderOptions(t.options) + ")";
  out += ";\n";
  for (const std::string& f : fixups) out += f;
  return out;
}

std::string Dumper::RenderView(const ViewInfo& v) const {
  std::string out =
      std::string("CREATE ") + (v.materialized ? "MATERIALIZED " : "") + "VIEW " + v.QName();
  // The server keeps WITH [LOCAL|CASCADED] CHECK OPTION as the reloption check_option;
  // written back as the clause, the way DDL usually spells it.
  std::vector<std::string> options;
  std::string check_option;
  for (const std::string& o : v.options) {
    if (StartsWith(o, "check_option=")) {
      check_option = ToUpper(o.substr(13));
    } else {
      options.push_back(o);
    }
  }
  if (!options.empty()) out += " WITH (" + RenderOptions(options) + ")";
  out += " AS\n" + v.definition;
  if (!check_option.empty()) out += "\n  WITH " + check_option + " CHECK OPTION";
  if (v.materialized) out += v.populated ? "\n  WITH DATA" : "\n  WITH NO DATA";
  return out + ";\n";
}

void Dumper::RenderGrants(std::string& out) const {
  struct Target {
    std::string object;  // "TABLE s.t", "FUNCTION s.f(int)", ...
    std::string owner;
    std::vector<std::string> owner_all;        // what the owner holds by default
    std::vector<std::string> public_defaults;  // what PUBLIC holds by default
    std::vector<std::string> columns;          // by attnum - 1 for relations
    size_t position = 0;
  };
  std::map<std::pair<char, Oid>, Target> targets;
  auto position_of = [&](char kind, Oid oid) -> size_t {
    int node = NodeOf(kind, oid);
    return node < 0 ? 0 : static_cast<size_t>(node_position_[node]);
  };
  const std::vector<std::string> kRelation = {"SELECT",   "INSERT",     "UPDATE", "DELETE",
                                              "TRUNCATE", "REFERENCES", "TRIGGER"};
  for (const GrantRow& g : grants_) {
    std::pair<char, Oid> key{g.kind == 'c' ? 'r' : g.kind, g.oid};
    if (targets.count(key)) continue;
    Target t;
    if (key.first == 'r') {
      std::vector<ColumnInfo> const* cols = nullptr;
      t.owner_all = kRelation;
      if (auto it = tables_.find(g.oid); it != tables_.end()) {
        t.object = "TABLE " + it->second.QName();
        t.owner = it->second.owner;
        cols = &it->second.columns;
      } else if (auto v = views_.find(g.oid); v != views_.end()) {
        t.object = "TABLE " + v->second.QName();
        t.owner = v->second.owner;
        cols = &v->second.columns;
      } else if (auto s = sequences_.find(g.oid); s != sequences_.end()) {
        t.object = "SEQUENCE " + s->second.QName();
        t.owner = s->second.owner;
        t.owner_all = {"SELECT", "UPDATE", "USAGE"};
      } else {
        continue;
      }
      if (cols) {
        for (const ColumnInfo& c : *cols) {
          if (t.columns.size() < static_cast<size_t>(c.attnum)) t.columns.resize(c.attnum);
          t.columns[c.attnum - 1] = c.name;
        }
      }
      t.position = 1000000 + position_of('r', g.oid);
    } else if (key.first == 'n') {
      auto it = std::find_if(schemas_.begin(), schemas_.end(),
                             [&](const SchemaInfo& s) { return s.oid == g.oid; });
      if (it == schemas_.end()) continue;
      t.object = "SCHEMA " + Q(it->name);
      t.owner = it->owner;
      t.owner_all = {"USAGE", "CREATE"};
      // PUBLIC's USAGE on the schema public is the server's default whoever owns it (ALTER
      // SCHEMA ... OWNER keeps the entry); the catalog model holds it that way.
      if (it->name == "public") t.public_defaults = {"USAGE"};
      t.position = static_cast<size_t>(it - schemas_.begin());
    } else if (key.first == 'f') {
      auto it = functions_.find(g.oid);
      if (it == functions_.end()) continue;
      // Aggregates too take their privileges ON FUNCTION, with the argument types in one list.
      t.object = std::string(it->second.kind == 'p' ? "PROCEDURE " : "FUNCTION ") +
                 it->second.QName() + "(" + it->second.arg_types + ")";
      t.owner = it->second.owner;
      t.owner_all = t.public_defaults = {"EXECUTE"};
      t.position = 1000000 + position_of('f', g.oid);
    } else if (key.first == 'l' || key.first == 'd') {
      t.object = std::string(key.first == 'l' ? "LANGUAGE " : "DATABASE ") + Q(g.target_name);
      t.owner = g.target_owner;
      if (key.first == 'l') {
        t.owner_all = t.public_defaults = {"USAGE"};
      } else {
        t.owner_all = {"CREATE", "CONNECT", "TEMPORARY"};
        t.public_defaults = {"CONNECT", "TEMPORARY"};
      }
    } else {
      auto it = types_.find(g.oid);
      if (it == types_.end()) continue;
      t.object = std::string(it->second.kind == 'd' ? "DOMAIN " : "TYPE ") + it->second.QName();
      t.owner = it->second.owner;
      t.owner_all = t.public_defaults = {"USAGE"};
      t.position = 1000000 + position_of('t', g.oid);
    }
    targets.emplace(key, std::move(t));
  }

  // (position, object, column privilege, grantee, grant option) -> privileges or columns
  using Key = std::tuple<size_t, std::string, std::string, std::string, bool>;
  std::map<Key, std::vector<std::string>> statements;
  // What PUBLIC and the owner hold of their defaults, for each object whose ACL is set: the
  // rest was revoked (an ACL that holds only the owner's entry lacks PUBLIC's defaults).
  std::map<std::pair<size_t, std::string>, std::set<std::string>> public_held, owner_held;
  std::map<std::pair<size_t, std::string>, const Target*> acl_set;
  for (const GrantRow& g : grants_) {
    auto it = targets.find({g.kind == 'c' ? 'r' : g.kind, g.oid});
    if (it == targets.end()) continue;
    const Target& t = it->second;
    std::pair<size_t, std::string> at{t.position, t.object};
    if (g.kind != 'c') acl_set.emplace(at, &t);
    if (g.privilege.empty()) continue;  // an empty ACL: nobody holds anything
    if (g.kind != 'c' && !g.grantee.empty() && g.grantee == t.owner) {
      owner_held[at].insert(g.privilege);  // the owner's own rights (grant options implicit)
      // A grant option given to the owner explicitly is listed, as pg_dump lists it.
      if (g.grantable) {
        statements[{t.position, t.object, "", RoleRef(g.grantee), true}].push_back(g.privilege);
      }
      continue;
    }
    if (g.kind != 'c' && g.grantee.empty() && !g.grantable &&
        std::find(t.public_defaults.begin(), t.public_defaults.end(), g.privilege) !=
            t.public_defaults.end()) {
      public_held[at].insert(g.privilege);
      continue;
    }
    std::string grantee = g.grantee.empty() ? "PUBLIC" : RoleRef(g.grantee);
    if (g.kind == 'c') {
      if (g.attnum < 1 || static_cast<size_t>(g.attnum) > t.columns.size()) continue;
      statements[{t.position, t.object, g.privilege, grantee, g.grantable}].push_back(
          Q(t.columns[g.attnum - 1]));
    } else {
      statements[{t.position, t.object, "", grantee, g.grantable}].push_back(g.privilege);
    }
  }
  for (const auto& [at, t] : acl_set) {
    std::vector<std::string> revoked;
    for (const std::string& p : t->public_defaults) {
      if (!public_held[at].count(p)) revoked.push_back(p);
    }
    if (!revoked.empty()) statements[{at.first, at.second, "", "\x01PUBLIC", false}] = revoked;
    revoked.clear();
    for (const std::string& p : t->owner_all) {
      if (!owner_held[at].count(p)) revoked.push_back(p);
    }
    if (!revoked.empty())
      statements[{at.first, at.second, "", "\x01" + RoleRef(t->owner), false}] = revoked;
  }
  for (const auto& [key, items] : statements) {
    const auto& [position, object, column_priv, grantee, grantable] = key;
    if (!grantee.empty() && grantee[0] == '\x01') {
      out += "REVOKE " + Join(items, ", ") + " ON " + object + " FROM " + grantee.substr(1) + ";\n";
      continue;
    }
    std::string what =
        column_priv.empty() ? Join(items, ", ") : column_priv + " (" + Join(items, ", ") + ")";
    out += "GRANT " + what + " ON " + object + " TO " + grantee +
           (grantable ? " WITH GRANT OPTION" : "") + ";\n";
  }
}

void Dumper::RenderComments(std::string& out) const {
  auto comment = [&](const std::string& target, const std::string& text) {
    if (text.empty()) return;
    out += "COMMENT ON " + target + " IS " + QuoteLiteral(text) + ";\n";
  };
  for (const RoleInfo& r : roles_) comment("ROLE " + Q(r.name), r.comment);
  for (const SchemaInfo& s : schemas_) {
    if (s.name == "public" && s.comment == "standard public schema") continue;
    comment("SCHEMA " + Q(s.name), s.comment);
  }
  for (const ExtensionInfo& e : extensions_) {
    if (e.comment_removed) out += "COMMENT ON EXTENSION " + Q(e.name) + " IS NULL;\n";
    comment("EXTENSION " + Q(e.name), e.comment);
  }
  for (const SimpleObject& c : collations_) comment("COLLATION " + c.name, c.comment);
  for (const SimpleObject& d : ts_dictionaries_) {
    comment("TEXT SEARCH DICTIONARY " + d.name, d.comment);
  }
  for (const SimpleObject& c : ts_configs_)
    comment("TEXT SEARCH CONFIGURATION " + c.name, c.comment);
  std::map<Oid, const TableInfo*> table_by_oid;
  for (int node : node_order_) {
    const Node& n = nodes_[node];
    char kind = n.kind;
    if (kind == 't') {
      const TypeInfo& t = types_.at(n.oid);
      comment((t.kind == 'd' ? "DOMAIN " : "TYPE ") + t.QName(), t.comment);
      for (const DomainConstraintInfo& c : domain_constraints_) {
        if (c.domain == t.oid) {
          comment("CONSTRAINT " + Q(c.name) + " ON DOMAIN " + t.QName(), c.comment);
        }
      }
    } else if (kind == 'f') {
      const FunctionInfo& f = functions_.at(n.oid);
      comment(std::string(f.Keyword()) + " " + f.Signature(), f.comment);
    } else if (auto s = sequences_.find(n.oid); s != sequences_.end()) {
      comment("SEQUENCE " + s->second.QName(), s->second.comment);
    } else if (auto t = tables_.find(n.oid); t != tables_.end()) {
      const TableInfo& tab = t->second;
      comment("TABLE " + tab.QName(), tab.comment);
      for (const ColumnInfo& c : tab.columns) {
        comment("COLUMN " + tab.QName() + "." + Q(c.name), c.comment);
      }
    } else if (auto v = views_.find(n.oid); v != views_.end()) {
      const ViewInfo& view = v->second;
      comment((view.materialized ? "MATERIALIZED VIEW " : "VIEW ") + view.QName(), view.comment);
      for (const ColumnInfo& c : view.columns) {
        comment("COLUMN " + view.QName() + "." + Q(c.name), c.comment);
      }
    }
  }
  for (const ConstraintInfo* c : sorted_constraints_) {
    if (!c->is_local || c->parent != 0) continue;
    comment("CONSTRAINT " + Q(c->name) + " ON " + RelationName(c->table), c->comment);
  }
  for (const IndexInfo* x : sorted_indexes_) {
    if (x->attached) continue;
    const std::string& schema =
        tables_.count(x->table) ? tables_.at(x->table).schema : views_.at(x->table).schema;
    comment("INDEX " + QN(schema, x->name), x->comment);
  }
  for (const TriggerInfo* t : sorted_triggers_) {
    comment("TRIGGER " + Q(t->name) + " ON " + RelationName(t->table), t->comment);
  }
  for (const PolicyInfo* p : sorted_policies_) {
    comment("POLICY " + Q(p->name) + " ON " + RelationName(p->table), p->comment);
  }
  for (const SimpleObject& s : statistics_) comment("STATISTICS " + s.name, s.comment);
  for (const SimpleObject& r : rules_) comment("RULE " + r.name, r.comment);
}

std::string Dumper::Render() const {
  std::string out;
  out += "-- Schema of the database, written by dbarch from pg_catalog.\n";
  if (options_.session_settings) {
    out += "SET check_function_bodies = false;\n";
    out += "SET search_path = public;\n";
  }

  auto section = [&](const char* title) { out += std::string("\n-- ") + title + "\n"; };

  if (!roles_.empty()) {
    section("Roles");
    for (const RoleInfo& r : roles_) {
      std::string s = "CREATE ROLE " + Q(r.name);
      s += r.superuser ? " SUPERUSER" : " NOSUPERUSER";
      s += r.inherit ? " INHERIT" : " NOINHERIT";
      s += r.create_role ? " CREATEROLE" : " NOCREATEROLE";
      s += r.create_db ? " CREATEDB" : " NOCREATEDB";
      s += r.login ? " LOGIN" : " NOLOGIN";
      s += r.replication ? " REPLICATION" : " NOREPLICATION";
      s += r.bypass_rls ? " BYPASSRLS" : " NOBYPASSRLS";
      if (r.connection_limit != -1) {
        s += " CONNECTION LIMIT " + std::to_string(r.connection_limit);
      }
      if (!r.valid_until.empty()) s += " VALID UNTIL " + QuoteLiteral(r.valid_until);
      // The stored hash (never clear text: the server has none), read into the model only.
      if (r.password_known)
        s += r.password ? " PASSWORD " + QuoteLiteral(*r.password) : " PASSWORD NULL";
      out += s + ";\n";
    }
    for (const auto& [role, member] : memberships_) {
      out += "GRANT " + Q(role) + " TO " + Q(member.first) +
             (member.second ? " WITH ADMIN OPTION" : "") + ";\n";
    }
  }

  bool any_schema = false;
  for (const SchemaInfo& s : schemas_) {
    if (s.name == "public") continue;
    if (!any_schema) section("Schemas");
    any_schema = true;
    std::string stmt = "CREATE SCHEMA " + Q(s.name);
    if (s.owner != current_user_ && s.owner != "pg_database_owner") {
      stmt += " AUTHORIZATION " + Q(s.owner);
    }
    out += stmt + ";\n";
  }

  if (!extensions_.empty()) {
    section("Extensions");
    for (const ExtensionInfo& e : extensions_) {
      out += "CREATE EXTENSION " + Q(e.name) + " WITH SCHEMA " + Q(e.schema);
      if (!e.version.empty()) out += " VERSION " + QuoteLiteral(e.version);
      out += ";\n";
    }
  }
  if (!collations_.empty()) {
    section("Collations");
    for (const SimpleObject& c : collations_) out += c.definition + ";\n";
  }
  if (!ts_dictionaries_.empty() || !ts_configs_.empty()) {
    section("Text search dictionaries and configurations");
    for (const SimpleObject& d : ts_dictionaries_) out += d.definition + ";\n";
    for (const SimpleObject& c : ts_configs_) out += c.definition + ";\n";
  }

  if (!node_order_.empty()) {
    section("Types, sequences, functions, tables, keys and views, in dependency order");
    for (int node : node_order_) out += nodes_[node].sql;
  }

  std::string block;
  for (const auto& [oid, s] : sequences_) {
    if (s.identity || s.owned_by_table == 0 || s.owned_by_column.empty()) continue;
    const TableInfo* t = FindTable(s.owned_by_table);
    if (!t) continue;
    block += "ALTER SEQUENCE " + s.QName() + " OWNED BY " + t->QName() + "." +
             Q(s.owned_by_column) + ";\n";
  }
  if (!block.empty()) {
    section("Sequence ownership");
    out += block;
  }

  block.clear();
  for (const IndexInfo* x : sorted_indexes_) {
    if (x->attached) continue;
    std::string rel = RelationName(x->table);
    const std::string& schema =
        tables_.count(x->table) ? tables_.at(x->table).schema : views_.at(x->table).schema;
    std::string qname = QN(schema, x->name);
    if (!x->constraint_backed) {
      std::string def = x->definition;
      // An index on a partitioned table is written ON ONLY by the server; without ONLY it
      // is created on the partitions as well, as the partitions' attached indexes are.
      if (x->relkind == 'I') {
        size_t pos = def.find(" ON ONLY ");
        if (pos != std::string::npos) def.replace(pos, 9, " ON ");
      }
      block += def + ";\n";
    }
    if (x->clustered) block += "ALTER TABLE " + rel + " CLUSTER ON " + Q(x->name) + ";\n";
    if (x->replica_identity) {
      block += "ALTER TABLE " + rel + " REPLICA IDENTITY USING INDEX " + Q(x->name) + ";\n";
    }
    for (const std::string& item : SplitList(x->stat_targets, ',')) {
      size_t space = item.find(' ');
      block += "ALTER INDEX " + qname + " ALTER COLUMN " + item.substr(0, space) +
               " SET STATISTICS " + item.substr(space + 1) + ";\n";
    }
  }
  if (!block.empty()) {
    section("Indexes");
    out += block;
  }

  block.clear();
  for (const ConstraintInfo* c : sorted_constraints_) {
    if (!c->is_local || c->parent != 0) continue;
    if (c->kind == 'f' || (c->kind == 'c' && !c->validated)) {
      const TableInfo* t = FindTable(c->table);
      std::string head = c->kind == 'c' && t && t->has_children
                             ? "ALTER TABLE " + RelationName(c->table)
                             : AlterTable(c->table);
      block += head + " ADD CONSTRAINT " + Q(c->name) + " " + c->definition + ";\n";
    }
  }
  for (const DomainConstraintInfo& c : domain_constraints_) {
    if (c.validated) continue;
    block += "ALTER DOMAIN " + types_.at(c.domain).QName() + " ADD CONSTRAINT " + Q(c.name) + " " +
             c.definition + ";\n";
  }
  if (!block.empty()) {
    section("Foreign keys and constraints added NOT VALID");
    out += block;
  }

  block.clear();
  for (int node : node_order_) {
    auto it = tables_.find(nodes_[node].oid);
    if (it == tables_.end() || NodeOf('r', it->first) != node) continue;
    const TableInfo& t = it->second;
    const TableInfo* parent = t.parents.empty() ? nullptr : FindTable(t.parents[0]);
    for (const ColumnInfo& c : t.columns) {
      const ColumnInfo* pc = parent ? parent->FindColumn(c.name) : nullptr;
      std::string head = "ALTER TABLE ONLY " + t.QName() + " ALTER COLUMN " + Q(c.name);
      // Always: a partition or child does not get its parent's target when it is created.
      if (c.stat_target >= 0) {
        block += head + " SET STATISTICS " + std::to_string(c.stat_target) + ";\n";
      }
      if (!c.storage.empty() && !(pc && pc->storage == c.storage)) {
        block += head + " SET STORAGE " + ToUpper(c.storage) + ";\n";
      }
    }
    if (t.replica_identity == 'f')
      block += "ALTER TABLE " + t.QName() + " REPLICA IDENTITY FULL;\n";
    if (t.replica_identity == 'n') {
      block += "ALTER TABLE " + t.QName() + " REPLICA IDENTITY NOTHING;\n";
    }
  }
  if (!block.empty()) {
    section("Column storage and statistics");
    out += block;
  }

  block.clear();
  for (const TriggerInfo* t : sorted_triggers_) {
    block += t->definition + ";\n";
    std::string head = "ALTER TABLE " + RelationName(t->table);
    if (t->enabled == 'D') block += head + " DISABLE TRIGGER " + Q(t->name) + ";\n";
    if (t->enabled == 'R') block += head + " ENABLE REPLICA TRIGGER " + Q(t->name) + ";\n";
    if (t->enabled == 'A') block += head + " ENABLE ALWAYS TRIGGER " + Q(t->name) + ";\n";
  }
  if (!block.empty()) {
    section("Triggers");
    out += block;
  }

  block.clear();
  for (int node : node_order_) {
    auto it = tables_.find(nodes_[node].oid);
    if (it == tables_.end() || NodeOf('r', it->first) != node) continue;
    if (it->second.rls)
      block += "ALTER TABLE " + it->second.QName() + " ENABLE ROW LEVEL SECURITY;\n";
    if (it->second.rls_forced) {
      block += "ALTER TABLE " + it->second.QName() + " FORCE ROW LEVEL SECURITY;\n";
    }
  }
  for (const PolicyInfo* p : sorted_policies_) {
    std::string s = "CREATE POLICY " + Q(p->name) + " ON " + RelationName(p->table);
    s += p->permissive ? " AS PERMISSIVE" : " AS RESTRICTIVE";
    s += p->command == 'r'   ? " FOR SELECT"
         : p->command == 'a' ? " FOR INSERT"
         : p->command == 'w' ? " FOR UPDATE"
         : p->command == 'd' ? " FOR DELETE"
                             : " FOR ALL";
    s += " TO " + (p->roles.empty() ? std::string("PUBLIC") : p->roles);
    if (!p->using_expr.empty()) s += " USING (" + p->using_expr + ")";
    if (!p->check_expr.empty()) s += " WITH CHECK (" + p->check_expr + ")";
    block += s + ";\n";
  }
  if (!block.empty()) {
    section("Row level security");
    out += block;
  }

  block.clear();
  for (const SimpleObject& s : statistics_) block += s.definition + ";\n";
  for (const SimpleObject& r : rules_) block += r.definition + ";\n";
  if (!block.empty()) {
    section("Statistics objects and rules");
    out += block;
  }

  block.clear();
  auto owner_to = [&](const std::string& what, const std::string& owner) {
    if (owner.empty() || owner == current_user_) return;
    block += "ALTER " + what + " OWNER TO " + Q(owner) + ";\n";
  };
  for (const SchemaInfo& s : schemas_) {
    if (s.name == "public" && s.owner != "pg_database_owner") owner_to("SCHEMA public", s.owner);
  }
  for (const SimpleObject& c : collations_) owner_to("COLLATION " + c.name, c.owner);
  for (const SimpleObject& d : ts_dictionaries_) {
    owner_to("TEXT SEARCH DICTIONARY " + d.name, d.owner);
  }
  for (const SimpleObject& c : ts_configs_)
    owner_to("TEXT SEARCH CONFIGURATION " + c.name, c.owner);
  for (int node : node_order_) {
    const Node& n = nodes_[node];
    if (n.kind == 't') {
      const TypeInfo& t = types_.at(n.oid);
      owner_to((t.kind == 'd' ? "DOMAIN " : "TYPE ") + t.QName(), t.owner);
    } else if (n.kind == 'f') {
      const FunctionInfo& f = functions_.at(n.oid);
      owner_to(std::string(f.Keyword()) + " " + f.Signature(), f.owner);
    } else if (auto t = tables_.find(n.oid); t != tables_.end()) {
      owner_to("TABLE " + t->second.QName(), t->second.owner);
    } else if (auto v = views_.find(n.oid); v != views_.end()) {
      owner_to((v->second.materialized ? "MATERIALIZED VIEW " : "VIEW ") + v->second.QName(),
               v->second.owner);
    }
  }
  // Sequences after tables: ALTER TABLE ... OWNER TO moves the sequences the table owns.
  for (int node : node_order_) {
    auto s = sequences_.find(nodes_[node].oid);
    if (s == sequences_.end() || NodeOf('r', s->first) != node) continue;
    const TableInfo* t = FindTable(s->second.owned_by_table);
    if (t && t->owner == s->second.owner) continue;
    owner_to("SEQUENCE " + s->second.QName(), s->second.owner);
  }
  for (const SimpleObject& s : statistics_) owner_to("STATISTICS " + s.name, s.owner);
  // The database's and the languages' owners always (the model takes a source that does not
  // name them to leave them alone); the database by the name it has wherever this loads.
  if (!database_owner_.empty()) {
    block += "DO $dbarch$BEGIN EXECUTE format(" +
             QuoteLiteral("ALTER DATABASE %I OWNER TO " + RoleRef(database_owner_)) +
             ", current_database()); END$dbarch$;\n";
  }
  for (const auto& [language, owner] : language_owners_) {
    block += "ALTER LANGUAGE " + Q(language) + " OWNER TO " + RoleRef(owner) + ";\n";
  }
  if (!block.empty()) {
    section("Owners");
    out += block;
  }

  block.clear();
  RenderGrants(block);
  for (const std::string& d : default_privileges_) block += d + ";\n";
  if (!block.empty()) {
    section("Privileges");
    out += block;
  }

  block.clear();
  RenderComments(block);
  if (!block.empty()) {
    section("Comments");
    out += block;
  }

  const std::vector<std::string>& not_dumped = unsupported_;
  if (!not_dumped.empty()) {
    section("Objects dbarch does not model (not dumped)");
    for (const std::string& s : not_dumped) out += "-- not dumped: " + s + "\n";
  }
  return out;
}

Result<std::string> Dumper::Run() {
  DBARCH_RETURN_IF_ERROR(Setup());
  DBARCH_RETURN_IF_ERROR(LoadComments());
  DBARCH_RETURN_IF_ERROR(LoadRoles());
  DBARCH_RETURN_IF_ERROR(LoadSchemas());
  DBARCH_RETURN_IF_ERROR(LoadExtensions());
  DBARCH_RETURN_IF_ERROR(LoadCollations());
  DBARCH_RETURN_IF_ERROR(LoadTextSearch());
  DBARCH_RETURN_IF_ERROR(LoadTypes());
  DBARCH_RETURN_IF_ERROR(LoadFunctions());
  DBARCH_RETURN_IF_ERROR(LoadSequences());
  DBARCH_RETURN_IF_ERROR(LoadTables());
  DBARCH_RETURN_IF_ERROR(LoadViews());
  DBARCH_RETURN_IF_ERROR(LoadColumns());
  DBARCH_RETURN_IF_ERROR(LoadConstraints());
  DBARCH_RETURN_IF_ERROR(LoadIndexes());
  DBARCH_RETURN_IF_ERROR(LoadTriggers());
  DBARCH_RETURN_IF_ERROR(LoadPolicies());
  DBARCH_RETURN_IF_ERROR(LoadGrants());
  DBARCH_RETURN_IF_ERROR(LoadDefaultPrivileges());
  DBARCH_RETURN_IF_ERROR(LoadStatisticsAndRules());
  DBARCH_RETURN_IF_ERROR(LoadUnsupported());

  for (const auto& [oid, t] : types_) AddNode('t', oid, 0, RenderType(t));
  for (const auto& [oid, s] : sequences_) {
    if (!s.identity) AddNode('r', oid, 1, RenderSequence(s));
  }
  for (const auto& [oid, f] : functions_) {
    AddNode('f', oid, 2, f.kind == 'a' ? RenderAggregate(f) : RenderFunction(f));
  }
  for (const auto& [oid, t] : tables_) {
    AddNode('r', oid, 3, RenderTable(t));
    AddAlias('t', t.rowtype, 'r', oid);
    if (t.rowtype_array != 0) AddAlias('t', t.rowtype_array, 'r', oid);
  }
  // Keys are created after all tables (so that a key on a partitioned table reaches every
  // partition) but before the views and SQL-body functions that may depend on them (GROUP
  // BY a primary key lets a view select the table's other columns).
  for (const ConstraintInfo& c : constraints_) {
    if (!c.is_local || c.parent != 0) continue;
    if (c.kind != 'p' && c.kind != 'u' && c.kind != 'x') continue;
    AddNode('k', c.oid, 4,
            AlterTable(c.table) + " ADD CONSTRAINT " + Q(c.name) + " " + c.definition + ";\n");
    nodes_.back().deps.push_back(NodeOf('r', c.table));
  }
  for (const auto& [oid, v] : views_) {
    AddNode('r', oid, 5, RenderView(v));
    AddAlias('t', v.rowtype, 'r', oid);
    if (v.rowtype_array != 0) AddAlias('t', v.rowtype_array, 'r', oid);
  }
  DBARCH_RETURN_IF_ERROR(LoadDependencies());
  node_order_ = OrderNodes();
  node_position_.assign(nodes_.size(), 0);
  for (size_t i = 0; i < node_order_.size(); ++i)
    node_position_[node_order_[i]] = static_cast<int>(i);

  // Per-table objects follow their table's creation order, then their name: stable across
  // a dump -> load -> dump round trip, where OIDs change.
  auto table_position = [&](Oid table) {
    int node = NodeOf('r', table);
    return node < 0 ? -1 : node_position_[node];
  };
  for (const ConstraintInfo& c : constraints_) sorted_constraints_.push_back(&c);
  std::sort(sorted_constraints_.begin(), sorted_constraints_.end(),
            [&](const ConstraintInfo* a, const ConstraintInfo* b) {
              return std::make_pair(table_position(a->table), a->name) <
                     std::make_pair(table_position(b->table), b->name);
            });
  for (const IndexInfo& x : indexes_) sorted_indexes_.push_back(&x);
  std::sort(sorted_indexes_.begin(), sorted_indexes_.end(),
            [&](const IndexInfo* a, const IndexInfo* b) {
              return std::make_pair(table_position(a->table), a->name) <
                     std::make_pair(table_position(b->table), b->name);
            });
  for (const TriggerInfo& t : triggers_) sorted_triggers_.push_back(&t);
  std::sort(sorted_triggers_.begin(), sorted_triggers_.end(),
            [&](const TriggerInfo* a, const TriggerInfo* b) {
              return std::make_pair(table_position(a->table), a->name) <
                     std::make_pair(table_position(b->table), b->name);
            });
  for (const PolicyInfo& p : policies_) sorted_policies_.push_back(&p);
  std::sort(sorted_policies_.begin(), sorted_policies_.end(),
            [&](const PolicyInfo* a, const PolicyInfo* b) {
              return std::make_pair(table_position(a->table), a->name) <
                     std::make_pair(table_position(b->table), b->name);
            });
  return Render();
}

}  // namespace

Result<std::string> DumpSchemaSql(Connection& conn, const DumpOptions& options) {
  Dumper dumper(conn, options);
  return dumper.Run();
}

}  // namespace dbarch::pg
