// WsScheduler: N workers (one per core by default), each with a FIFO run
// queue, an IoContext and a native stack; fibers run on pooled stacks.
//
// A worker's loop reads as its stages: run ready fibers, run due timers and
// poll IO without blocking, steal, and when there is nothing at all, block in
// its IoContext's poll (the idle worker polls). Invariants: a fiber is in at
// most one run queue and runs on at most one worker; a fiber made ready by a
// worker goes to that worker's queue, from elsewhere to the fiber's last
// worker; any push wakes the target if it is blocked, and a push to a busy
// worker wakes one idle peer so it can steal.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/io/backend.h"
#include "runtime/io/executor.h"

namespace atl::sched {

class WsScheduler {
 public:
  WsScheduler(io::BackendKind backend, unsigned workers);
  ~WsScheduler();
  WsScheduler(const WsScheduler&) = delete;
  WsScheduler& operator=(const WsScheduler&) = delete;

  // Runs main as a fiber; returns when it ends (fibers still alive are abandoned).
  void Run(io::Task main, size_t main_stack_bytes = 0);
  unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }

  class Worker;

 private:
  friend class Worker;
  bool any_queued() const;
  void WakeOneIdle(Worker* except);
  void StartPeers();   // workers 1.. (lazily, on the first work they could take)
  void JoinAll();      // stops and joins every started worker
  void RequestStop();  // main has ended: every worker leaves its loop

  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex threads_mu_;  // threads_ and starting the peers
  std::vector<std::thread> threads_;
  std::atomic<bool> peers_started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> idle_{0};
  std::atomic<int> inflight_{0};  // enqueue calls running (see ~WsScheduler)
};

}  // namespace atl::sched
