// `dbarch advise`: index recommendations for a workload. Parses the flags, loads the inputs
// (schema and data into a sandbox like `bench`, or a live server's schema and optionally its
// pg_stat_statements), calls advisor::Advise (advisor/advise.h: the whole pipeline, from
// candidates to verification) and prints the result formatted by report/advise_report.h.
//
// --dsn runs the same analysis on a live server, read-only by construction: the session is
// read-only by default, has statement and lock timeouts, and only ever creates HypoPG
// hypothetical indexes (backend-local, never in the catalog); HypoPG must already be
// installed there (dbarch never creates an extension on a --dsn server).

#include "advisor/advise.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/advise_report.h"
#include "sandbox/sample.h"
#include "sandbox/sandbox.h"
#include "workload/log_workload.h"
#include "workload/stat_statements.h"
#include "workload/workload.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch advise --help";
constexpr const char* kSandboxDatabase = "dbarch_advise";

// The figures of a sample for the report.
advisor::AdviseSample ToAdviseSample(const sandbox::SampleResult& sampled,
                                     const std::string& source) {
  advisor::AdviseSample out;
  out.source = source;
  out.max_bytes = sampled.max_bytes;
  out.live_bytes = sampled.live_bytes;
  out.elapsed_ms = sampled.elapsed_ms;
  for (const sandbox::SampledTable& t : sampled.tables) {
    out.tables.push_back({catalog::QualifiedName{t.schema, t.name}.Quoted(), t.method, t.percent,
                          t.fraction(), t.live_rows, t.live_bytes, t.sampled_rows,
                          t.sampled_bytes});
  }
  return out;
}

// The library's progress and warnings, on stderr (progress only on a terminal).
class ConsoleListener : public advisor::AdviseListener {
 public:
  void OnProgress(const std::string& message) override { Progress(message); }
  void OnWarning(const std::string& message) override { Warn(message); }
};

