// Atoll threads: `main`, every `forkIO` and each `parST` body, as
// executions of the scheduler chosen at start-up (runtime/sched).
//
// Each has a Thread record, kept as its execution's JoinState::local: its
// stack of open regions (so regions follow a fiber that moves between
// worker threads), its `timeout` scopes, and where it was started (named by
// runtime errors). A thread opens a root region when it starts and closes
// it when its action returns.
//
// `timeout ms action` (docs/runtime.md, "Timeouts"): the action runs in a
// scope with a timer; when the timer fires it requests cancellation of the
// thread, so its next blocking wait returns Cancelled and the primitive
// that waited calls Unwind(), which closes every region opened inside the
// outermost fired scope, disarms the timers of the scopes it leaves and
// jumps back to that scope's `timeout`, which returns Nothing. Between the
// timeout's frame and a blocking primitive there are only frames of
// generated code and of runtime functions without destructors.
#ifndef ATOLL_RUNTIME_RT_THREAD_H
#define ATOLL_RUNTIME_RT_THREAD_H

#include <csetjmp>
#include <cstddef>
#include <cstdint>

#include "runtime/abi/atoll_abi.h"
#include "runtime/io/executor.h"
#include "runtime/io/io_context.h"
#include "runtime/region/region.h"

namespace atl::rt {

struct TimeoutScope {
  TimeoutScope* parent = nullptr;
  atl_region* regions = nullptr;  // the thread's innermost region on entry
  io::Timeout timer;
  std::atomic<bool> fired{false};
  sigjmp_buf landing;
};

struct Thread {
  const char* kind = "main";                  // "main", "forkIO", "parST"
  const atl_source_location* site = nullptr;  // where it was started (null for main)
  atl_region* regions = nullptr;              // innermost open region
  TimeoutScope* scopes = nullptr;             // innermost timeout
  // Among the threads that may wait on MVars (main and forkIO's), with
  // their executions, for the deadlock report.
  io::JoinState* join = nullptr;
  Thread* prev = nullptr;
  Thread* next = nullptr;
};

// The running Atoll thread; null on a thread that is not one (the blocking
// pool, a C++ test).
Thread* Current();

// Starts up the runtime for a compiled program and runs `main` (an action:
// called with the root region) on the scheduler that ATOLL_SCHED chooses.
// Never returns: the process ends when main returns or calls exit.
[[noreturn]] void RunProgram(atl_value (*main)(void* region));

// What RunProgram installs before the first thread starts, for an embedding
// runtime (runtime/embed) that starts threads its own way: runtime errors
// and stack overflows reported as above, regions kept per thread.
void InstallHooks();

// Runs `action` (a closure taking the region handle) as a new thread that
// opens its own root region. kind/site name it in errors; stack_bytes 0 is
// the scheduler's default stack.
void Fork(atl_value action, const char* kind, const atl_source_location* site, size_t stack_bytes);

// parST: both actions in parallel, each in a fresh region of its own thread
// (the left one a new thread with main's stack size); their results.
void Parallel(atl_value left, atl_value right, const char* site_name,
              const atl_source_location* site, atl_value* left_result, atl_value* right_result);

// Runs `action` in the current region with a timeout (ms >= 0; negative:
// no limit). True and the result in *out when it finished in time.
bool RunWithTimeout(int64_t ms, atl_value action, void* region, atl_value* out);

// Called by a blocking primitive whose wait was cancelled: leaves the
// outermost fired `timeout` scope (see above). Returns only when no scope
// has fired (then the cancellation was not ours; the caller goes on).
void Unwind();
// After a blocking primitive returned normally: unwinds when a timeout of
// this thread fired meanwhile (a wait that could not be cancelled).
void CheckCancelled();

// Ends the process: flushes stdout, prints the statistics ATOLL_GC_STATS
// asks for, exits with `status`. Safe from any thread.
[[noreturn]] void Exit(int status);

// The stack size of main and of parST bodies: ATOLL_STACK_MB (MiB), or 1 GiB.
size_t MainStackBytes();

}  // namespace atl::rt

#endif  // ATOLL_RUNTIME_RT_THREAD_H
