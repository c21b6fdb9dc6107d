#include "measure/pgbench.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace dbarch::measure {
namespace {

constexpr size_t kOutputKeepBytes = 64 * 1024;

std::string Tail(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

// The number after `key` on the first line that starts with it, or nullopt.
std::optional<double> NumberAfter(std::string_view output, std::string_view key) {
  size_t at = 0;
  while (at < output.size()) {
    size_t end = output.find('\n', at);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(at, end - at);
    if (line.substr(0, key.size()) == key) {
      std::string rest(line.substr(key.size()));
      char* stop = nullptr;
      double v = std::strtod(rest.c_str(), &stop);
      if (stop != rest.c_str()) return v;
      return std::nullopt;
    }
    at = end + 1;
  }
  return std::nullopt;
}

struct Finished {
  int exit_code = -1;  // -1: killed by a signal or the timeout
  std::string output;  // stdout and stderr, the last kOutputKeepBytes
  bool timed_out = false;
};

// Runs argv (argv[0] an absolute path) with a fixed environment, collecting its output; kills
// it after `timeout_ms`.
Result<Finished> RunProgram(const std::vector<std::string>& args, int timeout_ms) {
  if (access(args[0].c_str(), X_OK) != 0) {
    return Status::NotFound("program \"" + args[0] + "\" not found or not executable")
        .WithHint("install postgresql-contrib / the PostgreSQL 15 client programs");
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout can end pgbench and its threads together.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  static char kPath[] = "PATH=/usr/bin:/bin";
  static char kLocale[] = "LC_ALL=C";
  char* envp[] = {kPath, kLocale, nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return Status::Internal("starting \"" + args[0] + "\": " + std::strerror(rc));
  }
  Finished out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[8192];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      out.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<size_t>(n));
    if (out.output.size() > 2 * kOutputKeepBytes) {
      out.output.erase(0, out.output.size() - kOutputKeepBytes);
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

Status Failed(const std::string& what, const Finished& run) {
  std::string why =
      run.timed_out ? "timed out" : "failed (exit " + std::to_string(run.exit_code) + ")";
  return Status::Internal(what + " " + why + "; output:\n" + Tail(run.output, 2000));
}

}  // namespace

std::string_view PgbenchScriptName(PgbenchScript script) {
  return script == PgbenchScript::kTpcB ? "tpcb" : "select-only";
}

Result<PgbenchFigures> ParsePgbenchSummary(std::string_view output) {
  PgbenchFigures f;
  auto tps = NumberAfter(output, "tps = ");
  if (!tps) return Status::ParseError("pgbench printed no \"tps = \" line");
  auto latency = NumberAfter(output, "latency average = ");
  if (!latency) return Status::ParseError("pgbench printed no \"latency average = \" line");
  auto done = NumberAfter(output, "number of transactions actually processed: ");
  if (!done) {
    return Status::ParseError(
        "pgbench printed no \"number of transactions actually processed\" line");
  }
  f.tps = *tps;
  f.latency_avg_ms = *latency;
  f.transactions = static_cast<int64_t>(*done);
  f.failed =
      static_cast<int64_t>(NumberAfter(output, "number of failed transactions: ").value_or(0));
  return f;
}

Status InitPgbench(const std::string& bin_dir, const std::string& conninfo, int scale) {
  if (scale < 1) return Status::InvalidArgument("pgbench scale must be at least 1");
  // About 1 s per scale unit on a slow machine, plus the VACUUM.
  DBARCH_ASSIGN_OR_RETURN(Finished run, RunProgram({bin_dir + "/pgbench", "-i", "-q", "-s",
                                                    std::to_string(scale), conninfo},
                                                   120000 + 5000 * scale));
  if (run.exit_code != 0) return Failed("pgbench -i -s " + std::to_string(scale), run);
  return Status::OK();
}

Result<PgbenchFigures> RunPgbench(const PgbenchOptions& options) {
  if (options.clients < 1 || options.threads < 1 || options.threads > options.clients ||
      options.duration_s < 1) {
    return Status::InvalidArgument("pgbench needs clients >= threads >= 1 and duration >= 1 s");
  }
  // TPC-B runs start as pgbench's own runs do: history truncated, branches and tellers
  // vacuumed, so that earlier runs' writes do not slow later ones. Select-only writes
  // nothing and skips that (-n).
  std::vector<std::string> args = {options.bin_dir + "/pgbench", "-c",
                                   std::to_string(options.clients), "-j",
                                   std::to_string(options.threads), "-T",
                                   std::to_string(options.duration_s)};
  if (options.script == PgbenchScript::kSelectOnly) {
    args.push_back("-S");
    args.push_back("-n");
  }
  args.push_back(options.conninfo);
  DBARCH_ASSIGN_OR_RETURN(Finished run, RunProgram(args, options.duration_s * 1000 + 120000));
  const std::string what = "pgbench (" + std::string(PgbenchScriptName(options.script)) + ")";
  if (run.exit_code != 0) return Failed(what, run);
  auto figures = ParsePgbenchSummary(run.output);
  if (!figures.ok()) return Failed(what + ": " + figures.status().message() + ";", run);
  return figures;
}

}  // namespace dbarch::measure
