// `dbarch design` end to end: bad models fail at file:line:col; the two example models go
// through the whole verification on a sandbox (scaled down) and their design documents match
// the golden ones (measured times masked); advise has nothing to add after the fact; the saas
// model's partitioned tables hold their generated rows in monthly partitions. And
// `dbarch inspect --format svg` of examples/marketplace (laid out by Graphviz), rendered by
// headless Chromium: every table is drawn, no two boxes overlap, every text line stays inside
// its box.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

struct BadModel {
  const char* file;
  const char* where;    // file:line:col
  const char* message;  // substring of the error
};

TEST(CliDesign, BadModelsFailAtTheirPosition) {
  const BadModel cases[] = {
      {"unknown_type.yaml", "unknown_type.yaml:5:24", "unknown semantic type \"monee\""},
      {"unknown_entity.yaml", "unknown_entity.yaml:6:25", "unknown entity \"customer\""},
      {"required_cycle.yaml", "required_cycle.yaml:9:5",
       "required relationships form a cycle no insert order can satisfy"},
  };
  for (const BadModel& c : cases) {
    TempDir out;
    RunResult r = RunDbarch(
        {"design", std::string("test/fixtures/design/") + c.file, "--out", out.path().string()});
    EXPECT_EQ(r.exit_code, 3) << c.file << "\n" << Describe(r);
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.file << "\n" << Describe(r);
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.file << "\n" << Describe(r);
  }
  RunResult hint =
      RunDbarch({"design", "test/fixtures/design/unknown_type.yaml", "--out", "/tmp/x"});
  EXPECT_NE(hint.err.find("did you mean \"money\"?"), std::string::npos) << Describe(hint);
}

TEST(CliDesign, UsageErrorsAndCheckOnly) {
  RunResult scale = RunDbarch({"design", "examples/booking/model.yaml", "--out", "/tmp/unused",
                               "--scale", "0"});
  EXPECT_EQ(scale.exit_code, 2) << Describe(scale);
  RunResult no_out = RunDbarch({"design", "examples/booking/model.yaml"});
  EXPECT_EQ(no_out.exit_code, 2) << Describe(no_out);
  // --check prints the DDL without a server; it parses as a schema.
  RunResult check = RunDbarch({"design", "examples/saas/model.yaml", "--out", "/tmp/unused",
                               "--check"});
  ASSERT_EQ(check.exit_code, 0) << Describe(check);
  EXPECT_NE(check.out.find("CREATE TABLE invoice_statuses ("), std::string::npos);
  EXPECT_NE(check.out.find("CREATE UNIQUE INDEX users_tenant_id_email_key ON users (tenant_id, "
                           "email) WHERE deleted_at IS NULL"),
            std::string::npos)
      << check.out;
}

// Measured times and the server's minor version differ between runs and machines.
std::string MaskTimings(std::string doc) {
  doc = std::regex_replace(doc, std::regex(R"([0-9]+\.[0-9]{3} ms)"), "~");
  doc = std::regex_replace(doc, std::regex(R"(PostgreSQL 15\.[0-9]+)"), "PostgreSQL 15");
  return doc;
}

