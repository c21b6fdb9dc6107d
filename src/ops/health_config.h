// The `health:` section of dbarch.yaml: warning and critical thresholds per check, e.g.
//
//   health:
//     idle_in_transaction: { warning: 30, critical: 300 }   # seconds
//     sequences: { warning: 80 }                              # the other stays the default
//
// The rest of the file belongs to other commands (lint) and is not read here. Pure;
// thread-safe.
#pragma once

#include <map>
#include <string>

#include "base/status.h"
#include "ops/health.h"

namespace dbarch::ops {

// Thresholds from the YAML `text` (named `path` in errors). A file without a `health:` key
// gives none. Unknown check names and non-numeric values are kInvalidArgument with the
// position in the file (and "did you mean" for a misspelt check).
Result<std::map<std::string, Thresholds>> ParseHealthThresholds(const std::string& path,
                                                                 const std::string& text);

// Parses a command-line override "NAME=WARNING:CRITICAL" (either side may be empty to keep
// the check's default) on top of `into`.
Status ParseThresholdFlag(const std::string& flag, std::map<std::string, Thresholds>& into);

}  // namespace dbarch::ops
