#include "security/secure_sql.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "base/source_span.h"
#include "catalog/builder.h"
#include "sql/parser.h"

namespace dbarch::security {
namespace {

std::string SourceDir() {
  const char* env = std::getenv("DBARCH_SOURCE_DIR");
  return env != nullptr ? env : DBARCH_SOURCE_DIR;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Rewriting() {
  const char* v = std::getenv("DBARCH_REWRITE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

// The marketplace example's artifacts, with the spec named by its path in the repository so
// the golden files do not depend on where the tree is checked out.
const SecureArtifacts& Marketplace() {
  static const SecureArtifacts artifacts = [] {
    auto catalog =
        catalog::BuildCatalogFromPaths({SourceDir() + "/examples/marketplace/schema.sql"});
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    std::string path = "examples/marketplace/access.yaml";
    auto spec = ParseAccessSpec(path, ReadFile(SourceDir() + "/" + path), *catalog);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? GenerateSecure(*spec, *catalog) : SecureArtifacts{};
  }();
  return artifacts;
}

void ExpectGolden(const std::string& name, const std::string& text) {
  std::string path = SourceDir() + "/test/golden/secure/" + name;
  if (Rewriting()) {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  EXPECT_EQ(text, ReadFile(path)) << "golden " << path
                                  << " differs; DBARCH_REWRITE_GOLDEN=1 rewrites it";
}

TEST(SecureSql, MarketplaceGoldens) {
  ExpectGolden("marketplace.sql", Marketplace().sql);
  ExpectGolden("marketplace.pg_hba.conf", Marketplace().pg_hba);
  ExpectGolden("marketplace.postgresql.conf", Marketplace().postgresql_conf);
}

TEST(SecureSql, ParsesWithThePostgresGrammar) {
  SourceFile file("marketplace.sql", Marketplace().sql);
  auto tree = sql::ParseTree::Parse(file);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_GT(tree->statements().size(), 250u);
}

TEST(SecureSql, QuotesEveryIdentifier) {
  // After the keywords that name an object or a role, the next token is a quoted name.
  std::regex bare(
      R"((ON|TO|FROM|TABLE|SCHEMA|VIEW|ROLE|SEQUENCE|TYPE|DOMAIN|OWNER TO|AUTHORIZATION|POLICY|GRANT) +[a-z_])");
  std::istringstream lines(Marketplace().sql);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("--", 0) == 0 || line.find("$dbarch$") != std::string::npos) continue;
    std::string masked = std::regex_replace(line, std::regex(R"('[^']*')"), "''");
    // Keywords that are followed by keywords, not names.
    masked = std::regex_replace(
        masked, std::regex(R"(ON (ALL|SCHEMA|SEQUENCE|TABLES|SEQUENCES|FUNCTIONS)\b)"), "ON \"x\"");
    masked =
        std::regex_replace(masked, std::regex(R"(IN SCHEMA|FOR ROLE|FOR ALL TO|ROLE SET)"), "");
    masked = std::regex_replace(masked, std::regex(R"((FROM|TO) PUBLIC)"), "");
    masked = std::regex_replace(masked, std::regex(R"(SCHEMA IF NOT EXISTS)"), "SCHEMA");
    masked = std::regex_replace(
        masked, std::regex(R"(ROW LEVEL SECURITY|TABLES TO|FUNCTIONS TO|SEQUENCES TO)"), "");
    masked = std::regex_replace(
        masked,
        std::regex(
            R"(SELECT, INSERT|SELECT \(|GRANT (SELECT|INSERT|UPDATE|DELETE|USAGE|EXECUTE|CONNECT))"),
        "");
    EXPECT_FALSE(std::regex_search(masked, bare)) << line;
    ++checked;
  }
  EXPECT_GT(checked, 250);
}

TEST(SecureSql, MasksAreTypedExpressions) {
  EXPECT_EQ(MaskExpressionSql(MaskMethod::kNull, "\"ip\"", "inet"), "NULL::inet");
  EXPECT_EQ(MaskExpressionSql(MaskMethod::kYear, "\"d\"", "date"),
            "date_trunc('year', \"d\")::date");
  EXPECT_EQ(MaskExpressionSql(MaskMethod::kEmail, "\"e\"", "text"),
            "regexp_replace(\"e\"::text, '^(.)[^@]*(@.*)?$', '\\1***\\2')");
}

}  // namespace
}  // namespace dbarch::security
