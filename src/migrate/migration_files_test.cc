#include "migrate/migration_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "migrate/checksum.h"
#include "migrate/version.h"

namespace dbarch::migrate {
namespace {

Version V(const char* text) { return *Version::Parse(text); }

TEST(VersionTest, ComparesNumericallyPerPart) {
  EXPECT_TRUE(V("1.2.10") > V("1.2.9"));
  EXPECT_TRUE(V("1.10") > V("1.9.9"));
  EXPECT_TRUE(V("1.0") == V("1"));
  EXPECT_TRUE(V("1_2") == V("1.2"));
  EXPECT_TRUE(V("001") == V("1"));
  EXPECT_TRUE(V("20240131120000") > V("20231231235959"));
  EXPECT_TRUE(V("2") > V("1.99999999999999999999999"));
  EXPECT_EQ(V("1_2_3").text(), "1.2.3");
}

TEST(VersionTest, RejectsMalformed) {
  for (const char* bad : {"", "a", "1..2", ".1", "1.", "1-2", "v1"}) {
    EXPECT_FALSE(Version::Parse(bad).ok()) << bad;
  }
}

TEST(ChecksumTest, Sha256OfKnownInputs) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ScriptNameTest, FlywayAndPairNames) {
  struct Case {
    const char* name;
    ScriptKind kind;
    const char* version;  // "" for none
    const char* description;
  } cases[] = {
      {"V1__init.sql", ScriptKind::kVersioned, "1", "init"},
      {"V1_2_10__add_orders.sql", ScriptKind::kVersioned, "1.2.10", "add orders"},
      {"U3__drop_x.sql", ScriptKind::kUndo, "3", "drop x"},
      {"R__views.sql", ScriptKind::kRepeatable, "", "views"},
      {"20240131_create_users.up.sql", ScriptKind::kVersioned, "20240131", "create users"},
      {"20240131_create_users.down.sql", ScriptKind::kUndo, "20240131", "create users"},
      {"0002.up.sql", ScriptKind::kVersioned, "0002", ""},
  };
  for (const Case& c : cases) {
    auto parsed = ParseScriptName(c.name);
    ASSERT_TRUE(parsed.ok()) << c.name << ": " << parsed.status().ToString();
    ASSERT_TRUE(parsed->has_value()) << c.name;
    const MigrationScript& s = **parsed;
    EXPECT_EQ(s.kind, c.kind) << c.name;
    EXPECT_EQ(s.version ? s.version->text() : "", c.version) << c.name;
    EXPECT_EQ(s.description, c.description) << c.name;
  }
  for (const char* other : {"schema.sql", "notes.txt", "V1_init.sql", "X1__a.sql"}) {
    auto parsed = ParseScriptName(other);
    ASSERT_TRUE(parsed.ok()) << other;
    EXPECT_FALSE(parsed->has_value()) << other;
  }
  EXPECT_FALSE(ParseScriptName("V1.x__bad.sql").ok());
}

class FolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dbarch-migrate-files-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  // The prepared script of the only versioned migration.
  PreparedScript Prepare(const std::string& text) {
    Write("V1__x.sql", text);
    auto dir = LoadMigrationDir(dir_.string());
    EXPECT_TRUE(dir.ok()) << dir.status().ToString();
    auto prepared = PrepareScript(dir->versioned.at(0).up);
    EXPECT_TRUE(prepared.ok()) << prepared.status().ToString();
    return prepared.ok() ? std::move(prepared).value() : PreparedScript{};
  }
  std::filesystem::path dir_;
};

TEST_F(FolderTest, SortsVersionsNumericallyAndPairsUndo) {
  Write("V1_2_10__c.sql", "SELECT 1;");
  Write("V1_2_9__b.sql", "SELECT 1;");
  Write("V1__a.sql", "SELECT 1;");
  Write("U1_2_9__b.sql", "SELECT 1;");
  Write("R__views.sql", "SELECT 1;");
  auto dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  ASSERT_EQ(dir->versioned.size(), 3u);
  EXPECT_EQ(dir->versioned[0].up.name, "V1__a.sql");
  EXPECT_EQ(dir->versioned[1].up.name, "V1_2_9__b.sql");
  EXPECT_EQ(dir->versioned[2].up.name, "V1_2_10__c.sql");
  ASSERT_TRUE(dir->versioned[1].down.has_value());
  EXPECT_EQ(dir->versioned[1].down->name, "U1_2_9__b.sql");
  EXPECT_FALSE(dir->versioned[0].down.has_value());
  ASSERT_EQ(dir->repeatable.size(), 1u);
  EXPECT_EQ(dir->versioned[0].up.checksum, Sha256Hex("SELECT 1;"));
}

