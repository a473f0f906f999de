// The C ABI between generated code and the runtime.
//
// Every layout the compiler relies on is pinned here with static_asserts.
// Generated code and the runtime agree on exactly this file; changing a
// layout means changing compiler/lower in the same commit.
//
// Values are uniform 64-bit words (atl_value):
//
//   ....xxx1   Int: a 63-bit signed integer n stored as (n << 1) | 1
//   ....x010   nullary constructor: descriptor id in bits 3..63
//   ....x110   Char: Unicode code point in bits 3..63
//   ....x000   pointer to a headed object (8-byte aligned); 0 is never a value
//
// A headed object starts with one header word:
//
//   bits 0..7   kind (atl_kind)
//   bits 8..31  descriptor id (ATL_KIND_CON), arity (ATL_KIND_CLOSURE), else 0
//   bits 32..63 size: payload words (CON, CLOSURE, REF, ARRAY, MUTARRAY),
//               payload bytes (STRING and BYTES, not counting the trailing
//               NUL), 1 (FLOAT), 2 (HANDLE), 1 (PROMISE)
//
// Payloads: CON, REF, ARRAY and MUTARRAY hold `size` values (except a
// record's Float fields, which its descriptor's raw_fields marks: those
// words are raw doubles); CLOSURE holds a
// raw code pointer followed by size-1 captured values; STRING holds UTF-8
// bytes plus a NUL; BYTES holds any bytes plus a NUL (a string's layout, so
// a valid UTF-8 conversion is one copy); FLOAT holds an IEEE double; HANDLE
// holds a file descriptor (-1 once closed) and where it was opened. Exception: a MUTARRAY whose
// descriptor bits are ATL_MUTARRAY_BOOL_BYTES holds `size` bytes (0 False,
// 1 True; padded to 8) — MutableArrays of Bool are packed. The runtime picks
// the layout from the values (newArray's initial value, thaw's elements),
// so a statically Bool-typed array is always packed.
//
// Descriptors name constructors, tuples and record shapes for show/compare.
// The compiler emits one table per program (atl_program_info) and passes it
// to atl_rt_main. Ids 0..5 are fixed: () False True Nil :: (,).
#ifndef ATOLL_ABI_H
#define ATOLL_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/abi/atoll_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t atl_value;

enum atl_kind {
  ATL_KIND_CON = 1,       // ADT constructor with fields, tuple, record
  ATL_KIND_STRING = 2,    // immutable UTF-8 string
  ATL_KIND_ARRAY = 3,     // immutable array (GC heap)
  ATL_KIND_FLOAT = 4,     // boxed double
  ATL_KIND_CLOSURE = 5,   // code pointer + captured values
  ATL_KIND_REF = 6,       // mutable cell (region)
  ATL_KIND_MUTARRAY = 7,  // mutable array (region)
  ATL_KIND_MVAR = 8,      // handle to a refcounted MVar core
  ATL_KIND_BYTES = 9,     // immutable byte string (GC heap, pointer-free)
  ATL_KIND_HANDLE = 10,   // an open file: its descriptor (runtime/rt/file_prims.cpp)
  ATL_KIND_PROMISE = 11,  // handle to a refcounted host promise (runtime/embed/promise.h)
};

enum atl_fixed_descriptor {
  ATL_DESC_UNIT = 0,
  ATL_DESC_FALSE = 1,
  ATL_DESC_TRUE = 2,
  // Fixed so that runtime primitives can build lists and pairs; the
  // compiler emits these entries first in every program's table.
  ATL_DESC_NIL = 3,   // List's `Nil` (shape LIST_NIL, type id 2)
  ATL_DESC_CONS = 4,  // List's `::` (shape LIST_CONS, type id 2, 2 fields)
  ATL_DESC_PAIR = 5,  // 2-tuples (shape TUPLE, type id 5)
};

// Shape of a constructor, tuple or record, for show and structural compare.
enum atl_desc_shape {
  ATL_SHAPE_CONSTRUCTOR = 0,  // Name f1 f2 ...
  ATL_SHAPE_TUPLE = 1,        // (f1, f2, ...)
  ATL_SHAPE_RECORD = 2,       // { a = f1, b = f2 }
  ATL_SHAPE_LIST_CONS = 3,    // the List constructor `::`, shown as [a, b]
  ATL_SHAPE_LIST_NIL = 4,     // the List constructor Nil, shown as []
};

