// MVar cores, handles and their operations (see mvar.h for the model).
//
// A waiter is signalled while its core's lock is held: a waiter whose wait
// ended on its own (deadline, cancellation) takes that lock before it looks
// at whether it was served, so by then the signaller has finished with it
// and the waiter's frame may go.
#include "runtime/mvar/mvar.h"

#include <gc/gc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <new>
#include <unordered_set>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/io/cancel.h"
#include "runtime/io/executor.h"
#include "runtime/io/io_context.h"
#include "runtime/io/spin_lock.h"
#include "runtime/io/trigger.h"
#include "runtime/value/value.h"

namespace atl::mvar {

namespace {

struct Select;

// One parked operation, on the waiting execution's stack.
struct Waiter {
  enum class Kind : uint8_t { Take, Read, Put };
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  bool linked = false;
  Kind kind = Kind::Take;
  bool served = false;  // under the core's lock
  bool dead = false;    // woken by deallocateMVar
  io::Trigger* trigger = nullptr;
  StuckWait* stuck = nullptr;  // counted while parked (deadlock detection)
  Select* select = nullptr;    // takeAny: the selection this is one arm of
  size_t index = 0;            // takeAny: which arm
  atl_value value = 0;         // Put: offered; Take/Read: received
};

// A takeAny in progress: one trigger for all its arms; the first server to
// claim it delivers (value, index), every other arm is stale.
struct Select {
  io::Trigger trigger;
  StuckWait* stuck = nullptr;  // ended by whoever wins the claim
  std::atomic<bool> claimed{false};
  bool dead = false;
  size_t index = 0;
  atl_value value = 0;
};

class WaitQueue {
 public:
  bool empty() const { return head_ == nullptr; }
  Waiter* front() const { return head_; }
  void Push(Waiter* w) {
    w->prev = tail_;
    w->next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = w;
    } else {
      head_ = w;
    }
    tail_ = w;
    w->linked = true;
  }
  void Remove(Waiter* w) {
    if (w->prev != nullptr) {
      w->prev->next = w->next;
    } else {
      head_ = w->next;
    }
    if (w->next != nullptr) {
      w->next->prev = w->prev;
    } else {
      tail_ = w->prev;
    }
    w->prev = w->next = nullptr;
    w->linked = false;
  }

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

struct StatCounters {
  std::atomic<uint64_t> created{0}, freed_by_count{0}, freed_in_cycle{0}, freed_by_deallocate{0};
};
StatCounters stats;

// Puts are counted per OS thread, by that thread alone (a load and a store,
// no shared cache line on the put path); GetStats sums the threads' blocks,
// which live as long as the process.
struct PutCounters {
  std::atomic<uint64_t> by_kind[3] = {};  // static, donate, copy
  std::atomic<uint64_t> bytes{0};
  PutCounters* next = nullptr;
};
std::atomic<PutCounters*> all_put_counters{nullptr};

__attribute__((noipa)) PutCounters& MyPutCounters() {
  thread_local PutCounters* mine = nullptr;
  if (mine == nullptr) {
    mine = new PutCounters();
    mine->next = all_put_counters.load(std::memory_order_relaxed);
    while (!all_put_counters.compare_exchange_weak(mine->next, mine, std::memory_order_release)) {
    }
  }
  return *mine;
}

void Bump(std::atomic<uint64_t>& counter, uint64_t by) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Deadlock detection (mvar.h): the threads in the high half, the stuck
// waits in the low half, so one atomic step gives both as they are after
// it. (A server may end a takeAny's wait between the waiter's claim of the
// counted state and its increment; the low half then borrows from the high
// one for that moment, a state no check takes for equal halves.)
constexpr uint64_t kOneThread = uint64_t{1} << 32;
std::atomic<uint64_t> thread_and_stuck_counts{0};
std::atomic<void (*)()> deadlock_report{nullptr};

void CheckForDeadlock(uint64_t counts) {
  const uint64_t threads = counts >> 32;
  if (threads == 0 || (counts & (kOneThread - 1)) != threads) return;
  if (auto report = deadlock_report.load(std::memory_order_acquire)) report();
}

void Park(StuckWait* s) {
  if (s != nullptr) s->Park();
}

void End(StuckWait* s) {
  if (s != nullptr) s->End();
}

std::atomic<bool> finalizers_pending{false};
std::once_flag finalizer_setup;

void OnFinalizersQueued() { finalizers_pending.store(true, std::memory_order_release); }

}  // namespace

// The shared part of an MVar. Allocated on the GC heap (traced, never a
// root): reachable from its handle and from its waiters' stacks.
struct Core {
  io::SpinLock lock;
  bool full = false;
  bool dead = false;
  atl_value value = 0;
  WaitQueue takers;  // Take, Read and takeAny arms, in arrival order
  WaitQueue putters;
  std::atomic<int64_t> refs{1};
};

namespace {

using Guard = std::lock_guard<io::SpinLock>;

Core* HandleCore(atl_value handle) { return reinterpret_cast<Core*>(atl_ptr(handle)->fields[0]); }

// Wakes `w` with its outcome (lock held). After this, `w` may be gone.
void Serve(Waiter* w) {
  End(w->select != nullptr ? w->select->stuck : w->stuck);
  w->served = true;
  w->trigger->Signal();
}

// A value arrives at an empty core: the waiting readers see it, the first
// waiting taker (or takeAny arm that wins its claim) gets it. Returns true
// when it was taken. Lock held.
bool Deliver(Core* c, atl_value v) {
  while (Waiter* w = c->takers.front()) {
    c->takers.Remove(w);
    if (w->select != nullptr) {
      if (w->select->claimed.exchange(true, std::memory_order_acq_rel)) continue;  // stale arm
      w->select->index = w->index;
      w->select->value = v;
      Serve(w);
      return true;
    }
    w->value = v;
    const bool taken = w->kind == Waiter::Kind::Take;
    Serve(w);
    if (taken) return true;
  }
  return false;
}

// Takes the value of a full core (lock held); a waiting putter refills it.
atl_value TakeFull(Core* c) {
  const atl_value v = c->value;
  if (Waiter* p = c->putters.front()) {
    c->putters.Remove(p);
    c->value = p->value;
    atl_gc_written(c);  // the putter's stack, which held the value, may go
    Serve(p);
  } else {
    c->full = false;
    c->value = 0;
  }
  return v;
}

bool IsTry(io::Deadline d) { return !d.is_never() && d.at <= io::Now(); }

// Waits for `t` until the deadline. Cancelled covers both the deadline and a
// cancellation request; the caller tells them apart (WhyCancelled).
io::Wake Park(io::Trigger& t, io::Deadline d) {
  io::Timeout timer;
  if (!d.is_never()) timer = io::SetTimeout(d.at - io::Now(), [&t] { t.Cancel(); });
  const io::Wake wake = t.Await();
  if (timer.armed()) timer.Cancel();  // fences the callback off: `t` may go
  return wake;
}

Status WhyCancelled() {
  io::CancelState* cs = io::CurrentExecutor().cancel_state();
  return cs != nullptr && cs->active() ? Status::Cancelled : Status::TimedOut;
}

// The end of a wait of a single waiter on core `c`.
Status AfterPark(Core* c, WaitQueue& queue, Waiter& w, io::Wake wake) {
  if (wake == io::Wake::Signalled) return w.dead ? Status::Deallocated : Status::Ok;
  Guard g(c->lock);
  if (w.served) return w.dead ? Status::Deallocated : Status::Ok;
  queue.Remove(&w);
  End(w.stuck);
  return WhyCancelled();
}

// The rest of the cycle check: does `v` reach a handle of `target`,
// directly or through the contents of other MVars? Gives up (false) after
// `budget` objects.
bool Reaches(atl_value v, const Core* target, size_t budget) {
  std::vector<atl_value> work{v};
  std::unordered_set<const atl_object*> seen;
  while (!work.empty() && budget > 0) {
    const atl_value x = work.back();
    work.pop_back();
    if (!atl_is_ptr(x)) continue;
    const atl_object* o = atl_ptr(x);
    if (!seen.insert(o).second) continue;
    --budget;
    const uint32_t kind = atl_header_kind(o->header);
    const uint32_t size = atl_header_size(o->header);
    switch (kind) {
      case ATL_KIND_MVAR: {
        const Core* c = HandleCore(x);
        if (c == target) return true;
        if (c->full) work.push_back(c->value);
        break;
      }
      case ATL_KIND_CON:
      case ATL_KIND_ARRAY: {
        const uint64_t raw = atl_raw_fields(o);  // raw doubles reach nothing
        for (uint32_t i = 0; i < size; ++i) {
          if (i >= 64 || ((raw >> i) & 1u) == 0) work.push_back(o->fields[i]);
        }
        break;
      }
      case ATL_KIND_CLOSURE:
        for (uint32_t i = 1; i < size; ++i) work.push_back(o->fields[i]);
        break;
      default:
        break;
    }
  }
  return false;
}

void FreeCore(Core* c, bool in_cycle) {
  (in_cycle ? stats.freed_in_cycle : stats.freed_by_count).fetch_add(1, std::memory_order_relaxed);
  c->~Core();
  GC_FREE(c);
}

// A handle the collector found unreachable: drop its reference.
void GC_CALLBACK OnHandleCollected(void* obj, void* /*client_data*/) {
  Core* c = HandleCore(atl_from_ptr(obj));
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // No handle is left, so nothing can reach the core: no lock needed.
  const bool in_cycle = c->full && Reaches(c->value, c, 4096);
  FreeCore(c, in_cycle);
}

}  // namespace

void SetUpFinalizers() {
  std::call_once(finalizer_setup, [] {
    atl_gc_init();
    GC_set_finalize_on_demand(1);
    GC_set_finalizer_notifier(OnFinalizersQueued);
  });
}

atl_value New(atl_value initial) {
  SetUpFinalizers();
  RunFinalizers();
  Core* c = new (GC_MALLOC(sizeof(Core))) Core();
  if (initial != 0) {
    c->value = initial;
    c->full = true;
  }
  atl_gc_written(c);  // the core may be marked during the handle's allocation
  auto* h = static_cast<atl_object*>(atl_alloc(2 * sizeof(atl_value)));
  h->header = atl_make_header(ATL_KIND_MVAR, 0, 1);
  h->fields[0] = atl_from_ptr(c);
  atl_gc_written(h);
  GC_register_finalizer_no_order(h, OnHandleCollected, nullptr, nullptr, nullptr);
  stats.created.fetch_add(1, std::memory_order_relaxed);
  return atl_from_ptr(h);
}

Core* CoreOf(atl_value handle) { return HandleCore(handle); }

void Retain(Core* c) { c->refs.fetch_add(1, std::memory_order_relaxed); }

void Release(Core* c) {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) FreeCore(c, false);
}

