// End-to-end tests of `dbarch generate`: COPY files with a load script (deterministic by
// seed), the sandbox target (every row accepted with all constraints enabled), usage errors
// (exit 2) and bad specs (exit 3 with file:line:col).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSchema = "examples/marketplace/schema.sql";

TEST(CliGenerate, CopyFilesAreDeterministicBySeed) {
  TempDir dir;
  auto run = [&](const std::string& sub, const std::string& seed) {
    return RunDbarch({"generate", "--schema", kSchema, "--rows", "countries=20", "--default-rows", "300",
                      "--seed", seed, "--out", (dir.path() / sub).string(), "--format", "json"});
  };
  RunResult a = run("a", "5");
  ASSERT_EQ(a.exit_code, 0) << Describe(a);
  json report = json::parse(a.out);
  EXPECT_EQ(report["tables"].size(), 20u);
  EXPECT_GT(report["rows"].get<int64_t>(), 5000);
  RunResult b = run("b", "5");
  ASSERT_EQ(b.exit_code, 0) << Describe(b);
  RunResult c = run("c", "6");
  ASSERT_EQ(c.exit_code, 0) << Describe(c);
  auto orders = [&](const std::string& sub) {
    for (const auto& e : fs::directory_iterator(dir.path() / sub)) {
      std::string name = e.path().filename().string();
      if (name.size() > 17 && name.substr(name.size() - 17) == "_shop.orders.copy") return ReadFile(e.path());
    }
    return std::string();
  };
  std::string orders_a = orders("a");
  EXPECT_FALSE(orders_a.empty());
  EXPECT_EQ(orders_a, orders("b"));
  EXPECT_NE(orders_a, orders("c"));
  std::string script = ReadFile(dir.path() / "a" / "load.sql");
  EXPECT_NE(script.find("\\copy shop.orders"), std::string::npos) << script;
  EXPECT_NE(script.find("setval"), std::string::npos) << script;
}

TEST(CliGenerate, IntoASandboxEveryRowIsAccepted) {
  RunResult r = RunDbarch({"generate", "--schema", kSchema, "--rows", "countries=30,orders=5k",
                           "--default-rows", "500"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("every row was accepted by PostgreSQL with all constraints enabled"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("shop.orders"), std::string::npos);
}

// The shop example: ranges under exclusion constraints (also over daterange(from, to) and
// COALESCE keys), partial unique indexes, a view that depends on a primary key.
TEST(CliGenerate, ShopSchemaWithRangesAndExclusionsIsAccepted) {
  RunResult r = RunDbarch({"generate", "--schema", "examples/shop/schema.sql", "--default-rows", "300"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("every row was accepted by PostgreSQL with all constraints enabled"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("billing.tax_rates"), std::string::npos) << r.out;
}

TEST(CliGenerate, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"generate"},
           {"generate", "--dsn", "host=127.0.0.1 port=1"},
           {"generate", "--schema", kSchema, "--rows", "orders"},
           {"generate", "--schema", kSchema, "--like", "host=127.0.0.1 port=1"},
       }) {
    RunResult r = RunDbarch(args);
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_EQ(r.out, "");
  }
}

TEST(CliGenerate, BadSpecIsBadInputWithItsPosition) {
  TempDir dir;
  fs::path spec = dir.path() / "spec.yaml";
  std::ofstream(spec) << "tables:\n  orders:\n    columns:\n      status: { distribution: gaussian }\n";
  RunResult r = RunDbarch({"generate", "--schema", kSchema, "--spec", spec.string(), "--out",
                           (dir.path() / "out").string()});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("spec.yaml:4:"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "load.sql"));

  std::ofstream(spec) << "tables:\n  oders: { rows: 5 }\n";
  RunResult typo = RunDbarch({"generate", "--schema", kSchema, "--spec", spec.string(), "--out",
                              (dir.path() / "out").string()});
  EXPECT_EQ(typo.exit_code, 3) << Describe(typo);
  EXPECT_NE(typo.err.find("did you mean \"orders\""), std::string::npos) << typo.err;
}

