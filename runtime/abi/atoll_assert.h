// ATL_ABI_ASSERT: a static assertion that C++ and C11 compilers both check
// (the ABI headers are compiled as C too, runtime/rt/abi_check.c and
// runtime/abi/region_abi_check.c), so a layout only one language accepts
// fails the build.
#ifndef ATOLL_ABI_ASSERT_H
#define ATOLL_ABI_ASSERT_H

#ifdef __cplusplus
#define ATL_ABI_ASSERT(cond) static_assert(cond, #cond)
#else
#define ATL_ABI_ASSERT(cond) _Static_assert(cond, #cond)
#endif

#endif  // ATOLL_ABI_ASSERT_H