void StuckWait::Park() {
  uint8_t expected = kNone;
  if (!state_.compare_exchange_strong(expected, kCounted, std::memory_order_acq_rel)) return;
  thread_and_stuck_counts.fetch_add(1, std::memory_order_acq_rel);
}

void StuckWait::End() {
  if (state_.load(std::memory_order_relaxed) == kEnded) return;
  if (state_.exchange(kEnded, std::memory_order_acq_rel) == kCounted)
    thread_and_stuck_counts.fetch_sub(1, std::memory_order_acq_rel);
}

// A counted wait is about to park, and its thread's cancellation state names
// its trigger: every thread whose wait counted before this one is findable
// too, so the last of them to get here sees them all (the count is checked
// here rather than when it is raised, under the core's lock, when the
// waiter is not findable yet).
void OnTaggedWait(const void* /*tag*/) {
  CheckForDeadlock(thread_and_stuck_counts.load(std::memory_order_acquire));
}

void EnableDeadlockDetection(void (*report)()) {
  deadlock_report.store(report, std::memory_order_release);
  io::SetTaggedWaitObserver(OnTaggedWait);
}

void ThreadStarted() { thread_and_stuck_counts.fetch_add(kOneThread, std::memory_order_acq_rel); }

void ThreadEnded() {
  CheckForDeadlock(thread_and_stuck_counts.fetch_sub(kOneThread, std::memory_order_acq_rel) -
                   kOneThread);
}

