// Result<T>: a value or an errno code. IO operations return these instead of
// throwing, so errors cross the C ABI as plain values (code + strerror text).
#pragma once

#include <cerrno>
#include <string>
#include <utility>

namespace atl::io {

// An errno-style error code; 0 means success.
struct Error {
  int code = 0;
  std::string text() const;  // strerror text, e.g. "Connection refused"
};

// Holds either a T (ok) or an Error; value() on an error is a programming bug.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : error_(e) {}                 // NOLINT
  bool ok() const { return error_.code == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return value_; }
  const T& value() const { return value_; }
  Error error() const { return error_; }

 private:
  T value_{};
  Error error_{};
};

inline Error LastError() { return Error{errno}; }

}  // namespace atl::io
