#include "workload/log_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace dbarch::workload {
namespace {

constexpr size_t kInputChunk = 1 << 20;

// Owns a file descriptor (standard input is borrowed, never closed).
class Fd {
 public:
  Fd(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~Fd() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
  bool owned_;
};

class FileInput : public LogInput {
 public:
  FileInput(std::string path, int fd, bool owned, uint64_t size)
      : path_(std::move(path)), fd_(fd, owned), size_(size) {}

  // Reads the first bytes and picks the decoder.
  Status Start() {
    DBARCH_RETURN_IF_ERROR(Fill());
    if (in_.size() >= 2 && static_cast<unsigned char>(in_[0]) == 0x1f &&
        static_cast<unsigned char>(in_[1]) == 0x8b) {
      compression_ = Compression::kGzip;
      std::memset(&zs_, 0, sizeof(zs_));
      if (inflateInit2(&zs_, 15 + 32) != Z_OK) return Status::Internal("zlib: inflateInit2 failed");
      zlib_open_ = true;
    } else if (in_.size() >= 4 && static_cast<unsigned char>(in_[0]) == 0x28 &&
               static_cast<unsigned char>(in_[1]) == 0xb5 &&
               static_cast<unsigned char>(in_[2]) == 0x2f &&
               static_cast<unsigned char>(in_[3]) == 0xfd) {
      compression_ = Compression::kZstd;
      zstd_ = ZSTD_createDStream();
      if (zstd_ == nullptr) return Status::Internal("zstd: cannot create a stream");
    }
    return Status::OK();
  }

  ~FileInput() override {
    if (zlib_open_) inflateEnd(&zs_);
    if (zstd_ != nullptr) ZSTD_freeDStream(zstd_);
  }

  Result<size_t> Read(char* dst, size_t capacity) override {
    switch (compression_) {
      case Compression::kNone: {
        if (in_pos_ < in_.size()) {
          size_t n = std::min(capacity, in_.size() - in_pos_);
          std::memcpy(dst, in_.data() + in_pos_, n);
          in_pos_ += n;
          return n;
        }
        return RawRead(dst, capacity);
      }
      case Compression::kGzip:
        return ReadGzip(dst, capacity);
      case Compression::kZstd:
        return ReadZstd(dst, capacity);
    }
    return size_t{0};
  }

  uint64_t consumed_bytes() const override { return consumed_; }
  uint64_t size_bytes() const override { return size_; }
  Compression compression() const override { return compression_; }

 private:
  Result<size_t> RawRead(char* dst, size_t capacity) {
    while (true) {
      ssize_t n = ::read(fd_.get(), dst, capacity);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError("reading " + path_ + ": " + std::strerror(errno));
      consumed_ += static_cast<uint64_t>(n);
      return static_cast<size_t>(n);
    }
  }

  // Refills the compressed input buffer; in_ is empty at the end of the file.
  Status Fill() {
    in_.resize(kInputChunk);
    auto n = RawRead(in_.data(), in_.size());
    if (!n.ok()) return n.status();
    in_.resize(*n);
    in_pos_ = 0;
    return Status::OK();
  }

  Result<size_t> ReadGzip(char* dst, size_t capacity) {
    size_t produced = 0;
    while (produced == 0) {
      if (in_pos_ >= in_.size()) {
        if (eof_) return size_t{0};
        DBARCH_RETURN_IF_ERROR(Fill());
        if (in_.empty()) {
          eof_ = true;
          if (in_member_) return Status::InvalidArgument(path_ + ": truncated gzip data");
          return size_t{0};
        }
      }
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      zs_.avail_in = static_cast<uInt>(in_.size() - in_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(dst);
      zs_.avail_out = static_cast<uInt>(capacity);
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_.size() - zs_.avail_in;
      produced = capacity - zs_.avail_out;
      in_member_ = true;
      if (rc == Z_STREAM_END) {
        // Another gzip member may follow (concatenated rotated logs).
        in_member_ = false;
        if (inflateReset(&zs_) != Z_OK) return Status::Internal("zlib: inflateReset failed");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::InvalidArgument(path_ + ": corrupt gzip data (" +
                                       (zs_.msg != nullptr ? std::string(zs_.msg) : "zlib error") +
                                       ")");
      }
    }
    return produced;
  }

  Result<size_t> ReadZstd(char* dst, size_t capacity) {
    size_t produced = 0;
    while (produced == 0) {
      if (in_pos_ >= in_.size()) {
        if (eof_) return size_t{0};
        DBARCH_RETURN_IF_ERROR(Fill());
        if (in_.empty()) {
          eof_ = true;
          if (zstd_pending_ != 0) return Status::InvalidArgument(path_ + ": truncated zstd data");
          return size_t{0};
        }
      }
      ZSTD_inBuffer input{in_.data(), in_.size(), in_pos_};
      ZSTD_outBuffer output{dst, capacity, 0};
      zstd_pending_ = ZSTD_decompressStream(zstd_, &output, &input);
      if (ZSTD_isError(zstd_pending_)) {
        return Status::InvalidArgument(path_ + ": corrupt zstd data (" +
                                       ZSTD_getErrorName(zstd_pending_) + ")");
      }
      in_pos_ = input.pos;
      produced = output.pos;
    }
    return produced;
  }

  std::string path_;
  Fd fd_;
  uint64_t size_;
  uint64_t consumed_ = 0;
  std::vector<char> in_;
  size_t in_pos_ = 0;
  bool eof_ = false;
  Compression compression_ = Compression::kNone;
  z_stream zs_;
  bool zlib_open_ = false;
  bool in_member_ = false;
  ZSTD_DStream* zstd_ = nullptr;
  size_t zstd_pending_ = 0;
};

}  // namespace

Result<std::unique_ptr<LogInput>> LogInput::Open(const std::string& path) {
  int fd = 0;
  bool owned = false;
  uint64_t size = 0;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
    owned = true;
    struct stat st;
    if (::fstat(fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return Status::IOError("cannot read " + path + ": it is a directory");
      }
      if (S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
    }
  }
  auto input = std::make_unique<FileInput>(path == "-" ? "<stdin>" : path, fd, owned, size);
  DBARCH_RETURN_IF_ERROR(input->Start());
  return std::unique_ptr<LogInput>(std::move(input));
}

}  // namespace dbarch::workload
