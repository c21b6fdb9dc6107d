#include "lint_schema_gen.h"

#include <cstdint>

namespace dbarch::bench {

std::string GenerateLintSchema(int lines) {
  std::string out;
  out.reserve(static_cast<size_t>(lines) * 48);
  int written = 0;
  uint32_t rng = 12345;
  auto next = [&]() {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) & 0x7fff;
  };
  auto line = [&](const std::string& l) {
    out += l;
    out += '\n';
    ++written;
  };
  for (int block = 0; written < lines; ++block) {
    std::string schema = "app" + std::to_string(block);
    line("CREATE SCHEMA " + schema + ";");
    for (int t = 0; t < 200 && written < lines; ++t) {
      std::string table = schema + ".t" + std::to_string(t);
      line("CREATE TABLE " + table + " (");
      line("    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,");
      line("    name text NOT NULL,");
      line("    status text NOT NULL DEFAULT 'new',");
      line("    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),");
      int fks = t == 0 ? 0 : 1 + static_cast<int>(next() % 2);
      for (int f = 0; f < fks; ++f) {
        int ref = static_cast<int>(next() % t);
        line("    ref" + std::to_string(f) + "_id bigint REFERENCES " + schema + ".t" +
             std::to_string(ref) + " (id),");
      }
      line("    created_at timestamptz NOT NULL DEFAULT now()");
      line(");");
      line("CREATE INDEX t" + std::to_string(t) + "_status_idx ON " + table + " (status, created_at);");
      if (fks > 0) {
        line("CREATE INDEX t" + std::to_string(t) + "_ref0_idx ON " + table + " (ref0_id);");
      }
    }
  }
  return out;
}

}  // namespace dbarch::bench
