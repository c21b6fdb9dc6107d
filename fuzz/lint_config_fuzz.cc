// Fuzz target: dbarch.yaml (lint::ParseConfig: yaml-cpp, then our reading of families, rules,
// severities, options and naming patterns). Errors are Status values; an exception that
// escapes, a crash or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lint/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  auto config =
      lint::ParseConfig("dbarch.yaml", std::string(reinterpret_cast<const char*>(data), size));
  (void)config;
  return 0;
}
