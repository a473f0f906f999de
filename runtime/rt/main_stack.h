// The thread that runs a program's `main`: a large stack, and a stack
// overflow reported as a runtime error rather than a bare SIGSEGV.
#ifndef ATOLL_RT_MAIN_STACK_H
#define ATOLL_RT_MAIN_STACK_H

#include <pthread.h>

#include <cstddef>

namespace atl::rt {

// A thread registered with the GC whose stack is `stack_bytes` long
// (reserved, committed as it is touched). An overflow of that stack prints
// "runtime error: stack overflow" on stderr (after flushing stdout when it
// safely can) and exits with status 1. Start returns false, without
// running fn, when the thread cannot be created; Join waits for it.
class LargeStackThread {
 public:
  auto Start(void (*fn)(void*), void* arg, size_t stack_bytes) -> bool;
  void Join();

 private:
  struct Job {
    void (*fn)(void*);
    void* arg;
  };
  static auto Main(void* job) -> void*;
  Job job_{};
  pthread_t thread_{};
};

// Runs fn(arg) on a LargeStackThread and waits for it; false when the
// thread cannot be created.
auto RunOnLargeStack(void (*fn)(void*), void* arg, size_t stack_bytes) -> bool;

// The stack size for main (and each parST body): ATOLL_STACK_MB (MiB) or 1 GiB.
auto MainStackBytes() -> size_t;

}  // namespace atl::rt

#endif  // ATOLL_RT_MAIN_STACK_H
