// atl_gc_init_program, as a program's main calls it on the process's first
// thread (docs/runtime-memory.md, "Start-up"): its own binary, because the
// collector initialises once per process.
#include <doctest/doctest.h>
#include <gc/gc.h>

#include <cstdlib>

#include "runtime/gc/gc.h"

extern "C" void* __libc_stack_end;

TEST_CASE("a program's GC start-up: stack bottom given, GC_NPROCS not left behind") {
  REQUIRE(std::getenv("GC_NPROCS") == nullptr);  // ctest does not set it
  atl_gc_init_program();
  // Passed to GC_init for its processor count, then removed: the
  // program's children do not inherit it.
  CHECK(std::getenv("GC_NPROCS") == nullptr);
  // The main thread's stack bottom is glibc's, not the top of the stack
  // mapping that pthread_getattr_np finds by reading /proc/self/maps.
  GC_stack_base sb{};
  GC_get_my_stackbottom(&sb);
  CHECK(sb.mem_base == __libc_stack_end);
  // Collections mark from this stack: an object that only a local of this
  // frame points to, and one it points to, survive them intact.
  void** local = static_cast<void**>(atl_alloc(64));
  local[0] = atl_alloc(64);
  static_cast<char*>(local[0])[0] = 'x';
  for (int i = 0; i < 3; ++i) GC_gcollect();
  CHECK(GC_base(local) == local);
  CHECK(static_cast<char*>(local[0])[0] == 'x');
  // The allocation slow path after a collection allows threads (markers).
  atl_gc_allow_threads();
  void* after = atl_alloc(64);
  CHECK(GC_base(after) == after);
}
