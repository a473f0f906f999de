#include "runtime/sched/loop.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace atl::sched {

namespace {
// Installs the loop as the thread's executor for the duration of a stage.
class AsExecutor {
 public:
  explicit AsExecutor(io::Executor* e) : saved_(&io::CurrentExecutor()) {
    io::SetCurrentExecutor(e);
  }
  ~AsExecutor() { io::SetCurrentExecutor(saved_ == &io::DefaultExecutor() ? nullptr : saved_); }
  AsExecutor(const AsExecutor&) = delete;
  AsExecutor& operator=(const AsExecutor&) = delete;

 private:
  io::Executor* saved_;
};
}  // namespace

LoopScheduler::LoopScheduler(io::BackendKind backend) : ctx_(backend) { GcSetup(); }

LoopScheduler::~LoopScheduler() {
  while (inflight_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

void LoopScheduler::Spawn(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) {
  MakeReady(NewFiber(std::move(task), std::move(join), stack_bytes));
}

Fiber* LoopScheduler::NewFiber(io::Task task, std::shared_ptr<io::JoinState> join,
                               size_t stack_bytes) {
  // Count the fiber until its task is over.
  live_.fetch_add(1);
  Fiber* f = Fiber::Create(
      [this, t = std::move(task)]() mutable {
        struct Done {
          std::atomic<size_t>& n;
          ~Done() { n.fetch_sub(1); }
        } done{live_};
        t();
      },
      std::move(join), stack_bytes);
  f->host = this;
  return f;
}

void LoopScheduler::MakeReady(Fiber* f) {
  inflight_.fetch_add(1, std::memory_order_acq_rel);
  queue_.Push(f);
  ctx_.Wakeup();
  inflight_.fetch_sub(1, std::memory_order_acq_rel);  // last touch of *this
}

Fiber* LoopScheduler::TakeNext() {
  if (budget_ <= 0) return nullptr;
  --budget_;
  return queue_.Pop();
}

size_t LoopScheduler::RunReady() {
  // Only what was ready on entry (and the fibers those hand over to
  // directly, up to a budget each): fibers readied meanwhile wait for the
  // next round, so a yielding fiber cannot starve IO.
  size_t n = queue_.size(), ran = 0;
  while (ran < n) {
    Fiber* f = queue_.Pop();
    if (!f) break;
    budget_ = kDirectSwitches;
    Resume(f, this);
    ++ran;
  }
  return ran;
}

io::FiberHandle LoopScheduler::Start(io::Task task, size_t stack_bytes) {
  return io::SpawnOn(*this, std::move(task), stack_bytes);
}

size_t LoopScheduler::Tick() {
  host_driven_ = true;
  EnterFiberThread();
  AsExecutor as(this);
  RunReady();                       // 1. ready fibers
  ctx_.Poll(io::Duration::zero());  // 2+3. timers and IO, never blocking
  RunReady();                       // 4. whatever that woke
  // Arm the notification before looking again: a push from another thread
  // after this point writes the eventfd, one before it is seen here.
  ctx_.AnnounceIdle();
  if (!queue_.empty()) ctx_.Wakeup();
  return live_.load();
}

bool LoopScheduler::RunNow(io::Task task, size_t stack_bytes) {
  EnterFiberThread();
  auto join = std::make_shared<io::JoinState>();
  io::FiberHandle h(join);
  bool looped = false;
  {
    AsExecutor as(this);
    budget_ = 0;  // when it parks or ends, straight back here
    Resume(NewFiber(std::move(task), join, stack_bytes), this);
    while (!h.Done()) {
      looped = true;
      RunReady();
      ctx_.Poll(queue_.empty() ? io::Duration(-1) : io::Duration::zero(),
                [this, &h] { return queue_.empty() && !h.Done(); });
    }
  }
  h.Join();
  return looped;
}

io::Duration LoopScheduler::Timeout() const {
  if (!queue_.empty()) return io::Duration::zero();
  return ctx_.NextTimerIn();
}

void LoopScheduler::Run(io::Task main, size_t main_stack_bytes) {
  EnterFiberThread();
  io::FiberHandle h;
  {
    AsExecutor as(this);
    h = Start(std::move(main), main_stack_bytes);
    while (!h.Done()) {
      RunReady();  // 1. ready fibers
      // 2+3. timers and IO; block only when nothing is runnable.
      ctx_.Poll(queue_.empty() ? io::Duration(-1) : io::Duration::zero(),
                [this, &h] { return queue_.empty() && !h.Done(); });
    }
  }
  h.Join();
}

}  // namespace atl::sched
