// Ref and MutableArray construction, freeze and thaw.
#include "runtime/value/mutable.h"

#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/value/value_internal.h"

namespace atl::value {
namespace {

const atl_object* AsArrayLike(atl_value v, const char* what) {
  if (atl_is_ptr(v)) {
    const uint32_t kind = atl_header_kind(atl_ptr(v)->header);
    if (kind == ATL_KIND_ARRAY || kind == ATL_KIND_MUTARRAY) return atl_ptr(v);
  }
  Fail("%s: expected an array", what);
}

uint32_t CheckedLength(int64_t n, const char* what) {
  if (n < 0) Fail("%s: negative array size %lld", what, static_cast<long long>(n));
  if (n > INT32_MAX) Fail("%s: array size %lld is too large", what, static_cast<long long>(n));
  return static_cast<uint32_t>(n);
}

}  // namespace
}  // namespace atl::value

extern "C" {

atl_value atl_ref_new(atl_region* r, uint32_t kind, atl_value init) {
  auto* o = static_cast<atl_object*>(atl_region_alloc_inline(r, kind, 2 * sizeof(atl_value)));
  o->header = atl_make_header(ATL_KIND_REF, 0, 1);
  o->fields[0] = init;
  return atl_from_ptr(o);
}

atl_value atl_mutarray_new(atl_region* r, uint32_t kind, int64_t n, atl_value init) {
  const uint32_t len = atl::value::CheckedLength(n, "newArray");
  auto* o = static_cast<atl_object*>(
      atl_region_alloc_inline(r, kind, sizeof(atl_header) + sizeof(atl_value) * size_t{len}));
  o->header = atl_make_header(ATL_KIND_MUTARRAY, 0, len);
  for (uint32_t i = 0; i < len; ++i) o->fields[i] = init;
  return atl_from_ptr(o);
}

int64_t atl_array_length(atl_value a) {
  return atl_header_size(atl::value::AsArrayLike(a, "arrayLength")->header);
}

atl_value atl_freeze(atl_value mutarray) {
  const atl_object* src = atl::value::AsArrayLike(mutarray, "freeze");
  const uint32_t len = atl_header_size(src->header);
  bool has_pointer = false;
  for (uint32_t i = 0; i < len && !has_pointer; ++i) has_pointer = atl_is_ptr(src->fields[i]);
  const size_t bytes = sizeof(atl_header) + sizeof(atl_value) * size_t{len};
  // Immutable from here on, so pointer-free contents can never gain a pointer.
  auto* dst = static_cast<atl_object*>(has_pointer ? atl_alloc(bytes) : atl_alloc_atomic(bytes));
  dst->header = atl_make_header(ATL_KIND_ARRAY, 0, len);
  std::memcpy(dst->fields, src->fields, sizeof(atl_value) * size_t{len});
  return atl_from_ptr(dst);
}

atl_value atl_thaw(atl_region* r, uint32_t kind, atl_value array) {
  const atl_object* src = atl::value::AsArrayLike(array, "thaw");
  const uint32_t len = atl_header_size(src->header);
  auto* dst = static_cast<atl_object*>(
      atl_region_alloc_inline(r, kind, sizeof(atl_header) + sizeof(atl_value) * size_t{len}));
  dst->header = atl_make_header(ATL_KIND_MUTARRAY, 0, len);
  std::memcpy(dst->fields, src->fields, sizeof(atl_value) * size_t{len});
  return atl_from_ptr(dst);
}

}  // extern "C"
