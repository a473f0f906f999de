// Mutex: mutual exclusion for executions of any scheduler. A contended
// lock() parks the calling fiber (or thread) on a Trigger instead of
// blocking its worker thread, so the holder may itself block (write to a
// pipe, wait for the blocking pool) without stalling other fibers of its
// worker. Ownership passes straight to the first waiter, in FIFO order.
// Waits are not cancellable (they happen inside `Forbid`).
#pragma once

#include <mutex>

#include "runtime/io/cancel.h"
#include "runtime/io/spin_lock.h"
#include "runtime/io/trigger.h"

namespace atl::io {

class Mutex {
 public:
  void lock() {
    Waiter me;
    {
      std::lock_guard<SpinLock> g(lock_);
      if (!held_) {
        held_ = true;
        return;
      }
      me.next = nullptr;
      (tail_ ? tail_->next : head_) = &me;
      tail_ = &me;
    }
    Forbid([&] { me.trigger.Await(); });  // woken as the new owner
  }
  void unlock() {
    std::lock_guard<SpinLock> g(lock_);
    Waiter* w = head_;
    if (w == nullptr) {
      held_ = false;
      return;
    }
    head_ = w->next;
    if (head_ == nullptr) tail_ = nullptr;
    w->trigger.Signal();  // under lock_: the waiter's frame outlives this call
  }

 private:
  struct Waiter {
    Trigger trigger;
    Waiter* next = nullptr;
  };
  SpinLock lock_;
  bool held_ = false;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace atl::io
