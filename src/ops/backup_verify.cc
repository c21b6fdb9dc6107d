#include "ops/backup_verify.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/strings.h"
#include "ops/backup_plan.h"
#include "ops/backup_process.h"
#include "pg/connection.h"
#include "sandbox/process.h"

namespace dbarch::ops {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kStanza = "dbarch";
constexpr const char* kDatabase = "verify";
// pgBackRest's exit code for "unable to acquire lock".
constexpr int kLockExitCode = 50;
// The tables of the proof: one with a primary key and updates, one with an identity key,
// one without any key (checksums must not depend on physical order).
constexpr const char* kTables[] = {"accounts", "transfers", "audit_log"};

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string Tail(const std::string& text, size_t max) {
  std::string_view t = Trim(text);
  if (t.size() > max) t = t.substr(t.size() - max);
  return std::string(t);
}

std::string ReadTail(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return Tail(ss.str(), max);
}

// The state of the proof: the sandbox, the restored server and the paths. Members are
// destroyed in reverse order, so the restored server stops before the sandbox (and its
// directory, which holds the restored data) goes.
class Proof {
 public:
  Proof(const BackupVerifyOptions& options, const ProgressFn& progress, BackupVerifyResult& result)
      : options_(options), progress_(progress), result_(result) {}

  Status Prepare();
  bool Run();

 private:
  // Runs one step, timing it and recording its outcome; false when it failed.
  bool Step(const std::string& name, const std::function<Status(std::string&)>& body);
  Result<ProcessOutput> Pgbackrest(const std::vector<std::string>& args,
                                   const std::string& pg_path_override = "");
  Status PgbackrestOk(const std::vector<std::string>& args, const std::string& what,
                      int64_t* elapsed_ms = nullptr);
  Result<pg::Connection> Connect(const std::string& conninfo);
  Status Checksums(pg::Connection& conn, bool restored);
  Result<nlohmann::json> Info();

