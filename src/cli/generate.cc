// `dbarch generate`: realistic data that satisfies the schema's constraints — into a
// sandbox (the default: load the DDL, fill every table, prove that the server accepted every
// row with all constraints enabled, report rows/s), into a live database (--dsn, only with
// --yes, only into empty tables, in one transaction), or into COPY files with a psql load
// script (--out).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "datagen/generator.h"
#include "datagen/like.h"
#include "datagen/load.h"
#include "datagen/plan.h"
#include "datagen/spec.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "report/catalog_sql.h"
#include "sandbox/sandbox.h"

namespace dbarch::cli {

namespace {

constexpr const char* kHelp = "dbarch generate --help";
constexpr const char* kDatabase = "dbarch_generate";

class GenerateCommand : public Subcommand {
 public:
  std::string name() const override { return "generate"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "generate", "Fill a schema with realistic data that satisfies its constraints");
    cmd->footer(
        "Targets: a sandbox (default: loads --schema, fills it, checks the server accepted\n"
        "every row, reports rows/s), --out DIR (COPY files and a psql load.sql), or --dsn with\n"
        "--yes (a live database: empty tables only, one transaction).\n"
        "Row counts: --rows orders=5M,customers=100k or the spec file; distributions, null\n"
        "fractions, distinct values and text kinds per column in the spec (docs/generate.md).\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input (schema, spec, rows the server rejected),\n"
        "4 connection/I/O, 70 internal.");
    cmd->add_option("--schema", schema_paths_, "DDL files or directories of the schema")
        ->type_name("FILE_OR_DIR")
        ->expected(1, -1);
    cmd->add_option("--dsn", dsn_, "write into this live database (needs --yes; empty tables only)")
        ->type_name("CONNINFO");
    cmd->add_flag("--yes", yes_, "confirm writing into the --dsn database");
    cmd->add_option("--out", out_dir_, "write COPY files and load.sql into DIR instead")->type_name("DIR");
    cmd->add_option("--rows", rows_, "row counts, e.g. orders=5M,customers=100k")->type_name("TABLE=N,...");
    cmd->add_option("--default-rows", default_rows_, "rows for tables not named elsewhere (default 1000)")
        ->type_name("N");
    cmd->add_option("--spec", spec_path_, "YAML spec: rows, distributions, null fractions per column")
        ->type_name("FILE");
    cmd->add_option("--seed", seed_, "random seed (same seed, same data)")->type_name("N");
    cmd->add_option("--like", like_,
                    "copy the schema and the statistics (pg_stats) of this live database, not its rows")
        ->type_name("CONNINFO");
    cmd->add_option("--scale", scale_, "with --like: multiply its row counts (default 1)")->type_name("F");
    cmd->add_option("--format", format_, "text (default) or json")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--output,-o", output_, "write the report to FILE")->type_name("FILE");
  }

