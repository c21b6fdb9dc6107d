#include "workload/log_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "pg/connection.h"
#include "sandbox/sandbox.h"
#include "sandbox/test_util.h"
#include "sql/parser.h"
#include "workload/duration_sketch.h"
#include "workload/log_prefix.h"
#include "workload/log_workload.h"
#include "workload/query_mask.h"
#include "workload/workload.h"

namespace dbarch::workload {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  return std::string(DBARCH_SOURCE_DIR) + "/test/fixtures/logs/" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("log_reader_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  fs::path dir_;
};

const LogGroup* FindGroupBySample(const LogReport& r, std::string_view text) {
  for (const LogGroup& g : r.groups) {
    for (const auto& s : g.samples) {
      if (s.text == text) return &g;
    }
  }
  return nullptr;
}

const LogGroup* FindGroup(const LogReport& r, std::string_view query_prefix) {
  for (const LogGroup& g : r.groups) {
    if (g.normalized.rfind(query_prefix, 0) == 0) return &g;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// log_line_prefix

TEST(LinePrefix, MatchesSessionLinesAndStopsAtQForOtherProcesses) {
  auto p = LinePrefix::Compile("%m [%p] %q%u@%d ");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  PrefixFields f;
  ASSERT_TRUE(p->Match("2026-03-01 10:00:01.100 UTC [201] app@shop LOG:  duration: 1 ms", &f));
  EXPECT_EQ(f.timestamp, "2026-03-01 10:00:01.100 UTC");
  EXPECT_EQ(f.pid, "201");
  EXPECT_EQ(f.user, "app");
  EXPECT_EQ(f.database, "shop");
  EXPECT_EQ(f.severity, "LOG");
  EXPECT_EQ(f.message, "duration: 1 ms");
  ASSERT_TRUE(p->Match("2026-03-01 10:00:00.000 UTC [100] LOG:  checkpoint starting: time", &f));
  EXPECT_EQ(f.pid, "100");
  EXPECT_EQ(f.user, "");
  EXPECT_EQ(f.message, "checkpoint starting: time");
  EXPECT_FALSE(p->Match("this line is not a log line", &f));
  EXPECT_FALSE(p->Match("2026-03-01 10:00:00.000 UTC [100] LOG: one blank", &f));
}

TEST(LinePrefix, EveryEscapeAndLiteralText) {
  auto p = LinePrefix::Compile("%t|%n|%c|%l|%s|%v|%x|%e|%b|%i|%r|%h|%a|%% %u=%d;");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  PrefixFields f;
  ASSERT_TRUE(p->Match(
      "2026-03-01 10:00:01 CET|1772359201.100|65f1a2b3.c9|17|2026-03-01 09:00:00 CET|3/17|734|"
      "42P01|client backend|SELECT|10.0.0.1(5432)|10.0.0.1|my app|% app=shop;ERROR:  x",
      &f));
  EXPECT_EQ(f.timestamp, "2026-03-01 10:00:01 CET");
  EXPECT_EQ(f.host, "10.0.0.1");
  EXPECT_EQ(f.application, "my app");
  EXPECT_EQ(f.user, "app");
  EXPECT_EQ(f.database, "shop");
  EXPECT_EQ(f.severity, "ERROR");
  EXPECT_EQ(f.message, "x");
}

TEST(LinePrefix, BadPrefixesAreErrors) {
  EXPECT_EQ(LinePrefix::Compile("%m %k ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LinePrefix::Compile("%m %10u ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LinePrefix::Compile("%m %u%d ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LinePrefix::Compile("%m %").status().code(), StatusCode::kInvalidArgument);
}

TEST(LinePrefix, DetectsCommonAndUnlistedPrefixes) {
  std::vector<std::string_view> q = {
      "2026-03-01 10:00:00.000 UTC [100] LOG:  database system is ready",
      "2026-03-01 10:00:01.000 UTC [201] app@shop LOG:  duration: 1.0 ms  statement: SELECT 1",
      "\tFROM t"};
  auto dq = LinePrefix::Detect(q);
  ASSERT_TRUE(dq.ok()) << dq.status().ToString();
  PrefixFields f;
  ASSERT_TRUE(dq->Match(q[1], &f));
  EXPECT_EQ(f.database, "shop");

  std::vector<std::string_view> x = {
      "2026-03-01 10:00:00 UTC [100-1] 0 user=,db=,app= LOG:  database system is ready",
      "2026-03-01 10:00:01 UTC [201-2] 734 user=app,db=shop,app=psql LOG:  statement: SELECT 1"};
  auto dx = LinePrefix::Detect(x);
  ASSERT_TRUE(dx.ok()) << dx.status().ToString();
  ASSERT_TRUE(dx->Match(x[1], &f));
  EXPECT_EQ(f.pid, "201");
  EXPECT_EQ(f.user, "app");
  EXPECT_EQ(f.database, "shop");
  EXPECT_EQ(f.application, "psql");
  EXPECT_EQ(f.message, "statement: SELECT 1");

  std::vector<std::string_view> junk = {"hello", "world"};
  auto none = LinePrefix::Detect(junk);
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("--prefix"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// masks, constants, parameters, quantiles

std::string Mask(std::string_view sql) {
  std::string out;
  MaskQuery(sql, &out);
  return out;
}

TEST(MaskQuery, MasksConstantsKeepsIdentifiersAndUtilityText) {
  EXPECT_EQ(Mask("SELECT * FROM t WHERE a = 42 AND b = 'x''y' AND c = $3 -- note\n"),
            "SELECT * FROM t WHERE a = ? AND b = ? AND c = ?");
  EXPECT_EQ(Mask("select \"Col 1\", col2, e'a\\'b', 1.5e3, $$x$$ from \"T\""),
            "select \"Col 1\", col2, ?, ?, ? from \"T\"");
  EXPECT_EQ(Mask("SELECT a  /* c */\n\tFROM t"), "SELECT a FROM t");
  EXPECT_EQ(Mask("  WITH x AS (SELECT 1) SELECT * FROM x"), "WITH x AS (SELECT ?) SELECT * FROM x");
  // Utility statements keep their literals: some are not constants for the fingerprint.
  EXPECT_EQ(Mask("COPY t FROM '/a'"), "COPY t FROM '/a'");
  EXPECT_EQ(Mask("SET search_path = 'x'"), "SET search_path = 'x'");
  // An unterminated quote keeps the rest verbatim (never equal to a complete mask).
  EXPECT_NE(Mask("SELECT 'abc"), Mask("SELECT 'abd"));
}

TEST(MaskQuery, SameMaskMeansSameFingerprint) {
  const char* pairs[][2] = {
      {"SELECT * FROM t WHERE a = 1", "select * from t where a = 2"},
      {"SELECT * FROM t WHERE a IN (1, 2, 3)", "SELECT * FROM t WHERE a IN (4)"},
      {"SELECT * FROM t WHERE a = $1", "SELECT * FROM t WHERE a = 7"},
      {"SELECT * FROM t WHERE a = -5", "SELECT * FROM t WHERE a = 5"},
  };
  for (auto& p : pairs) {
    auto a = sql::Fingerprint(p[0]);
    auto b = sql::Fingerprint(p[1]);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b) << p[0] << " vs " << p[1];
  }
  // Different structure, different masks.
  EXPECT_NE(Mask("SELECT * FROM t ORDER BY 1, 2"), Mask("SELECT * FROM t ORDER BY 1"));
}

TEST(ExtractConstants, RecoversTheValuesNormalizationReplaced) {
  std::string original =
      "SELECT * FROM t WHERE a = -5 AND b = 'it''s' AND c = E'x\\ny' AND d = interval '1 day' "
      "AND e IS NOT DISTINCT FROM NULL AND f = $1 AND g = 2.5";
  auto normalized = sql::NormalizeQuery(original);
  ASSERT_TRUE(normalized.ok()) << normalized.status().ToString();
  auto values = ExtractConstants(original, *normalized);
  ASSERT_TRUE(values.has_value()) << *normalized;
  ASSERT_EQ(values->size(), 7u) << *normalized;
  EXPECT_FALSE((*values)[0].replaced);  // $1 was a parameter already
  EXPECT_EQ((*values)[1].text, "-5");
  EXPECT_EQ((*values)[2].text, "it's");
  EXPECT_EQ((*values)[3].text, "x\ny");
  EXPECT_EQ((*values)[4].text, "1 day");
  EXPECT_TRUE((*values)[5].is_null);
  EXPECT_EQ((*values)[6].text, "2.5");
  EXPECT_FALSE(ExtractConstants("SELECT 1", "SELECT 2").has_value());
}

TEST(ParseLoggedParameters, QuotesNullsAndBadText) {
  auto v = ParseLoggedParameters("$1 = '17', $2 = 'it''s, new', $3 = NULL");
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0], "17");
  EXPECT_EQ((*v)[1], "it's, new");
  EXPECT_FALSE((*v)[2].has_value());
  EXPECT_FALSE(ParseLoggedParameters("$1 = 'unterminated").has_value());
  EXPECT_FALSE(ParseLoggedParameters("something else").has_value());
}

TEST(DurationSketch, QuantilesWithinOnePercent) {
  DurationSketch s;
  for (int i = 1; i <= 10000; ++i) s.Add(i * 0.1);  // 0.1 .. 1000 ms
  EXPECT_EQ(s.count(), 10000);
  EXPECT_NEAR(s.Quantile(0.5), 500, 5);
  EXPECT_NEAR(s.Quantile(0.95), 950, 9.5);
  EXPECT_NEAR(s.Quantile(0.99), 990, 9.9);
  EXPECT_DOUBLE_EQ(s.Quantile(1), 1000);
  EXPECT_DOUBLE_EQ(s.min_ms(), 0.1);
  DurationSketch a, b;
  for (int i = 1; i <= 5000; ++i) a.Add(i * 0.1);
  for (int i = 5001; i <= 10000; ++i) b.Add(i * 0.1);
  a.Merge(b);
  EXPECT_DOUBLE_EQ(a.Quantile(0.5), s.Quantile(0.5));
  EXPECT_EQ(DurationSketch().Quantile(0.5), 0);
}

TEST(SecondsBetween, TimestampsAsLogged) {
  EXPECT_NEAR(*SecondsBetween("2026-02-28 23:59:59.500 UTC", "2026-03-01 00:00:01 UTC"), 1.5, 1e-9);
  EXPECT_FALSE(SecondsBetween("yesterday", "today").has_value());
}

// ---------------------------------------------------------------------------------------
// the crafted logs (test/fixtures/logs/, written by make_fixtures.py)

// What every format of the crafted log must give.
void ExpectCraftedLog(const LogReport& r, const std::string& file, bool has_application) {
  SCOPED_TRACE(file);
  const LogSummary& s = r.summary;
  EXPECT_EQ(s.statements, 9);
  EXPECT_EQ(s.timed_statements, 9);
  EXPECT_DOUBLE_EQ(s.total_ms, 142.5);
  EXPECT_EQ(s.parse_bind, 2);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.errors_with_statement, 1);
  EXPECT_EQ(s.connections, 1);
  EXPECT_EQ(s.disconnections, 1);
  EXPECT_EQ(s.checkpoints, 1);
  EXPECT_EQ(s.lock_waits, 1);
  EXPECT_EQ(s.temp_files, 1);
  EXPECT_EQ(s.temp_bytes, 8192);
  EXPECT_NEAR(s.covered_seconds, 2.5, 1.0);  // the %t prefix has whole seconds
  ASSERT_EQ(r.groups.size(), 7u);
  // Sorted by total time: the statement whose bare "duration:" came after it.
  EXPECT_EQ(r.groups[0].normalized,
            "SELECT count(*) FROM orders WHERE created_at > now() - interval $1");
  EXPECT_DOUBLE_EQ(r.groups[0].total_ms, 120);

  // A multi-line statement (tab continuation lines) groups with its one-line form.
  const LogGroup* by_id = FindGroupBySample(r, "SELECT * FROM orders WHERE id = 42");
  ASSERT_NE(by_id, nullptr);
  EXPECT_EQ(by_id->calls, 2);
  EXPECT_DOUBLE_EQ(by_id->total_ms, 4.0);
  bool multi_line_sample = false;
  for (const auto& smp : by_id->samples) {
    multi_line_sample |= smp.text == "SELECT *\n  FROM orders\n  WHERE id = 7 -- one order";
  }
  EXPECT_TRUE(multi_line_sample);

  // Prepared statements: executes counted, parameters kept as real sample values.
  const LogGroup* prepared = FindGroup(r, "SELECT total FROM orders");
  ASSERT_NE(prepared, nullptr);
  EXPECT_EQ(prepared->calls, 2);
  EXPECT_DOUBLE_EQ(prepared->total_ms, 7.0);
  EXPECT_DOUBLE_EQ(prepared->durations.max_ms(), 4.0);
  ASSERT_EQ(prepared->samples.size(), 2u);
  std::vector<std::vector<std::optional<std::string>>> params;
  for (const auto& smp : prepared->samples) params.push_back(smp.params);
  std::sort(params.begin(), params.end());
  EXPECT_EQ(params[0], (std::vector<std::optional<std::string>>{"17", "it's new"}));
  EXPECT_EQ(params[1], (std::vector<std::optional<std::string>>{"99", std::nullopt}));

  // IN-lists of different lengths are one group; the lock wait belongs to it.
  const LogGroup* update = FindGroup(r, "UPDATE orders SET status");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->calls, 2);
  EXPECT_EQ(update->lock_waits, 1);

  // Non-ASCII literals are constants like any other.
  const LogGroup* names = FindGroup(r, "SELECT name FROM customers WHERE name = $1");
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(names->samples.size(), 1u);
  EXPECT_EQ(names->samples[0].text,
            "SELECT name FROM customers WHERE name = 'Zo\u00eb \u00c5ngstr\u00f6m'");

  // The ERROR with its STATEMENT: an error of its group, not a call.
  const LogGroup* failed = FindGroup(r, "SELECT * FROM no_such_table");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->calls, 0);
  EXPECT_EQ(failed->errors, 1);
  EXPECT_EQ(failed->first_error, "relation \"no_such_table\" does not exist at character 15");

  const LogGroup* sorted = FindGroup(r, "SELECT * FROM orders ORDER BY total");
  ASSERT_NE(sorted, nullptr);
  EXPECT_EQ(sorted->temp_files, 1);

  // One minute of activity; every timed statement in the duration histogram.
  ASSERT_EQ(s.per_minute.size(), 1u);
  EXPECT_EQ(s.per_minute[0].minute, "2026-03-01 10:00");
  EXPECT_EQ(s.per_minute[0].statements, 9);
  EXPECT_EQ(s.per_minute[0].errors, 1);
  EXPECT_EQ(s.per_minute[0].lock_waits, 1);
  EXPECT_EQ(s.per_minute[0].temp_files, 1);
  EXPECT_EQ(s.per_minute[0].connections, 1);
  EXPECT_EQ(s.per_minute[0].checkpoints, 1);
  int64_t histogram = 0;
  for (int64_t n : s.duration_histogram) histogram += n;
  EXPECT_EQ(histogram, 9);

  // Interleaved sessions: each statement keeps its own user and application.
  ASSERT_EQ(s.by_user.size(), 2u);
  EXPECT_EQ(s.by_user[0].name, "report");
  EXPECT_EQ(s.by_user[0].calls, 1);
  EXPECT_EQ(s.by_user[1].name, "app");
  EXPECT_EQ(s.by_user[1].calls, 8);
  if (has_application) {
    ASSERT_EQ(prepared->by_application.size(), 2u);
    EXPECT_EQ(prepared->by_application[0].name, "pgbench");
    EXPECT_EQ(prepared->by_application[1].name, "psql");
  }
}

TEST(ReadLogs, StderrWithQPrefixDetected) {
  auto r = ReadLogs({Fixture("q_prefix.log")}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectCraftedLog(*r, "q_prefix.log", false);
  ASSERT_EQ(r->summary.malformed_lines, 2);
  EXPECT_EQ(r->summary.malformed[0].line, 8u);
  EXPECT_NE(r->summary.malformed[0].reason.find("does not match log_line_prefix"),
            std::string::npos);
  EXPECT_EQ(r->summary.malformed[1].line, 30u);
  EXPECT_NE(r->summary.malformed[1].reason.find("truncated last line"), std::string::npos);
  EXPECT_EQ(r->summary.malformed[1].file, Fixture("q_prefix.log"));
}

TEST(ReadLogs, StderrWithXPrefixWithoutQGivenOrDetected) {
  LogReadOptions given;
  given.prefix = "%t [%p-%l] %x user=%u,db=%d,app=%a ";
  auto r = ReadLogs({Fixture("x_prefix.log")}, given);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectCraftedLog(*r, "x_prefix.log given", true);
  EXPECT_EQ(r->summary.malformed_lines, 2);
  auto detected = ReadLogs({Fixture("x_prefix.log")}, {});
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  ExpectCraftedLog(*detected, "x_prefix.log detected", true);
}

TEST(ReadLogs, OneDatabaseOnly) {
  LogReadOptions options;
  options.database = "shop";
  auto shop = ReadLogs({Fixture("q_prefix.csv")}, options);
  ASSERT_TRUE(shop.ok());
  EXPECT_EQ(shop->summary.statements, 9);
  EXPECT_EQ(shop->summary.other_database_entries, 2);  // the two server process entries
  options.database = "other";
  auto other = ReadLogs({Fixture("q_prefix.csv")}, options);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->summary.statements, 0);
  EXPECT_TRUE(other->groups.empty());
}

TEST(ReadLogs, CsvlogAndJsonlog) {
  auto csv = ReadLogs({Fixture("q_prefix.csv")}, {});
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  ExpectCraftedLog(*csv, "q_prefix.csv", true);
  ASSERT_EQ(csv->summary.malformed_lines, 1);
  EXPECT_NE(csv->summary.malformed[0].reason.find("truncated last line"), std::string::npos);
  EXPECT_EQ(csv->summary.malformed[0].line, 22u);  // the multi-line row spans lines 4-6

  auto json = ReadLogs({Fixture("q_prefix.json")}, {});
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  ExpectCraftedLog(*json, "q_prefix.json", true);
  ASSERT_EQ(json->summary.malformed_lines, 1);
  EXPECT_EQ(json->summary.malformed[0].line, 20u);
}

TEST_F(TempFiles, GzipZstdAndSeveralFiles) {
  std::string text = ReadAll(Fixture("q_prefix.log"));
  std::string gz_path = (dir_ / "a.log.gz").string();
  {
    gzFile gz = gzopen(gz_path.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    // Two members, as `cat a.gz b.gz` of a rotated log gives.
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size() / 2));
    gzclose(gz);
    gz = gzopen(gz_path.c_str(), "ab");
    gzwrite(gz, text.data() + text.size() / 2,
            static_cast<unsigned>(text.size() - text.size() / 2));
    gzclose(gz);
  }
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  std::string zst_path = Write("b.log.zst", z);

  auto plain = ReadLogs({Fixture("q_prefix.log")}, {});
  auto gz = ReadLogs({gz_path}, {});
  auto zst = ReadLogs({zst_path}, {});
  ASSERT_TRUE(plain.ok() && gz.ok() && zst.ok())
      << gz.status().ToString() << zst.status().ToString();
  ExpectCraftedLog(*gz, "gzip", false);
  ExpectCraftedLog(*zst, "zstd", false);
  EXPECT_EQ(gz->summary.bytes, plain->summary.bytes);

  auto both = ReadLogs({gz_path, Fixture("q_prefix.json")}, {});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->summary.statements, 18);
  EXPECT_EQ(both->summary.malformed_lines, 3);
  EXPECT_EQ(both->summary.malformed.back().file, Fixture("q_prefix.json"));

