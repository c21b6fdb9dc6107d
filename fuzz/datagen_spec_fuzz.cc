// Fuzz target: `dbarch generate` specs: the YAML spec file (datagen::ParseSpec) and the
// --rows flag with its counts (ApplyRowsFlag, ParseCount), fed the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "datagen/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = datagen::ParseSpec("spec.yaml", text);
  datagen::Spec rows;
  (void)datagen::ApplyRowsFlag(text, rows);
  (void)datagen::ParseCount(text);
  (void)spec;
  return 0;
}
