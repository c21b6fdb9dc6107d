// `dbarch tune`: postgresql.conf recommendations for a machine and workload kind, adjusted by
// what a live server measured (read-only).
#include "ops/tune.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "ops/tune_verify.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/tune_report.h"
#include "sandbox/sandbox.h"
#include "workload/log_reader.h"
#include "workload/log_workload.h"
#include "workload/workload.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch tune --help";

// A SQL benchmark for --verify: schema files and data loaded into the sandbox database,
// then the workload's queries measured.
Result<ops::VerifyBenchmark> SqlBenchmark(const std::string& name,
                                          const std::vector<std::string>& schema_paths,
                                          const std::string& data_dir,
                                          const std::vector<std::string>& workload_paths) {
  ops::VerifyBenchmark b;
  b.kind = ops::VerifyBenchmark::Kind::kSql;
  b.name = name;
  DBARCH_ASSIGN_OR_RETURN(b.workload, workload::LoadWorkload(workload_paths));
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, catalog::ExpandSqlPaths(schema_paths));
  {
    auto offline = catalog::BuildCatalogFromPaths(files, {.on_note = ReportNote});
    if (!offline.ok()) return offline.status();
  }
  SandboxDataFlags flags;
  flags.data_dir = data_dir;
  b.load = [files, flags](pg::Connection& conn) -> Status {
    DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, files));
    DBARCH_ASSIGN_OR_RETURN(catalog::Catalog catalog,
                            pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    return LoadSandboxData(conn, catalog, flags).status();
  };
  return b;
}