  // Corrupt compressed data is an error naming the file; a missing file too.
  std::string bad = text;
  std::string bad_gz = Write("bad.log.gz", std::string("\x1f\x8b\x08\x00garbage", 12));
  auto corrupt = ReadLogs({bad_gz}, {});
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(corrupt.status().message().find("bad.log.gz"), std::string::npos);
  auto missing = ReadLogs({(dir_ / "nope.log").string()}, {});
  EXPECT_EQ(missing.status().code(), StatusCode::kIO);
}

// Many blocks: the result does not depend on the number of threads or the block cuts.
TEST_F(TempFiles, SameResultOnOneOrSeveralThreads) {
  std::string text;
  for (int i = 0; i < 60000; ++i) {
    int pid = 300 + i % 7;
    char line[512];
    std::snprintf(line, sizeof line,
                  "2026-03-01 10:%02d:%02d.%03d UTC [%d] app@shop LOG:  duration: %d.%03d ms  "
                  "execute P_%d: SELECT v\n\tFROM t%d\n\tWHERE k = $1\n"
                  "2026-03-01 10:%02d:%02d.%03d UTC [%d] app@shop DETAIL:  parameters: $1 = '%d'\n",
                  i / 60000, (i / 1000) % 60, i % 1000, pid, i % 13, i % 1000, i % 5, i % 5,
                  i / 60000, (i / 1000) % 60, i % 1000, pid, i);
    text += line;
  }
  std::string path = Write("big.log", text);
  ASSERT_GT(text.size(), size_t{8} << 20);
  LogReadOptions one;
  one.threads = 1;
  LogReadOptions three;
  three.threads = 3;
  auto a = ReadLogs({path}, one);
  auto b = ReadLogs({path}, three);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->summary.statements, 60000);
  EXPECT_EQ(a->summary.malformed_lines, 0);
  ASSERT_EQ(a->groups.size(), 5u);
  ASSERT_EQ(b->groups.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(a->groups[i].fingerprint, b->groups[i].fingerprint);
    EXPECT_EQ(a->groups[i].calls, 12000);
    EXPECT_EQ(b->groups[i].calls, 12000);
    EXPECT_NEAR(a->groups[i].total_ms, b->groups[i].total_ms, 1e-6);
    EXPECT_EQ(a->groups[i].durations.Quantile(0.95), b->groups[i].durations.Quantile(0.95));
    ASSERT_EQ(a->groups[i].samples.size(), b->groups[i].samples.size());
    for (size_t k = 0; k < a->groups[i].samples.size(); ++k) {
      EXPECT_EQ(a->groups[i].samples[k].params, b->groups[i].samples[k].params);
    }
  }
}

