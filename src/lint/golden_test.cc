// Data-driven lint tests: every test/golden/lint/*.test file holds cases in the format of
// test/golden/README.md. Set DBARCH_REWRITE_GOLDEN=1 to rewrite the expectations (then
// review the diff). Also checks that every rule has positive, negative and suppressed cases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "catalog/builder.h"
#include "lint/linter.h"
#include "lint/rule.h"

namespace dbarch::lint {
namespace {

struct Case {
  std::string name;
  std::string schema;
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  std::string config;
  std::vector<std::string> only;
  std::vector<std::string> disable;
  std::string expected;
  size_t expected_begin = 0;  // byte range of the expectation in the .test file
  size_t expected_end = 0;
};

std::vector<Case> ReadCases(const std::string& text) {
  std::vector<Case> cases;
  std::istringstream in(text);
  std::string line;
  Case* cur = nullptr;
  enum { kNone, kSchema, kFile, kConfig, kExpect } section = kNone;
  size_t offset = 0;
  auto append = [](std::string& s, const std::string& l) { s += l + "\n"; };
  while (std::getline(in, line)) {
    size_t line_begin = offset;
    offset += line.size() + 1;
    if (StartsWith(line, "# name:")) {
      if (cur != nullptr && section == kExpect) cur->expected_end = line_begin;
      cases.emplace_back();
      cur = &cases.back();
      cur->name = std::string(Trim(line.substr(7)));
      section = kNone;
      continue;
    }
    if (cur == nullptr) continue;
    if (section == kExpect) {
      append(cur->expected, line);
      cur->expected_end = offset;
      continue;
    }
    if (StartsWith(line, "# ")) continue;
    if (line == "schema") {
      section = kSchema;
    } else if (StartsWith(line, "file ")) {
      section = kFile;
      cur->files.emplace_back(std::string(Trim(line.substr(5))), "");
    } else if (line == "config") {
      section = kConfig;
    } else if (line == "lint" || StartsWith(line, "lint ")) {
      std::istringstream args(line.substr(4));
      std::string arg;
      while (args >> arg) {
        auto split = [](const std::string& v) {
          std::vector<std::string> out;
          std::stringstream ss(v);
          std::string item;
          while (std::getline(ss, item, ',')) out.push_back(item);
          return out;
        };
        if (StartsWith(arg, "only=")) cur->only = split(arg.substr(5));
        if (StartsWith(arg, "disable=")) cur->disable = split(arg.substr(8));
      }
      section = kNone;
    } else if (line == "----") {
      section = kExpect;
      cur->expected_begin = offset;
      cur->expected_end = offset;
    } else if (section == kSchema) {
      append(cur->schema, line);
    } else if (section == kFile) {
      append(cur->files.back().second, line);
    } else if (section == kConfig) {
      append(cur->config, line);
    }
  }
  for (Case& c : cases) {
    while (c.expected.size() >= 2 && c.expected.substr(c.expected.size() - 2) == "\n\n") c.expected.pop_back();
  }
  return cases;
}

std::string RunCase(const Case& c) {
  Config config;
  if (!c.config.empty()) {
    auto parsed = ParseConfig("dbarch.yaml", c.config);
    if (!parsed.ok()) return "config error: " + parsed.status().message() + "\n";
    config = *parsed;
  }
  for (const std::string& id : c.only) config.only.insert(id);
  for (const std::string& id : c.disable) config.rule_severity[id] = std::nullopt;
  std::optional<catalog::Catalog> schema;
  if (!c.schema.empty()) {
    catalog::CatalogBuilder b;
    Status st = b.ApplyFile(SourceFile("schema.sql", c.schema));
    if (!st.ok()) return "schema error: " + st.message() + "\n";
    schema = b.Finish();
  }
  std::vector<std::shared_ptr<const SourceFile>> files;
  for (const auto& [name, text] : c.files) files.push_back(std::make_shared<SourceFile>(name, text));
  LintReport r = LintScripts(files, schema ? &*schema : nullptr, config);
  std::string out;
  for (const Status& e : r.errors) {
    const SourceSpan& s = *e.span();
    out += s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": error: " + e.message() + "\n";
  }
  for (const Finding& f : r.findings) {
    out += f.span.file + ":" + std::to_string(f.span.line) + ":" + std::to_string(f.span.column) + ": " +
           SeverityName(f.severity) + "[" + f.rule + "] " + f.message + "\n";
    if (f.fix) {
      std::string fix = *f.fix;
      std::string indented;
      for (char ch : fix) {
        indented += ch;
        if (ch == '\n') indented += "       ";
      }
      out += "  fix: " + indented + "\n";
    }
  }
  if (out.empty()) out = "(no findings)\n";
  return out;
}

std::vector<std::string> TestFiles() {
  std::vector<std::string> out;
  std::string dir = std::string(DBARCH_SOURCE_DIR) + "/test/golden/lint";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".test") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LintGolden, AllCasesMatch) {
  bool rewrite = std::getenv("DBARCH_REWRITE_GOLDEN") != nullptr;
  size_t total = 0;
  for (const std::string& path : TestFiles()) {
    std::string text = ReadAll(path);
    std::vector<Case> cases = ReadCases(text);
    std::string rewritten;
    size_t copied = 0;
    for (const Case& c : cases) {
      ++total;
      std::string actual = RunCase(c);
      if (rewrite) {
        rewritten += text.substr(copied, c.expected_begin - copied);
        rewritten += actual;
        size_t end = c.expected_end;
        // Keep one blank line between cases.
        if (end < text.size()) rewritten += "\n";
        copied = end;
        while (copied < text.size() && text[copied] == '\n') ++copied;
      } else {
        EXPECT_EQ(actual, c.expected) << path << ": case \"" << c.name << "\"";
      }
    }
    if (rewrite) {
      rewritten += text.substr(copied);
      std::ofstream(path, std::ios::binary) << rewritten;
    }
  }
  EXPECT_GT(total, 0u);
}

TEST(LintGolden, EveryRuleHasPositiveNegativeAndSuppressedCases) {
  std::set<std::string> names;
  for (const std::string& path : TestFiles()) {
    for (const Case& c : ReadCases(ReadAll(path))) names.insert(c.name);
  }
  for (const auto& rule : AllRules()) {
    std::string id = rule->doc().id;
    for (const char* kind : {"positive", "negative", "suppressed"}) {
      bool found = false;
      for (const std::string& n : names) found |= StartsWith(n, id + "/" + kind);
      EXPECT_TRUE(found) << "rule " << id << " has no \"" << id << "/" << kind << "\" case";
    }
  }
}

}  // namespace
}  // namespace dbarch::lint
