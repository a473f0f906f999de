// Cancellation: Forbid(fn) / Permit(fn), and the per-execution state they use.
//
// A cancellation request is sticky: once requested, every cancellable await
// of that execution (Trigger::Await outside `Forbid`) returns Cancelled until
// the execution ends, or until the execution itself resets it. `Forbid` nests; `Permit` re-enables
// cancellation inside a forbidden section (for a wait that must stay interruptible).
#pragma once

#include <atomic>
#include <cstdint>

namespace atl::io {

class Trigger;

// Per fiber/thread. `waiting_` is the trigger the execution waits on now.
// A requester claims it (swapping in kBusy) before cancelling it, and a
// waiter that finds it claimed when it leaves waits for the requester to
// let go, so request() never touches a trigger whose waiter already left.
// The waiter's side is one exchange and one compare-exchange per wait.
class CancelState {
 public:
  void Request();  // any thread
  // The owning execution has handled the request (a `timeout` that unwound
  // to its scope): its waits are cancellable again from now on.
  void Reset() { requested_.store(false, std::memory_order_seq_cst); }
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  bool active() const { return requested() && forbid_depth_.load(std::memory_order_relaxed) == 0; }
  // Called by Trigger::Await around the wait; returns false if already cancelled.
  bool EnterWait(Trigger* t);
  void LeaveWait(Trigger* t);
  // The trigger the execution waits on now (null, or one being cancelled
  // while a request holds it). For diagnostics of parked executions.
  const Trigger* waiting() const {
    Trigger* t = waiting_.load(std::memory_order_acquire);
    return t == kBusy ? nullptr : t;
  }

  std::atomic<int> forbid_depth_{0};  // written only by the owning execution

 private:
  static inline Trigger* const kBusy = reinterpret_cast<Trigger*>(uintptr_t{1});
  std::atomic<bool> requested_{false};
  std::atomic<Trigger*> waiting_{nullptr};
};

template <class F>
auto Forbid(F&& fn) -> decltype(fn());
template <class F>
auto Permit(F&& fn) -> decltype(fn());

CancelState* CurrentCancelState();

// Restores the depth on scope exit (also when fn throws).
class ForbidDepth {
 public:
  // depth < 0 means "one deeper than now" (forbid); 0 means permit.
  ForbidDepth(CancelState* s, int depth) : s_(s), saved_(s ? s->forbid_depth_.load() : 0) {
    if (s_) s_->forbid_depth_.store(depth < 0 ? saved_ + 1 : depth);
  }
  ~ForbidDepth() {
    if (s_) s_->forbid_depth_.store(saved_);
  }
  ForbidDepth(const ForbidDepth&) = delete;
  ForbidDepth& operator=(const ForbidDepth&) = delete;

 private:
  CancelState* s_;
  int saved_;
};

template <class F>
auto Forbid(F&& fn) -> decltype(fn()) {
  ForbidDepth guard(CurrentCancelState(), -1);
  return fn();
}

template <class F>
auto Permit(F&& fn) -> decltype(fn()) {
  ForbidDepth guard(CurrentCancelState(), 0);
  return fn();
}

}  // namespace atl::io
