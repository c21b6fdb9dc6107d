// `dbarch bench`: measured query latencies. Loads a schema (and data) into a sandbox, or
// connects to a live server read-only, runs a workload (warm-up, N timed runs, one EXPLAIN
// ANALYZE per query), optionally applies --compare's statements and runs it again, and
// prints a table, JSON or Markdown.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "measure/runner.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/bench_report.h"
#include "sandbox/sandbox.h"
#include "workload/log_workload.h"
#include "workload/workload.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch bench --help";
// The database the schema is loaded into inside the sandbox.
constexpr const char* kSandboxDatabase = "dbarch_bench";

class BenchCommand : public Subcommand {
 public:
  std::string name() const override { return "bench"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "bench", "Measure a workload's query latencies on a sandbox or a live server");
    cmd->footer(
        "Targets (exactly one):\n"
        "  --schema FILE_OR_DIR... [--data DIR]  load DDL (and data files) into a private\n"
        "                                        PostgreSQL 15 sandbox and measure there\n"
        "  --dsn CONNINFO                        a live server: read-only session; every\n"
        "                                        query's statements are rolled back\n"
        "Per query: one warm-up run, --runs timed runs (median, p95), one EXPLAIN (ANALYZE,\n"
        "BUFFERS). A run slower than --timeout is reported as a timeout; its remaining runs\n"
        "are skipped. Workload annotations: '-- name:', '-- weight:', '-- params:' "
        "(docs/bench.md). --workload-from log:PATH... reads server logs instead, as dbarch\n"
        "workload does (weight = calls, the values of one logged statement as parameters).\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input (or a query failed), 4 connection/I/O,\n"
        "70 internal error.");
    schema_opt_ = cmd->add_option("--schema", schema_paths_,
                                  "DDL file or directory of migrations (repeatable)")
                      ->type_name("FILE_OR_DIR")
                      ->expected(1, -1);
    dsn_opt_ = cmd->add_option("--dsn", dsn_, "libpq conninfo or postgres:// URI of a server")
                   ->type_name("CONNINFO");
    CLI::Option* workload_opt =
        cmd->add_option("--workload", workload_paths_,
                        "Workload SQL file or directory of *.sql files (repeatable)")
            ->type_name("FILE_OR_DIR")
            ->expected(1, -1);
    workload_from_opt_ = cmd->add_option("--workload-from", workload_from_,
                                         "log:PATH...: the query groups of server logs (files "
                                         "or directories of rotated logs)")
                             ->type_name("SOURCE")
                             ->expected(1, -1);
    workload_opt->excludes(workload_from_opt_);
    cmd->add_option("--log-database", log_database_,
                    "With --workload-from: read only this database's entries (default: all)")
        ->type_name("NAME")
        ->needs(workload_from_opt_);
    cmd->add_option("--top", top_,
                    "With --workload-from: the N query groups with the most total time "
                    "(default: 50)")
        ->type_name("N")
        ->check(CLI::Range(1, 100000))
        ->needs(workload_from_opt_);
    data_.Register(cmd);
    indexes_opt_ = cmd->add_option("--indexes", indexes_path_,
                                   "SQL applied before the base run (e.g. CREATE INDEX)")
                       ->type_name("FILE");
    compare_opt_ = cmd->add_option("--compare", compare_path_,
                                   "SQL applied after the base run; the workload runs again")
                       ->type_name("FILE");
    cmd->add_option("--runs", runs_, "Timed runs per query (default: 5)")
        ->type_name("N")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--timeout", timeout_, "statement_timeout per run (default: 30s)")
        ->type_name("DURATION");
    setting_opt_ =
        cmd->add_option("--setting", settings_, "Sandbox server setting name=value (repeatable)")
            ->type_name("NAME=VALUE");
    cmd->add_option("--format", format_, "Output format (default: text)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "markdown"}));
    cmd->add_option("--output,-o", output_, "Write to FILE instead of standard output")
        ->type_name("FILE");
    schema_opt_->excludes(dsn_opt_);
  }

