#include "workload/server_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace dbarch::workload {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  return std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/logs/conf/" + name;
}

class TempConf {
 public:
  TempConf() {
    dir_ = fs::temp_directory_path() /
           ("dbarch_conf_" + std::to_string(reinterpret_cast<uintptr_t>(this)) + "_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir_);
  }
  ~TempConf() { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  fs::path dir_;
};

TEST(ServerConfig, IncludesFollowedAndTheLastSettingWins) {
  auto settings = ReadServerConfig({Fixture("postgresql.conf")});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(LogLinePrefixOf(*settings), "%t [%p-%l] %x user=%u,db=%d,app=%a ");
  EXPECT_EQ(settings->at("listen_addresses"), "localhost");
  EXPECT_EQ(settings->at("log_destination"), "stderr");
  EXPECT_EQ(settings->at("logging_collector"), "on");
}

TEST(ServerConfig, QuotingEscapesAndDefaults) {
  TempConf tmp;
  std::string main = tmp.Write("main.conf",
                               "Log_Line_Prefix = 'it''s %m \\'x\\' # not a comment' # comment\n"
                               "work_mem 64MB\n"
                               "include 'sub/more.conf'\n");
  tmp.Write("sub/more.conf", "include_if_exists 'absent.conf'\nshared_buffers=1GB\n");
  auto settings = ReadServerConfig({main});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(LogLinePrefixOf(*settings), "it's %m 'x' # not a comment");
  EXPECT_EQ(settings->at("work_mem"), "64MB");
  EXPECT_EQ(settings->at("shared_buffers"), "1GB");
  // A later file wins over an earlier one; nothing set means the server's default.
  std::string later = tmp.Write("auto.conf", "log_line_prefix = '%m '\n");
  EXPECT_EQ(LogLinePrefixOf(*ReadServerConfig({main, later})), "%m ");
  EXPECT_EQ(LogLinePrefixOf(*ReadServerConfig({tmp.Write("empty.conf", "# nothing\n")})),
            "%m [%p] ");
}

TEST(ServerConfig, Errors) {
  TempConf tmp;
  auto missing = ReadServerConfig({tmp.Write("a.conf", "include 'nope.conf'\n")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIO);
  EXPECT_NE(missing.status().message().find("nope.conf"), std::string::npos);

  auto quote = ReadServerConfig({tmp.Write("b.conf", "\nlog_line_prefix = '%m\n")});
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(quote.status().message().find("b.conf:2: unterminated quoted string"),
            std::string::npos)
      << quote.status().message();

  auto junk = ReadServerConfig({tmp.Write("c.conf", "a = 1 2\n")});
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("c.conf:1: syntax error"), std::string::npos);

  auto loop = ReadServerConfig({tmp.Write("loop.conf", "include 'loop.conf'\n")});
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("maximum nesting depth exceeded"), std::string::npos);
}

}  // namespace
}  // namespace dbarch::workload
