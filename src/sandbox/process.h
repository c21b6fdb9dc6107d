// Processes for PostgreSQL's programs: the OS account they run as, fork/exec as that account
// with a fixed environment, running a program to completion, and stopping a postmaster.
// PostgreSQL refuses to run as root, and pgBackRest must run as the server's owner, so when
// dbarch runs as root every program started here drops to the OS user `postgres`; otherwise it
// runs as the caller. Used by sandbox.cc (initdb, the sandbox servers) and by ops/'s backup
// verification (pgBackRest commands, restored servers).
//
// Thread-safety: every function may be called from several threads. The child of Spawn makes
// only async-signal-safe calls between fork and exec. The parent-death signal is sent when the
// *thread* that called Spawn exits, so spawn long-lived servers from a thread that outlives
// them (normally the main thread).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace dbarch::sandbox {

// The OS account PostgreSQL programs run as.
struct ServerAccount {
  uid_t uid = 0;
  gid_t gid = 0;
  bool switch_user = false;  // dbarch is root and the child drops to `uid`
};

// "postgres" when the effective user is root, else the caller. kNotFound (with a hint) when
// root and there is no OS user "postgres".
Result<ServerAccount> ResolveServerAccount();

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept;
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  // Closes the descriptor now (if any).
  void Reset();

 private:
  int fd_ = -1;
};

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the absolute path of the program
  std::string cwd;                // empty: inherit; else must be reachable by the account
  // stdout and stderr appended to this file, opened by the child as the account (create it
  // beforehand to choose its owner); empty: a pipe to the parent (Child::output).
  std::string output_file;
  // "NAME=value" entries added to the fixed environment PATH=/usr/bin:/bin, LC_ALL=C (the
  // caller's environment is never passed on).
  std::vector<std::string> extra_env;
  bool new_process_group = false;  // the child leads a group of its own (pgid = pid)
  int death_signal = SIGKILL;      // sent to the child when the spawning thread dies; 0: none
  int cpu_limit = 0;               // > 0: keep only the first N CPUs of the affinity mask
  bool new_network_namespace = false;  // unshare(CLONE_NEWNET) before exec (needs root)
};

struct Child {
  pid_t pid = -1;
  UniqueFd output;  // read end of the output pipe, when ChildSpec::output_file is empty
};

// fork + exec of `spec` as `account`, stdin from /dev/null, only fds 0-2 left open across
// exec. Returns once the child has exec'd. Failures: kIO (pipe, fork); kInternal naming the
// step that failed in the child (setuid, chdir, exec...), the child then already reaped.
Result<Child> Spawn(const ChildSpec& spec, const ServerAccount& account);

struct Completed {
  int exit_code = -1;      // -1 when killed by a signal
  std::string output;      // stdout and stderr interleaved, the last 64 KiB
  bool timed_out = false;  // killed (SIGKILL) after `timeout_ms`
};

// Reads `child`'s output pipe until it closes or `timeout_ms` passes, then reaps the child.
// On timeout the child (its whole process group when `kill_group`) gets SIGKILL first.
// Requires: `child` came from Spawn with a pipe (ChildSpec::output_file empty).
Completed CollectAndReap(Child& child, int timeout_ms, bool kill_group);

// Spawn + CollectAndReap. A non-zero exit is not an error (read exit_code). Failures: the
// Spawn errors, and kInternal when it ran longer than `timeout_ms` and was killed.
Result<Completed> RunToCompletion(const ChildSpec& spec, const ServerAccount& account,
                                  int timeout_ms);

// True once `pid` (our child) has exited. It is not reaped, so the pid cannot be reused while
// a signal handler's table may still name it.
bool HasExited(pid_t pid);
// Waits until HasExited(pid) or `timeout_ms` passes; returns HasExited(pid).
bool WaitExited(pid_t pid, int timeout_ms);
// Reaps our child `pid` (blocks until it exits).
void Reap(pid_t pid);

// Stops the postmaster `pid`: fast shutdown (SIGINT), after `fast_ms` immediate shutdown
// (SIGQUIT), after `immediate_ms` SIGKILL to its process group and itself. Returns once it
// has exited; it is not reaped (call Reap).
void ShutDownServer(pid_t pid, int fast_ms, int immediate_ms);

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0). kIO on
// failure.
Result<int> PickFreeLoopbackPort();

// The argv that starts `postgres` on `data_dir` and `port` with each setting as -c name=value.
std::vector<std::string> PostmasterArgv(
    const std::string& postgres, const std::string& data_dir, int port,
    const std::vector<std::pair<std::string, std::string>>& settings);

}  // namespace dbarch::sandbox