  ExitCode Run() override {
    if (schema_paths_.empty() && dsn_.empty() && like_.empty()) {
      return ReportUsageError("generate needs --schema, --dsn or --like", kHelp);
    }
    if (!like_.empty() && !schema_paths_.empty()) {
      return ReportUsageError("--like reads the schema from that database: drop --schema", kHelp);
    }
    if (scale_ <= 0) return ReportUsageError("--scale must be > 0", kHelp);
    if (!dsn_.empty() && !schema_paths_.empty()) {
      return ReportUsageError("--schema and --dsn exclude each other (--dsn reads the schema from the server)", kHelp);
    }
    if (!dsn_.empty() && !yes_ && out_dir_.empty()) {
      return ReportUsageError("writing into the --dsn database needs --yes (or use --out DIR)", kHelp);
    }

    datagen::Spec spec;
    if (!spec_path_.empty()) {
      auto loaded = datagen::LoadSpec(spec_path_);
      if (!loaded.ok()) return ReportError(loaded.status());
      spec = std::move(loaded).value();
    }
    if (!default_rows_.empty()) {
      auto n = datagen::ParseCount(default_rows_);
      if (!n.ok()) return ReportUsageError("--default-rows: " + n.status().message(), kHelp);
      spec.default_rows = *n;
    }
    if (!rows_.empty()) {
      Status st = datagen::ApplyRowsFlag(rows_, spec);
      if (!st.ok()) return ReportUsageError(st.message(), kHelp);
    }
    if (seed_) spec.seed = *seed_;

    std::optional<pg::Connection> live;
    catalog::Catalog cat;
    if (!like_.empty()) {
      // Schema and statistics of the model database, read-only; its rows stay there.
      Progress("reading the schema and statistics of " + pg::RedactConninfo(like_));
      pg::ConnectOptions options;
      options.conninfo = like_;
      options.read_only = true;
      auto model = pg::Connection::Open(options);
      if (!model.ok()) return ReportError(model.status());
      auto read = pg::IntrospectCatalog(*model, pg::IntrospectOptions{});
      if (!read.ok()) return ReportError(read.status());
      cat = std::move(read).value();
      auto like_spec = datagen::SpecLike(*model, cat, scale_);
      if (!like_spec.ok()) return ReportError(like_spec.status());
      // The spec file and --rows win over the statistics.
      for (auto& [name, ts] : spec.tables) {
        datagen::TableSpec& into = like_spec->tables[name];
        if (ts.rows) into.rows = ts.rows;
        for (auto& [c, cs] : ts.columns) into.columns[c] = cs;
      }
      like_spec->seed = spec.seed;
      like_spec->default_rows = spec.default_rows;
      spec = std::move(like_spec).value();
      ddl_ = report::CatalogToSql(cat);
    }
    if (!dsn_.empty()) {
      Progress("reading the schema of " + pg::RedactConninfo(dsn_));
      pg::ConnectOptions options;
      options.conninfo = dsn_;
      options.read_only = out_dir_.empty() ? false : true;
      options.statement_timeout_ms = 0;
      auto conn = pg::Connection::Open(options);
      if (!conn.ok()) return ReportError(conn.status());
      live.emplace(std::move(conn).value());
      if (like_.empty()) {
        auto read = pg::IntrospectCatalog(*live, pg::IntrospectOptions{});
        if (!read.ok()) return ReportError(read.status());
        cat = std::move(read).value();
      }
    } else if (like_.empty()) {
      auto files = catalog::ExpandSqlPaths(schema_paths_);
      if (!files.ok()) return ReportError(files.status());
      files_ = *files;
      auto built = catalog::BuildCatalogFromPaths(files_, {.on_note = ReportNote});
      if (!built.ok()) return ReportError(built.status());
      cat = std::move(built).value();
    }

    auto plan = datagen::BuildPlan(cat, spec);
    if (!plan.ok()) return ReportError(plan.status());
    for (const datagen::TablePlan& t : plan->tables) {
      for (const std::string& w : t.warnings) warnings_.push_back(t.name.Quoted() + ": " + w);
    }
    for (const std::string& w : warnings_) Warn(w);

    Result<datagen::GenerateStats> stats = Status::OK();
    std::string target;
    if (!out_dir_.empty()) {
      target = out_dir_;
      auto sink = datagen::MakeDirectorySink(out_dir_);
      stats = datagen::Generate(*plan, *sink, ProgressFn());
    } else if (live) {
      target = live->DisplayName();
      stats = IntoLive(*live, *plan);
    } else {
      target = "sandbox";
      stats = IntoSandbox(*plan);
    }
    if (!stats.ok()) return ReportError(stats.status());
    std::string text = format_ == "json" ? Json(*stats, target) : Text(*stats, target);
    Status written = WriteResult(text, output_);
    return written.ok() ? ExitCode::kOk : ReportError(written);
  }

 private:
  static datagen::ProgressFn ProgressFn() {
    if (!StderrIsTerminal()) return nullptr;
    return [](const catalog::QualifiedName& t, int64_t done, int64_t total) {
      std::fprintf(stderr, "\rdbarch: generating %s: %lld / %lld rows   ", t.Quoted().c_str(),
                   static_cast<long long>(done), static_cast<long long>(total));
      if (done >= total) std::fputc('\n', stderr);
      std::fflush(stderr);
    };
  }

  Result<datagen::GenerateStats> Fill(pg::Connection& conn, const datagen::Plan& plan) {
    return datagen::LoadIntoServer(conn, plan, ProgressFn());
  }

