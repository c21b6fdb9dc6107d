// `dbarch lint`: schema, query, migration and security findings for SQL files, in the
// context of a schema (--schema DDL or --dsn live server), as text, JSON or SARIF.
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/subcommand.h"
#include "lint/config.h"
#include "lint/linter.h"
#include "lint/rule.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/lint_report.h"

namespace dbarch::cli {


namespace {

constexpr const char* kHelp = "dbarch lint --help";
#ifndef DBARCH_VERSION
#define DBARCH_VERSION "unknown"
#endif
constexpr const char* kVersion = DBARCH_VERSION;

class LintCommand : public Subcommand {
 public:
  std::string name() const override { return "lint"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "lint", "Find design, query, migration and security problems in SQL files");
    cmd->footer(
        "Files may mix DDL, migrations and queries; a directory is linted file by file in path\n"
        "order, each statement against the schema as it stands just before it.\n"
        "Suppress a finding with `-- dbarch:ignore RULE-ID [reason]` on its line or alone on the\n"
        "line before the statement. Configuration: dbarch.yaml (found upward from the current\n"
        "directory) or --config.\n"
        "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, 3 bad input\n"
        "(unparseable SQL, bad config; the rest is still linted), 4 connection/I/O, 70 internal.");
    cmd->add_option("paths", paths_, "SQL files or directories to lint")->type_name("FILE|DIR");
    cmd->add_option("--schema", schema_paths_, "DDL giving the starting schema (repeatable)")
        ->type_name("FILE_OR_DIR")
        ->expected(1, -1);
    cmd->add_option("--dsn", dsn_, "read the starting schema from a live server (read-only)")
        ->type_name("CONNINFO");
    cmd->add_option("--config", config_path_, "configuration file (default: dbarch.yaml upward)")
        ->type_name("FILE");
    cmd->add_option("--format", format_, "text (default), json, sarif; with --list-rules also markdown")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}));
    cmd->add_option("--fail-on", fail_on_, "lowest severity that makes the exit code 1 (default: warning)")
        ->type_name("LEVEL")
        ->check(CLI::IsMember({"error", "warning", "info", "none"}));
    cmd->add_option("--rule", only_, "run only this rule (repeatable)")->type_name("RULE-ID");
    cmd->add_flag("--list-rules", list_rules_, "print every rule with its documentation and exit");
    cmd->add_option("--output,-o", output_, "write to FILE instead of standard output")->type_name("FILE");
  }

  ExitCode Run() override {
    if (list_rules_) return ListRules();
    if (paths_.empty()) return ReportUsageError("lint needs at least one FILE or DIR", kHelp);
    if (format_ == "markdown") return ReportUsageError("--format markdown is only for --list-rules", kHelp);

    lint::Config config;
    std::string config_path = config_path_;
    if (config_path.empty()) {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd) != nullptr) {
        if (auto found = lint::FindConfigUpward(cwd)) config_path = *found;
      }
    }
    if (!config_path.empty()) {
      auto loaded = lint::LoadConfig(config_path);
      if (!loaded.ok()) return ReportError(loaded.status());
      config = std::move(loaded).value();
    }
    for (const std::string& id : only_) {
      if (lint::FindRule(id) == nullptr) {
        std::vector<std::string> ids;
        for (const auto& r : lint::AllRules()) ids.emplace_back(r->doc().id);
        std::string message = "unknown rule \"" + id + "\"";
        std::string close = ClosestMatch(id, ids);
        if (!close.empty()) message += ", did you mean \"" + close + "\"?";
        return ReportUsageError(message, "dbarch lint --list-rules");
      }
      config.only.insert(id);
    }

    std::optional<catalog::Catalog> live;
    if (!dsn_.empty()) {
      Progress("reading the schema of " + pg::RedactConninfo(dsn_));
      pg::ConnectOptions options;
      options.conninfo = dsn_;
      options.read_only = true;
      auto conn = pg::Connection::Open(options);
      if (!conn.ok()) return ReportError(conn.status());
      auto cat = pg::IntrospectCatalog(*conn, pg::IntrospectOptions{});
      if (!cat.ok()) return ReportError(cat.status());
      live = std::move(cat).value();
    }

    lint::LintOptions options;
    options.paths = paths_;
    options.schema_paths = schema_paths_;
    options.schema = live ? &*live : nullptr;
    options.config = config;
    options.on_note = ReportNote;
    Progress("linting " + std::to_string(paths_.size()) + " path(s)");
    auto report = lint::Lint(options);
    if (!report.ok()) return ReportError(report.status());

    std::string text = format_ == "json"    ? report::LintToJson(*report)
                       : format_ == "sarif" ? report::LintToSarif(*report, kVersion)
                                            : report::LintToText(*report);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);

    if (!report->errors.empty()) return ExitCode::kBadInput;
    if (fail_on_ == "none") return ExitCode::kOk;
    lint::Severity threshold = lint::Severity::kWarning;
    lint::ParseSeverity(fail_on_, &threshold);
    for (const lint::Finding& f : report->findings) {
      if (f.severity >= threshold) return ExitCode::kFindings;
    }
    return ExitCode::kOk;
  }

 private:
  ExitCode ListRules() {
    std::string text;
    if (format_ == "markdown") {
      text = report::RulesToMarkdown();
    } else if (format_ == "json") {
      text = report::RulesToJson();
    } else {
      text = report::RulesToText();
    }
    Status written = WriteResult(text, output_);
    return written.ok() ? ExitCode::kOk : ReportError(written);
  }

  std::vector<std::string> paths_;
  std::vector<std::string> schema_paths_;
  std::string dsn_;
  std::string config_path_;
  std::string format_ = "text";
  std::string fail_on_ = "warning";
  std::vector<std::string> only_;
  bool list_rules_ = false;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeLintCommand() { return std::make_unique<LintCommand>(); }

}  // namespace dbarch::cli
