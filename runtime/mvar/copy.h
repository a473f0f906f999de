// Deep copy of immutable value graphs, preserving sharing.
//
// Used to hand a value to another thread (MVar messages): the copy shares
// nothing mutable with the original. Static data (inside the program's
// static_begin..static_end, see atl_program_info) is never copied; MVar
// handles are shared, not copied; Ref and MutableArray cannot be copied
// (they are not sendable) and stop the program with a runtime error.
#ifndef ATOLL_RUNTIME_MVAR_COPY_H
#define ATOLL_RUNTIME_MVAR_COPY_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// A copy of v on the GC heap with the same shape and sharing: an object
// reachable twice from v is copied once and reached twice from the result.
atl_value atl_deep_copy(atl_value v);
// The same, adding the bytes of the objects it made (headers included) to *bytes.
atl_value atl_deep_copy_counted(atl_value v, uint64_t* bytes);

// Distinct heap objects reachable from v and their bytes (headers included),
// static data and MVar handles excluded. For tests and statistics.
typedef struct atl_graph_size {
  uint64_t objects;
  uint64_t bytes;
} atl_graph_size;

void atl_value_graph_size(atl_value v, atl_graph_size* out);

// True when v points into the program's static object section.
int atl_is_static(atl_value v);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_MVAR_COPY_H
