// The proof of `dbarch secure --verify`: on a disposable server that holds the schema, fill
// every table with a little generated data, apply the generated SQL (twice, to prove it is
// idempotent), give each login role a random password, then log in as every login role over
// TCP (SCRAM) and try every operation of the access matrix: SELECT / INSERT / UPDATE /
// DELETE on every table and view of the spec's schemas and on the masked views, reading each
// personal-data column, reading the masked view's value, reading a row of the session's own
// tenant and of another tenant, reading with no tenant set, writing a row into another
// tenant, creating a table in each schema, and reading a table the owner's login created
// after the SQL ran (default privileges). Write attempts run inside a transaction that
// is rolled back. Each cell holds the outcome the spec implies (computed from the spec, not
// from the generated SQL) and the outcome the server gave; any difference is a mismatch.
// With the server's pg_hba.conf, the generated lines replace it (plus one line for the
// verifier's own Unix-socket session) and the server reloads, so every login of the matrix
// goes through them: login cells prove who may connect, over SSL with SCRAM, and who is
// rejected. With the server's log and pgaudit loaded, statements of each login prove the
// audit configuration: what the spec audits leaves AUDIT lines, the rest none.
// Finally `dbarch audit`'s rules run on the result; findings of severity error are listed.
//
// Never use it on a server whose data matters: it writes (data, roles, passwords).
// Thread-compatible: one call uses its connections exclusively.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/model.h"
#include "security/access_spec.h"
#include "security/secure_sql.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::security {

struct AccessCell {
  std::string role;      // the spec's role key: "app"
  std::string login;     // the login role the attempt ran as
  std::string object;    // "shop.orders", "shop.users.email", "schema shop"
  std::string check;     // select | insert | update | delete | read column | read masked |
                         // own tenant | other tenant | no tenant set | insert other tenant |
                         // update other tenant | create | select future table |
                         // login | login without ssl
  std::string expected;  // allowed | denied | visible | hidden | masked | clear | rejected
  std::string observed;  // as expected, or "error"
  std::string detail;    // the server's message when the outcome is not the expected one
  bool ok() const { return expected == observed; }
};

// One statement run to prove the pgaudit configuration: which AUDIT lines the spec says it
// leaves in the server log, and which it left.
struct AuditProof {
  std::string role;             // the spec's role key
  std::string login;            // the login it ran as
  std::string statement;        // "select shop.payments", "create table in shop", ...
  std::string log_class;        // pgaudit's class of the statement: read | write | ddl | role
  bool expect_session = false;  // an "AUDIT: SESSION" line (pgaudit.log of the session)
  bool expect_object = false;   // an "AUDIT: OBJECT" line (the table is in audit.tables)
  bool session = false;         // observed in the log
  bool object = false;
  std::string detail;  // the server's error when the statement itself failed
  bool ok() const { return detail.empty() && session == expect_session && object == expect_object; }
};

struct VerifyOptions {
  // libpq conninfo of the server over TCP (host, port, dbname); sslmode, user and password
  // of each login role are appended. When hba_file is set it must also name a user and
  // password the generated pg_hba.conf rejects over TCP without SSL (the sandbox's postgres):
  // the verifier waits until that login is refused to know the server reloaded the file.
  std::string tcp_conninfo;
  // The server's pg_hba.conf, or "" to skip the login checks. It is replaced by
  // `local all <admin user> trust` (the verifier's own session, on the Unix socket) and the
  // generated lines with each address range replaced by 127.0.0.1/32 (the only address a
  // client on this machine has) and the spec's database by the verified one; then the server
  // reloads it. Requires ssl = on: the lines are hostssl.
  std::string hba_file;
  // The server's log file (its stderr), or "" to skip the audit-log proof. Requires pgaudit
  // in shared_preload_libraries and the settings of VerifiableSettings(); the verifier runs
  // CREATE EXTENSION pgaudit.
  std::string server_log;
  int64_t rows_per_table = 20;  // generated rows per table
  uint64_t seed = 42;           // of the data generator
};

struct VerifyResult {
  std::vector<AccessCell> cells;  // by role (spec order), object, check
  int mismatches = 0;
  bool hba_checked = false;             // the pg_hba.conf lines were installed and reloaded
  std::vector<std::string> hba_errors;  // "line N: error" of the generated lines
  std::vector<std::string> hba_lines;   // the pg_hba.conf the logins went through
  bool audit_log_checked = false;       // pgaudit loaded, the proof below ran
  std::vector<AuditProof> audit_proof;  // by role (spec order), login
  int audit_proof_mismatches = 0;
  // The roles, ACLs, policies and views the SQL sets were the same after its second run as
  // after its first.
  bool idempotent = false;
  std::vector<std::string> notes;         // cells that could not be built (no data, no key)
  std::vector<std::string> audit_errors;  // "rule object: message" of error-severity findings
  int audit_findings = 0;                 // all findings, any severity
  std::vector<std::string> audit_others;  // "severity rule object" of the other findings
  int64_t rows_loaded = 0;
  int64_t load_ms = 0;    // generating and loading the data
  int64_t apply_ms = 0;   // applying the SQL twice
  int64_t matrix_ms = 0;  // logging in and running every cell
};

// `value` quoted for a libpq keyword/value conninfo ('...' with \\ and \' escaped).
std::string ConninfoValue(std::string_view value);

// Requires: `admin` is a superuser session (read-write) on a database whose tables are those
// of `catalog` and empty; `artifacts` were generated from `spec` and `catalog`. Failures:
// kInvalidArgument when data cannot be generated or the SQL does not apply (the server's
// message), kConnection when a login role cannot log in. Mismatches are not failures: they
// are in the result.
Result<VerifyResult> VerifyAccess(pg::Connection& admin, const AccessSpec& spec,
                                  const catalog::Catalog& catalog, const SecureArtifacts& artifacts,
                                  const VerifyOptions& options);

}  // namespace dbarch::security
