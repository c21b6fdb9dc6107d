// Private to catalog/: the state of a CatalogBuilder while it applies statements. Split
// over builder.cc (dispatch, tables, columns, constraints, ALTER/DROP/RENAME) and
// builder_types.cc and builder_grants.cc (views, types, functions, triggers, policies, roles, grants,
// comments, sequences, extensions).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "catalog/builder.h"
#include "catalog/model.h"
#include "sql/ast.h"
#include "sql/expr_normalizer.h"
#include "sql/view_normalizer.h"

namespace dbarch::catalog {

class CatalogBuilder::Impl {
 public:
  explicit Impl(BuildOptions options);

  Status Apply(const SourceFile& file, const sql::Statement& stmt);
  void Reset(Catalog catalog);
  Catalog Finish();

  Catalog cat_;

 private:
  friend class ObjectsApplier;
  // --- context of the statement being applied
  const SourceFile* file_ = nullptr;
  const sql::Statement* stmt_ = nullptr;
  BuildOptions options_;
  std::vector<std::string> search_path_;
  // SET ROLE in the DDL: objects created afterwards belong to it ("" = the loading role).
  std::string current_role_;
  // Domain-typed columns of the table whose expressions are being read (see ExprHints).
  sql::ExprHints hints_;
  // Expression hints for `table`'s columns: domain bases always; every column's type only
  // with `with_column_types` (costly: one entry per column).
  sql::ExprHints HintsFor(const Table& table, bool with_column_types = false) const;
  // Hints with name resolution only (no table): domains, triggers, function defaults.
  sql::ExprHints BaseHints() const;
  bool IsDiscardedNullDefault(const Column& c) const;
  // The schema a bare function name resolves to through the search path among the model's
  // functions; "" when none (built-in or unknown).
  std::string FunctionSchemaOf(std::string_view name) const;
  // A relation named in a regclass literal, as regclass output prints it with search_path =
  // public; "" when it names no relation of the model.
  std::string RegclassName(std::string_view text) const;
  // A collation name as the model keeps it, a bare name resolved through the search path
  // among the collations the DDL created.
  std::string ResolveCollation(const std::vector<std::string>& parts) const;
  std::set<QualifiedName> collations_;  // created by CREATE COLLATION (name resolution)
  // The internal base type name of a domain named as a column type ("" if not a domain).
  std::string DomainBase(const std::string& type_name) const;
  // Names in use per schema: relations (tables, views, sequences, indexes incl.
  // constraint-backed ones, composite types) and constraints.
  std::map<std::string, std::set<std::string>> relnames_;
  std::map<std::string, std::set<std::string>> connames_;
  // Identity sequences (not Catalog::sequences: they belong to their column) by name, so
  // GRANT ... ON SEQUENCE and ALTER SEQUENCE can name them.
  std::map<QualifiedName, std::pair<QualifiedName, std::string>> identity_seqs_;
  // Who refers to each relation, for RENAME statements: built by the first rename after any
  // other statement (one pass over the model) and kept up to date by the renames, so that a
  // run of renames (diff's declared renames on a large model) costs no pass each. Any other
  // statement, Reset and Finish drop it (Apply), so it is never stale.
  struct QualifiedNameHash {
    size_t operator()(const QualifiedName& q) const {
      return std::hash<std::string>{}(q.schema) * 31u ^ std::hash<std::string>{}(q.name);
    }
  };
  using NameLists =
      std::unordered_map<QualifiedName, std::vector<QualifiedName>, QualifiedNameHash>;
  struct References {
    NameLists fk_from;    // referenced table -> tables holding a foreign key to it
    NameLists children;   // parent -> partitions and inheritance children
    NameLists indexes;    // table or matview -> its standalone indexes
    NameLists sequences;  // table -> sequences OWNED BY one of its columns
    NameLists views;      // relation -> views and matviews reading it
  };
  std::optional<References> refs_;
  References& Refs();

