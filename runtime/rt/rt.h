// Program entry and the primitives generated code calls directly.
//
// A compiled program's C `main` is emitted by compiler/lower as
//   int main(int argc, char** argv) { return atl_rt_main(&info, atl_main, argc, argv); }
// where atl_main is the Atoll `main` action (Effect s Nondeterministic ())
// compiled with token passing: it takes the root region handle.
//
// Effectful primitives take, after their Atoll arguments, the source
// location of the call (for runtime errors; it is passed, not kept in a
// thread-local, because a blocked thread may resume on another OS thread)
// and, last, the region handle of their effect (most ignore it). Those that
// wait (stdin, files, sleep, MVars, timeout) park the calling Atoll thread
// through the IO layer, never its worker thread.
#ifndef ATOLL_RUNTIME_RT_RT_H
#define ATOLL_RUNTIME_RT_RT_H

#include <stdint.h>

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef const atl_source_location* atl_where;

// An Effect-returning function's extra parameter: the handle of the region
// its effects allocate in (an atl_region*, see runtime/region/region.h).
typedef atl_value (*atl_entry_fn)(void* region);

// Initialises the GC and the value layer (descriptor table), then runs
// `entry` as the main thread, in a root region, on the scheduler chosen by
// ATOLL_SCHED (runtime/rt/thread.h). Does not return: the process ends when
// main returns (status 0; other threads are not awaited) or calls exit.
int atl_rt_main(const atl_program_info* info, atl_entry_fn entry, int argc, char** argv);

// `print s` (with a newline) and `putStr s`. Return ().
atl_value atl_rt_print(atl_value s, atl_where at, void* region);
atl_value atl_rt_put_str(atl_value s, atl_where at, void* region);

// Input, files, arguments, time. Results that can fail are pairs
// (ok : Bool, value-or-error-message); lib/Prelude.atl wraps them.
void atl_rt_set_args(int argc, char** argv);  // atl_rt_main does this
atl_value atl_rt_read_line(atl_where at, void* region);                             // (Bool, String)
atl_value atl_rt_get_line(atl_where at, void* region);                              // String; error at end of input
atl_value atl_rt_read_file(atl_value path, atl_where at, void* region);             // (Bool, String)
atl_value atl_rt_write_file(atl_value path, atl_value text, atl_where at, void* region);  // (Bool, String)
atl_value atl_rt_args(atl_where at, void* region);                                  // List String (without argv[0])
atl_value atl_rt_sleep(atl_value ms, atl_where at, void* region);                   // ()
atl_value atl_rt_monotonic_nanos(atl_where at, void* region);                       // Int

// Threads. `forkIO action`: `action` (a closure taking a region handle)
// runs as a new thread with a root region of its own. Returns ().
atl_value atl_rt_fork(atl_value action, atl_where at, void* region);
// `primTimeout ms action` (Prelude: timeout): (True, result), or (False, ())
// when ms passed first; the action is cancelled at its next blocking point
// and every region it opened is closed. ms < 0: no limit.
atl_value atl_rt_timeout(atl_value ms, atl_value action, atl_where at, void* region);

// MVars (runtime/mvar). `kind` is the put site's send kind (0 static data,
// 1 donated: the put is its thread's last act, 2 copied), decided by the
// checker (compiler/check/sends.cpp). Timeouts are in ms, negative = none.
atl_value atl_mvar_new(atl_value v, atl_where at, void* region);
atl_value atl_mvar_new_empty(atl_where at, void* region);
atl_value atl_mvar_put(atl_value m, atl_value v, uint64_t kind, atl_where at, void* region);        // ()
atl_value atl_mvar_try_put(atl_value m, atl_value v, uint64_t kind, atl_where at, void* region);    // Bool
atl_value atl_mvar_put_timeout(atl_value m, atl_value v, atl_value ms, uint64_t kind, atl_where at,
                               void* region);                                                       // Bool
atl_value atl_mvar_take(atl_value m, atl_where at, void* region);
atl_value atl_mvar_read(atl_value m, atl_where at, void* region);
atl_value atl_mvar_try_take(atl_value m, atl_where at, void* region);                    // (Bool, a)
atl_value atl_mvar_take_timeout(atl_value m, atl_value ms, atl_where at, void* region);  // (Bool, a)
atl_value atl_mvar_take_any(atl_value ms_list, atl_value ms, atl_where at, void* region);  // (Bool, (Int, a))
atl_value atl_mvar_deallocate(atl_value m, atl_where at, void* region);                  // ()

// Stops the program with "FILE:LINE:COL: runtime error: MSG" on stderr and
// exit status 1 (ATL_RT_FAIL_STATUS), after flushing stdout.
#define ATL_RT_FAIL_STATUS 1
__attribute__((noreturn)) void atl_rt_fail(const char* msg, const char* file, uint32_t line,
                                           uint32_t col);

// `exit n`: flushes stdout and ends the process with status n (0..255;
// another n is a runtime error).
__attribute__((noreturn)) void atl_rt_exit(atl_value status, atl_where at);

// parST: runs the two actions (closures taking a region handle) each in a
// fresh region, in parallel (the left one as a new thread), and returns the
// pair of their results. `site` names the regions (file:line).
atl_value atl_rt_par_st(atl_value left, atl_value right, const char* site, atl_where at);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_RT_RT_H
