// The generator of `dbarch secure`: an AccessSpec and the schema model it was resolved
// against -> the SQL that sets up roles, ownership, privileges, row-level security and
// masked views, the pg_hba.conf lines and the postgresql.conf settings that go with it.
//
// The SQL is one transaction, quotes every identifier, and is idempotent: roles are created
// only when missing and then altered to the wanted attributes, the privileges of the
// generated roles are revoked before they are granted (so a second run converges to the
// spec, not to the union of runs), policies are dropped if they exist and created again,
// views are CREATE OR REPLACE. It never sets a password (the operator does, with \password,
// so no secret lands in a file). See docs/secure.md for the design and the reasons.
//
// Pure function of its inputs; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "catalog/model.h"
#include "security/access_spec.h"

namespace dbarch::security {

struct SecureArtifacts {
  std::string sql;              // the DDL, one transaction
  std::string pg_hba;           // lines for pg_hba.conf (hostssl, scram-sha-256)
  std::string postgresql_conf;  // settings for postgresql.conf (ssl, logging, pgaudit)
};

// Requires: `spec` was parsed against `catalog` (ParseAccessSpec).
SecureArtifacts GenerateSecure(const AccessSpec& spec, const catalog::Catalog& catalog);

// The postgresql.conf settings of the generated snippet that a sandbox can run with (all but
// ssl, which needs certificates, listen_addresses, and pgaudit's, which needs the library):
// --verify starts its sandbox with them, so the server accepts them and the audit of the
// result sees them.
std::vector<std::pair<std::string, std::string>> VerifiableSettings();

// The SQL expression that masks `column` (of type `type`) with `mask`; the column is
// referenced by its quoted name.
std::string MaskExpressionSql(MaskMethod mask, const std::string& column, const std::string& type);

}  // namespace dbarch::security
