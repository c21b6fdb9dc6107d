// The schema model: one in-memory description of a PostgreSQL database's schema objects,
// built from DDL (CatalogBuilder) or from a live server (pg/ introspection, which feeds the
// server's own object definitions through the same builder). Every later analysis (lint,
// advisor, diff, migrate) reads it.
//
// Normal form (so that a model built from DDL equals one built from the server):
//  - names are stored unquoted, exactly as PostgreSQL stores them (case-folded by the
//    parser); every object has an explicit schema;
//  - type names are spelled as format_type() prints them with search_path = public:
//    "integer", "character varying(20)", "numeric(12,2)", "text[]", "app.mood";
//  - expressions are canonical text from sql::CanonicalExpr;
//  - unnamed constraints and indexes carry the name PostgreSQL would choose;
//  - collections are sorted by name (columns, enum labels and key columns keep their
//    order), so rendering is deterministic; storage parameters (OptionList) keep the order
//    the server keeps, and compare as sets;
//  - owner "" means the role that ran the DDL (the connecting user on a server).
// Plain values; copyable; not thread-safe for concurrent mutation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/source_span.h"

namespace dbarch::catalog {

struct QualifiedName {
  std::string schema;
  std::string name;
  auto operator<=>(const QualifiedName&) const = default;
  bool operator==(const QualifiedName&) const = default;
  // schema.name with identifiers quoted as needed.
  std::string Quoted() const;
};

// Where an object was defined (DDL file span, or "<server>"); never part of equality: two
// models of the same schema are equal whatever files (or server) they came from.
struct Origin {
  SourceSpan span;  // the whole statement that defined the object
  // For an object defined by one clause of that statement (a column definition, a constraint
  // clause): its byte range [clause_begin, clause_end) and the 1-based line and column where
  // it starts. clause_line == 0 when the statement as a whole is the definition (tables,
  // indexes, views...).
  uint32_t clause_begin = 0;
  uint32_t clause_end = 0;
  uint32_t clause_line = 0;
  uint32_t clause_column = 0;
  // The clause as a span, or `span` when there is no clause.
  SourceSpan Where() const {
    if (clause_line == 0) return span;
    return SourceSpan{span.file, clause_begin, clause_end, clause_line, clause_column};
  }
  bool operator==(const Origin&) const { return true; }
};

// Storage parameters and the other `name = value` lists of WITH (...) (tables, indexes, index-
// backed constraints, views, materialized views), in the order the server keeps them: the
// order they were declared, a parameter set again by ALTER ... SET (...) moving to the end
// (reloptions.c, transformRelOptions); pg_dump prints that order. The order is not part of
// equality: two lists are equal when they hold the same pairs (a name appears at most once).
struct OptionList : std::vector<std::pair<std::string, std::string>> {
  using Base = std::vector<std::pair<std::string, std::string>>;
  using Base::Base;
  OptionList() = default;
  explicit OptionList(Base pairs) : Base(std::move(pairs)) {}
  // The value of `name`, or nullptr.
  const std::string* Find(const std::string& name) const;
  friend bool operator==(const OptionList& a, const OptionList& b);
};

struct SequenceOptions {
  std::string data_type = "bigint";
  int64_t start = 1;
  int64_t increment = 1;
  int64_t min_value = 1;
  int64_t max_value = INT64_MAX;
  int64_t cache = 1;
  bool cycle = false;
  bool operator==(const SequenceOptions&) const = default;
};

enum class IdentityKind { kNone, kAlways, kByDefault };

struct Column {
  std::string name;
  std::string type;        // format_type() spelling
  std::string collation;   // "" = the type's default; else the collation name, e.g. "C"
  bool not_null = false;
  std::string default_expr;    // canonical; "" = no default
  // A default that is a literal with casts to built-in types, in the words the source gives
  // it (`''::text`; a server's pg_get_expr text); "" for any other default. Not part of
  // equality (defaults compare in canonical form, without casts): diff sets a default in
  // these words, since the server stores the casts it is written with (one kept through
  // ALTER COLUMN ... TYPE: `''::text` on a `character(300)` column) and pg_dump prints them.
  std::string default_text;
  std::string generated_expr;  // canonical STORED generation expression; "" = not generated
  IdentityKind identity = IdentityKind::kNone;
  SequenceOptions identity_options;  // meaningful when identity != kNone
  // The identity's sequence, in the table's schema: the SEQUENCE NAME given, else the name
  // PostgreSQL chose; "" when not an identity column (or not known). Not part of equality:
  // the server keeps the name when the table or column is renamed, so only a declared rename
  // (`-- dbarch:renamed-from` on the SEQUENCE NAME clause) changes it.
  std::string identity_sequence;
  std::string storage;       // "" = type default; else plain|external|extended|main
  std::string compression;   // "" = default; else pglz|lz4
  int statistics_target = -1;  // ALTER COLUMN ... SET STATISTICS; -1 = the default
  std::string comment;
  // attislocal: false for a column that a partition or inheritance child has only from its
  // parents (so ALTER TABLE parent DROP COLUMN drops it there too); true for a column of the
  // table's own, including one merged with a parent's. Not part of equality: a dump cannot
  // always keep it (a child whose columns are not in the order CREATE TABLE ... INHERITS
  // gives is recreated with all columns and then attached with ALTER TABLE ... INHERIT).
  bool is_local = true;
  Origin origin;  // the column definition (CREATE TABLE or ALTER TABLE ADD COLUMN)
  bool operator==(const Column& o) const;
};

enum class ConstraintKind { kPrimaryKey, kUnique, kCheck, kForeignKey, kExclude };

// One element of an EXCLUDE constraint or of an index key.
struct IndexKey {
  std::string column;       // set for a plain column key
  std::string expression;   // canonical; set for an expression key
  std::string collation;    // "" = column default
  std::string opclass;      // "" = default operator class
  std::vector<std::pair<std::string, std::string>> opclass_params;
  bool descending = false;
  bool nulls_first = false;  // resolved: DESC defaults to NULLS FIRST, ASC to NULLS LAST
  std::string exclude_operator;  // EXCLUDE constraints only, e.g. "&&" or "="
  bool operator==(const IndexKey&) const = default;
};

struct Constraint {
  std::string name;
  ConstraintKind kind = ConstraintKind::kCheck;
  std::vector<std::string> columns;  // PK/UNIQUE/FK local columns
  std::string expression;            // CHECK, canonical
  bool deferrable = false;
  bool initially_deferred = false;
  bool not_valid = false;            // NOT VALID (CHECK, FK)
  bool no_inherit = false;           // CHECK ... NO INHERIT
  bool nulls_not_distinct = false;   // UNIQUE NULLS NOT DISTINCT
  std::vector<std::string> include;  // PK/UNIQUE/EXCLUDE INCLUDE (...)
  OptionList index_options;          // WITH (...), as declared
  // FOREIGN KEY
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;
  char match = 's';      // s simple, f full, p partial
  char on_update = 'a';  // a no action, r restrict, c cascade, n set null, d set default
  char on_delete = 'a';
  std::vector<std::string> on_delete_columns;  // ON DELETE SET NULL (cols)
  // EXCLUDE
  std::string exclude_method;
  std::vector<IndexKey> exclude_keys;
  std::string exclude_predicate;
  std::string comment;
  Origin origin;  // the constraint clause (inline on a column, in the table, or ADD CONSTRAINT)
  bool operator==(const Constraint&) const = default;
};

struct Index {
  QualifiedName name;  // an index lives in its table's schema
  QualifiedName table;
  std::string method = "btree";
  bool unique = false;
  bool nulls_not_distinct = false;
  std::vector<IndexKey> keys;
  std::vector<std::string> include;
  std::string predicate;  // canonical; "" = not partial
  OptionList options;     // WITH (fillfactor=...), as declared
  std::string comment;
  Origin origin;  // the CREATE INDEX statement
  bool operator==(const Index&) const = default;
};

// Whether a partition's index `a` can stand for its parent's index `b` (same method,
// uniqueness, keys, INCLUDE and predicate; options and name aside): CREATE INDEX on a
// partitioned table, and ATTACH PARTITION, adopt such an index instead of creating one.
bool IndexesMatch(const Index& a, const Index& b);

struct Trigger {
  std::string name;
  std::string timing;  // BEFORE | AFTER | INSTEAD OF
  std::vector<std::string> events;  // INSERT, UPDATE, DELETE, TRUNCATE (sorted)
  std::vector<std::string> update_columns;  // UPDATE OF ...
  bool for_each_row = false;
  std::string when;  // canonical condition; "" = none
  QualifiedName function;
  std::vector<std::string> arguments;
  bool constraint = false;  // CREATE CONSTRAINT TRIGGER
  bool deferrable = false;
  bool initially_deferred = false;
  std::string referencing_old;  // transition table names
  std::string referencing_new;
  bool enabled = true;
  std::string comment;
  bool operator==(const Trigger&) const = default;
};

struct Policy {
  std::string name;
  bool permissive = true;
  std::string command = "ALL";  // ALL | SELECT | INSERT | UPDATE | DELETE
  std::vector<std::string> roles;  // sorted; "public" when none given
  std::string using_expr;          // canonical
  std::string check_expr;          // canonical
  std::string comment;
  bool operator==(const Policy&) const = default;
};

// An index or PRIMARY KEY / UNIQUE / EXCLUDE constraint that the server created on a partition
// for one of its parent's (pg_inherits links the two indexes; a key's constraint has the
// parent's as conparentid). Its definition is the parent's, which creates it again; it is
// listed for what it has of its own: the name (given when it was created, from the columns of
// that moment, or by ALTER INDEX ... RENAME) and a comment.
struct IndexClone {
  std::string name;         // in the partition's schema; a key's index and constraint share it
  std::string parent_name;  // the parent's index or key (a clone, when the parent is a partition)
  bool constraint = false;  // a key constraint's index
  std::string comment;      // COMMENT ON INDEX; for a key, COMMENT ON CONSTRAINT
  bool operator==(const IndexClone&) const = default;
};

enum class PartitionStrategy { kNone, kRange, kList, kHash };

struct Table {
  QualifiedName name;
  bool unlogged = false;
  std::vector<Column> columns;           // in attnum order
  std::vector<Constraint> constraints;   // sorted by name; local ones only
  std::vector<Trigger> triggers;         // sorted by name
  std::vector<Policy> policies;          // sorted by name
  bool rls_enabled = false;
  bool rls_forced = false;
  PartitionStrategy partition_strategy = PartitionStrategy::kNone;
  std::string partition_key;         // canonical "RANGE (created_at)"; "" = not partitioned
  std::optional<QualifiedName> partition_of;
  std::string partition_bound;       // canonical "FOR VALUES FROM (...) TO (...)" / "DEFAULT"
  std::vector<QualifiedName> inherits;
  std::optional<QualifiedName> of_type;  // CREATE TABLE ... OF composite_type
  OptionList options;                    // reloptions, as declared (toast.* ones included)
  // REPLICA IDENTITY: "" = DEFAULT, "full", "nothing", or "index <name>" (USING INDEX).
  std::string replica_identity;
  std::string owner;
  std::string comment;
  // A partition's index clones, sorted by parent_name then name; empty for any other table.
  std::vector<IndexClone> clones;
  Origin origin;

