// Fuzz target: server logs (workload::ReadLogs) in the three formats: the input is written to
// a file and read as a stderr log (prefix detected, then a given %q prefix), a csvlog and a
// jsonlog, on one parsing thread; also the logged-parameters and timestamp readers. Malformed
// input must only ever be counted as malformed lines or be a clear error, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/check.h"
#include "workload/log_reader.h"

namespace {

void Check(const dbarch::Result<dbarch::workload::LogReport>& r) {
  if (!r.ok()) return;
  int64_t calls = 0;
  for (const auto& g : r->groups) {
    DBARCH_CHECK(g.timed_calls >= 0 && g.timed_calls <= g.calls, "more timed calls than calls");
    calls += g.calls;
  }
  DBARCH_CHECK(calls == r->summary.statements, "the summary's statements are not the groups' calls");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dbarch::workload;
  static const std::string path = "/tmp/dbarch_log_fuzz_" + std::to_string(getpid()) + ".log";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  LogReadOptions options;
  options.threads = 1;
  for (LogFormat format : {LogFormat::kStderr, LogFormat::kCsv, LogFormat::kJson}) {
    options.format = format;
    Check(ReadLogs({path}, options));
  }
  options.format = LogFormat::kStderr;
  options.prefix = "%m [%p] %q%u@%d ";
  Check(ReadLogs({path}, options));
  std::remove(path.c_str());
  (void)ParseLoggedParameters(text);
  size_t mid = text.size() / 2;
  (void)SecondsBetween(text.substr(0, mid), text.substr(mid));
  return 0;
}
