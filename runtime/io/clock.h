// Clocks. Monotonic time drives timers and deadlines; wall time is for display.
#pragma once

#include <chrono>
#include <cstdint>

namespace atl::io {

using Duration = std::chrono::nanoseconds;
using MonoTime = std::chrono::steady_clock::time_point;

inline MonoTime Now() { return std::chrono::steady_clock::now(); }
int64_t MonotonicNs();  // CLOCK_MONOTONIC in nanoseconds
int64_t WallNs();       // CLOCK_REALTIME in nanoseconds since the epoch

// An optional absolute deadline; Deadline::never() waits forever.
struct Deadline {
  MonoTime at = MonoTime::max();
  static Deadline Never() { return {}; }
  static Deadline After(Duration d) { return {Now() + d}; }
  bool is_never() const { return at == MonoTime::max(); }
};

}  // namespace atl::io
