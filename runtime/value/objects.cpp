// Allocation of boxed floats, arrays and constructor objects on the GC heap.
#include "runtime/gc/gc.h"
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

atl_object* atl_con_alloc(uint32_t desc, uint32_t n) {
  auto* o = static_cast<atl_object*>(atl_alloc(sizeof(atl_header) + sizeof(atl_value) * size_t{n}));
  o->header = atl_make_header(ATL_KIND_CON, desc, n);
  return o;
}

}  // extern "C"
