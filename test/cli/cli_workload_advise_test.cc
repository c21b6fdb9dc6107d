// End to end from a server log to index recommendations (label "sandbox"): the workload that
// `dbarch workload --emit-workload` writes from a crafted log of the advise fixture's shop
// schema is read by `dbarch advise`, which recommends the index the logged statements need.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

TEST(CliWorkloadAdvise, EmittedWorkloadGetsRecommendations) {
  TempDir tmp;
  std::string workload = (tmp.path() / "from_log.sql").string();
  RunResult emit = RunDbarch({"workload", "test/fixtures/logs/advise_shop.log", "--emit-workload",
                              workload, "-o", (tmp.path() / "report.txt").string()});
  ASSERT_EQ(emit.exit_code, 0) << Describe(emit);
  std::string text = ReadFile(workload);
  // Two query groups; BEGIN and COMMIT are not queries.
  EXPECT_NE(text.find("-- weight: 3\n-- params: '1999'\nSELECT id, placed_at, total FROM orders "
                      "WHERE customer_id = $1::integer;"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("-- weight: 2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("BEGIN"), std::string::npos) << text;

  RunResult advise =
      RunDbarch({"advise", "--schema", "test/fixtures/advise/schema.sql", "--workload", workload});
  ASSERT_EQ(advise.exit_code, 0) << Describe(advise);
  EXPECT_NE(advise.out.find(
                "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON public.orders (customer_id);"),
            std::string::npos)
      << advise.out;
  EXPECT_NE(advise.out.find("workload: 2 queries analysed"), std::string::npos) << advise.out;
}

}  // namespace
}  // namespace dbarch::cli_test
