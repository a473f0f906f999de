// Ref and MutableArray construction, freeze and thaw.
#include "runtime/value/mutable.h"

#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/region/region.h"
#include "runtime/value/value.h"
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

auto IsBool(atl_value v) -> bool { return v == atl_bool(0) || v == atl_bool(1); }

auto IsPacked(const atl_object* o) -> bool {
  return atl_header_kind(o->header) == ATL_KIND_MUTARRAY &&
         atl_header_desc(o->header) == ATL_MUTARRAY_BOOL_BYTES;
}

// A packed Bool MutableArray of len elements (bytes rounded up to 8), all
// False when `zeroed`, else unset.
atl_object* NewPacked(atl_region* r, uint32_t kind, uint32_t len, bool zeroed = false) {
  const size_t bytes = sizeof(atl_header) + ((size_t{len} + 7) & ~size_t{7});
  auto* o = static_cast<atl_object*>(zeroed ? atl_region_alloc_zeroed(r, kind, bytes)
                                            : atl_region_alloc_inline(r, kind, bytes));
  o->header = atl_make_header(ATL_KIND_MUTARRAY, ATL_MUTARRAY_BOOL_BYTES, len);
  return o;
}

auto Bytes(const atl_object* o) -> unsigned char* {
  return reinterpret_cast<unsigned char*>(const_cast<atl_value*>(o->fields));
}

// The card of every element of a MutableArray of words just written
// (runtime/abi/atoll_region.h): after the stores, one mark per card.
void MarkCards(atl_object* o, uint32_t len) {
  if (len == 0) return;
  const auto* first = reinterpret_cast<const char*>(&o->fields[0]);
  const auto* last = reinterpret_cast<const char*>(&o->fields[len - 1]);
  constexpr size_t kCard = size_t{1} << ATL_REGION_CARD_SHIFT;
  for (const char* p = first; p <= last; p += kCard) atl_region_card_mark(o, p);
  atl_region_card_mark(o, last);
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
  atl_region_card_mark(o, &o->fields[0]);
  return atl_from_ptr(o);
}

atl_value atl_mutarray_new(atl_region* r, uint32_t kind, int64_t n, atl_value init) {
  const uint32_t len = atl::value::CheckedLength(n, "newArray");
  if (atl::value::IsBool(init)) {
    const bool all_true = init == atl_bool(1);
    atl_object* packed = atl::value::NewPacked(r, kind, len, !all_true);
    if (all_true) std::memset(atl::value::Bytes(packed), 1, len);
    return atl_from_ptr(packed);
  }
  auto* o = static_cast<atl_object*>(
      atl_region_alloc_inline(r, kind, sizeof(atl_header) + sizeof(atl_value) * size_t{len}));
  o->header = atl_make_header(ATL_KIND_MUTARRAY, 0, len);
  for (uint32_t i = 0; i < len; ++i) o->fields[i] = init;
  atl::value::MarkCards(o, len);
  return atl_from_ptr(o);
}

atl_value atl_mutarray_get(atl_value a, int64_t i) {
  const atl_object* o = atl_ptr(a);
  if (atl::value::IsPacked(o)) return atl_bool(atl::value::Bytes(o)[i]);
  return o->fields[i];
}

void atl_mutarray_set(atl_value a, int64_t i, atl_value v) {
  atl_object* o = atl_ptr(a);
  if (atl::value::IsPacked(o)) {
    atl::value::Bytes(o)[i] = v == atl_bool(1) ? 1 : 0;
  } else {
    o->fields[i] = v;
    atl_region_card_mark(o, &o->fields[i]);
  }
}

int64_t atl_array_length(atl_value a) {
  return atl_header_size(atl::value::AsArrayLike(a, "arrayLength")->header);
}

atl_value atl_freeze(atl_value mutarray) {
  const atl_object* src = atl::value::AsArrayLike(mutarray, "freeze");
  const uint32_t len = atl_header_size(src->header);
  if (atl::value::IsPacked(src)) {
    auto* dst = static_cast<atl_object*>(
        atl_alloc_atomic(sizeof(atl_header) + sizeof(atl_value) * size_t{len}));
    dst->header = atl_make_header(ATL_KIND_ARRAY, 0, len);
    for (uint32_t i = 0; i < len; ++i) dst->fields[i] = atl_bool(atl::value::Bytes(src)[i]);
    return atl_from_ptr(dst);
  }
  // Immutable from here on, so pointer-free contents can never gain a pointer.
  return atl_from_ptr(atl_array_of(src->fields, len));
}

atl_value atl_thaw(atl_region* r, uint32_t kind, atl_value array) {
  const atl_object* src = atl::value::AsArrayLike(array, "thaw");
  const uint32_t len = atl_header_size(src->header);
  if (len > 0 && atl::value::IsBool(src->fields[0])) {  // an Array Bool: every element is a Bool
    atl_object* packed = atl::value::NewPacked(r, kind, len);
    for (uint32_t i = 0; i < len; ++i)
      atl::value::Bytes(packed)[i] = src->fields[i] == atl_bool(1) ? 1 : 0;
    return atl_from_ptr(packed);
  }
  auto* dst = static_cast<atl_object*>(
      atl_region_alloc_inline(r, kind, sizeof(atl_header) + sizeof(atl_value) * size_t{len}));
  dst->header = atl_make_header(ATL_KIND_MUTARRAY, 0, len);
  std::memcpy(dst->fields, src->fields, sizeof(atl_value) * size_t{len});
  atl::value::MarkCards(dst, len);
  return atl_from_ptr(dst);
}

}  // extern "C"
