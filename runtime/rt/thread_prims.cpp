// forkIO and timeout for generated code (rt.h), over rt/thread.h.
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"

extern "C" {

atl_value atl_rt_fork(atl_value action, atl_where at, void* /*region*/) {
  atl::rt::Fork(action, "forkIO", at, 0);
  return atl_unit();
}

atl_value atl_rt_timeout(atl_value ms, atl_value action, atl_where /*at*/, void* region) {
  atl_value out = 0;
  if (atl::rt::RunWithTimeout(atl_int_get(ms), action, region, &out))
    return atl_rt_pair(atl_bool(1), out);
  return atl_rt_pair(atl_bool(0), atl_unit());
}

}  // extern "C"
