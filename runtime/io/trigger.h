// Trigger: a one-shot, cancellable wake-up for one waiter.
//
// State machine (a single atomic word): Idle -> Signalled | Cancelled, or
// Idle -> Awaiting(awaiter) -> Signalled | Cancelled. Exactly one of signal()
// and cancel() wins; the winner releases the awaiter if one is parked. After
// the winning call a Trigger is never touched again by the signaller, so the
// waiter may destroy it as soon as Await() returns. A Trigger lives on the
// waiter's stack; whoever may still signal it must be fenced off (unwatch,
// cancel of the timer) before it goes out of scope.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime/io/executor.h"

namespace atl::io {

enum class Wake { Signalled, Cancelled };

class Trigger {
 public:
  Trigger() = default;
  Trigger(const Trigger&) = delete;
  Trigger& operator=(const Trigger&) = delete;

  // Suspends the caller through the current executor until signal() or
  // cancel(). Returns at once if already completed. If the current execution
  // has a pending cancellation (and cancellation is permitted) the trigger is
  // cancelled first.
  Wake Await();
  bool Signal() { return Complete(kSignalled); }  // true if this call won
  bool Cancel() { return Complete(kCancelled); }
  bool is_signalled() const { return state_.load(std::memory_order_acquire) == kSignalled; }
  bool is_cancelled() const { return state_.load(std::memory_order_acquire) == kCancelled; }
  bool is_done() const { return is_signalled() || is_cancelled(); }
  bool is_idle() const { return state_.load(std::memory_order_acquire) == kIdle; }
  // What the waiter waits for, set by the trigger's owner before Await, for
  // diagnostics that find the trigger through CancelState::waiting() (the
  // MVar deadlock report). Not synchronised: read only while the waiter is
  // parked. Await on a tagged trigger calls the observer below once the
  // execution's cancellation state names the trigger, before it parks.
  void set_tag(const void* tag) { tag_ = tag; }
  const void* tag() const { return tag_; }

 private:
  static constexpr uintptr_t kIdle = 0, kSignalled = 1, kCancelled = 2;
  bool Complete(uintptr_t to);
  std::atomic<uintptr_t> state_{kIdle};  // or an Awaiter* while a waiter is parked
  const void* tag_ = nullptr;
};

// The process-wide observer of waits on tagged triggers (runtime/mvar's
// deadlock detection): called on the waiting execution, with the tag.
void SetTaggedWaitObserver(void (*observer)(const void* tag));

}  // namespace atl::io
