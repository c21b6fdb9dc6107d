// Sandbox: a throwaway PostgreSQL cluster that dbarch starts, uses and deletes itself, for
// behaviour that needs a real server (catalog round trips, HypoPG what-if plans, measured
// workload runs) and for the tests of every stage that needs one.
//
// Each sandbox is a private directory /tmp/dbarch-sandbox-XXXXXX (mode 0700) holding the
// data directory, the Unix socket and the server log. The first Start() on a machine runs
// initdb once into a template cache; later starts copy the template, so they take a
// fraction of a second. The server is started directly (no pg_ctl) and runs as the OS user
// `postgres` when dbarch runs as root, else as the current user. It uses fast-but-unsafe
// settings (fsync=off, ...): a sandbox's data is never worth keeping.
//
// Cleanup: Stop() / the destructor shut the server down and delete the directory. If the
// owning process dies without that (even by SIGKILL) the kernel sends the server SIGQUIT
// (immediate shutdown) through PR_SET_PDEATHSIG; InstallSignalCleanup() makes SIGINT and
// SIGTERM also delete the directories. Directories left by a SIGKILLed owner are deleted by
// a later Start() once their owner is gone (see README.md).
//
// Thread-safety: Start() may be called from several threads. One Sandbox object must not
// be used by two threads at once, except for the const accessors. Caveat: the kernel sends
// the parent-death signal when the *thread* that called Start() exits, not the process, so
// call Start() from a thread that outlives the sandbox (normally the main thread).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace dbarch::sandbox {

struct SandboxOptions {
  // Directory holding initdb and postgres (PostgreSQL 15 is what dbarch targets).
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  // Where initdb templates are kept, one per PostgreSQL version and server OS user. Empty:
  // /var/tmp/dbarch-templates-<effective uid>. Must be owned by the current user and not
  // writable by others (a planted template would run code as the server user).
  std::string template_cache_dir;
  // Extra postgresql.conf settings passed as -c name=value; they override dbarch's
  // defaults (e.g. {"work_mem", "64MB"}). Requires: names and values without NUL bytes.
  std::vector<std::pair<std::string, std::string>> settings;
  // Parent of the private sandbox directory. A tmpfs (e.g. /dev/shm) starts several times
  // faster where /tmp is on disk (copying the template is mostly file creation), but keeps
  // all sandbox data in RAM. Requires: an absolute path of at most 60 bytes (the Unix
  // socket path inside it is limited to 107 bytes).
  std::string base_dir = "/tmp";
  // How long to wait for the server to accept connections, per attempt.
  int start_timeout_ms = 30000;
  // Run the server (and every backend it forks) on at most this many of the CPUs this
  // process may use (sched_setaffinity), to measure a smaller machine. 0: no limit.
  int cpu_limit = 0;
  // Start with ssl = on and a throwaway self-signed certificate (server.crt / server.key,
  // made with libcrypto in the private directory for this sandbox only), so TCP clients can
  // use sslmode=require. Nobody signed the certificate: it gives encryption, not identity.
  bool ssl = false;
  // listen_addresses of the server. Loopback addresses (127.0.0.1, ::1, localhost) or ""
  // (Unix socket only); anything else ('*', '0.0.0.0', an interface address) would open the
  // server to the network and is kInvalidArgument unless private_network is set.
  std::string listen_addresses = "127.0.0.1";
  // Run the server in a network namespace of its own (unshare(CLONE_NEWNET); needs
  // CAP_SYS_ADMIN, i.e. root, else Start() fails with kInternal). Its only interface is a
  // loopback that is down, so whatever listen_addresses says nothing can reach it over TCP:
  // only the Unix socket (ConnInfo()) works, TcpConnInfo() does not. For tests of how a
  // server that listens on every address looks from inside.
  bool private_network = false;
  // Enable data checksums on this sandbox's copy of the template before the first start
  // (pg_checksums --enable; the template is initialised without them). Adds the time to
  // rewrite every data file, some tenths of a second.
  bool data_checksums = false;
};

// How a Start() spent its time, for diagnostics and benchmarks.
struct StartStats {
  bool created_template = false;  // this start ran initdb (a cold start)
  int64_t template_ms = 0;        // finding or creating the template (initdb when cold)
  int64_t copy_ms = 0;            // copying the template into the sandbox
  int64_t server_ms = 0;          // launching postgres until it accepted connections
  int64_t total_ms = 0;
  int attempts = 0;  // server launches (more than 1 after a port collision)
};

