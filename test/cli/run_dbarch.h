// Test helper for the CLI end-to-end tests: runs the built dbarch binary (DBARCH_BINARY) as
// a child process in a given directory and captures its exit code, stdout and stderr
// separately. Also small helpers for golden files and temporary directories.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace dbarch::cli_test {

struct RunResult {
  int exit_code = -1;  // 128 + signal number when the process was killed
  std::string out;
  std::string err;
};

inline std::string SourceDir() { return DBARCH_SOURCE_DIR; }

// Runs `dbarch args...` with the working directory `cwd` (the source tree by default, so
// fixture paths and the locations printed for them are relative and stable).
inline RunResult RunDbarch(const std::vector<std::string>& args, const std::string& cwd = "") {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  std::string dir = cwd.empty() ? SourceDir() : cwd;
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (chdir(dir.c_str()) != 0) _exit(127);
    std::vector<char*> argv;
    std::string binary = DBARCH_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True under DBARCH_REWRITE_GOLDEN=1 (test/README.md): goldens are rewritten, not compared.
inline bool RewritingGoldens() {
  const char* v = std::getenv("DBARCH_REWRITE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// A fresh private directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dbarch-cli-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// "  exit 3\n  stdout: ...\n  stderr: ..." for failure messages.
inline std::string Describe(const RunResult& r) {
  auto cut = [](const std::string& s) { return s.size() > 2000 ? s.substr(0, 2000) + "..." : s; };
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout:\n" + cut(r.out) +
         "\n--- stderr:\n" + cut(r.err);
}

}  // namespace dbarch::cli_test
