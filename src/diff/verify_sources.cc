#include "diff/verify_sources.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "catalog/builder.h"
#include "diff/pipeline.h"
#include "pg/connection.h"
#include "sql/psql_script.h"

namespace dbarch::diff {
namespace {

// Runs pg_dump --schema-only into a temporary file and returns the dump. Its connection
// options go in the environment (PGHOST, PGPASSWORD...), never on its command line.
Result<std::string> RunPgDump(const std::string& pg_dump_path, const std::string& conninfo) {
  if (access(pg_dump_path.c_str(), X_OK) != 0) {
    return Status::NotFound("pg_dump not found at \"" + pg_dump_path + "\"")
        .WithHint("install the PostgreSQL 15 client programs");
  }
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> env_vars, pg::ConninfoEnvironment(conninfo));
  env_vars.push_back("PATH=/usr/bin:/bin");
  env_vars.push_back("LC_ALL=C");
  char out_path[] = "/tmp/dbarch_verify_dump_XXXXXX";
  int out_fd = mkstemp(out_path);
  if (out_fd < 0) return Status::IOError(std::string("mkstemp: ") + std::strerror(errno));
  close(out_fd);
  char err_path[] = "/tmp/dbarch_verify_dump_err_XXXXXX";
  int err_fd = mkstemp(err_path);
  if (err_fd < 0) {
    std::remove(out_path);
    return Status::IOError(std::string("mkstemp: ") + std::strerror(errno));
  }
  std::vector<std::string> args{pg_dump_path, "--schema-only", "--no-password",
                                std::string("--file=") + out_path};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_vars) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(err_fd);
  auto read_file = [](const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  if (rc != 0) {
    std::remove(out_path);
    std::remove(err_path);
    return Status::Internal("starting pg_dump: " + std::string(std::strerror(rc)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string dump = read_file(out_path);
  std::string errors = read_file(err_path);
  std::remove(out_path);
  std::remove(err_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string first = errors.substr(0, errors.find('\n'));
    return Status::Connection("pg_dump --schema-only failed: " +
                              (first.empty() ? std::string("no message") : first));
  }
  return dump;
}

}  // namespace

Result<std::string> PgDumpSchema(const std::string& conninfo, const std::string& pg_dump_path) {
  return RunPgDump(pg_dump_path, conninfo);
}

Result<VerifySource> OriginalSchemaSource(const std::string& source, bool dsn,
                                          const std::string& pg_dump_path) {
  VerifySource out;
  if (dsn || IsDatabaseUri(source)) {
    DBARCH_ASSIGN_OR_RETURN(std::string dump, RunPgDump(pg_dump_path, source));
    // The dump is a psql script (\restrict lines in recent versions): expanded as psql runs it.
    DBARCH_ASSIGN_OR_RETURN(
        sql::PsqlScript script,
        sql::ExpandPsqlScript(SourceFile("pg_dump --schema-only", dump), sql::PsqlOptions{}));
    for (sql::ScriptPart& part : script.parts) out.scripts.push_back(std::move(part.file));
    out.description = "pg_dump --schema-only of the live database";
    return out;
  }
  DBARCH_ASSIGN_OR_RETURN(std::vector<std::string> files, catalog::ExpandSqlPaths({source}));
  for (const std::string& f : files) {
    DBARCH_ASSIGN_OR_RETURN(sql::PsqlScript script, catalog::ReadSqlScript(f));
    for (sql::ScriptPart& part : script.parts) out.scripts.push_back(std::move(part.file));
  }
  out.description = "the original files (" + source + ")";
  return out;
}

}  // namespace dbarch::diff
