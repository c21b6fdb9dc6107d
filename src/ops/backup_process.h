// The backup-specific side of running programs for `backup verify`: pgBackRest commands and a
// second postgres server (the restored cluster), both tracked so that an interrupt ends them
// (pgBackRest's worker processes with their group), plus files owned by the server's account.
// Accounts, fork/exec as `postgres` and server shutdown are sandbox/process.h's.
//
// Used by backup_verify.cc only. Thread-safety: the functions are safe to call from several
// threads; one ServerProcess must not be used by two threads at once. A ServerProcess gets
// the parent-death signal SIGQUIT from the thread that started it (as sandbox/ does), so
// start it from a thread that outlives it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "sandbox/process.h"

namespace dbarch::ops {

struct ProcessOutput {
  int exit_code = -1;      // -1: killed by a signal
  std::string output;      // stdout and stderr interleaved, the last 64 KiB
  int64_t elapsed_ms = 0;  // wall clock, from fork to exit
};

// Runs `argv` (argv[0] an absolute path) as `account` with a fixed environment (PATH, LC_ALL=C,
// TZ=UTC), stdin from /dev/null, in `cwd` (must be readable by the account), in a process
// group of its own that InstallProcessCleanup's handler ends on an interrupt, and waits for it.
// A non-zero exit is not an error: the caller reads exit_code. Failures: kIO (fork, pipe),
// kInternal (the child could not drop privileges or exec; or it ran longer than `timeout_ms`
// and was killed).
Result<ProcessOutput> RunProgram(const sandbox::ServerAccount& account,
                                 const std::vector<std::string>& argv, const std::string& cwd,
                                 int timeout_ms);

// Creates `path` (and missing parents, as root-owned 0755 only if they do not exist) with
// `mode`, owned by `account`. An existing directory is re-owned and re-moded. kIO on failure.
Status MakeOwnedDirectory(const std::string& path, const sandbox::ServerAccount& account,
                          mode_t mode);

// Writes `text` to `path` (replacing it) with `mode`, owned by `account`. kIO on failure.
Status WriteOwnedFile(const std::string& path, const std::string& text,
                      const sandbox::ServerAccount& account, mode_t mode);

// Makes SIGINT and SIGTERM end the programs started here first (pgBackRest commands with
// their worker processes, restored servers), then run the handler installed before (call it
// after sandbox::InstallSignalCleanup(), which then stops the sandboxes and re-raises), or
// the default action. Call once from main() before starting anything; later calls do nothing.
void InstallProcessCleanup();

// A postgres server started on an existing data directory (a restored one), listening only
// on a Unix socket in `socket_dir`. Stop() or the destructor shut it down (fast, then
// immediate, then SIGKILL) and reap it; the data directory is left for the caller.
class ServerProcess {
 public:
  struct Options {
    std::string postgres;    // absolute path of the postgres binary
    std::string data_dir;    // owned by the account, mode 0700
    std::string socket_dir;  // writable by the account
    std::string log_path;    // the server's stdout/stderr
    int port = 0;
    std::vector<std::pair<std::string, std::string>> settings;  // -c name=value
  };

  // Starts the server and returns once it runs (not necessarily accepting connections: the
  // caller polls, as recovery may take a while). kIO/kInternal when it cannot be started.
  static Result<std::unique_ptr<ServerProcess>> Start(const sandbox::ServerAccount& account,
                                                      const Options& options);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // True while the postmaster has not exited.
  bool IsAlive();
  // Stops and reaps the server; idempotent.
  void Stop();
  // "host=<socket_dir> port=N user=postgres dbname=<dbname>".
  std::string ConnInfo(const std::string& dbname) const;
  pid_t pid() const { return pid_; }

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  pid_t owner_pid_ = -1;
  int slot_ = -1;  // in the table that InstallProcessCleanup's handler reads
  std::string socket_dir_;
  int port_ = 0;
};

}  // namespace dbarch::ops
