// Status and Result<T>: how every expected failure travels in dbarch (bad SQL, unknown
// object, unsupported syntax, connection refused, I/O). Used by every stage; the cli maps
// a Status code to an exit code. Values are immutable after construction and safe to copy
// and share between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/source_span.h"

namespace dbarch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kParseError,
  kNotFound,
  kNotSupported,
  kConnection,
  kIO,
  kInternal,
};

// Returns the lower-case name of `code`, e.g. "parse error".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // OK. Cheap: no allocation.
  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status ParseError(std::string msg) { return {StatusCode::kParseError, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status NotSupported(std::string msg) { return {StatusCode::kNotSupported, std::move(msg)}; }
  static Status Connection(std::string msg) { return {StatusCode::kConnection, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIO, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Where in which source the problem is; empty when not tied to source text.
  const std::optional<SourceSpan>& span() const { return span_; }
  // Optional advice shown after the message ("did you mean ...").
  const std::string& hint() const { return hint_; }

  Status&& WithSpan(SourceSpan span) && {
    span_ = std::move(span);
    return std::move(*this);
  }
  Status&& WithHint(std::string hint) && {
    hint_ = std::move(hint);
    return std::move(*this);
  }
  // Prefixes the message with context as the error rises: "loading a.sql: <message>".
  Status&& WithContext(const std::string& context) && {
    message_ = context + ": " + message_;
    return std::move(*this);
  }

  // "parse error: <message>" (no location; report/ formats locations).
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<SourceSpan> span_;
  std::string hint_;
};

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  // Requires: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK when ok(), else the error.
  Status status() const { return ok() ? Status::OK() : std::get<1>(v_); }
  Status&& TakeStatus() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dbarch

#define DBARCH_CONCAT_INNER(a, b) a##b
#define DBARCH_CONCAT(a, b) DBARCH_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define DBARCH_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::dbarch::Status _st = (expr);            \
    if (!_st.ok()) return _st;                \
  } while (0)

// `lhs = value of rexpr (a Result<T>)`, or returns its Status from the enclosing function.
#define DBARCH_ASSIGN_OR_RETURN(lhs, rexpr) \
  DBARCH_ASSIGN_OR_RETURN_IMPL(DBARCH_CONCAT(_res_, __LINE__), lhs, rexpr)
#define DBARCH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return std::move(tmp).TakeStatus();  \
  lhs = std::move(tmp).value()
