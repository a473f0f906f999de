// The embedded runtime (runtime/abi/atoll_embed.h, docs/embedding.md): the
// `loop` scheduler driven by a host's event loop, the calls of exported
// functions and the host callbacks of settled promises.
//
// State: Idle -> Running (atoll_start) -> ShutDown (atoll_shutdown). The
// scheduler, the owner thread and the `ticking` flag belong to the loop
// thread; the queue of posted callbacks and the state are shared with any
// thread under `post_mu`, so a post never reaches a scheduler that is gone.
// A scheduler with threads still alive at shutdown is left allocated: a
// host thread may still wake one of them (harmlessly: nothing runs it).
#include <poll.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "runtime/abi/atoll_embed.h"
#include "runtime/abi/atoll_export_abi.h"
#include "runtime/embed/loop.h"
#include "runtime/embed/promise.h"
#include "runtime/embed/values.h"
#include "runtime/gc/gc.h"
#include "runtime/io/fiber_api.h"
#include "runtime/region/region.h"
#include "runtime/rt/output.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/sched/loop.h"
#include "runtime/sched/scheduler.h"
#include "runtime/value/show.h"

// Present when a library's program object is linked in (compiler/lower/embed.cpp).
extern "C" const atl_embed_program atl_embed_program_data __attribute__((weak));