TEST_F(FolderTest, FolderErrorsNameTheFile) {
  Write("V1__a.sql", "SELECT 1;");
  Write("V1_0__b.sql", "SELECT 1;");
  auto dup = LoadMigrationDir(dir_.string());
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("V1_0__b.sql"), std::string::npos)
      << dup.status().message();
  std::filesystem::remove(dir_ / "V1_0__b.sql");
  Write("U2__nothing.sql", "SELECT 1;");
  auto orphan = LoadMigrationDir(dir_.string());
  ASSERT_FALSE(orphan.ok());
  EXPECT_NE(orphan.status().message().find("U2__nothing.sql"), std::string::npos);
  std::filesystem::remove(dir_ / "U2__nothing.sql");
  Write("schema.sql", "SELECT 1;");
  auto stray = LoadMigrationDir(dir_.string());
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("schema.sql"), std::string::npos);
}

TEST_F(FolderTest, PlainDdlIsTransactional) {
  PreparedScript p = Prepare("CREATE TABLE t (id int);\nCREATE INDEX ON t (id);\n");
  EXPECT_TRUE(p.transactional);
  ASSERT_EQ(p.statements.size(), 2u);
  EXPECT_EQ(p.statements[1].sql, "CREATE INDEX ON t (id)");
}

TEST_F(FolderTest, NonTransactionalStatementsFromParseTrees) {
  const char* cases[] = {
      "CREATE INDEX CONCURRENTLY i ON t (id)",
      "DROP INDEX CONCURRENTLY i",
      "REINDEX INDEX CONCURRENTLY i",
      "VACUUM t",
      "CREATE DATABASE d",
      "ALTER SYSTEM SET work_mem = '8MB'",
      "DO $$ BEGIN LOOP UPDATE t SET id = id; COMMIT; EXIT; END LOOP; END $$",
  };
  for (const char* stmt : cases) {
    PreparedScript p = Prepare(std::string("CREATE TABLE t (id int);\n") + stmt + ";\n");
    EXPECT_FALSE(p.transactional) << stmt;
    ASSERT_EQ(p.statements.size(), 2u) << stmt;
    EXPECT_FALSE(p.statements[0].needs_autocommit) << stmt;
    EXPECT_TRUE(p.statements[1].needs_autocommit) << stmt;
    EXPECT_EQ(p.reason_statement, 1u) << stmt;
    EXPECT_FALSE(p.reason.empty()) << stmt;
  }
  // Text that merely mentions a keyword does not count.
  PreparedScript comment = Prepare("-- VACUUM later\nANALYZE t;\nSELECT 'CONCURRENTLY';\n");
  EXPECT_TRUE(comment.transactional);
  // A DO block that does not commit runs in the file's transaction.
  PreparedScript plain_do = Prepare("DO $$ BEGIN PERFORM 1; /* committed_at */ END $$;\n");
  EXPECT_TRUE(plain_do.transactional) << plain_do.reason;
}

TEST_F(FolderTest, EnumValueUsedInTheSameFile) {
  PreparedScript added = Prepare("ALTER TYPE mood ADD VALUE 'meh';\n");
  EXPECT_TRUE(added.transactional);
  PreparedScript used =
      Prepare("ALTER TYPE mood ADD VALUE 'meh';\nUPDATE person SET m = 'meh' WHERE m = 'ok';\n");
  EXPECT_FALSE(used.transactional);
  EXPECT_NE(used.reason.find("enum value"), std::string::npos) << used.reason;
  EXPECT_FALSE(used.statements[0].needs_autocommit);
  EXPECT_FALSE(used.statements[1].needs_autocommit);
}

TEST_F(FolderTest, PsqlMetaCommandsAndErrors) {
  PreparedScript p = Prepare("\\set ON_ERROR_STOP on\nCREATE TABLE t (id int);\n");
  ASSERT_EQ(p.statements.size(), 1u);
  EXPECT_EQ(p.statements[0].begin, 22u);  // after the blanked meta-command line

  Write("V1__x.sql", "CREATE TABLE t (id int);\nCREATE TABLE (;\n");
  auto dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok());
  auto bad = PrepareScript(dir->versioned[0].up);
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(bad.status().span().has_value());
  EXPECT_EQ(bad.status().span()->line, 2u);

  Write("V1__x.sql", "CREATE TABLE t (id int);\nCOPY t FROM stdin;\n1\n\\.\n");
  dir = LoadMigrationDir(dir_.string());
  auto copy = PrepareScript(dir->versioned[0].up);
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(copy.status().span()->line, 2u);

  Write("V1__x.sql", "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n");
  dir = LoadMigrationDir(dir_.string());
  auto tx = PrepareScript(dir->versioned[0].up);
  ASSERT_FALSE(tx.ok());
  EXPECT_EQ(tx.status().code(), StatusCode::kNotSupported);
}

