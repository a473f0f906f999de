#include "runtime/sched/thread_executor.h"

#include <gc/gc.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/stack_pool.h"

namespace atl::sched {
namespace {

using io::Awaiter;
using io::JoinState;
using io::Task;

// Per-thread futex awaiter. It outlives every await of its thread.
class FutexAwaiter final : public Awaiter {
 public:
  void Reset() { flag_.store(0, std::memory_order_relaxed); }
  void Release() noexcept override {
    flag_.store(1, std::memory_order_release);
    flag_.notify_one();
  }
  void Await() noexcept override {
    while (flag_.load(std::memory_order_acquire) == 0) flag_.wait(0, std::memory_order_acquire);
  }

 private:
  std::atomic<uint32_t> flag_{0};
};

thread_local FutexAwaiter t_awaiter;
thread_local JoinState* t_join = nullptr;  // the spawned thread's own state

struct Start {
  ThreadExecutor* self;
  Task task;
  std::shared_ptr<JoinState> join;
};

}  // namespace

}  // namespace atl::sched

// The IO layer declares it; the threads scheduler is what plain threads get.
atl::io::Executor& atl::io::DefaultExecutor() {
  static sched::ThreadExecutor* def = [] {
    // Never destroyed: threads may still use it during process exit.
    static std::aligned_storage_t<sizeof(sched::ThreadExecutor), alignof(sched::ThreadExecutor)>
        mem;
    return new (&mem) sched::ThreadExecutor(BackendFromEnv());
  }();
  return *def;
}

namespace atl::sched {

ThreadExecutor::ThreadExecutor(io::BackendKind backend) : backend_(backend) { AllowGcThreads(); }

ThreadExecutor::~ThreadExecutor() {
  {
    std::unique_lock<std::mutex> g(live_mu_);
    live_cv_.wait(g, [&] { return live_.load() == 0; });
  }
  if (poller_.joinable()) {
    stopping_.store(true);
    ctx_->Wakeup();
    poller_.join();
  }
}

Awaiter& ThreadExecutor::PrepareForAwait() {
  t_awaiter.Reset();
  return t_awaiter;
}

JoinState* ThreadExecutor::current_join() { return t_join; }

void ThreadExecutor::StartPoller() {
  ctx_ = std::make_unique<io::IoContext>(backend_);
  poller_ = std::thread([this] {
    while (!stopping_.load(std::memory_order_acquire)) {
      ctx_->Poll(io::Duration(-1), [this] { return !stopping_.load(std::memory_order_seq_cst); });
    }
  });
}

io::IoContext& ThreadExecutor::io_context() {
  std::call_once(poller_once_, [this] { StartPoller(); });
  return *ctx_;
}

void ThreadExecutor::Spawn(Task task, std::shared_ptr<JoinState> join, size_t stack_bytes) {
  // The task's captures must stay visible to the collector until the thread
  // runs: the record lives in uncollectable (scanned) memory.
  Start* start =
      new (GC_MALLOC_UNCOLLECTABLE(sizeof(Start))) Start{this, std::move(task), std::move(join)};
  GC_end_stubborn_change(start);  // ATOLL_GC=manual (docs/runtime-memory.md); else a no-op
  live_.fetch_add(1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr,
                            stack_bytes != 0 ? stack_bytes : StackPool::Instance().stack_size());
  pthread_attr_setguardsize(&attr,
                            64 * 1024);  // larger than any frame: an overflow cannot jump over it
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t tid;
  int rc = pthread_create(
      &tid, &attr,
      [](void* p) -> void* {
        auto free_start = [](Start* s) {
          s->~Start();
          GC_FREE(s);
        };
        std::unique_ptr<Start, decltype(free_start)> s(static_cast<Start*>(p), free_start);
        GC_stack_base sb{};
        bool gc = GC_is_init_called() && GC_get_stack_base(&sb) == GC_SUCCESS &&
                  GC_register_my_thread(&sb) == GC_SUCCESS;
        io::SetCurrentExecutor(s->self);
        t_join = s->join.get();
        WatchThreadStack(t_join);
        io::RunTask(s->task, *s->join);
        t_join = nullptr;
        io::SetCurrentExecutor(nullptr);
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
    start->~Start();
    GC_FREE(start);
    std::fprintf(stderr, "atoll: cannot start a thread: errno %d\n", rc);
    std::abort();
  }
}

}  // namespace atl::sched
