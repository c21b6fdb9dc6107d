#include "lint/config.h"

#include <gtest/gtest.h>

#include <string>

namespace dbarch::lint {
namespace {

// Found by fuzz/lint_config_fuzz.cc: std::regex compiles by recursion, and a naming pattern of
// tens of thousands of bytes overflowed the call stack; such a pattern is now a config error
// with its location.
TEST(ParseConfig, RejectsOverlongNamingPatterns) {
  for (const std::string& pattern :
       {std::string(20000, 'a'), std::string(10000, '(') + "a" + std::string(10000, ')'),
        std::string(1001, 'a')}) {
    auto config = ParseConfig("dbarch.yaml", "naming:\n  table: '" + pattern + "'\n");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("naming.table: pattern longer than 1000 bytes"),
              std::string::npos)
        << config.status().message();
    ASSERT_TRUE(config.status().span().has_value());
    EXPECT_EQ(config.status().span()->line, 2u);
  }
  auto longest =
      ParseConfig("dbarch.yaml", "naming:\n  column: '" + std::string(1000, 'a') + "'\n");
  ASSERT_TRUE(longest.ok()) << longest.status().ToString();
  EXPECT_EQ(longest->naming.column, std::string(1000, 'a'));
}

// Found by fuzz/lint_config_fuzz.cc: libstdc++ 12 overflows a long (undefined behaviour) while
// reading a backreference or repetition bound of 20 digits; numbers of more than 9 digits are
// refused before the pattern is compiled.
TEST(ParseConfig, RejectsPatternNumbersOfMoreThanNineDigits) {
  for (const char* pattern :
       {"^t(a)\\4444444444444444444$", "^a{1,99999999999999999999}$", "^t_1234567890$"}) {
    auto config = ParseConfig("dbarch.yaml", std::string("naming:\n  index: '") + pattern + "'\n");
    ASSERT_FALSE(config.ok()) << pattern;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(config.status().message().find("naming.index: numbers in a pattern are limited to 9"),
              std::string::npos)
        << config.status().message();
  }
  auto ok = ParseConfig("dbarch.yaml", "naming:\n  index: '^t_123456789_(a)\\1{2}$'\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

}  // namespace
}  // namespace dbarch::lint
