#include "runtime/sched/ws.h"

#include <gc/gc.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "runtime/io/cancel.h"
#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/run_queue.h"

namespace atl::sched {

namespace {
// A thread blocked in GC_do_blocking is not signalled when the collector
// stops the world (its stack is scanned from where it blocked), so an idle
// worker and the thread waiting for main no longer need a core to answer
// each stop: on a loaded machine every such answer waited for one
// (PAPER.md 5, "stopping and restarting threads"). The wait itself touches
// no GC object: the blocking part of a poll is the backend's system call,
// dispatching and timers run after it, with the thread active again.
struct BlockedCall {
  void (*run)(void*);
  void* arg;
};
void* GC_CALLBACK RunBlockedTrampoline(void* p) {
  auto* c = static_cast<BlockedCall*>(p);
  c->run(c->arg);
  return nullptr;
}
void RunBlocked(void (*run)(void*), void* arg) {
  BlockedCall c{run, arg};
  GC_do_blocking(RunBlockedTrampoline, &c);
}
}  // namespace

class WsScheduler::Worker final : public FiberExecutor {
 public:
  Worker(WsScheduler& s, unsigned index, io::BackendKind backend)
      : sched_(s), index_(index), ctx_(backend) {
    ctx_.SetBlockingRunner(RunBlocked);
  }

  void Loop();
  void Push(Fiber* f) {
    queue_.Push(f);
    ctx_.Wakeup();
  }

  // io::Executor (the rest comes from FiberExecutor)
  io::IoContext& io_context() override { return ctx_; }
  void Spawn(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) override {
    Fiber* f = Fiber::Create(std::move(task), std::move(join), stack_bytes);
    f->host = this;
    Enqueue(f, /*new_work=*/true);
  }
  const char* name() const override { return "ws"; }

  // FiberHost
  void MakeReady(Fiber* f) override;
  Fiber* TakeNext() override;
  void Enqueue(Fiber* f, bool new_work);

  RunQueue queue_;
  // The fiber made ready last by a fiber running here: it runs next, in
  // place of the one that readies it when that one parks (a direct hand-off
  // from a putter to the taker it woke). Only this worker's thread touches
  // it; it is never stolen.
  Fiber* runnext_ = nullptr;
  // Direct switches left before the loop must run (poll, other queues).
  int budget_ = 0;
  static constexpr int kDirectSwitches = 64;
  WsScheduler& sched_;
  unsigned index_;
  io::IoContext ctx_;

 private:
  bool Steal();
};

namespace {
thread_local WsScheduler::Worker* t_worker = nullptr;
}
__attribute__((noipa)) static WsScheduler::Worker* ThisWorker() { return t_worker; }

void WsScheduler::Worker::MakeReady(Fiber* f) {
  if (ThisWorker() == this && CurrentFiber() != nullptr) {
    // Woken by a fiber running here: it goes next. The one it displaces
    // joins the queue (where peers may steal it).
    Fiber* displaced = runnext_;
    runnext_ = f;
    f->host = this;
    if (displaced != nullptr) Enqueue(displaced, false);
    return;
  }
  Enqueue(f, false);
}

Fiber* WsScheduler::Worker::TakeNext() {
  if (budget_ <= 0) return nullptr;
  --budget_;
  if (Fiber* f = runnext_) {
    runnext_ = nullptr;
    return f;
  }
  return queue_.Pop();
}

// A new fiber always offers itself to an idle peer (so par's second branch
// runs in parallel); a woken fiber only when its worker already has a
// backlog — otherwise a ping-pong would pay an eventfd write per hand-off
// to wake a peer that finds nothing to steal.
void WsScheduler::Worker::Enqueue(Fiber* f, bool new_work) {
  Worker* here = ThisWorker();
  const bool mine = here != nullptr && &here->sched_ == &sched_;
  // A foreign thread is counted so the scheduler outlives it while it is in
  // here after the fiber it woke has already let run() return (the
  // scheduler's own workers are joined before it goes).
  if (!mine) sched_.inflight_.fetch_add(1, std::memory_order_acq_rel);
  Worker* target = mine ? here : static_cast<Worker*>(f->host);
  target->Push(f);
  // The first time a peer could get work (the same condition as waking an
  // idle one below), the peers' threads start.
  if (!sched_.peers_started_.load(std::memory_order_acquire) &&
      (new_work || target->queue_.size() > 1)) {
    sched_.StartPeers();
  }
  if (sched_.idle_.load(std::memory_order_seq_cst) > 0 && (new_work || target->queue_.size() > 1)) {
    sched_.WakeOneIdle(target);
  }
  if (!mine) sched_.inflight_.fetch_sub(1, std::memory_order_acq_rel);  // last touch
}

bool WsScheduler::Worker::Steal() {
  size_t n = sched_.workers_.size();
  for (size_t i = 1; i < n; ++i) {
    Worker& victim = *sched_.workers_[(index_ + i) % n];
    if (victim.queue_.StealInto(queue_) > 0) return true;
  }
  return false;
}

// The worker loop, as its stages.
void WsScheduler::Worker::Loop() {
  t_worker = this;
  io::SetCurrentExecutor(this);
  EnterFiberThread();
  constexpr int kBatch = 64;
  while (!sched_.stopping_.load(std::memory_order_acquire)) {
    // 1. Run ready fibers (a bounded batch, so IO and timers are not
    //    starved). Each may hand over directly to others (take_next) up to
    //    its budget. A fiber left in runnext_ goes behind the queue, so a
    //    pair that keeps waking each other does not starve it.
    int ran = 0;
    while (ran < kBatch) {
      if (runnext_ != nullptr && !queue_.empty()) {
        queue_.Push(runnext_);
        runnext_ = nullptr;
      }
      Fiber* f = runnext_ != nullptr ? std::exchange(runnext_, nullptr) : queue_.Pop();
      if (!f) break;
      budget_ = kDirectSwitches;
      Resume(f, this);
      ++ran;
    }
    if (ran > 0) {
      // 2+3. Due timers and ready descriptors, without blocking.
      ctx_.Poll(io::Duration::zero());
      continue;
    }
    // 4. Steal from a peer.
    if (Steal()) continue;
    // 5. Idle: block in poll until IO, a timer or a wakeup.
    sched_.idle_.fetch_add(1, std::memory_order_seq_cst);
    ctx_.Poll(io::Duration(-1), [this] {
      return queue_.empty() && !sched_.any_queued() &&
             !sched_.stopping_.load(std::memory_order_seq_cst);
    });
    sched_.idle_.fetch_sub(1, std::memory_order_seq_cst);
  }
  LeaveFiberThread();
  io::SetCurrentExecutor(nullptr);
  t_worker = nullptr;
}

WsScheduler::WsScheduler(io::BackendKind backend, unsigned workers) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  GcSetup();
  for (unsigned i = 0; i < workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(*this, i, backend));
  }
}

