// Atoll threads on the schedulers, timeouts, and the ways a program ends
// (see thread.h).
#include "runtime/rt/thread.h"

#include <gc/gc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <set>
#include <string>

#include "runtime/gc/gc.h"
#include "runtime/gc/stats.h"
#include "runtime/io/cancel.h"
#include "runtime/io/fiber_api.h"
#include "runtime/io/trigger.h"
#include "runtime/mvar/mvar.h"
#include "runtime/rt/apply.h"
#include "runtime/rt/output.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/scheduler.h"
#include "runtime/value/fail.h"
#include "runtime/value/show.h"

namespace atl::rt {
namespace {

atl_value RegionWord(atl_region* r) {
  return static_cast<atl_value>(reinterpret_cast<uintptr_t>(r));
}

atl_region** RegionSlot() {
  Thread* t = Current();
  return t != nullptr ? &t->regions : nullptr;
}

// Region names must outlive the regions (check mode keeps them): one
// interned string per start site.
const char* SiteName(const char* kind, const atl_source_location* site) {
  if (site == nullptr) return kind;
  static std::mutex mu;
  static std::set<std::string> names;
  std::string name = std::string(kind) + " at " + site->file + ":" + std::to_string(site->line);
  std::lock_guard<std::mutex> g(mu);
  return names.insert(std::move(name)).first->c_str();
}

// Runs a thread's action in its root region; `t` becomes the execution's
// Thread for the duration.
void RunBody(Thread& t, atl_value action) {
  io::JoinState* j = io::CurrentExecutor().current_join();
  if (j != nullptr) j->local = &t;
  atl_region* root = atl_region_open(SiteName(t.kind, t.site));
  const atl_value region = RegionWord(root);
  atl_apply(action, 1, &region);
  atl_region_close(root);
  if (j != nullptr) j->local = nullptr;
}

// What a new thread starts from, in uncollectable (scanned) memory until
// the thread has copied it onto its own stack: the collector must see the
// action while the thread waits to run.
struct Start {
  atl_value action;
  const char* kind;
  const atl_source_location* site;
};

std::atomic<bool> ending{false};

// " (in the thread forked at FILE:LINE)" for a thread other than main.
// FILE:LINE:COLUMN of a source location ("atoll" when there is none).
std::string Where(const atl_source_location* at) {
  if (at == nullptr) return "atoll";
  return std::string(at->file) + ":" + std::to_string(at->line) + ":" + std::to_string(at->column);
}

std::string ThreadSuffix(const Thread* t) {
  if (t == nullptr || t->site == nullptr) return "";
  const char* what = std::strcmp(t->kind, "forkIO") == 0 ? "forked" : "started by parST";
  return std::string(" (in the thread ") + what + " at " + Where(t->site) + ")";
}

// What ATOLL_GC_STATS and ATOLL_GC_TRACE ask for (runtime/gc/stats.h).
void PrintStatistics() { atl_gc_print_stats_at_exit(); }

[[noreturn]] void WaitForTheEnd() {
  for (;;) pause();  // another thread is ending the process
}

void OnRuntimeError(const atl_source_location* at, const char* message) {
  if (ending.exchange(true)) WaitForTheEnd();
  output::FlushAtExit();
  const std::string suffix = ThreadSuffix(Current());
  if (at != nullptr) {
    std::fprintf(stderr, "%s:%u:%u: runtime error: %s%s\n", at->file, at->line, at->column, message,
                 suffix.c_str());
  } else {
    std::fprintf(stderr, "atoll: runtime error: %s%s\n", message, suffix.c_str());
  }
  std::fflush(stderr);
  PrintStatistics();
  _exit(1);
}

// The threads of the program that can wait on MVars (main and forkIO's),
// for the deadlock report.
std::mutex thread_list_lock;
Thread* thread_list = nullptr;

void ListThread(Thread* t) {
  std::lock_guard<std::mutex> g(thread_list_lock);
  t->prev = nullptr;
  t->next = thread_list;
  if (thread_list != nullptr) thread_list->prev = t;
  thread_list = t;
}

void UnlistThread(Thread* t) {
  std::lock_guard<std::mutex> g(thread_list_lock);
  if (t->prev != nullptr) {
    t->prev->next = t->next;
  } else {
    thread_list = t->next;
  }
  if (t->next != nullptr) t->next->prev = t->prev;
}

// The MVar wait a thread is in, if it counts for deadlock detection: the
// one its trigger names.
const mvar::StuckWait* StuckWaitOf(const Thread* t) {
  const io::Trigger* trigger = t->join != nullptr ? t->join->cancel.waiting() : nullptr;
  const auto* w =
      trigger != nullptr ? static_cast<const mvar::StuckWait*>(trigger->tag()) : nullptr;
  return w != nullptr && w->Stuck() ? w : nullptr;
}

// Every thread waits on an MVar that only another thread could serve
// (runtime/mvar/mvar.h, "Deadlock detection"): a runtime error at main's
// wait (or the first one listed), naming every other wait after it. Every
// thread is parked, so the list holds still. A wait inside a `timeout` ends
// when its timer fires: then this was no deadlock, and the count drops when
// that wait ends.
void OnDeadlock() {
  std::lock_guard<std::mutex> g(thread_list_lock);
  const Thread* lead = nullptr;
  for (const Thread* t = thread_list; t != nullptr; t = t->next) {
    const mvar::StuckWait* w = StuckWaitOf(t);
    if (w == nullptr || t->scopes != nullptr) return;
    if (lead == nullptr || t->site == nullptr) lead = t;  // main's, if main waits
  }
  if (lead == nullptr) return;
  if (ending.exchange(true)) WaitForTheEnd();
  output::FlushAtExit();
  auto where = [](const mvar::StuckWait* w) {
    return Where(static_cast<const atl_source_location*>(w->at));
  };
  const mvar::StuckWait* first = StuckWaitOf(lead);
  std::string text = where(first) + ": runtime error: " + first->op +
                     ": deadlock: every thread waits on an MVar that no other thread can " +
                     "fill or empty" + ThreadSuffix(lead) + "\n";
  for (const Thread* t = thread_list; t != nullptr; t = t->next) {
    if (t == lead) continue;
    const mvar::StuckWait* w = StuckWaitOf(t);
    text += "  also waiting: " + std::string(w->op) + " at " + where(w) + ThreadSuffix(t) + "\n";
  }
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  PrintStatistics();
  _exit(1);
}

void WriteStderr(const char* s) { (void)!write(STDERR_FILENO, s, std::strlen(s)); }

// A number, without the C library (async-signal-safe).
void WriteNumber(uint32_t v) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  char text[16];
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  text[n] = '\0';
  WriteStderr(text);
}

// The compiled function whose code holds `pc`, or null (runtime code, or
// a program without a function table). Reads only static tables.
const atl_function_site* FunctionAt(const void* pc) {
  const atl_program_info* info = atl_get_program_info();
  if (pc == nullptr || info == nullptr || info->functions == nullptr) return nullptr;
  const auto* p = static_cast<const char*>(pc);
  if (p < static_cast<const char*>(info->code_begin) ||
      p >= static_cast<const char*>(info->code_end))
    return nullptr;
  const atl_function_site* best = nullptr;
  for (uint32_t i = 0; i < info->function_count; ++i) {
    const auto* code = static_cast<const char*>(info->functions[i].code);
    if (code <= p && (best == nullptr || code > static_cast<const char*>(best->code)))
      best = &info->functions[i];
  }
  return best;
}

void WriteLocation(const atl_source_location& at) {
  WriteStderr(at.file);
  WriteStderr(":");
  WriteNumber(at.line);
  WriteStderr(":");
  WriteNumber(at.column);
}

// On the alternate signal stack: only plain writes.
void OnStackOverflow(io::JoinState* execution, const void* pc) {
  if (ending.exchange(true)) WaitForTheEnd();
  output::EmergencyFlush();
  const Thread* t = execution != nullptr ? static_cast<const Thread*>(execution->local) : nullptr;
  // Where the overflow happened: the function whose code overflowed, by the
  // place it is defined at.
  if (const atl_function_site* f = FunctionAt(pc)) {
    WriteLocation(f->where);
    WriteStderr(": runtime error: stack overflow in `");
    WriteStderr(f->name);
    WriteStderr(t != nullptr && t->site != nullptr ? "`," : "`");
  } else {
    WriteStderr("atoll: runtime error: stack overflow");
  }
  if (t != nullptr && t->site != nullptr) {
    WriteStderr(std::strcmp(t->kind, "forkIO") == 0 ? " in the thread forked at "
                                                    : " in the parST body at ");
    WriteLocation(*t->site);
    WriteStderr(
        " (recursion too deep; ATOLL_FIBER_STACK_KB sets the stack size of forked threads)\n");
  } else {
    WriteStderr(" (recursion too deep; ATOLL_STACK_MB sets the stack size of main)\n");
  }
  _exit(1);
}

// After a timeout scope ends (normally or by unwinding): the execution's
// cancellation stays requested only if an enclosing scope has fired too.
// Reset first, then look, so a scope firing meanwhile is never lost.
void Settle(const Thread* t, io::CancelState* cs) {
  if (cs == nullptr) return;
  cs->Reset();
  for (const TimeoutScope* s = t->scopes; s != nullptr; s = s->parent) {
    if (s->fired.load(std::memory_order_seq_cst)) {
      cs->Request();
      return;
    }
  }
}

}  // namespace