  // --- helpers
  Status Error(Status st, int location) const;
  Status NotFound(const std::string& what, const std::string& name, int location,
                  const std::vector<std::string>& candidates) const;
  Origin MakeOrigin() const;
  // MakeOrigin() plus the clause of the statement that starts at parse-tree `location` (a
  // column definition, a constraint); without a usable location, MakeOrigin().
  Origin MakeClauseOrigin(int location) const;
  std::string StatementText() const;
  Result<std::string> CreationSchema(const char* schema, int location) const;
  Result<QualifiedName> CreationName(const PgQuery__RangeVar* rv) const;
  Result<QualifiedName> CreationName(const std::vector<std::string>& parts, int location) const;
  // Resolves an existing relation (table, view, sequence, index) by search path.
  Result<QualifiedName> FindRelation(const std::vector<std::string>& parts, int location,
                                     const char* kind, bool tables, bool views,
                                     bool sequences, bool indexes) const;
  Result<QualifiedName> FindTableName(const PgQuery__RangeVar* rv) const;
  Result<QualifiedName> FindTypeName(const std::vector<std::string>& parts, int location) const;
  Result<std::string> TypeString(const PgQuery__TypeName* t) const;
  // Column::default_text of the raw default `raw` (model.h): its text when it is a literal
  // with one or more casts to built-in types, else "".
  std::string DefaultText(const sql::Node* raw) const;
  std::string RoleName(const PgQuery__RoleSpec* r) const;
  bool RelationTaken(const std::string& schema, const std::string& name) const;
  bool ConstraintTaken(const std::string& schema, const std::string& name) const;
  void ReserveRelation(const std::string& schema, const std::string& name);
  void ReleaseRelation(const std::string& schema, const std::string& name);
  void ReserveConstraint(const std::string& schema, const std::string& name);
  void ReleaseConstraint(const std::string& schema, const std::string& name);
  void EnsureSchema(const std::string& schema);
  Status CheckSchemaExists(const std::string& schema, int location) const;

  // --- statements (builder.cc)
  Status ApplyNode(const sql::Node* node);
  Status CreateSchema(const PgQuery__CreateSchemaStmt* s);
  Status CreateTable(const PgQuery__CreateStmt* s);
  Status AddColumn(Table& table, const PgQuery__ColumnDef* def, bool in_create,
                   std::vector<const PgQuery__Constraint*>& deferred);
  Status AddConstraint(Table& table, const PgQuery__Constraint* c, bool in_create,
                       const std::string& column);
  Status AlterTable(const PgQuery__AlterTableStmt* s);
  // `recurse`: false for ALTER TABLE ONLY (the command does not reach partitions and
  // inheritance children).
  Status AlterTableCmd(Table& table, const PgQuery__AlterTableCmd* cmd, bool recurse = true);
  Status CreateIndex(const PgQuery__IndexStmt* s);
  Result<IndexKey> MakeIndexKey(const PgQuery__IndexElem* e) const;
  Status Drop(const PgQuery__DropStmt* s);
  Status DropTable(const QualifiedName& name, bool cascade, int location);
  Status Rename(const PgQuery__RenameStmt* s);
  Status SetSchema(const PgQuery__AlterObjectSchemaStmt* s);
  void RenameTableReferences(const QualifiedName& from, const QualifiedName& to);
  void RenameColumnReferences(const QualifiedName& table, const std::string& from,
                              const std::string& to);
  void DropColumnDependents(Table& table, const std::string& column);
  // LIKE ... INCLUDING CONSTRAINTS / INDEXES: copies with the names the server chooses.
  void CopyLikeExtras(Table& to, const QualifiedName& from, uint32_t options);
  // Copies `from`'s PK/UNIQUE/EXCLUDE constraints (`constraints`) and standalone indexes
  // (`standalone`) to `to`, naming them as ChooseIndexName would.
  void CopyIndexesTo(Table& to, const QualifiedName& from, bool constraints, bool standalone);
  Status SetSearchPath(const PgQuery__VariableSetStmt* s);

