// Shared by the subcommands that load DDL into a sandbox (inspect --sandbox, bench): start a
// sandbox with the cli's error mapping and run DDL files through the server, reporting
// server notices as warnings and placing server errors in the file (file:line:col).
// Main thread only (prints warnings through console.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
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

}  // namespace dbarch::cli
