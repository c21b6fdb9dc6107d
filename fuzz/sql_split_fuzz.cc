// Fuzz target: the statement splitter (sql::SplitStatements, libpg_query's scanner) and the
// comment skipper on arbitrary bytes. Checks the splitter's contract: ranges are ordered,
// inside the text and do not overlap.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/check.h"
#include "base/source_span.h"
#include "sql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  SourceFile file("fuzz.sql", std::string(reinterpret_cast<const char*>(data), size));
  auto ranges = sql::SplitStatements(file);
  if (ranges.ok()) {
    uint32_t last_end = 0;
    for (const sql::StatementRange& r : *ranges) {
      DBARCH_CHECK(r.begin <= r.end && r.end <= file.text().size(), "range outside the text");
      DBARCH_CHECK(r.begin >= last_end, "ranges overlap or are out of order");
      last_end = r.end;
    }
  } else {
    DBARCH_CHECK(ranges.status().span().has_value(), "a scan error without a span");
  }
  for (uint32_t offset = 0; offset <= file.text().size(); offset += 7) {
    DBARCH_CHECK(sql::SkipBlanksAndComments(file.text(), offset) <= file.text().size(),
                 "SkipBlanksAndComments past the end");
  }
  return 0;
}
