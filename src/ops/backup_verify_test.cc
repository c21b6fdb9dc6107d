// Real pgBackRest backups and point-in-time restores on sandbox clusters (slow: each proof
// takes several seconds), and the live check against the shared sandbox.
#include "ops/backup_verify.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::ops {
namespace {

BackupVerifyOptions SmallProof() {
  BackupVerifyOptions options;
  options.sandbox = sandbox::test_util::TestOptions();
  options.rows = 2000;
  options.command_timeout_s = 240;
  return options;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// Processes whose command line mentions `needle` (servers or pgBackRest left running).
std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* e = readdir(proc)) {
    std::string pid = e->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + pid + "/cmdline", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string cmd = ss.str();
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.find(needle) != std::string::npos) found.push_back(pid + ": " + cmd);
  }
  closedir(proc);
  return found;
}

std::string Steps(const BackupVerifyResult& r) {
  std::string out;
  for (const VerifyStep& s : r.steps) {
    out += (s.ok ? "ok   " : "FAIL ") + s.name + ": " + s.detail + "\n";
  }
  return out;
}

void ExpectCleanedUp(const BackupVerifyResult& r) {
  ASSERT_FALSE(r.work_dir.empty());
  EXPECT_FALSE(Exists(r.work_dir)) << r.work_dir << " was left behind";
  EXPECT_EQ(ProcessesMentioning(r.work_dir), std::vector<std::string>{});
}

TEST(BackupVerify, RestoreToATimeHasExactlyTheRowsBeforeIt) {
  auto result = VerifyBackupRestore(SmallProof(), nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const BackupVerifyResult& r = *result;
  ASSERT_TRUE(r.passed) << r.failure << "\n" << Steps(r);
  EXPECT_EQ(r.target_kind, "time");
  EXPECT_EQ(r.target, r.target_time);
  ASSERT_EQ(r.tables.size(), 3u);
  for (const TableCheck& t : r.tables) {
    EXPECT_TRUE(t.matches) << t.table;
    EXPECT_EQ(t.restored_rows, t.rows_at_target) << t.table;
    EXPECT_EQ(t.restored_checksum, t.checksum_at_target) << t.table;
  }
  // The writes after the target changed every table, so a restore of the newest state (or
  // of the full backup alone) could not match.
  EXPECT_EQ(r.tables[0].table, "public.accounts");
  EXPECT_EQ(r.tables[0].rows_at_target, 2000);
  EXPECT_EQ(r.tables[1].rows_at_target, 2200);  // + 200 before the target
  EXPECT_EQ(r.tables[1].rows_at_end, 2400);     // + 200 after it
  EXPECT_EQ(r.tables[2].rows_at_end, 0);        // the DELETE the restore undoes
  EXPECT_EQ(r.tables[2].rows_at_target, 2000);  // 200 deleted, 200 inserted before it
  EXPECT_TRUE(r.later_table_absent);
  EXPECT_EQ(r.rows_lost, 0);
  // Every step ran, in order.
  std::vector<std::string> names;
  for (const VerifyStep& s : r.steps) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "stanza-create", "configure archiving", "load data", "check", "full backup",
                       "writes before the target", "writes after the target",
                       "archive a WAL segment", "incremental backup", "pgbackrest verify",
                       "live check", "restore", "recover and promote", "compare with the target"}));
  EXPECT_GT(r.full_backup_bytes, r.database_bytes);  // the whole cluster
  EXPECT_GT(r.full_backup_repo_bytes, 0);
  EXPECT_LT(r.compression_ratio, 1.0);
  EXPECT_GT(r.incr_backup_repo_bytes, 0);
  EXPECT_GT(r.backup_bytes_per_s, 0);
  EXPECT_GT(r.restore_bytes_per_s, 0);
  EXPECT_GE(r.archive_push_ms, 0);
  EXPECT_NE(r.pgbackrest_version.find("pgBackRest"), std::string::npos);
  EXPECT_NE(r.pgbackrest_conf.find("archive-async=y"), std::string::npos);
  ExpectCleanedUp(r);
}

TEST(BackupVerify, RestoreToAnLsnHasExactlyTheRowsBeforeIt) {
  BackupVerifyOptions options = SmallProof();
  options.rows = 500;
  options.target_lsn = true;
  auto result = VerifyBackupRestore(options, nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->passed) << result->failure << "\n" << Steps(*result);
  EXPECT_EQ(result->target_kind, "lsn");
  EXPECT_EQ(result->target, result->target_lsn);
  for (const TableCheck& t : result->tables) EXPECT_TRUE(t.matches) << t.table;
  ExpectCleanedUp(*result);
}

TEST(BackupVerify, AFailingPgbackrestStopsTheProofAndStillCleansUp) {
  BackupVerifyOptions options = SmallProof();
  options.rows = 100;
  options.pgbackrest = "/bin/false";  // every pgBackRest command fails
  std::vector<std::string> progress;
  auto result = VerifyBackupRestore(options, [&](const std::string& s) { progress.push_back(s); });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->passed);
  EXPECT_EQ(result->failure.rfind("stanza-create: pgbackrest stanza-create exited with 1", 0), 0u)
      << result->failure;
  ASSERT_EQ(result->steps.size(), 1u);
  EXPECT_FALSE(result->steps.back().ok);
  EXPECT_EQ(progress, std::vector<std::string>{"stanza-create"});
  ExpectCleanedUp(*result);
}

TEST(BackupVerify, RejectsAMissingPgbackrestAndTooFewRows) {
  BackupVerifyOptions options = SmallProof();
  options.pgbackrest = "/nonexistent/pgbackrest";
  auto missing = VerifyBackupRestore(options, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  options = SmallProof();
  options.rows = 10;
  auto few = VerifyBackupRestore(options, nullptr);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().code(), StatusCode::kInvalidArgument);
}

TEST(BackupVerify, LiveCheckReportsArchivingOffAndAnUnknownStanza) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox(/*read_only=*/true);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto archiving = CheckLiveBackups(*conn, LiveCheckOptions());
  ASSERT_TRUE(archiving.ok()) << archiving.status().ToString();
  EXPECT_FALSE(archiving->ok());
  ASSERT_EQ(archiving->problems.size(), 1u);
  EXPECT_EQ(archiving->problems[0],
            "archive_mode is off: no WAL archive, no point-in-time recovery");
  EXPECT_FALSE(archiving->stanza_checked);

  LiveCheckOptions options;
  options.stanza = "no_such_stanza";
  options.config = "/nonexistent/pgbackrest.conf";
  auto stanza = CheckLiveBackups(*conn, options);
  ASSERT_TRUE(stanza.ok()) << stanza.status().ToString();
  ASSERT_EQ(stanza->problems.size(), 2u);
  EXPECT_EQ(stanza->problems[1].rfind("pgbackrest info exited with", 0), 0u) << stanza->problems[1];
}

}  // namespace
}  // namespace dbarch::ops
