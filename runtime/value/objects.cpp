// Allocation of boxed floats, arrays and constructor objects on the GC heap.
#include <bit>
#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/value/show.h"
#include "runtime/value/value.h"
#include "runtime/value/value_internal.h"

extern "C" {

atl_value atl_float_new(double d) {
  auto* f = static_cast<atl_float*>(atl_alloc_atomic(sizeof(atl_float)));
  f->header = atl_make_header(ATL_KIND_FLOAT, 0, 1);
  f->value = d;
  return atl_from_ptr(f);
}

double atl_float_get(atl_value v) {
  if (!atl_is_ptr(v) || atl_header_kind(atl_ptr(v)->header) != ATL_KIND_FLOAT) {
    atl::value::Fail("expected a Float");
  }
  return reinterpret_cast<const atl_float*>(atl_ptr(v))->value;
}

atl_object* atl_array_alloc(uint32_t n) {
  auto* o = static_cast<atl_object*>(atl_alloc(sizeof(atl_header) + sizeof(atl_value) * size_t{n}));
  o->header = atl_make_header(ATL_KIND_ARRAY, 0, n);
  return o;
}

int atl_points_into_heap(atl_value v) {
  if (!atl_is_ptr(v)) return 0;
  const atl_program_info* info = atl_get_program_info();
  if (info == nullptr || info->static_begin == nullptr) return 1;
  const auto* p = reinterpret_cast<const char*>(atl_ptr(v));
  return p >= static_cast<const char*>(info->static_begin) &&
                 p < static_cast<const char*>(info->static_end)
             ? 0
             : 1;
}

atl_object* atl_array_of(const atl_value* values, uint32_t n) {
  bool pointers = false;
  for (uint32_t i = 0; i < n && !pointers; ++i) pointers = atl_points_into_heap(values[i]) != 0;
  const size_t bytes = sizeof(atl_header) + sizeof(atl_value) * size_t{n};
  auto* o = static_cast<atl_object*>(pointers ? atl_alloc(bytes) : atl_alloc_atomic(bytes));
  o->header = atl_make_header(ATL_KIND_ARRAY, 0, n);
  if (n > 0) std::memcpy(o->fields, values, sizeof(atl_value) * size_t{n});
  if (pointers) atl_gc_written(o);
  return o;
}

void* atl_alloc_object(size_t bytes, uint64_t pointers) {
  return pointers != 0 ? atl_alloc(bytes) : atl_alloc_atomic(bytes);
}

uint64_t atl_raw_fields(const atl_object* o) {
  if (atl_header_kind(o->header) != ATL_KIND_CON) return 0;
  const atl_descriptor* d = atl::value::Descriptor(atl_header_desc(o->header));
  return d != nullptr ? d->raw_fields : 0;
}

double atl_raw_double(atl_value word) { return std::bit_cast<double>(word); }

atl_value atl_con_field(const atl_object* o, uint32_t i) {
  if (i < 64 && ((atl_raw_fields(o) >> i) & 1u) != 0)
    return atl_float_new(atl_raw_double(o->fields[i]));
  return o->fields[i];
}

atl_object* atl_con_alloc(uint32_t desc, uint32_t n) {
  auto* o = static_cast<atl_object*>(atl_alloc(sizeof(atl_header) + sizeof(atl_value) * size_t{n}));
  o->header = atl_make_header(ATL_KIND_CON, desc, n);
  return o;
}

}  // extern "C"
