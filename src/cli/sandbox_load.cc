#include "cli/sandbox_load.h"

#include <utility>

#include "catalog/builder.h"
#include "cli/console.h"

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
    DBARCH_ASSIGN_OR_RETURN(SourceFile file, catalog::ReadSourceFile(path));
    Progress("loading " + path);
    Status st = conn.ExecScript(file.text());
    for (const std::string& notice : conn.TakeNotices()) Warn(path + ": server: " + notice);
    if (!st.ok()) {
      Status placed = InFile(st, file);
      // Without a position the message must say which file failed.
      std::string context = placed.span().has_value() ? "loading into the sandbox"
                                                      : "loading \"" + path + "\" into the sandbox";
      return std::move(placed).WithContext(context);
    }
  }
  return Status::OK();
}

}  // namespace dbarch::cli
