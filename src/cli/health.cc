// `dbarch health`: every health check of a live server in one read-only run, as text, JSON,
// a Nagios plugin line (with Nagios exit codes) or Prometheus metrics.
#include "ops/health.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "cli/console.h"
#include "cli/subcommand.h"
#include "lint/config.h"
#include "ops/health_checks.h"
#include "ops/health_config.h"
#include "pg/connection.h"
#include "report/health_report.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch health --help";

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\"");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "500GB", "1.5 TB", "2048" (bytes) -> bytes; powers of 1024 as pg_size_pretty.
bool ParseSize(const std::string& text, int64_t* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || v < 0) return false;
  std::string unit(end);
  unit.erase(0, unit.find_first_not_of(' '));
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KB" || unit == "K") mult = 1024.0;
  else if (unit == "MB" || unit == "M") mult = 1024.0 * 1024;
  else if (unit == "GB" || unit == "G") mult = 1024.0 * 1024 * 1024;
  else if (unit == "TB" || unit == "T") mult = 1024.0 * 1024 * 1024 * 1024;
  else return false;
  *out = static_cast<int64_t>(v * mult);
  return true;
}

class HealthCommand : public Subcommand {
 public:
  std::string name() const override { return "health"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd =
        app.add_subcommand("health", "Check a live server's health (read-only): connections, "
                                     "locks, wraparound, slots, vacuum, sequences, indexes...");
    cmd->footer(
        "Thresholds: each check has a warning and a critical threshold (--list-checks shows\n"
        "them); override with --threshold NAME=WARNING:CRITICAL or in dbarch.yaml:\n"
        "  health:\n    idle_in_transaction: { warning: 30, critical: 300 }\n"
        "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage, 3 bad input,\n"
        "4 connection. With --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
    cmd->add_option("--dsn", dsn_, "libpq conninfo or postgres:// URI of the server")
        ->type_name("CONNINFO");
    cmd->add_option("--format", format_, "text (default), json, nagios or prometheus")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "nagios", "prometheus"}));
    cmd->add_option("--check", only_, "run only this check (repeatable)")->type_name("NAME");
    cmd->add_option("--threshold", threshold_flags_,
                    "override a check's thresholds: NAME=WARNING:CRITICAL (repeatable)")
        ->type_name("NAME=W:C");
    cmd->add_option("--warning", warning_, "with one --check: its warning threshold");
    cmd->add_option("--critical", critical_, "with one --check: its critical threshold");
    cmd->add_option("--config", config_path_, "configuration file (default: dbarch.yaml upward)")
        ->type_name("FILE");
    cmd->add_option("--since", since_, "sizes saved by an earlier --save-sizes, for growth")
        ->type_name("FILE");
    cmd->add_option("--save-sizes", save_sizes_, "write this run's sizes to FILE for --since")
        ->type_name("FILE");
    cmd->add_option("--volume-size", volume_size_,
                    "size of the data volume (e.g. 500GB), for a days-until-full forecast")
        ->type_name("SIZE");
    cmd->add_option("--fail-on", fail_on_, "warning, critical (default) or never")
        ->check(CLI::IsMember({"warning", "critical", "never"}));
    cmd->add_flag("--list-checks", list_checks_, "print every check with its thresholds and exit");
    cmd->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    if (list_checks_) return ListChecks();
    bool nagios = format_ == "nagios";
    if (dsn_.empty()) return ReportUsageError("health needs --dsn CONNINFO", kHelp);
    ops::HealthOptions options;
    options.only = only_;
    for (const std::string& name : only_) {
      if (ops::FindHealthCheck(name) == nullptr) {
        std::vector<std::string> names;
        for (const auto& c : ops::AllHealthChecks()) names.emplace_back(c.name);
        std::string message = "unknown health check \"" + name + "\"";
        std::string close = ClosestMatch(name, names);
        if (!close.empty()) message += ", did you mean \"" + close + "\"?";
        return ReportUsageError(message, "dbarch health --list-checks");
      }
    }
    // Thresholds: defaults, then dbarch.yaml, then flags.
    std::string config_path = config_path_;
    if (config_path.empty()) {
      char cwd[4096];
      if (getcwd(cwd, sizeof cwd) != nullptr) {
        if (auto found = lint::FindConfigUpward(cwd)) config_path = *found;
      }
    }
    if (!config_path.empty()) {
      auto text = ReadText(config_path);
      if (!text.ok()) return Fail(text.status(), nagios);
      auto parsed = ops::ParseHealthThresholds(config_path, *text);
      if (!parsed.ok()) return Fail(parsed.status(), nagios);
      options.thresholds = std::move(parsed).value();
    }
    for (const std::string& flag : threshold_flags_) {
      Status st = ops::ParseThresholdFlag(flag, options.thresholds);
      if (!st.ok()) return ReportUsageError(st.message(), kHelp);
    }
    if (!warning_.empty() || !critical_.empty()) {
      if (only_.size() != 1) {
        return ReportUsageError("--warning and --critical need exactly one --check", kHelp);
      }
      Status st =
          ops::ParseThresholdFlag(only_[0] + "=" + warning_ + ":" + critical_, options.thresholds);
      if (!st.ok()) return ReportUsageError(st.message(), kHelp);
    }
    if (!volume_size_.empty() && !ParseSize(volume_size_, &options.volume_bytes)) {
      return ReportUsageError("--volume-size \"" + volume_size_ + "\": expected e.g. 500GB",
                              kHelp);
    }
    if (!since_.empty()) {
      auto text = ReadText(since_);
      if (!text.ok()) return Fail(text.status(), nagios);
      auto snapshot = ops::SizeSnapshotFromJson(*text);
      if (!snapshot.ok()) {
        return Fail(Status(snapshot.status()).WithContext(since_), nagios);
      }
      options.previous = std::move(snapshot).value();
    }

    Progress("connecting to " + pg::RedactConninfo(dsn_));
    pg::ConnectOptions connect;
    connect.conninfo = dsn_;
    connect.read_only = true;
    connect.statement_timeout_ms = 10000;
    connect.lock_timeout_ms = 1000;
    connect.application_name = "dbarch health";
    auto conn = pg::Connection::Open(connect);
    if (!conn.ok()) return Fail(conn.status(), nagios);
    Progress("running checks on " + conn->DisplayName());
    auto report = ops::RunHealthChecks(*conn, options);
    if (!report.ok()) return Fail(report.status(), nagios);

    if (!save_sizes_.empty()) {
      Status st = WriteResult(ops::SizeSnapshotToJson(report->sizes), save_sizes_);
      if (!st.ok()) return Fail(st, nagios);
    }
    std::string text;
    if (format_ == "json") {
      text = report::HealthToJson(*report);
    } else if (nagios) {
      text = report::HealthToNagios(*report);
    } else if (format_ == "prometheus") {
      text = report::HealthToPrometheus(*report);
    } else {
      text = report::HealthToText(*report);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return Fail(written, nagios);
    ops::Severity worst = report->severity();
    if (nagios) return static_cast<ExitCode>(static_cast<int>(worst));
    if (fail_on_ == "never") return ExitCode::kOk;
    ops::Severity bar = fail_on_ == "warning" ? ops::Severity::kWarning : ops::Severity::kCritical;
    // An unknown check is not a finding: it is reported, and fails only --fail-on warning.
    if (worst == ops::Severity::kUnknown) {
      return bar == ops::Severity::kWarning ? ExitCode::kFindings : ExitCode::kOk;
    }
    return worst >= bar ? ExitCode::kFindings : ExitCode::kOk;
  }

 private:
  // Errors: the usual report, except that a Nagios plugin must print one status line and
  // exit 3 (UNKNOWN) whatever went wrong.
  ExitCode Fail(const Status& status, bool nagios) {
    if (!nagios) return ReportError(status);
    std::cout << "POSTGRES_HEALTH UNKNOWN - " << status.message() << "\n";
    return static_cast<ExitCode>(3);
  }

  ExitCode ListChecks() {
    std::string out;
    for (const ops::HealthCheckInfo& c : ops::AllHealthChecks()) {
      const char* op = c.direction == ops::Direction::kLowerIsWorse ? "<=" : ">=";
      auto level = [&](double v) {
        return v >= 1e17 ? std::string("never") : fmt::format("{} {} {}", op, Number(v), c.unit);
      };
      out += fmt::format("{:<21} {}\n{:<21} warning {}, critical {}\n", c.name, c.summary, "",
                         level(c.defaults.warning), level(c.defaults.critical));
    }
    Status written = WriteResult(out, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

  static std::string Number(double v) {
    if (v >= 1e17) return "never";
    if (v == static_cast<double>(static_cast<int64_t>(v))) return std::to_string(static_cast<int64_t>(v));
    return fmt::format("{}", v);
  }

  std::string dsn_;
  std::string format_ = "text";
  std::vector<std::string> only_;
  std::vector<std::string> threshold_flags_;
  std::string warning_;
  std::string critical_;
  std::string config_path_;
  std::string since_;
  std::string save_sizes_;
  std::string volume_size_;
  std::string fail_on_ = "critical";
  bool list_checks_ = false;
  std::string output_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeHealthCommand() { return std::make_unique<HealthCommand>(); }

}  // namespace dbarch::cli
