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
      if (cs) cs->leave_wait();
    }
    s = state_.load(std::memory_order_acquire);
  }
  return s == kSignalled ? Wake::Signalled : Wake::Cancelled;
}

void CancelState::request() {
  requested_.store(true, std::memory_order_release);
  std::lock_guard<std::mutex> g(lock_);
  if (waiting_ && forbid_depth_.load(std::memory_order_relaxed) == 0) waiting_->cancel();
}

bool CancelState::enter_wait(Trigger* t) {
  std::lock_guard<std::mutex> g(lock_);
  if (active()) return false;
  waiting_ = t;
  return true;
}

void CancelState::leave_wait() {
  std::lock_guard<std::mutex> g(lock_);
  waiting_ = nullptr;
}

CancelState* current_cancel_state() { return current_executor().cancel_state(); }

}  // namespace atl::io
