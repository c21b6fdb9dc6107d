// `dbarch inspect`: the schema model of DDL files (offline, or loaded into a sandbox and
// read back) or of a live server, rendered as text, JSON or SQL.
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
#include "report/catalog_json.h"
#include "report/catalog_sql.h"
#include "report/catalog_text.h"
#include "report/diagram.h"
#include "sandbox/sandbox.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch inspect --help";
// The database the DDL is loaded into inside a sandbox (a fresh one, not "postgres").
constexpr const char* kSandboxDatabase = "dbarch_inspect";

class InspectCommand : public Subcommand {
 public:
  std::string name() const override { return "inspect"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "inspect", "Build the schema model from DDL files or a live server and print it");
    cmd->footer(
        "Sources (exactly one):\n"
        "  --schema FILE_OR_DIR...            offline: replay the DDL into the model\n"
        "  --schema FILE_OR_DIR... --sandbox  load the DDL into a private PostgreSQL 15 and\n"
        "                                     read the schema back from the server\n"
        "  --dsn CONNINFO                     a live server (read-only session)\n"
        "A directory is a migration history: its *.sql files apply in path order.\n"
        "Diagrams: --format mermaid (erDiagram), dot (Graphviz), svg (the dot output laid out\n"
        "by Graphviz, linked in) or dbml (dbdiagram.io); split large schemas with --schema-name\n"
        "or --tables PATTERN, and --no-columns.\n"
        "Exit codes: 0 ok, 2 usage, 3 bad input, 4 connection/I/O, 70 internal error.");
    schema_opt_ = cmd->add_option("--schema", schema_paths_,
                                  "DDL file or directory of migrations (repeatable)")
                      ->type_name("FILE_OR_DIR")
                      ->expected(1, -1);
    sandbox_opt_ = cmd->add_flag("--sandbox", sandbox_,
                                 "Load --schema into a sandbox server and introspect it");
    dsn_opt_ = cmd->add_option("--dsn", dsn_, "libpq conninfo or postgres:// URI of a server")
                   ->type_name("CONNINFO");
    cmd->add_option("--format", format_, "Output format (default: text)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "sql", "mermaid", "dot", "svg", "dbml"}));
    cmd->add_option("--tables", tables_,
                    "diagram formats: only tables matching this glob (schema.table outside public)")
        ->type_name("PATTERN");
    cmd->add_option("--schema-name", schema_name_, "diagram formats: only this schema")
        ->type_name("SCHEMA");
    cmd->add_flag("--no-columns", no_columns_, "diagram formats: table names only (large schemas)");
    cmd->add_option("--output,-o", output_, "Write to FILE instead of standard output")
        ->type_name("FILE");
    schema_opt_->excludes(dsn_opt_);
    sandbox_opt_->needs(schema_opt_);
  }

  ExitCode Run() override {
    if (schema_paths_.empty() && dsn_.empty() && dsn_opt_->count() == 0) {
      return ReportUsageError("inspect needs a source: --schema FILE_OR_DIR... or --dsn CONNINFO",
                              kHelp);
    }
    Result<catalog::Catalog> cat = Status::Internal("no source");
    if (!schema_paths_.empty() && !sandbox_) {
      Progress("building the model from " + std::to_string(schema_paths_.size()) + " path(s)");
      cat = catalog::BuildCatalogFromPaths(schema_paths_, {.on_note = ReportNote});
    } else if (!schema_paths_.empty()) {
      cat = FromSandbox();
    } else {
      cat = FromServer();
    }
    if (!cat.ok()) return ReportError(cat.status());

    std::string text;
    if (format_ == "json") {
      text = report::CatalogToJson(*cat);
    } else if (format_ == "sql") {
      text = report::CatalogToSql(*cat);
    } else if (format_ == "mermaid" || format_ == "dot" || format_ == "svg" || format_ == "dbml") {
      report::DiagramOptions d;
      d.tables = tables_;
      d.schema = schema_name_;
      d.columns = !no_columns_;
      if (format_ == "svg") {
        Result<std::string> svg = report::CatalogToSvg(*cat, d);
        if (!svg.ok()) return ReportError(svg.status());
        text = std::move(*svg);
      } else {
        text = format_ == "mermaid" ? report::CatalogToMermaid(*cat, d)
               : format_ == "dot"   ? report::CatalogToDot(*cat, d)
                                    : report::CatalogToDbml(*cat, d);
      }
    } else {
      text = report::CatalogToText(*cat);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    return ExitCode::kOk;
  }

 private:
  // Loads the DDL files into a fresh database of a new sandbox, then introspects it.
  Result<catalog::Catalog> FromSandbox() {
    // Check the DDL offline first: a syntax error gets the builder's exact position, and a
    // bad file costs no server start.
    DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, catalog::ExpandSqlPaths(schema_paths_));
    {
      Progress("checking " + std::to_string(files.size()) + " file(s)");
      auto offline = catalog::BuildCatalogFromPaths(files, {.on_note = ReportNote});
      if (!offline.ok()) return offline.status();
    }
    DBARCH_ASSIGN_OR_RETURN(std::unique_ptr<sandbox::Sandbox> box,
                            StartSandbox(sandbox::SandboxOptions{}));
    DBARCH_RETURN_IF_ERROR(box->CreateDatabase(kSandboxDatabase));
    std::string conninfo = box->ConnInfo() + " dbname=" + kSandboxDatabase;
    {
      DBARCH_ASSIGN_OR_RETURN(pg::Connection load, ConnectForLoading(*box, kSandboxDatabase));
      DBARCH_RETURN_IF_ERROR(LoadSqlFiles(load, files));
    }
    Progress("reading the schema back from the server");
    pg::ConnectOptions read_options;
    read_options.conninfo = conninfo;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(read_options));
    return pg::IntrospectCatalog(conn, pg::IntrospectOptions{});
  }

  Result<catalog::Catalog> FromServer() {
    Progress("connecting to " + pg::RedactConninfo(dsn_));
    pg::ConnectOptions options;
    options.conninfo = dsn_;
    options.read_only = true;
    DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(options));
    Progress("reading the schema of " + conn.DisplayName());
    return pg::IntrospectCatalog(conn, pg::IntrospectOptions{});
  }

  std::vector<std::string> schema_paths_;
  bool sandbox_ = false;
  std::string dsn_;
  std::string format_ = "text";
  std::string tables_;
  std::string schema_name_;
  bool no_columns_ = false;
  std::string output_;
  CLI::Option* schema_opt_ = nullptr;
  CLI::Option* sandbox_opt_ = nullptr;
  CLI::Option* dsn_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Subcommand> MakeInspectCommand() { return std::make_unique<InspectCommand>(); }

}  // namespace dbarch::cli
