// Program entry, printing and runtime errors.
#include "runtime/rt/rt.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/rt/main_stack.h"
#include "runtime/region/region.h"
#include "runtime/value/show.h"
#include "runtime/value/string.h"

namespace {

// stdout gets a large buffer: programs that print in a loop should not pay a
// write(2) per line. Flushed at exit and before any runtime error.
char stdout_buffer[1 << 16];

void WriteString(atl_value s) {
  const size_t len = atl_string_length(s);
  if (len > 0) std::fwrite(atl_string_bytes(s), 1, len, stdout);
}

struct MainCall {
  atl_entry_fn entry;
};

// main runs in a root region of the thread that runs it. (Running it as a
// fiber of the default scheduler, runtime/sched, comes with forkIO.)
void RunMain(void* p) {
  atl_region* root = atl_region_open("main");
  static_cast<MainCall*>(p)->entry(root);
  atl_region_close(root);
}

}  // namespace

extern "C" {

int atl_rt_main(const atl_program_info* info, atl_entry_fn entry, int argc, char** argv) {
  atl_rt_set_args(argc, argv);
  atl_gc_init();
  atl_set_program_info(info);
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
  MainCall call{entry};
  if (!atl::rt::RunOnLargeStack(RunMain, &call, atl::rt::MainStackBytes())) {
    std::fprintf(stderr, "atoll: cannot start the main thread with a large stack; using the process stack\n");
    RunMain(&call);
  }
  if (std::fflush(stdout) != 0) {
    std::perror("atoll: writing stdout");
    return 1;
  }
  return 0;
}

atl_value atl_rt_print(atl_value s, void* /*region*/) {
  WriteString(s);
  std::fputc('\n', stdout);
  return atl_unit();
}

atl_value atl_rt_put_str(atl_value s, void* /*region*/) {
  WriteString(s);
  return atl_unit();
}

void atl_rt_fail(const char* msg, const char* file, uint32_t line, uint32_t col) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s:%u:%u: runtime error: %s\n", file, line, col, msg);
  std::fflush(stderr);
  std::_Exit(ATL_RT_FAIL_STATUS);
}

void atl_rt_exit(atl_value status) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(static_cast<int>(atl_int_get(status) & 0xFF));
}

}  // extern "C"
