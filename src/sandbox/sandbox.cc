#include "sandbox/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <system_error>
#include <thread>

#include "base/strings.h"
#include "pg/connection.h"
#include "sandbox/process.h"

namespace dbarch::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kSandboxPrefix = "dbarch-sandbox-";
constexpr const char* kOwnerFile = "dbarch-owner.pid";
constexpr const char* kCertFile = "server.crt";
constexpr const char* kKeyFile = "server.key";
constexpr int kMaxLaunchAttempts = 5;
constexpr int kInitdbTimeoutMs = 120000;
constexpr int kTemplateLockTimeoutMs = 180000;
constexpr int kFastShutdownMs = 10000;
constexpr int kImmediateShutdownMs = 5000;
constexpr size_t kLogTailBytes = 2000;

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// ---------------------------------------------------------------------------------------
// Registry of live sandboxes, read by the signal handler.
//
// This is a mutable global on purpose: a signal handler can reach live sandboxes only
// through static storage, and only lock-free atomics and fixed-size buffers may be used
// from it. A slot is owned by the process that filled it (after fork() the child sees its
// parent's slots and must leave them alone).

constexpr int kMaxLiveSandboxes = 64;
constexpr size_t kMaxDirBytes = 128;

struct LiveSlot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 published
  std::atomic<pid_t> owner{0};
  std::atomic<pid_t> postmaster{0};  // 0: no server (yet / any more)
  char dir[kMaxDirBytes] = {};
};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<pid_t>::is_always_lock_free);

LiveSlot g_live[kMaxLiveSandboxes];

int ReserveSlot(const std::string& dir) {
  if (dir.size() >= kMaxDirBytes) return -1;
  for (int i = 0; i < kMaxLiveSandboxes; ++i) {
    int expected = 0;
    if (!g_live[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(g_live[i].dir, dir.c_str(), dir.size() + 1);
    g_live[i].postmaster.store(0);
    g_live[i].owner.store(getpid());
    g_live[i].state.store(2);
    return i;
  }
  return -1;
}

void ReleaseSlot(int slot) {
  g_live[slot].state.store(1);
  g_live[slot].postmaster.store(0);
  g_live[slot].owner.store(0);
  g_live[slot].dir[0] = '\0';
  g_live[slot].state.store(0);
}

// --- async-signal-safe cleanup (no allocation, no locks, no stdio) ---

void SleepMsSignalSafe(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Recursively deletes `name` relative to `parent_fd`, without following symlinks.
void RemoveTreeSignalSafe(int parent_fd, const char* name, int depth) {
  int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    unlinkat(parent_fd, name, 0);
    return;
  }
  alignas(8) char buf[2048];
  // Entries removed while reading may make getdents skip others; rescan until empty.
  for (int pass = 0; pass < 8; ++pass) {
    bool saw_any = false;
    lseek(fd, 0, SEEK_SET);
    while (true) {
      ssize_t n = getdents64(fd, buf, sizeof(buf));
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        auto* entry = reinterpret_cast<struct dirent64*>(buf + off);
        off += entry->d_reclen;
        const char* child = entry->d_name;
        if (child[0] == '.' && (child[1] == '\0' || (child[1] == '.' && child[2] == '\0'))) {
          continue;
        }
        saw_any = true;
        if (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN) {
          if (depth < 16) RemoveTreeSignalSafe(fd, child, depth + 1);
        } else {
          unlinkat(fd, child, 0);
        }
      }
    }
    if (!saw_any) break;
  }
  close(fd);
  unlinkat(parent_fd, name, AT_REMOVEDIR);
}

// Immediate shutdown of `pid`, escalating to SIGKILL of its process group.
void KillServerSignalSafe(pid_t pid) {
  kill(pid, SIGQUIT);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return;
    if (r < 0 && kill(pid, 0) < 0 && errno == ESRCH) return;  // not our child, and gone
    SleepMsSignalSafe(10);
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

void CleanupAllLive() {
  static std::atomic<bool> running{false};
  if (running.exchange(true)) return;
  const pid_t self = getpid();
  for (LiveSlot& slot : g_live) {
    if (slot.state.load() != 2 || slot.owner.load() != self) continue;
    pid_t pm = slot.postmaster.exchange(0);
    if (pm > 0) KillServerSignalSafe(pm);
    if (slot.dir[0] == '/') RemoveTreeSignalSafe(AT_FDCWD, slot.dir, 0);
  }
  running.store(false);
}

extern "C" void OnTerminatingSignal(int sig) {
  int saved_errno = errno;
  CleanupAllLive();
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  errno = saved_errno;
  // Still blocked while the handler runs; delivered with the default action on return.
  raise(sig);
}

extern "C" void CleanupAtExit() { CleanupAllLive(); }

std::string Tail(std::string_view text, size_t max_bytes) {
  text = Trim(text);
  if (text.size() > max_bytes) {
    text.remove_prefix(text.size() - max_bytes);
    size_t nl = text.find('\n');
    if (nl != std::string_view::npos) text.remove_prefix(nl + 1);
  }
  return std::string(text);
}

// The end of what `path` holds beyond its first `from` bytes.
std::string ReadFileTail(const std::string& path, uintmax_t from, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(static_cast<std::streamoff>(from));
  std::stringstream ss;
  ss << in.rdbuf();
  return Tail(ss.str(), max_bytes);
}

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string out;
  static const char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes; ++i) {
    unsigned v = rd() & 0xff;
    out += kDigits[v >> 4];
    out += kDigits[v & 0xf];
  }
  return out;
}

