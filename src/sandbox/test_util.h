// Test helper shared by every stage whose tests need a real PostgreSQL server (pg/
// introspection, catalog round trips, advisor what-if checks): one sandbox per test
// process, started on first use and stopped when the process exits normally (static
// destruction). Header-only; include it from *_test.cc files only, and link dbarch_sandbox.
//
// Under ctest every TEST runs in its own process, so each test that calls these pays one
// warm start (a few hundred ms); running the binary directly shares one server.
//
// Usage:
//   Result<pg::Connection> conn = sandbox::test_util::ConnectToSharedSandbox();
//   ASSERT_TRUE(conn.ok()) << conn.status().ToString();
//
// Thread-safety: the first call must come from the main thread (the server's parent-death
// signal is tied to the starting thread); later calls are safe from any thread.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/status.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"

namespace dbarch::sandbox::test_util {

// Default options, except that the sandbox lives in /dev/shm when that is a usable shared
// tmpfs: test data is small, and creating the data directory's ~1000 files there is several
// times cheaper than on a disk-backed /tmp.
inline SandboxOptions TestOptions() {
  SandboxOptions options;
  struct stat st {};
  if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0 &&
      access("/dev/shm", W_OK | X_OK) == 0) {
    options.base_dir = "/dev/shm";
  }
  return options;
}

// The process-wide sandbox, started on the first call with TestOptions(). A failed start
// is remembered and returned again, not retried.
inline Result<Sandbox*> SharedSandbox() {
  static Result<std::unique_ptr<Sandbox>> started = Sandbox::Start(TestOptions());
  if (!started.ok()) return started.status();
  return started->get();
}

// ConnInfo() of the shared sandbox (Unix socket, superuser postgres, database postgres).
inline Result<std::string> SharedConnInfo() {
  DBARCH_ASSIGN_OR_RETURN(Sandbox * sb, SharedSandbox());
  return sb->ConnInfo();
}

// A new read-write connection to the shared sandbox (`read_only` to get the default
// dbarch session instead).
inline Result<pg::Connection> ConnectToSharedSandbox(bool read_only = false) {
  DBARCH_ASSIGN_OR_RETURN(std::string conninfo, SharedConnInfo());
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = read_only;
  return pg::Connection::Open(options);
}

// Creates database `name` in the shared sandbox, runs `sql` in it (a script, read-write) and
// returns the database's conninfo. Failures are test failures (EXPECT) and an empty result.
inline std::string CreateDatabaseWith(const std::string& name, const std::string& sql) {
  auto box = SharedSandbox();
  EXPECT_TRUE(box.ok()) << box.status().ToString();
  if (!box.ok()) return "";
  Status created = (*box)->CreateDatabase(name);
  EXPECT_TRUE(created.ok()) << created.ToString();
  std::string conninfo = (*box)->ConnInfo() + " dbname=" + name;
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  auto conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return "";
  Status loaded = conn->ExecScript(sql);
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  return conninfo;
}

}  // namespace dbarch::sandbox::test_util
