// Programs in a functional style recurse deeply (`double (x :: xs) = (x * 2)
// :: double xs` on a list of 10^6 elements needs ~50 MB of stack), so main
// runs on a thread with a large reserved stack instead of the process's
// 8 MiB one. Untouched stack pages cost nothing; the GC scans only the part
// in use. A guard region below the stack turns an overflow into a SIGSEGV
// that a handler on an alternate stack reports.
#include "runtime/rt/main_stack.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "runtime/gc/gc.h"
#include "runtime/rt/signal_chain.h"

namespace atl::rt {
namespace {

constexpr size_t kGuardBytes = 1 << 20;  // larger than any frame we emit
constexpr size_t kAltStackBytes = 64 * 1024;

// The calling thread's stack, lowest usable address; the guard lies below.
// Set before the handler can see a fault of this thread.
thread_local uintptr_t stack_low = 0;
struct sigaction previous_action;
pthread_once_t handler_once = PTHREAD_ONCE_INIT;

void WriteStderr(const char* text) { (void)!write(STDERR_FILENO, text, std::strlen(text)); }

void OnSegv(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  if (stack_low != 0 && addr < stack_low && addr + kGuardBytes + 4096 >= stack_low) {
    // stdout may be locked by the interrupted code: flush only if it is free.
    if (ftrylockfile(stdout) == 0) {
      fflush_unlocked(stdout);
      funlockfile(stdout);
    }
    WriteStderr("atoll: runtime error: stack overflow (recursion too deep; "
                "ATOLL_STACK_MB sets the stack size of main)\n");
    _exit(1);
  }
  ChainSignal(previous_action, sig, info, context);  // not ours: pass it on
}

void InstallHandler() { InstallSegvHandler(OnSegv, &previous_action); }

// Gives the calling thread an alternate signal stack (the handler cannot
// run on the stack that overflowed) and records where its stack ends.
void WatchThisStack() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* low = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  thread_local std::unique_ptr<char[]> alt_stack;
  if (!alt_stack) alt_stack = std::make_unique<char[]>(kAltStackBytes);
  stack_t ss{};
  ss.ss_sp = alt_stack.get();
  ss.ss_size = kAltStackBytes;
  if (sigaltstack(&ss, nullptr) != 0) return;
  stack_low = reinterpret_cast<uintptr_t>(low);
  pthread_once(&handler_once, InstallHandler);
}

}  // namespace

auto LargeStackThread::Main(void* p) -> void* {
  const Job job = *static_cast<Job*>(p);
  atl_gc_register_thread();
  WatchThisStack();
  job.fn(job.arg);
  atl_gc_unregister_thread();
  return nullptr;
}

auto LargeStackThread::Start(void (*fn)(void*), void* arg, size_t stack_bytes) -> bool {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_attr_setguardsize(&attr, kGuardBytes);
  job_ = Job{fn, arg};
  const bool started = pthread_create(&thread_, &attr, Main, &job_) == 0;
  pthread_attr_destroy(&attr);
  return started;
}

void LargeStackThread::Join() { pthread_join(thread_, nullptr); }

auto MainStackBytes() -> size_t {
  size_t mib = 1024;
  if (const char* env = std::getenv("ATOLL_STACK_MB")) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= (1ull << 20)) {
      mib = static_cast<size_t>(v);
    } else {
      std::fprintf(stderr, "atoll: ATOLL_STACK_MB=%s is not a size in MiB (1..1048576); using %zu\n", env, mib);
    }
  }
  return mib << 20;
}

auto RunOnLargeStack(void (*fn)(void*), void* arg, size_t stack_bytes) -> bool {
  LargeStackThread thread;
  if (!thread.Start(fn, arg, stack_bytes)) return false;
  thread.Join();
  return true;
}

}  // namespace atl::rt
