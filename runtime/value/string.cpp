// Immutable strings: construction and concatenation.
#include "runtime/value/string.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/value/value_internal.h"

namespace atl::value {

atl_string* AllocString(size_t len) {
  if (len > UINT32_MAX) Fail("string of %zu bytes exceeds the 4 GiB limit", len);
  auto* s = static_cast<atl_string*>(atl_alloc_atomic(sizeof(atl_header) + len + 1));
  s->header = atl_make_header(ATL_KIND_STRING, 0, static_cast<uint32_t>(len));
  s->bytes[len] = '\0';
  return s;
}

const atl_string* AsString(atl_value v) {
  if (!atl_is_ptr(v) || atl_header_kind(atl_ptr(v)->header) != ATL_KIND_STRING) {
    Fail("expected a String");
  }
  return reinterpret_cast<const atl_string*>(atl_ptr(v));
}

}  // namespace atl::value

extern "C" {

atl_value atl_string_new(const char* bytes, size_t len) {
  atl_string* s = atl::value::AllocString(len);
  if (len > 0) std::memcpy(s->bytes, bytes, len);
  return atl_from_ptr(s);
}

atl_value atl_string_from_cstr(const char* cstr) { return atl_string_new(cstr, std::strlen(cstr)); }

atl_value atl_string_concat(atl_value a, atl_value b) {
  const atl_string* sa = atl::value::AsString(a);
  const atl_string* sb = atl::value::AsString(b);
  const size_t la = atl_header_size(sa->header);
  const size_t lb = atl_header_size(sb->header);
  if (la == 0) return b;  // strings are immutable, so sharing is safe
  if (lb == 0) return a;
  atl_string* s = atl::value::AllocString(la + lb);
  std::memcpy(s->bytes, sa->bytes, la);
  std::memcpy(s->bytes + la, sb->bytes, lb);
  return atl_from_ptr(s);
}

size_t atl_string_length(atl_value s) { return atl_header_size(atl::value::AsString(s)->header); }

const char* atl_string_bytes(atl_value s) { return atl::value::AsString(s)->bytes; }

int atl_is_string(atl_value v) {
  return atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_STRING;
}

}  // extern "C"