  // Every generated table must hold exactly the rows reported.
  static Status Verify(pg::Connection& conn, const datagen::GenerateStats& stats) {
    for (const datagen::TableStats& t : stats.tables) {
      DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Exec("SELECT count(*) FROM " + t.name.Quoted()));
      int64_t n = r.GetInt(0, 0);
      if (n != t.rows) {
        return Status::Internal(t.name.Quoted() + " holds " + std::to_string(n) + " rows, " +
                                std::to_string(t.rows) + " were written");
      }
    }
    return Status::OK();
  }

  Result<datagen::GenerateStats> IntoLive(pg::Connection& conn, const datagen::Plan& plan) {
    for (const datagen::TablePlan& t : plan.tables) {
      DBARCH_ASSIGN_OR_RETURN(pg::QueryResult r,
                              conn.Exec("SELECT EXISTS (SELECT 1 FROM " + t.name.Quoted() + ")"));
      if (r.GetBool(0, 0)) {
        return Status::InvalidArgument("table " + t.name.Quoted() +
                                       " is not empty: generate only fills empty tables");
      }
    }
    return Fill(conn, plan);
  }

  Result<datagen::GenerateStats> IntoSandbox(const datagen::Plan& plan) {
    DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box, StartSandbox(sandbox::SandboxOptions{}));
    DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kDatabase));
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, ConnectForLoading(*box, kDatabase));
    DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, files_));
    if (!ddl_.empty()) {
      Progress("creating the schema of the --like database");
      Status st = conn.ExecScript(ddl_);
      (void)conn.TakeNotices();
      if (!st.ok()) return std::move(st).WithContext("creating the --like schema in the sandbox");
    }
    DBARCH_ASSIGN_OR_RETURN(datagen::GenerateStats stats, Fill(conn, plan));
    DBARCH_RETURN_IF_ERROR(Verify(conn, stats));
    return stats;
  }

  std::string Text(const datagen::GenerateStats& s, const std::string& target) const {
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%-40s %12s %10s %12s\n", "table", "rows", "seconds", "rows/s");
    out += line;
    for (const datagen::TableStats& t : s.tables) {
      std::snprintf(line, sizeof line, "%-40s %12lld %10.3f %12.0f%s\n", t.name.Quoted().c_str(),
                    static_cast<long long>(t.rows), t.seconds, t.seconds > 0 ? t.rows / t.seconds : 0.0,
                    t.rejected > 0 ? ("  (" + std::to_string(t.rejected) + " rows dropped: no unique key left)").c_str() : "");
      out += line;
    }
    std::snprintf(line, sizeof line, "%lld rows in %zu tables, %.1f MB, %.2f s (%.0f rows/s) into %s\n",
                  static_cast<long long>(s.rows), s.tables.size(), s.bytes / 1e6, s.seconds,
                  s.seconds > 0 ? s.rows / s.seconds : 0.0, target.c_str());
    out += line;
    if (target == "sandbox") out += "every row was accepted by PostgreSQL with all constraints enabled\n";
    return out;
  }

  std::string Json(const datagen::GenerateStats& s, const std::string& target) const {
    nlohmann::ordered_json j;
    j["target"] = target;
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (const datagen::TableStats& t : s.tables) {
      tables.push_back({{"table", t.name.Quoted()}, {"rows", t.rows}, {"rejected", t.rejected},
                        {"seconds", t.seconds}});
    }
    j["tables"] = std::move(tables);
    j["rows"] = s.rows;
    j["bytes"] = s.bytes;
    j["seconds"] = s.seconds;
    j["rows_per_second"] = s.seconds > 0 ? s.rows / s.seconds : 0.0;
    j["warnings"] = warnings_;
    return j.dump(2) + "\n";
  }

  std::vector<std::string> schema_paths_;
  std::vector<std::string> files_;
  std::string dsn_;
  bool yes_ = false;
  std::string out_dir_;
  std::string rows_;
  std::string default_rows_;
  std::string spec_path_;
  std::optional<uint64_t> seed_;
  std::string like_;
  double scale_ = 1;
  std::string ddl_;  // --like: the model database's schema as DDL
  std::string format_ = "text";
  std::string output_;
  std::vector<std::string> warnings_;
};

}  // namespace

std::unique_ptr<Subcommand> MakeGenerateCommand() { return std::make_unique<GenerateCommand>(); }

}  // namespace dbarch::cli
