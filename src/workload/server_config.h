// Settings read from PostgreSQL configuration files (postgresql.conf and the files it
// includes), as the server reads them at startup: `name = value` or `name value` lines,
// '#' comments, single-quoted values ('' and backslash escapes), unquoted values up to a
// blank or '#', and the `include`, `include_if_exists` and `include_dir` directives
// (relative paths from the including file's directory; include_dir reads its *.conf files
// not starting with '.' in name order; nesting deeper than 10 is an error, as in the
// server). The last setting of a name wins. Used by `dbarch workload --config` to learn the
// log_line_prefix. Not read: postgresql.auto.conf (ALTER SYSTEM) unless given as a file of
// its own, and settings given on the server's command line.
//
// Thread-safety: pure functions over files.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace dbarch::workload {

// The settings of `paths` in order (a later file overrides an earlier one), names in lower
// case. Errors: kIO for a file (or an `include`, `include_dir`) that cannot be read;
// kInvalidArgument for a syntax error ("file:line: ...") or includes nested too deep.
Result<std::map<std::string, std::string>> ReadServerConfig(const std::vector<std::string>& paths);

// log_line_prefix of `settings`, or the server's default "%m [%p] " when it is not set.
std::string LogLinePrefixOf(const std::map<std::string, std::string>& settings);

}  // namespace dbarch::workload
