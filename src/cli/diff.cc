// `dbarch diff FROM TO`: the SQL that turns one schema into another (and back with --down).
// Each side is a DDL file, a directory of migrations or a live database (postgres:// URI,
// --from-dsn / --to-dsn). The pipeline is diff/pipeline.h; this file parses flags and prints.
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cli/console.h"
#include "cli/sandbox_load.h"
#include "cli/subcommand.h"
#include "diff/format.h"
#include "diff/online.h"
#include "diff/pipeline.h"
#include "diff/renames.h"
#include "diff/verify.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch diff --help";

class DiffCommand : public Subcommand {
 public:
  std::string name() const override { return "diff"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("diff", "Print the SQL that turns schema FROM into TO");
    cmd->footer(
        "FROM and TO are each a DDL file, a directory of migrations (its *.sql files apply in\n"
        "path order) or a live database (postgres:// URI, or --from-dsn / --to-dsn CONNINFO,\n"
        "read-only). Destructive steps (drop table/column/type, narrowing type change, removed\n"
        "enum value) are refused and written as comments unless --allow-destructive.\n"
        "`-- dbarch:renamed-from OLD` on a table or column of TO turns drop + add into RENAME.\n"
        "--online writes a zero-downtime plan in phases (CONCURRENTLY, NOT VALID + VALIDATE,\n"
        "expand/contract for renames and type changes), each phase with its rollback.\n"
        "--verify applies up and down in a private PostgreSQL 15 sandbox and compares.\n"
        "Exit codes: 0 ok (1 with --exit-code when there are differences), 2 usage, 3 bad\n"
        "input or --verify found a difference, 4 connection/I/O, 70 internal error.");
    cmd->add_option("FROM", from_, "Source schema: file, directory or postgres:// URI");
    cmd->add_option("TO", to_, "Target schema: file, directory or postgres:// URI");
    from_dsn_opt_ =
        cmd->add_option("--from-dsn", from_dsn_, "libpq conninfo of the source database")
            ->type_name("CONNINFO");
    to_dsn_opt_ = cmd->add_option("--to-dsn", to_dsn_, "libpq conninfo of the target database")
                      ->type_name("CONNINFO");
    cmd->add_option("--format", format_, "Output format: sql (default), json or text")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json", "sql"}));
    cmd->add_option("--down", down_path_, "Also write the reverse (TO -> FROM) SQL to FILE")
        ->type_name("FILE");
    cmd->add_option("--output,-o", output_, "Write to FILE instead of standard output")
        ->type_name("FILE");
    cmd->add_flag("--exit-code", exit_code_, "Exit 1 when there are differences");
    cmd->add_flag("--allow-destructive", allow_destructive_,
                  "Apply destructive steps instead of refusing them");
    cmd->add_flag("--online", online_,
                  "Zero-downtime plan in phases, each step in its non-blocking form");
    cmd->add_flag("--verify", verify_,
                  "Apply up and down to FROM in a sandbox and compare with TO and FROM");
  }

