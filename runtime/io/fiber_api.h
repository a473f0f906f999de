// Fibers, scheduler independent: spawn / join / cancel, par, yield.
//
// Spawn() asks the current executor to run a task concurrently (a fiber on
// ws and loop, an OS thread on threads). A handle has one joiner; join() is
// not cancellable (it waits inside `Forbid`). cancel() requests cancellation
// of the spawned execution: its cancellable waits return Cancelled from then
// on. An exception escaping a task is kept and rethrown by join().
#pragma once

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include "runtime/io/cancel.h"
#include "runtime/io/executor.h"
#include "runtime/io/trigger.h"

namespace atl::io {

// The state of one execution, shared by the executor running it and its
// joiner. `local` belongs to whatever language runtime runs on top (the
// Atoll thread record of runtime/rt); the IO layer never reads it.
struct JoinState {
  Trigger done;
  CancelState cancel;
  std::exception_ptr error;
  void* local = nullptr;
};

// Runs `task` with `join` as the execution's state: catches, then signals done.
void RunTask(Task& task, JoinState& join) noexcept;

class FiberHandle {
 public:
  FiberHandle() = default;
  explicit FiberHandle(std::shared_ptr<JoinState> j) : j_(std::move(j)) {}
  void Join();  // waits for the end; rethrows the task's exception
  void Cancel() { j_->cancel.Request(); }
  bool Done() const { return j_->done.is_signalled(); }
  bool valid() const { return j_ != nullptr; }

 private:
  std::shared_ptr<JoinState> j_;
};

// Starts `task` on `executor` (a fiber on ws and loop, a thread on threads).
FiberHandle SpawnOn(Executor& executor, Task task, size_t stack_bytes = 0);
// The same on the current executor.
FiberHandle Spawn(Task task);
inline void Yield() { CurrentExecutor().Yield(); }

// Joins a handle on scope exit unless already joined (so a throwing `f`
// never leaves `g` running against a dead frame).
class JoinGuard {
 public:
  explicit JoinGuard(FiberHandle& h) : h_(h) {}
  ~JoinGuard() {
    if (!joined_) {
      try {
        h_.Join();
      } catch (...) {
      }
    }
  }
  void Join() {
    joined_ = true;
    h_.Join();
  }
  JoinGuard(const JoinGuard&) = delete;
  JoinGuard& operator=(const JoinGuard&) = delete;

 private:
  FiberHandle& h_;
  bool joined_ = false;
};

// Fork-join: runs g concurrently with f (g may run on another worker).
// Returns {f(), g()}; both must return a value (use a dummy for effects).
template <class F, class G>
auto Par(F&& f, G&& g) {
  using A = decltype(f());
  using B = decltype(g());
  B b{};
  FiberHandle h = Spawn([&] { b = g(); });
  JoinGuard guard(h);
  A a = f();
  guard.Join();
  return std::pair<A, B>(std::move(a), std::move(b));
}

}  // namespace atl::io