  // --- partitions and inheritance children (builder_inherit.cc): what the server does to
  // them when their parent is altered.
  // An index or key constraint that the server created on a partition for one of its
  // parent's (an index clone): it takes a relation name (and a constraint name); the model
  // lists it on the partition (Table::clones, written by Finish, read back by Reset) for its
  // name and comment; the parent's index stands for its definition.
  struct Clone {
    std::string name;  // the clone's own name, in the partition's schema
    QualifiedName parent_table;
    std::string parent_name;  // the parent's index or constraint it belongs to
    bool constraint = false;  // a PRIMARY KEY / UNIQUE / EXCLUDE constraint's index
    std::string comment;      // COMMENT ON INDEX, or ON CONSTRAINT for a key
  };
  // The clone named `name` (a relation name: index or key) in `schema`, with its partition;
  // nullptr when there is none.
  Clone* FindClone(const std::string& schema, const std::string& name,
                   QualifiedName* partition = nullptr);
  std::map<QualifiedName, std::vector<Clone>> clones_;  // by partition
  // `ALTER INDEX <key> ATTACH PARTITION <partition's key>` where <key> (`parts`) names a
  // PRIMARY KEY / UNIQUE / EXCLUDE constraint's index: the partition's constraint becomes a
  // clone. NotFound (without a span) when <key> names no such constraint.
  Status AttachKeyConstraint(const std::vector<std::string>& parts,
                             const PgQuery__AlterTableStmt* s);
  // Direct partitions and inheritance children of `parent`, sorted.
  std::vector<QualifiedName> ChildrenOf(const QualifiedName& parent) const;
  // attinhcount: how many of `table`'s parents have `column`.
  int InheritCount(const Table& table, const std::string& column) const;
  // Every partition and inheritance child of `table`, recursively, children before their
  // own children (each once).
  std::vector<QualifiedName> DescendantsOf(const QualifiedName& table) const;
  // ALTER TABLE parent ADD COLUMN: the column reaches each child (merged with a child's
  // column of the same name, which must have the same type).
  Status AddColumnToChildren(const Table& parent, const Column& column, int location);
  // ALTER TABLE [ONLY] parent DROP COLUMN: children drop the column when they had it only
  // from this parent; under ONLY, their column becomes their own.
  void DropColumnFromChildren(const QualifiedName& parent, const std::string& column, bool recurse);
  // Checks of ALTER TABLE [ONLY] against the server's rules for inherited columns and
  // partitioned tables; the command's own work is done by the caller.
  Status CheckInheritedAlter(const Table& table, const PgQuery__AlterTableCmd* cmd,
                             bool recurse) const;
  // Column commands (SET/DROP DEFAULT, SET/DROP NOT NULL, TYPE) repeated on every
  // descendant that has the column.
  Status PropagateColumnCmd(const Table& table, const PgQuery__AlterTableCmd* cmd);
  // CREATE INDEX / ADD PRIMARY KEY|UNIQUE|EXCLUDE on a partitioned table: clones on every
  // partition (recursively), named by the server's rules at that moment; an equivalent
  // index a partition already has is attached instead. `only`: clone on that partition alone.
  void CloneToPartitions(const QualifiedName& table, const std::string& name, bool constraint,
                         const QualifiedName* only = nullptr);
  // A new or attached partition gets clones of all its parent's indexes and keys.
  void ClonesForNewPartition(const QualifiedName& parent, const QualifiedName& partition);
  // DETACH PARTITION: the partition's clones become its own indexes and constraints.
  void MaterializeClones(Table& partition);
  // The index or key `name` of `table` (or a clone of one) is gone: so are its clones.
  void DropClonesOf(const QualifiedName& table, const std::string& name);
  // Removes from `table` the CHECKs that a parent or further ancestor has under the same name
  // (they are inherited; names stay reserved: the server still has them).
  void DropInheritedChecks(Table& table);
  // pg_dump --binary-upgrade's `UPDATE pg_catalog.pg_constraint SET conislocal = false WHERE
  // contype = 'c' AND conname = '...' AND conrelid = '...'::pg_catalog.regclass` (which
  // pg/schema_dump writes too): the child's CHECK is one it has from its parents only, so the
  // model keeps it on the parent only. Any other UPDATE is a query (`keep_queries`).
  Status UpdateCatalog(const sql::Node* n);
  // The inheritable CHECKs of `parents` and their ancestors, by name.
  std::map<std::string, Constraint> ChecksFrom(std::vector<QualifiedName> parents) const;
  // NO INHERIT former: the CHECKs `table` had only from it become its own.
  void KeepChecksOfFormerParent(Table& table, const QualifiedName& former);
  // `table` is dropped: its clones' names are free.
  void ReleaseClones(const QualifiedName& table);
  // RENAME COLUMN: refused for an inherited column, and under ONLY when children have it.
  Status CheckRenameColumn(const Table& table, const std::string& column, bool recurse) const;
  // RENAME COLUMN reaches every descendant.
  void RenameColumnInDescendants(const QualifiedName& table, const std::string& from,
                                 const std::string& to);
  // A table or index renamed: clone bookkeeping follows.
  void RenameClones(const QualifiedName& from, const QualifiedName& to);
  void RenameCloneParent(const QualifiedName& table, const std::string& from,
                         const std::string& to);
  Status KeepOther(const sql::Node* node, const std::string& name);
  Result<SequenceOptions> ParseSequenceOptions(sql::NodeRange options,
                                               const SequenceOptions& base,
                                               std::string* owned_by) const;

