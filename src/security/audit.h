// A security audit of a live PostgreSQL cluster and database (`dbarch audit`): roles and
// their attributes, passwords, privileges granted to PUBLIC, default privileges, SECURITY
// DEFINER functions, untrusted languages and risky extensions, row-level security, personal
// data in plain text, pg_hba.conf rules and security-relevant server settings. Each finding
// has a rule id, a severity, the object or setting, why it matters, the fix as SQL or
// configuration, and the CIS PostgreSQL benchmark recommendation it corresponds to.
//
// Read-only: catalog and settings views, pg_hba_file_rules, and (for personal data) a small
// TABLESAMPLE of text columns. Rules that need a privilege the session lacks (pg_authid,
// pg_hba_file_rules need a superuser or pg_read_all_settings) are reported as not run, with
// the reason, never as passed.
//
// Thread-safety: RunAudit uses its connection exclusively while it runs; the rule table is
// immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace dbarch::pg {
class Connection;
}

namespace dbarch::security {

// Ordered like lint's severities.
enum class Severity { kInfo = 0, kWarning = 1, kError = 2 };
std::string_view SeverityName(Severity s);  // "info", "warning", "error"
bool ParseSeverity(std::string_view text, Severity* out);

struct AuditRuleInfo {
  std::string_view id;        // kebab-case, stable: "security-definer-search-path"
  std::string_view area;      // "roles", "privileges", "functions", "rls", "data", "server"
  std::string_view summary;   // one line
  std::string_view why;       // why it matters
  std::string_view cis;       // the CIS PostgreSQL benchmark recommendation, "" if none
  Severity severity = Severity::kWarning;  // default severity of its findings
};

const std::vector<AuditRuleInfo>& AllAuditRules();
const AuditRuleInfo* FindAuditRule(std::string_view id);

struct AuditFinding {
  const AuditRuleInfo* rule = nullptr;
  Severity severity = Severity::kWarning;
  std::string object;   // "role app", "table public.orders", "setting ssl", "pg_hba.conf line 3"
  std::string message;  // what was found, specifically
  std::string fix;      // SQL or configuration that resolves it
};

// A rule that could not run, and why (missing privilege, server too old...).
struct AuditSkipped {
  const AuditRuleInfo* rule = nullptr;
  std::string reason;
};

struct AuditReport {
  std::string server;  // host:port/database, never a password
  std::string server_version;
  std::string database;
  std::string session_user;
  std::vector<AuditFinding> findings;  // by severity (worst first), then rule order, object
  std::vector<AuditSkipped> skipped;
  int rules_run = 0;
};

struct AuditOptions {
  // Rule ids to run; empty runs all. Unknown ids are kInvalidArgument.
  std::vector<std::string> only;
  // Column names that mark a multi-tenant table (row-level isolation expected).
  std::vector<std::string> tenant_columns = {"tenant_id", "org_id", "organization_id",
                                             "account_id", "workspace_id"};
  // Rows sampled per candidate text column when looking for personal data (0: names only).
  int sample_rows = 200;
  // Audit logging is required (pgaudit must be loaded): raises that rule to a warning.
  bool require_audit_logging = false;
  // Roles that need personal data in clear (login roles, or groups their members belong
  // to). Empty: personal-data-readable lists every login role that can read a personal
  // column, as information for a review; else only the others, as warnings.
  std::vector<std::string> personal_data_readers;
};

// Runs the selected rules. Failures: kInvalidArgument (unknown rule id), kConnection (the
// session broke). A rule the server refuses is recorded in `skipped` and the others run.
Result<AuditReport> RunAudit(pg::Connection& conn, const AuditOptions& options);

// Whether `digits` (spaces and dashes ignored) passes the Luhn checksum of card numbers.
bool LuhnValid(std::string_view digits);

}  // namespace dbarch::security
