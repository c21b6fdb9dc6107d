#include "sandbox/process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "base/strings.h"

namespace dbarch::sandbox {
namespace {

ServerAccount Account() {
  Result<ServerAccount> account = ResolveServerAccount();
  EXPECT_TRUE(account.ok()) << account.status().message();
  return account.ok() ? *account : ServerAccount{};
}

ChildSpec Shell(const std::string& script) {
  ChildSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.cwd = "/";
  return spec;
}

TEST(Process, RootRunsProgramsAsPostgres) {
  ServerAccount account = Account();
  EXPECT_EQ(account.switch_user, geteuid() == 0);
  Result<Completed> id = RunToCompletion(Shell("id -u; pwd"), account, 30000);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->exit_code, 0);
  EXPECT_EQ(id->output, std::to_string(account.uid) + "\n/\n");
}

TEST(Process, FixedEnvironmentWithExtraEntriesAndExitCodes) {
  ChildSpec spec = Shell("env | sort; echo oops >&2; exit 3");
  spec.extra_env = {"TZ=UTC"};
  Result<Completed> done = RunToCompletion(spec, Account(), 30000);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->exit_code, 3);
  // The caller's environment is not passed on (sh adds PWD itself).
  EXPECT_EQ(done->output, "LC_ALL=C\nPATH=/usr/bin:/bin\nPWD=/\nTZ=UTC\noops\n");
}

TEST(Process, TimeoutKillsTheWholeGroup) {
  ChildSpec spec = Shell("sleep 60 & echo $!; wait");
  spec.new_process_group = true;
  Result<Child> child = Spawn(spec, Account());
  ASSERT_TRUE(child.ok()) << child.status().message();
  Completed done = CollectAndReap(*child, 500, /*kill_group=*/true);
  EXPECT_TRUE(done.timed_out);
  EXPECT_EQ(done.exit_code, -1);
  // The background sleep was in the group and got SIGKILL too: gone, or a zombie waiting for
  // init to reap it.
  const std::string stat = "/proc/" + std::string(Trim(done.output)) + "/stat";
  std::string state = "?";
  for (int i = 0; i < 100; ++i) {
    std::ifstream in(stat);
    std::string pid, comm;
    if (!(in >> pid >> comm >> state)) state = "gone";
    if (state == "gone" || state == "Z") break;
    usleep(10000);
  }
  EXPECT_TRUE(state == "gone" || state == "Z") << stat << ": " << state;

  Result<Completed> timed = RunToCompletion(Shell("sleep 60"), Account(), 200);
  ASSERT_FALSE(timed.ok());
  EXPECT_NE(timed.status().message().find("did not finish within 200 ms"), std::string::npos)
      << timed.status().message();
}

TEST(Process, FailuresBeforeExecNameTheStep) {
  ChildSpec missing;
  missing.argv = {"/nonexistent/program"};
  Result<Child> spawned = Spawn(missing, Account());
  ASSERT_FALSE(spawned.ok());
  EXPECT_EQ(spawned.status().code(), StatusCode::kInternal);
  EXPECT_NE(spawned.status().message().find("\"/nonexistent/program\" failed at exec"),
            std::string::npos)
      << spawned.status().message();
  ChildSpec bad_dir = Shell("true");
  bad_dir.cwd = "/nonexistent-dir";
  Result<Child> chdir_failed = Spawn(bad_dir, Account());
  ASSERT_FALSE(chdir_failed.ok());
  EXPECT_NE(chdir_failed.status().message().find("failed at chdir"), std::string::npos)
      << chdir_failed.status().message();
}

TEST(Process, PostmasterArgvAndFreePort) {
  EXPECT_EQ(PostmasterArgv("/pg/postgres", "/d", 5433, {{"fsync", "off"}, {"a", "b c"}}),
            (std::vector<std::string>{"/pg/postgres", "-D", "/d", "-p", "5433", "-c", "fsync=off",
                                      "-c", "a=b c"}));
  Result<int> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.ok()) << port.status().message();
  EXPECT_GT(*port, 0);
}

}  // namespace
}  // namespace dbarch::sandbox