namespace atl::embed {
namespace {

enum State : int { kIdle, kStarting, kRunning, kShutDown };

struct Posted {
  void (*fn)(void*, atoll_promise*);
  void* arg;
  atoll_promise* promise;
};

std::atomic<int> state{kIdle};
std::mutex post_mu;         // guards `posted` and the wakeup of `loop` by other threads
std::deque<Posted> posted;  // callbacks for the next tick
sched::LoopScheduler* loop = nullptr;
pthread_t owner;
bool ticking = false;
std::set<atoll_promise*> running;  // the promises of action threads still running

// One call of an export: its inputs as host values (copied from the C
// arguments, so an action's thread does not depend on the caller's memory).
struct Call {
  const atl_export* e = nullptr;
  std::vector<size_t> param_at;  // where each parameter's code starts in e->codes
  size_t result_at = 0;
  std::vector<atoll_value*> inputs;
  atoll_value* result = nullptr;
  ~Call() {
    for (atoll_value* v : inputs) atoll_value_free(v);
    atoll_value_free(result);
  }
};

int LoopThreadStatus() {
  switch (state.load(std::memory_order_acquire)) {
    case kRunning:
      return pthread_equal(pthread_self(), owner) ? ATOLL_OK : ATOLL_E_WRONG_THREAD;
    case kShutDown:
      return ATOLL_E_SHUT_DOWN;
    default:
      return ATOLL_E_NOT_STARTED;
  }
}

void RunPosted() {
  std::deque<Posted> batch;
  {
    std::lock_guard<std::mutex> g(post_mu);
    batch.swap(posted);
  }
  for (const Posted& p : batch) {
    p.fn(p.arg, p.promise);
    atoll_promise_release(p.promise);
  }
}

// After the loop thread polled outside a tick (a pure call that parked): the next
// wakeup from another thread must reach the host again, and work that is
// ready already must be announced now.
void RearmNotification() {
  io::IoContext& ctx = loop->io_context();
  ctx.AnnounceIdle();
  bool pending;
  {
    std::lock_guard<std::mutex> g(post_mu);
    pending = !posted.empty();
  }
  if (pending || loop->Timeout().count() == 0) ctx.Wakeup();
}

// The body of an export's Atoll thread: a root region of its own (as a
// forked thread has), the arguments converted on this thread's stack (which
// the collector scans), the result copied out.
atoll_value* RunExport(const Call& call) {
  rt::Thread t;
  t.kind = "export";
  io::JoinState* j = io::CurrentExecutor().current_join();
  if (j != nullptr) j->local = &t;
  atl_region* root = atl_region_open(call.e->name);
  atl_value args[ATL_EXPORT_MAX_PARAMS] = {};
  for (size_t i = 0; i < call.inputs.size(); ++i) {
    size_t at = call.param_at[i];
    args[i] = ToAtoll(call.inputs[i], call.e->codes, &at);
  }
  const atl_value result = call.e->call(root, args);
  size_t at = call.result_at;
  atoll_value* out = FromAtoll(result, call.e->codes, &at);
  atl_region_close(root);
  if (j != nullptr) j->local = nullptr;
  return out;
}

// The host value of C argument `word` of type `code[at..]`, or a status.
int Input(const char* code, size_t at, uint64_t word, atoll_value** out) {
  switch (code[at]) {
    case 'i': {
      const auto n = static_cast<int64_t>(word);
      if (n < -(int64_t{1} << 62) || n >= (int64_t{1} << 62)) return ATOLL_E_INVALID;
      *out = atoll_int(n);
      break;
    }
    case 'f': {
      double d;
      std::memcpy(&d, &word, sizeof d);
      *out = atoll_float(d);
      break;
    }
    case 'b':
      *out = atoll_bool(word != 0);
      break;
    case 'c':
      *out = atoll_char(static_cast<uint32_t>(word));
      if (*out == nullptr) return ATOLL_E_INVALID;
      break;
    case 's': {
      const auto* s = reinterpret_cast<const char*>(static_cast<uintptr_t>(word));
      if (s == nullptr) return ATOLL_E_INVALID;
      *out = atoll_string(s, std::strlen(s));
      if (*out == nullptr) return ATOLL_E_INVALID;
      break;
    }
    case 'u':
      *out = atoll_unit();
      break;
    case 'P': {
      auto* p = reinterpret_cast<atoll_promise*>(static_cast<uintptr_t>(word));
      if (p == nullptr) return ATOLL_E_INVALID;
      *out = atoll_promise_as_value(p);
      size_t pos = at;
      if (!Matches(*out, code, &pos)) return ATOLL_E_TYPE;
      break;
    }
    default: {  // lists, tuples and records
      const auto* v = reinterpret_cast<const atoll_value*>(static_cast<uintptr_t>(word));
      if (v == nullptr) return ATOLL_E_INVALID;
      size_t pos = at;
      if (!Matches(v, code, &pos)) return ATOLL_E_TYPE;
      *out = atoll_value_copy(v);
      break;
    }
  }
  return *out != nullptr ? ATOLL_OK : ATOLL_E_SYSTEM;
}

// Hands a pure export's result to the host's `out`.
void Output(char code, atoll_value* result, void* out) {
  switch (code) {
    case 'i':
      *static_cast<int64_t*>(out) = result->i;
      break;
    case 'f':
      *static_cast<double*>(out) = result->f;
      break;
    case 'b':
      *static_cast<bool*>(out) = result->i != 0;
      break;
    case 'c':
      *static_cast<uint32_t*>(out) = static_cast<uint32_t>(result->i);
      break;
    case 's': {
      char* s = static_cast<char*>(std::malloc(result->s.size() + 1));
      if (s != nullptr) std::memcpy(s, result->s.c_str(), result->s.size() + 1);
      *static_cast<char**>(out) = s;
      break;
    }
    case 'u':
      break;
    case 'P':
      *static_cast<atoll_promise**>(out) = result->promise;
      result->promise = nullptr;  // the reference goes to the host
      break;
    default:
      break;  // lists, tuples and records: the caller hands the whole value over
  }
}

}  // namespace

int LoopStatus() {
  switch (state.load(std::memory_order_acquire)) {
    case kRunning:
      return ATOLL_OK;
    case kShutDown:
      return ATOLL_E_SHUT_DOWN;
    default:
      return ATOLL_E_NOT_STARTED;
  }
}

bool PostCallback(void (*cb)(void*, atoll_promise*), void* arg, atoll_promise* p) {
  std::lock_guard<std::mutex> g(post_mu);
  if (state.load(std::memory_order_acquire) != kRunning) return false;
  atoll_promise_retain(p);
  posted.push_back({cb, arg, p});
  loop->io_context().Wakeup();
  return true;
}

}  // namespace atl::embed

