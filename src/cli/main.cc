// dbarch's entry point: parses the command line with CLI11, runs one subcommand, and turns
// everything into an exit code (cli/exit_codes.h). Flag errors are usage errors (exit 2)
// with a pointer to --help; an unknown subcommand gets "did you mean". Exceptions from
// CLI11 (and any other) stop here: a stray one is an internal error (exit 70).
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "cli/console.h"
#include "cli/exit_codes.h"
#include "cli/subcommand.h"

#ifndef DBARCH_VERSION
#define DBARCH_VERSION "unknown"
#endif

namespace dbarch::cli {
namespace {

std::vector<std::unique_ptr<Subcommand>> AllSubcommands() {
  std::vector<std::unique_ptr<Subcommand>> out;
  out.push_back(MakeInspectCommand());
  out.push_back(MakeLintCommand());
  out.push_back(MakeBenchCommand());
  out.push_back(MakeGenerateCommand());
  out.push_back(MakeAdviseCommand());
  out.push_back(MakeHealthCommand());
  out.push_back(MakeAuditCommand());
  out.push_back(MakeSecureCommand());
  out.push_back(MakeTuneCommand());
  out.push_back(MakeMigrateCommand());
  out.push_back(MakeDiffCommand());
  out.push_back(MakeWorkloadCommand());
  out.push_back(MakeBackupCommand());
  out.push_back(MakeDesignCommand());
  return out;
}

// The subcommand word of argv (the first argument not starting with '-'), or "".
std::string FirstWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (!a.empty() && a[0] != '-') return std::string(a);
  }
  return "";
}

// The option names of `app` ("--schema", "-o"), for "did you mean".
std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const std::string& l : opt->get_lnames()) out.push_back("--" + l);
  }
  return out;
}

int Main(int argc, char** argv) {
  std::vector<std::unique_ptr<Subcommand>> commands = AllSubcommands();
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c->name());

  CLI::App app("dbarch: a database architect for PostgreSQL schemas", "dbarch");
  app.set_version_flag("--version", std::string("dbarch ") + DBARCH_VERSION);
  app.footer("Run 'dbarch <subcommand> --help' for a subcommand's flags.");
  for (auto& c : commands) c->Register(app);

  // Unknown subcommands first: CLI11 would call one an unexpected argument.
  std::string word = FirstWord(argc, argv);
  if (!word.empty() && std::find(names.begin(), names.end(), word) == names.end()) {
    std::string message = "unknown subcommand '" + word + "'";
    std::string close = ClosestMatch(word, names);
    if (!close.empty()) message += ", did you mean '" + close + "'?";
    return ToInt(ReportUsageError(message, "dbarch --help"));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // help on stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* failed = &app;
    for (const CLI::App* sub : app.get_subcommands()) failed = sub;
    std::string help =
        failed == &app ? "dbarch --help" : "dbarch " + failed->get_name() + " --help";
    std::string message = e.what();
    if (!message.empty()) message[0] = static_cast<char>(ToLower(message.substr(0, 1))[0]);
    // An unknown flag: suggest the closest one of that subcommand.
    for (const std::string& extra : failed->remaining()) {
      if (!StartsWith(extra, "--")) continue;
      std::string flag = extra.substr(0, extra.find('='));
      std::string close = ClosestMatch(flag, OptionNames(*failed));
      if (!close.empty()) message += " (did you mean '" + close + "'?)";
      break;
    }
    return ToInt(ReportUsageError(message, help));
  }

  for (auto& c : commands) {
    if (app.got_subcommand(c->name())) return ToInt(c->Run());
  }
  return ToInt(
      ReportUsageError("missing subcommand (one of: " + Join(names, ", ") + ")", "dbarch --help"));
}

}  // namespace
}  // namespace dbarch::cli

int main(int argc, char** argv) {
  // libpg_query allocates and frees a memory context per parse, and protobuf buffers per
  // statement: with glibc's default thresholds the freed memory goes back to the kernel and
  // every parse faults fresh pages in again (a tenth of `lint`'s CPU time on a 20,000-line
  // schema). Keeping freed memory in the process trades a few MB of peak RSS for that.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  int code;
  try {
    code = dbarch::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dbarch: internal error: " << e.what() << "\n";
    code = dbarch::cli::ToInt(dbarch::cli::ExitCode::kInternal);
  }
  // No sql::ShutdownParser() here: libpg_query's memory stays reachable through its
  // globals until exit, so leak checkers do not report it, and pg_query_exit() crashes in a
  // process that never parsed (e.g. `dbarch --help`).
  return code;
}
