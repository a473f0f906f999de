// Program entry and the primitives generated code calls directly.
//
// A compiled program's C `main` is emitted by compiler/lower as
//   int main(int argc, char** argv) { return atl_rt_main(&info, atl_main, argc, argv); }
// where atl_main is the Atoll `main` action (Effect s Nondeterministic ())
// compiled with token passing: it takes the root region handle.
#ifndef ATOLL_RUNTIME_RT_RT_H
#define ATOLL_RUNTIME_RT_RT_H

#include <stdint.h>

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// An Effect-returning function's extra parameter: the handle of the region
// its effects allocate in (an atl_region*, see runtime/region/region.h).
typedef atl_value (*atl_entry_fn)(void* region);

// Initialises the GC and the value layer (descriptor table), runs `entry`
// in a root region that is closed when it returns, flushes stdout and
// returns the process exit status (0 when main returns).
int atl_rt_main(const atl_program_info* info, atl_entry_fn entry, int argc, char** argv);

// Effectful primitives take the region handle of their effect last (like
// every compiled effectful function); most ignore it.
//
// `print s`: writes the string and a newline to stdout (buffered; flushed at
// exit and before any runtime error). Returns ().
atl_value atl_rt_print(atl_value s, void* region);
// `putStr s`: writes the string without a newline. Returns ().
atl_value atl_rt_put_str(atl_value s, void* region);

// Input, files, arguments, time. Results that can fail are pairs
// (ok : Bool, value-or-error-message); lib/Prelude.atl wraps them.
// Records argc/argv for `args` (atl_rt_main does this).
void atl_rt_set_args(int argc, char** argv);
atl_value atl_rt_read_line(void* region);                 // (Bool, String)
atl_value atl_rt_get_line(void* region);                  // String; error at end of input
atl_value atl_rt_read_file(atl_value path, void* region);  // (Bool, String)
atl_value atl_rt_write_file(atl_value path, atl_value text, void* region);  // (Bool, String)
atl_value atl_rt_args(void* region);                      // List String (without argv[0])
atl_value atl_rt_sleep(atl_value ms, void* region);       // ()
atl_value atl_rt_monotonic_nanos(void* region);           // Int

// Stops the program with "FILE:LINE:COL: runtime error: MSG" on stderr and
// exit status 1 (ATL_RT_FAIL_STATUS), after flushing stdout.
#define ATL_RT_FAIL_STATUS 1
__attribute__((noreturn)) void atl_rt_fail(const char* msg, const char* file, uint32_t line,
                                           uint32_t col);

// `exit n`: flushes stdout and ends the process with status n (0..255).
__attribute__((noreturn)) void atl_rt_exit(atl_value status);

// parST: runs the two actions (closures taking a region handle) each in a
// fresh region, in parallel (the left one on a new thread), and returns the
// pair of their results. `site` names the regions (file:line).
atl_value atl_rt_par_st(atl_value left, atl_value right, const char* site);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_RT_RT_H