using namespace atl::embed;  // NOLINT: the C API below is this file's interface

extern "C" {

const char* atoll_strerror(int status) {
  switch (status) {
    case ATOLL_OK:
      return "ok";
    case ATOLL_E_NOT_STARTED:
      return "the Atoll runtime is not started (atoll_start)";
    case ATOLL_E_SHUT_DOWN:
      return "the Atoll runtime was shut down";
    case ATOLL_E_WRONG_THREAD:
      return "called from a thread other than the one that started the runtime";
    case ATOLL_E_ALREADY:
      return "already done (the runtime started, or the promise settled)";
    case ATOLL_E_TYPE:
      return "a value of the wrong type";
    case ATOLL_E_INVALID:
      return "an invalid argument (NULL, invalid UTF-8, an Int beyond 63 bits)";
    case ATOLL_E_BUSY:
      return "not allowed inside atoll_tick";
    case ATOLL_E_NO_PROGRAM:
      return "no Atoll library is linked in (build one with atoll build --emit=lib)";
    case ATOLL_E_SYSTEM:
      return "the runtime could not be set up";
  }
  return "unknown status";
}

int atoll_start(void) {
  int expected = kIdle;
  if (!state.compare_exchange_strong(expected, kStarting))
    return expected == kShutDown ? ATOLL_E_SHUT_DOWN : ATOLL_E_ALREADY;
  if (&atl_embed_program_data == nullptr) {
    state.store(kIdle);
    return ATOLL_E_NO_PROGRAM;
  }
  atl::sched::Options options;
  std::string error;
  if (!atl::sched::ParseOptionsFromEnv(&options, &error)) {
    std::fprintf(stderr, "atoll: %s\n", error.c_str());
    state.store(kIdle);
    return ATOLL_E_SYSTEM;
  }
  if (options.io == atl::io::BackendKind::Poll) {
    std::fprintf(stderr, "atoll: ATOLL_IO=poll has no notification descriptor to embed with\n");
    state.store(kIdle);
    return ATOLL_E_SYSTEM;
  }
  atl_rt_set_args(0, nullptr);
  atl_gc_init();
  atl_set_program_info(atl_embed_program_data.info);
  SetProgram(atl_embed_program_data.info);
  atl::rt::output::Init();
  atl::rt::output::SetLineBuffered();
  atl::rt::InstallHooks();
  loop = new atl::sched::LoopScheduler(options.io);
  owner = pthread_self();
  loop->io_context().AnnounceIdle();
  state.store(kRunning, std::memory_order_release);
  return ATOLL_OK;
}

int atoll_notify_fd(int* fd) {
  if (const int s = LoopThreadStatus(); s != ATOLL_OK) return s;
  if (fd == nullptr) return ATOLL_E_INVALID;
  *fd = loop->NotifyFd();
  return ATOLL_OK;
}

int atoll_timeout_ms(int* ms) {
  if (const int s = LoopThreadStatus(); s != ATOLL_OK) return s;
  if (ms == nullptr) return ATOLL_E_INVALID;
  {
    std::lock_guard<std::mutex> g(post_mu);
    if (!posted.empty()) {
      *ms = 0;
      return ATOLL_OK;
    }
  }
  const auto d = loop->Timeout();
  // Rounded up: waking early would only spin.
  *ms = d.count() < 0 ? -1 : static_cast<int>((d.count() + 999999) / 1000000);
  return ATOLL_OK;
}

int atoll_tick(int* live_threads) {
  if (const int s = LoopThreadStatus(); s != ATOLL_OK) return s;
  if (ticking) return ATOLL_E_BUSY;
  ticking = true;
  loop->Tick();  // 1. Atoll threads, timers and IO (runtime/sched/loop.h)
  RunPosted();   // 2. host callbacks of promises settled meanwhile
  ticking = false;
  if (live_threads != nullptr) *live_threads = static_cast<int>(loop->live());
  return ATOLL_OK;
}

int atoll_shutdown(int wait_ms, int* abandoned) {
  if (const int s = LoopThreadStatus(); s != ATOLL_OK) return s;
  if (ticking) return ATOLL_E_BUSY;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    ticking = true;
    loop->Tick();
    RunPosted();
    ticking = false;
    if (loop->live() == 0) break;
    int wait = -1;
    if (wait_ms >= 0) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      wait = static_cast<int>(left.count());
    }
    int timer = -1;
    atoll_timeout_ms(&timer);
    if (timer >= 0 && (wait < 0 || timer < wait)) wait = timer;
    struct pollfd pfd = {loop->NotifyFd(), POLLIN, 0};
    ::poll(&pfd, 1, wait);
  }
  const size_t left = loop->live();
  // Rejected while still running, so their callbacks are posted; then shut
  // down before any callback runs, so none can start another action (an
  // export called from one is ATOLL_E_SHUT_DOWN).
  for (atoll_promise* p : running) {
    RejectFromAtoll(p, "the Atoll runtime shut down before the action finished");
    atoll_promise_release(p);  // the abandoned thread's reference
  }
  running.clear();
  atl::rt::output::Flush();
  {
    std::lock_guard<std::mutex> g(post_mu);
    state.store(kShutDown, std::memory_order_release);
  }
  ticking = true;  // a callback's atoll_shutdown or atoll_tick: refused (shut down)
  RunPosted();     // everything posted before the state changed
  ticking = false;
  if (left == 0) {
    delete loop;
    loop = nullptr;
  }
  if (abandoned != nullptr) *abandoned = static_cast<int>(left);
  return ATOLL_OK;
}

