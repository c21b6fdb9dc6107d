// Fuzz target: psql script expansion (sql::ExpandPsqlScript) on arbitrary bytes, with an
// include reader that serves the input itself (so \i recursion and its depth limit are
// reached). Checks the expander's contract: it succeeds or returns a parse error with a
// span; every part of the top-level file keeps its lines (no fewer newlines than the input; a
// variable's value may add some);
// notes point inside the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/check.h"
#include "base/source_span.h"
#include "sql/psql_script.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  std::string text(reinterpret_cast<const char*>(data), size);
  SourceFile file("fuzz.sql", text);
  sql::PsqlOptions options;
  options.max_include_depth = 3;
  options.read_file = [&text](const std::string&) -> Result<SourceFile> {
    return SourceFile("included.sql", text);
  };
  auto script = sql::ExpandPsqlScript(file, options);
  if (!script.ok()) {
    DBARCH_CHECK(script.status().code() == StatusCode::kParseError, "not a parse error");
    DBARCH_CHECK(script.status().span().has_value(), "an expansion error without a span");
    return 0;
  }
  const auto newlines = std::count(text.begin(), text.end(), '\n');
  bool has_include = false;
  for (const sql::ScriptPart& part : script->parts) {
    if (part.file.name() != "fuzz.sql") has_include = true;
  }
  if (!has_include) {
    DBARCH_CHECK(script->parts.size() == 1, "one part without includes");
    const std::string& out = script->parts[0].file.text();
    DBARCH_CHECK(std::count(out.begin(), out.end(), '\n') >= newlines, "lines lost");
  }
  for (const sql::ScriptNote& note : script->notes) {
    DBARCH_CHECK(note.span.end <= text.size(), "a note outside the input");
  }
  return 0;
}
