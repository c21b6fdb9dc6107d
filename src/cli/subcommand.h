// One dbarch subcommand (inspect, ...): the flags it adds to the command line and the work
// it does once they are parsed. Each lives in its own file, cli/<name>.cc, and is listed
// in AllSubcommands() (main.cc). Subcommands are thin: they call the library, render with
// report/, and print through console.h. Single-threaded (main thread).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/exit_codes.h"

namespace dbarch::cli {

class Subcommand {
 public:
  virtual ~Subcommand() = default;
  // The word on the command line ("inspect").
  virtual std::string name() const = 0;
  // Adds the subcommand and its flags to `app`; the flags bind to members of this object,
  // which must outlive the parse.
  virtual void Register(CLI::App& app) = 0;
  // Does the work after a successful parse; checks flag combinations CLI11 cannot express
  // (returning kUsage) and returns the process exit code.
  virtual ExitCode Run() = 0;
};

std::unique_ptr<Subcommand> MakeInspectCommand();  // inspect.cc
std::unique_ptr<Subcommand> MakeLintCommand();     // lint.cc
std::unique_ptr<Subcommand> MakeBenchCommand();    // bench.cc
std::unique_ptr<Subcommand> MakeGenerateCommand(); // generate.cc
std::unique_ptr<Subcommand> MakeAdviseCommand();   // advise.cc
std::unique_ptr<Subcommand> MakeHealthCommand();   // health.cc
std::unique_ptr<Subcommand> MakeAuditCommand();    // audit.cc
std::unique_ptr<Subcommand> MakeTuneCommand();     // tune.cc
std::unique_ptr<Subcommand> MakeMigrateCommand();  // migrate.cc
std::unique_ptr<Subcommand> MakeDiffCommand();     // diff.cc
std::unique_ptr<Subcommand> MakeWorkloadCommand(); // workload.cc
std::unique_ptr<Subcommand> MakeSecureCommand();   // secure.cc
std::unique_ptr<Subcommand> MakeBackupCommand();   // backup.cc
std::unique_ptr<Subcommand> MakeDesignCommand();   // design.cc

}  // namespace dbarch::cli
