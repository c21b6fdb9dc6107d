#include "cli/sandbox_load.h"

#include <charconv>
#include <utility>

#include "catalog/builder.h"
#include "cli/console.h"
#include "datagen/load.h"
#include "datagen/plan.h"
#include "datagen/spec.h"
#include "sql/parser.h"

namespace dbarch::cli {
namespace {

// A server error while running `file`'s text, placed in the file: the server reports a
// byte offset into the text it ran, which report/ turns into file:line:col and a caret
// (so the "at character N" hint is dropped).
Status InFile(const Status& st, const SourceFile& file) {
  if (!st.span().has_value() || st.code() != StatusCode::kInvalidArgument) return st;
  uint32_t offset = st.span()->begin;
  return Status::InvalidArgument(st.message()).WithSpan(file.Span(offset, offset));
}

}  // namespace

Result<std::unique_ptr<sandbox::Sandbox>> StartSandbox(const sandbox::SandboxOptions& options) {
  sandbox::InstallSignalCleanup();
  Progress("starting a PostgreSQL sandbox");
  auto box = sandbox::Sandbox::Start(options);
  if (!box.ok()) {
    Status st = box.status();
    if (st.code() != StatusCode::kInternal && st.code() != StatusCode::kConnection) {
      st = Status::IOError(st.message()).WithHint(st.hint());
    }
    return std::move(st).WithContext("starting the sandbox");
  }
  return box;
}

Result<pg::Connection> ConnectForLoading(const sandbox::Sandbox& box, const std::string& dbname) {
  pg::ConnectOptions options;
  options.conninfo = box.ConnInfo() + " dbname=" + dbname;
  options.read_only = false;
  options.statement_timeout_ms = 0;
  options.lock_timeout_ms = 0;
  return pg::Connection::Open(options);
}

Status LoadSqlFiles(pg::Connection& conn, const std::vector<std::string>& files) {
  for (const std::string& path : files) {
    // As psql would run it: meta-commands and COPY data are blanked (the offline model
    // build reported them as notes), includes become parts of their own.
    DBARCH_ASSIGN_OR_RETURN(sql::PsqlScript script, catalog::ReadSqlScript(path));
    Progress("loading " + path);
    for (const sql::ScriptPart& part : script.parts) {
      Status st = conn.ExecScript(part.file.text());
      for (const std::string& notice : conn.TakeNotices()) {
        Warn(part.file.name() + ": server: " + notice);
      }
      if (!st.ok()) {
        Status placed = InFile(st, part.file);
        // Without a position the message must say which file failed.
        std::string context = placed.span().has_value()
                                  ? "loading into the sandbox"
                                  : "loading \"" + part.file.name() + "\" into the sandbox";
        return std::move(placed).WithContext(context);
      }
    }
  }
  return Status::OK();
}

std::optional<int> ParseTimeoutMs(std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value <= 0) return std::nullopt;
  std::string_view unit = text.substr(static_cast<size_t>(ptr - text.data()));
  double ms = 0;
  if (unit.empty() || unit == "s") {
    ms = value * 1000;
  } else if (unit == "ms") {
    ms = value;
  } else if (unit == "m" || unit == "min") {
    ms = value * 60000;
  } else {
    return std::nullopt;
  }
  if (ms < 1 || ms > 2147483647.0) return std::nullopt;
  return static_cast<int>(ms);
}

Status CheckSqlFile(const std::string& path) {
  DBARCH_ASSIGN_OR_RETURN(sql::PsqlScript script, catalog::ReadSqlScript(path));
  for (const sql::ScriptPart& part : script.parts) {
    auto tree = sql::ParseTree::Parse(part.file);
    DBARCH_RETURN_IF_ERROR(tree.status());
  }
  return Status::OK();
}

Result<measure::LoadStats> LoadSandboxData(pg::Connection& conn, const catalog::Catalog& catalog,
                                           const SandboxDataFlags& flags) {
  measure::LoadOptions load;
  load.data_dir = flags.data_dir;
  load.progress = [](const std::string& line) { Progress(line); };
  if (flags.generate) {
    std::string rows = flags.generate_rows.empty() ? "spec" : flags.generate_rows;
    datagen::Spec spec;
    if (!flags.spec_path.empty()) {
      DBARCH_ASSIGN_OR_RETURN(spec, datagen::LoadSpec(flags.spec_path));
    }
    if (rows == "spec") {
      // Row counts from the spec file (or its default).
    } else if (rows.find('=') == std::string::npos) {
      DBARCH_ASSIGN_OR_RETURN(spec.default_rows, datagen::ParseCount(rows));
    } else {
      DBARCH_RETURN_IF_ERROR(datagen::ApplyRowsFlag(rows, spec));
    }
    if (flags.seed) spec.seed = *flags.seed;
    load.generate = [spec](pg::Connection& c, const catalog::Catalog& cat) -> Result<int64_t> {
      DBARCH_ASSIGN_OR_RETURN(datagen::Plan plan, datagen::BuildPlan(cat, spec));
      for (const datagen::TablePlan& t : plan.tables) {
        for (const std::string& w : t.warnings) Warn(t.name.Quoted() + ": " + w);
      }
      Progress("generating data");
      DBARCH_ASSIGN_OR_RETURN(datagen::GenerateStats stats, datagen::LoadIntoServer(c, plan));
      return stats.rows;
    };
  }
  DBARCH_ASSIGN_OR_RETURN(measure::LoadStats stats, measure::LoadData(conn, catalog, load));
  if (stats.files > 0) {
    Progress("loaded " + std::to_string(stats.rows_copied) + " rows from " +
             std::to_string(stats.files) + " file(s)");
  }
  return stats;
}

void SandboxDataOptions::Register(CLI::App* cmd) {
  data_opt = cmd->add_option("--data", data_dir,
                             "Directory of <table>.csv / .tbl / .tbl.zst files to load")
                 ->type_name("DIR");
  generate_opt = cmd->add_option("--generate", generate,
                                 "Fill the schema with generated data: N rows per table, "
                                 "TABLE=N,..., or (no value) the --spec file's counts")
                     ->type_name("[ROWS]")
                     ->expected(0, 1)
                     ->default_str("spec");
  cmd->add_option("--spec", spec_path, "With --generate: a dbarch generate spec file")
      ->type_name("FILE");
  cmd->add_option("--seed", seed, "With --generate: the random seed")->type_name("N");
  data_opt->excludes(generate_opt);
}

SandboxDataFlags SandboxDataOptions::Flags() const {
  SandboxDataFlags flags;
  flags.data_dir = data_dir;
  flags.generate = generate_opt != nullptr && generate_opt->count() > 0;
  flags.generate_rows = generate;
  flags.spec_path = spec_path;
  flags.seed = seed;
  return flags;
}

}  // namespace dbarch::cli