Status Put(Core* c, atl_value v, io::Deadline deadline, StuckWait* stuck) {
  io::Trigger t;
  Waiter w;
  {
    Guard g(c->lock);
    if (c->dead) return Status::Deallocated;
    if (!c->full) {
      if (!Deliver(c, v)) {
        c->value = v;
        c->full = true;
        atl_gc_written(c);
        GC_reachable_here(v);
      }
      return Status::Ok;
    }
    if (IsTry(deadline)) return Status::WouldBlock;
    w.kind = Waiter::Kind::Put;
    w.value = v;
    w.trigger = &t;
    w.stuck = stuck;
    t.set_tag(stuck);
    c->putters.Push(&w);
    Park(stuck);
  }
  return AfterPark(c, c->putters, w, Park(t, deadline));
}

static Status TakeOrRead(Core* c, atl_value* out, io::Deadline deadline, Waiter::Kind kind,
                         StuckWait* stuck) {
  io::Trigger t;
  Waiter w;
  {
    Guard g(c->lock);
    if (c->dead) return Status::Deallocated;
    if (c->full) {
      *out = kind == Waiter::Kind::Take ? TakeFull(c) : c->value;
      return Status::Ok;
    }
    if (IsTry(deadline)) return Status::WouldBlock;
    w.kind = kind;
    w.trigger = &t;
    w.stuck = stuck;
    t.set_tag(stuck);
    c->takers.Push(&w);
    Park(stuck);
  }
  const Status s = AfterPark(c, c->takers, w, Park(t, deadline));
  if (s == Status::Ok) *out = w.value;
  return s;
}

