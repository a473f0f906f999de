// Calling function values (closures) of unknown arity: exact calls,
// partial application and over-application.
#ifndef ATOLL_RUNTIME_RT_APPLY_H
#define ATOLL_RUNTIME_RT_APPLY_H

#include <stdint.h>

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// Largest closure arity the compiler emits (parameters, not counting self).
#define ATL_MAX_CLOSURE_ARITY 8

// Applies the function value f to n >= 1 arguments. A closure of arity a
// (header desc) is called directly when n == a; when n < a the result is a
// partial application (a closure of arity a - n holding f and the
// arguments); when n > a the result of the first a arguments is applied to
// the rest. An action (Effect value) is a closure expecting the region
// handle as its last argument, so running one is applying it to the region.
atl_value atl_apply(atl_value f, uint32_t n, const atl_value* args);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_RT_APPLY_H
