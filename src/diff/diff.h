// diff::Diff: compares two schema models (catalog/model.h) and returns the ordered list of
// changes that turn the first into the second, each with its SQL, its reverse, the lock it
// takes, whether it rewrites or scans a table and what data it would lose. Used by
// `dbarch diff` (cli/diff.cc), by the conformance runner and later by migrate/.
//
// Both catalogs must be in the model's normal form (built by CatalogBuilder from DDL or by
// pg/ introspection). Objects are created with the catalog renderer's statements
// (report::CreateStatements), so a created object is written exactly as `inspect --format
// sql` writes it. The order of the changes is dependency-safe in both directions (see
// README.md): drops of views, triggers, policies and foreign keys first, then schemas,
// extensions, types, sequences, functions, tables, columns, constraints, indexes, foreign
// keys, views, triggers, policies, owners, grants, comments, and the drops of tables,
// sequences, functions, types, extensions and schemas last.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"

namespace dbarch::diff {

enum class Action { kCreate, kDrop, kAlter, kRename };

// "create", "drop", "alter", "rename".
const char* ActionName(Action action);

// One step of a migration: one object and the statements that change it.
struct Change {
  catalog::ObjectKind kind = catalog::ObjectKind::kTable;
  std::string object;  // quoted name: "app.orders", a column "app.orders.total", a
                       // constraint or trigger "app.orders.orders_pkey", a function signature
  Action action = Action::kAlter;
  // The strongest table-level lock the statements take ("ACCESS EXCLUSIVE", "SHARE ROW
  // EXCLUSIVE", "SHARE", "SHARE UPDATE EXCLUSIVE"); "" when no existing table is locked
  // (a new object, a comment on a non-table object).
  std::string lock;
  bool rewrites = false;  // the table (or its indexes) is rewritten
  bool scans = false;     // the table is read in full (validation, index build)
  bool destructive = false;
  std::string data_loss;  // what a destructive change loses, for people; "" when nothing
  // Refused: destructive while DiffOptions::allow_destructive is false. Its statements are
  // not part of the up script (FormatSql writes them as comments).
  bool refused = false;
  std::vector<std::string> sql;      // statements without the final ';'
  std::vector<std::string> reverse;  // statements that undo `sql`, when known; else empty
  // Set when `sql` holds a psql variable reference (:'name') instead of a secret the diff
  // will not copy (a role's clear-text password): the change runs only under psql, which
  // is given the value with `-v name=...`. FormatSql guards it with \if :{?name}, so a
  // script run without the variable warns and leaves the password as it is; UpStatements
  // leaves such changes out.
  std::string psql_variable;
  int phase = 0;                     // ordering key (internal; changes come sorted by it)
};

// A rename declared on an object of the target schema (`-- dbarch:renamed-from old`): turns a
// drop + create into ALTER ... RENAME (and SET SCHEMA when the old name names another schema).
// Kinds: kSchema, kTable, kView, kMaterializedView, kSequence, kIndex, kType (also an enum
// label when `column` is set), kDomain, kCollation, kFunction, kProcedure (members of no
// table), and kColumn, kConstraint, kTrigger, kPolicy (members of `table`).
struct Rename {
  catalog::ObjectKind kind = catalog::ObjectKind::kTable;
  // The object's name in the target schema; for a member, its table; for an enum label, its
  // type; for a schema, {"", schema name}.
  catalog::QualifiedName table;
  // kColumn, kConstraint, kTrigger, kPolicy: the member's name in the target; kType: the enum
  // label in the target ("" = the type itself); kFunction, kProcedure: the argument types as
  // in Function::Signature, "(integer, text)".
  std::string column;
  std::string old_name;  // the name in the source (unqualified; an enum label's text)
  // The object's schema in the source when it moves (ALTER ... SET SCHEMA); "" = the target's
  // schema (once schema renames are applied).
  std::string old_schema;
  SourceSpan where;  // the annotation (file, byte range, 1-based line and column)
  // kColumn read from a line that also defines a constraint of the table (an inline
  // constraint): that constraint's name in the target. The rename is the constraint's when
  // the source table has a constraint `old_name` and no column of that name.
  std::string or_constraint;
  bool operator==(const Rename& o) const {
    return kind == o.kind && table == o.table && column == o.column && old_name == o.old_name &&
           old_schema == o.old_schema && or_constraint == o.or_constraint;
  }
};

struct DiffOptions {
  // When false, destructive changes (drop table / column / type / schema, a narrowing
  // column type change, a removed enum value) are refused (Change::refused).
  bool allow_destructive = false;
  std::vector<Rename> renames;
};

struct DiffResult {
  std::vector<Change> changes;        // in execution order
  std::vector<std::string> warnings;  // differences the engine cannot express
  // True when at least one change exists (refused ones included).
  bool HasChanges() const { return !changes.empty(); }
  // The statements of the changes that are not refused and need no psql variable, in order,
  // without ';'.
  std::vector<std::string> UpStatements() const;
  bool HasRefused() const;
};

// The changes that turn `from` into `to`. A pair of equal catalogs gives no change.
DiffResult Diff(const catalog::Catalog& from, const catalog::Catalog& to,
                const DiffOptions& options);

// The options for the way back (to -> from): the same renames, seen from the other side.
DiffOptions ReverseOptions(const DiffOptions& options, const catalog::Catalog& from,
                           const catalog::Catalog& to);

// Renames declared in the DDL files that `catalog` was built from: a comment
// `-- dbarch:renamed-from OLD` (or sqldef's `-- @renamed from=OLD`) at the end of the line
// where an object's definition starts (a statement: CREATE SCHEMA / TABLE / VIEW / INDEX /
// SEQUENCE / TYPE / DOMAIN / COLLATION / FUNCTION / PROCEDURE / TRIGGER / POLICY; a clause: a
// column or constraint definition; an enum label on a line of its own), or alone on the line
// just before it. OLD may be schema-qualified (the object moves schema) and quoted; an enum
// label is written as a string literal or a bare word. Reads the files named by the objects'
// origins; objects read from a server have none. Errors: kIO when a file cannot be read;
// kInvalidArgument, with the annotation's span, when it is on no object's line or on a line
// where several objects start.
Result<std::vector<Rename>> ReadRenameAnnotations(const catalog::Catalog& catalog);

// Same as above, over the text of one file already in memory (`file` is the origin name the
// objects carry). The checked form returns the errors; the other leaves such annotations out.
Result<std::vector<Rename>> CheckedRenameAnnotationsInText(const catalog::Catalog& catalog,
                                                           const std::string& file,
                                                           const std::string& text);
std::vector<Rename> RenameAnnotationsInText(const catalog::Catalog& catalog,
                                            const std::string& file, const std::string& text);

}  // namespace dbarch::diff
