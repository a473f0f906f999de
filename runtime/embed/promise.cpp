// Promises (promise.h) and the `awaitPromise` primitives.
#include "runtime/embed/promise.h"

#include <gc/gc.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>
#include <vector>

#include "runtime/embed/loop.h"
#include "runtime/embed/values.h"
#include "runtime/gc/gc.h"
#include "runtime/io/trigger.h"
#include "runtime/mvar/mvar.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/value/fail.h"
#include "runtime/value/string.h"

struct atoll_promise {
  struct Callback {
    void (*fn)(void*, atoll_promise*);
    void* arg;
  };
  std::mutex mu;
  std::atomic<int> refs{1};
  std::atomic<int> state{ATOLL_PENDING};
  atoll_value* value = nullptr;  // once resolved; owned
  std::string reason;            // once rejected
  std::string type;              // the code of `a` once handed over as `Promise a`
  std::vector<atl::io::Trigger*> waiters;
  std::vector<Callback> callbacks;
};

namespace atl::embed {
namespace {

// The handle object: header (kind PROMISE, size 1) and the core pointer,
// allocated pointer-free (the core is not on the GC heap).
struct Handle {
  atl_header header;
  atoll_promise* core;
};

void OnHandleCollected(void* object, void* /*data*/) {
  atoll_promise_release(static_cast<Handle*>(object)->core);
}

// Settles under the lock, then posts the callbacks (outside it).
int Settle(atoll_promise* p, atoll_value* value, const char* reason) {
  std::vector<atoll_promise::Callback> callbacks;
  {
    std::lock_guard<std::mutex> g(p->mu);
    if (p->state.load(std::memory_order_relaxed) != ATOLL_PENDING) return ATOLL_E_ALREADY;
    if (value != nullptr && !p->type.empty() && !Matches(value, p->type)) return ATOLL_E_TYPE;
    if (value != nullptr) {
      p->value = value;
    } else {
      p->reason = reason;
    }
    p->state.store(value != nullptr ? ATOLL_RESOLVED : ATOLL_REJECTED, std::memory_order_release);
    for (io::Trigger* t : p->waiters) t->Signal();
    p->waiters.clear();
    callbacks.swap(p->callbacks);
  }
  for (const auto& c : callbacks) PostCallback(c.fn, c.arg, p);
  return ATOLL_OK;
}

// Waits until `p` is settled; true when resolved (then *value is its Atoll
// value), false with *reason when rejected.
bool Await(atoll_promise* p, const char* op, atl_where at, atl_value* value, std::string* reason) {
  mvar::RunFinalizers();
  std::string type;
  for (;;) {
    io::Trigger t;
    {
      std::lock_guard<std::mutex> g(p->mu);
      if (p->state.load(std::memory_order_relaxed) != ATOLL_PENDING) {
        type = p->type;
        break;
      }
      p->waiters.push_back(&t);
    }
    const io::Wake w = t.Await();
    {
      std::lock_guard<std::mutex> g(p->mu);
      p->waiters.erase(std::remove(p->waiters.begin(), p->waiters.end(), &t), p->waiters.end());
    }
    if (w == io::Wake::Cancelled) {
      rt::Unwind();  // a `timeout` around the wait fired: leaves it
      atl_runtime_error(at, "%s: the wait was cancelled", op);
    }
  }
  // Settled: the value and reason no longer change.
  if (p->state.load(std::memory_order_acquire) == ATOLL_REJECTED) {
    *reason = p->reason;
    return false;
  }
  if (!Matches(p->value, type))
    atl_runtime_error(at, "%s: the host resolved the promise with a value of another type", op);
  size_t pos = 0;
  *value = ToAtoll(p->value, type.c_str(), &pos);
  return true;
}

}  // namespace

bool PromiseCanHold(atoll_promise* p, const std::string& code) {
  std::lock_guard<std::mutex> g(p->mu);
  if (!p->type.empty() && p->type != code) return false;
  return p->state.load(std::memory_order_relaxed) != ATOLL_RESOLVED || Matches(p->value, code);
}

atl_value PromiseHandle(atoll_promise* p, const std::string& code) {
  {
    std::lock_guard<std::mutex> g(p->mu);
    if (p->type.empty()) p->type = code;
  }
  atoll_promise_retain(p);
  auto* h = static_cast<Handle*>(atl_alloc_atomic(sizeof(Handle)));
  h->header = atl_make_header(ATL_KIND_PROMISE, 0, 1);
  h->core = p;
  GC_register_finalizer_no_order(h, OnHandleCollected, nullptr, nullptr, nullptr);
  return atl_from_ptr(h);
}

atoll_promise* PromiseOfHandle(atl_value handle) {
  return reinterpret_cast<const Handle*>(atl_ptr(handle))->core;
}

bool ResolveFromAtoll(atoll_promise* p, atoll_value* value) {
  return Settle(p, value, nullptr) == ATOLL_OK;
}

bool RejectFromAtoll(atoll_promise* p, const char* reason) {
  return Settle(p, nullptr, reason) == ATOLL_OK;
}

}  // namespace atl::embed

