// `show : a -> String` for every immutable value, in source syntax:
// 42, -1, 1.5, True, 'c', "text" (quoted, escaped), [1, 2, 3], (1, "a"),
// Just (Rect 3 4), { x = 1, y = 2 } (fields in declaration order), ().
//
// Constructors, tuples and records are named by the program's descriptor
// table, installed once at start-up with atl_set_program_info.
#ifndef ATOLL_RUNTIME_VALUE_SHOW_H
#define ATOLL_RUNTIME_VALUE_SHOW_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// Installs the program's descriptor table and static-data bounds. The table
// must outlive the program (the compiler emits it as a constant). Ids 0..2
// (() False True) work even before this is called.
void atl_set_program_info(const atl_program_info* info);

// The source location of the runtime call in progress, when generated code
// set one (see atl_source_location in runtime/abi/atoll_abi.h); runtime
// errors name it.
extern thread_local const atl_source_location* atl_rt_where;
const atl_program_info* atl_get_program_info(void);

// Returns the source-syntax rendering of v as a new string value.
atl_value atl_show(atl_value v);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_SHOW_H