WsScheduler::~WsScheduler() {
  JoinAll();
  while (inflight_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

bool WsScheduler::any_queued() const {
  for (const auto& w : workers_) {
    if (w->queue_.size() > 0) return true;
  }
  return false;
}

void WsScheduler::WakeOneIdle(Worker* except) {
  for (auto& w : workers_) {
    if (w.get() != except && w->ctx_.wants_wakeup()) {
      w->ctx_.Wakeup();
      return;
    }
  }
}

// Workers 1.. start when the first fiber is spawned or a queue holds two:
// until then there is nothing to steal, and a program that never forks
// (hello, a sieve) does not pay for their threads, epoll instances and
// malloc arenas at start-up (docs/runtime-memory.md, "Start-up"). Their
// IoContexts exist from the constructor, so a push to one is always safe.
void WsScheduler::StartPeers() {
  std::lock_guard<std::mutex> lock(threads_mu_);
  if (peers_started_.load(std::memory_order_relaxed) || stopping_.load(std::memory_order_seq_cst)) {
    return;
  }
  AllowGcThreads();  // from this registered thread, before the peers register
  for (size_t i = 1; i < workers_.size(); ++i) {
    Worker* wp = workers_[i].get();
    // The peer's poller now, not at its first wait: a program that forks
    // has every descriptor of the scheduler once its first forkIO returned.
    wp->ctx_.EnsureBackend();
    threads_.emplace_back([wp] { wp->Loop(); });
  }
  peers_started_.store(true, std::memory_order_release);
}

// stopping_ is set before the lock is taken: a StartPeers that takes it
// later sees it and starts nothing, and none waits for the lock while the
// threads are joined (a worker may be the one calling it).
void WsScheduler::JoinAll() {
  stopping_.store(true, std::memory_order_seq_cst);
  std::vector<std::thread> started;
  {
    std::lock_guard<std::mutex> lock(threads_mu_);
    started.swap(threads_);
  }
  for (auto& w : workers_) w->ctx_.Wakeup();
  for (auto& t : started) t.join();
}

void WsScheduler::RequestStop() {
  stopping_.store(true, std::memory_order_seq_cst);
  for (auto& w : workers_) w->ctx_.Wakeup();
}

// Worker 0 runs on the calling thread, which would otherwise only wait for
// main: a program that never forks starts no thread of its own, so no
// thread stack, malloc arena or signal stack is set up for it
// (docs/runtime-memory.md, "Start-up"). main's fiber stops the workers as
// it ends (RequestStop), wherever it runs by then. A caller that is itself
// a scheduler's thread (a fiber, or a thread with an executor installed)
// keeps its own state: worker 0 gets a thread and the caller waits as a
// plain thread, outside the collector's stops.
void WsScheduler::Run(io::Task main, size_t main_stack_bytes) {
  auto join = std::make_shared<io::JoinState>();
  io::Task body = [this, task = std::move(main)] {
    struct StopAtEnd {
      WsScheduler* s;
      ~StopAtEnd() { s->RequestStop(); }
    } stop{this};
    task();
  };
  Fiber* f = Fiber::Create(std::move(body), join, main_stack_bytes);
  Worker* w0 = workers_[0].get();
  f->host = w0;
  w0->queue_.Push(f);
  if (workers_.size() == 1) peers_started_.store(true, std::memory_order_release);
  const bool inline_worker =
      ThisWorker() == nullptr && CurrentFiber() == nullptr && !io::HasCurrentExecutor();
  if (inline_worker) {
    w0->Loop();
  } else {
    AllowGcThreads();
    {
      std::lock_guard<std::mutex> lock(threads_mu_);
      threads_.emplace_back([w0] { w0->Loop(); });
    }
    RunBlocked(
        [](void* j) {
          auto* js = static_cast<io::JoinState*>(j);
          io::Forbid([&] { js->done.Await(); });
        },
        join.get());
  }
  JoinAll();
  if (join->error) std::rethrow_exception(join->error);
}

}  // namespace atl::sched
