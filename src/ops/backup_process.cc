#include "ops/backup_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <system_error>
#include <thread>

namespace dbarch::ops {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// fork + exec as `account`. The child makes only async-signal-safe calls; stdout and stderr
// go to `out_fd` (a pipe's write end or a log file). Returns the pid, or the step that failed.
Result<pid_t> Spawn(const ServerAccount& account, const std::vector<std::string>& argv_in,
                    const std::string& cwd, int out_fd, int death_signal, bool new_group) {
  std::vector<char*> argv;
  for (const std::string& a : argv_in) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // A fixed environment: the caller's is never passed on. TZ=UTC makes pgBackRest's and the
  // server's timestamps agree with the UTC targets dbarch writes.
  static char kPath[] = "PATH=/usr/bin:/bin";
  static char kLocale[] = "LC_ALL=C";
  static char kTz[] = "TZ=UTC";
  char* envp[] = {kPath, kLocale, kTz, nullptr};
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  const pid_t parent = getpid();
  const char* dir = cwd.empty() ? nullptr : cwd.c_str();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(report[0]);
    close(report[1]);
    return Status::IOError("fork: " + ErrnoText(err));
  }
  if (pid == 0) {
    const int report_fd = report[1];
    auto fail = [report_fd](int step) {
      int msg[2] = {step, errno};
      ssize_t ignored = write(report_fd, msg, sizeof(msg));
      (void)ignored;
      _exit(127);
    };
    if (new_group) setpgid(0, 0);
    if (account.switch_user) {
      if (setgroups(1, &account.gid) != 0) fail(1);
      if (setgid(account.gid) != 0) fail(2);
      if (setuid(account.uid) != 0) fail(3);
    }
    if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) fail(4);
    if (getppid() != parent) fail(5);
    if (dir != nullptr && chdir(dir) != 0) fail(6);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) fail(7);
    if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0) fail(8);
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(argv[0], argv.data(), envp);
    fail(9);
  }
  close(report[1]);
  int msg[2] = {0, 0};
  ssize_t n;
  do {
    n = read(report[0], msg, sizeof(msg));
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    static const char* kSteps[] = {"",      "setgroups",    "setgid", "setuid",
                                   "prctl", "parent check", "chdir",  "open /dev/null",
                                   "dup2",  "exec"};
    const char* step = msg[0] >= 1 && msg[0] <= 9 ? kSteps[msg[0]] : "setup";
    return Status::Internal("starting \"" + argv_in[0] + "\" failed at " + step + ": " +
                            ErrnoText(msg[1]));
  }
  return pid;
}

bool WaitForExit(pid_t pid, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Processes to end when dbarch is interrupted: pgBackRest process groups (SIGTERM to the
// group: pgBackRest's worker processes keep each other alive once their parent is gone) and
// restored servers (SIGQUIT, immediate shutdown). Read by a signal handler, so only
// lock-free atomics.
constexpr int kMaxTracked = 16;
struct Tracked {
  std::atomic<pid_t> pid{0};
  std::atomic<int> signal{0};
};
Tracked g_tracked[kMaxTracked];
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

int Track(pid_t pid, int sig) {
  for (int i = 0; i < kMaxTracked; ++i) {
    pid_t expected = 0;
    if (g_tracked[i].pid.compare_exchange_strong(expected, -1)) {
      g_tracked[i].signal.store(sig);
      g_tracked[i].pid.store(pid);
      return i;
    }
  }
  return -1;
}

void Untrack(int slot) {
  if (slot >= 0) g_tracked[slot].pid.store(0);
}

void NapSignalSafe(long ms) {
  timespec ts{0, ms * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

extern "C" void EndTrackedProcesses(int sig) {
  int saved_errno = errno;
  for (Tracked& t : g_tracked) {
    pid_t pid = t.pid.exchange(0);
    if (pid <= 0) continue;
    const bool server = t.signal.load() == SIGQUIT;
    if (server)
      kill(pid, SIGQUIT);
    else
      kill(-pid, SIGTERM);
    // ~2 s for the leader (our child) and then the rest of its group to go; then SIGKILL.
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
      int status = 0;
      waitpid(pid, &status, WNOHANG);
      gone = kill(server ? pid : -pid, 0) < 0 && errno == ESRCH;
      if (!gone) NapSignalSafe(10);
    }
    if (!gone) kill(-pid, SIGKILL);
  }
  // Then whatever was installed before (the sandbox cleanup), or the default action.
  const struct sigaction& previous = sig == SIGINT ? g_previous_int : g_previous_term;
  errno = saved_errno;
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
      (previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler != nullptr) {
    previous.sa_handler(sig);
    return;
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

}  // namespace

void InstallProcessCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = &EndTrackedProcesses;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, &g_previous_int);
    sigaction(SIGTERM, &sa, &g_previous_term);
  });
}

