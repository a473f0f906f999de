// parST: two runST bodies run in parallel. Each opens a fresh region of its
// own thread (regions are per thread), so neither can see the other's
// mutable data and the pair of results is deterministic. The left body runs
// on a new thread with main's stack size, the right one on the caller's.
#include <cstdint>

#include "runtime/region/region.h"
#include "runtime/rt/apply.h"
#include "runtime/rt/main_stack.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"

namespace {

struct Side {
  atl_value action;  // a closure taking the region handle (as a word)
  const char* site;  // where the parST is, for the region's name
  atl_value result;
};

void RunSide(void* p) {
  auto* side = static_cast<Side*>(p);
  atl_region* region = atl_region_open(side->site);
  const atl_value region_word = static_cast<atl_value>(reinterpret_cast<uintptr_t>(region));
  side->result = atl_apply(side->action, 1, &region_word);
  atl_region_close(region);
}

}  // namespace

extern "C" atl_value atl_rt_par_st(atl_value left, atl_value right, const char* site) {
  // Both sides live in this frame, which the GC scans while the other
  // thread runs: the closures and the left result stay reachable.
  Side a{left, site, 0};
  Side b{right, site, 0};
  atl::rt::LargeStackThread thread;
  if (thread.Start(RunSide, &a, atl::rt::MainStackBytes())) {
    RunSide(&b);
    thread.Join();
  } else {  // no thread to be had: the same results, one after the other
    RunSide(&a);
    RunSide(&b);
  }
  return atl_rt_pair(a.result, b.result);
}
