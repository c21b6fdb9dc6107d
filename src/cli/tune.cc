// `dbarch tune`: postgresql.conf recommendations for a machine and workload kind, adjusted by
// what a live server measured (read-only).
#include "ops/tune.h"

#include <unistd.h>

#include <optional>
#include <string>

#include "cli/console.h"
#include "cli/subcommand.h"
#include "pg/connection.h"
#include "report/tune_report.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch tune --help";

class TuneCommand : public Subcommand {
 public:
  std::string name() const override { return "tune"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "tune", "Recommend postgresql.conf settings for a machine and workload (with --dsn: "
                "the current values and what the server measured)");
    cmd->footer(
        "Memory and CPUs default to this machine's (say so with --memory/--cpus when the\n"
        "server runs elsewhere). Exit codes: 0 ok, 2 usage, 4 connection.");
    cmd->add_option("--dsn", dsn_, "a live server: current values, temp files, checkpoints")
        ->type_name("CONNINFO");
    cmd->add_option("--memory", memory_, "memory for PostgreSQL, e.g. 24GB")->type_name("SIZE");
    cmd->add_option("--cpus", cpus_, "CPU cores for PostgreSQL");
    cmd->add_option("--storage", storage_, "ssd (default), hdd or san")
        ->check(CLI::IsMember({"ssd", "hdd", "san"}));
    cmd->add_option("--workload", workload_, "web (default), oltp, dw, mixed or desktop")
        ->check(CLI::IsMember({"web", "oltp", "dw", "mixed", "desktop"}));
    cmd->add_option("--max-connections", max_connections_, "connections to plan for");
    cmd->add_option("--format", format_, "text (default), json, sql (ALTER SYSTEM) or conf")
        ->check(CLI::IsMember({"text", "json", "sql", "conf"}));
    cmd->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    ops::MachineSpec machine;
    if (!memory_.empty()) {
      auto bytes = ops::ParseConfSize(memory_, 1);
      if (!bytes || *bytes < 256LL * 1024 * 1024) {
        return ReportUsageError("--memory \"" + memory_ + "\": expected e.g. 24GB (at least 256MB)",
                                kHelp);
      }
      machine.memory_bytes = *bytes;
    } else {
      machine.memory_bytes =
          static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<int64_t>(sysconf(_SC_PAGE_SIZE));
    }
    machine.cpus = cpus_ > 0 ? cpus_ : static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    if (cpus_ < 0) return ReportUsageError("--cpus must be positive", kHelp);
    if (max_connections_ < 0) return ReportUsageError("--max-connections must be positive", kHelp);
    machine.max_connections = max_connections_;
    ops::ParseStorageKind(storage_, &machine.storage);
    ops::WorkloadKind kind = ops::WorkloadKind::kWeb;
    ops::ParseWorkloadKind(workload_, &kind);

    std::optional<ops::ServerSignals> signals;
    if (!dsn_.empty()) {
      Progress("connecting to " + pg::RedactConninfo(dsn_));
      pg::ConnectOptions connect;
      connect.conninfo = dsn_;
      connect.read_only = true;
      connect.application_name = "dbarch tune";
      auto conn = pg::Connection::Open(connect);
      if (!conn.ok()) return ReportError(conn.status());
      auto read = ops::ReadServerSignals(*conn);
      if (!read.ok()) return ReportError(read.status());
      signals = std::move(read).value();
    }
    ops::TuneResult result = ops::RecommendSettings(machine, kind, signals);
    if (memory_.empty() || cpus_ == 0) {
      result.notes.insert(result.notes.begin(),
                          "memory and CPUs are this machine's: give --memory and --cpus if the "
                          "server runs elsewhere");
    }
    std::string text;
    if (format_ == "json")
      text = report::TuneToJson(result);
    else if (format_ == "sql") text = report::TuneToAlterSystem(result);
    else if (format_ == "conf") text = report::TuneToConf(result);
    else
      text = report::TuneToText(result);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

 private:
  std::string dsn_;
  std::string memory_;
  int cpus_ = 0;
  std::string storage_ = "ssd";
  std::string workload_ = "web";
  int max_connections_ = 0;
  std::string format_ = "text";
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeTuneCommand() { return std::make_unique<TuneCommand>(); }

}  // namespace dbarch::cli
