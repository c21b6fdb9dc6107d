// Writes the lint benchmark input to stdout: `lint_schema_gen LINES > schema.sql` (the file
// dbarch and squawk are both timed on by bench/compare_squawk.sh).
#include <cstdio>
#include <cstdlib>

#include "lint_schema_gen.h"

int main(int argc, char** argv) {
  int lines = argc > 1 ? std::atoi(argv[1]) : 20000;
  std::string text = dbarch::bench::GenerateLintSchema(lines);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
