// Runtime-internal helpers shared by the files of runtime/value.
#ifndef ATOLL_RUNTIME_VALUE_VALUE_INTERNAL_H
#define ATOLL_RUNTIME_VALUE_VALUE_INTERNAL_H

#include <string>

#include "runtime/abi/atoll_abi.h"

namespace atl::value {

// Stops the program with "atoll: runtime error: <message>" and exit status 1.
[[noreturn]] void Fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// A fresh string object of `len` bytes (contents uninitialised, NUL placed).
atl_string* AllocString(size_t len);

// The runtime error of AsString (kept out of line).
[[noreturn]] void NotAString();

// v as a string object; a runtime error when v is not a string. Inline:
// stringHash, string length and bytes call it once per use (wordfreq
// hashes 1.2 M words).
inline const atl_string* AsString(atl_value v) {
  if (!atl_is_ptr(v) || atl_header_kind(atl_ptr(v)->header) != ATL_KIND_STRING) [[unlikely]] {
    NotAString();
  }
  return reinterpret_cast<const atl_string*>(atl_ptr(v));
}

// The descriptor for id, or nullptr when the program table has none.
const atl_descriptor* Descriptor(uint32_t id);

// The text of atl_show(v), without allocating a string value.
std::string ShowToString(atl_value v);

}  // namespace atl::value

#endif  // ATOLL_RUNTIME_VALUE_VALUE_INTERNAL_H
