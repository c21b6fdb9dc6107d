#include "sandbox/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>
#include <utility>

namespace dbarch::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// Steps the child reports when it fails before exec.
enum class ChildStep : int {
  kSetgroups = 1,
  kUnshareNetwork,
  kSetgid,
  kSetuid,
  kPdeathsig,
  kOrphaned,
  kChdir,
  kOpenOutput,
  kOpenNull,
  kDup,
  kExec,
};

const char* ChildStepName(int step) {
  switch (static_cast<ChildStep>(step)) {
    case ChildStep::kSetgroups:
      return "setgroups";
    case ChildStep::kUnshareNetwork:
      return "unshare(CLONE_NEWNET) (a private network needs root)";
    case ChildStep::kSetgid:
      return "setgid";
    case ChildStep::kSetuid:
      return "setuid";
    case ChildStep::kPdeathsig:
      return "prctl(PR_SET_PDEATHSIG)";
    case ChildStep::kOrphaned:
      return "parent check";
    case ChildStep::kChdir:
      return "chdir";
    case ChildStep::kOpenOutput:
      return "opening the log";
    case ChildStep::kOpenNull:
      return "opening /dev/null";
    case ChildStep::kDup:
      return "dup2";
    case ChildStep::kExec:
      return "exec";
  }
  return "setup";
}

}  // namespace

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::Reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Result<ServerAccount> ResolveServerAccount() {
  ServerAccount id;
  if (geteuid() != 0) {
    id.uid = geteuid();
    id.gid = getegid();
    return id;
  }
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  int err = getpwnam_r("postgres", &pw, buf.data(), buf.size(), &found);
  if (err != 0 || found == nullptr) {
    return Status::NotFound(
               "OS user \"postgres\" not found; PostgreSQL and pgBackRest refuse to run as "
               "root, so dbarch started as root runs them as \"postgres\"")
        .WithHint("create the user (the postgresql package does) or run dbarch as non-root");
  }
  id.uid = pw.pw_uid;
  id.gid = pw.pw_gid;
  id.switch_user = true;
  return id;
}

