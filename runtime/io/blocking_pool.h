// BlockingPool: a bounded set of threads for calls that cannot be made
// non-blocking (getaddrinfo, regular files, stdin/stdout).
//
// RunBlocking(fn) queues fn, parks the caller on a Trigger and returns fn's
// result. The wait is not cancellable (it runs inside `Forbid`): the job
// refers to the caller's frame, so the caller must outlive it. At most
// ATOLL_IO_POOL threads (default 4) exist; they start on demand.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/io/cancel.h"
#include "runtime/io/trigger.h"

namespace atl::io {

class BlockingPool {
 public:
  static BlockingPool& Instance();
  void Submit(std::function<void()> job);
  size_t max_threads() const { return max_; }

 private:
  BlockingPool();
  void Worker();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  size_t max_;
};

template <class F>
auto RunBlocking(F&& fn) -> decltype(fn()) {
  using R = decltype(fn());
  Trigger done;
  R result{};
  BlockingPool::Instance().Submit([&] {
    result = fn();
    done.Signal();
  });
  Forbid([&] { done.Await(); });
  return result;
}

}  // namespace atl::io
