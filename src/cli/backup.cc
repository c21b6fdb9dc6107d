// `dbarch backup plan`: a pgBackRest backup and PITR plan from recovery objectives and a
// server's size and WAL rate. `dbarch backup verify`: a real point-in-time restore with
// pgBackRest on a sandbox, compared table by table; with --dsn, a read-only check of a live
// server's archiving and backup freshness.
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "cli/console.h"
#include "cli/subcommand.h"
#include "ops/backup_plan.h"
#include "ops/backup_process.h"
#include "ops/backup_verify.h"
#include "pg/connection.h"
#include "report/backup_report.h"
#include "sandbox/sandbox.h"

namespace dbarch::cli {
namespace {

constexpr const char* kPlanHelp = "dbarch backup plan --help";
constexpr const char* kVerifyHelp = "dbarch backup verify --help";

Result<pg::Connection> ConnectReadOnly(const std::string& dsn, const std::string& who) {
  Progress("connecting to " + pg::RedactConninfo(dsn));
  pg::ConnectOptions connect;
  connect.conninfo = dsn;
  connect.read_only = true;
  connect.application_name = who;
  return pg::Connection::Open(connect);
}

// The measured figures of a `backup verify --format json` file.
Result<ops::Throughput> ReadMeasured(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read \"" + path + "\"");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("measured") || !j.contains("passed")) {
    return Status::InvalidArgument("\"" + path + "\" is not the JSON of `dbarch backup verify`");
  }
  if (!j["passed"].get<bool>()) {
    return Status::InvalidArgument("\"" + path + "\" records a failed verification");
  }
  const nlohmann::json& m = j["measured"];
  ops::Throughput t;
  t.backup_bytes_per_s = m.value("backup_bytes_per_s", 0.0);
  t.restore_bytes_per_s = m.value("restore_bytes_per_s", 0.0);
  t.compression_ratio = m.value("compression_ratio", 0.0);
  t.source = "measured by backup verify (" + path + ")";
  return t;
}

class BackupCommand : public Subcommand {
 public:
  std::string name() const override { return "backup"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "backup", "Plan pgBackRest backups and point-in-time recovery, and prove them");
    cmd->require_subcommand(1);
    cmd->footer("Subcommands: plan, verify. See docs/backup.md.");

    plan_ = cmd->add_subcommand(
        "plan",
        "A pgBackRest configuration, archive settings, schedule, sizes and runbook "
        "from RPO/RTO and the server's size and WAL rate");
    plan_->footer(
        "Without --dsn give --db-size and --wal-rate. Throughput defaults are assumptions;\n"
        "pass --measured with the JSON of `dbarch backup verify` to use measured figures.\n"
        "Exit codes: 0 the plan meets every objective, 1 it cannot meet one (said why),\n"
        "2 usage, 3 bad input, 4 connection.");
    plan_->add_option("--dsn", dsn_, "a live server (read-only): size, WAL rate, settings")
        ->type_name("CONNINFO");
    plan_->add_option("--db-size", db_size_, "database size, e.g. 200GB (overrides the server's)")
        ->type_name("SIZE");
    plan_->add_option("--wal-rate", wal_rate_, "WAL written, e.g. 20GB/day or 5MB/s")
        ->type_name("RATE");
    plan_->add_option("--sample", sample_s_,
                      "measure the WAL rate over this many seconds (default: pg_stat_wal)");
    plan_->add_option("--rpo", rpo_, "data loss allowed (default 5min)")->type_name("DURATION");
    plan_->add_option("--rto", rto_, "time to restore allowed (default 4h)")->type_name("DURATION");
    plan_->add_option("--retention-full", retention_full_, "full backups kept (default 2)");
    plan_->add_option("--stanza", stanza_, "pgBackRest stanza name (default main)");
    plan_->add_option("--repo", repo_, "repository path (default /var/lib/pgbackrest)")
        ->type_name("PATH");
    plan_->add_option("--spool", spool_, "spool path for asynchronous archiving")
        ->type_name("PATH");
    plan_->add_option("--compress", compress_, "zst (default), lz4, gz, bz2 or none")
        ->check(CLI::IsMember({"zst", "lz4", "gz", "bz2", "none"}));
    plan_->add_option("--process-max", process_max_, "pgBackRest processes (default 2)");
    plan_->add_option("--backup-hour", backup_hour_, "hour of the scheduled backups (default 1)");
    plan_->add_option("--backup-rate", backup_rate_, "backup throughput, e.g. 100MB/s")
        ->type_name("RATE");
    plan_->add_option("--restore-rate", restore_rate_, "restore throughput")->type_name("RATE");
    plan_->add_option("--replay-rate", replay_rate_, "WAL replay throughput")->type_name("RATE");
    plan_->add_option("--measured", measured_, "JSON of `dbarch backup verify --format json`")
        ->type_name("FILE");
    plan_
        ->add_option("--format", plan_format_,
                     "text (default), json, pgbackrest (pgbackrest.conf), conf "
                     "(postgresql.conf snippet) or cron (/etc/cron.d file)")
        ->check(CLI::IsMember({"text", "json", "pgbackrest", "conf", "cron"}));
    plan_->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");

