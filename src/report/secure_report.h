// Rendering of `dbarch secure` results: the design (roles, isolated tables and how each row
// finds its tenant, masked columns) and, after --verify, the access matrix with the expected
// and the observed outcome of every cell, as text (one grid per role plus the other checks)
// or JSON ({"design": ..., "artifacts": {sql, pg_hba, postgresql_conf}, "verify": {cells,
// mismatches, audit_errors, timings}}). Pure functions; thread-safe; deterministic output.
#pragma once

#include <string>

#include "security/access_spec.h"
#include "security/access_verify.h"
#include "security/secure_sql.h"

namespace dbarch::report {

// `verify` may be null (no --verify run).
std::string SecureToText(const security::AccessSpec& spec, const security::VerifyResult* verify);
std::string SecureToJson(const security::AccessSpec& spec,
                         const security::SecureArtifacts& artifacts,
                         const security::VerifyResult* verify);

}  // namespace dbarch::report
