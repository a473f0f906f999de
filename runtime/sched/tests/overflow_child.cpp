// Child process for overflow_test: overflows a fiber stack in the way named
// by argv[1] and is expected to die with a clear message.
#include <cstdio>
#include <cstring>

#include "runtime/io/fiber_api.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/scheduler.h"

namespace {

// Recursion the compiler cannot turn into a loop; `check` mimics the stack
// limit test generated code can emit.
__attribute__((noinline)) int Deep(int n, bool check) {
  volatile char pad[256];
  pad[0] = static_cast<char>(n);
  if (check && reinterpret_cast<char*>(__builtin_frame_address(0)) <
                   static_cast<char*>(atl_fiber_stack_limit()) + sizeof pad) {
    atl_stack_overflow();
  }
  return n == 0 ? pad[0] : Deep(n - 1, check) + pad[0];
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "guard";
  atl::sched::Options o;
  o.workers = 1;
  atl::sched::Run(o, [&] {
    if (std::strcmp(mode, "guard") == 0) {
      std::printf("%d\n", Deep(1 << 30, false));
    } else if (std::strcmp(mode, "check") == 0) {
      std::printf("%d\n", Deep(1 << 30, true));
    } else if (std::strcmp(mode, "canary") == 0) {
      // A frame that spilled just past the limit, then a switch.
      char* below = static_cast<char*>(atl_fiber_stack_limit()) - 4096 - 16;
      std::memset(below, 0x55, 16);
      atl::io::Yield();
    }
  });
  std::puts("survived");
  return 0;
}