  const BackupVerifyOptions& options_;
  const ProgressFn& progress_;
  BackupVerifyResult& result_;
  sandbox::ServerAccount account_;
  std::string base_;  // <sandbox dir>/pgbackrest
  std::string conf_path_;
  std::string restore_dir_;
  std::string full_label_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<ServerProcess> restored_;
};

bool Proof::Step(const std::string& name, const std::function<Status(std::string&)>& body) {
  if (progress_) progress_(name);
  VerifyStep step;
  step.name = name;
  const auto t0 = Clock::now();
  Status status = body(step.detail);
  step.elapsed_ms = MillisSince(t0);
  step.ok = status.ok();
  if (!status.ok()) {
    step.detail = status.message();
    if (!status.hint().empty()) step.detail += " (" + status.hint() + ")";
    result_.failure = name + ": " + step.detail;
  }
  result_.steps.push_back(std::move(step));
  return status.ok();
}

Result<ProcessOutput> Proof::Pgbackrest(const std::vector<std::string>& args,
                                        const std::string& pg_path_override) {
  std::vector<std::string> argv = {options_.pgbackrest, "--config=" + conf_path_,
                                   std::string("--stanza=") + kStanza};
  if (!pg_path_override.empty()) argv.push_back("--pg1-path=" + pg_path_override);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(account_, argv, base_, options_.command_timeout_s * 1000);
}

Status Proof::PgbackrestOk(const std::vector<std::string>& args, const std::string& what,
                           int64_t* elapsed_ms) {
  ProcessOutput out;
  // Exit 50: another pgBackRest process (an asynchronous archive-push) holds a lock for a
  // moment; pgBackRest's own advice is to try again.
  for (int attempt = 0;; ++attempt) {
    DBARCH_ASSIGN_OR_RETURN(out, Pgbackrest(args));
    if (out.exit_code != kLockExitCode || attempt >= 40) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (elapsed_ms != nullptr) *elapsed_ms = out.elapsed_ms;
  if (out.exit_code != 0) {
    return Status::Internal(fmt::format("pgbackrest {} exited with {}: {}", what, out.exit_code,
                                        Tail(out.output, 1500)));
  }
  return Status::OK();
}

Result<pg::Connection> Proof::Connect(const std::string& conninfo) {
  pg::ConnectOptions connect;
  connect.conninfo = conninfo;
  connect.read_only = false;
  connect.application_name = "dbarch backup verify";
  connect.statement_timeout_ms = 0;
  return pg::Connection::Open(connect);
}

Result<nlohmann::json> Proof::Info() {
  DBARCH_ASSIGN_OR_RETURN(ProcessOutput out, Pgbackrest({"--output=json", "info"}));
  if (out.exit_code != 0) {
    return Status::Internal("pgbackrest info exited with " + std::to_string(out.exit_code) + ": " +
                            Tail(out.output, 1000));
  }
  nlohmann::json j = nlohmann::json::parse(out.output, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty() || !j[0].contains("backup")) {
    return Status::Internal("pgbackrest info printed no backups: " + Tail(out.output, 500));
  }
  return j[0];
}

// Per table: the row count and the md5 of the sorted md5s of its rows, so the checksum does
// not depend on the rows' physical order (the restore may lay them out differently).
Status Proof::Checksums(pg::Connection& conn, bool restored) {
  for (size_t i = 0; i < std::size(kTables); ++i) {
    const std::string sql = fmt::format(
        "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
        "FROM (SELECT md5(t::text) AS h FROM public.{} t) s",
        kTables[i]);
    DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Exec(sql));
    if (result_.tables.size() <= i) {
      TableCheck t;
      t.table = std::string("public.") + kTables[i];
      result_.tables.push_back(t);
    }
    TableCheck& t = result_.tables[i];
    if (restored) {
      t.restored_rows = r.GetInt(0, 0);
      t.restored_checksum = std::string(r.Get(0, 1));
    } else {
      t.rows_at_target = r.GetInt(0, 0);
      t.checksum_at_target = std::string(r.Get(0, 1));
    }
  }
  return Status::OK();
}

Status Proof::Prepare() {
  if (options_.rows < 100) return Status::InvalidArgument("--rows must be at least 100");
  if (access(options_.pgbackrest.c_str(), X_OK) != 0) {
    return Status::NotFound("pgBackRest not found at \"" + options_.pgbackrest + "\"")
        .WithHint("install the Debian package pgbackrest (scripts/install-deps.sh)");
  }
  DBARCH_ASSIGN_OR_RETURN(account_, sandbox::ResolveServerAccount());
  DBARCH_ASSIGN_OR_RETURN(ProcessOutput version,
                          RunProgram(account_, {options_.pgbackrest, "version"}, "/", 30000));
  result_.pgbackrest_version = std::string(Trim(version.output));

  sandbox::SandboxOptions sb_options = options_.sandbox;
  // Archiving needs replica WAL and archive_mode (both need a restart, so they are start
  // options); archive_command is set later with ALTER SYSTEM, as on a real server, because
  // the configuration file lives in the sandbox's directory, which exists only once started.
  sb_options.settings.emplace_back("wal_level", "replica");
  sb_options.settings.emplace_back("archive_mode", "on");
  sb_options.settings.emplace_back("max_wal_senders", "0");
  DBARCH_ASSIGN_OR_RETURN(sandbox_, sandbox::Sandbox::Start(sb_options));
  result_.work_dir = sandbox_->dir();
  base_ = sandbox_->dir() + "/pgbackrest";
  conf_path_ = base_ + "/pgbackrest.conf";
  restore_dir_ = sandbox_->dir() + "/restore";
  for (const char* sub : {"", "/repo", "/spool", "/log", "/lock"}) {
    DBARCH_RETURN_IF_ERROR(MakeOwnedDirectory(base_ + sub, account_, 0700));
  }
  PgbackrestConfInput conf;
  conf.stanza = kStanza;
  conf.repo_path = base_ + "/repo";
  conf.spool_path = base_ + "/spool";
  conf.log_path = base_ + "/log";
  conf.lock_path = base_ + "/lock";
  conf.retention_full = 2;
  conf.compress_type = options_.compress_type;
  conf.process_max = options_.process_max;
  conf.archive_async = true;
  conf.pg_path = sandbox_->data_dir();
  conf.pg_port = sandbox_->port();
  conf.pg_socket_path = sandbox_->dir();
  result_.pgbackrest_conf = RenderPgbackrestConf(conf);
  return WriteOwnedFile(conf_path_, result_.pgbackrest_conf, account_, 0600);
}

bool Proof::Run() {
  const std::string db_conninfo = sandbox_->ConnInfo() + " dbname=" + kDatabase;
  std::unique_ptr<pg::Connection> conn;
  const int64_t n = options_.rows;

  // The stanza exists before archive_command is set: archive-push fails (and retries)
  // without one, and a running asynchronous push holds the lock stanza-create needs.
  if (!Step("stanza-create", [&](std::string& detail) {
        detail = "repository " + base_ + "/repo";
        return PgbackrestOk({"stanza-create"}, "stanza-create");
      })) {
    return false;
  }
  if (!Step("configure archiving", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(sandbox_->CreateDatabase(kDatabase));
        DBARCH_ASSIGN_OR_RETURN(pg::Connection c, Connect(db_conninfo));
        conn = std::make_unique<pg::Connection>(std::move(c));
        result_.server_version_num = conn->server_version_num();
        const std::string command = ArchiveCommand(kStanza, conf_path_);
        DBARCH_RETURN_IF_ERROR(
            conn->ExecScript("ALTER SYSTEM SET archive_command = " + QuoteLiteral(command)));
        DBARCH_RETURN_IF_ERROR(conn->ExecScript("SELECT pg_reload_conf()"));
        // The reload is asynchronous: wait until this session's view shows the command.
        for (int i = 0; i < 200; ++i) {
          DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                                  conn->Exec("SELECT current_setting('archive_command')"));
          if (r.Get(0, 0) == command) {
            detail = "archive_mode=on, wal_level=replica, archive_command='" + command + "'";
            return Status::OK();
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return Status::Internal("the server did not load the new archive_command");
      })) {
    return false;
  }
  if (!Step("load data", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(conn->ExecScript(fmt::format(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, "
            "  balance numeric(14,2) NOT NULL);"
            "CREATE TABLE transfers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "  from_id bigint, to_id bigint, amount numeric(14,2), note text);"
            "CREATE TABLE audit_log (at_step int, message text);"
            "INSERT INTO accounts SELECT i, 'owner ' || i, (i % 1000) * 1.25 "
            "  FROM generate_series(1, {0}) i;"
            "INSERT INTO transfers (from_id, to_id, amount, note) "
            "  SELECT i, {0} + 1 - i, i % 97, repeat(md5(i::text), 2) FROM generate_series(1, {0}) "
            "i;"
            "INSERT INTO audit_log SELECT 0, 'loaded ' || i FROM generate_series(1, {0}) i;"
            "CHECKPOINT",
            n)));
        DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                                conn->Exec("SELECT pg_database_size(current_database())"));
        result_.database_bytes = r.GetInt(0, 0);
        detail = fmt::format("3 tables x {} rows, database {}", n,
                             FormatBytes(static_cast<double>(result_.database_bytes)));
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("check", [&](std::string& detail) {
        detail = "archive_command reaches the repository";
        return PgbackrestOk({"check"}, "check");
      })) {
    return false;
  }
  if (!Step("full backup", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(
            PgbackrestOk({"--type=full", "backup"}, "backup --type=full", &result_.full_backup_ms));
        DBARCH_ASSIGN_OR_RETURN(nlohmann::json info, Info());
        const nlohmann::json& b = info["backup"].back();
        full_label_ = b.value("label", "");
        result_.full_backup_bytes = b["info"].value("size", int64_t{0});
        result_.full_backup_repo_bytes = b["info"]["repository"].value("delta", int64_t{0});
        if (result_.full_backup_ms > 0) {
          result_.backup_bytes_per_s =
              result_.full_backup_bytes * 1000.0 / static_cast<double>(result_.full_backup_ms);
        }
        if (result_.full_backup_bytes > 0) {
          result_.compression_ratio = static_cast<double>(result_.full_backup_repo_bytes) /
                                      static_cast<double>(result_.full_backup_bytes);
        }
        detail = fmt::format("{}: {} of cluster in {} ms ({}/s), {} in the repository", full_label_,
                             FormatBytes(result_.full_backup_bytes), result_.full_backup_ms,
                             FormatBytes(result_.backup_bytes_per_s),
                             FormatBytes(result_.full_backup_repo_bytes));
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("writes before the target", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(conn->ExecScript(fmt::format(
            "INSERT INTO transfers (from_id, to_id, amount, note) "
            "  SELECT i, i + 1, 1.50, 'before target' FROM generate_series(1, {0}) i;"
            "UPDATE accounts SET balance = balance + 10 WHERE id % 10 = 0;"
            "DELETE FROM audit_log WHERE message LIKE '%7';"
            "INSERT INTO audit_log SELECT 1, 'before target ' || i FROM generate_series(1, {0}) i",
            n / 10)));
        // pgBackRest picks the backup for a time target by whole seconds of its stop time.
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        DBARCH_RETURN_IF_ERROR(Checksums(*conn, false));
        DBARCH_ASSIGN_OR_RETURN(
            pg::QueryResult r,
            conn->Exec("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD HH24:MI:SS.US') || '+00', pg_current_wal_insert_lsn()::text"));
        result_.target_time = std::string(r.Get(0, 0));
        result_.target_lsn = std::string(r.Get(0, 1));
        result_.target_kind = options_.target_lsn ? "lsn" : "time";
        result_.target = options_.target_lsn ? result_.target_lsn : result_.target_time;
        detail = fmt::format("{} transfers, updates, deletes; target time {}, LSN {}", n / 10,
                             result_.target_time, result_.target_lsn);
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("writes after the target", [&](std::string& detail) -> Status {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        DBARCH_RETURN_IF_ERROR(conn->ExecScript(
            fmt::format("INSERT INTO transfers (from_id, to_id, amount, note) "
                        "  SELECT i, i + 2, 2.50, 'after target' FROM generate_series(1, {0}) i;"
                        "UPDATE accounts SET balance = 0 WHERE id % 3 = 0;"
                        "DELETE FROM audit_log;"  // the accident the restore undoes
                        "CREATE TABLE created_after_target AS SELECT 1 AS x",
                        n / 10)));
        for (size_t i = 0; i < std::size(kTables); ++i) {
          DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                                  conn->Exec(fmt::format("SELECT count(*) FROM {}", kTables[i])));
          result_.tables[i].rows_at_end = r.GetInt(0, 0);
        }
        detail = fmt::format(
            "{} transfers, balances zeroed, DELETE FROM audit_log, "
            "CREATE TABLE created_after_target",
            n / 10);
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("archive a WAL segment", [&](std::string& detail) -> Status {
        DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                                conn->Exec("SELECT pg_walfile_name(pg_switch_wal())"));
        const std::string segment(r.Get(0, 0));
        const auto t0 = Clock::now();
        while (true) {
          DBARCH_ASSIGN_OR_RETURN(
              pg::QueryResult a,
              conn->Exec("SELECT coalesce(last_archived_wal, ''), failed_count FROM "
                         "pg_stat_archiver"));
          if (std::string(a.Get(0, 0)) >= segment) break;
          if (MillisSince(t0) > options_.command_timeout_s * 1000LL) {
            return Status::Internal("segment " + segment + " was not archived in time (" +
                                    std::string(a.Get(0, 1)) + " failures)");
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        result_.archive_push_ms = MillisSince(t0);
        detail = fmt::format("segment {} in the repository {} ms after the switch", segment,
                             result_.archive_push_ms);
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("incremental backup", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(
            PgbackrestOk({"--type=incr", "backup"}, "backup --type=incr", &result_.incr_backup_ms));
        DBARCH_ASSIGN_OR_RETURN(nlohmann::json info, Info());
        const nlohmann::json& b = info["backup"].back();
        result_.incr_backup_repo_bytes = b["info"]["repository"].value("delta", int64_t{0});
        detail = fmt::format("{} in {} ms, {} in the repository", b.value("label", ""),
                             result_.incr_backup_ms, FormatBytes(result_.incr_backup_repo_bytes));
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("pgbackrest verify", [&](std::string& detail) {
        detail = "backups and archived WAL readable, checksums match";
        return PgbackrestOk({"verify"}, "verify");
      })) {
    return false;
  }
  // The live check of `backup verify --dsn` on a server whose archiving and backups work.
  if (!Step("live check", [&](std::string& detail) -> Status {
        LiveCheckOptions live;
        live.stanza = kStanza;
        live.config = conf_path_;
        live.pgbackrest = options_.pgbackrest;
        live.max_backup_age_s = 3600;
        DBARCH_ASSIGN_OR_RETURN(LiveCheckResult check, CheckLiveBackups(*conn, live));
        if (!check.ok()) {
          return Status::Internal("the live check found problems: " + Join(check.problems, "; "));
        }
        detail =
            fmt::format("archiving ok ({} WAL files, no failure), {} backups, newest {} {} s old",
                        check.archived_count, check.backups, check.newest_backup_label,
                        check.newest_backup_age_s);
        return Status::OK();
      })) {
    return false;
  }
  conn.reset();

  const std::string restored_data = restore_dir_ + "/data";
  if (!Step("restore", [&](std::string& detail) -> Status {
        DBARCH_RETURN_IF_ERROR(MakeOwnedDirectory(restore_dir_, account_, 0700));
        DBARCH_RETURN_IF_ERROR(MakeOwnedDirectory(restored_data, account_, 0700));
        std::vector<std::string> args = {"--type=" + result_.target_kind,
                                         "--target=" + result_.target, "--target-action=promote"};
        // pgBackRest chooses the backup itself for a time target; for an LSN it must be told.
        if (options_.target_lsn) args.push_back("--set=" + full_label_);
        // Synchronous archive-get during recovery: an asynchronous one detaches from the
        // server's process tree and could outlive the restored server and the proof.
        args.push_back("--recovery-option=restore_command=pgbackrest --config=" + conf_path_ +
                       " --stanza=" + std::string(kStanza) + " --pg1-path=" + restored_data +
                       " --no-archive-async archive-get %f \"%p\"");
        args.push_back("restore");
        DBARCH_ASSIGN_OR_RETURN(ProcessOutput out, Pgbackrest(args, restored_data));
        result_.restore_ms = out.elapsed_ms;
        if (out.exit_code != 0) {
          return Status::Internal(fmt::format("pgbackrest restore exited with {}: {}",
                                              out.exit_code, Tail(out.output, 1500)));
        }
        if (result_.restore_ms > 0) {
          result_.restore_bytes_per_s =
              result_.full_backup_bytes * 1000.0 / static_cast<double>(result_.restore_ms);
        }
        detail = fmt::format("to {} {} into a fresh data directory in {} ms ({}/s)",
                             result_.target_kind, result_.target, result_.restore_ms,
                             FormatBytes(result_.restore_bytes_per_s));
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("recover and promote", [&](std::string& detail) -> Status {
        const auto t0 = Clock::now();
        ServerProcess::Options server;
        server.postgres = options_.sandbox.bin_dir + "/postgres";
        server.data_dir = restored_data;
        server.socket_dir = restore_dir_;
        server.log_path = restore_dir_ + "/postgres.log";
        DBARCH_ASSIGN_OR_RETURN(server.port, sandbox::PickFreeLoopbackPort());
        // The restored cluster must not archive into the repository it came from; the
        // limits WAL records (max_connections, max_locks_per_transaction, ...) must be at
        // least the source's for recovery to run, so they are read from the source.
        server.settings = {{"archive_mode", "off"},     {"wal_level", "replica"},
                           {"max_wal_senders", "0"},    {"shared_buffers", "128MB"},
                           {"fsync", "off"},            {"huge_pages", "off"},
                           {"logging_collector", "off"}};
        {
          DBARCH_ASSIGN_OR_RETURN(pg::Connection source, Connect(sandbox_->ConnInfo()));
          DBARCH_ASSIGN_OR_RETURN(
              pg::QueryResult limits,
              source.Exec("SELECT name, setting FROM pg_settings WHERE name IN "
                          "('max_connections', 'max_locks_per_transaction', "
                          "'max_worker_processes', 'max_prepared_transactions') ORDER BY name"));
          for (int i = 0; i < limits.rows(); ++i) {
            server.settings.emplace_back(limits.Get(i, 0), limits.Get(i, 1));
          }
        }
        DBARCH_ASSIGN_OR_RETURN(restored_, ServerProcess::Start(account_, server));
        const auto deadline = t0 + std::chrono::seconds(options_.command_timeout_s);
        while (true) {
          if (!restored_->IsAlive()) {
            return Status::Internal("the restored server exited during recovery; log:\n" +
                                    ReadTail(server.log_path, 2000));
          }
          if (pg::Ping(restored_->ConnInfo(kDatabase), 2) == pg::PingResult::kAccepting) {
            Result<pg::Connection> c = Connect(restored_->ConnInfo(kDatabase));
            if (c.ok()) {
              auto r = c->Exec("SELECT pg_is_in_recovery()");
              if (r.ok() && !r->GetBool(0, 0)) break;
            }
          }
          if (Clock::now() > deadline) {
            return Status::Internal("the restored server was not promoted in time; log:\n" +
                                    ReadTail(server.log_path, 2000));
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        result_.recovery_ms = MillisSince(t0);
        const std::string log = ReadTail(server.log_path, 20000);
        size_t stop = log.find("recovery stopping");
        std::string stop_line =
            stop == std::string::npos ? "" : log.substr(stop, log.find('\n', stop) - stop);
        detail = fmt::format("promoted {} ms after start{}", result_.recovery_ms,
                             stop_line.empty() ? "" : "; log: " + stop_line);
        return Status::OK();
      })) {
    return false;
  }
  if (!Step("compare with the target", [&](std::string& detail) -> Status {
        DBARCH_ASSIGN_OR_RETURN(pg::Connection c, Connect(restored_->ConnInfo(kDatabase)));
        DBARCH_RETURN_IF_ERROR(Checksums(c, true));
        DBARCH_ASSIGN_OR_RETURN(
            pg::QueryResult r, c.Exec("SELECT to_regclass('public.created_after_target') IS NULL"));
        result_.later_table_absent = r.GetBool(0, 0);
        std::vector<std::string> bad;
        for (TableCheck& t : result_.tables) {
          t.matches =
              t.restored_rows == t.rows_at_target && t.restored_checksum == t.checksum_at_target;
          if (!t.matches) {
            bad.push_back(fmt::format(
                "{}: {} rows restored, {} at the target{}", t.table, t.restored_rows,
                t.rows_at_target, t.restored_rows == t.rows_at_target ? " (other values)" : ""));
            result_.rows_lost += std::max<int64_t>(1, std::abs(t.rows_at_target - t.restored_rows));
          }
        }
        if (!result_.later_table_absent) {
          bad.push_back("table public.created_after_target, created after the target, exists");
        }
        if (!bad.empty()) return Status::Internal("the restore differs: " + Join(bad, "; "));
        detail = fmt::format(
            "{} tables identical to the target state (row counts and "
            "checksums); nothing written after the target is present",
            result_.tables.size());
        return Status::OK();
      })) {
    return false;
  }
  return true;
}

}  // namespace

Result<BackupVerifyResult> VerifyBackupRestore(const BackupVerifyOptions& options, const ProgressFn& progress) {
  BackupVerifyResult result;
  {
    Proof proof(options, progress, result);
    DBARCH_RETURN_IF_ERROR(proof.Prepare());
    result.passed = proof.Run();
    // ~Proof: the restored server stops, then the sandbox and its directory go.
  }
  return result;
}

Result<LiveCheckResult> CheckLiveBackups(pg::Connection& conn, const LiveCheckOptions& options) {
  LiveCheckResult out;
  DBARCH_ASSIGN_OR_RETURN(
      pg::QueryResult r,
      conn.Exec("SELECT current_setting('archive_mode'), "
                "coalesce((SELECT setting FROM pg_settings WHERE name = 'archive_command'), ''), "
                "archived_count, failed_count, "
                "(last_failed_time IS NOT NULL AND (last_archived_time IS NULL OR "
                " last_failed_time > last_archived_time)), "
                "coalesce(extract(epoch FROM now() - last_archived_time)::bigint, -1), "
                "coalesce(last_failed_wal, '') "
                "FROM pg_stat_archiver"));
  out.archive_mode = std::string(r.Get(0, 0));
  out.archive_command = std::string(r.Get(0, 1));
  out.archived_count = r.GetInt(0, 2);
  out.failed_count = r.GetInt(0, 3);
  out.archive_failing = r.GetBool(0, 4);
  out.last_archived_age_s = r.GetInt(0, 5);
  if (out.archive_mode == "off") {
    out.problems.push_back("archive_mode is off: no WAL archive, no point-in-time recovery");
  } else if (out.archive_failing) {
    out.problems.push_back(
        fmt::format("archive_command is failing ({} failures, the last for "
                    "WAL file {})",
                    out.failed_count, std::string(r.Get(0, 6))));
  }
  if (out.archive_mode != "off" && out.archive_command.find("pgbackrest") == std::string::npos &&
      !out.archive_command.empty()) {
    out.notes.push_back("archive_command does not call pgBackRest: '" + out.archive_command + "'");
  }
  if (options.stanza.empty()) {
    out.notes.push_back("no --stanza: backup freshness not checked");
    return out;
  }
  DBARCH_ASSIGN_OR_RETURN(sandbox::ServerAccount account, sandbox::ResolveServerAccount());
  std::vector<std::string> argv = {options.pgbackrest};
  if (!options.config.empty()) argv.push_back("--config=" + options.config);
  argv.insert(argv.end(), {"--stanza=" + options.stanza, "--output=json", "info"});
  Result<ProcessOutput> info = RunProgram(account, argv, "/", 120000);
  if (!info.ok()) {
    out.problems.push_back("pgbackrest info: " + info.status().message());
    return out;
  }
  nlohmann::json j = nlohmann::json::parse(info->output, nullptr, false);
  if (info->exit_code != 0 || j.is_discarded() || !j.is_array() || j.empty()) {
    out.problems.push_back(fmt::format("pgbackrest info exited with {}: {}", info->exit_code,
                                       Tail(info->output, 500)));
    return out;
  }
  out.stanza_checked = true;
  const nlohmann::json& stanza = j[0];
  if (stanza.contains("status") && stanza["status"].value("code", 0) != 0 &&
      stanza["status"].value("code", 0) != 2) {
    out.problems.push_back("stanza " + options.stanza + ": " +
                           stanza["status"].value("message", std::string("error")));
  }
  const nlohmann::json backups = stanza.value("backup", nlohmann::json::array());
  out.backups = static_cast<int>(backups.size());
  if (backups.empty()) {
    out.problems.push_back("stanza " + options.stanza + " has no backup");
    return out;
  }
  const nlohmann::json& newest = backups.back();
  out.newest_backup_label = newest.value("label", "");
  out.newest_backup_type = newest.value("type", "");
  int64_t stop = newest["timestamp"].value("stop", int64_t{0});
  out.newest_backup_age_s = std::max<int64_t>(0, static_cast<int64_t>(time(nullptr)) - stop);
  if (out.newest_backup_age_s > options.max_backup_age_s) {
    out.problems.push_back(fmt::format(
        "the newest backup {} is {} old (limit {})", out.newest_backup_label,
        FormatDuration(out.newest_backup_age_s), FormatDuration(options.max_backup_age_s)));
  }
  return out;
}

}  // namespace dbarch::ops