// ---------------------------------------------------------------------------------------
// the emitted workload reads back

TEST_F(TempFiles, EmittedWorkloadLoadsBack) {
  auto r = ReadLogs({Fixture("q_prefix.log")}, {});
  ASSERT_TRUE(r.ok());
  LogWorkload w = WorkloadFromLog(*r, {});
  // The seven groups minus the failed statement (never executed).
  ASSERT_EQ(w.workload.queries.size(), 6u);
  std::string path = Write("w.sql", FormatWorkloadFile(w.workload, "from a log\nsecond line"));
  auto loaded = LoadWorkload({path});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString() << "\n" << ReadAll(path);
  ASSERT_EQ(loaded->queries.size(), w.workload.queries.size());
  for (size_t i = 0; i < loaded->queries.size(); ++i) {
    const Query& got = loaded->queries[i];
    const Query& want = w.workload.queries[i];
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.weight, want.weight);
    EXPECT_EQ(got.params, want.params) << got.name;
  }
  // The typed literal became a cast the server plans; the prepared statement got its values.
  EXPECT_EQ(loaded->queries[0].sql,
            "SELECT count(*) FROM orders WHERE created_at > now() - $1::interval");
  EXPECT_EQ(loaded->queries[0].params, (std::vector<std::optional<std::string>>{"10 minutes"}));
  bool prepared = false;
  for (const Query& q : loaded->queries) {
    if (q.sql.rfind("SELECT total FROM orders", 0) == 0) {
      prepared = true;
      EXPECT_EQ(q.weight, 2);
      ASSERT_EQ(q.params.size(), 2u);
    }
  }
  EXPECT_TRUE(prepared);
}

