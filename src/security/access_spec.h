// AccessSpec: the access-control design `dbarch secure` turns into SQL and configuration,
// read from a short YAML file and resolved against the schema model: the roles (each a
// NOLOGIN group role plus its login roles) and what each may read or write per table or
// column, row-level tenant isolation (which tables, and how each row finds its tenant: its
// own tenant column, the tenant table's key, or a chain of NOT NULL foreign keys), personal
// data columns with their masks, audit logging and the hosts each login role connects from.
// Used by the generator (secure_sql.h) and the verifier (access_verify.h).
//
// Every name in the file is checked against the catalog; a mistake is kInvalidArgument with
// the file:line:col of the offending YAML node and a "did you mean" where one is close.
//
// Plain values; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source_span.h"
#include "base/status.h"
#include "catalog/model.h"

namespace dbarch::security {

// How a personal-data column appears to roles that may not see it in clear.
enum class MaskMethod {
  kEmail,    // first character and domain: "j***@example.com"
  kPartial,  // first character, then "***"
  kRedact,   // the constant "***"
  kHash,     // hex SHA-256 of the value: stable pseudonym, joins still work
  kYear,     // dates and timestamps truncated to 1 January of their year
  kNull,     // NULL
};
std::string_view MaskMethodName(MaskMethod m);

// Privileges of one role on one table or view.
struct TableAccess {
  catalog::QualifiedName table;
  bool select = false;
  // Columns readable when only some are ("shop.users(id, country_code)"); empty with
  // `select` means the whole table.
  std::vector<std::string> select_columns;
  bool insert = false;
  bool update = false;
  bool remove = false;  // DELETE
};

enum class TenantAccess {
  kIsolated,  // sees and writes the rows of the tenant its session names only
  kAll,       // every tenant's rows (analytics, migrations)
};

struct AccessRole {
  std::string key;                  // the spec's name: "app"
  std::string group;                // NOLOGIN group role: "<prefix>_<key>"
  std::vector<std::string> logins;  // LOGIN roles, members of `group`
  std::vector<std::string> hosts;   // CIDR ranges the login roles connect from
  bool owner = false;               // owns the schemas and tables; runs migrations
  TenantAccess tenant = TenantAccess::kIsolated;
  bool personal_clear = false;  // sees personal data in clear (else masked)
  int connection_limit = -1;    // -1: no limit
  // Resolved privileges, by table (read and write entries merged).
  std::map<catalog::QualifiedName, TableAccess> tables;
  // Schemas given whole ("shop.*"): future tables follow through default privileges.
  std::vector<std::string> read_schemas;
  std::vector<std::string> write_schemas;
  std::vector<std::string> execute_schemas;  // EXECUTE on every function of the schema
  SourceSpan where;                          // the role's key in the file
};

// One foreign-key step from a table to the table it references.
struct ForeignKeyHop {
  std::vector<std::string> columns;  // in the referencing table
  catalog::QualifiedName parent;
  std::vector<std::string> parent_columns;
};

enum class TenantPath {
  kRoot,        // the tenant table itself: its key is the tenant id
  kColumn,      // the table has a column holding the tenant id
  kForeignKey,  // the tenant is found through `hops`
};

struct TenantTable {
  catalog::QualifiedName table;
  TenantPath kind = TenantPath::kColumn;
  // The column compared with the tenant id: on this table (kRoot, kColumn) or on the last
  // hop's parent (kForeignKey).
  std::string column;
  std::vector<ForeignKeyHop> hops;  // kForeignKey only, from this table outwards
};

struct TenantSpec {
  std::string column;                          // the tenant column's name: "user_id"
  catalog::QualifiedName root;                 // the tenant table: "shop.users"
  std::string root_key;                        // its single-column primary key: "id"
  std::string key_type;                        // the key's type, for the cast: "bigint"
  std::string setting = "app.tenant_id";       // the session setting the application sets
  std::vector<catalog::QualifiedName> shared;  // reached by a foreign key, yet shared
  std::vector<TenantTable> tables;             // every isolated table, by name
  const TenantTable* Find(const catalog::QualifiedName& table) const;
};

struct PersonalColumn {
  catalog::QualifiedName table;
  std::string column;
  MaskMethod mask = MaskMethod::kRedact;
};

struct AuditSpec {
  std::vector<std::string> log = {"ddl", "role"};  // pgaudit.log classes for every session
  std::vector<catalog::QualifiedName> tables;      // object audit: every access logged
  std::vector<std::string> roles;  // role keys with session audit of reads and writes
};

struct AccessSpec {
  std::string path;
  std::string database;          // for pg_hba.conf lines
  std::string prefix;            // of group role names
  std::string listen_addresses;  // "" = leave listen_addresses to the operator
  std::optional<TenantSpec> tenant;
  std::vector<PersonalColumn> personal;  // by table, then column
  AuditSpec audit;
  std::vector<AccessRole> roles;  // in file order

  // The role that owns the schema (exactly one after parsing).
  const AccessRole& owner() const;
  const AccessRole* FindRole(std::string_view key) const;
  // Personal columns of `table`, in column order of `personal`.
  std::vector<const PersonalColumn*> PersonalColumnsOf(const catalog::QualifiedName& table) const;
  // Schemas any role reads, writes or executes in, or that hold an isolated table, sorted.
  std::vector<std::string> Schemas() const;
  // The schema that holds the masked views of `schema`'s tables: "<schema>_masked".
  static std::string MaskedSchema(const std::string& schema) { return schema + "_masked"; }
  // The name of the object-audit role of pgaudit: "<prefix>_auditor".
  std::string AuditorRole() const { return prefix + "_auditor"; }
};

// Parses and resolves `text` (the YAML of `path`, used in positions) against `catalog`.
// Errors: kInvalidArgument with the node's position for malformed YAML, unknown keys, tables,
// columns, schemas, roles and mask methods, address ranges wider than /16 (IPv4) or /48
// (IPv6), a missing or second owner role, an isolated role that cannot read a table its
// tenant check reads, and masked personal data for a tenant-isolated role (the masked views
// run as their owner, who sees every tenant).
Result<AccessSpec> ParseAccessSpec(const std::string& path, const std::string& text,
                                   const catalog::Catalog& catalog);
// Reads `path` and parses it; kIO naming the path when it cannot be read.
Result<AccessSpec> LoadAccessSpec(const std::string& path, const catalog::Catalog& catalog);

// SQL for the tenant id a row of `t` belongs to, for a row referenced as `row_ref` (the
// table's name inside a policy, an alias elsewhere): "row.user_id", or a scalar subquery
// along the foreign keys.
std::string TenantOfRowSql(const TenantTable& t, const std::string& row_ref);
// The policy condition: the row's tenant equals the session's setting (NULL, so no row, when
// the session has not set it).
std::string TenantPredicateSql(const TenantSpec& spec, const TenantTable& t);

}  // namespace dbarch::security
