// The scheduler-independent fiber API (fiber_api.h) and the per-thread
// executor slot (executor.h).
#include "runtime/io/fiber_api.h"

namespace atl::io {
namespace {
thread_local Executor* t_executor = nullptr;
}  // namespace

// Accessors are noipa: a fiber may migrate between threads, so the address
// of a thread_local must be recomputed after every call that may switch.
__attribute__((noipa)) Executor& CurrentExecutor() {
  return t_executor ? *t_executor : DefaultExecutor();
}
__attribute__((noipa)) void SetCurrentExecutor(Executor* e) { t_executor = e; }
__attribute__((noipa)) bool HasCurrentExecutor() { return t_executor != nullptr; }

CancelState* Executor::cancel_state() {
  JoinState* j = current_join();
  return j ? &j->cancel : nullptr;
}

void RunTask(Task& task, JoinState& join) noexcept {
  try {
    task();
  } catch (...) {
    join.error = std::current_exception();
  }
  join.done.Signal();
}

void FiberHandle::Join() {
  Forbid([&] { j_->done.Await(); });
  if (j_->error) std::rethrow_exception(j_->error);
}

FiberHandle SpawnOn(Executor& executor, Task task, size_t stack_bytes) {
  auto j = std::make_shared<JoinState>();
  executor.Spawn(std::move(task), j, stack_bytes);
  return FiberHandle(std::move(j));
}

FiberHandle Spawn(Task task) { return SpawnOn(CurrentExecutor(), std::move(task)); }

}  // namespace atl::io