// In the child only async-signal-safe calls are made (the parent may be multi-threaded);
// everything is prepared before fork().
Result<Child> Spawn(const ChildSpec& spec, const ServerAccount& id) {
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // A fixed, minimal environment: the library never passes its caller's environment on.
  static char kPath[] = "PATH=/usr/bin:/bin";
  static char kLocale[] = "LC_ALL=C";
  std::vector<char*> envp = {kPath, kLocale};
  for (const std::string& e : spec.extra_env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int report_pipe[2];
  if (pipe2(report_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  UniqueFd report_read(report_pipe[0]);
  UniqueFd report_write(report_pipe[1]);
  UniqueFd out_read;
  UniqueFd out_write;
  if (spec.output_file.empty()) {
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
    out_read = UniqueFd(out_pipe[0]);
    out_write = UniqueFd(out_pipe[1]);
  }
  const pid_t parent = getpid();
  const char* cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  const char* output_file = spec.output_file.empty() ? nullptr : spec.output_file.c_str();

  pid_t pid = fork();
  if (pid < 0) return Status::IOError("fork: " + ErrnoText(errno));
  if (pid == 0) {
    const int report_fd = report_write.get();
    auto fail = [report_fd](ChildStep step) {
      int msg[2] = {static_cast<int>(step), errno};
      ssize_t ignored = write(report_fd, msg, sizeof(msg));
      (void)ignored;
      _exit(127);
    };
    if (spec.new_process_group) setpgid(0, 0);
    // Before the credentials change: a new network namespace needs CAP_SYS_ADMIN.
    if (spec.new_network_namespace && unshare(CLONE_NEWNET) != 0) fail(ChildStep::kUnshareNetwork);
    // Credentials first: changing them clears the parent-death signal.
    if (id.switch_user) {
      if (setgroups(1, &id.gid) != 0) fail(ChildStep::kSetgroups);
      if (setgid(id.gid) != 0) fail(ChildStep::kSetgid);
      if (setuid(id.uid) != 0) fail(ChildStep::kSetuid);
    }
    if (spec.death_signal != 0) {
      if (prctl(PR_SET_PDEATHSIG, spec.death_signal) != 0) fail(ChildStep::kPdeathsig);
      // The parent may have died before prctl took effect.
      if (getppid() != parent) fail(ChildStep::kOrphaned);
    }
    if (spec.cpu_limit > 0) {
      cpu_set_t allowed;
      CPU_ZERO(&allowed);
      if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
        int kept = 0;
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
          if (!CPU_ISSET(cpu, &allowed)) continue;
          if (kept >= spec.cpu_limit)
            CPU_CLR(cpu, &allowed);
          else
            ++kept;
        }
        sched_setaffinity(0, sizeof(allowed), &allowed);  // best effort: a limit, not a need
      }
    }
    if (cwd != nullptr && chdir(cwd) != 0) fail(ChildStep::kChdir);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) fail(ChildStep::kOpenNull);
    int out_fd = out_write.get();
    if (output_file != nullptr) {
      out_fd = open(output_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (out_fd < 0) fail(ChildStep::kOpenOutput);
    }
    if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) fail(ChildStep::kDup);
    // Keep only 0-2 and the report pipe (moved to 3; close-on-exec) open across exec.
    int moved = report_fd;
    if (report_fd != 3) {
      moved = dup3(report_fd, 3, O_CLOEXEC);
      if (moved < 0) fail(ChildStep::kDup);
    }
    close_range(4, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    int msg[2] = {static_cast<int>(ChildStep::kExec), errno};
    ssize_t ignored = write(moved, msg, sizeof(msg));
    (void)ignored;
    _exit(127);
  }

  report_write.Reset();
  out_write.Reset();
  int msg[2] = {0, 0};
  ssize_t n;
  do {
    n = read(report_read.get(), msg, sizeof(msg));
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    return Status::Internal("starting \"" + spec.argv[0] + "\" failed at " + ChildStepName(msg[0]) +
                            ": " + ErrnoText(msg[1]));
  }
  Child child;
  child.pid = pid;
  child.output = std::move(out_read);
  return child;
}

Completed CollectAndReap(Child& child, int timeout_ms, bool kill_group) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  Completed done;
  char buf[4096];
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) {
      done.timed_out = true;
      break;
    }
    pollfd p{child.output.get(), POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r <= 0) continue;  // EINTR or the deadline: the loop checks the time
    ssize_t n = read(child.output.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done.output.append(buf, static_cast<size_t>(n));
    if (done.output.size() > 65536) done.output.erase(0, done.output.size() - 65536);
  }
  child.output.Reset();
  if (done.timed_out) kill(kill_group ? -child.pid : child.pid, SIGKILL);
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!done.timed_out) done.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return done;
}

Result<Completed> RunToCompletion(const ChildSpec& spec, const ServerAccount& account,
                                  int timeout_ms) {
  DBARCH_ASSIGN_OR_RETURN(Child child, Spawn(spec, account));
  Completed done = CollectAndReap(child, timeout_ms, spec.new_process_group);
  if (done.timed_out) {
    return Status::Internal("\"" + spec.argv[0] + "\" did not finish within " +
                            std::to_string(timeout_ms) + " ms");
  }
  return done;
}

bool HasExited(pid_t pid) {
  siginfo_t info{};
  int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  if (r < 0) return errno == ECHILD;  // reaped elsewhere (e.g. SIGCHLD ignored)
  return info.si_pid == pid;
}

bool WaitExited(pid_t pid, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto nap = std::chrono::microseconds(500);
  while (!HasExited(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(nap);
    nap = std::min<std::chrono::microseconds>(nap * 2, std::chrono::milliseconds(10));
  }
  return true;
}

void Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void ShutDownServer(pid_t pid, int fast_ms, int immediate_ms) {
  kill(pid, SIGINT);
  if (WaitExited(pid, fast_ms)) return;
  kill(pid, SIGQUIT);
  if (WaitExited(pid, immediate_ms)) return;
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  WaitExited(pid, 60000);
}

Result<int> PickFreeLoopbackPort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::IOError("socket: " + ErrnoText(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Status::IOError("binding 127.0.0.1:0: " + ErrnoText(errno));
  }
  socklen_t len = sizeof(addr);
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Status::IOError("getsockname: " + ErrnoText(errno));
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

std::vector<std::string> PostmasterArgv(
    const std::string& postgres, const std::string& data_dir, int port,
    const std::vector<std::pair<std::string, std::string>>& settings) {
  std::vector<std::string> argv = {postgres, "-D", data_dir, "-p", std::to_string(port)};
  for (const auto& [name, value] : settings) {
    argv.push_back("-c");
    argv.push_back(name + "=" + value);
  }
  return argv;
}

}  // namespace dbarch::sandbox