    verify_ = cmd->add_subcommand(
        "verify",
        "Prove backups with a real pgBackRest point-in-time restore on a sandbox "
        "(with --dsn: check a live server's archiving and backup freshness)");
    verify_->footer(
        "Runs pgBackRest and PostgreSQL as the OS user postgres when run as root; everything\n"
        "lives in the sandbox's private directory and is removed. Exit codes: 0 passed,\n"
        "1 the proof failed (or, with --dsn, a problem was found), 2 usage, 3 bad input,\n"
        "4 connection/IO.");
    verify_->add_option("--rows", rows_, "rows per table in the initial load (default 100000)");
    verify_->add_option("--target", target_, "recover to a time (default) or an lsn")
        ->check(CLI::IsMember({"time", "lsn"}));
    verify_->add_option("--compress", compress_, "zst (default), lz4, gz, bz2 or none")
        ->check(CLI::IsMember({"zst", "lz4", "gz", "bz2", "none"}));
    verify_->add_option("--process-max", process_max_, "pgBackRest processes (default 2)");
    verify_->add_option("--sandbox-dir", sandbox_dir_, "parent of the sandbox (default /tmp)")
        ->type_name("DIR");
    verify_->add_option("--dsn", verify_dsn_, "check a live server instead (read-only)")
        ->type_name("CONNINFO");
    verify_->add_option("--stanza", verify_stanza_, "with --dsn: check this stanza's backups");
    verify_
        ->add_option("--pgbackrest-config", pgbackrest_config_,
                     "with --dsn: pgbackrest.conf (default: pgBackRest's)")
        ->type_name("FILE");
    verify_
        ->add_option("--max-backup-age", max_backup_age_,
                     "with --dsn: newest backup older than this is a problem (default 2d)")
        ->type_name("DURATION");
    verify_->add_option("--format", verify_format_, "text (default) or json")
        ->check(CLI::IsMember({"text", "json"}));
    verify_->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");
  }

  ExitCode Run() override {
    if (plan_->parsed()) return RunPlan();
    return RunVerify();
  }

 private:
  ExitCode RunPlan() {
    ops::BackupObjectives objectives;
    auto rpo = ops::ParseDurationSeconds(rpo_);
    auto rto = ops::ParseDurationSeconds(rto_);
    if (!rpo)
      return ReportUsageError("--rpo \"" + rpo_ + "\": expected e.g. 5min, 30s, 1h", kPlanHelp);
    if (!rto || *rto <= 0) {
      return ReportUsageError("--rto \"" + rto_ + "\": expected e.g. 4h, 30min", kPlanHelp);
    }
    if (retention_full_ < 1)
      return ReportUsageError("--retention-full must be at least 1", kPlanHelp);
    if (process_max_ < 1) return ReportUsageError("--process-max must be at least 1", kPlanHelp);
    if (backup_hour_ < 0 || backup_hour_ > 23) {
      return ReportUsageError("--backup-hour must be 0..23", kPlanHelp);
    }
    if (stanza_.empty() || stanza_.find_first_of(" \t\n'\"[]=") != std::string::npos) {
      return ReportUsageError("--stanza \"" + stanza_ + "\": expected a plain name", kPlanHelp);
    }
    objectives.rpo_s = *rpo;
    objectives.rto_s = *rto;
    objectives.retention_full = retention_full_;
    objectives.stanza = stanza_;
    objectives.repo_path = repo_;
    objectives.spool_path = spool_;
    objectives.compress_type = compress_;
    objectives.process_max = process_max_;
    objectives.full_backup_hour = backup_hour_;

    if (!measured_.empty()) {
      auto measured = ReadMeasured(measured_);
      if (!measured.ok()) return ReportError(measured.status());
      objectives.throughput = *measured;
    }
    auto rate = [&](const std::string& text, const char* flag, double* out) -> bool {
      if (text.empty()) return true;
      auto v = ops::ParseRateBytesPerSecond(text);
      if (!v || *v <= 0) return false;
      *out = *v;
      if (objectives.throughput.source.empty())
        objectives.throughput.source = "given";
      else if (objectives.throughput.source.find("given") == std::string::npos) {
        objectives.throughput.source += "; " + std::string(flag) + " given";
      }
      return true;
    };
    if (!rate(backup_rate_, "--backup-rate", &objectives.throughput.backup_bytes_per_s) ||
        !rate(restore_rate_, "--restore-rate", &objectives.throughput.restore_bytes_per_s) ||
        !rate(replay_rate_, "--replay-rate", &objectives.throughput.replay_bytes_per_s)) {
      return ReportUsageError("a throughput: expected e.g. 100MB/s", kPlanHelp);
    }

    ops::BackupFacts facts;
    std::optional<int64_t> db_size;
    std::optional<double> wal_rate;
    if (!db_size_.empty()) {
      db_size = ops::ParseByteSize(db_size_);
      if (!db_size)
        return ReportUsageError("--db-size \"" + db_size_ + "\": expected e.g. 200GB", kPlanHelp);
    }
    if (!wal_rate_.empty()) {
      wal_rate = ops::ParseRateBytesPerSecond(wal_rate_);
      if (!wal_rate) {
        return ReportUsageError("--wal-rate \"" + wal_rate_ + "\": expected e.g. 20GB/day",
                                kPlanHelp);
      }
    }
    if (dsn_.empty()) {
      if (!db_size || !wal_rate) {
        return ReportUsageError("give --dsn, or --db-size and --wal-rate", kPlanHelp);
      }
      facts.source = "given";
      facts.wal_rate_basis = "given";
      facts.database_bytes = *db_size;
      facts.wal_bytes_per_s = *wal_rate;
    } else {
      auto conn = ConnectReadOnly(dsn_, "dbarch backup plan");
      if (!conn.ok()) return ReportError(conn.status());
      auto read = ops::ReadBackupFacts(*conn, sample_s_);
      if (!read.ok()) return ReportError(read.status());
      facts = std::move(read).value();
      if (db_size) facts.database_bytes = *db_size;
      if (wal_rate) {
        facts.wal_bytes_per_s = *wal_rate;
        facts.wal_rate_basis = "given";
      }
    }
    ops::BackupPlan plan = ops::MakeBackupPlan(facts, objectives);
    std::string text;
    if (plan_format_ == "json")
      text = report::BackupPlanToJson(plan);
    else if (plan_format_ == "pgbackrest")
      text = plan.pgbackrest_conf;
    else if (plan_format_ == "conf")
      text = report::BackupPlanConfSnippet(plan);
    else if (plan_format_ == "cron")
      text = report::BackupPlanCronFile(plan);
    else
      text = report::BackupPlanToText(plan);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return plan.MeetsObjectives() ? ExitCode::kOk : ExitCode::kFindings;
  }

  ExitCode RunVerify() {
    if (!verify_dsn_.empty()) return RunLiveCheck();
    if (!verify_stanza_.empty() || !pgbackrest_config_.empty()) {
      return ReportUsageError("--stanza and --pgbackrest-config go with --dsn", kVerifyHelp);
    }
    if (rows_ < 100) return ReportUsageError("--rows must be at least 100", kVerifyHelp);
    if (process_max_ < 1) return ReportUsageError("--process-max must be at least 1", kVerifyHelp);
    sandbox::InstallSignalCleanup();
    ops::InstallProcessCleanup();  // runs first, then the sandbox cleanup
    ops::BackupVerifyOptions options;
    if (!sandbox_dir_.empty()) options.sandbox.base_dir = sandbox_dir_;
    options.rows = rows_;
    options.target_lsn = target_ == "lsn";
    options.compress_type = compress_;
    options.process_max = process_max_;
    auto result = ops::VerifyBackupRestore(
        options, [](const std::string& step) { Progress("backup verify: " + step); });
    if (!result.ok()) return ReportError(result.status());
    std::string text =
        verify_format_ == "json" ? report::VerifyToJson(*result) : report::VerifyToText(*result);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return result->passed ? ExitCode::kOk : ExitCode::kFindings;
  }

  ExitCode RunLiveCheck() {
    ops::LiveCheckOptions options;
    options.stanza = verify_stanza_;
    options.config = pgbackrest_config_;
    auto age = ops::ParseDurationSeconds(max_backup_age_);
    if (!age || *age <= 0) {
      return ReportUsageError("--max-backup-age \"" + max_backup_age_ + "\": expected e.g. 2d",
                              kVerifyHelp);
    }
    options.max_backup_age_s = *age;
    auto conn = ConnectReadOnly(verify_dsn_, "dbarch backup verify");
    if (!conn.ok()) return ReportError(conn.status());
    auto result = ops::CheckLiveBackups(*conn, options);
    if (!result.ok()) return ReportError(result.status());
    std::string text = verify_format_ == "json" ? report::LiveCheckToJson(*result)
                                                : report::LiveCheckToText(*result);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return result->ok() ? ExitCode::kOk : ExitCode::kFindings;
  }

  CLI::App* plan_ = nullptr;
  CLI::App* verify_ = nullptr;
  std::string dsn_;
  std::string db_size_;
  std::string wal_rate_;
  int sample_s_ = 0;
  std::string rpo_ = "5min";
  std::string rto_ = "4h";
  int retention_full_ = 2;
  std::string stanza_ = "main";
  std::string repo_ = "/var/lib/pgbackrest";
  std::string spool_ = "/var/spool/pgbackrest";
  std::string compress_ = "zst";
  int process_max_ = 2;
  int backup_hour_ = 1;
  std::string backup_rate_;
  std::string restore_rate_;
  std::string replay_rate_;
  std::string measured_;
  std::string plan_format_ = "text";
  std::string output_;
  int64_t rows_ = 100000;
  std::string target_ = "time";
  std::string sandbox_dir_;
  std::string verify_dsn_;
  std::string verify_stanza_;
  std::string pgbackrest_config_;
  std::string max_backup_age_ = "2d";
  std::string verify_format_ = "text";
};

}  // namespace

std::unique_ptr<Subcommand> MakeBackupCommand() { return std::make_unique<BackupCommand>(); }

}  // namespace dbarch::cli
