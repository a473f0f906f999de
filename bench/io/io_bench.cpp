// IO-layer micro-benchmarks, one measurement per invocation so the run
// script can take medians:  io_bench SCHED BACKEND WHAT
//   switch   ns per fiber switch (two fibers ping-ponging through triggers)
//   yield    ns per yield of a lone fiber (switch out and back in)
//   spawn    ns per spawn+join (100,000 fibers, joined in order)
//   wakeup   ns per cross-thread wakeup (half a round trip with a foreign thread)
//   echo     MB/s echoed on loopback (CLIENTS x MB, default 20 x 8)
//   many     100,000 fibers alive (prints bytes of RSS per idle fiber)
// Prints one line: "<what> <value> <unit>".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/net.h"
#include "runtime/io/trigger.h"
#include "runtime/sched/scheduler.h"
#include "runtime/sched/tests/echo.h"
#include "runtime/sched/tests/many_fibers.h"

using namespace atl;
using Clock = std::chrono::steady_clock;

namespace {

double NsSince(Clock::time_point t0, long n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
         static_cast<double>(n);
}

double BenchSwitch() {
  constexpr long kRounds = 200000;
  // Two fibers hand a token back and forth; each hand-off is one switch.
  std::vector<std::unique_ptr<io::Trigger>> a(kRounds), b(kRounds);
  for (long i = 0; i < kRounds; ++i) {
    a[i] = std::make_unique<io::Trigger>();
    b[i] = std::make_unique<io::Trigger>();
  }
  auto t0 = Clock::now();
  auto h = io::Spawn([&] {
    for (long i = 0; i < kRounds; ++i) {
      a[i]->Await();
      b[i]->Signal();
    }
  });
  for (long i = 0; i < kRounds; ++i) {
    a[i]->Signal();
    b[i]->Await();
  }
  h.Join();
  return NsSince(t0, 2 * kRounds);
}

double BenchYield() {
  constexpr long kN = 1000000;
  auto t0 = Clock::now();
  for (long i = 0; i < kN; ++i) io::Yield();
  return NsSince(t0, kN);
}

double BenchSpawn() {
  constexpr long kN = 100000;
  std::vector<io::FiberHandle> hs;
  hs.reserve(kN);
  std::atomic<long> sum{0};
  auto t0 = Clock::now();
  for (long i = 0; i < kN; ++i)
    hs.push_back(io::Spawn([&sum] { sum.fetch_add(1, std::memory_order_relaxed); }));
  for (auto& h : hs) h.Join();
  return NsSince(t0, kN);
}

double BenchWakeup() {
  constexpr long kRounds = 20000;
  std::vector<std::unique_ptr<io::Trigger>> ping(kRounds), pong(kRounds);
  for (long i = 0; i < kRounds; ++i) {
    ping[i] = std::make_unique<io::Trigger>();
    pong[i] = std::make_unique<io::Trigger>();
  }
  // The foreign thread blocks on a futex (it has no scheduler).
  std::thread th([&] {
    io::SetCurrentExecutor(nullptr);
    for (long i = 0; i < kRounds; ++i) {
      ping[i]->Await();
      pong[i]->Signal();
    }
  });
  auto t0 = Clock::now();
  for (long i = 0; i < kRounds; ++i) {
    ping[i]->Signal();
    pong[i]->Await();
  }
  double ns = NsSince(t0, 2 * kRounds);
  th.join();
  return ns;
}

double BenchEcho(int clients, size_t mb) {
  test::EchoStats st;
  auto t0 = Clock::now();
  test::EchoRun("127.0.0.1", clients, mb << 20, st);
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (st.errors.load() != 0 || st.clients_ok.load() != clients) {
    std::fprintf(stderr, "echo: %d errors, %d/%d clients ok: %s\n", st.errors.load(),
                 st.clients_ok.load(), clients, st.first_error.c_str());
    std::exit(1);
  }
  return static_cast<double>(st.bytes.load()) / 1e6 / secs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: io_bench ws|threads|loop epoll|poll|uring WHAT [CLIENTS MB]\n");
    return 2;
  }
  sched::Options o;
  o.sched = std::strcmp(argv[1], "threads") == 0 ? sched::SchedKind::Threads
            : std::strcmp(argv[1], "loop") == 0  ? sched::SchedKind::Loop
                                                 : sched::SchedKind::Ws;
  o.io = std::strcmp(argv[2], "poll") == 0    ? io::BackendKind::Poll
         : std::strcmp(argv[2], "uring") == 0 ? io::BackendKind::Uring
                                              : io::BackendKind::Epoll;
  if (const char* w = std::getenv("ATOLL_WORKERS")) o.workers = static_cast<unsigned>(std::atoi(w));
  std::string what = argv[3];
  int clients = argc > 4 ? std::atoi(argv[4]) : 20;
  size_t mb = argc > 5 ? static_cast<size_t>(std::atoi(argv[5])) : 8;
  double v = 0;
  const char* unit = "ns";
  sched::Run(o, [&] {
    if (what == "switch")
      v = BenchSwitch();
    else if (what == "yield")
      v = BenchYield();
    else if (what == "spawn")
      v = BenchSpawn();
    else if (what == "wakeup")
      v = BenchWakeup();
    else if (what == "echo") {
      v = BenchEcho(clients, mb);
      unit = "MB/s";
    } else if (what == "many") {
      int n = clients > 100 ? clients : 100000;
      auto r = test::ManyFibers(n);
      if (r.finished != n || r.peak_alive != n) {
        std::fprintf(stderr, "many: %d finished, peak %d of %d\n", r.finished, r.peak_alive, n);
        std::exit(1);
      }
      v = static_cast<double>(r.rss_per_fiber_bytes);
      unit = "B/fiber";
      std::fprintf(stderr, "many: %d fibers alive at once, %d mappings\n", n, r.maps_at_peak);
    }
  });
  std::printf("%s %.1f %s\n", what.c_str(), v, unit);
  return 0;
}
