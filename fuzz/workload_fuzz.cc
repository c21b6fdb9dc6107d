// Fuzz target: workload files (workload::ParseWorkload): the SQL, the statement split into
// query units, and the -- name: / -- weight: / -- params: annotations; also the params value
// list reader on its own.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/check.h"
#include "base/source_span.h"
#include "workload/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto w = workload::ParseWorkload(SourceFile("fuzz.sql", text));
  if (w.ok()) {
    for (const workload::Query& q : w->queries) {
      DBARCH_CHECK(q.weight > 0, "a query weight that is not positive");
      DBARCH_CHECK(!q.sql.empty(), "a query without SQL");
    }
  }
  (void)workload::ParseParamList(text);
  return 0;
}
