#include "migrate/next_migration.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dbarch::migrate {
namespace {

MigrationDir DirOf(const std::vector<std::string>& names) {
  MigrationDir dir;
  for (const std::string& n : names) {
    auto parsed = ParseScriptName(n);
    EXPECT_TRUE(parsed.ok() && parsed->has_value()) << n;
    Migration m{*(*parsed)->version, **parsed, std::nullopt};
    dir.versioned.push_back(m);
  }
  return dir;
}

TEST(NextMigrationTest, SeriesOfConsecutiveVersionsInTheFoldersStyle) {
  auto flyway = NextMigrationSeries(DirOf({"V0009__a.sql"}), {"x 1 expand", "x 2 contract"});
  ASSERT_TRUE(flyway.ok()) << flyway.status().ToString();
  ASSERT_EQ(flyway->size(), 2u);
  EXPECT_EQ((*flyway)[0].up_name, "V0010__x_1_expand.sql");
  EXPECT_EQ((*flyway)[1].up_name, "V0011__x_2_contract.sql");
  EXPECT_EQ((*flyway)[1].down_name, "U0011__x_2_contract.sql");
  auto pairs = NextMigrationSeries(DirOf({"0009_a.up.sql"}), {"a", "b", "c"});
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ((*pairs)[2].up_name, "0012_c.up.sql");
  EXPECT_FALSE(NextMigrationSeries(DirOf({}), {}).ok());
  EXPECT_FALSE(NextMigrationSeries(DirOf({}), {"a", "!!"}).ok());
}

TEST(NextMigrationTest, FollowsTheFoldersConvention) {
  struct Case {
    std::vector<std::string> existing;
    std::string up, down;
  } cases[] = {
      {{}, "V1__add_orders.sql", "U1__add_orders.sql"},
      {{"V1__a.sql", "V2__b.sql"}, "V3__add_orders.sql", "U3__add_orders.sql"},
      {{"V1.9__a.sql"}, "V1.10__add_orders.sql", "U1.10__add_orders.sql"},
      {{"V1_2__a.sql"}, "V1_3__add_orders.sql", "U1_3__add_orders.sql"},
      {{"0009_a.up.sql"}, "0010_add_orders.up.sql", "0010_add_orders.down.sql"},
      {{"20240131120000_a.up.sql"},
       "20240131120001_add_orders.up.sql",
       "20240131120001_add_orders.down.sql"},
      {{"99_a.up.sql"}, "100_add_orders.up.sql", "100_add_orders.down.sql"},
  };
  for (const Case& c : cases) {
    auto next = NextMigrationNames(DirOf(c.existing), "add orders");
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    EXPECT_EQ(next->up_name, c.up);
    EXPECT_EQ(next->down_name, c.down);
    // The names parse back as the migration kinds they claim to be.
    auto up = ParseScriptName(next->up_name);
    ASSERT_TRUE(up.ok() && up->has_value());
    EXPECT_EQ((*up)->kind, ScriptKind::kVersioned);
    auto down = ParseScriptName(next->down_name);
    ASSERT_TRUE(down.ok() && down->has_value());
    EXPECT_EQ((*down)->kind, ScriptKind::kUndo);
  }
}

TEST(NextMigrationTest, DescriptionIsSanitisedAndRequired) {
  auto next = NextMigrationNames(MigrationDir{}, "Add  orders/index!");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->up_name, "V1__Add_orders_index.sql");
  EXPECT_FALSE(NextMigrationNames(MigrationDir{}, " -- ").ok());
}

}  // namespace
}  // namespace dbarch::migrate