TEST_F(TempFiles, EmittedWorkloadSkipsWhatIsNotAQueryOnATable) {
  std::string log =
      "2026-03-01 10:00:01.000 UTC [1] a@b LOG:  duration: 300.0 ms  statement: SELECT "
      "pg_sleep(0.3)\n"
      "2026-03-01 10:00:01.100 UTC [1] a@b LOG:  duration: 200.0 ms  statement: SELECT relname "
      "FROM pg_class WHERE oid = 1259\n"
      "2026-03-01 10:00:01.200 UTC [1] a@b LOG:  duration: 100.0 ms  statement: VACUUM t\n"
      "2026-03-01 10:00:01.300 UTC [1] a@b LOG:  duration: 1.0 ms  statement: SELECT v FROM t "
      "WHERE k = 1\n"
      "2026-03-01 10:00:01.400 UTC [1] a@b LOG:  duration: 0.5 ms  statement: SELECT v FROM t "
      "WHERE k BETWEEN 5 AND 3000000000 + 2.5 AND f = true AND s = 'x'\n";
  auto r = ReadLogs({Write("skips.log", log)}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LogWorkload w = WorkloadFromLog(*r, {});
  ASSERT_EQ(w.workload.queries.size(), 2u);
  EXPECT_EQ(w.workload.queries[1].sql,
            "SELECT v FROM t WHERE k BETWEEN $1::integer AND $2::bigint + $3::numeric AND f = "
            "$4::boolean AND s = $5");
  EXPECT_EQ(w.workload.queries[1].params,
            (std::vector<std::optional<std::string>>{"5", "3000000000", "2.5", "true", "x"}));
  // The numeric literal keeps its type as a cast: the parameter is bound as text.
  EXPECT_EQ(w.workload.queries[0].sql, "SELECT v FROM t WHERE k = $1::integer");
  ASSERT_EQ(w.skipped.size(), 3u);
  EXPECT_EQ(w.skipped[0].second, "reads no table");
  EXPECT_NE(w.skipped[1].second.find("reads system catalog"), std::string::npos);
  EXPECT_EQ(w.skipped[2].second, "utility statement (VACUUM)");
}

// ---------------------------------------------------------------------------------------
// real PostgreSQL 15: the server's own three log formats give the same groups

TEST(ReadLogs, PerMinuteBucketsAndDurationHistogram) {
  LogReadOptions one;
  one.threads = 1;
  auto r = ReadLogs({Fixture("minutes.log")}, one);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const LogSummary& s = r->summary;
  std::vector<std::string> minutes;
  std::vector<int64_t> statements;
  for (const TimeBucket& b : s.per_minute) {
    minutes.push_back(b.minute);
    statements.push_back(b.statements);
  }
  // 10:02 had no entry: only minutes with entries are listed.
  EXPECT_EQ(minutes, (std::vector<std::string>{"2026-03-01 10:00", "2026-03-01 10:01",
                                               "2026-03-01 10:03", "2026-03-01 10:04"}));
  EXPECT_EQ(statements, (std::vector<int64_t>{3, 2, 2, 1}));
  EXPECT_EQ(s.per_minute[1].temp_files, 1);
  EXPECT_EQ(s.per_minute[1].temp_bytes, 1048576);
  EXPECT_EQ(s.per_minute[1].autovacuums, 1);
  EXPECT_DOUBLE_EQ(s.per_minute[1].total_ms, 27);
  EXPECT_EQ(s.per_minute[2].errors, 1);
  EXPECT_EQ(s.per_minute[2].checkpoints, 1);
  EXPECT_EQ(s.per_minute[3].disconnections, 1);
  // 0.05 and 0.09 ms | 0.25 | 0.8 | 2 | - | 25 | - | - | 450 | - | 12 s
  EXPECT_EQ(s.duration_histogram, (std::vector<int64_t>{2, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1}));

  // The same figures whatever the number of threads.
  LogReadOptions four;
  four.threads = 4;
  auto again = ReadLogs({Fixture("minutes.log"), Fixture("minutes.log")}, four);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->summary.per_minute.size(), 4u);
  EXPECT_EQ(again->summary.per_minute[0].statements, 6);
  EXPECT_EQ(again->summary.duration_histogram[0], 4);
}

