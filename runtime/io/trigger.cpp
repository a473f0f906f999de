#include "runtime/io/trigger.h"

#include "runtime/io/cancel.h"

namespace atl::io {

bool Trigger::complete(uintptr_t to) {
  uintptr_t s = state_.load(std::memory_order_acquire);
  for (;;) {
    if (s == kSignalled || s == kCancelled) return false;
    if (state_.compare_exchange_weak(s, to, std::memory_order_acq_rel)) break;
  }
  // After the exchange the waiter may resume and free *this: only `s` is used.
  if (s != kIdle) reinterpret_cast<Awaiter*>(s)->release();
  return true;
}

Wake Trigger::await() {
  uintptr_t s = state_.load(std::memory_order_acquire);
  if (s == kIdle) {
    Executor& ex = current_executor();
    CancelState* cs = ex.cancel_state();
    if (cs && !cs->enter_wait(this)) {
      cancel();
    } else {
      Awaiter& a = ex.prepare_for_await();
      uintptr_t expected = kIdle;
      if (state_.compare_exchange_strong(expected, reinterpret_cast<uintptr_t>(&a),
                                         std::memory_order_acq_rel)) {
        a.await();
      }
      if (cs) cs->leave_wait(this);
    }
    s = state_.load(std::memory_order_acquire);
  }
  return s == kSignalled ? Wake::Signalled : Wake::Cancelled;
}

void CancelState::request() {
  requested_.store(true, std::memory_order_seq_cst);
  if (forbid_depth_.load(std::memory_order_relaxed) != 0)
    return;  // its next permitted wait sees it
  Trigger* t = waiting_.load(std::memory_order_seq_cst);
  if (t != nullptr && t != kBusy &&
      waiting_.compare_exchange_strong(t, kBusy, std::memory_order_acq_rel)) {
    t->cancel();
    waiting_.store(nullptr, std::memory_order_release);
  }
}

bool CancelState::enter_wait(Trigger* t) {
  // Published before `requested_` is read: a request made meanwhile either
  // is seen here or sees `t` (both sides are sequentially consistent).
  waiting_.store(t, std::memory_order_seq_cst);
  if (active()) {
    leave_wait(t);
    return false;
  }
  return true;
}

void CancelState::leave_wait(Trigger* t) {
  Trigger* expected = t;
  if (waiting_.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) return;
  // A requester holds it: wait until it is done with `t`.
  while (waiting_.load(std::memory_order_acquire) == kBusy) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
}

CancelState* current_cancel_state() { return current_executor().cancel_state(); }

}  // namespace atl::io