Status Take(Core* c, atl_value* out, io::Deadline deadline, StuckWait* stuck) {
  return TakeOrRead(c, out, deadline, Waiter::Kind::Take, stuck);
}
Status Read(Core* c, atl_value* out, io::Deadline deadline, StuckWait* stuck) {
  return TakeOrRead(c, out, deadline, Waiter::Kind::Read, stuck);
}

Status TakeAny(std::span<Core* const> cores, io::Deadline deadline, size_t* index, atl_value* out,
               StuckWait* stuck) {
  // Something ready now: the first in list order.
  for (size_t i = 0; i < cores.size(); ++i) {
    Guard g(cores[i]->lock);
    if (cores[i]->dead || cores[i]->full) {
      *index = i;
      if (cores[i]->dead) return Status::Deallocated;
      *out = TakeFull(cores[i]);
      return Status::Ok;
    }
  }
  if (cores.empty() && deadline.is_never()) {
    // Nothing can ever arrive; wait for cancellation alone.
    io::Trigger t;
    t.set_tag(stuck);
    Park(stuck);
    t.Await();
    End(stuck);
    return WhyCancelled();
  }
  if (IsTry(deadline)) return Status::WouldBlock;
  Select sel;
  sel.stuck = stuck;  // whoever wins the claim ends the wait
  sel.trigger.set_tag(stuck);
  std::vector<Waiter> arms(cores.size());
  size_t registered = 0;
  Status early = Status::Ok;
  bool done_early = false;
  for (; registered < cores.size(); ++registered) {
    Core* c = cores[registered];
    Guard g(c->lock);
    if (c->dead || c->full) {
      // Became ready while the others were registered: take it (unless an
      // arm registered earlier already won the claim).
      if (!sel.claimed.exchange(true, std::memory_order_acq_rel)) {
        End(sel.stuck);
        sel.index = registered;
        if (c->dead) {
          early = Status::Deallocated;
        } else {
          sel.value = TakeFull(c);
        }
        done_early = true;
      }
      break;
    }
    Waiter& w = arms[registered];
    w.kind = Waiter::Kind::Take;
    w.trigger = &sel.trigger;
    w.select = &sel;
    w.index = registered;
    c->takers.Push(&w);
  }
  io::Wake wake = io::Wake::Signalled;
  if (!done_early && registered == cores.size()) {
    // Stuck only from here: an MVar filled before its arm was queued is
    // found by the queuing, one filled after it is delivered to the arm.
    Park(stuck);
    wake = Park(sel.trigger, deadline);
  }
  // Leave no arm behind; a server that found an arm did so under the lock
  // taken here, so its delivery is visible afterwards.
  for (size_t i = 0; i < registered; ++i) {
    Guard g(cores[i]->lock);
    if (arms[i].linked) cores[i]->takers.Remove(&arms[i]);
  }
  if (done_early) {
    *index = sel.index;
    if (early == Status::Ok) *out = sel.value;
    return early;
  }
  if (sel.claimed.exchange(true, std::memory_order_acq_rel)) {
    // A server (or a deallocation) won the claim: the outcome is in `sel`.
    *index = sel.index;
    if (sel.dead) return Status::Deallocated;
    *out = sel.value;
    return Status::Ok;
  }
  (void)wake;
  End(sel.stuck);  // this execution won the claim: no server ended the wait
  return WhyCancelled();
}