// "15.18" from `postgres -V` ("postgres (PostgreSQL) 15.18 (Debian ...)").
Result<std::string> ServerVersion(const std::string& postgres, const ServerAccount& id) {
  ChildSpec spec;
  spec.argv = {postgres, "-V"};
  spec.cwd = "/";
  DBARCH_ASSIGN_OR_RETURN(Completed done, RunToCompletion(spec, id, 30000));
  const std::string marker = "(PostgreSQL) ";
  size_t at = done.output.find(marker);
  if (done.exit_code != 0 || at == std::string::npos) {
    return Status::Internal("\"" + postgres + " -V\" failed: " + Tail(done.output, 500));
  }
  std::string version;
  for (size_t i = at + marker.size(); i < done.output.size(); ++i) {
    char c = done.output[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.') break;
    version += c;
  }
  if (version.empty()) return Status::Internal("unrecognised \"postgres -V\" output");
  return version;
}

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

// Copies every byte of the regular file `in` to `out`.
Status CopyFileContents(int in, int out, off_t size, const std::string& what) {
  off_t left = size;
  bool use_sendfile = false;
  while (left > 0) {
    ssize_t n;
    if (!use_sendfile) {
      n = copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        use_sendfile = true;  // across file systems
        continue;
      }
    } else {
      n = sendfile(out, in, nullptr, static_cast<size_t>(left));
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("copying \"" + what + "\": " + ErrnoText(errno));
    if (n == 0) break;  // the file shrank: nothing left to copy
    left -= n;
  }
  return Status::OK();
}

// Copies the directory tree open at `src_dir` into the empty directory `dst_dir`, giving
// every copy the template's mode and `id` as owner. Only directories and regular files
// owned by `id` are accepted, and nothing is followed through a symlink: when we are root
// the template belongs to the less privileged server user, who must not be able to make
// us copy files they cannot read.
Status CopyTree(int src_dir, int dst_dir, const std::string& where, const ServerAccount& id) {
  int list_fd = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (list_fd < 0) return Status::IOError("opening \"" + where + "\": " + ErrnoText(errno));
  std::unique_ptr<DIR, DirCloser> dir(fdopendir(list_fd));
  if (dir == nullptr) {
    int err = errno;
    close(list_fd);
    return Status::IOError("reading \"" + where + "\": " + ErrnoText(err));
  }
  while (true) {
    errno = 0;
    dirent* entry = readdir(dir.get());
    if (entry == nullptr) {
      if (errno != 0) return Status::IOError("reading \"" + where + "\": " + ErrnoText(errno));
      break;
    }
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    const std::string path = where + "/" + name;
    const int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd in(openat(src_dir, name, flags | O_NONBLOCK));
    if (in.get() < 0) return Status::IOError("opening \"" + path + "\": " + ErrnoText(errno));
    struct stat st {};
    if (fstat(in.get(), &st) != 0) {
      return Status::IOError("stat \"" + path + "\": " + ErrnoText(errno));
    }
    if (st.st_uid != id.uid || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
      return Status::InvalidArgument("template entry \"" + path +
                                     "\" is not a file or directory owned by the server user")
          .WithHint("delete the template cache directory; the next start recreates it");
    }
    const mode_t mode = st.st_mode & 07777;
    UniqueFd out;
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dst_dir, name, 0700) != 0) {
        return Status::IOError("creating \"" + path + "\" copy: " + ErrnoText(errno));
      }
      out = UniqueFd(openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    } else {
      out = UniqueFd(
          openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    }
    if (out.get() < 0) {
      return Status::IOError("creating \"" + path + "\" copy: " + ErrnoText(errno));
    }
    if ((id.switch_user && fchown(out.get(), id.uid, id.gid) != 0) ||
        fchmod(out.get(), mode) != 0) {
      return Status::IOError("setting owner of \"" + path + "\" copy: " + ErrnoText(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      DBARCH_RETURN_IF_ERROR(CopyTree(in.get(), out.get(), path, id));
    } else {
      DBARCH_RETURN_IF_ERROR(CopyFileContents(in.get(), out.get(), st.st_size, path));
    }
  }
  return Status::OK();
}

// Copies the template data directory `tmpl` to the new directory `dest`.
Status CopyTemplate(const std::string& tmpl, const std::string& dest, const ServerAccount& id) {
  UniqueFd src(open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (src.get() < 0) return Status::IOError("opening \"" + tmpl + "\": " + ErrnoText(errno));
  struct stat st {};
  if (fstat(src.get(), &st) != 0 || st.st_uid != id.uid) {
    return Status::InvalidArgument("template \"" + tmpl + "\" is not owned by the server user");
  }
  if (mkdir(dest.c_str(), 0700) != 0) {
    return Status::IOError("creating \"" + dest + "\": " + ErrnoText(errno));
  }
  UniqueFd dst(open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dst.get() < 0) return Status::IOError("opening \"" + dest + "\": " + ErrnoText(errno));
  if ((id.switch_user && fchown(dst.get(), id.uid, id.gid) != 0) ||
      fchmod(dst.get(), st.st_mode & 07777) != 0) {
    return Status::IOError("setting owner of \"" + dest + "\": " + ErrnoText(errno));
  }
  return CopyTree(src.get(), dst.get(), tmpl, id);
}

// The template cache must be ours and writable only by us: a template planted by someone
// else would run code as the server user (postgresql.conf can name programs to run).
Status CheckCacheDirSafe(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    return Status::IOError("template cache \"" + dir + "\": " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
    return Status::InvalidArgument("template cache \"" + dir +
                                   "\" is not a directory owned by this user and writable "
                                   "only by it")
        .WithHint("set SandboxOptions::template_cache_dir to a private directory");
  }
  // The server user must be able to traverse it to reach its template.
  if ((st.st_mode & 0111) != 0111 && chmod(dir.c_str(), (st.st_mode & 07777) | 0111) != 0) {
    return Status::IOError("chmod \"" + dir + "\": " + ErrnoText(errno));
  }
  return Status::OK();
}

// pg_hba.conf of every sandbox: the Unix socket sits in a 0700 directory, so trust is safe
// there; TCP is reachable by every local user, so it needs the per-sandbox password.
constexpr const char* kHbaConf =
    "# written by dbarch: sandbox clusters only\n"
    "local   all           all                   trust\n"
    "local   replication   all                   trust\n"
    "host    all           all    127.0.0.1/32   scram-sha-256\n"
    "host    replication   all    127.0.0.1/32   scram-sha-256\n";

// Returns the template data directory for this server version and user, creating it with
// initdb on first use. Creation is serialised across processes by flock() on a lock file
// and published atomically by rename(), so readers never see a half-written template.
Result<std::string> EnsureTemplate(const SandboxOptions& options, const ServerAccount& id,
                                   const std::string& version, StartStats* stats) {
  const std::string cache = options.template_cache_dir.empty()
                                ? "/var/tmp/dbarch-templates-" + std::to_string(geteuid())
                                : options.template_cache_dir;
  const std::string key = "pg" + version + "-uid" + std::to_string(id.uid);
  const std::string tmpl = cache + "/" + key;
  std::error_code ec;
  if (fs::exists(tmpl + "/PG_VERSION", ec)) {
    DBARCH_RETURN_IF_ERROR(CheckCacheDirSafe(cache));
    return tmpl;
  }
  if (mkdir(cache.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError("creating template cache \"" + cache + "\": " + ErrnoText(errno));
  }
  DBARCH_RETURN_IF_ERROR(CheckCacheDirSafe(cache));

  const std::string lock_path = tmpl + ".lock";
  UniqueFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return Status::IOError("opening \"" + lock_path + "\": " + ErrnoText(errno));
  const auto deadline = Clock::now() + std::chrono::milliseconds(kTemplateLockTimeoutMs);
  while (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::IOError("locking \"" + lock_path + "\": " + ErrnoText(errno));
    }
    if (Clock::now() >= deadline) {
      return Status::Internal("timed out waiting for another process to create the template " +
                              tmpl);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The lock is released when `lock` closes.
  if (fs::exists(tmpl + "/PG_VERSION", ec)) return tmpl;  // made while we waited

  // Leftovers of an initdb that died: nobody else can be writing them while we hold the lock.
  const std::string tmp_prefix = key + ".tmp-";
  for (auto it = fs::directory_iterator(cache, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (StartsWith(it->path().filename().string(), tmp_prefix)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
  if (fs::exists(tmpl, ec)) fs::remove_all(tmpl, ec);  // incomplete: no PG_VERSION

  const std::string tmp = cache + "/" + tmp_prefix + std::to_string(getpid());
  if (mkdir(tmp.c_str(), 0700) != 0) {
    return Status::IOError("creating \"" + tmp + "\": " + ErrnoText(errno));
  }
  if (id.switch_user && chown(tmp.c_str(), id.uid, id.gid) != 0) {
    int err = errno;
    fs::remove_all(tmp, ec);
    return Status::IOError("chown \"" + tmp + "\": " + ErrnoText(err));
  }
  ChildSpec initdb;
  initdb.argv = {options.bin_dir + "/initdb",
                 "-D",
                 tmp,
                 "-U",
                 "postgres",
                 "-A",
                 "trust",
                 "-E",
                 "UTF8",
                 "--locale=C.UTF-8",
                 "--no-sync",
                 "--no-instructions"};
  initdb.cwd = tmp;
  Result<Completed> done = RunToCompletion(initdb, id, kInitdbTimeoutMs);
  if (!done.ok() || done->exit_code != 0) {
    std::string why = done.ok() ? "exit code " + std::to_string(done->exit_code) + ":\n" +
                                      Tail(done->output, kLogTailBytes)
                                : done.status().message();
    fs::remove_all(tmp, ec);
    return Status::Internal("initdb failed: " + why);
  }
  {
    // Rewrite in place, so the file keeps its owner (the server user).
    std::ofstream hba(tmp + "/pg_hba.conf", std::ios::trunc);
    hba << kHbaConf;
    if (!hba.flush()) {
      fs::remove_all(tmp, ec);
      return Status::IOError("writing " + tmp + "/pg_hba.conf");
    }
  }
  if (rename(tmp.c_str(), tmpl.c_str()) != 0) {
    int err = errno;
    fs::remove_all(tmp, ec);
    return Status::IOError("publishing template \"" + tmpl + "\": " + ErrnoText(err));
  }
  stats->created_template = true;
  return tmpl;
}

// Deletes sandbox directories whose owner process is gone and whose server is not running
// (no postmaster.pid), e.g. after the owner was SIGKILLed. Recent directories are skipped:
// their owner may live in another PID namespace sharing /tmp and still be setting up.
void RemoveStaleSandboxDirs(const std::string& base_dir) {
  std::error_code ec;
  const fs::path tmp = base_dir;
  const std::string prefix = kSandboxPrefix;
  const auto now = fs::file_time_type::clock::now();
  for (auto it = fs::directory_iterator(tmp, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path dir = it->path();
    if (!StartsWith(dir.filename().string(), prefix)) continue;
    std::error_code e;
    if (fs::is_symlink(it->symlink_status(e)) || !it->is_directory(e)) continue;
    std::ifstream owner_file(dir / kOwnerFile);
    long owner = 0;
    if (!(owner_file >> owner) || owner <= 0) continue;
    if (kill(static_cast<pid_t>(owner), 0) == 0 || errno == EPERM) continue;
    if (fs::exists(dir / "data" / "postmaster.pid", e)) continue;
    auto mtime = fs::last_write_time(dir, e);
    if (e || now - mtime < std::chrono::minutes(1)) continue;
    fs::remove_all(dir, e);
  }
}

constexpr const char* kReservedSettings[] = {
    "port",     "listen_addresses", "unix_socket_directories", "data_directory", "config_file",
    "hba_file", "ident_file",       "external_pid_file"};

// Owners of the libcrypto objects WriteSelfSignedCertificate makes.
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

// Writes `pem` to `path` (created, mode 0600) and gives it to the server's OS user: the
// server refuses a key file that others may read or that it does not own.
Status WritePrivateFile(const std::string& path, const std::string& pem, const ServerAccount& id) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("creating \"" + path + "\": " + ErrnoText(errno));
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = write(fd, pem.data() + done, pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      return Status::IOError("writing \"" + path + "\": " + ErrnoText(err));
    }
    done += static_cast<size_t>(n);
  }
  if (id.switch_user && fchown(fd, id.uid, id.gid) != 0) {
    int err = errno;
    close(fd);
    return Status::IOError("chown \"" + path + "\": " + ErrnoText(err));
  }
  if (close(fd) != 0) return Status::IOError("closing \"" + path + "\": " + ErrnoText(errno));
  return Status::OK();
}

// A PEM text of what `write` puts into a memory BIO.
template <typename Fn>
Result<std::string> ToPem(Fn write) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return Status::Internal("libcrypto: BIO_new failed");
  std::string out;
  if (write(bio) == 1) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    if (size > 0) out.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  if (out.empty()) return Status::Internal("libcrypto: writing PEM failed");
  return out;
}

// A throwaway key pair (EC P-256) and a self-signed certificate for CN=localhost, valid for
// 30 days, written into `dir` for the server: its ssl_cert_file and ssl_key_file. Made in
// process with libcrypto (already a dependency), so no openssl program is needed.
Status WriteSelfSignedCertificate(const std::string& dir, const ServerAccount& id) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("libcrypto: generating an EC key failed");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return Status::Internal("libcrypto: X509_new failed");
  unsigned char serial[8];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return Status::Internal("libcrypto: no random");
  uint64_t serial_number = 0;
  for (unsigned char b : serial) serial_number = (serial_number << 8) | b;
  bool ok = X509_set_version(cert.get(), 2) == 1 &&
            ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial_number >> 1) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) != nullptr &&
            X509_set_pubkey(cert.get(), key.get()) == 1;
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                        0) == 1;
  ok = ok && X509_set_issuer_name(cert.get(), name) == 1 &&
       X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Status::Internal("libcrypto: building the self-signed certificate failed");
  DBARCH_ASSIGN_OR_RETURN(std::string cert_pem,
                          ToPem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }));
  DBARCH_ASSIGN_OR_RETURN(std::string key_pem, ToPem([&](BIO* bio) {
                            return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0,
                                                            nullptr, nullptr);
                          }));
  DBARCH_RETURN_IF_ERROR(WritePrivateFile(dir + "/" + kCertFile, cert_pem, id));
  return WritePrivateFile(dir + "/" + kKeyFile, key_pem, id);
}