// --dsn: only with --yes, only into empty tables, all or nothing.
TEST(CliGenerate, LiveDatabaseNeedsYesAndEmptyTables) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto admin = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE(admin->ExecScript("DROP DATABASE IF EXISTS gen_live").ok());
  ASSERT_TRUE(admin->ExecScript("CREATE DATABASE gen_live").ok());
  std::string dsn = (*box)->TcpConnInfo() + " dbname=gen_live";
  pg::ConnectOptions options;
  options.conninfo = dsn;
  options.read_only = false;
  auto db = pg::Connection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(db->ExecScript(ReadFile(fs::path(SourceDir()) / kSchema)).ok());

  RunResult no = RunDbarch({"generate", "--dsn", dsn, "--rows", "countries=20", "--default-rows", "100"});
  EXPECT_EQ(no.exit_code, 2) << Describe(no);
  EXPECT_NE(no.err.find("--yes"), std::string::npos) << no.err;

  RunResult yes = RunDbarch({"generate", "--dsn", dsn, "--yes", "--rows", "countries=20,orders=2k",
                             "--default-rows", "100", "--format", "json"});
  ASSERT_EQ(yes.exit_code, 0) << Describe(yes);
  auto count = db->Exec("SELECT count(*) FROM shop.orders");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->GetInt(0, 0), 2000);
  size_t at = dsn.find("password=");
  ASSERT_NE(at, std::string::npos);
  std::string password = dsn.substr(at + 9, dsn.find(' ', at) - at - 9);
  EXPECT_EQ(yes.out.find(password), std::string::npos);
  EXPECT_EQ(yes.err.find(password), std::string::npos);

  // Not empty any more: refused, and nothing is added.
  RunResult again = RunDbarch({"generate", "--dsn", dsn, "--yes", "--default-rows", "100"});
  EXPECT_EQ(again.exit_code, 3) << Describe(again);
  EXPECT_NE(again.err.find("is not empty"), std::string::npos) << again.err;
  count = db->Exec("SELECT count(*) FROM shop.orders");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->GetInt(0, 0), 2000);
}

// --dsn on a table with a range column under an exclusion constraint: filled, no overlap per
// key. A column of a type no value can be made for stops the run before any row is written.
TEST(CliGenerate, RangesUnderAnExclusionAndAnUngeneratableTypeNamedBeforeAnyRow) {
  auto box = sandbox::test_util::SharedSandbox();
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  auto admin = sandbox::test_util::ConnectToSharedSandbox();
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  const char* kBookings =
      "CREATE EXTENSION IF NOT EXISTS btree_gist;"
      "CREATE TABLE rooms (id integer PRIMARY KEY, name text NOT NULL);"
      "CREATE TABLE bookings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
      "  room_id integer NOT NULL REFERENCES rooms, during tstzrange NOT NULL,"
      "  EXCLUDE USING gist (room_id WITH =, during WITH &&));";
  auto open_db = [&](const std::string& name,
                     const std::string& ddl) -> std::optional<pg::Connection> {
    EXPECT_TRUE(admin->ExecScript("DROP DATABASE IF EXISTS " + name).ok());
    EXPECT_TRUE(admin->ExecScript("CREATE DATABASE " + name).ok());
    pg::ConnectOptions options;
    options.conninfo = (*box)->TcpConnInfo() + " dbname=" + name;
    options.read_only = false;
    auto db = pg::Connection::Open(options);
    if (!db.ok()) return std::nullopt;
    EXPECT_TRUE(db->ExecScript(ddl).ok());
    return std::move(db).value();
  };
  auto count = [](pg::Connection& db, const std::string& sql) {
    auto r = db.Exec(sql);
    EXPECT_TRUE(r.ok()) << sql;
    return r.ok() ? r->GetInt(0, 0) : -1;
  };

  auto db = open_db("gen_ranges", kBookings);
  ASSERT_TRUE(db.has_value());
  RunResult ok = RunDbarch({"generate", "--dsn", (*box)->TcpConnInfo() + " dbname=gen_ranges",
                            "--yes", "--rows", "rooms=20,bookings=3000"});
  ASSERT_EQ(ok.exit_code, 0) << Describe(ok);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM bookings"), 3000);
  EXPECT_EQ(count(*db,
                  "SELECT count(*) FROM bookings a JOIN bookings b ON a.room_id = b.room_id "
                  "AND a.id < b.id AND a.during && b.during"),
            0);

  auto bad = open_db("gen_snapshot",
                     std::string(kBookings) + "CREATE TABLE snaps (id integer, snap pg_snapshot);");
  ASSERT_TRUE(bad.has_value());
  RunResult refused =
      RunDbarch({"generate", "--dsn", (*box)->TcpConnInfo() + " dbname=gen_snapshot", "--yes",
                 "--rows", "rooms=20,bookings=100"});
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_NE(refused.err.find("public.snaps.snap of type pg_snapshot"), std::string::npos)
      << refused.err;
  EXPECT_EQ(count(*bad, "SELECT count(*) FROM rooms"), 0);
  EXPECT_EQ(count(*bad, "SELECT count(*) FROM bookings"), 0);
}

}  // namespace
}  // namespace dbarch::cli_test
