// Process exit codes of the dbarch binary: the one place they are defined (see STYLE.md,
// "Exit codes"). Used by main.cc and every subcommand. Scripts and CI rely on them: they are
// API, never renumbered. Constants and a pure function; thread-safe.
#pragma once

#include "base/status.h"

namespace dbarch::cli {

enum class ExitCode : int {
  kOk = 0,          // success, nothing to report
  kFindings = 1,    // findings at or above --fail-on (lint, advise)
  kUsage = 2,       // bad command line: unknown subcommand or flag, missing value
  kBadInput = 3,    // the input does not parse or validate (SQL, config)
  kConnection = 4,  // a server, a file or the sandbox could not be reached / read / written
  kInternal = 70,   // a dbarch bug (EX_SOFTWARE)
};

// The exit code for a failed `status`: kParseError, kInvalidArgument, kNotFound,
// kNotSupported -> kBadInput; kConnection, kIO -> kConnection; kInternal -> kInternal;
// OK -> kOk.
ExitCode ExitCodeFor(const Status& status);

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace dbarch::cli
