// `dbarch workload`: reads PostgreSQL server logs (stderr with any log_line_prefix, csvlog,
// jsonlog; plain, gzip or zstd; directories of rotated logs; "-" for standard input), groups
// the statements by fingerprint and prints the top groups as text, JSON or an HTML page;
// --emit-workload writes the workload file that `advise` and `bench` read. With --dsn it
// reads pg_stat_statements instead (a snapshot, saved with --save-snapshot, and the
// difference since an earlier one with --since).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/console.h"
#include "cli/subcommand.h"
#include "pg/connection.h"
#include "report/log_html.h"
#include "report/log_report.h"
#include "report/stat_report.h"
#include "workload/log_reader.h"
#include "workload/log_workload.h"
#include "workload/server_config.h"
#include "workload/stat_snapshot.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch workload --help";

class WorkloadCommand : public Subcommand {
 public:
  std::string name() const override { return "workload"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "workload", "Read PostgreSQL server logs and report the workload they show");
    cmd->footer(
        "LOG files are stderr logs (any log_line_prefix), csvlog or jsonlog, plain, gzip or\n"
        "zstd compressed; '-' reads standard input. The format is taken from the name\n"
        "(.csv, .json) or the content; the prefix of stderr logs is detected unless --prefix\n"
        "is given. Statements are logged with log_min_duration_statement = 0 (durations) or\n"
        "log_statement = all. --dsn reads pg_stat_statements instead: cumulative since its\n"
        "reset, or since a snapshot written by --save-snapshot (--since FILE).\n"
        "See docs/workload.md.\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input, 4 I/O or connection, 70 internal error.");
    cmd->add_option("logs", paths_,
                    "Log files, directories of rotated logs, or '-' for standard input")
        ->type_name("LOG")
        ->expected(0, -1);
    cmd->add_option("--format", format_, "Output format (default: text)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "html"}));
    cmd->add_option("--log-format", log_format_,
                    "Format of the logs: auto (default), stderr, csvlog, jsonlog")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"auto", "stderr", "csvlog", "jsonlog"}));
    CLI::Option* prefix_opt =
        cmd->add_option("--prefix", prefix_, "log_line_prefix of stderr logs (default: detected)")
            ->type_name("PREFIX");
    cmd->add_option("--config", config_paths_,
                    "Take log_line_prefix from this postgresql.conf (includes followed; "
                    "repeatable, later files win)")
        ->type_name("FILE")
        ->excludes(prefix_opt);
    cmd->add_option("--dsn", dsn_,
                    "Read pg_stat_statements of this server instead of logs (read-only)")
        ->type_name("CONNINFO");
    cmd->add_option("--save-snapshot", save_snapshot_,
                    "With --dsn: also write the pg_stat_statements snapshot to FILE")
        ->type_name("FILE");
    cmd->add_option("--since", since_,
                    "With --dsn or --until: report the activity since this snapshot")
        ->type_name("SNAPSHOT.json");
    cmd->add_option("--until", until_,
                    "With --since: the later snapshot, instead of reading the server now")
        ->type_name("SNAPSHOT.json");
    cmd->add_option("--database,-d", database_,
                    "Read only the entries (or pg_stat_statements rows) of this database "
                    "(default: all)")
        ->type_name("NAME");
    cmd->add_option("--top", top_,
                    "Groups per text section (default 10) and in JSON (default: all)")
        ->type_name("N")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--emit-workload", emit_,
                    "Also write the top query groups as a workload file for advise and bench")
        ->type_name("FILE");
    cmd->add_option("--emit-top", emit_top_, "Query groups written by --emit-workload (default 50)")
        ->type_name("N")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--samples", samples_, "Sample statements kept per group (default 3)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--threads", threads_, "Parsing threads (default: one per core)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--output,-o", output_, "Write the report to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    bool stats = !dsn_.empty() || !until_.empty();
    if (stats && !paths_.empty()) {
      return ReportUsageError("give log files or pg_stat_statements (--dsn, --until), not both",
                              kHelp);
    }
    if (!stats && paths_.empty()) {
      return ReportUsageError("workload needs log files (or --dsn for pg_stat_statements)", kHelp);
    }
    if ((!stats && !since_.empty()) || (!save_snapshot_.empty() && dsn_.empty())) {
      return ReportUsageError(
          "--since and --save-snapshot read pg_stat_statements: they need --dsn", kHelp);
    }
    if (!until_.empty() && (since_.empty() || !dsn_.empty())) {
      return ReportUsageError(
          "--until is the later of two snapshot files: it needs --since and no --dsn", kHelp);
    }
    if (stats) return RunStatStatements();
    int stdin_count = 0;
    for (const std::string& p : paths_) stdin_count += p == "-" ? 1 : 0;
    if (stdin_count > 1) return ReportUsageError("'-' (standard input) can be given once", kHelp);

    workload::LogReadOptions options;
    options.prefix = prefix_;
    if (!config_paths_.empty()) {
      auto settings = workload::ReadServerConfig(config_paths_);
      if (!settings.ok()) return ReportError(settings.status());
      options.prefix = workload::LogLinePrefixOf(*settings);
      Progress("log_line_prefix from " + config_paths_.back() + ": '" + options.prefix + "'");
    }
    options.database = database_;
    options.threads = threads_;
    options.samples_per_group = samples_;
    if (log_format_ == "stderr") options.format = workload::LogFormat::kStderr;
    if (log_format_ == "csvlog") options.format = workload::LogFormat::kCsv;
    if (log_format_ == "jsonlog") options.format = workload::LogFormat::kJson;
    auto start = std::chrono::steady_clock::now();
    if (StderrIsTerminal()) {
      options.on_progress = [last = 0.0](uint64_t done, uint64_t total) mutable {
        if (total == 0) {
          Progress("read " + std::to_string(done >> 20) + " MB");
          return;
        }
        double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total);
        if (pct - last < 2 && done < total) return;
        last = pct;
        Progress("reading the logs: " + std::to_string(static_cast<int>(pct)) + "%");
      };
    }
    auto files = workload::ExpandLogPaths(paths_, options.format);
    if (!files.ok()) return ReportError(files.status());
    for (const std::string& note : files->notes) Warn(note);
    auto report = workload::ReadLogs(files->files, options);
    if (!report.ok()) return ReportError(report.status());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Progress("read " + std::to_string(report->summary.statements) + " statements in " +
             std::to_string(seconds) + " s");
    if (report->summary.malformed_lines > 0) {
      Warn(std::to_string(report->summary.malformed_lines) + " malformed line(s); the first at " +
           (report->summary.malformed.empty()
                ? std::string("?")
                : report->summary.malformed.front().file + ":" +
                      std::to_string(report->summary.malformed.front().line)));
    }

    report::LogReportOptions render;
    render.top = top_;
    std::string text = format_ == "json"   ? report::LogReportToJson(*report, render)
                       : format_ == "html" ? report::LogReportToHtml(*report, render)
                                           : report::LogReportToText(*report, render);
    if (!emit_.empty()) {
      workload::LogWorkloadOptions wo;
      wo.top = emit_top_;
      workload::LogWorkload w = workload::WorkloadFromLog(*report, wo);
      if (w.workload.queries.empty()) {
        return ReportError(Status::InvalidArgument(
            "--emit-workload: the logs hold no SELECT, INSERT, UPDATE, DELETE or MERGE "
            "statement to write"));
      }
      std::string header =
          "workload read from server logs by dbarch workload: the top " +
          std::to_string(w.workload.queries.size()) +
          " query groups by total time;\nweight = calls in the logs, params = the values of "
          "one logged statement";
      Status written = WriteResult(workload::FormatWorkloadFile(w.workload, header), emit_);
      if (!written.ok()) return ReportError(written);
      Progress("wrote " + std::to_string(w.workload.queries.size()) + " queries to " + emit_);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

 private:
  // pg_stat_statements: a snapshot now (or --until's file), the window since --since's
  // snapshot or since the last reset, printed like the log report.
  ExitCode RunStatStatements() {
    if (format_ == "html") {
      return ReportUsageError(
          "--format html is the report of logs; pg_stat_statements is "
          "printed as text or json",
          kHelp);
    }
    std::optional<workload::StatSnapshot> before;
    if (!since_.empty()) {
      auto snap = ReadSnapshot(since_);
      if (!snap.ok()) return ReportError(snap.status());
      before = std::move(snap).value();
    }
    workload::StatSnapshot now;
    if (!until_.empty()) {
      auto snap = ReadSnapshot(until_);
      if (!snap.ok()) return ReportError(snap.status());
      now = std::move(snap).value();
    } else {
      Progress("connecting to " + pg::RedactConninfo(dsn_));
      pg::ConnectOptions connect;
      connect.conninfo = dsn_;
      connect.read_only = true;
      connect.statement_timeout_ms = 30000;
      connect.lock_timeout_ms = 1000;
      connect.application_name = "dbarch workload";
      auto conn = pg::Connection::Open(connect);
      if (!conn.ok()) return ReportError(conn.status());
      auto snap = workload::TakeStatSnapshot(*conn);
      if (!snap.ok()) return ReportError(snap.status());
      now = std::move(snap).value();
      if (!save_snapshot_.empty()) {
        Status st = WriteResult(workload::StatSnapshotToJson(now), save_snapshot_);
        if (!st.ok()) return ReportError(st);
        Progress("wrote the snapshot of " + std::to_string(now.entries.size()) + " entries to " +
                 save_snapshot_);
      }
    }
    if (!database_.empty()) {
      auto other_database = [&](const workload::StatEntry& e) { return e.database != database_; };
      std::erase_if(now.entries, other_database);
      if (before) std::erase_if(before->entries, other_database);
    }
    workload::StatWindow window;
    if (before) {
      auto diff = workload::DiffStatSnapshots(*before, now);
      if (!diff.ok()) return ReportError(diff.status());
      window = std::move(diff).value();
    } else {
      window = workload::CumulativeWindow(now);
    }
    report::StatReportOptions render;
    render.top = top_;
    render.server = now.server;
    std::string text = format_ == "json" ? report::StatWindowToJson(window, render)
                                         : report::StatWindowToText(window, render);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

  static Result<workload::StatSnapshot> ReadSnapshot(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError("cannot read snapshot \"" + path + "\"");
    std::stringstream buf;
    buf << in.rdbuf();
    return workload::StatSnapshotFromJson(buf.str(), path);
  }

  std::vector<std::string> paths_;
  std::vector<std::string> config_paths_;
  std::string dsn_;
  std::string save_snapshot_;
  std::string since_;
  std::string until_;
  std::string format_ = "text";
  std::string log_format_ = "auto";
  std::string prefix_;
  std::string database_;
  int top_ = 0;
  std::string emit_;
  int emit_top_ = 50;
  int samples_ = 3;
  int threads_ = 0;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeWorkloadCommand() { return std::make_unique<WorkloadCommand>(); }

}  // namespace dbarch::cli
