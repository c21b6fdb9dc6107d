#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace dbarch::internal {

void CheckFailed(const char* file, int line, const char* expr, const char* msg) {
  std::fprintf(stderr, "dbarch: internal error at %s:%d: check failed: %s (%s)\n", file, line,
               expr, msg);
  std::abort();
}

}  // namespace dbarch::internal