  // --- statements (builder_types.cc and builder_grants.cc)
  Status CreateView(const PgQuery__ViewStmt* s);
  Status CreateMatView(const PgQuery__CreateTableAsStmt* s);
  Status CreateSequence(const PgQuery__CreateSeqStmt* s);
  Status AlterSequence(const PgQuery__AlterSeqStmt* s);
  Status SetSequenceOwner(Sequence& seq, const std::string& owned_by, int location);
  Status CreateEnum(const PgQuery__CreateEnumStmt* s);
  Status AlterEnum(const PgQuery__AlterEnumStmt* s);
  Status CreateComposite(const PgQuery__CompositeTypeStmt* s);
  Status CreateDomain(const PgQuery__CreateDomainStmt* s);
  Status AlterDomain(const PgQuery__AlterDomainStmt* s);
  Status CreateRange(const PgQuery__CreateRangeStmt* s);
  Status CreateFunction(const PgQuery__CreateFunctionStmt* s);
  // CREATE [OR REPLACE] AGGREGATE, old and new syntax: a Function with `aggregate` set.
  Status CreateAggregate(const PgQuery__DefineStmt* s);
  // A support function named in CREATE AGGREGATE: its schema from the name, else the first
  // schema of the search path where the model has a function of that name, else pg_catalog.
  QualifiedName AggregateSupportName(const std::vector<std::string>& parts) const;
  Result<std::string> FunctionKey(const PgQuery__ObjectWithArgs* o, bool procedure,
                                  int location) const;
  Status CreateTrigger(const PgQuery__CreateTrigStmt* s);
  Status CreatePolicy(const PgQuery__CreatePolicyStmt* s);
  Status AlterPolicy(const PgQuery__AlterPolicyStmt* s);
  Status CreateExtension(const PgQuery__CreateExtensionStmt* s);
  Status CreateRole(const PgQuery__CreateRoleStmt* s);
  Status CreateCollation(const PgQuery__DefineStmt* s);
  // A collation of the model by its (possibly qualified) name; kNotFound otherwise.
  Result<QualifiedName> FindCollation(const std::vector<std::string>& parts, int location) const;
  Status AlterRole(const PgQuery__AlterRoleStmt* s);
  Status DropRole(const PgQuery__DropRoleStmt* s);
  Status GrantRole(const PgQuery__GrantRoleStmt* s);
  Status GrantPrivileges(const PgQuery__GrantStmt* s);
  Status Comment(const PgQuery__CommentStmt* s);
  Status AlterOwner(const PgQuery__AlterOwnerStmt* s);
  Status AlterFunction(const PgQuery__AlterFunctionStmt* s);
  Status AlterDefaultPrivileges(const PgQuery__AlterDefaultPrivilegesStmt* s);
  // Grants that ALTER DEFAULT PRIVILEGES rules give a new object of `owner`.
  void ApplyDefaultPrivileges(const char* object_type, ObjectKind kind, const std::string& schema,
                              const std::string& object, const std::string& owner);
  void GrantOne(Grant g);
  // Whether `privilege` on `object` is one PostgreSQL gives PUBLIC by default (EXECUTE on a
  // function or procedure, USAGE on a type or domain, a language or the built-in schema
  // public, CONNECT and TEMPORARY on the database).
  bool IsBuiltinPublicPrivilege(ObjectKind kind, const std::string& object,
                                const std::string& privilege) const;
  // REVOKE / GRANT of such a privilege from / to PUBLIC: recorded in
  // Catalog::revoked_defaults, since the server's ACL then lists (or no longer lists) it.
  void RevokeBuiltin(const Grant& g);
  void RestoreBuiltin(const Grant& g);
  void RevokeOne(const Grant& g, bool grant_option_only);
  // Whether `privilege` is one the owner of an object of `kind` holds by default (every
  // privilege of the kind, AllPrivileges); REVOKE ... FROM owner takes it away.
  static bool IsOwnerPrivilege(ObjectKind kind, const std::string& privilege);
  // An object whose owner changes from `from` to `to`: the server's ACL gives the old owner's
  // entries (what it still holds, its column grants) to the new owner and merges them with
  // what that role was granted (aclnewowner), so the model does the same.
  void TransferOwnerPrivileges(ObjectKind kind, const std::string& object, const std::string& from,
                               const std::string& to);
  void DropGrantsOn(ObjectKind kind, const std::string& object);
  void RenameGrantsOn(ObjectKind kind, const std::string& from, const std::string& to);
  // Renames column `from` of `relation` in the normal form of the views that read it.
  void RenameColumnInViews(const QualifiedName& relation, const std::string& from,
                           const std::string& to);
  Result<View> BuildView(const QualifiedName& name, const sql::Node* query,
                         sql::NodeRange aliases) const;
  // Output column names of `select`; `ctes` are the columns of the CTEs of enclosing queries.
  using CteColumns = std::map<std::string, std::vector<std::string>>;
  Result<std::vector<std::string>> QueryColumns(const sql::Node* select,
                                                const CteColumns& ctes = {}) const;
  // View::normal_form of `query` (its relations resolved in the model as it is now);
  // `definition` when the query cannot be normalised.
  // `column_types`, when given, receives the inferred type of each output column.
  std::string ViewNormalForm(const sql::Node* query, const std::string& definition,
                             std::vector<std::string>* column_types = nullptr) const;
  // A column renamed in the model, seen under its old name (views are re-read as they were).
  struct ColumnRename {
    QualifiedName relation;
    std::string from, to;
  };
  // Relation and composite-type resolution for view queries in the model as it is now;
  // `rename` (may be null) shows one renamed column under its old name. `expr` may be null and
  // must outlive the hints.
  sql::QueryHints ViewQueryHints(const sql::ExprHints* expr, const ColumnRename* rename) const;
  // The columns of the composite type (table row type or composite) that function call `f`
  // returns; empty when the function or its type is not in the model.
  std::vector<std::string> CompositeResultColumns(const PgQuery__FuncCall* f) const;
  // A DO block whose body is a plain plpgsql BEGIN ... END of SQL statements: those of the
  // main path are applied; any other DO block is kept as an other statement.
  Status ApplyDoBlock(const sql::Node* node);
};

// Canonical expression text, with the statement's span on error.
}  // namespace dbarch::catalog