extern "C" {

atoll_promise* atoll_promise_new(void) { return new (std::nothrow) atoll_promise(); }

int atoll_promise_resolve(atoll_promise* p, atoll_value* value) {
  if (p == nullptr || value == nullptr) return ATOLL_E_INVALID;
  return atl::embed::Settle(p, value, nullptr);
}

int atoll_promise_reject(atoll_promise* p, const char* reason) {
  if (p == nullptr || reason == nullptr) return ATOLL_E_INVALID;
  return atl::embed::Settle(p, nullptr, reason);
}

int atoll_promise_then(atoll_promise* p, void (*cb)(void*, atoll_promise*), void* arg) {
  if (p == nullptr || cb == nullptr) return ATOLL_E_INVALID;
  if (const int s = atl::embed::LoopStatus(); s != ATOLL_OK) return s;
  {
    std::lock_guard<std::mutex> g(p->mu);
    if (p->state.load(std::memory_order_relaxed) == ATOLL_PENDING) {
      p->callbacks.push_back({cb, arg});
      return ATOLL_OK;
    }
  }
  return atl::embed::PostCallback(cb, arg, p) ? ATOLL_OK : atl::embed::LoopStatus();
}

atoll_promise_state atoll_promise_get_state(const atoll_promise* p) {
  return static_cast<atoll_promise_state>(p->state.load(std::memory_order_acquire));
}

const atoll_value* atoll_promise_result(const atoll_promise* p) {
  return atoll_promise_get_state(p) == ATOLL_RESOLVED ? p->value : nullptr;
}

const char* atoll_promise_reason(const atoll_promise* p) {
  return atoll_promise_get_state(p) == ATOLL_REJECTED ? p->reason.c_str() : nullptr;
}

void atoll_promise_retain(atoll_promise* p) { p->refs.fetch_add(1, std::memory_order_relaxed); }

void atoll_promise_release(atoll_promise* p) {
  if (p->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  atoll_value_free(p->value);
  delete p;
}

// `primAwaitPromise p`: ("", value), or (reason, ()) when rejected.
atl_value atl_rt_await_promise_result(atl_value p, atl_where at, void* /*region*/) {
  atl_value value = 0;
  std::string reason;
  if (atl::embed::Await(atl::embed::PromiseOfHandle(p), "primAwaitPromise", at, &value, &reason))
    return atl_rt_pair(atl_string_new("", 0), value);
  return atl_rt_pair(atl_string_new(reason.data(), reason.size()), atl_unit());
}

// `awaitPromise p`: the value; a rejection stops the thread.
atl_value atl_rt_await_promise(atl_value p, atl_where at, void* /*region*/) {
  atl_value value = 0;
  std::string reason;
  if (!atl::embed::Await(atl::embed::PromiseOfHandle(p), "awaitPromise", at, &value, &reason))
    atl_runtime_error(at, "awaitPromise: the host rejected the promise: %s", reason.c_str());
  return value;
}

}  // extern "C"