int atl_embed_call(const atl_export* e, const uint64_t* words, void* out) {
  if (const int s = LoopThreadStatus(); s != ATOLL_OK) return s;
  if (atl::io::CurrentExecutor().current_join() != nullptr) return ATOLL_E_BUSY;  // from Atoll code
  auto call = std::make_shared<Call>();
  call->e = e;
  size_t at = 0;
  for (uint32_t i = 0; i < e->arity; ++i) {
    call->param_at.push_back(at);
    at = CodeEnd(e->codes, at);
  }
  call->result_at = at + 1;  // past '>'
  const bool has_out = e->action != 0 || e->codes[call->result_at] != 'u';
  if (has_out && out == nullptr) return ATOLL_E_INVALID;
  for (uint32_t i = 0; i < e->arity; ++i) {
    atoll_value* v = nullptr;
    const int s = Input(e->codes, call->param_at[i], words[i], &v);
    if (v != nullptr) call->inputs.push_back(v);
    if (s != ATOLL_OK) return s;
  }
  if (e->action != 0) {
    atoll_promise* p = atoll_promise_new();
    if (p == nullptr) return ATOLL_E_SYSTEM;
    atoll_promise_retain(p);  // the thread's reference
    running.insert(p);
    *static_cast<atoll_promise**>(out) = p;
    // Queued: its wakeup makes the notification descriptor readable.
    loop->Start([call, p] {
      atoll_value* result = RunExport(*call);
      running.erase(p);
      if (!ResolveFromAtoll(p, result)) atoll_value_free(result);
      atoll_promise_release(p);
    });
    return ATOLL_OK;
  }
  if (loop->RunNow([call] { call->result = RunExport(*call); })) RearmNotification();
  const char code = e->codes[call->result_at];
  if (code == 'L' || code == 'T' || code == 'R') {
    *static_cast<atoll_value**>(out) = call->result;
    call->result = nullptr;
  } else {
    Output(code, call->result, out);
  }
  return ATOLL_OK;
}

}  // extern "C"
