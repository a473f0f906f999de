#include "runtime/io/clock.h"

#include <time.h>

namespace atl::io {

static int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int64_t monotonic_ns() { return read_clock(CLOCK_MONOTONIC); }
int64_t wall_ns() { return read_clock(CLOCK_REALTIME); }

}  // namespace atl::io
