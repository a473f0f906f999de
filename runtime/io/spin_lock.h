// SpinLock: a test-and-test-and-set lock for critical sections of a few
// pointer moves (run queues, MVar cores). It yields the thread after a burst
// of spinning, so a holder that was preempted is not spun against for its
// whole time slice.
#pragma once

#include <atomic>
#include <thread>

namespace atl::io {

class SpinLock {
 public:
  void lock() {
    for (int spins = 0; flag_.exchange(true, std::memory_order_acquire); ++spins) {
      while (flag_.load(std::memory_order_relaxed)) {
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  bool try_lock() {
    return !flag_.load(std::memory_order_relaxed) &&
           !flag_.exchange(true, std::memory_order_acquire);
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace atl::io
