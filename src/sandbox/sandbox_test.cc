#include "sandbox/sandbox.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::sandbox {
namespace {

namespace fs = std::filesystem;

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

pg::Connection MustConnect(const std::string& conninfo) {
  pg::ConnectOptions options;
  options.conninfo = conninfo;
  options.read_only = false;
  Result<pg::Connection> conn = pg::Connection::Open(options);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString() << " " << conn.status().hint();
  if (!conn.ok()) std::abort();  // every caller needs the connection
  return std::move(conn).value();
}

std::string QueryOne(pg::Connection& conn, const std::string& sql) {
  Result<pg::QueryResult> r = conn.Exec(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  if (!r.ok() || r->rows() < 1 || r->columns() < 1) return "<no result>";
  return std::string(r->Get(0, 0));
}

std::unique_ptr<Sandbox> MustStart(const SandboxOptions& options = test_util::TestOptions()) {
  Result<std::unique_ptr<Sandbox>> sb = Sandbox::Start(options);
  EXPECT_TRUE(sb.ok()) << sb.status().ToString();
  if (!sb.ok()) std::abort();
  return std::move(sb).value();
}

// Reads exactly `n` bytes from a pipe written by a forked child.
bool ReadAll(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// What a forked child reports about the sandbox it started.
struct ChildReport {
  pid_t postmaster = -1;
  char dir[128] = {};
};

// Forks a child that starts a sandbox, reports it through a pipe, then runs `then` (which
// must not return). Returns the child's pid and its report.
template <typename Then>
pid_t ForkSandboxChild(ChildReport* report, Then then) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    then(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  bool ok = ReadAll(fds[0], report, sizeof(*report));
  close(fds[0]);
  if (!ok) {
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return -1;
  }
  return child;
}

void ReportAndWait(int fd, const Sandbox& sb) {
  ChildReport report;
  report.postmaster = sb.pid();
  std::snprintf(report.dir, sizeof(report.dir), "%s", sb.dir().c_str());
  ssize_t ignored = write(fd, &report, sizeof(report));
  (void)ignored;
  while (true) pause();
}

TEST(Sandbox, StartsAndAnswersQueries) {
  std::unique_ptr<Sandbox> sb = MustStart(SandboxOptions());  // the defaults: under /tmp
  EXPECT_TRUE(sb->dir().starts_with("/tmp/dbarch-sandbox-")) << sb->dir();
  EXPECT_TRUE(sb->running());
  EXPECT_GT(sb->port(), 0);
  EXPECT_TRUE(fs::exists(sb->data_dir() + "/PG_VERSION"));
  pg::Connection conn = MustConnect(sb->ConnInfo());
  EXPECT_EQ(QueryOne(conn, "SELECT 1"), "1");
  EXPECT_EQ(QueryOne(conn, "SHOW fsync"), "off");
  EXPECT_EQ(QueryOne(conn, "SHOW max_connections"), "20");
  EXPECT_EQ(QueryOne(conn, "SHOW max_locks_per_transaction"), "256");
  EXPECT_EQ(QueryOne(conn, "SHOW server_encoding"), "UTF8");
  EXPECT_EQ(conn.server_version_num() / 10000, 15);

  pg::Connection tcp = MustConnect(sb->TcpConnInfo());
  EXPECT_EQ(QueryOne(tcp, "SELECT inet_server_port()"), std::to_string(sb->port()));
  const StartStats& stats = sb->start_stats();
  std::printf("start: total %lld ms (template %lld%s, copy %lld, server %lld), %d attempt(s)\n",
              static_cast<long long>(stats.total_ms), static_cast<long long>(stats.template_ms),
              stats.created_template ? " with initdb" : "", static_cast<long long>(stats.copy_ms),
              static_cast<long long>(stats.server_ms), stats.attempts);
}

TEST(Sandbox, TcpNeedsTheSandboxPassword) {
  std::unique_ptr<Sandbox> sb = MustStart();
  pg::ConnectOptions options;
  options.conninfo = "host=127.0.0.1 port=" + std::to_string(sb->port()) +
                     " user=postgres dbname=postgres password=wrongpassword";
  Result<pg::Connection> conn = pg::Connection::Open(options);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kConnection);
  EXPECT_NE(conn.status().message().find("password authentication failed"), std::string::npos)
      << conn.status().message();
  EXPECT_EQ(conn.status().message().find("wrongpassword"), std::string::npos);
}

TEST(Sandbox, HypoPGIsAvailable) {
  std::unique_ptr<Sandbox> sb = MustStart();
  pg::Connection conn = MustConnect(sb->ConnInfo());
  ASSERT_TRUE(conn.ExecScript("CREATE EXTENSION hypopg").ok());
  ASSERT_TRUE(conn.ExecScript("CREATE TABLE t (a int, b text);"
                              "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 20000) g;"
                              "ANALYZE t")
                  .ok());
  Result<pg::QueryResult> idx =
      conn.Exec("SELECT indexrelid, indexname FROM hypopg_create_index('CREATE INDEX ON t (a)')");
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  ASSERT_EQ(idx->rows(), 1);
  std::string name(idx->Get(0, 1));
  EXPECT_NE(name.find("btree_t_a"), std::string::npos) << name;
  Result<pg::QueryResult> plan = conn.Exec("EXPLAIN SELECT * FROM t WHERE a = 42");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string text;
  for (int r = 0; r < plan->rows(); ++r) text += std::string(plan->Get(r, 0)) + "\n";
  // EXPLAIN quotes the name: Index Scan using "<13556>btree_t_a" on t.
  EXPECT_NE(text.find("Index Scan using \"" + name + "\""), std::string::npos) << text;
}

TEST(Sandbox, TwoSandboxesRunSideBySide) {
  std::unique_ptr<Sandbox> a = MustStart();
  std::unique_ptr<Sandbox> b = MustStart();
  EXPECT_NE(a->port(), b->port());
  EXPECT_NE(a->dir(), b->dir());
  pg::Connection ca = MustConnect(a->ConnInfo());
  pg::Connection cb = MustConnect(b->ConnInfo());
  ASSERT_TRUE(ca.ExecScript("CREATE TABLE only_in_a (x int)").ok());
  EXPECT_EQ(QueryOne(ca, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"), "1");
  EXPECT_EQ(QueryOne(cb, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"), "0");
}

TEST(Sandbox, StopKillsTheServerAndRemovesTheDirectory) {
  std::unique_ptr<Sandbox> sb = MustStart();
  const pid_t pid = sb->pid();
  const std::string dir = sb->dir();
  ASSERT_TRUE(ProcessExists(pid));
  EXPECT_TRUE(sb->Stop().ok());
  EXPECT_FALSE(ProcessExists(pid));
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(sb->running());
  EXPECT_TRUE(sb->Stop().ok());  // idempotent
}

TEST(Sandbox, DestructorStops) {
  std::unique_ptr<Sandbox> sb = MustStart();
  const pid_t pid = sb->pid();
  const std::string dir = sb->dir();
  sb.reset();
  EXPECT_FALSE(ProcessExists(pid));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(Sandbox, CreateDatabaseAndSettings) {
  SandboxOptions options = test_util::TestOptions();
  options.settings = {{"work_mem", "7MB"}};
  std::unique_ptr<Sandbox> sb = MustStart(options);
  ASSERT_TRUE(sb->CreateDatabase("App DB").ok());
  Status again = sb->CreateDatabase("App DB");
  EXPECT_EQ(again.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(again.message().find("already exists"), std::string::npos) << again.message();
  pg::Connection conn = MustConnect(sb->ConnInfo() + " dbname='App DB'");
  EXPECT_EQ(QueryOne(conn, "SELECT current_database()"), "App DB");
  EXPECT_EQ(QueryOne(conn, "SHOW work_mem"), "7MB");
}

TEST(Sandbox, RestartAppliesNewSettingsAndKeepsTheData) {
  SandboxOptions options = test_util::TestOptions();
  options.settings = {{"work_mem", "7MB"}};
  options.cpu_limit = 1;
  std::unique_ptr<Sandbox> sb = MustStart(options);
  {
    pg::Connection conn = MustConnect(sb->ConnInfo());
    ASSERT_TRUE(conn.ExecScript("CREATE TABLE kept AS SELECT generate_series(1, 10) AS x").ok());
    EXPECT_EQ(QueryOne(conn, "SHOW shared_buffers"), "128MB");
  }
  const pid_t first = sb->pid();
  ASSERT_TRUE(sb->Restart({{"shared_buffers", "192MB"}}).ok());
  EXPECT_TRUE(sb->running());
  EXPECT_NE(sb->pid(), first);
  EXPECT_FALSE(ProcessExists(first));
  pg::Connection conn = MustConnect(sb->ConnInfo());
  EXPECT_EQ(QueryOne(conn, "SHOW shared_buffers"), "192MB");
  EXPECT_EQ(QueryOne(conn, "SHOW work_mem"), "4MB");  // the earlier extra setting is gone
  EXPECT_EQ(QueryOne(conn, "SELECT sum(x) FROM kept"), "55");
  // The CPU limit holds for the restarted server.
  cpu_set_t mask;
  CPU_ZERO(&mask);
  ASSERT_EQ(sched_getaffinity(sb->pid(), sizeof(mask), &mask), 0);
  EXPECT_EQ(CPU_COUNT(&mask), 1);
  EXPECT_EQ(sb->Restart({{"port", "1"}}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(sb->Stop().ok());
  EXPECT_EQ(sb->Restart({}).code(), StatusCode::kInvalidArgument);
}

TEST(Sandbox, SslServesEncryptedTcpWithAThrowawayCertificate) {
  SandboxOptions options = test_util::TestOptions();
  options.ssl = true;
  auto sb = MustStart(options);
  // Key and certificate live in the private directory; the key is readable by its owner only.
  struct stat st {};
  ASSERT_EQ(stat((sb->dir() + "/server.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  pg::Connection tcp = MustConnect(sb->TcpConnInfo() + " sslmode=require");
  EXPECT_EQ(QueryOne(tcp, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), "t");
  EXPECT_EQ(QueryOne(tcp, "SHOW ssl"), "on");
  // Without the option there is no SSL to ask for.
  auto plain = MustStart();
  pg::ConnectOptions require;
  require.conninfo = plain->TcpConnInfo() + " sslmode=require";
  EXPECT_FALSE(pg::Connection::Open(require).ok());
}

TEST(Sandbox, DataChecksumsOnRequest) {
  SandboxOptions options = test_util::TestOptions();
  options.data_checksums = true;
  auto sb = MustStart(options);
  pg::Connection conn = MustConnect(sb->ConnInfo());
  EXPECT_EQ(QueryOne(conn, "SHOW data_checksums"), "on");
  // The template itself is left without them.
  auto plain = MustStart();
  pg::Connection plain_conn = MustConnect(plain->ConnInfo());
  EXPECT_EQ(QueryOne(plain_conn, "SHOW data_checksums"), "off");
}

TEST(Sandbox, ListeningBeyondLoopbackNeedsAPrivateNetwork) {
  SandboxOptions options = test_util::TestOptions();
  for (const char* open : {"*", "0.0.0.0", "127.0.0.1, 10.1.2.3"}) {
    options.listen_addresses = open;
    auto refused = Sandbox::Start(options);
    ASSERT_FALSE(refused.ok()) << open;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << open;
  }
  // In a network namespace of its own the server listens on every address it has there (a
  // loopback that is down), so nothing outside reaches it over TCP; the socket still works.
  options.listen_addresses = "*";
  options.private_network = true;
  auto sb = MustStart(options);
  pg::Connection local = MustConnect(sb->ConnInfo());
  EXPECT_EQ(QueryOne(local, "SHOW listen_addresses"), "*");
  pg::ConnectOptions tcp;
  tcp.conninfo = sb->TcpConnInfo() + " connect_timeout=2";
  EXPECT_FALSE(pg::Connection::Open(tcp).ok());
  // Loopback lists stay allowed without one.
  SandboxOptions loopback = test_util::TestOptions();
  loopback.listen_addresses = "127.0.0.1, ::1";
  auto lo = MustStart(loopback);
  pg::Connection lo_tcp = MustConnect(lo->TcpConnInfo());
  EXPECT_EQ(QueryOne(lo_tcp, "SELECT 1"), "1");
}

TEST(Sandbox, BadOptionsFailCleanly) {
  SandboxOptions bad_bin;
  bad_bin.bin_dir = "/nonexistent/bin";
  Result<std::unique_ptr<Sandbox>> a = Sandbox::Start(bad_bin);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kNotFound);
  EXPECT_NE(a.status().message().find("/nonexistent/bin/postgres"), std::string::npos);

  SandboxOptions reserved;
  reserved.settings = {{"port", "1"}};
  EXPECT_EQ(Sandbox::Start(reserved).status().code(), StatusCode::kInvalidArgument);

  SandboxOptions bad_setting = test_util::TestOptions();
  bad_setting.settings = {{"shared_buffers", "lots"}};
  Result<std::unique_ptr<Sandbox>> c = Sandbox::Start(bad_setting);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInternal);
  EXPECT_NE(c.status().message().find("shared_buffers"), std::string::npos) << c.status().message();
}

TEST(Sandbox, ColdStartCreatesTemplateOnce) {
  char cache[] = "/tmp/dbarch-test-cache-XXXXXX";
  ASSERT_NE(mkdtemp(cache), nullptr);
  SandboxOptions options = test_util::TestOptions();
  options.template_cache_dir = cache;
  {
    std::unique_ptr<Sandbox> cold = MustStart(options);
    EXPECT_TRUE(cold->start_stats().created_template);
    std::unique_ptr<Sandbox> warm = MustStart(options);
    EXPECT_FALSE(warm->start_stats().created_template);
    std::printf("cold start %lld ms, warm start %lld ms\n",
                static_cast<long long>(cold->start_stats().total_ms),
                static_cast<long long>(warm->start_stats().total_ms));
  }
  std::error_code ec;
  fs::remove_all(cache, ec);
}

TEST(Sandbox, UnsafeTemplateCacheIsRefused) {
  char cache[] = "/tmp/dbarch-test-cache-XXXXXX";
  ASSERT_NE(mkdtemp(cache), nullptr);
  ASSERT_EQ(chmod(cache, 0777), 0);
  SandboxOptions options;
  options.template_cache_dir = cache;
  EXPECT_EQ(Sandbox::Start(options).status().code(), StatusCode::kInvalidArgument);
  fs::remove_all(cache);
}

// A directory whose owner died (and whose server is gone) is deleted by the next Start;
// one whose owner lives is left alone.
TEST(Sandbox, StaleDirectoriesOfDeadOwnersAreRemoved) {
  const SandboxOptions options = test_util::TestOptions();
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  waitpid(dead, nullptr, 0);
  auto make_dir = [&](pid_t owner) {
    std::string dir = options.base_dir + "/dbarch-sandbox-XXXXXX";
    EXPECT_NE(mkdtemp(dir.data()), nullptr);
    fs::create_directories(dir + "/data/base");
    std::FILE* f = std::fopen((dir + "/dbarch-owner.pid").c_str(), "w");
    std::fprintf(f, "%d\n", static_cast<int>(owner));
    std::fclose(f);
    fs::last_write_time(dir, fs::file_time_type::clock::now() - std::chrono::minutes(5));
    return dir;
  };
  const std::string stale = make_dir(dead);
  const std::string alive = make_dir(getpid());
  std::unique_ptr<Sandbox> sb = MustStart(options);
  EXPECT_FALSE(fs::exists(stale)) << stale;
  EXPECT_TRUE(fs::exists(alive)) << alive;
  fs::remove_all(stale);
  fs::remove_all(alive);
}

// The owner dies by SIGKILL: the kernel's parent-death signal must take the server down.
TEST(Sandbox, ServerDiesWithItsOwner) {
  // Orphans are re-parented to us, so we can reap them and see them gone.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  ChildReport report;
  pid_t child = ForkSandboxChild(&report, [](int fd) {
    Result<std::unique_ptr<Sandbox>> sb = Sandbox::Start(test_util::TestOptions());
    if (!sb.ok()) _exit(1);
    ReportAndWait(fd, **sb);
  });
  ASSERT_GT(child, 0);
  ASSERT_TRUE(ProcessExists(report.postmaster));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool gone = false;
  while (std::chrono::steady_clock::now() < deadline) {
    // Reap the postmaster and its backends (same process group) as they exit.
    while (waitpid(-report.postmaster, nullptr, WNOHANG) > 0) {
    }
    if (!ProcessExists(report.postmaster) && kill(-report.postmaster, 0) != 0) {
      gone = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "postmaster " << report.postmaster << " outlived its owner";
  if (!gone) kill(-report.postmaster, SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  // Nobody was left to delete the directory; a later Start would, we do it now.
  fs::remove_all(report.dir);
}

TEST(Sandbox, SignalCleanupStopsServersAndRemovesDirectories) {
  ChildReport report;
  pid_t child = ForkSandboxChild(&report, [](int fd) {
    InstallSignalCleanup();
    Result<std::unique_ptr<Sandbox>> sb = Sandbox::Start(test_util::TestOptions());
    if (!sb.ok()) _exit(1);
    ReportAndWait(fd, **sb);
  });
  ASSERT_GT(child, 0);
  ASSERT_TRUE(fs::exists(report.dir));
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
  EXPECT_FALSE(ProcessExists(report.postmaster));
  EXPECT_FALSE(fs::exists(report.dir));
  if (ProcessExists(report.postmaster)) kill(-report.postmaster, SIGKILL);
  fs::remove_all(report.dir);
}

TEST(Sandbox, ExitCleanupCoversSandboxesNeverDestroyed) {
  ChildReport report;
  pid_t child = ForkSandboxChild(&report, [](int fd) {
    InstallSignalCleanup();
    Result<std::unique_ptr<Sandbox>> sb = Sandbox::Start(test_util::TestOptions());
    if (!sb.ok()) _exit(1);
    // Still reachable (no leak report), but never destroyed: only the atexit hook can help.
    static Sandbox* never_destroyed = std::move(sb).value().release();
    ChildReport r;
    r.postmaster = never_destroyed->pid();
    std::snprintf(r.dir, sizeof(r.dir), "%s", never_destroyed->dir().c_str());
    ssize_t ignored = write(fd, &r, sizeof(r));
    (void)ignored;
    std::exit(0);
  });
  ASSERT_GT(child, 0);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(ProcessExists(report.postmaster));
  EXPECT_FALSE(fs::exists(report.dir));
  if (ProcessExists(report.postmaster)) kill(-report.postmaster, SIGKILL);
  fs::remove_all(report.dir);
}

TEST(Sandbox, SharedTestSandbox) {
  Result<std::string> conninfo = test_util::SharedConnInfo();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status().ToString();
  Result<Sandbox*> again = test_util::SharedSandbox();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->ConnInfo(), *conninfo);
  Result<pg::Connection> conn = test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_EQ(QueryOne(*conn, "SELECT 40 + 2"), "42");
}

}  // namespace
}  // namespace dbarch::sandbox
