// `dbarch workload` end to end: the crafted logs of test/fixtures/logs/ in each format give
// the golden text and JSON reports, standard input reads like a file, --emit-workload writes
// a workload file, and bad input ends with the documented exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_dbarch.h"

namespace dbarch::cli_test {
namespace {

namespace fs = std::filesystem;

void ExpectGolden(const RunResult& r, const std::string& name) {
  fs::path golden = fs::path(SourceDir()) / "test/cli/expected" / name;
  if (RewritingGoldens()) {
    std::ofstream(golden, std::ios::binary) << r.out;
    GTEST_SKIP() << "rewrote " << golden << " (review the diff)";
  }
  std::string expected = ReadFile(golden);
  ASSERT_FALSE(expected.empty()) << golden << " missing; run with DBARCH_REWRITE_GOLDEN=1";
  EXPECT_TRUE(r.out == expected) << "stdout differs from " << golden
                                 << " (DBARCH_REWRITE_GOLDEN=1 rewrites it; review the diff)\n"
                                 << r.out;
}

struct GoldenCase {
  std::string log;
  std::vector<std::string> extra;
  std::string golden;
  std::string warning;  // the malformed-lines warning on stderr
};

TEST(CliWorkload, CraftedLogsMatchGoldens) {
  std::vector<GoldenCase> cases = {
      {"test/fixtures/logs/q_prefix.log",
       {},
       "workload_q_prefix.txt",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/q_prefix.log:8\n"},
      {"test/fixtures/logs/q_prefix.log",
       {"--format", "json"},
       "workload_q_prefix.json",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/q_prefix.log:8\n"},
      {"test/fixtures/logs/x_prefix.log",
       {"--format", "json", "--prefix", "%t [%p-%l] %x user=%u,db=%d,app=%a "},
       "workload_x_prefix.json",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/x_prefix.log:8\n"},
      {"test/fixtures/logs/q_prefix.csv",
       {"--format", "json"},
       "workload_csvlog.json",
       "dbarch: warning: 1 malformed line(s); the first at test/fixtures/logs/q_prefix.csv:22\n"},
      {"test/fixtures/logs/q_prefix.log",
       {"--format", "html"},
       "workload_q_prefix.html",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/q_prefix.log:8\n"},
      {"test/fixtures/logs/minutes.log", {"--format", "html"}, "workload_minutes.html", ""},
      {"test/fixtures/logs/minutes.log", {}, "workload_minutes.txt", ""},
      {"test/fixtures/logs/x_prefix.log",
       {"--config", "test/fixtures/logs/conf/postgresql.conf"},
       "workload_x_prefix_config.txt",
       "dbarch: warning: 2 malformed line(s); the first at test/fixtures/logs/x_prefix.log:8\n"},
      {"test/fixtures/logs/q_prefix.json",
       {},
       "workload_jsonlog.txt",
       "dbarch: warning: 1 malformed line(s); the first at test/fixtures/logs/q_prefix.json:20\n"},
  };
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.golden);
    std::vector<std::string> args = {"workload", c.log};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    RunResult r = RunDbarch(args);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.err, c.warning);
    ExpectGolden(r, c.golden);
  }
}

TEST(CliWorkload, StandardInputReadsLikeTheFile) {
  RunResult file = RunDbarch({"workload", "test/fixtures/logs/q_prefix.log", "--format", "json"});
  ASSERT_EQ(file.exit_code, 0) << Describe(file);
  std::string command = "cd '" + SourceDir() + "' && '" + DBARCH_BINARY +
                        "' workload - --format json < test/fixtures/logs/q_prefix.log 2>/dev/null";
  FILE* p = popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0);
  auto a = nlohmann::json::parse(file.out);
  auto b = nlohmann::json::parse(out);
  EXPECT_EQ(a["groups"], b["groups"]);
  EXPECT_EQ(a["summary"]["statements"], b["summary"]["statements"]);
  EXPECT_EQ(b["summary"]["files"], nlohmann::json::array({"-"}));
  EXPECT_EQ(b["summary"]["malformed"][0]["file"], "<stdin>");
}

TEST(CliWorkload, EmitsAWorkloadFile) {
  TempDir tmp;
  fs::path out = tmp.path() / "from_log.sql";
  RunResult r = RunDbarch({"workload", "test/fixtures/logs/q_prefix.csv", "--emit-workload",
                           out.string(), "--emit-top", "3", "-o", (tmp.path() / "r.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  std::string text = ReadFile(out);
  EXPECT_EQ(text,
            "-- workload read from server logs by dbarch workload: the top 3 query groups by "
            "total time;\n"
            "-- weight = calls in the logs, params = the values of one logged statement\n\n"
            "-- name: log 5ad18d634ed060d7\n"
            "-- weight: 1\n"
            "-- params: '10 minutes'\n"
            "SELECT count(*) FROM orders WHERE created_at > now() - $1::interval;\n\n"
            "-- name: log be8612ee557f89f7\n"
            "-- weight: 1\n"
            "SELECT * FROM orders ORDER BY total;\n\n"
            "-- name: log 6f8569b88a32638a\n"
            "-- weight: 2\n"
            "-- params: '99', NULL\n"
            "SELECT total FROM orders WHERE customer_id = $1 AND status = $2;\n\n");
}

// -o to a path that is not a regular file (a FIFO here, /dev/null in scripts) writes into
// it; it must never be replaced by a regular file.
TEST(CliWorkload, OutputToAFifoKeepsTheFifo) {
  TempDir tmp;
  fs::path fifo = tmp.path() / "out.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    received = ss.str();
  });
  RunResult r = RunDbarch({"workload", "test/fixtures/logs/q_prefix.json", "-o", fifo.string()});
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(received.rfind("Log: 1 file(s)", 0), 0u) << received.substr(0, 100);
  EXPECT_EQ(fs::status(fifo).type(), fs::file_type::fifo);
}

TEST(CliWorkload, BadInputExitCodes) {
  TempDir tmp;
  fs::path junk = tmp.path() / "junk.log";
  std::ofstream(junk) << "hello\nworld\n";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string stderr_has;
  };
  std::vector<Case> cases = {
      {{"workload"}, 2, "workload needs log files (or --dsn for pg_stat_statements)"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--format", "pdf"}, 2, "--format"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--dsn", "host=/nonexistent"},
       2,
       "not both"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--since", "a.json"}, 2, "need --dsn"},
      {{"workload", "--dsn", "host=/nonexistent", "--format", "html"}, 2, "--format html"},
      {{"workload", "--until", "b.json"}, 2, "--until is the later of two snapshot files"},
      {{"workload", "--since", "a.json", "--until", "b.json", "--save-snapshot", "c.json"},
       2,
       "need --dsn"},
      {{"workload", "--since", junk.string(), "--until", junk.string()},
       3,
       "not a pg_stat_statements snapshot of dbarch"},
      {{"workload", "--since", "test/fixtures/logs/no_such.json", "--until", junk.string()},
       4,
       "cannot read snapshot"},
      {{"workload", "--dsn", "host=/nonexistent/socket/dir connect_timeout=2"}, 4, "connect"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--config", "test/fixtures/logs/no.conf"},
       4,
       "cannot read configuration file"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--config", junk.string()},
       3,
       "syntax error"},
      {{"workload", "test/fixtures/logs/conf"}, 3, "holds no log file"},
      {{"workload", "-", "-"}, 2, "standard input"},
      {{"workload", "test/fixtures/logs/no_such.log"}, 4, "cannot open"},
      {{"workload", junk.string()}, 3, "could not detect the log_line_prefix"},
      {{"workload", "test/fixtures/logs/q_prefix.log", "--prefix", "%m %k"},
       3,
       "unknown escape '%k'"},
      {{"workload", junk.string(), "--prefix", "%m ", "--emit-workload",
        (tmp.path() / "w.sql").string()},
       3,
       "no SELECT, INSERT, UPDATE, DELETE or MERGE"},
  };
  for (const Case& c : cases) {
    RunResult r = RunDbarch(c.args);
    std::string what = "dbarch";
    for (const std::string& a : c.args) what += " " + a;
    EXPECT_EQ(r.exit_code, c.exit_code) << what << "\n" << Describe(r);
    EXPECT_EQ(r.out, "") << what;
    EXPECT_NE(r.err.find(c.stderr_has), std::string::npos) << what << "\n" << Describe(r);
  }
}

// ----- the HTML report in a real browser -----

// The RGB pixels of a PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::array<uint8_t, 3>> pixels;
};

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

std::optional<Image> DecodePng(const std::string& png) {
  if (png.size() < 8 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return std::nullopt;
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t at = 8; at + 8 <= png.size();) {
    uint32_t len = BigEndian32(png, at);
    std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) return std::nullopt;
    if (type == "IHDR") {
      img.width = static_cast<int>(BigEndian32(png, at + 8));
      img.height = static_cast<int>(BigEndian32(png, at + 12));
      int depth = static_cast<uint8_t>(png[at + 16]);
      int color = static_cast<uint8_t>(png[at + 17]);
      int interlace = static_cast<uint8_t>(png[at + 20]);
      if (depth != 8 || interlace != 0 || (color != 2 && color != 6)) return std::nullopt;
      channels = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat += png.substr(at + 8, len);
    }
    at += 12 + len;
  }
  if (channels == 0) return std::nullopt;
  size_t stride = static_cast<size_t>(img.width) * static_cast<size_t>(channels);
  std::vector<uint8_t> raw((stride + 1) * static_cast<size_t>(img.height));
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_size != raw.size()) {
    return std::nullopt;
  }
  // Undo the per-row filters (PNG specification, section 9).
  std::vector<uint8_t> prev(stride, 0), row(stride);
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* in = &raw[static_cast<size_t>(y) * (stride + 1)];
    uint8_t filter = in[0];
    for (size_t x = 0; x < stride; ++x) {
      int a = x >= static_cast<size_t>(channels) ? row[x - channels] : 0;
      int b = prev[x];
      int c = x >= static_cast<size_t>(channels) ? prev[x - channels] : 0;
      int v = in[1 + x];
      switch (filter) {
        case 1:
          v += a;
          break;
        case 2:
          v += b;
          break;
        case 3:
          v += (a + b) / 2;
          break;
        case 4: {
          int p = a + b - c;
          int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default:
          break;
      }
      row[x] = static_cast<uint8_t>(v);
    }
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = &row[static_cast<size_t>(x) * static_cast<size_t>(channels)];
      img.pixels.push_back({p[0], p[1], p[2]});
    }
    prev = row;
  }
  return img;
}