TEST_F(FolderTest, VariablesAreSentButNeverShown) {
  Write("V1__x.sql", "ALTER ROLE r PASSWORD :'pw';\nSELECT :'other';\n");
  auto dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto unset = PrepareScript(dir->versioned.at(0).up, {{"pw", "s3cr3t'x"}});
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unset.status().message(), "psql variable \"other\" is not set (:'other')");
  ASSERT_TRUE(unset.status().span().has_value());
  EXPECT_EQ(unset.status().span()->line, 2u);
  EXPECT_EQ(unset.status().span()->column, 8u);

  auto p = PrepareScript(dir->versioned.at(0).up, {{"pw", "s3cr3t'x"}, {"other", "1"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->statements.size(), 2u);
  EXPECT_EQ(p->statements[0].sql, "ALTER ROLE r PASSWORD 's3cr3t''x'");
  EXPECT_EQ(p->statements[0].shown_sql, "ALTER ROLE r PASSWORD :'pw'");
  EXPECT_EQ(p->statements[0].file->text().find("s3cr3t"), std::string::npos);
  EXPECT_EQ(p->statements[1].sql, "SELECT '1'");
  EXPECT_EQ(p->statements[1].shown_sql, "SELECT :'other'");
  // The checksum is of the file as written, whatever the values.
  EXPECT_EQ(dir->versioned.at(0).up.checksum,
            Sha256Hex("ALTER ROLE r PASSWORD :'pw';\nSELECT :'other';\n"));

  // The guarded form `dbarch diff` writes runs its statement only when the variable is set.
  Write("V1__x.sql",
        "\\if :{?r_password}\nALTER ROLE r PASSWORD :'r_password';\n\\else\n"
        "\\warn 'psql variable r_password is not set: r keeps its password'\n\\endif\n");
  dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto skipped = PrepareScript(dir->versioned.at(0).up);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_TRUE(skipped->statements.empty());
  auto given = PrepareScript(dir->versioned.at(0).up, {{"r_password", "pw"}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  ASSERT_EQ(given->statements.size(), 1u);
  EXPECT_EQ(given->statements[0].sql, "ALTER ROLE r PASSWORD 'pw'");

  // A meta-command's error that quotes a value shows the reference.
  Write("V1__x.sql", "\\if :flag\nSELECT 1;\n\\endif\n");
  dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto not_bool = PrepareScript(dir->versioned.at(0).up, {{"flag", "hunter2"}});
  ASSERT_FALSE(not_bool.ok());
  EXPECT_EQ(not_bool.status().message().find("hunter2"), std::string::npos)
      << not_bool.status().message();
  EXPECT_NE(not_bool.status().message().find(":'flag'"), std::string::npos)
      << not_bool.status().message();

  EXPECT_EQ(RedactVariables("invalid input: \"s3cr3t'x\"", {{"pw", "s3cr3t'x"}}),
            "invalid input: \":'pw'\"");
  // As a literal spells it, too (a syntax error quotes the token).
  EXPECT_EQ(RedactVariables("syntax error at or near \"'s3cr3t''x'\"", {{"pw", "s3cr3t'x"}}),
            "syntax error at or near \"':'pw''\"");
  auto bad_sql = PrepareScript(dir->versioned.at(0).up, {{"flag", "on"}});
  ASSERT_TRUE(bad_sql.ok()) << bad_sql.status().ToString();
  Write("V1__x.sql", "SELECT 1 :'pw';\n");
  dir = LoadMigrationDir(dir_.string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto syntax = PrepareScript(dir->versioned.at(0).up, {{"pw", "s3cr3t'x"}});
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kParseError);
  EXPECT_EQ(syntax.status().message().find("s3cr3t"), std::string::npos)
      << syntax.status().message();
  ASSERT_TRUE(syntax.status().span().has_value());
  EXPECT_EQ(syntax.status().span()->line, 1u);
}

}  // namespace
}  // namespace dbarch::migrate