  ExitCode Run() override {
    // Positional arguments fill the sides that no --*-dsn gives.
    std::vector<std::string> positional;
    if (!from_.empty()) positional.push_back(from_);
    if (!to_.empty()) positional.push_back(to_);
    bool from_dsn = from_dsn_opt_->count() > 0;
    bool to_dsn = to_dsn_opt_->count() > 0;
    size_t needed = (from_dsn ? 0 : 1) + (to_dsn ? 0 : 1);
    if (positional.size() != needed) {
      return ReportUsageError(
          "diff needs two schemas: FROM and TO (a file, a directory or a "
          "postgres:// URI; or --from-dsn / --to-dsn)",
          kHelp);
    }
    size_t next = 0;
    std::string from = from_dsn ? from_dsn_ : positional[next++];
    std::string to = to_dsn ? to_dsn_ : positional[next++];

    // A file compared with a database is read as run by that database's session role
    // (diff::LoadSchemas), so the database is read first.
    Progress("reading " + (from_dsn ? std::string("the source database") : from) + " and " +
             (to_dsn ? std::string("the target database") : to));
    auto loaded = diff::LoadSchemas(from, from_dsn, to, to_dsn, ReportNote);
    if (!loaded.ok()) return ReportError(loaded.status());
    auto* a = &loaded->first;
    auto* b = &loaded->second;

    // A declared rename that cannot be honoured is bad input, shown at its annotation.
    Status renames = diff::CheckRenames(a->catalog, b->catalog, b->renames);
    if (!renames.ok()) return ReportError(renames);
    diff::Plan plan = diff::MakePlan(a->catalog, b->catalog, b->renames, allow_destructive_);
    for (const std::string& w : plan.up.warnings) Warn(w);
    for (const diff::Change& c : plan.up.changes) {
      if (c.refused) {
        Warn("refused destructive change (use --allow-destructive): " +
             std::string(diff::ActionName(c.action)) + " " + catalog::ObjectKindName(c.kind) + " " +
             c.object + " would lose " + c.data_loss);
      } else if (c.destructive) {
        Warn("destructive change: " + std::string(diff::ActionName(c.action)) + " " +
             catalog::ObjectKindName(c.kind) + " " + c.object + " loses " + c.data_loss);
      }
    }
    std::optional<diff::OnlinePlan> online;
    if (online_) {
      online = diff::MakeOnlinePlan(a->catalog, b->catalog, plan.up);
      for (size_t i = plan.up.warnings.size(); i < online->warnings.size(); ++i) {
        Warn("online: " + online->warnings[i]);
      }
    }
    std::string text = online              ? (format_ == "json"   ? diff::FormatOnlineJson(*online)
                                              : format_ == "text" ? diff::FormatOnlineText(*online)
                                                                  : diff::FormatOnlineSql(*online))
                       : format_ == "json" ? diff::FormatJson(plan.up)
                       : format_ == "text" ? diff::FormatText(plan.up)
                                           : diff::FormatSql(plan.up);
    if (!down_path_.empty()) {
      Status written = WriteResult(diff::FormatSql(plan.down), down_path_);
      if (!written.ok()) return ReportError(written);
    }
    Status written = WriteResult(text, output_);
    if (!written.ok()) return ReportError(written);
    if (verify_) {
      diff::VerifyOptions options;
      // Each side from its original text (files, or pg_dump of a live database), so that
      // what the model leaves out still shows up; the model is the fallback.
      for (auto [side, dsn, source] : {std::tuple{from, from_dsn, &options.from_source},
                                       std::tuple{to, to_dsn, &options.to_source}}) {
        auto original = diff::OriginalSchemaSource(side, dsn);
        if (original.ok()) {
          *source = std::move(*original);
        } else {
          source->description = "unavailable: " + original.status().message();
        }
      }
      std::optional<ExitCode> failed = Verify(a->catalog, b->catalog, plan, online, options);
      if (failed) return *failed;
    }
    if (exit_code_ && plan.up.HasChanges()) return ExitCode::kFindings;
    return ExitCode::kOk;
  }

 private:
  // Runs diff::Verify in a fresh sandbox; prints the outcome on stderr. nullopt when it
  // passed, else the exit code (3 when a difference was found).
  std::optional<ExitCode> Verify(const catalog::Catalog& from, const catalog::Catalog& to,
                                 const diff::Plan& plan,
                                 const std::optional<diff::OnlinePlan>& online,
                                 const diff::VerifyOptions& options) {
    Progress("verifying in a PostgreSQL sandbox");
    auto box = StartSandbox(sandbox::SandboxOptions{});
    if (!box.ok()) return ReportError(box.status());
    auto r = diff::Verify((*box)->ConnInfo(), from, to, plan.up, plan.down,
                          online ? &*online : nullptr, options);
    if (!r.ok()) return ReportError(r.status());
    std::string report = diff::FormatVerifyText(*r);
    if (r->ok()) {
      Progress(report.substr(0, report.size() - 1));
      return std::nullopt;
    }
    std::cerr << report;
    std::cerr << "dbarch: error: verification failed: the " << (r->up.ok() ? "down" : "up")
              << " script does not give the expected schema\n";
    return ExitCode::kBadInput;
  }

  std::string from_;
  std::string to_;
  std::string from_dsn_;
  std::string to_dsn_;
  std::string format_ = "sql";
  std::string down_path_;
  std::string output_;
  bool exit_code_ = false;
  bool allow_destructive_ = false;
  bool online_ = false;
  bool verify_ = false;
  CLI::Option* from_dsn_opt_ = nullptr;
  CLI::Option* to_dsn_opt_ = nullptr;
};

}  // namespace

std::unique_ptr<Subcommand> MakeDiffCommand() { return std::make_unique<DiffCommand>(); }

}  // namespace dbarch::cli
