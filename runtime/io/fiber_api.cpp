// The scheduler-independent fiber API (fiber_api.h) and the per-thread
// executor slot (executor.h).
#include "runtime/io/fiber_api.h"

namespace atl::io {
namespace {
thread_local Executor* t_executor = nullptr;
}  // namespace

// Accessors are noipa: a fiber may migrate between threads, so the address
// of a thread_local must be recomputed after every call that may switch.
__attribute__((noipa)) Executor& current_executor() {
  return t_executor ? *t_executor : default_executor();
}
__attribute__((noipa)) void set_current_executor(Executor* e) { t_executor = e; }

CancelState* Executor::cancel_state() {
  JoinState* j = current_join();
  return j ? &j->cancel : nullptr;
}

void run_task(Task& task, JoinState& join) noexcept {
  try {
    task();
  } catch (...) {
    join.error = std::current_exception();
  }
  join.done.signal();
}

void FiberHandle::join() {
  forbid([&] { j_->done.await(); });
  if (j_->error) std::rethrow_exception(j_->error);
}

FiberHandle spawn_on(Executor& executor, Task task, size_t stack_bytes) {
  auto j = std::make_shared<JoinState>();
  executor.spawn(std::move(task), j, stack_bytes);
  return FiberHandle(std::move(j));
}

FiberHandle spawn(Task task) { return spawn_on(current_executor(), std::move(task)); }

}  // namespace atl::io
