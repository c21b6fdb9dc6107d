// `dbarch workload`: reads PostgreSQL server logs (stderr with any log_line_prefix, csvlog,
// jsonlog; plain, gzip or zstd; "-" for standard input), groups the statements by
// fingerprint and prints the top groups as text or JSON; --emit-workload writes the
// workload file that `advise` and `bench` read.
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/console.h"
#include "cli/subcommand.h"
#include "report/log_report.h"
#include "workload/log_reader.h"
#include "workload/log_workload.h"

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
        "log_statement = all. See docs/workload.md.\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input, 4 I/O, 70 internal error.");
    cmd->add_option("logs", paths_, "Log files ('-' for standard input)")
        ->type_name("LOG")
        ->required()
        ->expected(1, -1);
    cmd->add_option("--format", format_, "Output format (default: text)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--log-format", log_format_,
                    "Format of the logs: auto (default), stderr, csvlog, jsonlog")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"auto", "stderr", "csvlog", "jsonlog"}));
    cmd->add_option("--prefix", prefix_, "log_line_prefix of stderr logs (default: detected)")
        ->type_name("PREFIX");
    cmd->add_option("--database,-d", database_,
                    "Read only the entries of this database (default: all)")
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
    int stdin_count = 0;
    for (const std::string& p : paths_) stdin_count += p == "-" ? 1 : 0;
    if (stdin_count > 1) return ReportUsageError("'-' (standard input) can be given once", kHelp);

    workload::LogReadOptions options;
    options.prefix = prefix_;
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
    auto report = workload::ReadLogs(paths_, options);
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
    std::string text = format_ == "json" ? report::LogReportToJson(*report, render)
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
  std::vector<std::string> paths_;
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
