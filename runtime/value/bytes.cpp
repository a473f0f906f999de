// Immutable byte strings: construction and access (bytes.h).
#include "runtime/value/bytes.h"

#include <cstdint>
#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/value/value_internal.h"

namespace {

const atl_bytes* AsBytes(atl_value v) {
  if (!atl_is_bytes(v)) atl::value::Fail("expected Bytes");
  return reinterpret_cast<const atl_bytes*>(atl_ptr(v));
}

}  // namespace

extern "C" {

atl_bytes* atl_bytes_alloc(size_t len) {
  if (len > UINT32_MAX) atl::value::Fail("Bytes of %zu bytes exceed the 4 GiB limit", len);
  auto* b = static_cast<atl_bytes*>(atl_alloc_atomic(sizeof(atl_header) + len + 1));
  b->header = atl_make_header(ATL_KIND_BYTES, 0, static_cast<uint32_t>(len));
  b->bytes[len] = '\0';
  return b;
}

atl_value atl_bytes_new(const void* data, size_t len) {
  atl_bytes* b = atl_bytes_alloc(len);
  if (len > 0) std::memcpy(b->bytes, data, len);
  return atl_from_ptr(b);
}

int atl_is_bytes(atl_value v) {
  return atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_BYTES;
}

size_t atl_bytes_length(atl_value b) { return atl_header_size(AsBytes(b)->header); }

const unsigned char* atl_bytes_data(atl_value b) { return AsBytes(b)->bytes; }

}  // extern "C"