class AdviseCommand : public Subcommand {
 public:
  std::string name() const override { return "advise"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "advise",
        "Recommend indexes to create and to drop for a workload (HypoPG what-if; "
        "sandbox or read-only --dsn)");
    cmd->footer(
        "Targets (exactly one):\n"
        "  --schema FILE_OR_DIR... [--data DIR | --generate]  a private PostgreSQL 15 sandbox\n"
        "  --dsn CONNINFO   a live server, read-only: HypoPG must be installed there (never\n"
        "                   created by dbarch); only hypothetical indexes, setup statements only\n"
        "                   CREATE VIEW inside a rolled-back transaction; --verify measures\n"
        "                   in a private sandbox holding its schema and a TABLESAMPLE sample\n"
        "                   of its rows (--sample-mb, default 256)\n"
        "Workload: --workload FILE_OR_DIR...; --workload-from log:PATH... (server logs read as\n"
        "dbarch workload does: the --top query groups by total time, weight = calls, sample\n"
        "values from the log); or with --dsn --workload-from pg_stat_statements (the --top\n"
        "statements by total time with at least --min-calls calls, weight = calls, $n\n"
        "planned as generic plans).\n"
        "Costs candidate indexes with HypoPG and picks a set within --budget-mb (Extend-style\n"
        "greedy search, counting the index maintenance of the workload's INSERT/UPDATE/\n"
        "DELETE). Candidates: B-tree keys on columns and expressions (lower(email)) with the\n"
        "ORDER BY's direction, INCLUDE columns, partial indexes for constant conditions,\n"
        "BRIN for ranges on columns in physical order, GIN (pg_trgm for LIKE/ILIKE '%x%',\n"
        "jsonb_path_ops, arrays, full text: built for real in the sandbox to cost them).\n"
        "Proposes dropping duplicate, prefix-redundant and unused existing\n"
        "indexes (never constraint indexes), each with its rollback DDL. --verify builds the\n"
        "indexes in the sandbox and measures the workload before and after (docs/advise.md).\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input (or a query failed; HypoPG or\n"
        "pg_stat_statements missing on the --dsn server), 4 connection/I/O, 70 internal error.");
    schema_opt_ = cmd->add_option("--schema", schema_paths_,
                                  "DDL file or directory of migrations (repeatable)")
                      ->type_name("FILE_OR_DIR")
                      ->expected(1, -1);
    dsn_opt_ = cmd->add_option("--dsn", dsn_,
                               "A live server (libpq conninfo or URI): read-only, HypoPG required")
                   ->type_name("CONNINFO");
    schema_opt_->excludes(dsn_opt_);
    workload_opt_ = cmd->add_option("--workload", workload_paths_,
                                    "Workload SQL file or directory of *.sql files (repeatable)")
                        ->type_name("FILE_OR_DIR")
                        ->expected(1, -1);
    workload_from_opt_ =
        cmd->add_option("--workload-from", workload_from_,
                        "log:PATH... (server logs, rotated-log directories) or, with --dsn, "
                        "pg_stat_statements (also: pgss)")
            ->type_name("SOURCE")
            ->expected(1, -1);
    cmd->add_option("--log-database", log_database_,
                    "With --workload-from log:...: read only this database's entries (default: "
                    "the --dsn database, else all)")
        ->type_name("NAME");
    workload_opt_->excludes(workload_from_opt_);
    CLI::Option* top_opt =
        cmd->add_option("--top", top_,
                        "With --workload-from: the N statements with the largest total time "
                        "(default: 50)")
            ->type_name("N")
            ->check(CLI::Range(1, 100000));
    CLI::Option* min_calls_opt =
        cmd->add_option(
               "--min-calls", min_calls_,
               "With --workload-from: leave out statements called fewer times (default: 2)")
            ->type_name("N")
            ->check(CLI::Range(1, 2000000000));
    top_opt->needs(workload_from_opt_);
    min_calls_opt->needs(workload_from_opt_);
    cmd->add_option("--lock-timeout", lock_timeout_,
                    "With --dsn: lock_timeout of the session (default: 1s)")
        ->type_name("DURATION")
        ->needs(dsn_opt_);
    data_.Register(cmd);
    cmd->add_option("--budget-mb", budget_mb_, "Size budget of the new indexes (default: 500)")
        ->type_name("N")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-indexes", max_indexes_, "At most N new indexes (default: no limit)")
        ->type_name("N")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--width", width_, "Widest index in key columns: 1, 2 or 3 (default: 3)")
        ->type_name("N")
        ->check(CLI::Range(1, 3));
    cmd->add_flag("--verify", verify_,
                  "Build the indexes in the sandbox (with --dsn: in a sandbox holding the live "
                  "schema and a sample of its data) and measure the workload before and after");
    sample_mb_opt_ =
        cmd->add_option("--sample-mb", sample_mb_,
                        "With --dsn --verify: MB of live table data sampled into the sandbox "
                        "(default: 256)")
            ->type_name("N")
            ->check(CLI::PositiveNumber);
    cmd->add_option("--runs", runs_, "With --verify: timed runs per query (default: 5)")
        ->type_name("N")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--timeout", timeout_,
                    "statement_timeout with --verify (per run) or --dsn (default: 30s)")
        ->type_name("DURATION");
    cmd->add_option("--format", format_, "Output format (default: text)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "markdown"}));
    cmd->add_option("--output,-o", output_, "Write to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    const bool live = dsn_opt_->count() > 0;
    if (!live && schema_paths_.empty()) {
      return ReportUsageError("advise needs a target: --schema FILE_OR_DIR... or --dsn CONNINFO",
                              kHelp);
    }
    if (live) {
      for (const CLI::Option* opt : {data_.data_opt, data_.generate_opt}) {
        if (opt->count() == 0) continue;
        return ReportUsageError("--" + opt->get_single_name() +
                                    " changes the database, so it needs a sandbox (--schema); "
                                    "dbarch never writes to a --dsn server",
                                kHelp);
      }
    }
    if (sample_mb_opt_->count() > 0 && !(live && verify_)) {
      return ReportUsageError(
          "--sample-mb sizes the sample of a live server's data: it needs --dsn --verify", kHelp);
    }
    workload::WorkloadFrom from;
    if (workload_from_opt_->count() > 0) {
      auto parsed = workload::ParseWorkloadFrom(workload_from_);
      if (!parsed.ok()) return ReportUsageError(parsed.status().message(), kHelp);
      from = std::move(parsed).value();
      if (from.stat_statements && !from.log_paths.empty()) {
        return ReportUsageError("--workload-from: give server logs or pg_stat_statements, not both",
                                kHelp);
      }
    }
    if (!live && from.stat_statements) {
      return ReportUsageError(
          "--workload-from pg_stat_statements reads a live server: it needs --dsn", kHelp);
    }
    if (!log_database_.empty() && from.log_paths.empty()) {
      return ReportUsageError("--log-database needs --workload-from log:PATH...", kHelp);
    }
    if (workload_paths_.empty() && workload_from_opt_->count() == 0) {
      return ReportUsageError(
          "advise needs a workload: --workload FILE_OR_DIR..., --workload-from log:PATH... or "
          "--workload-from pg_stat_statements (with --dsn)",
          kHelp);
    }
    std::optional<int> timeout_ms = ParseTimeoutMs(timeout_);
    if (!timeout_ms) {
      return ReportUsageError(
          "--timeout: expected a duration such as 30s, 500ms or 2m, got \"" + timeout_ + "\"",
          kHelp);
    }
    std::optional<int> lock_timeout_ms = ParseTimeoutMs(lock_timeout_);
    if (!lock_timeout_ms) {
      return ReportUsageError(
          "--lock-timeout: expected a duration such as 1s or 500ms, got \"" + lock_timeout_ + "\"",
          kHelp);
    }

    workload::Workload files_workload;
    if (!workload_paths_.empty()) {
      Progress("reading the workload");
      auto loaded = workload::LoadWorkload(workload_paths_);
      if (!loaded.ok()) return ReportError(loaded.status());
      files_workload = std::move(loaded).value();
    }
    // Logs are read before a server is touched; with --dsn and no --log-database, the
    // entries of the connected database are chosen once it is known (RunLive).
    if (!from.log_paths.empty() && (!live || !log_database_.empty())) {
      auto loaded = ReadLogWorkload(from.log_paths, log_database_);
      if (!loaded.ok()) return ReportError(loaded.status());
      files_workload = std::move(loaded).value();
    }
    log_paths_for_live_ =
        live && log_database_.empty() ? from.log_paths : std::vector<std::string>{};

    advisor::AdviseOptions options;
    options.budget_mb = budget_mb_;
    options.max_width = width_;
    options.max_indexes = max_indexes_;
    options.runs = runs_;
    options.timeout_ms = *timeout_ms;
    Result<advisor::AdviseResult> advised =
        live ? RunLive(std::move(files_workload), options, *lock_timeout_ms)
             : RunSandbox(files_workload, options);
    if (!advised.ok()) return ReportError(advised.status());
    const advisor::AdviseResult& result = *advised;

    std::string text;
    if (format_ == "json") {
      text = report::AdviseToJson(result);
    } else if (format_ == "markdown") {
      text = report::AdviseToMarkdown(result);
    } else {
      text = report::AdviseToText(result);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);

    bool failed = false;
    if (result.verify) {
      for (const advisor::AdviseVerifyQuery& q : result.verify->queries) {
        if (q.before_outcome != measure::Outcome::kError &&
            q.after_outcome != measure::Outcome::kError) {
          continue;
        }
        Warn("query " + q.query + " failed during --verify");
        failed = true;
      }
    }
    return failed ? ExitCode::kBadInput : ExitCode::kOk;
  }

 private:
  Result<advisor::AdviseResult> RunSandbox(const workload::Workload& workload,
                                           const advisor::AdviseOptions& options) {
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, catalog::ExpandSqlPaths(schema_paths_));
    {
      Progress("checking " + std::to_string(files.size()) + " schema file(s)");
      auto offline = catalog::BuildCatalogFromPaths(files, {.on_note = ReportNote});
      if (!offline.ok()) return offline.status();
    }
    DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box,
                            StartSandbox(sandbox::SandboxOptions{}));
    DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kSandboxDatabase));
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, ConnectForLoading(*box, kSandboxDatabase));
    DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, files));
    Progress("reading the schema back from the server");
    DBARCH_ASSIGN_OR_RETURN(catalog::Catalog catalog,
                            pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    DBARCH_RETURN_IF_ERROR(LoadSandboxData(conn, catalog, data_.Flags()).status());

    advisor::AdviseRequest request;
    request.target = &conn;
    request.live = false;
    request.verify_target = verify_ ? &conn : nullptr;
    request.catalog = &catalog;
    request.workload = &workload;
    request.options = options;
    if (!log_paths_.empty()) request.workload_source = "logs";
    ConsoleListener listener;
    DBARCH_ASSIGN_OR_RETURN(advisor::AdviseResult result, advisor::Advise(request, &listener));
    Progress("stopping the sandbox");
    DBARCH_RETURN_IF_ERROR(box->Stop());
    return result;
  }

  // A live server: read-only session with timeouts, the workload from files or
  // pg_stat_statements, the catalog introspected from the server.
  Result<advisor::AdviseResult> RunLive(workload::Workload workload,
                                        const advisor::AdviseOptions& options,
                                        int lock_timeout_ms) {
    Progress("connecting to " + pg::RedactConninfo(dsn_));
    pg::ConnectOptions connect;
    connect.conninfo = dsn_;
    connect.read_only = true;  // SET default_transaction_read_only = on
    connect.statement_timeout_ms = options.timeout_ms;
    connect.lock_timeout_ms = lock_timeout_ms;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(connect));
    DBARCH_RETURN_IF_ERROR(advisor::CheckLiveTarget(conn));
    advisor::AdviseRequest request;
    if (!log_paths_for_live_.empty()) {
      DBARCH_ASSIGN_OR_RETURN(pg::QueryResult db, conn.Exec("SELECT current_database()"));
      DBARCH_ASSIGN_OR_RETURN(workload,
                              ReadLogWorkload(log_paths_for_live_, std::string(db.Get(0, 0))));
    }
    if (!log_paths_.empty() || !log_paths_for_live_.empty()) request.workload_source = "logs";
    if (workload_from_opt_->count() > 0 && log_paths_.empty() && log_paths_for_live_.empty()) {
      Progress("reading pg_stat_statements");
      workload::StatStatementsOptions stat_options;
      stat_options.top = top_;
      stat_options.min_calls = min_calls_;
      DBARCH_ASSIGN_OR_RETURN(workload::StatStatementsWorkload read,
                              workload::LoadStatStatements(conn, stat_options));
      request.workload_source = "pg_stat_statements";
      for (const workload::SkippedStatement& s : read.skipped) {
        request.skipped.push_back({s.name, s.reason});
      }
      if (read.workload.queries.empty()) {
        return Status::InvalidArgument("pg_stat_statements of " + conn.DisplayName() +
                                       " holds no statement to " + "analyse (" +
                                       std::to_string(read.statements_read) + " with at least " +
                                       std::to_string(min_calls_) + " calls, " +
                                       std::to_string(read.skipped.size()) + " skipped)")
            .WithHint("lower --min-calls, or let the workload run for a while");
      }
      workload = std::move(read.workload);
    }
    Progress("reading the schema of " + conn.DisplayName());
    DBARCH_ASSIGN_OR_RETURN(catalog::Catalog catalog,
                            pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    // --verify: a private sandbox with the live schema and a sample of its data; the live
    // server is only read.
    std::unique_ptr<sandbox::Sandbox> box;
    std::optional<pg::Connection> box_conn;
    if (verify_) {
      Progress("sampling " + conn.DisplayName() + " into a sandbox");
      DBARCH_ASSIGN_OR_RETURN(box, StartSandbox(sandbox::SandboxOptions{}));
      DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kSandboxDatabase));
      DBARCH_ASSIGN_OR_RETURN(pg::Connection loading, ConnectForLoading(*box, kSandboxDatabase));
      box_conn.emplace(std::move(loading));
      sandbox::SampleOptions sample_options;
      sample_options.max_bytes = static_cast<int64_t>(sample_mb_ * 1e6);
      DBARCH_ASSIGN_OR_RETURN(sandbox::SampleResult sampled,
                              sandbox::CopySchemaAndSample(conn, *box_conn, sample_options));
      request.sample = ToAdviseSample(sampled, conn.DisplayName());
      request.verify_target = &*box_conn;
    }
    // Introspection and sampling normalise the session (search_path = public, UTC...); the
    // workload's queries must be planned with the user's own settings (role and database
    // defaults).
    DBARCH_RETURN_IF_ERROR(
        conn.ExecScript("RESET search_path; RESET TimeZone; RESET DateStyle; RESET IntervalStyle; "
                        "RESET extra_float_digits"));
    request.target = &conn;
    request.live = true;
    request.catalog = &catalog;
    request.workload = &workload;
    request.options = options;
    ConsoleListener listener;
    DBARCH_ASSIGN_OR_RETURN(advisor::AdviseResult result, advisor::Advise(request, &listener));
    if (box) {
      Progress("stopping the sandbox");
      box_conn.reset();
      DBARCH_RETURN_IF_ERROR(box->Stop());
    }
    return result;
  }

  // The query groups of server logs (only `database`'s entries unless it is empty) as the
  // workload, through the library's log reader.
  Result<workload::Workload> ReadLogWorkload(const std::vector<std::string>& paths,
                                             const std::string& database) {
    Progress("reading the server logs");
    workload::LogReadOptions read;
    read.database = database;
    workload::LogWorkloadOptions options;
    options.top = top_;
    DBARCH_ASSIGN_OR_RETURN(workload::LogWorkload w,
                            workload::LoadLogWorkload(paths, read, options));
    log_paths_ = paths;
    return std::move(w.workload);
  }

  std::vector<std::string> schema_paths_;
  std::string dsn_;
  std::vector<std::string> workload_paths_;
  SandboxDataOptions data_;
  std::vector<std::string> workload_from_;
  std::string log_database_;
  std::vector<std::string> log_paths_;           // the logs read, once read
  std::vector<std::string> log_paths_for_live_;  // logs to read once connected (--dsn)
  int top_ = 50;
  int64_t min_calls_ = 2;
  std::string lock_timeout_ = "1s";
  double budget_mb_ = 500;
  int max_indexes_ = 0;
  int width_ = 3;
  bool verify_ = false;
  double sample_mb_ = 256;
  int runs_ = 5;
  std::string timeout_ = "30s";
  std::string format_ = "text";
  std::string output_;
  CLI::Option* dsn_opt_ = nullptr;
  CLI::Option* schema_opt_ = nullptr;
  CLI::Option* workload_opt_ = nullptr;
  CLI::Option* workload_from_opt_ = nullptr;
  CLI::Option* sample_mb_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Subcommand> MakeAdviseCommand() { return std::make_unique<AdviseCommand>(); }

}  // namespace dbarch::cli