class Sandbox {
 public:
  // Creates and starts a sandbox; it is stopped and deleted when the returned object is
  // destroyed. Failures: kNotFound (no postgres/initdb in bin_dir, no OS user "postgres"
  // while root), kInvalidArgument (unsafe template cache dir, bad settings), kIO (files),
  // kInternal (initdb or the server failed; the message ends with the tail of their log),
  // kConnection (the server did not accept connections in time). A failed Start leaves no
  // process and no directory behind.
  static Result<std::unique_ptr<Sandbox>> Start(const SandboxOptions& options);

  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;
  // Stop(), ignoring its error.
  ~Sandbox();

  // libpq conninfo over the private Unix socket, superuser postgres, database postgres:
  // "host=<base_dir>/dbarch-sandbox-XXXXXX port=N user=postgres dbname=postgres" (trust auth;
  // the 0700 directory is the access control).
  std::string ConnInfo() const;
  // The same server over TCP on 127.0.0.1. TCP uses scram-sha-256 with a random password
  // made for this sandbox (so other local users cannot reach a superuser); the returned
  // conninfo includes it. Not reachable with SandboxOptions::private_network.
  std::string TcpConnInfo() const;
  // The password of TcpConnInfo() (the superuser postgres'), for callers that rewrite the
  // sandbox's pg_hba.conf and still log in with it.
  const std::string& password() const { return password_; }

  // CREATE DATABASE `name` (quoted as needed). Errors: kInvalidArgument for an empty name or
  // a server error (e.g. it exists), kConnection.
  Status CreateDatabase(std::string_view name);

  // Shuts the server down (fast shutdown) and starts it again on the same data directory
  // with `settings` in place of SandboxOptions::settings (postmaster-level settings such as
  // shared_buffers take effect); the port may change, so read ConnInfo() again. Open
  // connections are ended. Errors: kInvalidArgument (stopped, bad settings) and the start
  // errors of Start(); after an error the server is not running, and a later Restart()
  // may start it again (Stop() still cleans up).
  Status Restart(const std::vector<std::pair<std::string, std::string>>& settings);

  // Shuts the server down (fast shutdown; immediate, then SIGKILL, if it lingers), waits for
  // it, and deletes the sandbox directory. Idempotent: later calls return OK. Returns kIO if
  // the directory could not be deleted completely (the server is stopped regardless).
  Status Stop();

  // True until Stop().
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  // The postmaster's process id; -1 after Stop(). The server is in its own process group
  // whose id equals this pid.
  pid_t pid() const { return pid_; }
  // The private directory that holds everything; removed by Stop().
  const std::string& dir() const { return dir_; }
  std::string data_dir() const { return dir_ + "/data"; }
  std::string log_path() const { return dir_ + "/postgres.log"; }
  const StartStats& start_stats() const { return stats_; }

 private:
  Sandbox() = default;
  // Launches the server on the prepared directory with options_ (a new port per attempt).
  Status Launch();

  std::string dir_;
  std::string password_;  // for TCP connections
  int port_ = 0;
  pid_t pid_ = -1;
  pid_t owner_pid_ = -1;  // the process that started it; only that process stops it
  int slot_ = -1;         // index in the registry that signal cleanup reads
  StartStats stats_;
  SandboxOptions options_;    // as started, with the settings of the last Restart()
  bool switch_user_ = false;  // the server runs as server_uid_ (dbarch is root)
  uid_t server_uid_ = 0;
  gid_t server_gid_ = 0;
};

// Makes SIGINT and SIGTERM clean up before the process dies: the handler (async-signal-
// safe) sends every live sandbox's server SIGQUIT, waits for it (SIGKILL after ~2 s),
// deletes the sandbox directories, then re-raises the signal with the default action, so
// the exit status still says "killed by SIGINT/SIGTERM". Also registers the same cleanup
// with atexit() for sandboxes never destroyed before exit(). Call once, from main(),
// before starting sandboxes; later calls do nothing. Replaces existing handlers for
// those two signals.
void InstallSignalCleanup();

}  // namespace dbarch::sandbox