Status CheckSettings(const SandboxOptions& options) {
  if (options.base_dir.empty() || options.base_dir[0] != '/' || options.base_dir.size() > 60) {
    return Status::InvalidArgument(
        "sandbox base_dir must be an absolute path of at most 60 "
        "bytes, not \"" +
        options.base_dir + "\"");
  }
  if (options.start_timeout_ms <= 0) {
    return Status::InvalidArgument("start_timeout_ms must be positive");
  }
  if (options.cpu_limit < 0) return Status::InvalidArgument("cpu_limit must not be negative");
  if (options.listen_addresses.find_first_of(std::string("\n\0", 2)) != std::string::npos) {
    return Status::InvalidArgument("invalid sandbox listen_addresses");
  }
  if (!options.private_network) {
    std::string_view rest = options.listen_addresses;
    for (size_t comma = 0; comma != std::string_view::npos; rest.remove_prefix(comma + 1)) {
      comma = rest.find(',');
      std::string address(Trim(rest.substr(0, comma)));
      if (address.empty() || address == "127.0.0.1" || address == "::1" || address == "localhost") {
        if (comma == std::string_view::npos) break;
        continue;
      }
      return Status::InvalidArgument("sandbox listen_addresses \"" + options.listen_addresses +
                                     "\" would open the server to the network")
          .WithHint("listen on loopback, or set SandboxOptions::private_network");
    }
  }
  for (const auto& [name, value] : options.settings) {
    if (name.empty() || name.find_first_of("= \t\n") != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return Status::InvalidArgument("invalid sandbox setting \"" + name + "\"");
    }
    for (const char* reserved : kReservedSettings) {
      if (ToLower(name) == reserved) {
        return Status::InvalidArgument("sandbox setting \"" + name +
                                       "\" is chosen by the sandbox and cannot be overridden");
      }
    }
  }
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<std::unique_ptr<Sandbox>> Sandbox::Start(const SandboxOptions& options) {
  const auto t0 = Clock::now();
  DBARCH_RETURN_IF_ERROR(CheckSettings(options));
  const std::string postgres = options.bin_dir + "/postgres";
  for (const std::string& program : {postgres, options.bin_dir + "/initdb"}) {
    if (access(program.c_str(), X_OK) != 0) {
      return Status::NotFound("PostgreSQL program \"" + program + "\" not found or not executable")
          .WithHint("set SandboxOptions::bin_dir (Debian: /usr/lib/postgresql/15/bin)");
    }
  }
  DBARCH_ASSIGN_OR_RETURN(ServerAccount id, ResolveServerAccount());
  RemoveStaleSandboxDirs(options.base_dir);

  std::unique_ptr<Sandbox> sb(new Sandbox());
  sb->owner_pid_ = getpid();
  DBARCH_ASSIGN_OR_RETURN(std::string version, ServerVersion(postgres, id));
  DBARCH_ASSIGN_OR_RETURN(std::string tmpl, EnsureTemplate(options, id, version, &sb->stats_));
  sb->stats_.template_ms = MillisSince(t0);

  // The private directory. From here on `sb`'s destructor cleans up on failure.
  std::string dir_template = options.base_dir + "/" + kSandboxPrefix + "XXXXXX";
  if (mkdtemp(dir_template.data()) == nullptr) {
    return Status::IOError("creating a sandbox directory under \"" + options.base_dir +
                           "\": " + ErrnoText(errno));
  }
  sb->dir_ = dir_template;
  sb->slot_ = ReserveSlot(sb->dir_);
  if (sb->slot_ < 0) {
    return Status::Internal("too many live sandboxes in this process (at most " +
                            std::to_string(kMaxLiveSandboxes) + ")");
  }
  {
    std::ofstream owner(sb->dir_ + "/" + kOwnerFile);
    owner << getpid() << "\n";
    if (!owner.flush()) return Status::IOError("writing " + sb->dir_ + "/" + kOwnerFile);
  }
  if (id.switch_user && chown(sb->dir_.c_str(), id.uid, id.gid) != 0) {
    return Status::IOError("chown \"" + sb->dir_ + "\": " + ErrnoText(errno));
  }

  const auto t_copy = Clock::now();
  DBARCH_RETURN_IF_ERROR(CopyTemplate(tmpl, sb->data_dir(), id));
  sb->stats_.copy_ms = MillisSince(t_copy);
  if (options.ssl) {
    DBARCH_RETURN_IF_ERROR(WriteSelfSignedCertificate(sb->dir_, id));
  }
  if (options.data_checksums) {
    // On this copy only: the template stays as initdb made it.
    ChildSpec checksums;
    checksums.argv = {options.bin_dir + "/pg_checksums", "--enable", "--no-sync", "-D",
                      sb->data_dir()};
    checksums.cwd = sb->dir_;
    Result<Completed> done = RunToCompletion(checksums, id, kInitdbTimeoutMs);
    if (!done.ok() || done->exit_code != 0) {
      return Status::Internal(
          "pg_checksums --enable failed: " +
          (done.ok() ? Tail(done->output, kLogTailBytes) : std::string(done.status().message())));
    }
  }


  const auto t_server = Clock::now();
  sb->password_ = RandomHex(16);
  sb->options_ = options;
  sb->switch_user_ = id.switch_user;
  sb->server_uid_ = id.uid;
  sb->server_gid_ = id.gid;
  DBARCH_RETURN_IF_ERROR(sb->Launch());

  // The template's superuser has no password (TCP refused); give it this sandbox's.
  pg::ConnectOptions admin;
  admin.conninfo = sb->ConnInfo();
  admin.read_only = false;
  admin.application_name = "dbarch-sandbox";
  DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(admin));
  DBARCH_RETURN_IF_ERROR(
      conn.ExecScript("SET log_statement = 'none'; ALTER ROLE postgres PASSWORD " +
                      QuoteLiteral(sb->password_))
          .WithContext("setting the sandbox password"));
  sb->stats_.server_ms = MillisSince(t_server);
  sb->stats_.total_ms = MillisSince(t0);
  return sb;
}