Result<ServerAccount> ResolveServerAccount() {
  ServerAccount account;
  if (geteuid() != 0) {
    account.uid = geteuid();
    account.gid = getegid();
    return account;
  }
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r("postgres", &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return Status::NotFound(
        "OS user \"postgres\" not found; PostgreSQL and pgBackRest refuse "
        "to run as root, so dbarch started as root runs them as \"postgres\"");
  }
  account.uid = pw.pw_uid;
  account.gid = pw.pw_gid;
  account.switch_user = true;
  return account;
}

Result<ProcessOutput> RunProgram(const ServerAccount& account, const std::vector<std::string>& argv,
                                 const std::string& cwd, int timeout_ms) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  const auto start = Clock::now();
  // Its own process group, so a timeout or an interrupt ends pgBackRest's workers too.
  Result<pid_t> spawned = Spawn(account, argv, cwd, out[1], SIGTERM, true);
  close(out[1]);
  if (!spawned.ok()) {
    close(out[0]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
  const int slot = Track(pid, SIGTERM);
  const auto deadline = start + std::chrono::milliseconds(timeout_ms);
  ProcessOutput result;
  bool timed_out = false;
  char buf[4096];
  while (true) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r <= 0) continue;
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
    if (result.output.size() > 65536) result.output.erase(0, result.output.size() - 65536);
  }
  close(out[0]);
  if (timed_out) kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Untrack(slot);
  result.elapsed_ms = MillisSince(start);
  if (timed_out) {
    return Status::Internal("\"" + argv[0] + " " + (argv.size() > 1 ? argv.back() : "") +
                            "\" did not finish within " + std::to_string(timeout_ms / 1000) +
                            " s and was killed");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

Status MakeOwnedDirectory(const std::string& path, const ServerAccount& account, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Status::IOError("creating \"" + path + "\": " + ec.message());
  if ((account.switch_user && chown(path.c_str(), account.uid, account.gid) != 0) ||
      chmod(path.c_str(), mode) != 0) {
    return Status::IOError("setting the owner of \"" + path + "\": " + ErrnoText(errno));
  }
  return Status::OK();
}

Status WriteOwnedFile(const std::string& path, const std::string& text,
                      const ServerAccount& account, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Status::IOError("writing \"" + path + "\" failed");
  }
  if ((account.switch_user && chown(path.c_str(), account.uid, account.gid) != 0) ||
      chmod(path.c_str(), mode) != 0) {
    return Status::IOError("setting the owner of \"" + path + "\": " + ErrnoText(errno));
  }
  return Status::OK();
}

Result<int> PickFreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("socket: " + ErrnoText(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    return Status::IOError("finding a free port: " + ErrnoText(err));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const ServerAccount& account,
                                                            const Options& options) {
  std::vector<std::string> argv = {options.postgres, "-D", options.data_dir, "-p",
                                   std::to_string(options.port)};
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", ""}, {"unix_socket_directories", options.socket_dir}};
  settings.insert(settings.end(), options.settings.begin(), options.settings.end());
  for (const auto& [name, value] : settings) {
    argv.push_back("-c");
    argv.push_back(name + "=" + value);
  }
  int log = open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return Status::IOError("opening \"" + options.log_path + "\": " + ErrnoText(errno));
  if (account.switch_user && fchown(log, account.uid, account.gid) != 0) {
    int err = errno;
    close(log);
    return Status::IOError("chown \"" + options.log_path + "\": " + ErrnoText(err));
  }
  // Immediate shutdown (SIGQUIT) if this thread dies: the server still frees shared memory.
  Result<pid_t> pid = Spawn(account, argv, options.socket_dir, log, SIGQUIT, true);
  close(log);
  if (!pid.ok()) return pid.status();
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->pid_ = *pid;
  server->slot_ = Track(*pid, SIGQUIT);
  server->owner_pid_ = getpid();
  server->socket_dir_ = options.socket_dir;
  server->port_ = options.port;
  return server;
}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::IsAlive() {
  if (pid_ <= 0 || exited_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) exited_ = true;
  return !exited_;
}

void ServerProcess::Stop() {
  if (pid_ <= 0 || owner_pid_ != getpid()) return;
  if (IsAlive()) {
    kill(pid_, SIGINT);  // fast shutdown
    if (!WaitForExit(pid_, 30000)) {
      kill(pid_, SIGQUIT);  // immediate shutdown
      if (!WaitForExit(pid_, 5000)) {
        kill(-pid_, SIGKILL);
        WaitForExit(pid_, 5000);
      }
    }
  }
  Untrack(slot_);
  slot_ = -1;
  pid_ = -1;
}

std::string ServerProcess::ConnInfo(const std::string& dbname) const {
  return "host=" + socket_dir_ + " port=" + std::to_string(port_) +
         " user=postgres dbname=" + dbname;
}

}  // namespace dbarch::ops