  const Column* FindColumn(const std::string& column) const;
  Column* FindColumn(const std::string& column);
  bool operator==(const Table& o) const;
};

struct View {
  QualifiedName name;
  bool materialized = false;
  std::string definition;  // canonical deparse of the query, as written (rendered as DDL)
  // The query in sql::NormalizeViewQuery form (columns resolved, `*` expanded, ordinals and
  // the server's implicit casts normalised): equal for the DDL text and for the server's
  // pg_get_viewdef text of one query. The plain deparse when the query cannot be normalised.
  std::string normal_form;
  std::vector<std::string> columns;   // output column names, in order
  // Internal type of each output column as the normaliser infers it ("" = not inferred); not
  // compared: it tells the normal form of a view that reads this one which casts are implicit.
  std::vector<std::string> column_types;
  std::vector<QualifiedName> relations;  // relations the query reads, sorted
  OptionList options;                    // security_barrier, check_option..., as declared
  std::map<std::string, std::string> column_comments;
  std::string owner;
  std::string comment;
  Origin origin;
  // Views (and materialized views) are equal when name, kind, options, output columns,
  // referenced relations and the query's normal form are: the server rewrites view text
  // (expands *, qualifies columns, adds aliases and casts), so `definition` itself is not
  // compared; `normal_form` is the same for both spellings (blind spots: view_normalizer.h).
  bool operator==(const View& o) const;
};

struct Sequence {
  QualifiedName name;
  SequenceOptions options;
  std::optional<QualifiedName> owned_by_table;
  std::string owned_by_column;
  bool unlogged = false;
  std::string owner;
  std::string comment;
  Origin origin;
  bool operator==(const Sequence& o) const;
};

enum class TypeKind { kEnum, kComposite, kDomain, kRange };

struct TypeAttribute {
  std::string name;
  std::string type;
  std::string collation;
  bool operator==(const TypeAttribute&) const = default;
};

struct DomainConstraint {
  std::string name;
  std::string expression;  // canonical CHECK expression
  bool not_valid = false;
  std::string comment;  // COMMENT ON CONSTRAINT ... ON DOMAIN
  bool operator==(const DomainConstraint&) const = default;
};

struct Type {
  QualifiedName name;
  TypeKind kind = TypeKind::kEnum;
  std::vector<std::string> labels;            // enum, in order
  std::vector<TypeAttribute> attributes;      // composite, in order
  std::string base_type;                      // domain: base; range: subtype
  std::string collation;                      // domain
  bool not_null = false;                      // domain
  std::string default_expr;                   // domain
  std::vector<DomainConstraint> constraints;  // domain, sorted by name
  std::string subtype_opclass;                // range
  std::string owner;
  std::string comment;
  Origin origin;
  bool operator==(const Type& o) const;
};

struct FunctionArg {
  std::string mode = "IN";  // IN | OUT | INOUT | VARIADIC | TABLE
  std::string name;
  std::string type;
  std::string default_expr;  // canonical
  bool operator==(const FunctionArg&) const = default;
};

// What pg_aggregate holds for an aggregate function (CREATE AGGREGATE). Support functions
// are named, not typed: the server picks the overload from the state and argument types, and
// diff treats every overload of that name as used. A function of pg_catalog is kept with the
// schema "pg_catalog" whether or not the DDL qualifies it.
struct Aggregate {
  char kind = 'n';       // pg_aggregate.aggkind: n normal, o ordered-set, h hypothetical-set
  int direct_args = 0;   // ordered-set: how many of the arguments come before ORDER BY
  QualifiedName sfunc;   // state transition function
  std::string stype;     // state type, format_type spelling
  int64_t sspace = 0;    // state data size; 0 = the server's estimate
  QualifiedName finalfunc;  // name "" = none (and so for the other support functions)
  bool final_extra = false;
  // FINALFUNC_MODIFY: "" = the default (READ_ONLY; READ_WRITE for ordered-set aggregates),
  // else SHAREABLE | READ_WRITE | READ_ONLY (lower case never stored).
  std::string final_modify;
  QualifiedName combinefunc;
  QualifiedName serialfunc;
  QualifiedName deserialfunc;
  std::optional<std::string> initcond;  // INITCOND as its text value; nullopt = none (NULL)
  // Moving-aggregate mode.
  QualifiedName msfunc;
  QualifiedName minvfunc;
  std::string mstype;
  int64_t msspace = 0;
  QualifiedName mfinalfunc;
  bool mfinal_extra = false;
  std::string mfinal_modify;
  std::optional<std::string> minitcond;
  // SORTOP: the operator's name for one of pg_catalog ("<", ">"), else "OPERATOR(schema.op)";
  // "" = none.
  std::string sortop;
  // The support functions that are set, sorted (for dependency order).
  std::vector<QualifiedName> SupportFunctions() const;
  bool operator==(const Aggregate&) const = default;
};

struct Function {
  QualifiedName name;
  bool is_procedure = false;
  // Set for an aggregate function (pg_proc.prokind 'a'): its arguments are `args` (IN and
  // VARIADIC only), PARALLEL is `parallel`, owner, comment and grants are as for functions
  // (privileges on aggregates are EXECUTE, granted ON FUNCTION); language is "internal" (as
  // pg_proc has it); returns, body and the other function attributes stay at their defaults.
  std::optional<Aggregate> aggregate;
  std::vector<FunctionArg> args;
  std::string returns;  // format_type spelling; "SETOF x"; "TABLE(...)" via TABLE args; "" for procedures
  bool returns_set = false;
  std::string language;
  std::string body;     // the text between the dollar quotes, verbatim; or the BEGIN ATOMIC body
  std::string volatility = "VOLATILE";  // IMMUTABLE | STABLE | VOLATILE
  bool strict = false;
  bool security_definer = false;
  bool leakproof = false;
  std::string parallel = "UNSAFE";  // SAFE | RESTRICTED | UNSAFE
  std::vector<std::pair<std::string, std::string>> config;  // SET name = value, sorted
  // COST and ROWS as the server prints them; "" = the default (COST 1 for C and internal
  // functions, 100 for the others; ROWS 1000 for set-returning functions, none otherwise).
  std::string cost;
  std::string rows;
  std::string owner;
  std::string comment;
  Origin origin;
  // "schema.name(type, type)" with IN/INOUT/VARIADIC argument types: the identity.
  std::string Signature() const;
  bool operator==(const Function& o) const;
};

struct Extension {
  std::string name;
  std::string schema;
  // COMMENT ON EXTENSION; nullopt = the comment CREATE EXTENSION gives (the control file's),
  // "" = removed (IS NULL).
  std::optional<std::string> comment;
  bool operator==(const Extension&) const = default;
};

// CREATE COLLATION (the built-in collations are not listed).
struct Collation {
  QualifiedName name;
  std::string provider = "libc";  // libc | icu | builtin
  std::string lc_collate;         // libc (LOCALE sets both)
  std::string lc_ctype;           // libc
  std::string locale;             // icu, builtin
  bool deterministic = true;
  std::string owner;
  std::string comment;
  Origin origin;
  bool operator==(const Collation&) const = default;
};

// Name of the source that objects read from a live server carry in their origin.
inline constexpr const char* kServerSource = "<server>";

// How a role's password is given (Role::password).
enum class RolePassword { kUnspecified, kNone, kHash, kClearText };

struct Role {
  std::string name;
  bool login = false;
  bool superuser = false;
  bool create_db = false;
  bool create_role = false;
  bool inherit = true;
  bool replication = false;
  bool bypass_rls = false;
  int connection_limit = -1;
  // VALID UNTIL in UTC, "YYYY-MM-DD HH:MM:SS+00"; "" = no limit (none, or 'infinity'); a
  // value dbarch cannot read as a timestamp is kept as written.
  std::string valid_until;
  // What the source says of the role's password. kUnspecified: nothing (a file without
  // PASSWORD, a server read without the right to see pg_authid): diff leaves it alone.
  RolePassword password = RolePassword::kUnspecified;
  // kHash: the SCRAM-SHA-256 or md5 hash as given (a hash literal in a file; pg_authid).
  std::string password_hash;
  // kClearText: a fingerprint of the text (64-bit FNV-1a, hex), only to tell two files'
  // passwords apart. The clear text itself is never kept, and neither is ever rendered.
  std::string password_fingerprint;
  std::vector<std::string> member_of;  // sorted
  std::string comment;
  // Where CREATE ROLE was read: a schema file, or kServerSource for a role of a live server's
  // cluster. diff manages only the roles a schema file declares (docs/diff.md).
  Origin origin;
  bool operator==(const Role&) const = default;
};

enum class ObjectKind {
  kSchema, kTable, kColumn, kView, kMaterializedView, kSequence, kIndex, kType, kDomain,
  kFunction, kProcedure, kTrigger, kPolicy, kConstraint, kExtension, kRole, kCollation, kOther,
  kLanguage, kDatabase, kAggregate,
};

const char* ObjectKindName(ObjectKind kind);

// The object name of privileges on the database itself (GRANT ... ON DATABASE): a schema
// describes the database it is loaded into, whatever name a file's statements give it.
inline constexpr const char* kCurrentDatabase = "current_database()";

// One privilege held by one grantee on one object (or on some of a table's columns).
struct Grant {
  // Table (incl. views), sequence, function, schema, type, language, database.
  ObjectKind object_kind = ObjectKind::kTable;
  // Quoted qualified name; functions: Signature(); languages: the quoted name; the database:
  // kCurrentDatabase.
  std::string object;
  std::string column;      // "" = whole object
  std::string grantee;     // role name, or "PUBLIC"
  std::string privilege;   // SELECT, INSERT, ..., USAGE, EXECUTE, CREATE
  bool with_grant_option = false;
  auto operator<=>(const Grant&) const = default;
  bool operator==(const Grant&) const = default;
};

// ALTER DEFAULT PRIVILEGES: privileges that objects created later by `role` (in `schema`,
// or anywhere when empty) receive. `revokes_builtin` marks the removal of a privilege that
// PostgreSQL grants by default (EXECUTE on functions, USAGE on types, to PUBLIC).
struct DefaultPrivilege {
  std::string role;         // "" = the role that ran the DDL
  std::string schema;       // "" = all schemas
  std::string object_type;  // TABLES | SEQUENCES | FUNCTIONS | TYPES | SCHEMAS
  std::string grantee;      // role name or "PUBLIC"
  std::string privilege;
  bool with_grant_option = false;
  bool revokes_builtin = false;
  auto operator<=>(const DefaultPrivilege&) const = default;
  bool operator==(const DefaultPrivilege&) const = default;
};

struct Schema {
  std::string name;
  std::string owner;
  std::string comment;
  bool operator==(const Schema&) const = default;
};

// A statement dbarch does not model, kept with its text so that nothing is silently lost.
struct OtherObject {
  std::string kind;  // e.g. "CREATE RULE", "DO", "ALTER DEFAULT PRIVILEGES"
  std::string name;  // object name when known
  std::string sql;
  // The search_path the statement ran under (its unqualified names resolve through it);
  // empty: the default, public.
  std::vector<std::string> search_path;
  Origin origin;
  bool operator==(const OtherObject& o) const { return kind == o.kind && name == o.name; }
};

struct Catalog {
  std::map<std::string, Schema> schemas;
  std::map<std::string, Extension> extensions;
  std::map<std::string, Role> roles;
  // Roles a schema file drops (DROP ROLE): diff drops them when they exist.
  std::vector<std::string> dropped_roles;  // sorted, unique
  std::map<QualifiedName, Collation> collations;
  std::map<QualifiedName, Type> types;
  std::map<QualifiedName, Sequence> sequences;
  std::map<QualifiedName, Table> tables;
  std::map<QualifiedName, View> views;        // views and materialized views
  std::map<QualifiedName, Index> indexes;     // standalone indexes (not constraint-backed)
  std::map<std::string, Function> functions;  // by Signature()
  std::vector<Grant> grants;                  // sorted, unique
  // Privileges PostgreSQL grants by default that were revoked. PUBLIC's (REVOKE ... FROM
  // PUBLIC): EXECUTE on functions and procedures, USAGE on types and domains, on languages
  // and on the built-in schema public, CONNECT and TEMPORARY on the database. The owner's
  // (REVOKE ... FROM owner): any privilege of the object's kind on tables, views, sequences,
  // functions, types, schemas, languages and the database, with `grantee` the owner's name
  // as the object's `owner` spells it (languages and the database: "", the role that runs
  // the DDL); the server moves them to a new owner with the object. Each is the privilege
  // the object's ACL no longer holds; sorted, unique.
  std::vector<Grant> revoked_defaults;
  std::vector<DefaultPrivilege> default_privileges;  // sorted, unique
  // ALTER DATABASE ... OWNER TO: the owner of the database the schema is loaded into,
  // whatever name a file's statement gives it; nullopt = not stated (a file without such a
  // statement: diff leaves the owner alone; a live database always states it), "" = the role
  // that runs the DDL.
  std::optional<std::string> database_owner;
  // ALTER LANGUAGE ... OWNER TO, by language name: the languages whose owner a source states
  // (a live database states those of every language but the built-in internal, c and sql;
  // diff leaves a language TO does not list alone); "" = the role that runs the DDL.
  std::map<std::string, std::string> language_owners;
  std::vector<OtherObject> others;            // in source order

  const Table* FindTable(const QualifiedName& name) const;
  Table* FindTable(const QualifiedName& name);
  bool operator==(const Catalog&) const = default;
};

}  // namespace dbarch::catalog
