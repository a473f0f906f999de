// RunQueue: a spinlock-protected FIFO of runnable fibers (intrusive via
// Fiber::next). Critical sections are a few pointer moves, so a spinlock
// beats a mutex here. The owner pops from the front; thieves take a batch.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <thread>

#include "runtime/io/spin_lock.h"
#include "runtime/sched/fiber.h"

namespace atl::sched {

using io::SpinLock;

class RunQueue {
 public:
  void Push(Fiber* f) {
    std::lock_guard<SpinLock> g(mu_);
    f->next = nullptr;
    if (tail_) {
      tail_->next = f;
    } else {
      head_ = f;
    }
    tail_ = f;
    size_.fetch_add(1, std::memory_order_release);
  }
  Fiber* Pop() {
    if (size_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard<SpinLock> g(mu_);
    Fiber* f = head_;
    if (!f) return nullptr;
    head_ = f->next;
    if (!head_) tail_ = nullptr;
    size_.fetch_sub(1, std::memory_order_release);
    return f;
  }
  // Moves up to half of the fibers (at least one) into `into`.
  size_t StealInto(RunQueue& into) {
    if (size_.load(std::memory_order_acquire) == 0) return 0;
    Fiber* batch = nullptr;
    size_t n = 0;
    {
      std::lock_guard<SpinLock> g(mu_);
      size_t want = (size_.load(std::memory_order_relaxed) + 1) / 2;
      while (n < want && head_) {
        Fiber* f = head_;
        head_ = f->next;
        f->next = batch;
        batch = f;
        ++n;
      }
      if (!head_) tail_ = nullptr;
      size_.fetch_sub(n, std::memory_order_release);
    }
    while (batch) {
      Fiber* f = batch;
      batch = f->next;
      into.Push(f);
    }
    return n;
  }
  size_t size() const { return size_.load(std::memory_order_acquire); }
  bool empty() const { return size() == 0; }

 private:
  SpinLock mu_;
  Fiber* head_ = nullptr;
  Fiber* tail_ = nullptr;
  std::atomic<size_t> size_{0};
};

}  // namespace atl::sched