  ExitCode Run() override {
    if (schema_paths_.empty() && dsn_opt_->count() == 0) {
      return ReportUsageError("bench needs a target: --schema FILE_OR_DIR... or --dsn CONNINFO",
                              kHelp);
    }
    if (workload_paths_.empty() && workload_from_.empty()) {
      return ReportUsageError(
          "bench needs a workload: --workload FILE_OR_DIR... or --workload-from log:PATH...",
          kHelp);
    }
    workload::WorkloadFrom from;
    if (!workload_from_.empty()) {
      auto parsed = workload::ParseWorkloadFrom(workload_from_);
      if (!parsed.ok()) return ReportUsageError(parsed.status().message(), kHelp);
      from = std::move(parsed).value();
      if (from.stat_statements) {
        // Its statements have $n without values: bench runs queries, it cannot plan them
        // generically as advise does.
        return ReportUsageError(
            "bench runs its queries, and pg_stat_statements keeps no parameter values: use "
            "--workload-from log:PATH... or dbarch advise --workload-from pg_stat_statements",
            kHelp);
      }
    }
    bool live = dsn_opt_->count() > 0;
    if (live) {
      for (const CLI::Option* opt :
           {data_.data_opt, data_.generate_opt, indexes_opt_, compare_opt_, setting_opt_}) {
        if (opt->count() == 0) continue;
        return ReportUsageError("--" + opt->get_single_name() +
                                    " changes the database, so it needs a sandbox (--schema); "
                                    "dbarch never writes to a --dsn server",
                                kHelp);
      }
    }
    std::optional<int> timeout_ms = ParseTimeoutMs(timeout_);
    if (!timeout_ms) {
      return ReportUsageError(
          "--timeout: expected a duration such as 30s, 500ms or 2m, got \"" + timeout_ + "\"",
          kHelp);
    }
    std::vector<std::pair<std::string, std::string>> settings;
    for (const std::string& s : settings_) {
      size_t eq = s.find('=');
      if (eq == 0 || eq == std::string::npos) {
        return ReportUsageError("--setting: expected name=value, got \"" + s + "\"", kHelp);
      }
      settings.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }

    // Everything that can be checked offline is checked before a server starts.
    Progress("reading the workload");
    auto workload = [&]() -> Result<workload::Workload> {
      if (from.log_paths.empty()) return workload::LoadWorkload(workload_paths_);
      workload::LogReadOptions read;
      read.database = log_database_;
      workload::LogWorkloadOptions log_options;
      log_options.top = top_;
      DBARCH_ASSIGN_OR_RETURN(workload::LogWorkload loaded,
                              workload::LoadLogWorkload(from.log_paths, read, log_options));
      return std::move(loaded.workload);
    }();
    if (!workload.ok()) return ReportError(workload.status());
    for (const std::string* path : {&indexes_path_, &compare_path_}) {
      if (path->empty()) continue;
      Status st = CheckSqlFile(*path);
      if (!st.ok()) return ReportError(st);
    }

    measure::RunOptions run_options;
    run_options.runs = runs_;
    run_options.timeout_ms = *timeout_ms;
    run_options.on_query = [](const std::string& name) { Progress("running " + name); };

    report::BenchReport result;
    result.settings = settings;
    Status st = live ? RunLive(*workload, run_options, result)
                     : RunSandbox(*workload, run_options, settings, result);
    if (!st.ok()) return ReportError(st);

    std::string text;
    if (format_ == "json") {
      text = report::BenchToJson(result);
    } else if (format_ == "markdown") {
      text = report::BenchToMarkdown(result);
    } else {
      text = report::BenchToText(result);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);

    // A query the server rejected is bad input; a timeout is a measurement.
    bool failed = false;
    for (const measure::WorkloadMeasurement* m :
         {&result.base, result.compare ? &*result.compare : nullptr}) {
      if (m == nullptr) continue;
      for (const measure::QueryMeasurement& q : m->queries) {
        if (q.outcome != measure::Outcome::kError) continue;
        Warn("query " + q.name + " (" + m->label + ") failed: " + q.error);
        failed = true;
      }
    }
    return failed ? ExitCode::kBadInput : ExitCode::kOk;
  }

