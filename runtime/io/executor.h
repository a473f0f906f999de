// The seam between the IO layer and whatever scheduler runs the caller.
//
// A scheduler installs an Executor on each thread it runs code on. The IO
// layer asks the current Executor for exactly three things: how to block the
// current execution (Awaiter), which IoContext to register interest with, and
// the state of the current execution (its cancellation, its join). Spawning
// and yielding are here too so `Spawn`/`join`/`Par` are scheduler independent.
//
// This folder only declares DefaultExecutor(): a scheduler library
// (runtime/sched, the "threads" executor) defines it. Threads with no
// Executor installed get it: they block on a futex and their IO is polled by
// a shared poller thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace atl::io {

class IoContext;
class CancelState;
struct JoinState;

// Blocks and resumes one execution (a fiber or a thread).
// Contract: for each Await() exactly one release() happens, from any thread,
// possibly before Await() is entered; Await() returns only after it.
class Awaiter {
 public:
  virtual void Release() noexcept = 0;
  virtual void Await() noexcept = 0;

 protected:
  ~Awaiter() = default;
};

using Task = std::function<void()>;

class Executor {
 public:
  virtual ~Executor() = default;
  virtual Awaiter& PrepareForAwait() = 0;  // the current execution's awaiter
  virtual IoContext& io_context() = 0;     // where the current execution polls
  // The state of the running execution: what Spawn() was given for it. Null
  // on a thread no executor started (then nothing can cancel or join it).
  virtual JoinState* current_join() = 0;
  CancelState* cancel_state();  // current_join()'s, or null
  // Starts `task` concurrently; `join` is signalled when it ends. Its stack
  // has the scheduler's default size, or `stack_bytes` when not 0. What the
  // task captures stays visible to the collector until it has run.
  virtual void Spawn(Task task, std::shared_ptr<JoinState> join, size_t stack_bytes = 0) = 0;
  virtual void Yield() = 0;  // let other runnable executions run
  virtual const char* name() const = 0;
};

// The executor of the calling thread (never null; see above).
Executor& CurrentExecutor();
// Installs `e` for the calling thread (null restores the default).
void SetCurrentExecutor(Executor* e);
// True when the calling thread has an executor installed (not the default).
bool HasCurrentExecutor();
// The default executor used by threads without one (defined by runtime/sched).
Executor& DefaultExecutor();

}  // namespace atl::io
