#include "runtime/io/thread_executor.h"

#include <gc/gc.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"

namespace atl::io {
namespace {

// Per-thread futex awaiter. It outlives every await of its thread.
class FutexAwaiter final : public Awaiter {
 public:
  void reset() { flag_.store(0, std::memory_order_relaxed); }
  void release() noexcept override {
    flag_.store(1, std::memory_order_release);
    flag_.notify_one();
  }
  void await() noexcept override {
    while (flag_.load(std::memory_order_acquire) == 0) flag_.wait(0, std::memory_order_acquire);
  }

 private:
  std::atomic<uint32_t> flag_{0};
};

thread_local FutexAwaiter t_awaiter;
thread_local JoinState* t_join = nullptr;  // the spawned thread's own state
thread_local Executor* t_executor = nullptr;

struct Start {
  ThreadExecutor* self;
  Task task;
  std::shared_ptr<JoinState> join;
};

}  // namespace

// Accessors are noipa: a fiber may migrate between threads, so the address
// of a thread_local must be recomputed after every call that may switch.
__attribute__((noipa)) Executor& current_executor() {
  return t_executor ? *t_executor : default_executor();
}
__attribute__((noipa)) void set_current_executor(Executor* e) { t_executor = e; }

Executor& default_executor() {
  static ThreadExecutor* def = [] {
    // Never destroyed: threads may still use it during process exit.
    static std::aligned_storage_t<sizeof(ThreadExecutor), alignof(ThreadExecutor)> mem;
    return new (&mem) ThreadExecutor(backend_from_env());
  }();
  return *def;
}

ThreadExecutor::ThreadExecutor(BackendKind backend) : backend_(backend) {}

ThreadExecutor::~ThreadExecutor() {
  {
    std::unique_lock<std::mutex> g(live_mu_);
    live_cv_.wait(g, [&] { return live_.load() == 0; });
  }
  if (poller_.joinable()) {
    stopping_.store(true);
    ctx_->wakeup();
    poller_.join();
  }
}

Awaiter& ThreadExecutor::prepare_for_await() {
  t_awaiter.reset();
  return t_awaiter;
}

CancelState* ThreadExecutor::cancel_state() { return t_join ? &t_join->cancel : nullptr; }

void ThreadExecutor::start_poller() {
  ctx_ = std::make_unique<IoContext>(backend_);
  poller_ = std::thread([this] {
    while (!stopping_.load(std::memory_order_acquire)) {
      ctx_->poll(Duration(-1), [this] { return !stopping_.load(std::memory_order_seq_cst); });
    }
  });
}

IoContext& ThreadExecutor::io_context() {
  std::call_once(poller_once_, [this] { start_poller(); });
  return *ctx_;
}

void ThreadExecutor::spawn(Task task, std::shared_ptr<JoinState> join) {
  Start* start = std::make_unique<Start>(Start{this, std::move(task), std::move(join)}).release();
  live_.fetch_add(1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t tid;
  int rc = pthread_create(
      &tid, &attr,
      [](void* p) -> void* {
        std::unique_ptr<Start> s(static_cast<Start*>(p));
        GC_stack_base sb{};
        bool gc = GC_is_init_called() && GC_get_stack_base(&sb) == GC_SUCCESS &&
                  GC_register_my_thread(&sb) == GC_SUCCESS;
        set_current_executor(s->self);
        t_join = s->join.get();
        run_task(s->task, *s->join);
        t_join = nullptr;
        set_current_executor(nullptr);
        ThreadExecutor* self = s->self;
        s.reset();
        if (gc) GC_unregister_my_thread();
        // Notify under the lock: the destructor may run as soon as it is released.
        std::lock_guard<std::mutex> g(self->live_mu_);
        self->live_.fetch_sub(1);
        self->live_cv_.notify_all();
        return nullptr;
      },
      start);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    std::fprintf(stderr, "atoll: cannot start a thread: errno %d\n", rc);
    std::abort();
  }
}

// ---- scheduler-independent fiber API ----------------------------------------

void run_task(Task& task, JoinState& join) noexcept {
  try {
    task();
  } catch (...) {
    join.error = std::current_exception();
  }
  join.done.signal();
}

void FiberHandle::join() {
  forbid([&] { j_->done.await(); });
  if (j_->error) std::rethrow_exception(j_->error);
}

FiberHandle spawn(Task task) {
  auto j = std::make_shared<JoinState>();
  current_executor().spawn(std::move(task), j);
  return FiberHandle(std::move(j));
}

}  // namespace atl::io
