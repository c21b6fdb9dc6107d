#include "cli/exit_codes.h"

namespace dbarch::cli {

ExitCode ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return ExitCode::kOk;
    case StatusCode::kParseError:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kNotSupported:
      return ExitCode::kBadInput;
    case StatusCode::kConnection:
    case StatusCode::kIO:
      return ExitCode::kConnection;
    case StatusCode::kInternal:
      return ExitCode::kInternal;
  }
  return ExitCode::kInternal;
}

}  // namespace dbarch::cli
