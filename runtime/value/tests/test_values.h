// Helpers for value tests: a small descriptor table and object builders.
#ifndef ATOLL_RUNTIME_VALUE_TESTS_TEST_VALUES_H
#define ATOLL_RUNTIME_VALUE_TESTS_TEST_VALUES_H

#include <initializer_list>
#include <string>

#include "runtime/abi/atoll_abi.h"
#include "runtime/gc/gc.h"
#include "runtime/value/show.h"
#include "runtime/value/string.h"

namespace atl::testing {

// Descriptor ids of the test program (0..2 are the fixed ones).
enum : uint32_t {
  kUnit = 0,
  kFalse = 1,
  kTrue = 2,
  kNothing = 3,
  kJust = 4,
  kRect = 5,
  kPair = 6,
  kNil = 7,
  kCons = 8,
  kPoint = 9,
  kTriple = 10,
};

inline const char* const kPointFields[] = {"x", "y"};

inline const atl_descriptor kDescriptors[] = {
    {nullptr, 0, ATL_SHAPE_TUPLE, 0, 0, nullptr, 0},
    {"False", 0, ATL_SHAPE_CONSTRUCTOR, 1, 0, nullptr, 0},
    {"True", 0, ATL_SHAPE_CONSTRUCTOR, 1, 1, nullptr, 0},
    {"Nothing", 0, ATL_SHAPE_CONSTRUCTOR, 2, 0, nullptr, 0},
    {"Just", 1, ATL_SHAPE_CONSTRUCTOR, 2, 1, nullptr, 0},
    {"Rect", 2, ATL_SHAPE_CONSTRUCTOR, 3, 0, nullptr, 0},
    {nullptr, 2, ATL_SHAPE_TUPLE, 4, 0, nullptr, 0},
    {"Nil", 0, ATL_SHAPE_LIST_NIL, 5, 0, nullptr, 0},
    {"::", 2, ATL_SHAPE_LIST_CONS, 5, 1, nullptr, 0},
    {nullptr, 2, ATL_SHAPE_RECORD, 6, 0, kPointFields, 0},
    {nullptr, 3, ATL_SHAPE_TUPLE, 7, 0, nullptr, 0},
};

inline const atl_program_info kProgram = [] {
  atl_program_info info{};
  info.descriptors = kDescriptors;
  info.descriptor_count = std::size(kDescriptors);
  return info;
}();

inline void InstallTestProgram() {
  atl_gc_init();
  atl_set_program_info(&kProgram);
}

inline atl_value Con(uint32_t desc, std::initializer_list<atl_value> fields) {
  auto* o = static_cast<atl_object*>(atl_alloc(8 * (1 + fields.size())));
  o->header = atl_make_header(ATL_KIND_CON, desc, static_cast<uint32_t>(fields.size()));
  size_t i = 0;
  for (atl_value f : fields) o->fields[i++] = f;
  return atl_from_ptr(o);
}

inline atl_value Array(std::initializer_list<atl_value> elems) {
  auto* o = static_cast<atl_object*>(atl_alloc(8 * (1 + elems.size())));
  o->header = atl_make_header(ATL_KIND_ARRAY, 0, static_cast<uint32_t>(elems.size()));
  size_t i = 0;
  for (atl_value e : elems) o->fields[i++] = e;
  return atl_from_ptr(o);
}

inline atl_value Float(double d) {
  auto* f = static_cast<atl_float*>(atl_alloc_atomic(sizeof(atl_float)));
  f->header = atl_make_header(ATL_KIND_FLOAT, 0, 1);
  f->value = d;
  return atl_from_ptr(f);
}

inline atl_value Str(const std::string& s) { return atl_string_new(s.data(), s.size()); }

inline atl_value List(std::initializer_list<atl_value> elems) {
  atl_value list = atl_nullary(kNil);
  for (auto it = std::rbegin(elems); it != std::rend(elems); ++it) list = Con(kCons, {*it, list});
  return list;
}

inline std::string Text(atl_value s) {
  return std::string(atl_string_bytes(s), atl_string_length(s));
}

inline std::string ShowText(atl_value v) { return Text(atl_show(v)); }

}  // namespace atl::testing

#endif  // ATOLL_RUNTIME_VALUE_TESTS_TEST_VALUES_H