struct Shell {
  int exit_code = -1;
  std::string out;
};

Shell RunShell(const std::string& command) {
  Shell r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The report opened in headless Chromium (Debian package chromium-headless-shell): the DOM
// it builds holds the three charts with their bars and the top groups; the browser's network
// log shows no request at all (the page loads nothing from anywhere) and its console no
// message; and the screenshot is not blank: it shows the bars' colour.
TEST(CliWorkload, HtmlReportRendersOfflineInHeadlessChromium) {
  const std::string chromium = "/usr/bin/chromium-headless-shell";
  ASSERT_TRUE(fs::exists(chromium)) << chromium << " missing: run scripts/install-deps.sh";
  TempDir tmp;
  fs::path html = tmp.path() / "report.html";
  RunResult r =
      RunDbarch({"workload", "test/fixtures/logs/q_prefix.log", "test/fixtures/logs/minutes.log",
                 "--format", "html", "-o", html.string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::string page = ReadFile(html);
  EXPECT_EQ(page.find("http:"), std::string::npos);
  EXPECT_EQ(page.find("https:"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);

  std::string flags =
      "--no-sandbox --disable-gpu --no-first-run --window-size=1100,1600 "
      "--enable-logging=stderr --v=0 --user-data-dir='" +
      (tmp.path() / "profile").string() + "' ";
  std::string url = "file://" + html.string();
  fs::path netlog = tmp.path() / "net.json";
  Shell dom =
      RunShell("timeout 120 " + chromium + " " + flags + "--log-net-log='" + netlog.string() +
               "' --dump-dom '" + url + "' 2>'" + (tmp.path() / "dom.err").string() + "'");
  ASSERT_EQ(dom.exit_code, 0) << ReadFile(tmp.path() / "dom.err");
  for (const char* id :
       {"summary", "queries-per-minute", "duration-histogram", "top-groups", "top-groups-table"}) {
    EXPECT_NE(dom.out.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  size_t bars = 0;
  for (size_t at = dom.out.find("class=\"bar\""); at != std::string::npos;
       at = dom.out.find("class=\"bar\"", at + 1)) {
    ++bars;
  }
  // 5 minutes (10:00 to 10:04, the quiet 10:02 included) + 11 duration buckets + 9 groups.
  EXPECT_EQ(bars, 25u);
  EXPECT_NE(dom.out.find("SELECT count(*) FROM orders WHERE created_at &gt; now() - interval $1"),
            std::string::npos);
  std::string console = ReadFile(tmp.path() / "dom.err");
  EXPECT_EQ(console.find(":CONSOLE"), std::string::npos) << console;

  auto log = nlohmann::json::parse(ReadFile(netlog), nullptr, false);
  ASSERT_FALSE(log.is_discarded()) << "the network log does not parse";
  ASSERT_TRUE(log.contains("events"));
  std::vector<std::string> urls;
  for (const auto& e : log["events"]) {
    if (e.contains("params") && e["params"].contains("url")) urls.push_back(e["params"]["url"]);
  }
  EXPECT_TRUE(urls.empty()) << "network requests: " << nlohmann::json(urls).dump();

  fs::path shot = tmp.path() / "shot.png";
  Shell s = RunShell("timeout 120 " + chromium + " " + flags + "--screenshot='" + shot.string() +
                     "' '" + url + "' 2>/dev/null");
  ASSERT_EQ(s.exit_code, 0);
  auto img = DecodePng(ReadFile(shot));
  ASSERT_TRUE(img.has_value()) << "the screenshot is not an 8-bit RGB(A) PNG";
  EXPECT_EQ(img->width, 1100);
  size_t non_white = 0, bar_colour = 0;
  for (const auto& p : img->pixels) {
    if (p[0] < 240 || p[1] < 240 || p[2] < 240) ++non_white;
    // .bar{fill:#3b6fb6}
    if (std::abs(p[0] - 0x3b) < 6 && std::abs(p[1] - 0x6f) < 6 && std::abs(p[2] - 0xb6) < 6) {
      ++bar_colour;
    }
  }
  EXPECT_GT(non_white, img->pixels.size() / 50) << "the page looks blank";
  EXPECT_GT(bar_colour, 10000u) << "no chart bars on the screenshot";
}

}  // namespace
}  // namespace dbarch::cli_test
