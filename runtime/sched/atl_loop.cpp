// The host-loop C API over LoopScheduler.
#include "runtime/sched/atl_loop.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "runtime/io/net.h"
#include "runtime/io/trigger.h"
#include "runtime/sched/loop.h"

struct atl_loop {
  atl::sched::LoopScheduler sched;
  explicit atl_loop(atl::io::BackendKind k) : sched(k) {}
};

// One value, one waiting fiber, one host callback; guarded by `mu`.
struct atl_promise {
  std::mutex mu;
  bool resolved = false;
  int64_t value = 0;
  atl::io::Trigger* waiter = nullptr;
  void (*cb)(void*, int64_t) = nullptr;
  void* cb_arg = nullptr;
};

extern "C" {

atl_loop* atl_loop_new(void) {
  return std::make_unique<atl_loop>(atl::io::BackendFromEnv()).release();
}

void atl_loop_free(atl_loop* loop) { std::unique_ptr<atl_loop> owned(loop); }

int atl_loop_fd(atl_loop* loop) { return loop->sched.NotifyFd(); }

int atl_loop_timeout_ms(atl_loop* loop) {
  auto d = loop->sched.Timeout();
  if (d.count() < 0) return -1;
  // Round up: waking early would only spin.
  return static_cast<int>((d.count() + 999999) / 1000000);
}

int atl_loop_tick(atl_loop* loop) { return static_cast<int>(loop->sched.Tick()); }

void atl_loop_spawn(atl_loop* loop, void (*fn)(void*), void* arg) {
  loop->sched.Start([fn, arg] { fn(arg); });
}

int atl_sleep_ms(int64_t ms) { return atl::io::Sleep(std::chrono::milliseconds(ms)).code; }

atl_promise* atl_promise_new(void) { return std::make_unique<atl_promise>().release(); }

void atl_promise_resolve(atl_promise* p, int64_t value) {
  void (*cb)(void*, int64_t);
  void* cb_arg;
  {
    std::lock_guard<std::mutex> g(p->mu);
    if (p->resolved) return;
    p->resolved = true;
    p->value = value;
    // Signalled under the lock: once the waiter re-takes it, nothing can
    // reach its (stack-allocated) trigger any more.
    if (p->waiter) p->waiter->Signal();
    p->waiter = nullptr;
    cb = p->cb;
    cb_arg = p->cb_arg;
  }
  if (cb) cb(cb_arg, value);
}

int atl_promise_await(atl_promise* p, int64_t* value) {
  atl::io::Trigger t;
  bool wait;
  {
    std::lock_guard<std::mutex> g(p->mu);
    wait = !p->resolved;
    if (wait) p->waiter = &t;
  }
  if (wait) t.Await();
  std::lock_guard<std::mutex> g(p->mu);
  p->waiter = nullptr;
  if (!p->resolved) return ECANCELED;
  *value = p->value;
  return 0;
}

void atl_promise_on_resolve(atl_promise* p, void (*cb)(void*, int64_t), void* arg) {
  bool now;
  int64_t v;
  {
    std::lock_guard<std::mutex> g(p->mu);
    now = p->resolved;
    v = p->value;
    if (!now) {
      p->cb = cb;
      p->cb_arg = arg;
    }
  }
  if (now) cb(arg, v);
}

void atl_promise_free(atl_promise* p) { std::unique_ptr<atl_promise> owned(p); }

}  // extern "C"