Status Deallocate(Core* c) {
  {
    Guard g(c->lock);
    if (c->dead) return Status::Deallocated;
    c->dead = true;
    c->full = false;
    c->value = 0;
    for (WaitQueue* q : {&c->takers, &c->putters}) {
      while (Waiter* w = q->front()) {
        q->Remove(w);
        if (w->select != nullptr) {
          if (w->select->claimed.exchange(true, std::memory_order_acq_rel)) continue;
          w->select->dead = true;
          w->select->index = w->index;
        }
        w->dead = true;
        Serve(w);
      }
    }
  }
  stats.freed_by_deallocate.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok;
}

size_t Waiting(Core* c) {
  Guard g(c->lock);
  size_t n = 0;
  for (Waiter* w = c->takers.front(); w != nullptr; w = w->next) ++n;
  for (Waiter* w = c->putters.front(); w != nullptr; w = w->next) ++n;
  return n;
}

void RunFinalizers() {
  if (finalizers_pending.load(std::memory_order_acquire) && finalizers_pending.exchange(false)) {
    GC_invoke_finalizers();
  }
}

Stats GetStats() {
  Stats s;
  s.created = stats.created.load(std::memory_order_relaxed);
  for (PutCounters* c = all_put_counters.load(std::memory_order_acquire); c != nullptr;
       c = c->next) {
    s.puts_static += c->by_kind[0].load(std::memory_order_relaxed);
    s.puts_donated += c->by_kind[1].load(std::memory_order_relaxed);
    s.puts_copied += c->by_kind[2].load(std::memory_order_relaxed);
    s.bytes_copied += c->bytes.load(std::memory_order_relaxed);
  }
  s.freed_by_count = stats.freed_by_count.load(std::memory_order_relaxed);
  s.freed_in_cycle = stats.freed_in_cycle.load(std::memory_order_relaxed);
  s.freed_by_deallocate = stats.freed_by_deallocate.load(std::memory_order_relaxed);
  return s;
}

void CountPut(uint32_t send_kind, uint64_t bytes_copied) {
  PutCounters& c = MyPutCounters();
  Bump(c.by_kind[send_kind < 2 ? send_kind : 2], 1);
  if (bytes_copied != 0) Bump(c.bytes, bytes_copied);
}

}  // namespace atl::mvar

extern "C" void atl_mvar_print_stats(int fd, int json) {
  const atl::mvar::Stats s = atl::mvar::GetStats();
  auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  if (json != 0) {
    dprintf(fd,
            "\"mvars\":{\"created\":%llu,\"puts_static\":%llu,\"puts_donated\":%llu,\"puts_"
            "copied\":%llu,"
            "\"bytes_copied\":%llu,\"freed_by_count\":%llu,\"freed_in_cycle\":%llu,\"freed_by_"
            "deallocate\":%llu}",
            u(s.created), u(s.puts_static), u(s.puts_donated), u(s.puts_copied), u(s.bytes_copied),
            u(s.freed_by_count), u(s.freed_in_cycle), u(s.freed_by_deallocate));
    return;
  }
  dprintf(fd,
          "atoll mvars: %llu created; puts %llu static, %llu donated, %llu copied (%llu bytes); "
          "freed %llu by count (%llu of them in cycles), %llu by deallocateMVar\n",
          u(s.created), u(s.puts_static), u(s.puts_donated), u(s.puts_copied), u(s.bytes_copied),
          u(s.freed_by_count + s.freed_in_cycle), u(s.freed_in_cycle), u(s.freed_by_deallocate));
}
