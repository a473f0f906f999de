// parST: two runST bodies run in parallel, as two threads of the
// scheduler (runtime/rt/thread.h, Parallel). Each opens a fresh region of
// its own thread, so neither can see the other's mutable data and the pair
// of results is deterministic.
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"

extern "C" atl_value atl_rt_par_st(atl_value left, atl_value right, const char* site,
                                   atl_where at) {
  atl_value a = 0;
  atl_value b = 0;
  atl::rt::Parallel(left, right, site, at, &a, &b);
  return atl_rt_pair(a, b);
}
