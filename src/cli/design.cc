// `dbarch design MODEL.yaml --out DIR`: from a data model to verified DDL, indexes, sample
// queries with measured times, a design document and ER diagrams (design/, report/).
#include "design/design.h"

#include <sys/stat.h>

#include <string>

#include "cli/console.h"
#include "cli/subcommand.h"
#include "design/model.h"
#include "report/design_report.h"
#include "report/diagram.h"
#include "sandbox/sandbox.h"

namespace dbarch::cli {
namespace {

constexpr const char* kHelp = "dbarch design --help";

class Listener : public design::DesignListener {
 public:
  void OnProgress(const std::string& m) override { Progress(m); }
  void OnWarning(const std::string& m) override { Warn(m); }
};

class DesignCommand : public Subcommand {
 public:
  std::string name() const override { return "design"; }

  void Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("design",
                                       "From a data model (YAML) to verified DDL, indexes, timed "
                                       "sample queries and a design document");
    cmd->footer(
        "Writes into --out DIR: schema.sql (DDL with the chosen indexes), queries.sql (one sample\n"
        "query per access pattern, a bench/advise workload), design.md (choices, ER diagram, data\n"
        "dictionary, indexes with rationale, expected execution times), er.mmd, er.svg and\n"
        "schema.dbml. Everything is verified on a private PostgreSQL 15 first: any failure is an\n"
        "error. The model format: docs/design.md.\n"
        "Exit codes: 0 ok, 2 usage, 3 bad model or failed verification, 4 sandbox/I/O, 70 "
        "internal.");
    cmd->add_option("model", model_path_, "the model file (YAML)")
        ->type_name("MODEL.yaml")
        ->required();
    cmd->add_option("--out", out_dir_, "directory for the generated files (created)")
        ->type_name("DIR")
        ->required();
    cmd->add_option("--scale", scale_,
                    "generate the model's row counts x F (default 1; tests use less)")
        ->type_name("F");
    cmd->add_option("--runs", runs_, "timed runs per sample query (default 10)")->type_name("N");
    cmd->add_option("--seed", seed_, "data generator seed (default 42)")->type_name("N");
    cmd->add_flag("--check", check_only_, "only read and check the model (no sandbox)");
    cmd->add_option("--format", format_, "summary on stdout: text (default) or json")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
  }

  ExitCode Run() override {
    if (!(scale_ > 0)) return ReportUsageError("--scale must be > 0", kHelp);
    if (runs_ < 1) return ReportUsageError("--runs must be at least 1", kHelp);
    auto model = design::LoadModel(model_path_);
    if (!model.ok()) return ReportError(model.status());
    if (check_only_) {
      design::BuildOptions b;
      b.scale = scale_;
      auto schema = design::BuildSchema(*model, b);
      if (!schema.ok()) return ReportError(schema.status());
      Status st = WriteResult(schema->Ddl(), "-");
      return st.ok() ? ExitCode::kOk : ReportError(st);
    }
    sandbox::InstallSignalCleanup();
    design::DesignOptions options;
    options.scale = scale_;
    options.runs = runs_;
    options.seed = seed_;
    Listener listener;
    auto result = design::RunDesign(*model, options, &listener);
    if (!result.ok()) return ReportError(result.status());
    if (mkdir(out_dir_.c_str(), 0755) != 0 && errno != EEXIST) {
      return ReportError(Status::IOError("cannot create directory \"" + out_dir_ + "\""));
    }
    Result<std::string> svg = report::CatalogToSvg(result->catalog);
    if (!svg.ok()) return ReportError(svg.status());
    const std::pair<const char*, std::string> files[] = {
        {"schema.sql", result->ddl},
        {"queries.sql", report::DesignWorkload(*result)},
        {"design.md", report::DesignDocument(*result)},
        {"er.mmd", report::CatalogToMermaid(result->catalog)},
        {"er.svg", *svg},
        {"schema.dbml", report::CatalogToDbml(result->catalog)},
    };
    for (const auto& [name, text] : files) {
      Status st = WriteResult(text, out_dir_ + "/" + name);
      if (!st.ok()) return ReportError(st);
    }
    std::string summary = format_ == "json" ? report::DesignJson(*result, out_dir_)
                                            : report::DesignText(*result, out_dir_);
    Status st = WriteResult(summary, "-");
    return st.ok() ? ExitCode::kOk : ReportError(st);
  }

 private:
  std::string model_path_;
  std::string out_dir_;
  double scale_ = 1;
  int runs_ = 10;
  uint64_t seed_ = 42;
  bool check_only_ = false;
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Subcommand> MakeDesignCommand() { return std::make_unique<DesignCommand>(); }

}  // namespace dbarch::cli
