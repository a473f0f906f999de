// MVars: cells shared between threads, holding at most one value.
//
// An MVar is a core (on the GC heap, traced, so what it holds stays alive)
// and a handle (the Atoll value, an object of kind ATL_KIND_MVAR pointing at
// its core). The core counts its references: one per handle, plus any a host
// holds. A handle's finalizer drops its reference; when the count reaches
// zero the core releases its contents and is freed at once. A cycle (an MVar
// whose contents reach its own handle, directly or through other MVars) is
// found by the collector like any unreachable handle, since the core is not
// a root: the finalizers of the whole cycle run and each core is freed.
// Finalizers run only at safe points (RunFinalizers), never inside an
// operation that holds a core's lock.
//
// Blocking goes through the IO layer's Trigger (runtime/io/trigger.h), so
// an operation parks the calling fiber or thread on whatever scheduler runs
// it. Waiters live on the waiting execution's stack and are served in FIFO
// order; a put hands its value straight to the first waiting taker. Every
// wait can end by its deadline (TimedOut) or by a cancellation request of
// the execution (Cancelled); a wait that ends so leaves no registration
// behind, and an operation that was served while its wait was ending
// still counts as done (Ok).
//
// deallocateMVar frees the contents at once and marks the core dead; every
// later operation, and every waiter parked on it, gets Deallocated (the
// language turns that into a runtime error naming the operation).
//
// Invariants of a core (under its lock): takers waiting => empty;
// putters waiting => full; dead => empty with no waiters.
#ifndef ATOLL_RUNTIME_MVAR_MVAR_H
#define ATOLL_RUNTIME_MVAR_MVAR_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/abi/atoll_abi.h"
#include "runtime/io/clock.h"

namespace atl::mvar {

enum class Status : uint8_t {
  Ok,
  WouldBlock,   // a try-operation found the MVar empty (take) or full (put)
  TimedOut,     // the deadline passed first
  Cancelled,    // the execution's cancellation was requested while it waited
  Deallocated,  // the MVar was deallocated (before or during the wait)
};

struct Core;

// A new MVar holding `initial`, or empty when initial == 0. Returns its handle.
atl_value New(atl_value initial);
// The core behind a handle.
Core* CoreOf(atl_value handle);
// A reference that is not a handle (a host's): the core lives while it is held.
void Retain(Core* c);
void Release(Core* c);

// Deadlock detection. In a compiled program only its own threads can fill
// or empty its MVars, so once every thread is parked in an MVar wait that
// only another thread could end, none of them ever wakes. The language
// runtime counts its threads (ThreadStarted, ThreadEnded) and hands each
// wait that has no deadline a StuckWait; the wait counts as stuck from when
// it parks until a server or deallocateMVar ends it (so a thread that was
// served but has not run yet never counts), or it leaves on its own. When
// the stuck waits are as many as the threads, `report` is called by a
// thread that ends, or by a waiting thread once its trigger is findable,
// and returns only when it finds a wait can end
// after all (a `timeout` around it; its timer ends the wait, and the count
// with it). The trigger a stuck wait parks on carries the StuckWait as its
// tag, so the report finds each thread's wait through its CancelState. Off
// until EnableDeadlockDetection: an embedding host can call in and fill an
// MVar at any time (runtime/embed never enables it).
class StuckWait {
 public:
  StuckWait(const char* op, const void* at) : op(op), at(at) {}
  StuckWait(const StuckWait&) = delete;
  StuckWait& operator=(const StuckWait&) = delete;
  bool Stuck() const { return state_.load(std::memory_order_acquire) == kCounted; }
  // The wait has parked (called by the waiting thread): counted, unless it
  // ended already (a takeAny's arm was served while the others were queued).
  void Park();
  // The wait is over: by whoever ended it (its server, under the core's
  // lock; the winner of a takeAny's claim; the waiter leaving on its own).
  void End();

  const char* const op;  // for the report: "takeMVar", ...
  const void* const at;  // the caller's: the operation's source location

 private:
  static constexpr uint8_t kNone = 0, kCounted = 1, kEnded = 2;
  std::atomic<uint8_t> state_{kNone};
};
void EnableDeadlockDetection(void (*report)());
void ThreadStarted();
void ThreadEnded();

// A deadline in the past makes an operation a try-operation (WouldBlock
// instead of waiting); io::Deadline::never() waits as long as it takes.
// `stuck` (optional, see above) is given only with a deadline of never.
Status Put(Core* c, atl_value v, io::Deadline deadline, StuckWait* stuck = nullptr);
Status Take(Core* c, atl_value* out, io::Deadline deadline, StuckWait* stuck = nullptr);
Status Read(Core* c, atl_value* out, io::Deadline deadline, StuckWait* stuck = nullptr);
// Takes from the first MVar of `cores` that has a value (in list order when
// several have one); `index` says which. Deallocated names the dead one in
// `index`.
Status TakeAny(std::span<Core* const> cores, io::Deadline deadline, size_t* index, atl_value* out,
               StuckWait* stuck = nullptr);
// Frees the contents now and marks the core dead; Deallocated if it was already.
Status Deallocate(Core* c);

// Parked takers, readers and takeAny arms plus parked putters (for tests).
size_t Waiting(Core* c);

// Runs the finalizers the collector has queued (handles it found
// unreachable). Call where no core lock is held; cheap when none are queued.
void RunFinalizers();
// Makes the collector queue finalizers for RunFinalizers instead of running
// them inside an allocation. Other objects with finalizers (file handles,
// runtime/rt/file_prims.cpp) call it before registering theirs.
void SetUpFinalizers();

// How puts handed values over, and how MVars ended. Counted for the whole
// process; read with GetStats, printed with ATOLL_GC_STATS.
struct Stats {
  uint64_t created = 0;
  uint64_t puts_static = 0;   // static data: never copied
  uint64_t puts_donated = 0;  // the put was its thread's last act
  uint64_t puts_copied = 0;   // deep-copied
  uint64_t bytes_copied = 0;
  uint64_t freed_by_count = 0;  // the last reference went (handle collected)
  uint64_t freed_in_cycle = 0;  // ... while its contents still reached itself
  uint64_t freed_by_deallocate = 0;
};
Stats GetStats();
// Counts one put by its send kind (check::SendKind order: 0 static, 1
// donate, 2 copy) and the bytes a copy made.
void CountPut(uint32_t send_kind, uint64_t bytes_copied);

}  // namespace atl::mvar

extern "C" {
// Writes the MVar statistics: as text lines, or (json != 0) as the members
// `"mvars":{...}` of an enclosing object (no braces around them).
void atl_mvar_print_stats(int fd, int json);
}

#endif  // ATOLL_RUNTIME_MVAR_MVAR_H
