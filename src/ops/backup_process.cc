#include "ops/backup_process.h"

#include <fcntl.h>
#include <signal.h>
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
#include <utility>

namespace dbarch::ops {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// pgBackRest's and the server's timestamps in UTC, as the targets dbarch writes.
constexpr const char* kTimeZone = "TZ=UTC";
// A restored server gets longer for a fast shutdown than a sandbox: it may be mid-recovery.
constexpr int kFastShutdownMs = 30000;
constexpr int kImmediateShutdownMs = 5000;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
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

Result<ProcessOutput> RunProgram(const sandbox::ServerAccount& account,
                                 const std::vector<std::string>& argv, const std::string& cwd,
                                 int timeout_ms) {
  sandbox::ChildSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.extra_env = {kTimeZone};
  // Its own process group, so a timeout or an interrupt ends pgBackRest's workers too.
  spec.new_process_group = true;
  spec.death_signal = SIGTERM;
  const auto start = Clock::now();
  DBARCH_ASSIGN_OR_RETURN(sandbox::Child child, sandbox::Spawn(spec, account));
  const int slot = Track(child.pid, SIGTERM);
  sandbox::Completed done = sandbox::CollectAndReap(child, timeout_ms, /*kill_group=*/true);
  Untrack(slot);
  if (done.timed_out) {
    return Status::Internal("\"" + argv[0] + " " + (argv.size() > 1 ? argv.back() : "") +
                            "\" did not finish within " + std::to_string(timeout_ms / 1000) +
                            " s and was killed");
  }
  ProcessOutput result;
  result.exit_code = done.exit_code;
  result.output = std::move(done.output);
  result.elapsed_ms = MillisSince(start);
  return result;
}

Status MakeOwnedDirectory(const std::string& path, const sandbox::ServerAccount& account,
                          mode_t mode) {
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
                      const sandbox::ServerAccount& account, mode_t mode) {
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

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(const sandbox::ServerAccount& account,
                                                            const Options& options) {
  std::vector<std::pair<std::string, std::string>> settings = {
      {"listen_addresses", ""}, {"unix_socket_directories", options.socket_dir}};
  settings.insert(settings.end(), options.settings.begin(), options.settings.end());
  // The log is created here, owned by the account; the server appends to it.
  int log = open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return Status::IOError("opening \"" + options.log_path + "\": " + ErrnoText(errno));
  if (account.switch_user && fchown(log, account.uid, account.gid) != 0) {
    int err = errno;
    close(log);
    return Status::IOError("chown \"" + options.log_path + "\": " + ErrnoText(err));
  }
  close(log);
  sandbox::ChildSpec spec;
  spec.argv = sandbox::PostmasterArgv(options.postgres, options.data_dir, options.port, settings);
  spec.cwd = options.socket_dir;
  spec.output_file = options.log_path;
  spec.extra_env = {kTimeZone};
  spec.new_process_group = true;
  // Immediate shutdown (SIGQUIT) if this thread dies: the server still frees shared memory.
  spec.death_signal = SIGQUIT;
  DBARCH_ASSIGN_OR_RETURN(sandbox::Child child, sandbox::Spawn(spec, account));
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->pid_ = child.pid;
  server->slot_ = Track(child.pid, SIGQUIT);
  server->owner_pid_ = getpid();
  server->socket_dir_ = options.socket_dir;
  server->port_ = options.port;
  return server;
}

ServerProcess::~ServerProcess() { Stop(); }

bool ServerProcess::IsAlive() { return pid_ > 0 && !sandbox::HasExited(pid_); }

void ServerProcess::Stop() {
  if (pid_ <= 0 || owner_pid_ != getpid()) return;
  if (!sandbox::HasExited(pid_)) {
    sandbox::ShutDownServer(pid_, kFastShutdownMs, kImmediateShutdownMs);
  }
  sandbox::Reap(pid_);
  Untrack(slot_);
  slot_ = -1;
  pid_ = -1;
}

std::string ServerProcess::ConnInfo(const std::string& dbname) const {
  return "host=" + socket_dir_ + " port=" + std::to_string(port_) +
         " user=postgres dbname=" + dbname;
}

}  // namespace dbarch::ops
