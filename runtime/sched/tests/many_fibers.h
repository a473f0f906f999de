// N fibers alive at once, each sleeping and yielding; reports resident
// memory per idle fiber. Shared by the ctest test and the stress program.
#pragma once

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/net.h"
#include "runtime/io/trigger.h"

namespace atl::test {

inline long RssKib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

inline int MapCount() {
  std::ifstream f("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) ++n;
  return n;
}

struct ManyResult {
  int finished = 0;
  int peak_alive = 0;
  long rss_per_fiber_bytes = 0;
  int maps_at_peak = 0;
  int maps_added = 0;  // mappings created between start and peak
};

// Every fiber: yield, sleep, then park until all are alive (so the peak is
// really n at once), then yield and sleep again.
inline ManyResult ManyFibers(int n) {
  ManyResult r;
  std::atomic<int> alive{0}, finished{0};
  io::Trigger all_alive;
  std::vector<io::FiberHandle> hs;
  hs.reserve(n);
  long rss0 = RssKib();
  int maps0 = MapCount();
  std::atomic<int> ready{0};
  std::vector<std::unique_ptr<io::Trigger>> gates;
  for (int i = 0; i < n; ++i) gates.push_back(std::make_unique<io::Trigger>());
  for (int i = 0; i < n; ++i) {
    hs.push_back(io::Spawn([&, i] {
      alive++;
      io::Yield();
      io::Sleep(std::chrono::milliseconds(1 + i % 10));
      ready++;
      gates[i]->Await();
      io::Yield();
      io::Sleep(std::chrono::milliseconds(1));
      alive--;
      finished++;
    }));
  }
  while (ready.load() < n) io::Sleep(std::chrono::milliseconds(2));
  r.peak_alive = alive.load();
  r.rss_per_fiber_bytes = (RssKib() - rss0) * 1024 / n;
  r.maps_at_peak = MapCount();
  r.maps_added = r.maps_at_peak - maps0;
  for (auto& g : gates) g->Signal();
  for (auto& h : hs) h.Join();
  r.finished = finished.load();
  return r;
}

}  // namespace atl::test
