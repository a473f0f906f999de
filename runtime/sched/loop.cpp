#include "runtime/sched/loop.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace atl::sched {

namespace {
// Installs the loop as the thread's executor for the duration of a stage.
class AsExecutor {
 public:
  explicit AsExecutor(io::Executor* e) : saved_(&io::current_executor()) {
    io::set_current_executor(e);
  }
  ~AsExecutor() { io::set_current_executor(saved_ == &io::default_executor() ? nullptr : saved_); }
  AsExecutor(const AsExecutor&) = delete;
  AsExecutor& operator=(const AsExecutor&) = delete;

 private:
  io::Executor* saved_;
};
}  // namespace

LoopScheduler::LoopScheduler(io::BackendKind backend) : ctx_(backend) { gc_setup(); }

LoopScheduler::~LoopScheduler() {
  while (inflight_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

void LoopScheduler::spawn(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) {
  make_ready(new_fiber(std::move(task), std::move(join), stack_bytes));
}

Fiber* LoopScheduler::new_fiber(io::Task task, std::shared_ptr<io::JoinState> join,
                                size_t stack_bytes) {
  // Count the fiber until its task is over.
  live_.fetch_add(1);
  Fiber* f = Fiber::create(
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

void LoopScheduler::make_ready(Fiber* f) {
  inflight_.fetch_add(1, std::memory_order_acq_rel);
  queue_.push(f);
  ctx_.wakeup();
  inflight_.fetch_sub(1, std::memory_order_acq_rel);  // last touch of *this
}

Fiber* LoopScheduler::take_next() {
  if (budget_ <= 0) return nullptr;
  --budget_;
  return queue_.pop();
}

size_t LoopScheduler::run_ready() {
  // Only what was ready on entry (and the fibers those hand over to
  // directly, up to a budget each): fibers readied meanwhile wait for the
  // next round, so a yielding fiber cannot starve IO.
  size_t n = queue_.size(), ran = 0;
  while (ran < n) {
    Fiber* f = queue_.pop();
    if (!f) break;
    budget_ = kDirectSwitches;
    resume(f, this);
    ++ran;
  }
  return ran;
}

io::FiberHandle LoopScheduler::start(io::Task task, size_t stack_bytes) {
  return io::spawn_on(*this, std::move(task), stack_bytes);
}

size_t LoopScheduler::tick() {
  host_driven_ = true;
  enter_fiber_thread();
  AsExecutor as(this);
  run_ready();                      // 1. ready fibers
  ctx_.poll(io::Duration::zero());  // 2+3. timers and IO, never blocking
  run_ready();                      // 4. whatever that woke
  // Arm the notification before looking again: a push from another thread
  // after this point writes the eventfd, one before it is seen here.
  ctx_.announce_idle();
  if (!queue_.empty()) ctx_.wakeup();
  return live_.load();
}

bool LoopScheduler::run_now(io::Task task, size_t stack_bytes) {
  enter_fiber_thread();
  auto join = std::make_shared<io::JoinState>();
  io::FiberHandle h(join);
  bool looped = false;
  {
    AsExecutor as(this);
    budget_ = 0;  // when it parks or ends, straight back here
    resume(new_fiber(std::move(task), join, stack_bytes), this);
    while (!h.done()) {
      looped = true;
      run_ready();
      ctx_.poll(queue_.empty() ? io::Duration(-1) : io::Duration::zero(),
                [this, &h] { return queue_.empty() && !h.done(); });
    }
  }
  h.join();
  return looped;
}

io::Duration LoopScheduler::timeout() const {
  if (!queue_.empty()) return io::Duration::zero();
  return ctx_.next_timer_in();
}

void LoopScheduler::run(io::Task main, size_t main_stack_bytes) {
  enter_fiber_thread();
  io::FiberHandle h;
  {
    AsExecutor as(this);
    h = start(std::move(main), main_stack_bytes);
    while (!h.done()) {
      run_ready();  // 1. ready fibers
      // 2+3. timers and IO; block only when nothing is runnable.
      ctx_.poll(queue_.empty() ? io::Duration(-1) : io::Duration::zero(),
                [this, &h] { return queue_.empty() && !h.done(); });
    }
  }
  h.join();
}

}  // namespace atl::sched
