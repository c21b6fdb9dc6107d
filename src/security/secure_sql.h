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

// Every postgresql.conf setting of the generated snippet, in its order: listen_addresses (when
// the spec names them), SSL, password_encryption, logging, and pgaudit (preloaded, with the
// spec's session classes and, for object audit, pgaudit.role).
std::vector<std::pair<std::string, std::string>> ServerSettings(const AccessSpec& spec);

// The settings of ServerSettings() that a sandbox starts with for --verify: all but
// listen_addresses (a sandbox listens on loopback) and ssl (the sandbox turns it on with its
// own throwaway certificate, SandboxOptions::ssl). pgaudit is among them, so the sandbox
// needs it installed (Debian: postgresql-15-pgaudit).
std::vector<std::pair<std::string, std::string>> VerifiableSettings(const AccessSpec& spec);

// The pgaudit.log classes of a session: the spec's audit.log, and for the logins of
// audit.roles ("audited_role") read and write first. The role-level setting replaces the
// server's, so it repeats the spec's classes.
std::vector<std::string> SessionAuditClasses(const AccessSpec& spec, bool audited_role);

// `name` as a pg_hba.conf database or user field: bare when it is lower-case letters, digits
// and underscores and not a keyword (all, sameuser, samerole, replication), else in quotes.
std::string HbaName(const std::string& name);

// The SQL expression that masks `column` (of type `type`) with `mask`; the column is
// referenced by its quoted name.
std::string MaskExpressionSql(MaskMethod mask, const std::string& column, const std::string& type);

}  // namespace dbarch::security
