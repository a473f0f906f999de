// The IO stress cases at full size, one (scheduler, backend, case) per
// process so that every run starts with a cold stack pool and its own
// descriptor table (run by runtime/sched/tests/stress.sh, `make stress`;
// not part of ctest):
//   io_stress list                         available "sched backend" pairs
//   io_stress SCHED BACKEND many [N]       N fibers alive at once (100,000;
//                                          threads: 10,000, one OS thread each)
//   io_stress SCHED BACKEND echo [C MB]    C clients x MB each (1,000 x 10)
// Checks what the ctest versions check: every fiber finishes and the peak is
// reached; every echo checksum matches and every byte arrives; after the run
// no watch is left on the context and the process has as many open
// descriptors as before. Prints one line, "OK ..." or "FAIL ...", and exits
// 0 or 1; a run that exceeds ATOLL_STRESS_LIMIT_S (default 900) seconds is
// killed by an alarm and exits 124. Loopback only.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/io/io_context.h"
#include "runtime/sched/tests/configs.h"
#include "runtime/sched/tests/echo.h"
#include "runtime/sched/tests/many_fibers.h"

using namespace atl;
using Clock = std::chrono::steady_clock;

namespace {

void OnAlarm(int) {
  const char msg[] = "FAIL time limit exceeded (ATOLL_STRESS_LIMIT_S)\n";
  (void)!write(1, msg, sizeof msg - 1);
  _exit(124);
}

bool ParseConfig(const char* s, const char* b, sched::Options& o) {
  for (const auto& c : test::AllConfigs()) {
    if (std::strcmp(sched::SchedKindName(c.sched), s) == 0 &&
        std::strcmp(io::BackendKindName(c.io), b) == 0) {
      o = c;
      return true;
    }
  }
  return false;
}

// Descriptors some schedulers create lazily once per process (the threads
// scheduler's shared poller, the blocking pool) would otherwise count as a
// leak of the first run: one small echo creates them before counting.
void WarmUp(const sched::Options& o) {
  test::EchoStats st;
  sched::Run(o, [&] { test::EchoRun("127.0.0.1", 1, 64 * 1024, st); });
}

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int RunMany(const sched::Options& o, int n) {
  int fds_before = test::OpenFds();
  test::ManyResult r;
  size_t watches = 1;
  auto t0 = Clock::now();
  sched::Run(o, [&] {
    r = test::ManyFibers(n);
    watches = io::IoContext::Current().watch_count();
  });
  double secs = SecondsSince(t0);
  int fds_after = test::OpenFds();
  bool ok = r.finished == n && r.peak_alive == n && watches == 0 && fds_after == fds_before;
  std::printf(
      "%s %d alive at once, %ld B RSS per idle fiber, %d mappings, finished %d, "
      "watches left %zu, fds %d -> %d, %.1f s\n",
      ok ? "OK" : "FAIL", r.peak_alive, r.rss_per_fiber_bytes, r.maps_at_peak, r.finished, watches,
      fds_before, fds_after, secs);
  return ok ? 0 : 1;
}

int RunEcho(const sched::Options& o, int clients, size_t mb) {
  int fds_before = test::OpenFds();
  test::EchoStats st;
  size_t watches = 1;
  auto t0 = Clock::now();
  sched::Run(o, [&] {
    test::EchoRun("127.0.0.1", clients, mb << 20, st);
    watches = io::IoContext::Current().watch_count();
  });
  double secs = SecondsSince(t0);
  int fds_after = test::OpenFds();
  uint64_t want = static_cast<uint64_t>(clients) * (mb << 20);
  bool ok = st.errors.load() == 0 && st.clients_ok.load() == clients && st.bytes.load() == want &&
            watches == 0 && fds_after == fds_before;
  std::printf(
      "%s %d/%d clients checksummed, %llu of %llu bytes, %.0f MB/s, watches left %zu, "
      "fds %d -> %d, %.1f s%s%s\n",
      ok ? "OK" : "FAIL", st.clients_ok.load(), clients,
      static_cast<unsigned long long>(st.bytes.load()), static_cast<unsigned long long>(want),
      static_cast<double>(st.bytes.load()) / 1e6 / secs, watches, fds_before, fds_after, secs,
      st.first_error.empty() ? "" : ", first error: ", st.first_error.c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "list") == 0) {
    for (const auto& c : test::AllConfigs()) {
      std::printf("%s %s\n", sched::SchedKindName(c.sched), io::BackendKindName(c.io));
    }
    return 0;
  }
  sched::Options o;
  if (argc < 4 || !ParseConfig(argv[1], argv[2], o)) {
    std::fprintf(
        stderr,
        "usage: io_stress list | SCHED BACKEND many [N] | SCHED BACKEND echo [CLIENTS MB]\n"
        "(SCHED BACKEND as printed by `io_stress list`)\n");
    return 2;
  }
  const char* limit = std::getenv("ATOLL_STRESS_LIMIT_S");
  signal(SIGALRM, OnAlarm);
  alarm(limit ? static_cast<unsigned>(std::atoi(limit)) : 900);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  WarmUp(o);
  std::string what = argv[3];
  if (what == "many") {
    bool threads = o.sched == sched::SchedKind::Threads;
    int n = argc > 4 ? std::atoi(argv[4]) : threads ? 10000 : 100000;
    return RunMany(o, n);
  }
  if (what == "echo") {
    int clients = argc > 4 ? std::atoi(argv[4]) : 1000;
    size_t mb = argc > 5 ? static_cast<size_t>(std::atoi(argv[5])) : 10;
    return RunEcho(o, clients, mb);
  }
  std::fprintf(stderr, "io_stress: unknown case %s\n", what.c_str());
  return 2;
}
