// Shared by the subcommands that load DDL into a sandbox (inspect --sandbox, bench, advise):
// start a sandbox with the cli's error mapping, run DDL files through the server (reporting
// server notices as warnings and placing server errors in the file, file:line:col), and
// fill it with data files or generated rows. Main thread only (prints through console.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/status.h"
#include "catalog/model.h"
#include "measure/data_loader.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"

namespace dbarch::cli {

// sandbox::Sandbox::Start with signal cleanup installed; a missing server installation or
// an unusable temp dir is the environment, not the user's input, so such failures become
// kIO (exit 4) with the original message.
Result<std::unique_ptr<sandbox::Sandbox>> StartSandbox(const sandbox::SandboxOptions& options);

// A read-write connection to database `dbname` of `box` without statement or lock timeouts
// (loading DDL and data may take long).
Result<pg::Connection> ConnectForLoading(const sandbox::Sandbox& box, const std::string& dbname);

// Runs each file of `files` as one script on `conn`, in order. Server notices become
// warnings naming the file; an error is returned with its position in the file when the
// server gave one, else with the file's name in the message.
Status LoadSqlFiles(pg::Connection& conn, const std::vector<std::string>& files);

// "30s", "500ms", "2m", "1.5s" or a bare number of seconds -> milliseconds; nullopt when
// malformed, not positive or beyond INT_MAX ms.
std::optional<int> ParseTimeoutMs(std::string_view text);

// Checks that the file `path` parses as SQL, so a syntax error gets file:line:col before any
// server starts. kIO when unreadable, kParseError with its position.
Status CheckSqlFile(const std::string& path);

// The data flags of the sandbox subcommands (--data, --generate [ROWS], --spec, --seed).
struct SandboxDataFlags {
  std::string data_dir;          // empty: no data files
  bool generate = false;         // --generate was given
  std::string generate_rows;     // its value: "", "spec", "N" or "TABLE=N,..."
  std::string spec_path;         // empty: the default spec
  std::optional<uint64_t> seed;  // overrides the spec's seed
};

// The data options of a sandbox subcommand as CLI11 fills them; Register() adds them to the
// subcommand (--data excludes --generate), Flags() turns them into SandboxDataFlags.
struct SandboxDataOptions {
  std::string data_dir;
  std::string generate;  // --generate's value ("spec" when given without one)
  std::string spec_path;
  std::optional<uint64_t> seed;
  CLI::Option* data_opt = nullptr;      // set by Register()
  CLI::Option* generate_opt = nullptr;  // set by Register()

  // Registers --data DIR, --generate [ROWS], --spec FILE and --seed N on `cmd`, bound to
  // this object (which must outlive the parse).
  void Register(CLI::App* cmd);
  SandboxDataFlags Flags() const;
};

// Loads the data files of flags.data_dir, then (flags.generate) rows generated for
// `catalog` (the schema as the server has it), then ANALYZE, printing progress and the
// generator's warnings. Errors: those of measure::LoadData and datagen (bad spec or row
// counts are kInvalidArgument).
Result<measure::LoadStats> LoadSandboxData(pg::Connection& conn, const catalog::Catalog& catalog,
                                           const SandboxDataFlags& flags);

}  // namespace dbarch::cli