Thread* Current() {
  io::JoinState* j = io::CurrentExecutor().current_join();
  return j != nullptr ? static_cast<Thread*>(j->local) : nullptr;
}

size_t MainStackBytes() {
  size_t mib = 1024;
  if (const char* env = std::getenv("ATOLL_STACK_MB"); env != nullptr && env[0] != '\0') {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= (1ull << 20)) {
      mib = static_cast<size_t>(v);
    } else {
      std::fprintf(stderr, "atoll: ATOLL_STACK_MB=%s is not a size in MiB (1..1048576)\n", env);
      _exit(2);
    }
  }
  return mib << 20;
}

void Exit(int status) {
  if (ending.exchange(true)) WaitForTheEnd();
  if (int e = output::FlushAtExit(); e != 0) {
    std::fprintf(stderr, "atoll: writing stdout: %s\n", std::strerror(e));
    if (status == 0) status = 1;
  }
  PrintStatistics();
  std::fflush(stderr);
  _exit(status);
}

namespace {

// A program ended by SIGTERM, SIGINT or SIGHUP still prints what it had
// buffered; then the signal does what it would have done.
void OnTerminatingSignal(int sig) {
  output::EmergencyFlush();
  signal(sig, SIG_DFL);
  raise(sig);
}

void FlushOnTerminatingSignals() {
  // A write past RLIMIT_FSIZE is then an EFBIG error value, not a killed process.
  signal(SIGXFSZ, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;  // ignored by whoever started us: keep it so
    struct sigaction sa {};
    sa.sa_handler = OnTerminatingSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
}

// A server holds a descriptor per connection: the soft limit on open
// descriptors (often 1024) is raised to the hard one, as Go does, so that a
// program reaches the limit its user actually set.
void RaiseDescriptorLimit() {
  struct rlimit lim {};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

void RunProgram(atl_value (*main)(void* region)) {
  sched::Options opts;
  std::string error;
  if (!sched::ParseOptionsFromEnv(&opts, &error)) {
    std::fprintf(stderr, "atoll: %s\n", error.c_str());
    _exit(2);
  }
  opts.main_stack_bytes = MainStackBytes();
  output::Init();
  FlushOnTerminatingSignals();
  RaiseDescriptorLimit();
  InstallHooks();
  mvar::EnableDeadlockDetection(OnDeadlock);
  sched::Run(opts, [main] {
    Thread t;
    io::JoinState* j = io::CurrentExecutor().current_join();
    j->local = &t;
    t.join = j;
    ListThread(&t);
    mvar::ThreadStarted();
    atl_region* root = atl_region_open("main");
    main(root);
    atl_region_close(root);
    Exit(0);
  });
  Exit(0);
}

void InstallHooks() {
  atl_set_error_hook(OnRuntimeError);
  sched::SetOverflowReporter(OnStackOverflow);
  atl_region_set_slot_hook(RegionSlot);
}

void Fork(atl_value action, const char* kind, const atl_source_location* site, size_t stack_bytes) {
  mvar::RunFinalizers();
  Start* start = new (GC_MALLOC_UNCOLLECTABLE(sizeof(Start))) Start{action, kind, site};
  atl_gc_written(start);
  mvar::ThreadStarted();  // now, not when it first runs: its parent may wait on it at once
  io::SpawnOn(
      io::CurrentExecutor(),
      [start] {
        const Start s = *start;
        GC_FREE(start);
        Thread t;
        t.kind = s.kind;
        t.site = s.site;
        t.join = io::CurrentExecutor().current_join();
        ListThread(&t);
        RunBody(t, s.action);
        UnlistThread(&t);
        mvar::ThreadEnded();
      },
      stack_bytes);
}

void Parallel(atl_value left, atl_value right, const char* site_name,
              const atl_source_location* site, atl_value* left_result, atl_value* right_result) {
  // Both sides live in this frame, which the collector scans while the
  // other side runs.
  struct Side {
    atl_value action;
    atl_value result;
  };
  Side a{left, 0};
  Side b{right, 0};
  auto run_side = [site_name](Side& side) {
    atl_region* r = atl_region_open(site_name);
    const atl_value region = RegionWord(r);
    side.result = atl_apply(side.action, 1, &region);
    atl_region_close(r);
  };
  io::FiberHandle h = io::SpawnOn(
      io::CurrentExecutor(),
      [&a, &run_side, site] {
        Thread t;
        t.kind = "parST";
        t.site = site;
        io::JoinState* j = io::CurrentExecutor().current_join();
        if (j != nullptr) j->local = &t;
        run_side(a);
        if (j != nullptr) j->local = nullptr;
      },
      MainStackBytes());
  io::JoinGuard guard(h);
  run_side(b);
  guard.Join();
  *left_result = a.result;
  *right_result = b.result;
}

bool RunWithTimeout(int64_t ms, atl_value action, void* region, atl_value* out) {
  Thread* t = Current();
  io::CancelState* cs = io::CurrentExecutor().cancel_state();
  const atl_value region_word = RegionWord(static_cast<atl_region*>(region));
  if (t == nullptr || cs == nullptr || ms < 0) {
    *out = atl_apply(action, 1, &region_word);
    return true;
  }
  TimeoutScope scope;
  scope.parent = t->scopes;
  scope.regions = t->regions;
  if (sigsetjmp(scope.landing, 0) != 0) {
    // Back from Unwind: the scope's regions are closed, its timers disarmed
    // and t->scopes is its parent again.
    Settle(t, cs);
    return false;
  }
  t->scopes = &scope;
  scope.timer = io::SetTimeout(std::chrono::milliseconds(ms), [&scope, cs] {
    scope.fired.store(true, std::memory_order_seq_cst);
    cs->Request();
  });
  *out = atl_apply(action, 1, &region_word);
  scope.timer.Cancel();
  t->scopes = scope.parent;
  Settle(t, cs);
  return true;
}

void Unwind() {
  Thread* t = Current();
  if (t == nullptr) return;
  TimeoutScope* target = nullptr;
  for (TimeoutScope* s = t->scopes; s != nullptr; s = s->parent) {
    if (s->fired.load(std::memory_order_seq_cst)) target = s;
  }
  if (target == nullptr) return;
  for (TimeoutScope* s = t->scopes; s != target->parent; s = s->parent) s->timer.Cancel();
  while (t->regions != target->regions && t->regions != nullptr) atl_region_close(t->regions);
  t->scopes = target->parent;
  siglongjmp(target->landing, 1);
}

void CheckCancelled() {
  io::CancelState* cs = io::CurrentExecutor().cancel_state();
  if (cs != nullptr && cs->requested()) Unwind();
}

}  // namespace atl::rt
