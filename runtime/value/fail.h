// Runtime errors: the one way every layer of the runtime stops a program
// on bad input (division by zero, index out of bounds, a deallocated MVar,
// out of memory...). The message names the source location when one is
// known: "FILE:LINE:COL: runtime error: MESSAGE".
//
// The layer that runs programs (runtime/rt) installs a hook that adds the
// thread (its spawn site), flushes stdout and ends the process; without a
// hook the message goes to stderr and the process exits with status 1.
#ifndef ATOLL_RUNTIME_VALUE_FAIL_H
#define ATOLL_RUNTIME_VALUE_FAIL_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// Receives the location (may be NULL) and the message; must not return.
typedef void (*atl_error_hook)(const atl_source_location* at, const char* message);
void atl_set_error_hook(atl_error_hook hook);

__attribute__((noreturn, format(printf, 2, 3))) void atl_runtime_error(
    const atl_source_location* at, const char* fmt, ...);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_FAIL_H
