// Fuzz target: the linter over arbitrary SQL with every rule on (default config): parsing,
// the statement-by-statement catalog, and each rule's walk of the parse tree. Bad SQL must
// end up in LintReport::errors, never in a crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/check.h"
#include "base/source_span.h"
#include "lint/config.h"
#include "lint/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  std::vector<std::shared_ptr<const SourceFile>> files;
  files.push_back(std::make_shared<SourceFile>(
      "fuzz.sql", std::string(reinterpret_cast<const char*>(data), size)));
  lint::Config config;
  lint::LintReport report = lint::LintSources(files, nullptr, config);
  for (const Status& e : report.errors) {
    DBARCH_CHECK(!e.ok(), "an OK status among the input errors");
  }
  return 0;
}
