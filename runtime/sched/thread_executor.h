// ThreadExecutor: the executor for plain OS threads — the "threads"
// scheduler, and the default for any thread no scheduler owns.
//
// A thread blocks on a futex (std::atomic::wait). All its threads share one
// IoContext, polled by a dedicated poller thread started on first use, so a
// thread waiting for a descriptor or a timer is woken by that poller.
// Spawn() starts a detached OS thread (small stack, registered with the GC).
// The destructor waits until every thread it spawned has ended.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "runtime/io/backend.h"
#include "runtime/io/executor.h"
#include "runtime/io/io_context.h"

namespace atl::sched {

class ThreadExecutor final : public io::Executor {
 public:
  explicit ThreadExecutor(io::BackendKind backend);
  ~ThreadExecutor() override;

  io::Awaiter& PrepareForAwait() override;
  io::IoContext& io_context() override;
  io::JoinState* current_join() override;
  void Spawn(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) override;
  void Yield() override { std::this_thread::yield(); }
  const char* name() const override { return "threads"; }

  size_t live_threads() const { return live_.load(); }

 private:
  void StartPoller();

  io::BackendKind backend_;
  std::once_flag poller_once_;
  std::unique_ptr<io::IoContext> ctx_;
  std::thread poller_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> live_{0};
  std::mutex live_mu_;
  std::condition_variable live_cv_;
};

}  // namespace atl::sched
