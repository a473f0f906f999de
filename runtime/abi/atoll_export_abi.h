// The ABI between a library's generated code and the embedding runtime
// (docs/embedding.md). Plain C, included by compiler/lower and runtime/embed.
//
// `atoll build --emit=lib` emits, instead of a C `main`:
//
//   - one atl_export per `export`ed function, with a trampoline that runs
//     it on Atoll values: `call(region, args)` applies the function to
//     args[0..arity) (boxed Floats included) and, for an action, runs it in
//     `region`; it returns the (boxed) result;
//   - a C function per export, `int PREFIX_NAME(<C params>..., out)`, which
//     stores its C arguments as 64-bit words (integers widened, a double's
//     bits, pointers) and returns atl_embed_call(&export, words, out);
//   - `atl_embed_program`, naming the program's descriptor table and the
//     exports; runtime/embed finds it when the host calls atoll_start().
//
// Values cross the boundary by `codes` (compiler/check/check.h,
// BoundaryCode): one code per parameter, then '>', then the result's code.
#ifndef ATOLL_EXPORT_ABI_H
#define ATOLL_EXPORT_ABI_H

#include <stdint.h>

#include "runtime/abi/atoll_abi.h"
#include "runtime/abi/atoll_assert.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef atl_value (*atl_export_fn)(void* region, const atl_value* args);

typedef struct atl_export {
  const char* name;    // the Atoll name
  const char* c_name;  // the C function the header declares
  atl_export_fn call;  // the trampoline
  const char* codes;   // "<param codes>><result code>"
  uint32_t arity;      // parameters (the number of words the C function stores)
  uint32_t action;     // 1: an action, run as a thread; the host gets a promise
} atl_export;

typedef struct atl_embed_program {
  const atl_program_info* info;
  const atl_export* exports;
  uint32_t export_count;
  uint32_t reserved;
} atl_embed_program;

// Defined by the generated code of a library (absent from executables).
extern const atl_embed_program atl_embed_program_data;

// Called by the generated C functions; returns an atoll_status
// (runtime/abi/atoll_embed.h). `out` is where the C result goes (unused
// when the result is () and the export is not an action).
int atl_embed_call(const atl_export* e, const uint64_t* words, void* out);

// Most parameters an export may have (compiler/check/exports.cpp).
#define ATL_EXPORT_MAX_PARAMS 16

ATL_ABI_ASSERT(sizeof(atl_export) == 40);
ATL_ABI_ASSERT(offsetof(atl_export, c_name) == 8);
ATL_ABI_ASSERT(offsetof(atl_export, call) == 16);
ATL_ABI_ASSERT(offsetof(atl_export, codes) == 24);
ATL_ABI_ASSERT(offsetof(atl_export, arity) == 32);
ATL_ABI_ASSERT(offsetof(atl_export, action) == 36);
ATL_ABI_ASSERT(sizeof(atl_embed_program) == 24);
ATL_ABI_ASSERT(offsetof(atl_embed_program, exports) == 8);
ATL_ABI_ASSERT(offsetof(atl_embed_program, export_count) == 16);

#ifdef __cplusplus
}
#endif

#endif  // ATOLL_EXPORT_ABI_H