typedef struct atl_descriptor {
  const char* name;                // constructor name; NULL for tuples and records
  uint32_t arity;                  // number of fields
  uint32_t shape;                  // atl_desc_shape
  uint32_t type_id;                // constructors of one data type share a type_id
  uint32_t index;                  // constructor index within its type (declaration order)
  const char* const* field_names;  // records: arity names; else NULL
  // Records: bit i set when field i (i < 64) holds a raw IEEE double (the
  // bits of a Float, not a boxed atl_value); 0 for everything else.
  uint64_t raw_fields;
} atl_descriptor;

// Whether field i of objects with descriptor d is a raw double.
static inline int atl_desc_raw_field(const atl_descriptor* d, uint32_t i) {
  return i < 64 && ((d->raw_fields >> i) & 1u) != 0;
}

typedef struct atl_program_info {
  const atl_descriptor* descriptors;
  uint32_t descriptor_count;
  uint32_t reserved;
  // Bounds of the compiler-emitted static (read-only) object section, so the
  // runtime can recognise static data (never copied, never freed).
  const void* static_begin;
  const void* static_end;
  // The program's compiled functions (code_begin..code_end, the section
  // atl_text) and a table of where each is defined, for runtime errors that
  // know only a program counter: a stack overflow names the function.
  const struct atl_function_site* functions;
  uint32_t function_count;
  uint32_t reserved2;
  const void* code_begin;
  const void* code_end;
} atl_program_info;

// Where a runtime call was made from. Generated code points the thread-local
// `atl_rt_where` (runtime/value/program.cpp) at a static one of these around
// every call of a runtime function that can stop the program on bad input
// (charAt out of range, floatToInt of a huge value, comparing a function,
// getLine at end of input...), so the runtime error names the source
// location; it is NULL elsewhere.
typedef struct atl_source_location {
  const char* file;
  uint32_t line;
  uint32_t column;
} atl_source_location;

// One entry of atl_program_info's function table: a function's first
// instruction, its name and where it is defined.
typedef struct atl_function_site {
  const void* code;
  const char* name;
  atl_source_location where;
} atl_function_site;

// ---- value encoding (inline; the compiler emits the same sequences) -------

static inline atl_value atl_int(int64_t n) { return ((uint64_t)n << 1) | 1u; }
static inline int64_t atl_int_get(atl_value v) { return (int64_t)v >> 1; }
static inline int atl_is_int(atl_value v) { return (int)(v & 1u); }
static inline atl_value atl_nullary(uint32_t desc) { return ((uint64_t)desc << 3) | 2u; }
static inline int atl_is_nullary(atl_value v) { return (v & 7u) == 2u; }
static inline uint32_t atl_nullary_desc(atl_value v) { return (uint32_t)(v >> 3); }
static inline atl_value atl_char(uint32_t cp) { return ((uint64_t)cp << 3) | 6u; }
static inline int atl_is_char(atl_value v) { return (v & 7u) == 6u; }
static inline uint32_t atl_char_get(atl_value v) { return (uint32_t)(v >> 3); }
static inline int atl_is_ptr(atl_value v) { return v != 0 && (v & 7u) == 0; }
static inline atl_value atl_bool(int b) { return atl_nullary(b ? ATL_DESC_TRUE : ATL_DESC_FALSE); }
static inline atl_value atl_unit(void) { return atl_nullary(ATL_DESC_UNIT); }

typedef uint64_t atl_header;

// Descriptor bits of a MUTARRAY header: word elements, or packed Bool bytes.
enum atl_mutarray_layout {
  ATL_MUTARRAY_WORDS = 0,
  ATL_MUTARRAY_BOOL_BYTES = 1,
};

static inline atl_header atl_make_header(uint32_t kind, uint32_t desc, uint32_t size) {
  return (uint64_t)kind | ((uint64_t)(desc & 0xFFFFFFu) << 8) | ((uint64_t)size << 32);
}
static inline uint32_t atl_header_kind(atl_header h) { return (uint32_t)(h & 0xFFu); }
static inline uint32_t atl_header_desc(atl_header h) { return (uint32_t)((h >> 8) & 0xFFFFFFu); }
static inline uint32_t atl_header_size(atl_header h) { return (uint32_t)(h >> 32); }

