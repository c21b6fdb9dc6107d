// `dbarch migrate`: the versioned migration runner. status | plan | validate read the
// history table and the folder and touch nothing; up | down | baseline | repair change the
// database under the runner's advisory lock. `up` is gated by the linter's migration rules.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "diff/new_migration.h"
#include "lint/config.h"
#include "lint/linter.h"
#include "migrate/migration_files.h"
#include "migrate/runner.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/lint_report.h"
#include "report/migrate_report.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch migrate --help";

class MigrateCommand : public Subcommand {
 public:
  std::string name() const override { return "migrate"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "migrate", "Apply versioned migrations once and only once (Flyway-style history)");
    cmd->footer(
        "Actions: status, plan, validate (read only); up, down, baseline, repair (write);\n"
        "new NAME --to SCHEMA --dir DIR [--dsn CONNINFO]: write the next up/down pair from a\n"
        "diff of the database (or, without --dsn, of the folder's replayed state) against\n"
        "SCHEMA (file, directory or postgres:// URI); --online writes the zero-downtime plan\n"
        "as consecutive versioned files, one per phase.\n"
        "Files: V<version>__<desc>.sql, U<version>__<desc>.sql (undo), R__<desc>.sql\n"
        "(repeatable), or <version>_<desc>.up.sql / .down.sql pairs. See docs/migrate.md.\n"
        "Exit codes: 0 ok; 1 status: migrations pending, up: lint findings at or above\n"
        "--fail-on (nothing applied); 2 usage; 3 bad input (SQL error, edited or missing\n"
        "applied file, version older than the latest applied); 4 connection/I/O; 70 internal.");
    cmd->add_option("action", action_, "status | plan | validate | up | down | baseline | repair")
        ->required()
        ->check(CLI::IsMember(
            {"status", "plan", "validate", "up", "down", "baseline", "repair", "new"}));
    cmd->add_option("name", new_name_, "with `new`: the migration's description");
    cmd->add_option("--dsn", dsn_, "the database to migrate (libpq conninfo or URI)")
        ->type_name("CONNINFO");
    cmd->add_option("--dir", dir_, "the migration folder")->type_name("DIR");
    cmd->add_option("--table", table_,
                    "history table, [schema.]name (default: dbarch_schema_history)")
        ->type_name("NAME");
    cmd->add_option("--to", to_,
                    "up/plan: last version to apply; down: undo every version above it; new: "
                    "the desired schema (file, directory or postgres:// URI)")
        ->type_name("VERSION|SCHEMA");
    cmd->add_option("--steps", steps_, "down: how many applied versions to undo (default: 1)")
        ->type_name("N");
    cmd->add_flag("--down", plan_down_, "plan: show what `down` would run instead of `up`");
    cmd->add_option("--version", baseline_version_, "baseline: the version the database is at")
        ->type_name("VERSION");
    cmd->add_option("--description", baseline_description_, "baseline: its description")
        ->type_name("TEXT");
    cmd->add_flag("--out-of-order", out_of_order_,
                  "apply pending versions older than the latest applied one");
    cmd->add_flag("--no-lint", no_lint_, "up: skip the linter's migration rules");
    cmd->add_option("--fail-on", fail_on_,
                    "up: lowest lint severity that stops the run (default: error)")
        ->type_name("LEVEL")
        ->check(CLI::IsMember({"error", "warning", "info", "none"}));
    cmd->add_option("--config", config_path_, "lint configuration (default: dbarch.yaml upward)")
        ->type_name("FILE");
    cmd->add_option("--lock-timeout", lock_timeout_,
                    "lock_timeout of every migration statement (default: 10s; 0 = none)")
        ->type_name("DURATION");
    cmd->add_option("--statement-timeout", statement_timeout_,
                    "statement_timeout of every migration statement (default: 60m; 0 = none)")
        ->type_name("DURATION");
    cmd->add_option("--format", format_, "status/plan/validate: text (default) or json")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--to-schema", new_schema_, "new: the desired schema (same as --to)")
        ->type_name("SCHEMA");
    cmd->add_flag("--allow-destructive", allow_destructive_,
                  "new: write destructive steps (drop table/column...) instead of refusing");
    cmd->add_option("--var", vars_,
                    "up/down/plan/validate: set a psql variable as psql -v does (repeatable); "
                    "prefer --var-file or DBARCH_VAR_NAME for secrets")
        ->type_name("NAME=VALUE");
    cmd->add_option("--var-file", var_files_,
                    "read psql variables from NAME=VALUE lines (# comments; repeatable)")
        ->type_name("FILE");
    cmd->add_flag("--online", online_,
                  "new: write the zero-downtime plan (diff --online) as consecutive versioned "
                  "files, one per phase (and per run of non-transactional steps)");
  }

  ExitCode Run() override {
    if (action_ == "new") {
      if (!vars_.empty() || !var_files_.empty()) {
        return ReportUsageError("--var and --var-file are for up, down, plan and validate", kHelp);
      }
      return RunNew();
    }
    if (allow_destructive_) return ReportUsageError("--allow-destructive is for new", kHelp);
    if (online_) return ReportUsageError("--online is for new", kHelp);
    if (dsn_.empty()) return ReportUsageError("migrate " + action_ + " needs --dsn", kHelp);
    if (dir_.empty() && action_ != "baseline") {
      return ReportUsageError("migrate " + action_ + " needs --dir", kHelp);
    }
    if (format_ == "json" && action_ != "status" && action_ != "plan" && action_ != "validate") {
      return ReportUsageError("--format json is for status, plan and validate", kHelp);
    }
    if (action_ == "baseline" && baseline_version_.empty()) {
      return ReportUsageError("migrate baseline needs --version", kHelp);
    }
    if (plan_down_ && action_ != "plan") return ReportUsageError("--down is for plan", kHelp);
    if (steps_ && action_ != "down" && !plan_down_) {
      return ReportUsageError("--steps is for down and plan --down", kHelp);
    }
    if (steps_ && *steps_ < 1) return ReportUsageError("--steps must be at least 1", kHelp);
    if (steps_ && !to_.empty()) return ReportUsageError("give --to or --steps, not both", kHelp);
    std::optional<int> lock_ms = Timeout(lock_timeout_);
    std::optional<int> statement_ms = Timeout(statement_timeout_);
    if (!lock_ms || !statement_ms) {
      return ReportUsageError("timeouts are durations such as 10s, 500ms or 5m, or 0 for none",
                              kHelp);
    }
    std::optional<migrate::Version> to;
    if (!to_.empty()) {
      Result<migrate::Version> v = migrate::Version::Parse(to_);
      if (!v.ok()) return ReportUsageError("--to: " + v.status().message(), kHelp);
      to = *v;
    }

    std::optional<ExitCode> bad_vars = ReadVariables();
    if (bad_vars) return *bad_vars;

    migrate::MigrationDir dir;
    if (!dir_.empty()) {
      Result<migrate::MigrationDir> loaded = migrate::LoadMigrationDir(dir_);
      if (!loaded.ok()) return ReportError(loaded.status());
      dir = std::move(loaded).value();
    }

    pg::ConnectOptions options;
    options.conninfo = dsn_;
    options.read_only = false;
    options.statement_timeout_ms = *statement_ms;
    options.lock_timeout_ms = *lock_ms;
    options.application_name = "dbarch migrate";
    Result<pg::Connection> conn = pg::Connection::Open(options);
    if (!conn.ok()) return ReportError(conn.status());
    Progress("connected to " + conn->DisplayName());

    migrate::RunnerOptions runner_options;
    runner_options.history_table = table_;
    runner_options.out_of_order = out_of_order_;
    runner_options.statement_timeout_ms = *statement_ms;
    runner_options.lock_timeout_ms = *lock_ms;
    runner_options.on_progress = Progress;
    runner_options.variables = variables_;
    Result<migrate::Runner> runner = migrate::Runner::Create(*conn, dir, runner_options);
    if (!runner.ok()) return ReportUsageError(runner.status().message(), kHelp);

    if (action_ == "status" || action_ == "validate" || action_ == "plan") {
      return ReadOnly(*runner, to);
    }
    Status locked = runner->Lock();
    if (!locked.ok()) return ReportError(locked);
    ExitCode code = Write(*conn, *runner, dir, to);
    (void)runner->Unlock();
    return code;
  }

 private:
  // `migrate new`: diff/new_migration.h does the work; this checks flags and prints.
  ExitCode RunNew() {
    std::string target = !new_schema_.empty() ? new_schema_ : to_;
    if (new_name_.empty()) return ReportUsageError("migrate new needs a NAME", kHelp);
    if (target.empty()) {
      return ReportUsageError(
          "migrate new needs --to SCHEMA (a file, a directory or a "
          "postgres:// URI)",
          kHelp);
    }
    if (dir_.empty()) return ReportUsageError("migrate new needs --dir", kHelp);
    diff::NewMigrationRequest request;
    request.dir = dir_;
    request.name = new_name_;
    request.target = target;
    request.dsn = dsn_;
    if (!table_.empty()) request.history_table = table_;
    request.allow_destructive = allow_destructive_;
    request.online = online_;
    request.on_note = ReportNote;
    Result<diff::NewMigrationResult> r = diff::NewMigration(request);
    if (!r.ok()) return ReportError(r.status());
    for (const std::string& w : r->up.warnings) Warn(w);
    for (const diff::Change& c : r->up.changes) {
      if (c.destructive) {
        Warn("destructive change: " + std::string(diff::ActionName(c.action)) + " " +
             catalog::ObjectKindName(c.kind) + " " + c.object + " loses " + c.data_loss);
      }
    }
    if (!r->written) {
      Warn("the schema already matches " + target + ": nothing written");
      return ExitCode::kOk;
    }
    for (const std::string& w : r->online_warnings) Warn("online: " + w);
    for (const diff::WrittenMigration& f : r->files) {
      std::cout << "wrote " << f.up_path << "\nwrote " << f.down_path << "\n";
    }
    return ExitCode::kOk;
  }

  // The psql variables of the run, from the environment (DBARCH_VAR_<NAME>), then the
  // --var-file files in order, then --var (a later one wins). Values are never printed.
  // An exit code when one is malformed.
  std::optional<ExitCode> ReadVariables() {
    auto valid_name = [](std::string_view n) {
      if (n.empty()) return false;
      for (char c : n) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
          return false;
        }
      }
      return true;
    };
    constexpr std::string_view kPrefix = "DBARCH_VAR_";
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      if (entry.substr(0, kPrefix.size()) != kPrefix) continue;
      size_t eq = entry.find('=');
      std::string name(entry.substr(kPrefix.size(), eq - kPrefix.size()));
      if (eq == std::string_view::npos || !valid_name(name)) continue;
      variables_[name] = std::string(entry.substr(eq + 1));
    }
    for (const std::string& path : var_files_) {
      Result<SourceFile> file = catalog::ReadSourceFile(path);
      if (!file.ok()) return ReportError(file.status());
      std::string_view text = file->text();
      size_t line_begin = 0;
      while (line_begin < text.size()) {
        size_t eol = text.find('\n', line_begin);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(line_begin, eol - line_begin);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view trimmed = Trim(line);
        if (!trimmed.empty() && trimmed.front() != '#') {
          size_t eq = line.find('=');
          std::string name(eq == std::string_view::npos ? std::string_view()
                                                        : Trim(line.substr(0, eq)));
          if (!valid_name(name)) {
            // The line may hold a secret: only its position is shown, never its text.
            size_t line_no =
                1 + static_cast<size_t>(std::count(text.begin(), text.begin() + line_begin, '\n'));
            return ReportError(Status::InvalidArgument(
                path + ":" + std::to_string(line_no) +
                ": not a NAME=VALUE line with a psql variable name (letters, digits, _)"));
          }
          variables_[name] = std::string(line.substr(eq + 1));
        }
        line_begin = eol + 1;
      }
    }
    for (const std::string& v : vars_) {
      size_t eq = v.find('=');
      if (eq == std::string::npos || !valid_name(std::string_view(v).substr(0, eq))) {
        return ReportUsageError(
            "--var takes NAME=VALUE with a psql variable name (letters, digits, _)", kHelp);
      }
      variables_[v.substr(0, eq)] = v.substr(eq + 1);
    }
    return std::nullopt;
  }

  static std::optional<int> Timeout(const std::string& text) {
    if (text == "0") return 0;
    return ParseTimeoutMs(text);
  }

  ExitCode ReadOnly(migrate::Runner& runner, const std::optional<migrate::Version>& to) {
    Result<migrate::Snapshot> snap = runner.Inspect();
    if (!snap.ok()) return ReportError(snap.status());
    bool json = format_ == "json";
    if (action_ == "status") {
      Status w = WriteResult(json ? report::MigrateStatusToJson(*snap, table_)
                                  : report::MigrateStatusToText(*snap, table_),
                             "");
      if (!w.ok()) return ReportError(w);
      if (!snap->problems.empty()) return ExitCode::kBadInput;
      for (const migrate::Entry& e : snap->entries) {
        if (e.state == "pending" || e.state == "outdated" || e.state == "interrupted") {
          return ExitCode::kFindings;
        }
      }
      return ExitCode::kOk;
    }
    if (action_ == "validate") {
      // Pending files that refer to a psql variable not given cannot run: a problem too.
      if (snap->problems.empty()) {
        Result<std::vector<migrate::Step>> pending = runner.PlanUp(*snap, to);
        if (pending.ok()) {
          for (const migrate::Step& s : *pending) {
            Result<migrate::PreparedScript> p = migrate::PrepareScript(*s.script, variables_);
            if (p.ok() || p.status().code() != StatusCode::kNotFound) continue;
            const Status error = p.status();
            std::string at = s.script->path;
            if (error.span()) {
              at = error.span()->file + ":" + std::to_string(error.span()->line) + ":" +
                   std::to_string(error.span()->column);
            }
            snap->problems.push_back(
                {"unset-variable", s.script->name, s.script->path, at + ": " + error.message()});
          }
        }
      }
      Status w = WriteResult(
          json ? report::MigrateValidateToJson(*snap) : report::MigrateValidateToText(*snap), "");
      if (!w.ok()) return ReportError(w);
      return snap->problems.empty() ? ExitCode::kOk : ExitCode::kBadInput;
    }
    Result<std::vector<migrate::Step>> steps =
        plan_down_ ? runner.PlanDown(*snap, to, steps_.value_or(1)) : runner.PlanUp(*snap, to);
    if (!steps.ok()) return ReportError(steps.status());
    Result<std::vector<report::MigratePlanItem>> items = Prepare(*steps);
    if (!items.ok()) return ReportError(items.status());
    Status w = WriteResult(
        json ? report::MigratePlanToJson(*items) : report::MigratePlanToText(*items), "");
    return w.ok() ? ExitCode::kOk : ReportError(w);
  }

  // Every step's file expanded, split and parsed, so a syntax error stops before anything
  // runs; psql-script notes are printed.
  Result<std::vector<report::MigratePlanItem>> Prepare(
      const std::vector<migrate::Step>& steps) const {
    std::vector<report::MigratePlanItem> out;
    for (const migrate::Step& s : steps) {
      DBARCH_ASSIGN_OR_RETURN(migrate::PreparedScript p,
                              migrate::PrepareScript(*s.script, variables_));
      for (const sql::ScriptNote& note : p.notes) ReportNote(note);
      out.push_back({s, std::move(p)});
    }
    return out;
  }

  ExitCode Write(pg::Connection& conn, migrate::Runner& runner, const migrate::MigrationDir& dir,
                 const std::optional<migrate::Version>& to) {
    if (action_ == "baseline") {
      Result<migrate::Version> v = migrate::Version::Parse(baseline_version_);
      if (!v.ok()) return ReportUsageError("--version: " + v.status().message(), kHelp);
      std::string description =
          baseline_description_.empty() ? "<< dbarch baseline >>" : baseline_description_;
      Status st = runner.Baseline(*v, description);
      if (!st.ok()) return ReportError(st);
      Progress("baselined at version " + v->text());
      return ExitCode::kOk;
    }
    if (action_ == "repair") {
      Result<std::vector<std::string>> done = runner.Repair();
      if (!done.ok()) return ReportError(done.status());
      std::string text = done->empty() ? "nothing to repair\n" : Join(*done, "\n") + "\n";
      Status w = WriteResult(text, "");
      return w.ok() ? ExitCode::kOk : ReportError(w);
    }
    Result<migrate::Snapshot> snap = runner.Inspect();
    if (!snap.ok()) return ReportError(snap.status());
    Result<std::vector<migrate::Step>> steps = action_ == "down"
                                                   ? runner.PlanDown(*snap, to, steps_.value_or(1))
                                                   : runner.PlanUp(*snap, to);
    if (!steps.ok()) return ReportError(steps.status());
    Result<std::vector<report::MigratePlanItem>> items = Prepare(*steps);
    if (!items.ok()) return ReportError(items.status());
    if (steps->empty()) {
      Progress("nothing to run: the database is up to date");
      return ExitCode::kOk;
    }
    if (action_ == "up" && !no_lint_ && fail_on_ != "none") {
      std::optional<ExitCode> gated = LintGate(conn, *items);
      if (gated) return *gated;
    }
    Status applied = runner.Apply(*steps);
    if (!applied.ok()) return ReportError(applied);
    Progress(std::string(action_ == "down" ? "undid " : "applied ") +
             std::to_string(steps->size()) + " file(s)");
    return ExitCode::kOk;
  }

  // The migration rules over the files `up` would run, against the live schema. An exit
  // code when the run must stop, nullopt when it may go on.
  std::optional<ExitCode> LintGate(pg::Connection& conn,
                                   const std::vector<report::MigratePlanItem>& steps) {
    lint::Config config;
    std::string config_path = config_path_;
    if (config_path.empty()) {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd) != nullptr) {
        if (auto found = lint::FindConfigUpward(cwd)) config_path = *found;
      }
    }
    if (!config_path.empty()) {
      Result<lint::Config> loaded = lint::LoadConfig(config_path);
      if (!loaded.ok()) return ReportError(loaded.status());
      config = std::move(loaded).value();
    }
    // Only the migration family gates a run; the runner sets lock_timeout and
    // statement_timeout itself, so the rule asking files to set them does not apply.
    config.family_enabled[lint::Family::kDesign] = false;
    config.family_enabled[lint::Family::kQuery] = false;
    config.family_enabled[lint::Family::kSecurity] = false;
    config.rule_severity["require-timeout-settings"] = std::nullopt;
    Progress("linting " + std::to_string(steps.size()) + " file(s) against the live schema");
    Result<catalog::Catalog> schema = pg::IntrospectCatalog(conn, pg::IntrospectOptions{});
    if (!schema.ok()) return ReportError(schema.status());
    std::vector<std::shared_ptr<const SourceFile>> files;
    // A resumed file was gated when its run began; its live objects are half of it now
    // (an interrupted index build, say), which the rules would report as conflicts.
    for (const report::MigratePlanItem& item : steps) {
      if (item.step.resume_rank == 0) files.push_back(item.step.script->file);
    }
    if (files.empty()) return std::nullopt;
    lint::LintReport lint_report = lint::LintScripts(files, &*schema, config);
    lint::Severity threshold = lint::Severity::kError;
    lint::ParseSeverity(fail_on_, &threshold);
    size_t blocking = 0;
    for (const lint::Finding& f : lint_report.findings) {
      if (f.severity >= threshold) ++blocking;
    }
    if (blocking == 0) return std::nullopt;
    std::cerr << report::LintToText(lint_report);
    std::cerr << "dbarch: error: " << blocking << " migration lint finding(s) at or above "
              << fail_on_ << "; nothing was applied (fix them, suppress with "
              << "`-- dbarch:ignore RULE-ID`, or run with --no-lint)\n";
    return ExitCode::kFindings;
  }

  std::string action_;
  std::string new_name_;
  std::string new_schema_;
  bool online_ = false;
  bool allow_destructive_ = false;
  std::string dsn_;
  std::string dir_;
  std::string table_ = migrate::kDefaultHistoryTable;
  std::string to_;
  std::optional<int> steps_;
  bool plan_down_ = false;
  std::string baseline_version_;
  std::string baseline_description_;
  bool out_of_order_ = false;
  bool no_lint_ = false;
  std::string fail_on_ = "error";
  std::string config_path_;
  std::string lock_timeout_ = "10s";
  std::string statement_timeout_ = "60m";
  std::string format_ = "text";
  std::vector<std::string> vars_;
  std::vector<std::string> var_files_;
  migrate::ScriptVariables variables_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeMigrateCommand() { return std::make_unique<MigrateCommand>(); }

}  // namespace dbarch::cli
