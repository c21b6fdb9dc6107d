// The bytes of one log file: plain, gzip (also concatenated members, as rotated logs
// compressed and appended) or zstd, recognised by their magic bytes, not by the file
// name; "-" is standard input. Used by log_reader.cc. One owner; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace dbarch::workload {

class LogInput {
 public:
  enum class Compression { kNone, kGzip, kZstd };

  // Opens `path` ("-": standard input, which is not closed). kIO naming the path when it
  // cannot be opened.
  static Result<std::unique_ptr<LogInput>> Open(const std::string& path);

  virtual ~LogInput() = default;
  // Reads up to `capacity` decompressed bytes into `dst`; 0 at the end. kIO for a read
  // error, kInvalidArgument for corrupt compressed data (both name the path).
  virtual Result<size_t> Read(char* dst, size_t capacity) = 0;
  // Bytes of the file consumed so far (compressed bytes for a compressed file).
  virtual uint64_t consumed_bytes() const = 0;
  // The file's size in bytes; 0 when unknown (standard input, a pipe).
  virtual uint64_t size_bytes() const = 0;
  virtual Compression compression() const = 0;
};

}  // namespace dbarch::workload