class TuneCommand : public Subcommand {
 public:
  std::string name() const override { return "tune"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "tune", "Recommend postgresql.conf settings for a machine and workload (with --dsn: "
                "the current values and what the server measured)");
    cmd->footer(
        "Memory and CPUs default to this machine's (say so with --memory/--cpus when the\n"
        "server runs elsewhere). --verify measures the recommendations on a sandbox before\n"
        "and after, setting group by group, and drops groups that measure slower.\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input, 4 connection/I/O.");
    cmd->add_option("--dsn", dsn_, "a live server: current values, temp files, checkpoints")
        ->type_name("CONNINFO");
    cmd->add_option("--log", logs_,
                    "server logs (files or a directory of rotated ones): temporary files "
                    "written by statements raise work_mem where they run often")
        ->type_name("PATH");
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
    cmd->add_flag("--verify", verify_,
                  "measure the recommendations on a sandbox sized like the target, group by "
                  "group, and drop groups that measure slower (docs/tune.md)");
    cmd->add_option("--benchmarks", benchmarks_,
                    "with --verify: tpcb, select-only, tpch (default by --workload: web, oltp, "
                    "desktop: tpcb,select-only; dw: tpch; mixed: all three)")
        ->delimiter(',')
        ->check(CLI::IsMember({"tpcb", "select-only", "tpch"}));
    cmd->add_option("--tpch", tpch_dir_,
                    "with --verify: the TPC-H kit (schema.sql, sf0.1/, "
                    "queries/), e.g. ../shared/bench/tpch")
        ->type_name("DIR");
    cmd->add_option("--bench-schema", bench_schema_,
                    "with --verify: your schema (DDL file or directory), for --bench-workload")
        ->type_name("FILE_OR_DIR")
        ->expected(1, -1);
    cmd->add_option("--bench-data", bench_data_, "with --verify: data files for --bench-schema")
        ->type_name("DIR");
    cmd->add_option("--bench-workload", bench_workload_,
                    "with --verify: your workload (SQL file or directory), measured as "
                    "`dbarch bench` does")
        ->type_name("FILE_OR_DIR")
        ->expected(1, -1);
    cmd->add_option("--rounds", rounds_, "with --verify: runs per configuration (default 3)")
        ->check(CLI::Range(2, 100));
    cmd->add_option("--pgbench-seconds", pgbench_seconds_,
                    "with --verify: each pgbench run (default 30)")
        ->check(CLI::Range(1, 3600));
    cmd->add_option("--pgbench-scale", pgbench_scale_,
                    "with --verify: pgbench scale factor, ~15 MB each (default 50)")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--pgbench-clients", pgbench_clients_,
                    "with --verify: pgbench sessions (default twice the CPUs)")
        ->check(CLI::Range(1, 1000));
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
    // The log's figures go to the recommendation only; --verify's before values stay the
    // server's (or the defaults).
    std::optional<ops::ServerSignals> measured = signals;
    if (!logs_.empty()) {
      auto files = workload::ExpandLogPaths(logs_, workload::LogFormat::kAuto);
      if (!files.ok()) return ReportError(files.status());
      for (const std::string& note : files->notes) Warn(note);
      Progress("reading " + std::to_string(files->files.size()) + " log file(s)");
      auto log = workload::ReadLogs(files->files, workload::LogReadOptions{});
      if (!log.ok()) return ReportError(log.status());
      if (!measured.has_value()) measured.emplace();
      ops::AddLogSpills(*log, signals.has_value(), *measured);
    }
    ops::TuneResult result = ops::RecommendSettings(machine, kind, measured);
    if (memory_.empty() || cpus_ == 0) {
      result.notes.insert(result.notes.begin(),
                          "memory and CPUs are this machine's: give --memory and --cpus if the "
                          "server runs elsewhere");
    }
    std::optional<ops::TuneVerification> verification;
    if (verify_) {
      auto verified = Verify(result, signals, kind);
      if (!verified.ok()) return ReportError(verified.status());
      verification = std::move(verified).value();
      ops::ApplyVerification(*verification, result);
    } else if (!benchmarks_.empty() || !tpch_dir_.empty() || !bench_workload_.empty()) {
      return ReportUsageError("--benchmarks, --tpch and --bench-workload need --verify", kHelp);
    }
    const ops::TuneVerification* v = verification ? &*verification : nullptr;
    std::string text;
    if (format_ == "json")
      text = report::TuneToJson(result, v);
    else if (format_ == "sql") text = report::TuneToAlterSystem(result);
    else if (format_ == "conf") text = report::TuneToConf(result);
    else
      text = report::TuneToText(result, v);
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

 private:
  Result<ops::TuneVerification> Verify(const ops::TuneResult& result,
                                       const std::optional<ops::ServerSignals>& signals,
                                       ops::WorkloadKind kind) {
    std::vector<std::string> names = benchmarks_;
    if (names.empty()) {
      if (kind == ops::WorkloadKind::kDataWarehouse)
        names = {"tpch"};
      else if (kind == ops::WorkloadKind::kMixed)
        names = {"tpcb", "select-only", "tpch"};
      else
        names = {"tpcb", "select-only"};
      // The user's own workload replaces TPC-H as the analytic benchmark.
      if (!bench_workload_.empty()) std::erase(names, "tpch");
    }
    std::vector<ops::VerifyBenchmark> benchmarks;
    for (const std::string& n : names) {
      if (n == "tpcb" || n == "select-only") {
        ops::VerifyBenchmark b;
        b.kind = n == "tpcb" ? ops::VerifyBenchmark::Kind::kPgbenchTpcB
                             : ops::VerifyBenchmark::Kind::kPgbenchSelectOnly;
        b.name = "pgbench " + n;
        benchmarks.push_back(std::move(b));
        continue;
      }
      if (tpch_dir_.empty()) {
        return Status::InvalidArgument(
            "the tpch benchmark needs --tpch DIR (the TPC-H kit: "
            "schema.sql, sf0.1/, queries/)");
      }
      // q17 and q20 run for minutes without indexes at scale factor 0.1: left out, as in
      // the kit's own scoring.
      std::vector<std::string> queries;
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(tpch_dir_ + "/queries", ec)) {
        std::string f = e.path().filename().string();
        if (e.path().extension() == ".sql" && f != "q17.sql" && f != "q20.sql") {
          queries.push_back(e.path().string());
        }
      }
      if (ec) return Status::IOError("reading \"" + tpch_dir_ + "/queries\": " + ec.message());
      std::sort(queries.begin(), queries.end());
      DBARCH_ASSIGN_OR_RETURN(
          ops::VerifyBenchmark b,
          SqlBenchmark("tpch", {tpch_dir_ + "/schema.sql"}, tpch_dir_ + "/sf0.1", queries));
      benchmarks.push_back(std::move(b));
    }
    if (!bench_workload_.empty()) {
      if (bench_schema_.empty()) {
        return Status::InvalidArgument("--bench-workload needs --bench-schema");
      }
      DBARCH_ASSIGN_OR_RETURN(ops::VerifyBenchmark b, SqlBenchmark("workload", bench_schema_,
                                                                   bench_data_, bench_workload_));
      benchmarks.push_back(std::move(b));
    }
    ops::VerifyOptions options;
    options.rounds = rounds_;
    options.pgbench_scale = pgbench_scale_;
    options.pgbench_seconds = pgbench_seconds_;
    options.pgbench_clients = pgbench_clients_;
    options.host_memory_bytes = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
                                static_cast<int64_t>(sysconf(_SC_PAGE_SIZE));
    options.host_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    options.progress = [](const std::string& line) { Progress(line); };
    sandbox::InstallSignalCleanup();
    return ops::VerifyRecommendations(result, signals, benchmarks, options);
  }

  std::string dsn_;
  std::vector<std::string> logs_;
  std::string memory_;
  int cpus_ = 0;
  std::string storage_ = "ssd";
  std::string workload_ = "web";
  int max_connections_ = 0;
  std::string format_ = "text";
  std::string output_;
  bool verify_ = false;
  std::vector<std::string> benchmarks_;
  std::string tpch_dir_;
  std::vector<std::string> bench_schema_;
  std::string bench_data_;
  std::vector<std::string> bench_workload_;
  int rounds_ = 3;
  int pgbench_seconds_ = 30;
  int pgbench_scale_ = 50;
  int pgbench_clients_ = 0;
};

}  // namespace

std::unique_ptr<Subcommand> MakeTuneCommand() { return std::make_unique<TuneCommand>(); }

}  // namespace dbarch::cli