Status Sandbox::Launch() {
  ServerAccount id;
  id.uid = server_uid_;
  id.gid = server_gid_;
  id.switch_user = switch_user_;
  const std::string postgres = options_.bin_dir + "/postgres";
  for (int attempt = 1;; ++attempt) {
    stats_.attempts += 1;
    DBARCH_ASSIGN_OR_RETURN(port_, PickFreeLoopbackPort());
    std::vector<std::pair<std::string, std::string>> settings = {
        {"listen_addresses", options_.listen_addresses},
        {"unix_socket_directories", dir_},
        {"fsync", "off"},
        {"synchronous_commit", "off"},
        {"full_page_writes", "off"},
        // Nothing replicates from a sandbox: minimal WAL lets COPY into a table created or
        // truncated in the same transaction skip WAL (data generation, benchmark loads).
        {"wal_level", "minimal"},
        {"max_wal_senders", "0"},
        {"shared_buffers", "128MB"},
        {"max_connections", "20"},
        // A plan over partitioned tables locks every partition and each of its indexes: a
        // what-if EXPLAIN joining two tables of 36 monthly partitions with their indexes
        // outgrew the default 64 (x 20 connections) lock slots ("out of shared memory").
        {"max_locks_per_transaction", "256"},
        {"huge_pages", "off"},
        {"logging_collector", "off"},
    };
    if (options_.ssl) {
      settings.push_back({"ssl", "on"});
      settings.push_back({"ssl_cert_file", dir_ + "/" + kCertFile});
      settings.push_back({"ssl_key_file", dir_ + "/" + kKeyFile});
    }
    settings.insert(settings.end(), options_.settings.begin(), options_.settings.end());
    ChildSpec server;
    server.argv = PostmasterArgv(postgres, data_dir(), port_, settings);
    server.cwd = dir_;
    server.output_file = log_path();
    server.new_process_group = true;
    // Immediate shutdown (not SIGKILL): the server still removes its shared memory.
    server.death_signal = SIGQUIT;
    server.cpu_limit = options_.cpu_limit;
    server.new_network_namespace = options_.private_network;
    std::error_code size_error;
    const uintmax_t log_start =
        fs::exists(log_path(), size_error) ? fs::file_size(log_path(), size_error) : 0;
    DBARCH_ASSIGN_OR_RETURN(Child child, Spawn(server, id));
    pid_ = child.pid;
    g_live[slot_].postmaster.store(child.pid);

    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.start_timeout_ms);
    auto nap = std::chrono::microseconds(1000);
    bool ready = false;
    bool exited = false;
    while (true) {
      if (HasExited(pid_)) {
        exited = true;
        break;
      }
      if (pg::Ping(ConnInfo(), 2) == pg::PingResult::kAccepting) {
        ready = true;
        break;
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(nap);
      nap = std::min<std::chrono::microseconds>(nap * 2, std::chrono::milliseconds(20));
    }
    if (ready) break;
    if (!exited) ShutDownServer(pid_, kFastShutdownMs, kImmediateShutdownMs);
    g_live[slot_].postmaster.store(0);
    Reap(pid_);
    pid_ = -1;
    const std::string log = ReadFileTail(log_path(), size_error ? 0 : log_start, kLogTailBytes);
    if (exited && log.find("Address already in use") != std::string::npos &&
        attempt < kMaxLaunchAttempts) {
      continue;  // another process took the port between our probe and the server's bind
    }
    if (exited) return Status::Internal("postgres exited during startup; log:\n" + log);
    return Status::Connection("postgres did not accept connections within " +
                              std::to_string(options_.start_timeout_ms) + " ms; log:\n" + log);
  }

  return Status::OK();
}

