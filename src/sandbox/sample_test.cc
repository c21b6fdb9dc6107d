// SamplePercents: how the size cap is shared between a live server's tables (small tables
// copied whole, one sampled fraction for the rest). CopySchemaAndSample itself runs end to
// end in CliAdvise.LiveVerifyMeasuresOnASampleAndLeavesTheServerUnchanged.
#include "sandbox/sample.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace dbarch::sandbox {
namespace {

TEST(SamplePercents, EverythingUnderTheCapIsCopiedWhole) {
  EXPECT_EQ(SamplePercents({100, 2000, 30}, 10000), (std::vector<double>{100, 100, 100}));
  EXPECT_EQ(SamplePercents({}, 10), std::vector<double>{});
}

TEST(SamplePercents, SmallTablesWholeLargeOnesShareOneFraction) {
  // 1,000 + 2,000 bytes fit their share of 10,000; the rest (7,000) is split over 70,000.
  std::vector<double> p = SamplePercents({50000, 1000, 20000, 2000}, 10000);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_DOUBLE_EQ(p[1], 100);
  EXPECT_DOUBLE_EQ(p[3], 100);
  EXPECT_DOUBLE_EQ(p[0], 10);
  EXPECT_DOUBLE_EQ(p[2], 10);
}

TEST(SamplePercents, ATinyCapStillAsksForSomeRows) {
  std::vector<double> p = SamplePercents({int64_t{1} << 40}, 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_GT(p[0], 0);
  EXPECT_LT(p[0], 0.001);
}

}  // namespace
}  // namespace dbarch::sandbox
