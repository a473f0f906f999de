// Fiber: a stackful coroutine on a pooled stack, switched with Boost.Context
// (fcontext). resume() goes from a worker's native stack to a fiber. A
// fiber that parks or ends jumps straight to the next fiber its host has
// ready (FiberHost::TakeNext), or to the native stack when there is none;
// either way the side it lands on runs the post action for it (park,
// requeue or destroy) once its context is saved, so a fiber is never
// runnable before it has really stopped.
//
// Boehm integration (after the technique Crystal uses with the same
// collector): a switch runs inside the switch fence (gc_roots.h), so no
// collection sees a half-switched thread; the thread's GC stack bottom is
// set to the running stack; suspended fiber stacks and the native stacks of threads that
// are running a fiber are pushed from one GC_set_push_other_roots hook with
// GC_push_all_eager(sp, bottom).
//
// The Fiber object lives at the top of its own stack (inside the range the
// GC scans, so a GC pointer passed as `arg` stays alive).
#pragma once

#include <atomic>
#include <boost/context/detail/fcontext.hpp>
#include <cstdint>
#include <memory>

#include "runtime/io/cancel.h"
#include "runtime/io/executor.h"
#include "runtime/io/fiber_api.h"
#include "runtime/sched/stack_pool.h"

namespace atl::sched {

class Fiber;
struct ThreadCtx;

// Where a runnable fiber goes (a ws worker, the loop).
class FiberHost {
 public:
  virtual void MakeReady(Fiber* f) = 0;  // any thread
  // On the host's thread, from a fiber that is about to park or end: a
  // ready fiber to run next in its place (a direct switch), or null to go
  // back to the host's loop (nothing ready, or the loop is due to poll).
  virtual Fiber* TakeNext() = 0;

 protected:
  ~FiberHost() = default;
};

// The part of an io::Executor every fiber scheduler (ws, loop) shares: the
// running fiber blocks by parking on its awaiter, its JoinState is its
// execution state, and yield() sends it to the back of its host's queue.
// Outside a fiber (on the scheduler's own stack) there is nothing to block.
class FiberExecutor : public io::Executor, public FiberHost {
 public:
  io::Awaiter& PrepareForAwait() override;
  io::JoinState* current_join() override;
  void Yield() override;

 protected:
  ~FiberExecutor() = default;
};

// The awaiter of a fiber: parks it on await, hands it to its host on release.
// st_: 0 running, 1 parked, 2 released (exactly one of the two sides sees the
// other's mark and makes the fiber ready).
class FiberAwaiter final : public io::Awaiter {
 public:
  explicit FiberAwaiter(Fiber* f) : fiber_(f) {}
  void Reset() { st_.store(0, std::memory_order_relaxed); }
  void Release() noexcept override;
  void Await() noexcept override;
  // Runs on the native stack after the fiber stopped.
  void ParkAfterSwitch();

 private:
  Fiber* fiber_;
  std::atomic<int> st_{0};
};

class Fiber {
 public:
  // Creates a fiber that will run task (on first resume), on a pooled stack
  // or, when stack_bytes != 0, on a stack of that size. Never null.
  static Fiber* Create(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes = 0);
  static void Destroy(Fiber* f);

  FiberAwaiter& awaiter() { return awaiter_; }
  io::JoinState* join_state() { return join_.get(); }
  FiberHost* host = nullptr;  // last host that ran it; set before resume
  Fiber* next = nullptr;      // intrusive link for run queues
  const Stack& stack() const { return stack_; }

 private:
  friend void Resume(Fiber* f, FiberHost* host);
  friend void Install(ThreadCtx& tc, Fiber* f);
  friend void SuspendPark();
  friend void SuspendYield();
  friend struct SwitchImpl;
  Fiber(io::Task task, std::shared_ptr<io::JoinState> join, Stack stack);

  boost::context::detail::fcontext_t ctx_ = nullptr;  // saved context while not running
  Stack stack_;
  bool running_ = false;
  bool finished_ = false;
  io::Task task_;
  std::shared_ptr<io::JoinState> join_;
  FiberAwaiter awaiter_{this};
  Fiber* gc_prev_ = nullptr;  // registry of live fibers (GC lock)
  Fiber* gc_next_ = nullptr;
  void* tsan_ = nullptr;  // ThreadSanitizer fiber, in TSan builds
  friend class GcRoots;
};

// Runs `f` on the calling (native) thread until it parks, yields or ends,
// then performs the post action: park, re-queue through f->host, or destroy.
void Resume(Fiber* f, FiberHost* host);
void SuspendPark();   // from a fiber: stop until its awaiter is released
void SuspendYield();  // from a fiber: go to the back of the run queue

Fiber* CurrentFiber();  // null on a native stack

// Per-thread setup for threads that run fibers (registers the native stack
// with the GC hook and installs the overflow handler's alternate stack).
void EnterFiberThread();
void LeaveFiberThread();
// Installs the alternate signal stack and the overflow handler on this thread.
void CatchOverflows();
// For a thread that is itself an execution (the threads scheduler): an
// overflow into the guard below its stack is reported for `execution`.
void WatchThreadStack(io::JoinState* execution);

// Called (on the alternate signal stack) when the running fiber overflows
// its stack, with its execution state and the program counter that
// overflowed (null when unknown); a language runtime reports the error and
// ends the process. Without one (or if it returns) the runtime prints a
// line and aborts.
using OverflowReporter = void (*)(io::JoinState* execution, const void* pc);
void SetOverflowReporter(OverflowReporter r);

// Initialises Boehm for threads and installs the root hook (idempotent).
void GcSetup();
// Allows threads to register with the collector (GC_allow_register_threads,
// which starts Boehm's marker threads). Not part of GcSetup: a scheduler
// whose only thread is the caller's (ws until its first spawn, loop) has
// none to register. Called by whoever starts a thread that will register,
// from a registered thread, and by a thread that enters as a fiber thread
// without being registered. Idempotent.
void AllowGcThreads();
// Statistics for tests and benchmarks.
size_t LiveFibers();

}  // namespace atl::sched

extern "C" {
// The running fiber's stack limit (null on a native stack): 4 KiB above the
// guard, so a check `sp < limit` (after reserving its own frame) leaves room
// for atl_stack_overflow to report.
void* atl_fiber_stack_limit(void);
// Called by generated code when that check fails; prints and aborts.
[[noreturn]] void atl_stack_overflow(void);
}
