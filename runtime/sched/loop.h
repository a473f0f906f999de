// LoopScheduler: one thread, fibers, one IoContext. Either runs its own loop
// (run) or is driven by a host event loop: the host watches NotifyFd(),
// waits at most timeout(), and calls Tick(), which runs what is ready and
// never blocks. Fibers made ready from other threads are queued under a lock
// and announced through the context's eventfd, which is part of NotifyFd().
//
// The loop reads as its stages: run ready fibers, timers + IO (poll), and —
// in run() only — block in poll until the next event.
#pragma once

#include <atomic>
#include <memory>

#include "runtime/io/backend.h"
#include "runtime/io/executor.h"
#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/run_queue.h"

namespace atl::sched {

class LoopScheduler final : public FiberExecutor {
 public:
  explicit LoopScheduler(io::BackendKind backend);
  ~LoopScheduler() override;

  void Run(io::Task main, size_t main_stack_bytes = 0);          // own loop, until main ends
  io::FiberHandle Start(io::Task task, size_t stack_bytes = 0);  // a fiber for Tick() to run
  size_t Tick();  // returns the number of live fibers
  // Runs `task` on a new fiber at once, on the loop thread outside Tick()
  // (a host's call of an exported function, runtime/embed): resumed
  // directly, not queued, so a task that never parks costs no wakeup and
  // no poll. One that parks (a parST join) is finished by running the
  // loop's stages, blocking as run() does; then the result is true.
  bool RunNow(io::Task task, size_t stack_bytes = 0);
  int NotifyFd() const { return ctx_.NotifyFd(); }
  io::Duration Timeout() const;  // 0: work is ready; negative: none pending
  size_t live() const { return live_.load(); }

  // io::Executor (the rest comes from FiberExecutor)
  io::IoContext& io_context() override { return ctx_; }
  void Spawn(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) override;
  const char* name() const override { return "loop"; }
  // FiberHost
  void MakeReady(Fiber* f) override;
  Fiber* TakeNext() override;

 private:
  size_t RunReady();
  Fiber* NewFiber(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes);
  io::IoContext ctx_;
  RunQueue queue_;
  int budget_ = 0;  // direct switches left before the loop runs its stages again
  static constexpr int kDirectSwitches = 64;
  std::atomic<size_t> live_{0};
  // make_ready calls still running (from foreign threads): the destructor
  // waits for them, since a woken fiber may let the owner destroy us while
  // the waker is still inside make_ready.
  std::atomic<int> inflight_{0};
  bool host_driven_ = false;
};

}  // namespace atl::sched
