// Invariant checks for programming errors (never for user input: that is a Status).
// DBARCH_CHECK is always on; DBARCH_DCHECK only in debug builds. A failed check prints the
// broken invariant and aborts.
#pragma once

namespace dbarch::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const char* msg);
}  // namespace dbarch::internal

#define DBARCH_CHECK(cond, msg) \
  ((cond) ? (void)0 : ::dbarch::internal::CheckFailed(__FILE__, __LINE__, #cond, msg))
#ifdef NDEBUG
#define DBARCH_DCHECK(cond, msg) ((void)0)
#else
#define DBARCH_DCHECK(cond, msg) DBARCH_CHECK(cond, msg)
#endif
