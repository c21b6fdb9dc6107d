#include "ops/backup_plan.h"

#include <gtest/gtest.h>

#include <string>

#include "ops/health.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::ops {
namespace {

constexpr double kGB = 1024.0 * 1024 * 1024;

BackupFacts Given(double db_gb, double wal_gb_per_day) {
  BackupFacts f;
  f.source = "given";
  f.database_bytes = static_cast<int64_t>(db_gb * kGB);
  f.wal_bytes_per_s = wal_gb_per_day * kGB / 86400;
  f.wal_level = "replica";
  f.archive_mode = "on";
  f.archive_command = "pgbackrest --stanza=main archive-push %p";
  f.archive_timeout = "4min";
  return f;
}

BackupObjectives Objectives(const std::string& rpo, const std::string& rto) {
  BackupObjectives o;
  o.rpo_s = *ParseDurationSeconds(rpo);
  o.rto_s = *ParseDurationSeconds(rto);
  return o;
}

const ObjectiveCheck& Check(const BackupPlan& plan, const std::string& objective) {
  for (const ObjectiveCheck& c : plan.checks) {
    if (c.objective == objective) return c;
  }
  static ObjectiveCheck missing;
  ADD_FAILURE() << "no check " << objective;
  return missing;
}

const PlannedSetting& Setting(const BackupPlan& plan, const std::string& name) {
  for (const PlannedSetting& s : plan.settings) {
    if (s.name == name) return s;
  }
  static PlannedSetting missing;
  ADD_FAILURE() << "no setting " << name;
  return missing;
}

TEST(BackupPlan, ModestObjectivesNeedOnlyWeeklyFullsAndDailyDifferentials) {
  BackupPlan plan = MakeBackupPlan(Given(50, 5), Objectives("5min", "4h"));
  EXPECT_TRUE(plan.MeetsObjectives());
  EXPECT_EQ(plan.backup_interval_h, 24);
  ASSERT_EQ(plan.schedule.size(), 3u);  // full, diff, check: no incrementals
  EXPECT_EQ(plan.schedule[0].schedule, "0 1 * * 0");
  EXPECT_EQ(plan.schedule[0].command, "pgbackrest --stanza=main --type=full backup");
  EXPECT_EQ(plan.schedule[1].schedule, "0 1 * * 1-6");
  EXPECT_EQ(plan.schedule[1].command, "pgbackrest --stanza=main --type=diff backup");
  EXPECT_EQ(plan.schedule[2].command, "pgbackrest --stanza=main check");
  // RPO 5 min minus the push margin, rounded down to whole minutes.
  EXPECT_EQ(Setting(plan, "archive_timeout").recommended, "4min");
  EXPECT_FALSE(Setting(plan, "archive_timeout").changes);
  EXPECT_LE(plan.estimates.rpo_bound_s, 300);
  // 50 GB at the assumed 240 MB/s restore (2 processes).
  EXPECT_EQ(plan.estimates.restore_s, 214);
  EXPECT_EQ(plan.estimates.recovery_s, plan.estimates.restore_s + plan.estimates.replay_s);
  EXPECT_NE(plan.throughput.source.find("assumed"), std::string::npos);
}

TEST(BackupPlan, TightRtoAddsIncrementalsUntilReplayFits) {
  // 500 GB restores in ~36 min; a day of 200 GB/day WAL would replay for ~85 min.
  BackupPlan plan = MakeBackupPlan(Given(500, 200), Objectives("5min", "1h"));
  EXPECT_TRUE(Check(plan, "RTO").met) << Check(plan, "RTO").how;
  EXPECT_EQ(plan.backup_interval_h, 6);
  ASSERT_EQ(plan.schedule.size(), 4u);
  EXPECT_EQ(plan.schedule[2].schedule, "0 7,13,19 * * *");
  EXPECT_EQ(plan.schedule[2].command, "pgbackrest --stanza=main --type=incr backup");
  EXPECT_LE(plan.estimates.recovery_s, 3600);
}

TEST(BackupPlan, RtoShorterThanTheRestoreItselfIsNotMet) {
  BackupPlan plan = MakeBackupPlan(Given(2000, 10), Objectives("5min", "30min"));
  EXPECT_FALSE(plan.MeetsObjectives());
  const ObjectiveCheck& rto = Check(plan, "RTO");
  EXPECT_FALSE(rto.met);
  EXPECT_NE(rto.how.find("standby"), std::string::npos) << rto.how;
}

TEST(BackupPlan, NoDataLossAndSubMinuteRpoCannotBeMetByArchiving) {
  BackupPlan zero = MakeBackupPlan(Given(10, 1), Objectives("0", "4h"));
  EXPECT_FALSE(Check(zero, "RPO").met);
  EXPECT_NE(Check(zero, "RPO").how.find("synchronous"), std::string::npos);
  BackupPlan thirty = MakeBackupPlan(Given(10, 1), Objectives("30s", "4h"));
  EXPECT_FALSE(Check(thirty, "RPO").met);
  EXPECT_EQ(Setting(thirty, "archive_timeout").recommended, "1min");
  EXPECT_NE(Check(thirty, "RPO").how.find("pg_receivewal"), std::string::npos);
  // A busy server fills segments faster than archive_timeout: the fill time bounds the loss.
  BackupPlan busy = MakeBackupPlan(Given(10, 2000), Objectives("90s", "4h"));
  EXPECT_TRUE(Check(busy, "RPO").met) << Check(busy, "RPO").how;
}

TEST(BackupPlan, ArchiveSettingsNeedARestartOnlyWhenTheyChange) {
  BackupFacts facts = Given(10, 1);
  facts.wal_level = "minimal";
  facts.archive_mode = "off";
  facts.archive_command = "";
  BackupPlan plan = MakeBackupPlan(facts, Objectives("5min", "4h"));
  EXPECT_EQ(Setting(plan, "wal_level").recommended, "replica");
  EXPECT_TRUE(Setting(plan, "wal_level").restart);
  EXPECT_TRUE(Setting(plan, "archive_mode").restart);
  EXPECT_EQ(Setting(plan, "archive_command").recommended,
            "pgbackrest --stanza=main archive-push %p");
  EXPECT_FALSE(Setting(plan, "archive_command").restart);  // a reload is enough

  BackupPlan ready = MakeBackupPlan(Given(10, 1), Objectives("5min", "4h"));
  EXPECT_FALSE(Setting(ready, "wal_level").changes);
  EXPECT_FALSE(Setting(ready, "wal_level").restart);
  facts.wal_level = "logical";  // logical already includes what archiving needs
  EXPECT_EQ(Setting(MakeBackupPlan(facts, Objectives("5min", "4h")), "wal_level").recommended,
            "logical");
}

TEST(BackupPlan, MeasuredThroughputReplacesTheAssumptions) {
  BackupObjectives o = Objectives("5min", "4h");
  o.throughput.backup_bytes_per_s = 10 * 1024 * 1024;
  o.throughput.restore_bytes_per_s = 20 * 1024 * 1024;
  o.throughput.compression_ratio = 0.5;
  o.throughput.source = "measured by backup verify (v.json)";
  BackupPlan plan = MakeBackupPlan(Given(10, 1), o);
  EXPECT_EQ(plan.estimates.full_backup_s, 1024);  // 10 GB at 10 MB/s
  EXPECT_EQ(plan.estimates.restore_s, 512);
  EXPECT_EQ(plan.estimates.full_backup_bytes, static_cast<int64_t>(5 * kGB));
  EXPECT_EQ(plan.throughput.source, "measured by backup verify (v.json); the rest assumed");
}

TEST(BackupPlan, RetentionOfOneFullIsFlagged) {
  BackupObjectives o = Objectives("5min", "4h");
  o.retention_full = 1;
  BackupPlan plan = MakeBackupPlan(Given(10, 1), o);
  EXPECT_FALSE(Check(plan, "retention").met);
  o.retention_full = 3;
  plan = MakeBackupPlan(Given(10, 1), o);
  EXPECT_TRUE(Check(plan, "retention").met);
  EXPECT_NE(plan.pgbackrest_conf.find("repo1-retention-full=3\n"), std::string::npos);
}

TEST(BackupPlan, PgbackrestConfNamesTheServerAndRepository) {
  BackupFacts facts = Given(10, 1);
  facts.data_directory = "/srv/pg/data";
  facts.port = 5433;
  facts.socket_dir = "/tmp";
  BackupObjectives o = Objectives("5min", "4h");
  o.stanza = "shop";
  o.repo_path = "/backup/pgbackrest";
  BackupPlan plan = MakeBackupPlan(facts, o);
  EXPECT_EQ(plan.pgbackrest_conf,
            "[global]\n"
            "repo1-path=/backup/pgbackrest\n"
            "repo1-retention-full=2\n"
            "repo1-retention-full-type=count\n"
            "compress-type=zst\n"
            "process-max=2\n"
            "start-fast=y\n"
            "archive-async=y\n"
            "spool-path=/var/spool/pgbackrest\n"
            "log-level-console=warn\n"
            "log-level-file=detail\n"
            "\n[shop]\n"
            "pg1-path=/srv/pg/data\n"
            "pg1-port=5433\n"
            "pg1-socket-path=/tmp\n");
  EXPECT_EQ(plan.pitr_restore[3].command,
            "sudo -u postgres pgbackrest --stanza=shop --type=time "
            "--target='YYYY-MM-DD HH:MM:SS+00' --target-action=promote restore");
}

TEST(BackupPlan, MonitoringUsesHealthsArchivingCheck) {
  BackupPlan plan = MakeBackupPlan(Given(10, 1), Objectives("5min", "4h"));
  ASSERT_FALSE(plan.monitoring.empty());
  EXPECT_NE(plan.monitoring[0].find("dbarch health --dsn DSN --check archiving --format nagios"),
            std::string::npos)
      << plan.monitoring[0];
  EXPECT_NE(FindHealthCheck("archiving"), nullptr);  // the check the line names exists
  // The exporter alert's age limit follows archive_timeout (4 min) plus the push time.
  EXPECT_NE(plan.monitoring[2].find("pg_stat_archiver_last_archive_age > 500"), std::string::npos)
      << plan.monitoring[2];
}

TEST(BackupPlan, ParsesDurationsSizesAndRates) {
  EXPECT_EQ(ParseDurationSeconds("5min"), 300);
  EXPECT_EQ(ParseDurationSeconds("30s"), 30);
  EXPECT_EQ(ParseDurationSeconds("2h"), 7200);
  EXPECT_EQ(ParseDurationSeconds("1d"), 86400);
  EXPECT_EQ(ParseDurationSeconds("90"), 90);
  EXPECT_FALSE(ParseDurationSeconds("5 fortnights"));
  EXPECT_FALSE(ParseDurationSeconds("-5min"));
  EXPECT_EQ(ParseByteSize("200GB"), int64_t{200} * 1024 * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("1.5kB"), 1536);
  EXPECT_FALSE(ParseByteSize("lots"));
  EXPECT_DOUBLE_EQ(*ParseRateBytesPerSecond("864MB/day"), 864.0 * 1024 * 1024 / 86400);
  EXPECT_DOUBLE_EQ(*ParseRateBytesPerSecond("5MB/s"), 5.0 * 1024 * 1024);
  EXPECT_FALSE(ParseRateBytesPerSecond("5MB"));
  EXPECT_FALSE(ParseRateBytesPerSecond("5MB/week"));
  EXPECT_EQ(FormatBytes(1536), "1.5 kB");
  EXPECT_EQ(FormatDuration(7200), "2.0 h");
}

TEST(BackupPlan, ReadsFactsFromARealServer) {
  auto conn = sandbox::test_util::ConnectToSharedSandbox(/*read_only=*/true);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto facts = ReadBackupFacts(*conn, /*sample_s=*/1);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_GT(facts->database_bytes, 1000000);  // postgres + template1 at least
  EXPECT_EQ(facts->server_version_num / 10000, 15);
  EXPECT_FALSE(facts->in_recovery);
  EXPECT_EQ(facts->wal_level, "minimal");  // the sandbox's
  EXPECT_EQ(facts->archive_mode, "off");
  EXPECT_EQ(facts->wal_segment_bytes, 16 * 1024 * 1024);
  EXPECT_GE(facts->wal_bytes_per_s, 0);
  EXPECT_NE(facts->wal_rate_basis.find("sampled"), std::string::npos) << facts->wal_rate_basis;
  EXPECT_FALSE(facts->data_directory.empty());  // a superuser may read it
  BackupPlan plan = MakeBackupPlan(*facts, BackupObjectives());
  EXPECT_NE(plan.pgbackrest_conf.find("pg1-path=" + facts->data_directory + "\n"),
            std::string::npos);
  EXPECT_TRUE(Setting(plan, "wal_level").restart);
}

}  // namespace
}  // namespace dbarch::ops
