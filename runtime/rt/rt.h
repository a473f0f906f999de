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
void atl_rt_set_args(int argc, char** argv);             // atl_rt_main does this
atl_value atl_rt_read_line(atl_where at, void* region);  // (Bool, String)
atl_value atl_rt_get_line(atl_where at, void* region);   // String; error at end of input
atl_value atl_rt_read_file(atl_value path, atl_where at, void* region);  // (Bool, String)
atl_value atl_rt_write_file(atl_value path, atl_value text, atl_where at,
                            void* region);                         // (Bool, String)
atl_value atl_rt_args(atl_where at, void* region);                 // List String (without argv[0])
atl_value atl_rt_sleep(atl_value ms, atl_where at, void* region);  // ()
atl_value atl_rt_monotonic_nanos(atl_where at, void* region);      // Int
atl_value atl_rt_wall_nanos(atl_where at, void* region);           // Int

// Sockets, DNS and files as the Net, Dns and File modules see them
// (net_prims.cpp, file_prims.cpp). Results are pairs (error, value): the
// error is "" on success, else a message ("connect 127.0.0.1:9: Connection
// refused") and the value a placeholder of its type. Sockets are
// descriptors (Int); `deadline` is an absolute CLOCK_MONOTONIC time in ns,
// negative for none. A cancelled wait (timeout) unwinds.
atl_value atl_rt_tcp_listen(atl_value host, atl_value port, atl_value backlog, atl_where at,
                            void* region);  // (String, Int)
atl_value atl_rt_tcp_accept(atl_value fd, atl_value deadline, atl_where at,
                            void* region);  // (String, Int)
atl_value atl_rt_tcp_connect(atl_value host, atl_value port, atl_value deadline, atl_where at,
                             void* region);  // (String, Int)
// At most `max` bytes (empty at end of stream), or exactly `max` when `exact`.
atl_value atl_rt_socket_recv(atl_value fd, atl_value max, atl_value exact, atl_value deadline,
                             atl_where at,
                             void* region);  // (String, Bytes)
// One send (the count it took), or every byte when `all`.
atl_value atl_rt_socket_send(atl_value fd, atl_value bytes, atl_value all, atl_value deadline,
                             atl_where at,
                             void* region);  // (String, Int)
atl_value atl_rt_socket_shutdown(atl_value fd, atl_value how, atl_where at,
                                 void* region);                           // (String, ())
atl_value atl_rt_socket_close(atl_value fd, atl_where at, void* region);  // (String, ())
atl_value atl_rt_socket_address(atl_value fd, atl_value peer, atl_where at,
                                void* region);                         // (String, (String, Int))
atl_value atl_rt_resolve(atl_value host, atl_where at, void* region);  // (String, List String)
atl_value atl_rt_open_descriptors(atl_where at, void* region);         // Int
atl_value atl_rt_descriptor_limit(atl_where at, void* region);         // Int: RLIMIT_NOFILE (soft)
atl_value atl_rt_read_file_bytes(atl_value path, atl_where at, void* region);  // (String, Bytes)
atl_value atl_rt_write_file_bytes(atl_value path, atl_value bytes, atl_value append, atl_where at,
                                  void* region);  // (String, ())
// mode: 0 read, 1 write (create or truncate), 2 append (create).
atl_value atl_rt_file_open(atl_value path, atl_value mode, atl_where at,
                           void* region);  // (String, FileHandle)
atl_value atl_rt_file_read(atl_value file, atl_value max, atl_where at,
                           void* region);  // (String, Bytes)
atl_value atl_rt_file_write(atl_value file, atl_value bytes, atl_where at,
                            void* region);                                // (String, ())
atl_value atl_rt_file_close(atl_value file, atl_where at, void* region);  // (String, ())

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
atl_value atl_mvar_put(atl_value m, atl_value v, uint64_t kind, atl_where at, void* region);  // ()
atl_value atl_mvar_try_put(atl_value m, atl_value v, uint64_t kind, atl_where at,
                           void* region);  // Bool
atl_value atl_mvar_put_timeout(atl_value m, atl_value v, atl_value ms, uint64_t kind, atl_where at,
                               void* region);  // Bool
atl_value atl_mvar_take(atl_value m, atl_where at, void* region);
atl_value atl_mvar_read(atl_value m, atl_where at, void* region);
atl_value atl_mvar_try_take(atl_value m, atl_where at, void* region);  // (Bool, a)
atl_value atl_mvar_take_timeout(atl_value m, atl_value ms, atl_where at,
                                void* region);  // (Bool, a)
atl_value atl_mvar_take_any(atl_value ms_list, atl_value ms, atl_where at,
                            void* region);                               // (Bool, (Int, a))
atl_value atl_mvar_deallocate(atl_value m, atl_where at, void* region);  // ()

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
