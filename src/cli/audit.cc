// `dbarch audit`: a read-only security audit of a live server, as text, JSON, SARIF or
// Markdown, with lint's exit codes.
#include <string>
#include <vector>

#include "base/strings.h"
#include "cli/console.h"
#include "cli/subcommand.h"
#include "pg/connection.h"
#include "report/audit_report.h"
#include "security/audit.h"

#ifndef DBARCH_VERSION
#define DBARCH_VERSION "unknown"
#endif

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch audit --help";

class AuditCommand : public Subcommand {
 public:
  std::string name() const override { return "audit"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "audit", "Security audit of a live server (read-only): roles, privileges, functions, "
                 "row-level security, personal data, pg_hba.conf and settings");
    cmd->footer(
        "Connect as a superuser (or a role with pg_read_all_settings and pg_read_all_data) to\n"
        "run every rule; rules the session may not run are listed as not run, never passed.\n"
        "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage, 4 connection.");
    cmd->add_option("--dsn", dsn_, "libpq conninfo or postgres:// URI of the server")
        ->type_name("CONNINFO");
    cmd->add_option("--format", format_, "text (default), json, sarif or markdown")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}));
    cmd->add_option("--rule", only_, "run only this rule (repeatable)")->type_name("RULE-ID");
    cmd->add_option("--fail-on", fail_on_, "error, warning (default), info or none")
        ->check(CLI::IsMember({"error", "warning", "info", "none"}));
    cmd->add_option("--tenant-column", tenant_columns_,
                    "a column that marks a multi-tenant table (repeatable; default: tenant_id, "
                    "org_id, organization_id, account_id, workspace_id)")
        ->type_name("NAME");
    cmd->add_option("--sample-rows", sample_rows_,
                    "values sampled per text column when looking for personal data (0: by "
                    "column name only; default 200)");
    cmd->add_option("--personal-data-readers", personal_readers_,
                    "roles that need personal data in clear (repeatable or comma-separated); "
                    "other login roles that can read it are warnings")
        ->type_name("ROLE")
        ->delimiter(',');
    cmd->add_flag("--require-audit-logging", require_audit_,
                  "audit logging is required: a missing pgaudit is a warning");
    cmd->add_flag("--list-rules", list_rules_, "print every rule and exit");
    cmd->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    if (list_rules_) {
      Status st = WriteResult(report::AuditRulesToText(), output_);
      return st.ok() ? ExitCode::kOk : ReportError(st);
    }
    if (dsn_.empty()) return ReportUsageError("audit needs --dsn CONNINFO", kHelp);
    security::AuditOptions options;
    options.only = only_;
    for (const std::string& id : only_) {
      if (security::FindAuditRule(id) == nullptr) {
        std::vector<std::string> ids;
        for (const auto& r : security::AllAuditRules()) ids.emplace_back(r.id);
        std::string message = "unknown audit rule \"" + id + "\"";
        std::string close = ClosestMatch(id, ids);
        if (!close.empty()) message += ", did you mean \"" + close + "\"?";
        return ReportUsageError(message, "dbarch audit --list-rules");
      }
    }
    if (!tenant_columns_.empty()) options.tenant_columns = tenant_columns_;
    if (sample_rows_ < 0) return ReportUsageError("--sample-rows must be 0 or more", kHelp);
    options.sample_rows = sample_rows_;
    options.require_audit_logging = require_audit_;
    options.personal_data_readers = personal_readers_;

    Progress("connecting to " + pg::RedactConninfo(dsn_));
    pg::ConnectOptions connect;
    connect.conninfo = dsn_;
    connect.read_only = true;
    connect.statement_timeout_ms = 15000;
    connect.lock_timeout_ms = 1000;
    connect.application_name = "dbarch audit";
    auto conn = pg::Connection::Open(connect);
    if (!conn.ok()) return ReportError(conn.status());
    Progress("auditing " + conn->DisplayName());
    auto report = security::RunAudit(*conn, options);
    if (!report.ok()) return ReportError(report.status());

    std::string text;
    if (format_ == "json") text = report::AuditToJson(*report);
    else if (format_ == "sarif") text = report::AuditToSarif(*report, DBARCH_VERSION);
    else if (format_ == "markdown") text = report::AuditToMarkdown(*report);
    else text = report::AuditToText(*report);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    if (fail_on_ == "none") return ExitCode::kOk;
    security::Severity bar = security::Severity::kWarning;
    security::ParseSeverity(fail_on_, &bar);
    for (const security::AuditFinding& f : report->findings) {
      if (f.severity >= bar) return ExitCode::kFindings;
    }
    return ExitCode::kOk;
  }

 private:
  std::string dsn_;
  std::string format_ = "text";
  std::vector<std::string> only_;
  std::string fail_on_ = "warning";
  std::vector<std::string> tenant_columns_;
  std::vector<std::string> personal_readers_;
  int sample_rows_ = 200;
  bool require_audit_ = false;
  bool list_rules_ = false;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeAuditCommand() { return std::make_unique<AuditCommand>(); }

}  // namespace dbarch::cli
