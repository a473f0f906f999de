#include "runtime/io/trigger.h"

#include "runtime/io/cancel.h"

namespace atl::io {

namespace {
std::atomic<void (*)(const void*)> tagged_wait_observer{nullptr};
}  // namespace

void SetTaggedWaitObserver(void (*observer)(const void* tag)) {
  tagged_wait_observer.store(observer, std::memory_order_release);
}

bool Trigger::Complete(uintptr_t to) {
  uintptr_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s == kSignalled || s == kCancelled) return false;
    if (state_.compare_exchange_weak(s, to, std::memory_order_acq_rel)) break;
  }
  // After the exchange the waiter may resume and free *this: only `s` is used.
  if (s != kIdle) reinterpret_cast<Awaiter*>(s)->Release();
  return true;
}

Wake Trigger::Await() {
  uintptr_t s = state_.load(std::memory_order_acquire);
  if (s == kIdle) {
    Executor& ex = CurrentExecutor();
    CancelState* cs = ex.cancel_state();
    if (cs && !cs->EnterWait(this)) {
      Cancel();
    } else {
      if (tag_ != nullptr && cs != nullptr) {
        if (auto observe = tagged_wait_observer.load(std::memory_order_acquire)) observe(tag_);
      }
      Awaiter& a = ex.PrepareForAwait();
      uintptr_t expected = kIdle;
      if (state_.compare_exchange_strong(expected, reinterpret_cast<uintptr_t>(&a),
                                         std::memory_order_acq_rel)) {
        a.Await();
      }
      if (cs) cs->LeaveWait(this);
    }
    s = state_.load(std::memory_order_acquire);
  }
  return s == kSignalled ? Wake::Signalled : Wake::Cancelled;
}

void CancelState::Request() {
  requested_.store(true, std::memory_order_seq_cst);
  if (forbid_depth_.load(std::memory_order_relaxed) != 0)
    return;  // its next permitted wait sees it
  Trigger* t = waiting_.load(std::memory_order_seq_cst);
  if (t != nullptr && t != kBusy &&
      waiting_.compare_exchange_strong(t, kBusy, std::memory_order_acq_rel)) {
    t->Cancel();
    waiting_.store(nullptr, std::memory_order_release);
  }
}

bool CancelState::EnterWait(Trigger* t) {
  // Published before `requested_` is read: a request made meanwhile either
  // is seen here or sees `t` (both sides are sequentially consistent).
  waiting_.store(t, std::memory_order_seq_cst);
  if (active()) {
    LeaveWait(t);
    return false;
  }
  return true;
}

void CancelState::LeaveWait(Trigger* t) {
  Trigger* expected = t;
  if (waiting_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) return;
  // A requester holds it: wait until it is done with `t`.
  while (waiting_.load(std::memory_order_acquire) == kBusy) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

CancelState* CurrentCancelState() { return CurrentExecutor().cancel_state(); }

}  // namespace atl::io