// `partitioned`: the tables the model's sizes partition, whose generated rows must all land in
// monthly partitions.
void RunExample(const std::string& name, const std::vector<std::string>& partitioned) {
  TempDir out;
  RunResult r =
      RunDbarch({"design", "examples/" + name + "/model.yaml", "--out", out.path().string(),
                 "--scale", "0.05", "--runs", "3", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  // The design's indexes leave advise nothing to add on the same data and workload.
  EXPECT_TRUE(j["advise_after"].empty()) << j["advise_after"].dump();
  for (const auto& t : j["tables"]) {
    EXPECT_GT(t["generated_rows"].get<int64_t>(), 0) << t.dump();
  }
  std::vector<std::string> tables;
  for (const auto& p : j["partitions"]) {
    tables.push_back(p["table"].get<std::string>());
    EXPECT_EQ(p["key"], "created_at") << p.dump();
    EXPECT_GE(p["projected_rows"].get<int64_t>(), 10000000) << p.dump();
    EXPECT_EQ(p["monthly_partitions"], 36) << p.dump();
    EXPECT_GT(p["generated_rows"].get<int64_t>(), 0) << p.dump();
    EXPECT_EQ(p["default_rows"], 0) << p.dump();
    EXPECT_EQ(p["partitions_with_rows"], 24) << p.dump();  // two years of generated data
  }
  EXPECT_EQ(tables, partitioned);
  ASSERT_FALSE(j["patterns"].empty());
  for (const auto& p : j["patterns"]) {
    EXPECT_GT(p["median_ms"].get<double>(), 0) << p.dump();
    EXPECT_GE(p["p95_ms"].get<double>(), p["median_ms"].get<double>()) << p.dump();
  }
  for (const char* f :
       {"schema.sql", "queries.sql", "design.md", "er.mmd", "er.svg", "schema.dbml"}) {
    EXPECT_TRUE(std::filesystem::exists(out.path() / f)) << f;
  }
  std::string doc = MaskTimings(ReadFile(out.path() / "design.md"));
  std::filesystem::path golden =
      std::filesystem::path(SourceDir()) / "examples" / name / "design.md";
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << doc;
  }
  EXPECT_EQ(doc, ReadFile(golden)) << "golden " << golden << " (DBARCH_REWRITE_GOLDEN=1 rewrites)";
  // The generated schema reloads offline and the workload file parses.
  RunResult inspect = RunDbarch({"inspect", "--schema", (out.path() / "schema.sql").string()});
  EXPECT_EQ(inspect.exit_code, 0) << Describe(inspect);
}

TEST(CliDesign, BookingExampleVerifiesAndMatchesGolden) { RunExample("booking", {}); }
TEST(CliDesign, SaasExampleVerifiesAndMatchesGolden) {
  RunExample("saas", {"invoices", "invoice_lines"});
}

// A tenant-scoped model whose partitioned table is referenced (notes -> events through
// (tenant_id, event_id, event_created_at)): the whole verification passes, every generated row
// lands in a monthly partition of the horizon, every sample query returns rows, and the DDL
// holds the composite key and the index derived for the pattern on the partitioned table.
TEST(CliDesign, PartitionedReferencedTenantTableVerifies) {
  TempDir out;
  RunResult r = RunDbarch({"design", "test/fixtures/design/valid/partitioned_tenant.yaml", "--out",
                           out.path().string(), "--runs", "2", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["partitions"].size(), 1u) << j["partitions"].dump();
  const nlohmann::json& p = j["partitions"][0];
  EXPECT_EQ(p["table"], "events");
  EXPECT_EQ(p["generated_rows"], 600);
  EXPECT_EQ(p["partitions_with_rows"], 3);
  EXPECT_EQ(p["default_rows"], 0);
  EXPECT_TRUE(j["advise_after"].empty()) << j["advise_after"].dump();
  ASSERT_EQ(j["patterns"].size(), 3u);
  for (const auto& pattern : j["patterns"]) EXPECT_GT(pattern["rows"].get<int64_t>(), 0);
  std::string ddl = ReadFile(out.path() / "schema.sql");
  // The index the design derives for the pattern on the partitioned table (600 rows are too
  // few for the plan to be asserted).
  EXPECT_NE(ddl.find("CREATE INDEX events_tenant_id_project_id_created_at_id_idx ON events "
                     "(tenant_id, project_id, created_at, id)"),
            std::string::npos);
  EXPECT_NE(ddl.find("FOREIGN KEY (tenant_id, event_id, event_created_at) REFERENCES events "
                     "(tenant_id, id, created_at) ON DELETE SET NULL (event_id, event_created_at)"),
            std::string::npos);
}

TEST(CliDiagram, MarketplaceSvgRendersWithoutOverlapsInChromium) {
  const char* chromium = "/usr/bin/chromium-headless-shell";
  ASSERT_TRUE(std::filesystem::exists(chromium)) << "scripts/install-deps.sh installs it";
  RunResult svg =
      RunDbarch({"inspect", "--schema", "examples/marketplace/schema.sql", "--format", "svg"});
  ASSERT_EQ(svg.exit_code, 0) << Describe(svg);
  RunResult names =
      RunDbarch({"inspect", "--schema", "examples/marketplace/schema.sql", "--format", "json"});
  ASSERT_EQ(names.exit_code, 0) << Describe(names);
  TempDir dir;
  std::filesystem::path page = dir.path() / "page.html";
  std::ofstream(page)
      << "<!DOCTYPE html><html><body>\n"
      << svg.out
      << "<pre id=\"result\"></pre><script>\n"
         "const out = [];\n"
         // Graphviz draws a table as <g class="node"> titled with its name; the node's last
         // polygon is the table's border.
         "for (const g of document.querySelectorAll('g.node')) {\n"
         "  const polygons = g.querySelectorAll('polygon');\n"
         "  const b = polygons[polygons.length - 1].getBBox();\n"
         "  let inside = true;\n"
         "  for (const t of g.querySelectorAll('text')) {\n"
         "    const tb = t.getBBox();\n"
         "    if (tb.x < b.x || tb.x + tb.width > b.x + b.width ||\n"
         "        tb.y < b.y || tb.y + tb.height > b.y + b.height) inside = false;\n"
         "  }\n"
         "  out.push({name: g.querySelector('title').textContent, x: b.x, y: b.y,\n"
         "            w: b.width, h: b.height, inside: inside});\n"
         "}\n"
         "document.getElementById('result').textContent =\n"
         "  'RESULT' + JSON.stringify(out) + 'END';\n"
         "</script></body></html>\n";
  std::string cmd = std::string(chromium) +
                    " --headless --no-sandbox --disable-gpu --dump-dom file://" + page.string() +
                    " > " + (dir.path() / "dom.html").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string dom = ReadFile(dir.path() / "dom.html");
  size_t begin = dom.find("RESULT");
  size_t end = dom.find("END", begin);
  ASSERT_TRUE(begin != std::string::npos && end != std::string::npos) << dom.substr(0, 2000);
  nlohmann::json boxes = nlohmann::json::parse(dom.substr(begin + 6, end - begin - 6));

  // Every table of the schema is drawn.
  nlohmann::json model = nlohmann::json::parse(names.out);
  std::set<std::string> drawn;
  for (const auto& b : boxes) drawn.insert(b["name"].get<std::string>());
  size_t tables = 0;
  for (const auto& t : model["tables"]) {
    if (t.contains("partition_of") && !t["partition_of"].is_null()) continue;
    std::string schema = t["schema"].get<std::string>();
    std::string name = t["name"].get<std::string>();
    std::string display = schema == "public" ? name : schema + "." + name;
    EXPECT_TRUE(drawn.count(display)) << display << " is not in the SVG";
    ++tables;
  }
  EXPECT_EQ(boxes.size(), tables);
  EXPECT_GE(tables, 15u);
  // No two boxes overlap, and every text line is inside its box.
  for (size_t i = 0; i < boxes.size(); ++i) {
    const auto& a = boxes[i];
    EXPECT_TRUE(a["inside"].get<bool>()) << a.dump();
    EXPECT_GT(a["w"].get<double>(), 0);
    for (size_t k = i + 1; k < boxes.size(); ++k) {
      const auto& b = boxes[k];
      bool apart = a["x"].get<double>() + a["w"].get<double>() <= b["x"].get<double>() ||
                   b["x"].get<double>() + b["w"].get<double>() <= a["x"].get<double>() ||
                   a["y"].get<double>() + a["h"].get<double>() <= b["y"].get<double>() ||
                   b["y"].get<double>() + b["h"].get<double>() <= a["y"].get<double>();
      EXPECT_TRUE(apart) << a.dump() << " overlaps " << b.dump();
    }
  }
}

// A live server draws the same diagram as the DDL files it was loaded from, and large schemas
// split by schema or by a table glob keep only their tables and the foreign keys among them.
TEST(CliDiagram, LiveServerSvgEqualsTheFilesAndSplitsBySchemaOrTables) {
  const std::string schema = ReadFile(std::filesystem::path(SourceDir()) / "examples" /
                                      "marketplace" / "schema.sql");
  const std::string dsn = sandbox::test_util::CreateDatabaseWith("diagram_marketplace", schema);
  ASSERT_FALSE(dsn.empty());
  const std::vector<std::string> files = {"--schema", "examples/marketplace/schema.sql"};
  const std::vector<std::string> live = {"--dsn", dsn};
  for (const std::vector<std::string>& split :
       {std::vector<std::string>{}, std::vector<std::string>{"--schema-name", "ops"},
        std::vector<std::string>{"--tables", "shop.order*", "--no-columns"}}) {
    std::vector<std::string> from_files = {"inspect", "--format", "svg"};
    from_files.insert(from_files.end(), files.begin(), files.end());
    from_files.insert(from_files.end(), split.begin(), split.end());
    std::vector<std::string> from_server = {"inspect", "--format", "svg"};
    from_server.insert(from_server.end(), live.begin(), live.end());
    from_server.insert(from_server.end(), split.begin(), split.end());
    RunResult a = RunDbarch(from_files);
    RunResult b = RunDbarch(from_server);
    ASSERT_EQ(a.exit_code, 0) << Describe(a);
    ASSERT_EQ(b.exit_code, 0) << Describe(b);
    EXPECT_EQ(a.out, b.out) << (split.empty() ? "whole schema" : split[0]);
    if (split.empty()) continue;
    std::regex title("<g id=\"node[0-9]+\" class=\"node\">\n<title>([^<]*)</title>");
    std::set<std::string> drawn;
    for (auto it = std::sregex_iterator(a.out.begin(), a.out.end(), title);
         it != std::sregex_iterator(); ++it) {
      drawn.insert((*it)[1].str());
    }
    ASSERT_FALSE(drawn.empty()) << a.out;
    for (const std::string& name : drawn) {
      EXPECT_EQ(name.rfind(split[0] == "--schema-name" ? "ops." : "shop.order", 0), 0u) << name;
    }
    if (split[0] == "--tables") {
      EXPECT_EQ(drawn, (std::set<std::string>{"shop.order_items", "shop.orders"}));
      EXPECT_NE(a.out.find("<title>shop.order_items&#45;&gt;shop.orders</title>"),
                std::string::npos);
      EXPECT_EQ(a.out.find("bigint"), std::string::npos) << "--no-columns draws no columns";
    }
  }
}

}  // namespace
}  // namespace dbarch::cli_test
