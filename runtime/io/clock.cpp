#include "runtime/io/clock.h"

#include <time.h>

namespace atl::io {

static int64_t ReadClock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t MonotonicNs() { return ReadClock(CLOCK_MONOTONIC); }
int64_t WallNs() { return ReadClock(CLOCK_REALTIME); }

}  // namespace atl::io