Status Sandbox::Restart(const std::vector<std::pair<std::string, std::string>>& settings) {
  // A sandbox whose last restart failed still has its directory and may start again.
  if (dir_.empty()) return Status::InvalidArgument("sandbox is stopped");
  if (owner_pid_ != getpid()) return Status::InvalidArgument("sandbox belongs to another process");
  SandboxOptions next = options_;
  next.settings = settings;
  DBARCH_RETURN_IF_ERROR(CheckSettings(next));
  if (pid_ > 0) {
    ShutDownServer(pid_, kFastShutdownMs, kImmediateShutdownMs);
    if (slot_ >= 0) g_live[slot_].postmaster.store(0);
    Reap(pid_);
    pid_ = -1;
  }
  options_ = std::move(next);
  return Launch();
}

Sandbox::~Sandbox() { (void)Stop(); }

std::string Sandbox::ConnInfo() const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

std::string Sandbox::TcpConnInfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=postgres dbname=postgres password=" + password_;
}

Status Sandbox::CreateDatabase(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("database name must not be empty");
  if (!running()) return Status::InvalidArgument("sandbox is stopped");
  pg::ConnectOptions admin;
  admin.conninfo = ConnInfo();
  admin.read_only = false;
  admin.application_name = "dbarch-sandbox";
  DBARCH_ASSIGN_OR_RETURN(pg::Connection conn, pg::Connection::Open(admin));
  return conn.ExecScript("CREATE DATABASE " + QuoteIdent(name));
}

Status Sandbox::Stop() {
  if (owner_pid_ != getpid()) {
    // A copy of the object in a forked child: the server and directory belong to the parent.
    pid_ = -1;
    dir_.clear();
    slot_ = -1;
    return Status::OK();
  }
  if (pid_ > 0) {
    ShutDownServer(pid_, kFastShutdownMs, kImmediateShutdownMs);
    if (slot_ >= 0) g_live[slot_].postmaster.store(0);
    Reap(pid_);
    pid_ = -1;
  }
  Status status;
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (ec) status = Status::IOError("removing sandbox \"" + dir_ + "\": " + ec.message());
    dir_.clear();
  }
  if (slot_ >= 0) {
    ReleaseSlot(slot_);
    slot_ = -1;
  }
  return status;
}

void InstallSignalCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = &OnTerminatingSignal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::atexit(&CleanupAtExit);
  });
}

}  // namespace dbarch::sandbox
