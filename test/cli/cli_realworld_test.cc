// End-to-end tests on schemas nobody here wrote (../shared/conformance/realworld): Pagila as
// plain pg_dump output and the MusicBrainz server's psql scripts. Each is loaded the way its
// project loads it (psql; the project's installer script), then:
// - `inspect --format sql` of the files reloads into an empty database and pg_dump
//   --schema-only of that database equals pg_dump of the original;
// - `lint` reads every file without an input error or an unknown-object finding;
// - `generate --like` on Pagila loaded with its data reproduces the row counts and the
//   per-column null fractions within 10 %.
// Label "sandbox": these start private PostgreSQL 15 servers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_dbarch.h"
#include "pg/connection.h"
#include "sandbox/sandbox.h"
#include "sandbox/test_util.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;

const std::string kRealWorld = SourceDir() + "/../shared/conformance/realworld";
const std::string kPagila = kRealWorld + "/pagila/pagila-schema.sql";
const std::string kPagilaData = kRealWorld + "/pagila/pagila-data.sql.zst";
const std::string kMusicBrainz = kRealWorld + "/musicbrainz/all.sql";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; returns its standard output, or fails the test with its stderr.
std::string Shell(const std::string& command) {
  fs::path dir = fs::temp_directory_path() / ("dbarch-realworld-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string out = (dir / "out").string();
  std::string err = (dir / "err").string();
  int rc = std::system((command + " >" + ShellQuote(out) + " 2>" + ShellQuote(err)).c_str());
  std::string text = ReadFile(out);
  std::string errors = ReadFile(err);
  fs::remove_all(dir);
  EXPECT_EQ(rc, 0) << command << "\n" << errors.substr(0, 4000);
  return text;
}

// A private server with one database per name asked for.
class Server {
 public:
  static std::unique_ptr<Server> Start() {
    auto sb = sandbox::Sandbox::Start(sandbox::test_util::TestOptions());
    if (!sb.ok()) {
      ADD_FAILURE() << sb.status().ToString();
      return nullptr;
    }
    auto s = std::make_unique<Server>();
    s->sandbox_ = std::move(sb).value();
    return s;
  }
  std::string Database(const std::string& name) {
    Status st = sandbox_->CreateDatabase(name);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return sandbox_->ConnInfo() + " dbname=" + name;
  }

 private:
  std::unique_ptr<sandbox::Sandbox> sandbox_;
};

std::string Psql(const std::string& conninfo, const std::string& file) {
  return Shell("psql -X -q -v ON_ERROR_STOP=1 -d " + ShellQuote(conninfo) + " -f " +
               ShellQuote(file));
}

// pg_dump --schema-only, without the \restrict lines (a random key per run).
std::string SchemaDump(const std::string& conninfo) {
  std::string dump = Shell("pg_dump --schema-only -d " + ShellQuote(conninfo));
  std::string out;
  std::stringstream ss(dump);
  for (std::string line; std::getline(ss, line);) {
    if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

// The first lines where two dumps differ.
std::string FirstDifferences(const std::string& a, const std::string& b) {
  std::vector<std::string> la, lb;
  std::stringstream sa(a), sb(b);
  for (std::string l; std::getline(sa, l);) la.push_back(l);
  for (std::string l; std::getline(sb, l);) lb.push_back(l);
  std::string out;
  int shown = 0;
  for (size_t i = 0; i < std::max(la.size(), lb.size()) && shown < 20; ++i) {
    std::string x = i < la.size() ? la[i] : "<end>";
    std::string y = i < lb.size() ? lb[i] : "<end>";
    if (x == y) continue;
    out += "line " + std::to_string(i + 1) + ":\n  original: " + x + "\n  rendered: " + y + "\n";
    ++shown;
  }
  return out;
}

// `inspect --format sql` of `schema` loaded into an empty database dumps like the original.
void ExpectRenderedSqlReloads(const std::string& schema, const std::string& load_original) {
  if (!fs::exists(schema)) GTEST_SKIP() << schema << " not present (../shared missing)";
  fs::path rendered = fs::temp_directory_path() / ("dbarch-rendered-" + std::to_string(getpid()) + ".sql");
  RunResult r = RunDbarch({"inspect", "--schema", schema, "--format", "sql", "-o", rendered.string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  auto server = Server::Start();
  ASSERT_NE(server, nullptr);
  std::string original = server->Database("original");
  std::string reloaded = server->Database("reloaded");
  if (load_original.empty()) {
    Psql(original, schema);
  } else {
    Shell(load_original + " " + ShellQuote(original));
  }
  Psql(reloaded, rendered.string());
  fs::remove(rendered);
  std::string a = SchemaDump(original);
  std::string b = SchemaDump(reloaded);
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "pg_dump --schema-only differs after reloading `inspect --format sql` of "
                      << schema << ":\n" << FirstDifferences(a, b);
}

TEST(CliRealWorld, PagilaRenderedSqlReloadsToTheSameDump) {
  ExpectRenderedSqlReloads(kPagila, "");
}

TEST(CliRealWorld, MusicBrainzRenderedSqlReloadsToTheSameDump) {
  ExpectRenderedSqlReloads(kMusicBrainz,
                           "bash " + ShellQuote(kRealWorld + "/musicbrainz/load.sh"));
}

// Lint reads both schemas as written: no input error, no finding about an unknown object.
void ExpectLintReadsEverything(const std::string& schema) {
  if (!fs::exists(schema)) GTEST_SKIP() << schema << " not present (../shared missing)";
  RunResult r = RunDbarch({"lint", schema, "--format", "json", "--fail-on", "none"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << Describe(r);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out.substr(0, 500);
  ASSERT_TRUE(j.contains("errors")) << r.out.substr(0, 500);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump(2).substr(0, 2000);
  size_t unknown = 0;
  std::string first;
  for (const auto& f : j["findings"]) {
    if (f.value("rule", "") == "unknown-object") {
      if (unknown++ == 0) first = f.dump();
    }
  }
  EXPECT_EQ(unknown, 0u) << "first: " << first;
}

TEST(CliRealWorld, LintReadsPagilaWithoutInputErrors) { ExpectLintReadsEverything(kPagila); }

TEST(CliRealWorld, LintReadsMusicBrainzWithoutInputErrors) {
  ExpectLintReadsEverything(kMusicBrainz);
}

// generate --like reads a live Pagila (with its data) and fills an empty copy of the schema
// with the same row counts and per-column null fractions (within 10 %).
TEST(CliRealWorld, GenerateLikePagilaReproducesCountsAndNullFractions) {
  if (!fs::exists(kPagila)) GTEST_SKIP() << kPagila << " not present (../shared missing)";
  auto server = Server::Start();
  ASSERT_NE(server, nullptr);
  std::string source = server->Database("pagila");
  std::string copy = server->Database("copy");
  Psql(source, kPagila);
  Shell("zstd -dc " + ShellQuote(kPagilaData) + " | psql -X -q -v ON_ERROR_STOP=1 -d " +
        ShellQuote(source));
  Shell("psql -X -q -d " + ShellQuote(source) + " -c ANALYZE");
  Psql(copy, kPagila);
  RunResult r = RunDbarch({"generate", "--like", source, "--dsn", copy, "--yes", "--seed", "7"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  Shell("psql -X -q -d " + ShellQuote(copy) + " -c ANALYZE");
  // Row counts of every table, and null fractions of every column, from both databases.
  const std::string counts =
      "SELECT format('%I.%I', n.nspname, c.relname), 0 FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1";
  const std::string nulls =
      "SELECT format('%s.%s.%s', schemaname, tablename, attname), null_frac FROM pg_stats "
      "WHERE schemaname = 'public' ORDER BY 1";
  auto rows = [&](const std::string& db, const std::string& sql) {
    std::map<std::string, double> out;
    std::string text = Shell("psql -X -q -At -F '|' -d " + ShellQuote(db) + " -c " + ShellQuote(sql));
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) {
      size_t bar = line.find('|');
      if (bar != std::string::npos) out[line.substr(0, bar)] = std::stod(line.substr(bar + 1));
    }
    return out;
  };
  // Exact counts of every table and partition (materialized views left out: Pagila's is
  // never refreshed).
  std::map<std::string, double> want_tables = rows(source, counts);
  ASSERT_FALSE(want_tables.empty());
  for (const auto& [table, ignored] : want_tables) {
    std::string count = "SELECT count(*) FROM " + table;
    double want = std::stod(Shell("psql -X -q -At -d " + ShellQuote(source) + " -c " + ShellQuote(count)));
    double got = std::stod(Shell("psql -X -q -At -d " + ShellQuote(copy) + " -c " + ShellQuote(count)));
    EXPECT_NEAR(got, want, std::max(1.0, want * 0.10)) << table;
  }
  std::map<std::string, double> want_nulls = rows(source, nulls);
  std::map<std::string, double> got_nulls = rows(copy, nulls);
  ASSERT_FALSE(want_nulls.empty());
  for (const auto& [column, want] : want_nulls) {
    auto it = got_nulls.find(column);
    if (it == got_nulls.end()) {
      ADD_FAILURE() << column << ": no statistics in the generated copy";
      continue;
    }
    EXPECT_NEAR(it->second, want, 0.10) << column;
  }
}

}  // namespace
}  // namespace dbarch::cli_test
