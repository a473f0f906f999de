#include "runtime/sched/fiber.h"

#include <gc/gc.h>
#include <gc/gc_mark.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "runtime/io/signal_chain.h"
#include "runtime/sched/gc_roots.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define ATL_TSAN 1
#endif

namespace bctx = boost::context::detail;

namespace atl::sched {

// Per-thread switching state. Accessed through noipa functions only: a fiber
// may resume on another thread, and a cached TLS address would then be stale.
struct ThreadCtx {
  bctx::fcontext_t native_sp = nullptr;  // saved native context while a fiber runs
  void* native_bottom = nullptr;         // cold end of the native stack
  void* gc_handle = nullptr;             // for GC_set_stackbottom
  Fiber* current = nullptr;
  char* stack_limit = nullptr;
  NativeStackRoot root;  // registered with the GC hook
  // A thread that is itself an execution (the threads scheduler): its state
  // and the guard below its stack, for the overflow report.
  io::JoinState* thread_join = nullptr;
  char* guard_low = nullptr;
  char* guard_high = nullptr;
#ifdef ATL_TSAN
  void* tsan_native = nullptr;
#endif
  bool entered = false;
  bool registered_here = false;
};

namespace {
thread_local ThreadCtx t_ctx;
}

__attribute__((noipa)) static ThreadCtx& Tctx() { return t_ctx; }

Fiber* CurrentFiber() { return Tctx().current; }

namespace {
std::atomic<OverflowReporter> g_overflow_reporter{nullptr};

[[noreturn]] void ReportOverflow(const char* how, const void* pc = nullptr) {
  ThreadCtx& tc = Tctx();
  if (OverflowReporter r = g_overflow_reporter.load(std::memory_order_acquire)) {
    r(tc.current != nullptr ? tc.current->join_state() : tc.thread_join, pc);
  }
  [[maybe_unused]] ssize_t n = write(2, how, std::strlen(how));
  signal(SIGABRT, SIG_DFL);
  abort();
}
}  // namespace

// What becomes of the fiber that jumped away, once its context is saved.
enum class After : uint8_t { None, Park, Yield, Finish };

// What a jump carries to the other side: who jumped (null: the native
// stack) and what to do with it there. Lives on the jumper's stack, which
// stays valid until the other side has run the action.
struct Jump {
  Fiber* from;
  After after;
};

// atl_fiber_stack_limit() leaves this much above the guard, so the overflow
// report itself (and a lazy PLT resolution in it) has stack to run on.
constexpr size_t kOverflowReserve = 4096;

// Sets the thread's GC stack bottom; inside the switch fence.
static void SetGcBottom(ThreadCtx& tc, void* bottom) {
  GC_stack_base sb{};
  sb.mem_base = bottom;
  GC_set_stackbottom(tc.gc_handle, &sb);
}

// Makes `f` the running fiber of this thread (inside the switch fence).
void Install(ThreadCtx& tc, Fiber* f) {
  tc.current = f;
  tc.stack_limit = f->stack_.low + kOverflowReserve;
  f->running_ = true;
  tc.root.active = true;  // the native stack is suspended below a fiber
  SetGcBottom(tc, f->stack_.high);
}

// Jumps to `to`, telling ThreadSanitizer first (in TSan builds). The
// annotation must come right before the jump: an instrumented function
// returning after it would pop the target's shadow stack.
static bctx::transfer_t JumpTo(bctx::fcontext_t to, const void* jump_data, void* tsan_target) {
#ifdef ATL_TSAN
  __tsan_switch_to_fiber(tsan_target, 0);
#else
  (void)tsan_target;
#endif
  return bctx::jump_fcontext(to, const_cast<void*>(jump_data));
}

struct SwitchImpl {
  // The first thing after every jump lands, on either side: record where the
  // jumper stopped, leave the switch fence, then do what it asked.
  static void Arrive(bctx::transfer_t t) {
    ThreadCtx& tc = Tctx();
    const Jump* j = static_cast<const Jump*>(t.data);
    Fiber* from = j->from;
    const After after = j->after;
    if (from == nullptr) {
      tc.native_sp = t.fctx;
      tc.root.sp = t.fctx;
    } else {
      from->ctx_ = t.fctx;
    }
    SwitchExit(tc.root);
    if (from == nullptr) return;
    switch (after) {
      case After::None:
        break;
      case After::Park:
        from->awaiter_.ParkAfterSwitch();
        break;
      case After::Yield:
        from->host->MakeReady(from);
        break;
      case After::Finish:
        Fiber::Destroy(from);
        break;
    }
  }

