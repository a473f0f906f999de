// The seam between the IO layer and whatever scheduler runs the caller.
//
// A scheduler installs an Executor on each thread it runs code on. The IO
// layer asks the current Executor for exactly three things: how to block the
// current execution (Awaiter), which IoContext to register interest with, and
// the cancellation state of the current execution. Spawning and yielding are
// here too so `spawn`/`join`/`par` are scheduler independent.
// Threads with no Executor installed get the process-wide "threads" executor:
// they block on a futex and their IO is polled by a shared poller thread.
#pragma once

#include <functional>
#include <memory>

namespace atl::io {

class IoContext;
class CancelState;
struct JoinState;

// Blocks and resumes one execution (a fiber or a thread).
// Contract: for each await() exactly one release() happens, from any thread,
// possibly before await() is entered; await() returns only after it.
class Awaiter {
 public:
  virtual void release() noexcept = 0;
  virtual void await() noexcept = 0;

 protected:
  ~Awaiter() = default;
};

using Task = std::function<void()>;

class Executor {
 public:
  virtual ~Executor() = default;
  virtual Awaiter& prepare_for_await() = 0;  // the current execution's awaiter
  virtual IoContext& io_context() = 0;       // where the current execution polls
  virtual CancelState* cancel_state() = 0;   // null when not cancellable
  // Starts `task` concurrently; `join` is signalled when it ends.
  virtual void spawn(Task task, std::shared_ptr<JoinState> join) = 0;
  virtual void yield() = 0;  // let other runnable executions run
  virtual const char* name() const = 0;
};

// The executor of the calling thread (never null; see above).
Executor& current_executor();
// Installs `e` for the calling thread (null restores the default).
void set_current_executor(Executor* e);
// The default executor used by threads without one.
Executor& default_executor();

}  // namespace atl::io
