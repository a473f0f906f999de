// 10,000 fibers alive at once on every scheduler (100,000 in the stress
// program): all finish, the peak is reached, mappings stay bounded.
#include <doctest/doctest.h>

#include "runtime/sched/stack_pool.h"
#include "runtime/sched/tests/configs.h"
#include "runtime/sched/tests/many_fibers.h"

using namespace atl;

TEST_CASE("10,000 fibers alive at once, sleeping and yielding") {
  for (const auto& cfg : test::AllConfigs()) {
    // One OS thread per fiber: keep the threads scheduler smaller.
#if defined(__SANITIZE_THREAD__)
    // TSan counts every fiber as a thread, and allows 8,128 at once.
    int n = cfg.sched == sched::SchedKind::Threads ? 200 : 2000;
#else
    int n = cfg.sched == sched::SchedKind::Threads ? 1000 : 10000;
#endif
    INFO(test::ConfigName(cfg) << " n=" << n);
    test::ManyResult r;
    sched::Run(cfg, [&] { r = test::ManyFibers(n); });
    CHECK(r.finished == n);
    CHECK(r.peak_alive == n);
    MESSAGE(
        test::ConfigName(cfg) << ": " << n << " fibers, " << r.rss_per_fiber_bytes
                              << " bytes RSS per idle fiber, " << r.maps_at_peak
                              << " mappings (after the first run stacks come warm from the pool)");
#if !defined(__SANITIZE_THREAD__)  // TSan maps memory per fiber itself
    if (cfg.sched != sched::SchedKind::Threads) {
      // Stacks come from chunks of 256: far fewer mappings than fibers.
      CHECK(r.maps_added < n / 100);
    }
#endif
  }
}