  // Entry of every fiber: finish the jump that started us, run the task.
  static void entry(bctx::transfer_t t) {
    Arrive(t);
    Fiber* f = Tctx().current;
    io::RunTask(f->task_, *f->join_);
    f->task_ = nullptr;  // drop captures while still on the fiber
    f->finished_ = true;
    Leave(After::Finish);
    __builtin_unreachable();
  }

  // From the running fiber: it stops (`after` says how), and the next fiber
  // its host has ready runs in its place on this thread -- a direct jump,
  // with no stop on the native stack -- or, when there is none (or the
  // host wants its loop back), the native stack does. Returns when the
  // fiber is resumed, maybe on another thread.
  static void Leave(After after) {
    ThreadCtx& tc = Tctx();
    Fiber* f = tc.current;
    if (f->stack_.canary && !StackPool::Instance().canary_intact(f->stack_)) {
      ReportOverflow("atoll: fiber stack overflow (guard canary clobbered)\n");
    }
    Fiber* next = after == After::Yield ? nullptr : f->host->TakeNext();
    const Jump j{f, after};
    SwitchEnter(tc.root);
    f->running_ = false;
    if (next != nullptr) {
      next->host = f->host;
      Install(tc, next);
      Arrive(JumpTo(next->ctx_, &j, next->tsan_));
    } else {
      tc.current = nullptr;
      tc.stack_limit = nullptr;
      tc.root.active = false;
      SetGcBottom(tc, tc.native_bottom);
#ifdef ATL_TSAN
      Arrive(JumpTo(tc.native_sp, &j, tc.tsan_native));
#else
      Arrive(JumpTo(tc.native_sp, &j, nullptr));
#endif
    }
  }
};

void Resume(Fiber* f, FiberHost* host) {
  ThreadCtx& tc = Tctx();
  f->host = host;
  const Jump j{nullptr, After::None};
  SwitchEnter(tc.root);
  Install(tc, f);
  // Back on the native stack when some fiber of this thread left for it.
  SwitchImpl::Arrive(JumpTo(f->ctx_, &j, f->tsan_));
}

void SuspendPark() { SwitchImpl::Leave(After::Park); }
void SuspendYield() { SwitchImpl::Leave(After::Yield); }

// ---- creation and destruction ------------------------------------------------

Fiber::Fiber(io::Task task, std::shared_ptr<io::JoinState> join, Stack stack)
    : stack_(stack), task_(std::move(task)), join_(std::move(join)) {}

Fiber* Fiber::Create(io::Task task, std::shared_ptr<io::JoinState> join, size_t stack_bytes) {
  GcSetup();
  Stack s = stack_bytes == 0 ? StackPool::Instance().Acquire()
                             : StackPool::Instance().AcquireSized(stack_bytes);
  // Place the Fiber at the top of its stack; the context starts below it.
  uintptr_t top = reinterpret_cast<uintptr_t>(s.high) - sizeof(Fiber);
  top &= ~uintptr_t{63};
  Fiber* f = new (reinterpret_cast<void*>(top)) Fiber(std::move(task), std::move(join), s);
  size_t usable = static_cast<size_t>(reinterpret_cast<char*>(top) - s.low);
  f->ctx_ = bctx::make_fcontext(reinterpret_cast<void*>(top), usable, &SwitchImpl::entry);
#ifdef ATL_TSAN
  f->tsan_ = __tsan_create_fiber(0);
#endif
  GcRoots::Instance().AddFiber(f);
  return f;
}

void Fiber::Destroy(Fiber* f) {
  GcRoots::Instance().RemoveFiber(f);
#ifdef ATL_TSAN
  __tsan_destroy_fiber(f->tsan_);
#endif
  Stack s = f->stack_;
  f->~Fiber();
  StackPool::Instance().Release(s);
}

size_t LiveFibers() { return StackPool::Instance().live(); }

// ---- awaiter -----------------------------------------------------------------

void FiberAwaiter::Release() noexcept {
  Fiber* f = fiber_;
  if (st_.exchange(2, std::memory_order_acq_rel) == 1) f->host->MakeReady(f);
}

void FiberAwaiter::Await() noexcept { SuspendPark(); }

void FiberAwaiter::ParkAfterSwitch() {
  if (st_.exchange(1, std::memory_order_acq_rel) == 2) fiber_->host->MakeReady(fiber_);
}

// ---- the executor side of a fiber scheduler ---------------------------------

io::Awaiter& FiberExecutor::PrepareForAwait() {
  Fiber* f = CurrentFiber();
  if (!f) {
    std::fprintf(stderr, "atoll: blocking wait outside a fiber on a %s scheduler thread\n", name());
    std::abort();
  }
  f->awaiter().Reset();
  return f->awaiter();
}

io::JoinState* FiberExecutor::current_join() {
  Fiber* f = CurrentFiber();
  return f ? f->join_state() : nullptr;
}

void FiberExecutor::Yield() {
  if (CurrentFiber()) SuspendYield();
}

// ---- threads that run fibers -------------------------------------------------

namespace {
struct sigaction g_old_segv;
std::once_flag g_segv_once;

// The instruction that faulted.
const void* FaultingPc(void* uctx) {
#if defined(__x86_64__)
  return reinterpret_cast<const void*>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return reinterpret_cast<const void*>(static_cast<ucontext_t*>(uctx)->uc_mcontext.pc);
#else
  (void)uctx;
  return nullptr;
#endif
}

void OnSegv(int sig, siginfo_t* info, void* uctx) {
  ThreadCtx& tc = Tctx();
  if (tc.current && StackPool::Instance().in_guard(tc.current->stack(), info->si_addr)) {
    ReportOverflow("atoll: fiber stack overflow (hit the guard page)\n", FaultingPc(uctx));
  }
  const char* addr = static_cast<const char*>(info->si_addr);
  if (tc.current == nullptr && addr >= tc.guard_low && addr < tc.guard_high) {
    ReportOverflow("atoll: thread stack overflow (hit the guard page)\n", FaultingPc(uctx));
  }
  atl::io::ChainSignal(g_old_segv, sig, info, uctx);  // not ours
}
}  // namespace

void SetOverflowReporter(OverflowReporter r) {
  g_overflow_reporter.store(r, std::memory_order_release);
}

void EnterFiberThread() {
  ThreadCtx& tc = Tctx();
  if (tc.entered) return;
  tc.entered = true;
  GcSetup();
  // A thread already known (the main thread) is not registered again:
  // Boehm refuses any registration, even a duplicate, before
  // GC_allow_register_threads, which may not have run yet (AllowGcThreads).
  if (!GC_thread_is_registered()) {
    AllowGcThreads();
    GC_stack_base sb{};
    if (GC_get_stack_base(&sb) != GC_SUCCESS) {
      std::fprintf(stderr, "atoll: cannot find the thread's stack base\n");
      std::abort();
    }
    tc.registered_here = GC_register_my_thread(&sb) == GC_SUCCESS;
  }
  GC_stack_base mine{};
  tc.gc_handle = GC_get_my_stackbottom(&mine);
  tc.native_bottom = mine.mem_base;
  tc.root.bottom = mine.mem_base;
  GcRoots::Instance().AddNative(&tc.root);
#ifdef ATL_TSAN
  tc.tsan_native = __tsan_get_current_fiber();
#endif
  CatchOverflows();
}

// An alternate stack for this thread, so an overflow can be reported (the
// guards of pooled stacks are hardware ones, or canaries checked at
// switches; sized stacks and OS threads always have a hardware guard), and
// the process-wide SIGSEGV handler.
void CatchOverflows() {
  static thread_local std::unique_ptr<char[]> alt;
  if (!alt) {
    // Not value-initialised: zeroing it would touch all 16 pages of every
    // thread's alternate stack at start-up, and its contents do not matter.
    alt.reset(new char[64 * 1024]);
    stack_t ss{};
    ss.ss_sp = alt.get();
    ss.ss_size = 64 * 1024;
    sigaltstack(&ss, nullptr);
  }
  std::call_once(g_segv_once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnSegv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
  });
}

void WatchThreadStack(io::JoinState* execution) {
  ThreadCtx& tc = Tctx();
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  size_t size = 0;
  size_t guard = 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_getguardsize(&attr, &guard);
  pthread_attr_destroy(&attr);
  tc.thread_join = execution;
  tc.guard_high = static_cast<char*>(low);
  tc.guard_low = tc.guard_high - (guard > 0 ? guard : 4096);
  CatchOverflows();
}

void LeaveFiberThread() {
  ThreadCtx& tc = Tctx();
  if (!tc.entered) return;
  GcRoots::Instance().RemoveNative(&tc.root);
  tc.entered = false;
  if (tc.registered_here) GC_unregister_my_thread();
  tc.registered_here = false;
}

}  // namespace atl::sched

extern "C" void* atl_fiber_stack_limit(void) { return atl::sched::Tctx().stack_limit; }

extern "C" void atl_stack_overflow(void) {
  atl::sched::ReportOverflow("atoll: fiber stack overflow (stack limit check failed)\n",
                             __builtin_return_address(0));
}