TEST(ReadLogs, RealServerLogsInThreeFormatsAgree) {
  sandbox::SandboxOptions options = sandbox::test_util::TestOptions();
  options.settings = {{"logging_collector", "on"},
                      {"log_destination", "stderr,csvlog,jsonlog"},
                      {"log_directory", "log"},
                      {"log_filename", "server.log"},
                      {"log_min_duration_statement", "0"},
                      {"log_line_prefix", "%m [%p] %q%u@%d %a "},
                      {"lc_messages", "C"}};
  auto box = sandbox::Sandbox::Start(options);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  pg::ConnectOptions connect;
  connect.conninfo = (*box)->ConnInfo() + " application_name=logtest";
  connect.read_only = false;
  auto conn = pg::Connection::Open(connect);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(conn->ExecScript("CREATE TABLE lt (id int, name text)").ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(conn->Exec("INSERT INTO lt VALUES (" + std::to_string(i) + ", 'Zo\u00eb')").ok());
    ASSERT_TRUE(conn->ExecParams("SELECT name\nFROM lt\nWHERE id = $1", {std::to_string(i)}).ok());
  }
  EXPECT_FALSE(conn->Exec("SELECT * FROM lt_missing WHERE id = 1").ok());
  ASSERT_TRUE(conn->Exec("SELECT 'end of the test'").ok());

  std::string dir = (*box)->data_dir() + "/log/";
  // The logging collector writes asynchronously: wait for the last statement.
  for (int i = 0; i < 100; ++i) {
    if (ReadAll(dir + "server.json").find("end of the test") != std::string::npos &&
        ReadAll(dir + "server.csv").find("end of the test") != std::string::npos &&
        ReadAll(dir + "server.log").find("end of the test") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<LogReport> reports;
  for (const char* name : {"server.log", "server.csv", "server.json"}) {
    auto r = ReadLogs({dir + name}, {});
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->summary.malformed_lines, 0) << name;
    const LogGroup* insert = FindGroup(*r, "INSERT INTO lt VALUES");
    ASSERT_NE(insert, nullptr) << name;
    EXPECT_EQ(insert->calls, 3) << name;
    EXPECT_EQ(insert->normalized, "INSERT INTO lt VALUES ($1, $2)");
    const LogGroup* select = FindGroup(*r, "SELECT name\nFROM lt");
    ASSERT_NE(select, nullptr) << name;
    EXPECT_EQ(select->calls, 3) << name;
    ASSERT_FALSE(select->samples.empty());
    ASSERT_EQ(select->samples[0].params.size(), 1u) << name;
    ASSERT_EQ(select->by_application.size(), 1u);
    EXPECT_EQ(select->by_application[0].name, "logtest") << name;
    const LogGroup* missing = FindGroup(*r, "SELECT * FROM lt_missing");
    ASSERT_NE(missing, nullptr) << name;
    EXPECT_EQ(missing->errors, 1) << name;
    reports.push_back(std::move(r).value());
  }
  for (size_t i = 1; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].summary.statements, reports[0].summary.statements);
    ASSERT_EQ(reports[i].groups.size(), reports[0].groups.size());
    for (size_t k = 0; k < reports[0].groups.size(); ++k) {
      EXPECT_EQ(reports[i].groups[k].fingerprint, reports[0].groups[k].fingerprint);
      EXPECT_EQ(reports[i].groups[k].calls, reports[0].groups[k].calls);
      EXPECT_DOUBLE_EQ(reports[i].groups[k].total_ms, reports[0].groups[k].total_ms);
    }
  }
}

}  // namespace
}  // namespace dbarch::workload
