// `dbarch secure`: an access spec (YAML) and a schema (files or a live database) -> roles,
// privileges, row-level security, masked views as SQL, pg_hba.conf lines and
// postgresql.conf settings; --verify proves the access matrix on a sandbox.
#include <filesystem>
#include <string>
#include <vector>

#include "catalog/builder.h"
#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "pg/connection.h"
#include "pg/introspect.h"
#include "pg/schema_dump.h"
#include "report/secure_report.h"
#include "security/access_spec.h"
#include "security/access_verify.h"
#include "security/secure_sql.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch secure --help";
constexpr const char* kSandboxDatabase = "dbarch_secure";

class SecureCommand : public Subcommand {
 public:
  std::string name() const override { return "secure"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "secure",
        "Access control from a YAML spec: roles, grants, row-level tenant isolation, "
        "masked personal data, pgaudit, pg_hba.conf; --verify proves it on a sandbox");
    cmd->footer(
        "Outputs: --format sql (default), hba, conf, text or json on stdout, or all of them\n"
        "into --out-dir DIR (secure.sql, pg_hba.conf, postgresql.conf, report.txt,\n"
        "report.json). --verify loads the schema, a little generated data and the SQL into a\n"
        "sandbox (pgaudit preloaded, SSL on), logs in through the generated pg_hba.conf as\n"
        "every login role, runs the access matrix and checks the server log's AUDIT lines.\n"
        "Exit codes: 0 ok, 1 --verify found a difference (a matrix or login cell, the SQL's\n"
        "second run, a pg_hba.conf line the server refuses, an AUDIT line missing or\n"
        "unexpected, an audit error), 2 usage, 3 bad input (spec, schema, SQL the server\n"
        "rejects), 4 connection/IO.");
    cmd->add_option("--schema", schema_paths_, "DDL files or directories of the schema")
        ->type_name("PATH");
    cmd->add_option("--dsn", dsn_, "read the schema from this live database (read-only)")
        ->type_name("CONNINFO");
    cmd->add_option("--spec", spec_path_, "the access spec (YAML)")->type_name("FILE");
    cmd->add_option("--format", format_, "sql (default), hba, conf, text or json")
        ->check(CLI::IsMember({"sql", "hba", "conf", "text", "json"}));
    cmd->add_option("--out-dir", out_dir_, "write every output into DIR")->type_name("DIR");
    cmd->add_option("--output,-o", output_, "write to FILE instead of standard output")
        ->type_name("FILE");
    cmd->add_flag("--verify", verify_, "prove the access matrix on a sandbox");
    cmd->add_option("--rows", rows_, "generated rows per table for --verify (default 20)");
    cmd->add_option("--seed", seed_, "seed of the generated data (default 42)");
  }

  ExitCode Run() override {
    if (spec_path_.empty()) return ReportUsageError("secure needs --spec FILE", kHelp);
    if (schema_paths_.empty() == dsn_.empty()) {
      return ReportUsageError("secure needs either --schema PATH... or --dsn CONNINFO", kHelp);
    }
    if (rows_ < 2) return ReportUsageError("--rows must be at least 2", kHelp);
    if (!out_dir_.empty() && !output_.empty()) {
      return ReportUsageError("--out-dir and --output exclude each other", kHelp);
    }

    // The schema model and, for --verify, the DDL to load into the sandbox.
    catalog::Catalog catalog;
    std::vector<std::string> files;
    std::string dumped;
    if (!dsn_.empty()) {
      Progress("connecting to " + pg::RedactConninfo(dsn_));
      pg::ConnectOptions connect;
      connect.conninfo = dsn_;
      connect.read_only = true;
      connect.application_name = "dbarch secure";
      auto conn = pg::Connection::Open(connect);
      if (!conn.ok()) return ReportError(conn.status());
      auto read = pg::IntrospectCatalog(*conn, pg::IntrospectOptions{});
      if (!read.ok()) return ReportError(read.status());
      catalog = std::move(read).value();
      if (verify_) {
        // With its roles, so the sandbox starts from the live owners and grants and the
        // generated SQL must converge from there.
        pg::DumpOptions dump;
        dump.include_roles = true;
        auto text = pg::DumpSchemaSql(*conn, dump);
        if (!text.ok()) return ReportError(text.status());
        dumped = std::move(text).value();
      }
    } else {
      auto expanded = catalog::ExpandSqlPaths(schema_paths_);
      if (!expanded.ok()) return ReportError(expanded.status());
      files = std::move(expanded).value();
      auto built = catalog::BuildCatalogFromPaths(files, {.on_note = ReportNote});
      if (!built.ok()) return ReportError(built.status());
      catalog = std::move(built).value();
    }

    auto spec = security::LoadAccessSpec(spec_path_, catalog);
    if (!spec.ok()) return ReportError(spec.status());
    security::SecureArtifacts artifacts = security::GenerateSecure(*spec, catalog);

    std::optional<security::VerifyResult> verified;
    if (verify_) {
      auto result = Verify(*spec, artifacts, files, dumped);
      if (!result.ok()) return ReportError(result.status());
      verified = std::move(result).value();
    }
    const security::VerifyResult* v = verified ? &*verified : nullptr;

    if (!out_dir_.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(out_dir_, ec);
      if (ec) return ReportError(Status::IOError("creating " + out_dir_ + ": " + ec.message()));
      const std::pair<const char*, std::string> outputs[] = {
          {"secure.sql", artifacts.sql},
          {"pg_hba.conf", artifacts.pg_hba},
          {"postgresql.conf", artifacts.postgresql_conf},
          {"report.txt", report::SecureToText(*spec, v)},
          {"report.json", report::SecureToJson(*spec, artifacts, v)}};
      for (const auto& [file, text] : outputs) {
        Status st = WriteResult(text, out_dir_ + "/" + file);
        if (!st.ok()) return ReportError(st);
      }
    } else {
      std::string text;
      if (format_ == "hba")
        text = artifacts.pg_hba;
      else if (format_ == "conf")
        text = artifacts.postgresql_conf;
      else if (format_ == "text")
        text = report::SecureToText(*spec, v);
      else if (format_ == "json")
        text = report::SecureToJson(*spec, artifacts, v);
      else
        text = artifacts.sql;
      Status st = WriteResult(text, output_);
      if (!st.ok()) return ReportError(st);
    }
    if (v == nullptr) return ExitCode::kOk;
    for (const security::AccessCell& c : v->cells) {
      if (!c.ok()) {
        Warn("access matrix: " + c.login + " " + c.check + " " + c.object + ": expected " +
             c.expected + ", observed " + c.observed);
      }
    }
    for (const std::string& e : v->audit_errors) Warn("audit of the result: " + e);
    if (!v->idempotent)
      Warn("the generated SQL is not idempotent: its second run changed the state");
    for (const std::string& e : v->hba_errors) Warn("pg_hba.conf " + e);
    for (const security::AuditProof& p : v->audit_proof) {
      if (p.ok()) continue;
      Warn("audit log: " + p.login + " " + p.statement + ": expected session " +
           (p.expect_session ? "yes" : "no") + ", object " + (p.expect_object ? "yes" : "no") +
           "; observed session " + (p.session ? "yes" : "no") + ", object " +
           (p.object ? "yes" : "no") + (p.detail.empty() ? "" : " (" + p.detail + ")"));
    }
    if (v->mismatches > 0 || !v->audit_errors.empty() || !v->idempotent || !v->hba_errors.empty() ||
        v->audit_proof_mismatches > 0) {
      return ExitCode::kFindings;
    }
    return ExitCode::kOk;
  }

 private:
  Result<security::VerifyResult> Verify(const security::AccessSpec& spec,
                                        const security::SecureArtifacts& artifacts,
                                        const std::vector<std::string>& files,
                                        const std::string& dumped) {
    Progress("starting a sandbox");
    // The generated settings with pgaudit preloaded, and SSL with a throwaway certificate, so
    // the hostssl lines and the audit configuration run as they will on the server.
    sandbox::SandboxOptions sandbox_options;
    sandbox_options.settings = security::VerifiableSettings(spec);
    sandbox_options.ssl = true;
    DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box, StartSandbox(sandbox_options));
    // The spec's database name, so its pg_hba.conf lines apply as written.
    std::string database = spec.database;
    if (database == "postgres" || database == "template0" || database == "template1") {
      database = kSandboxDatabase;
    }
    DBARCH_RETURN_IF_ERROR(box->CreateDatabase(database));
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, ConnectForLoading(*box, database));
    if (!files.empty()) {
      DBARCH_RETURN_IF_ERROR(LoadSqlFiles(conn, files));
    } else {
      DBARCH_RETURN_IF_ERROR(conn.ExecScript(dumped));
    }
    // The catalog as the sandbox has it, so generated rows match the server exactly; the SQL
    // verified is the SQL printed.
    DBARCH_ASSIGN_OR_RETURN(catalog::Catalog loaded,
                            pg::IntrospectCatalog(conn, pg::IntrospectOptions{}));
    security::VerifyOptions options;
    options.tcp_conninfo = box->TcpConnInfo() + " dbname=" + security::ConninfoValue(database);
    options.hba_file = box->data_dir() + "/pg_hba.conf";
    options.server_log = box->log_path();
    options.rows_per_table = rows_;
    options.seed = seed_;
    Progress("verifying the access matrix");
    DBARCH_ASSIGN_OR_RETURN(security::VerifyResult result,
                            security::VerifyAccess(conn, spec, loaded, artifacts, options));
    DBARCH_RETURN_IF_ERROR(box->Stop());
    return result;
  }

  std::vector<std::string> schema_paths_;
  std::string dsn_;
  std::string spec_path_;
  std::string format_ = "sql";
  std::string out_dir_;
  std::string output_;
  bool verify_ = false;
  int64_t rows_ = 20;
  uint64_t seed_ = 42;
};

}  // namespace

std::unique_ptr<Subcommand> MakeSecureCommand() { return std::make_unique<SecureCommand>(); }

}  // namespace dbarch::cli