 private:
  Status RunLive(const workload::Workload& workload, measure::RunOptions options,
                 report::BenchReport& result) {
    Progress("connecting to " + pg::RedactConninfo(dsn_));
    pg::ConnectOptions connect;
    connect.conninfo = dsn_;
    connect.read_only = true;
    connect.statement_timeout_ms = options.timeout_ms;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(connect));
    result.target = conn.DisplayName();
    options.rollback_each_query = true;
    DBARCH_ASSIGN_OR_RETURN(result.base, measure::RunWorkload(conn, workload, options));
    return Status::OK();
  }

  Status RunSandbox(const workload::Workload& workload, measure::RunOptions options,
                    const std::vector<std::pair<std::string, std::string>>& settings,
                    report::BenchReport& result) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, catalog::ExpandSqlPaths(schema_paths_));
    {
      Progress("checking " + std::to_string(files.size()) + " schema file(s)");
      auto offline = catalog::BuildCatalogFromPaths(files, {.on_note = ReportNote});
      if (!offline.ok()) return offline.status();
    }
    sandbox::SandboxOptions box_options;
    box_options.settings = settings;
    DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box, StartSandbox(box_options));
    DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kSandboxDatabase));
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, ConnectForLoading(*box, kSandboxDatabase));
    DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, files));

    // The load step: data files, then generated rows (the hook for `dbarch generate`), then
    // ANALYZE.
    Progress("reading the schema back from the server");
    DBARCH_ASSIGN_OR_RETURN(catalog::Catalog catalog,
                            pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    DBARCH_RETURN_IF_ERROR(LoadSandboxData(conn, catalog, data_.Flags()).status());
    if (!indexes_path_.empty()) DBARCH_RETURN_IF_ERROR(ApplyAndAnalyze(conn, indexes_path_));

    result.target = "sandbox (PostgreSQL " + ServerVersion(conn) + ")";
    options.label = "base";
    DBARCH_ASSIGN_OR_RETURN(result.base, measure::RunWorkload(conn, workload, options));
    if (!compare_path_.empty()) {
      // Statements that change the schema or build indexes must not be cut short by the
      // measurement's statement_timeout.
      DBARCH_RETURN_IF_ERROR(conn.ExecScript("SET statement_timeout = 0"));
      DBARCH_RETURN_IF_ERROR(ApplyAndAnalyze(conn, compare_path_));
      options.label = compare_path_;
      DBARCH_ASSIGN_OR_RETURN(measure::WorkloadMeasurement second,
                              measure::RunWorkload(conn, workload, options));
      result.compare = std::move(second);
    }
    Progress("stopping the sandbox");
    return box->Stop();
  }

  static Status ApplyAndAnalyze(pg::Connection& conn, const std::string& path) {
    DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, {path}));
    Progress("ANALYZE");
    return conn.ExecScript("ANALYZE");
  }

  static std::string ServerVersion(const pg::Connection& conn) {
    int v = conn.server_version_num();
    return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
  }

  std::vector<std::string> schema_paths_;
  std::string dsn_;
  std::vector<std::string> workload_paths_;
  std::vector<std::string> workload_from_;
  std::string log_database_;
  int top_ = 50;
  CLI::Option* workload_from_opt_ = nullptr;
  SandboxDataOptions data_;
  std::string indexes_path_;
  std::string compare_path_;
  int runs_ = 5;
  std::string timeout_ = "30s";
  std::vector<std::string> settings_;
  std::string format_ = "text";
  std::string output_;
  CLI::Option* schema_opt_ = nullptr;
  CLI::Option* dsn_opt_ = nullptr;
  CLI::Option* indexes_opt_ = nullptr;
  CLI::Option* compare_opt_ = nullptr;
  CLI::Option* setting_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Subcommand> MakeBenchCommand() { return std::make_unique<BenchCommand>(); }

}  // namespace dbarch::cli
