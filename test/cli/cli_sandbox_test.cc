// End-to-end tests of `dbarch inspect --sandbox`, which start private PostgreSQL 15 servers
// (label "sandbox"): the shop example read back from a server equals its offline model, the
// DDL that `--format sql` writes loads into a server without error, and a server-side error
// points into the user's file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// The parts of `inspect --format json` that the model's equality ignores: where an object
// was defined ("location": a DDL file vs the server), and view text (the server rewrites
// it; views compare by columns and relations). Removed recursively.
void StripNonModelFields(Json& j, bool in_views = false) {
  if (j.is_object()) {
    j.erase("location");
    if (in_views) j.erase("definition");
    for (auto& [key, value] : j.items()) StripNonModelFields(value, key == "views");
  } else if (j.is_array()) {
    for (Json& item : j) StripNonModelFields(item, in_views);
  }
}

// The first few differences between two JSON documents, as JSON-patch paths.
std::string Differences(const Json& expected, const Json& actual) {
  nlohmann::json patch = nlohmann::json::diff(nlohmann::json(expected), nlohmann::json(actual));
  std::string out;
  size_t shown = 0;
  for (const auto& op : patch) {
    if (shown++ == 15) {
      out += "  ... " + std::to_string(patch.size() - 15) + " more\n";
      break;
    }
    out += "  " + op.value("op", "") + " " + op.value("path", "");
    if (op.contains("value")) out += " = " + op["value"].dump().substr(0, 160);
    out += "\n";
  }
  return out;
}

Json ParseJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << text.substr(0, 500);
  StripNonModelFields(j);
  return j;
}

TEST(CliSandbox, ShopThroughAServerEqualsTheOfflineModel) {
  RunResult offline =
      RunDbarch({"inspect", "--schema", "examples/shop/schema.sql", "--format", "json"});
  ASSERT_EQ(offline.exit_code, 0) << Describe(offline);
  RunResult server = RunDbarch(
      {"inspect", "--schema", "examples/shop/schema.sql", "--sandbox", "--format", "json"});
  ASSERT_EQ(server.exit_code, 0) << Describe(server);
  Json a = ParseJson(offline.out);
  Json b = ParseJson(server.out);
  EXPECT_TRUE(a == b) << "offline (expected) vs sandbox (actual) model differs:\n"
                      << Differences(a, b);
}

// Inputs whose rendered DDL must load into an empty server: the shop example, every schema
// fixture, and the report golden fixture.
std::vector<std::string> LoadableInputs() {
  std::vector<std::string> out = {"examples/shop/schema.sql", "test/golden/report/catalog.sql",
                                  "test/fixtures/schemas/migrations_dir"};
  fs::path dir = fs::path(SourceDir()) / "test/fixtures/schemas";
  std::vector<std::string> files;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".sql")
        files.push_back("test/fixtures/schemas/" + e.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
  return out;
}

class RenderedSql : public ::testing::TestWithParam<std::string> {};

TEST_P(RenderedSql, LoadsIntoASandboxWithoutErrors) {
  if (!fs::exists(fs::path(SourceDir()) / GetParam())) GTEST_SKIP() << GetParam() << " not present";
  TempDir tmp;
  fs::path rendered = tmp.path() / "rendered.sql";
  RunResult sql =
      RunDbarch({"inspect", "--schema", GetParam(), "--format", "sql", "-o", rendered.string()});
  ASSERT_EQ(sql.exit_code, 0) << Describe(sql);
  // Loading it is the test; the JSON read back must describe a schema (not be empty).
  RunResult loaded =
      RunDbarch({"inspect", "--schema", rendered.string(), "--sandbox", "--format", "json"});
  EXPECT_EQ(loaded.exit_code, 0) << "rendered DDL of " << GetParam() << " failed to load:\n"
                                 << Describe(loaded);
  // A child's column that is its own as well as inherited is listed in its CREATE TABLE (as
  // pg_dump writes it, so that it stays the child's own), which the server announces with a
  // NOTICE that restoring pg_dump's output gives too: that one is expected, nothing else.
  std::string err;
  std::istringstream lines(loaded.err);
  bool merged = false;  // the line before announced a merged column
  for (std::string line; std::getline(lines, line);) {
    const bool detail = merged && line.rfind("DETAIL:  User-specified column moved", 0) == 0;
    merged = line.find("server: NOTICE:  ") != std::string::npos &&
             line.find("merging column") != std::string::npos;
    if (!merged && !detail) err += line + "\n";
  }
  EXPECT_EQ(err, "") << "server notices or errors while loading the rendered DDL";
  if (loaded.exit_code == 0) {
    Json j = ParseJson(loaded.out);
    EXPECT_TRUE(j.contains("tables")) << loaded.out.substr(0, 300);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RenderedSql, ::testing::ValuesIn(LoadableInputs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           if (info.param.find("examples/shop") == 0) name = "shop";
                           if (info.param.find("test/golden/report") == 0) name = "report_golden";
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(CliSandbox, LoadsADirectoryOfMigrationsInOrder) {
  // Each file is run on its own, in the builder's order (V001 before V002 ...).
  RunResult r = RunDbarch(
      {"inspect", "--schema", "test/fixtures/schemas/migrations_dir", "--sandbox", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Json j = ParseJson(r.out);
  EXPECT_GT(j["summary"]["tables"].get<int>(), 0) << r.out.substr(0, 300);
}

TEST(CliSandbox, ServerErrorPointsIntoTheFile) {
  // Valid for the offline builder, rejected by the server (the view reads a column the
  // table does not have): exit 3 with the file, line and column of the server's position.
  TempDir tmp;
  fs::path file = tmp.path() / "bad_view.sql";
  std::ofstream(file) << "CREATE TABLE t (a integer);\n"
                         "CREATE VIEW v AS\n"
                         "  SELECT a, no_such_column FROM t;\n";
  RunResult r = RunDbarch({"inspect", "--schema", file.string(), "--sandbox"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind(file.string() + ":3:13: error: loading into the sandbox: ", 0), 0u)
      << Describe(r);
  EXPECT_NE(r.err.find("no_such_column"), std::string::npos) << Describe(r);
}

}  // namespace
}  // namespace dbarch::cli_test