typedef struct atl_object {
  atl_header header;
  atl_value fields[];  // CON/REF/ARRAY/MUTARRAY payload; see layout above
} atl_object;

typedef struct atl_string {
  atl_header header;  // kind STRING, size = byte length
  char bytes[];       // UTF-8, NUL-terminated
} atl_string;

typedef struct atl_bytes {
  atl_header header;      // kind BYTES, size = byte count
  unsigned char bytes[];  // any bytes, then a NUL (not counted)
} atl_bytes;

struct atl_source_location;
typedef struct atl_handle {
  atl_header header;                            // kind HANDLE, size 2 (allocated pointer-free)
  int64_t fd;                                   // -1 once closed
  const struct atl_source_location* opened_at;  // static data, for the collector's warning
} atl_handle;

typedef struct atl_float {
  atl_header header;  // kind FLOAT, size 1
  double value;
} atl_float;

typedef struct atl_closure {
  atl_header header;  // kind CLOSURE, desc = arity, size = 1 + captured count
  void* code;         // atl_value code(atl_closure* self, atl_value a1, ..., atl_value aN)
  atl_value env[];
} atl_closure;

static inline atl_object* atl_ptr(atl_value v) { return (atl_object*)(uintptr_t)v; }
static inline atl_value atl_from_ptr(const void* p) { return (atl_value)(uintptr_t)p; }

#ifdef __cplusplus
}  // extern "C"
#endif

// Checked by C++ and C compilers alike (runtime/rt/abi_check.c compiles the
// header as C11).
ATL_ABI_ASSERT(sizeof(atl_value) == 8);
ATL_ABI_ASSERT(sizeof(atl_header) == 8);
ATL_ABI_ASSERT(sizeof(atl_object) == 8);
ATL_ABI_ASSERT(offsetof(atl_string, bytes) == 8);
ATL_ABI_ASSERT(offsetof(atl_bytes, bytes) == 8);
ATL_ABI_ASSERT(sizeof(atl_handle) == 24);
ATL_ABI_ASSERT(offsetof(atl_handle, fd) == 8);
ATL_ABI_ASSERT(sizeof(atl_float) == 16);
ATL_ABI_ASSERT(offsetof(atl_float, value) == 8);
ATL_ABI_ASSERT(offsetof(atl_closure, code) == 8);
ATL_ABI_ASSERT(offsetof(atl_closure, env) == 16);
ATL_ABI_ASSERT(sizeof(atl_descriptor) == 40);
ATL_ABI_ASSERT(offsetof(atl_descriptor, name) == 0);
ATL_ABI_ASSERT(offsetof(atl_descriptor, arity) == 8);
ATL_ABI_ASSERT(offsetof(atl_descriptor, shape) == 12);
ATL_ABI_ASSERT(offsetof(atl_descriptor, type_id) == 16);
ATL_ABI_ASSERT(offsetof(atl_descriptor, index) == 20);
ATL_ABI_ASSERT(offsetof(atl_descriptor, field_names) == 24);
ATL_ABI_ASSERT(offsetof(atl_descriptor, raw_fields) == 32);
ATL_ABI_ASSERT(sizeof(atl_program_info) == 64);
ATL_ABI_ASSERT(offsetof(atl_program_info, functions) == 32);
ATL_ABI_ASSERT(offsetof(atl_program_info, function_count) == 40);
ATL_ABI_ASSERT(offsetof(atl_program_info, code_begin) == 48);
ATL_ABI_ASSERT(offsetof(atl_program_info, code_end) == 56);
ATL_ABI_ASSERT(sizeof(atl_function_site) == 32);
ATL_ABI_ASSERT(offsetof(atl_function_site, where) == 16);
ATL_ABI_ASSERT(offsetof(atl_program_info, descriptors) == 0);
ATL_ABI_ASSERT(offsetof(atl_program_info, descriptor_count) == 8);
ATL_ABI_ASSERT(offsetof(atl_program_info, static_begin) == 16);
ATL_ABI_ASSERT(offsetof(atl_program_info, static_end) == 24);
ATL_ABI_ASSERT(sizeof(atl_source_location) == 16);
ATL_ABI_ASSERT(offsetof(atl_source_location, line) == 8);
ATL_ABI_ASSERT(offsetof(atl_source_location, column) == 12);

#endif  // ATOLL_ABI_H
