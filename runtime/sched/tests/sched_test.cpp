// Fibers, joins, par, yield, sleep, foreign-thread wakeups and cancellation,
// on every scheduler and backend.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"
#include "runtime/io/net.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/scheduler.h"
#include "runtime/sched/tests/configs.h"

using namespace atl;
using namespace std::chrono_literals;

TEST_CASE("spawn, join and par return results on every scheduler") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    std::atomic<int> sum{0};
    long fib = 0;
    sched::run(cfg, [&] {
      std::vector<io::FiberHandle> hs;
      for (int i = 1; i <= 100; ++i) hs.push_back(io::spawn([&sum, i] { sum += i; }));
      for (auto& h : hs) h.join();
      std::function<long(int)> f = [&](int n) -> long {
        if (n < 12) return n < 2 ? n : f(n - 1) + f(n - 2);
        auto [a, b] = io::par([&] { return f(n - 1); }, [&] { return f(n - 2); });
        return a + b;
      };
      fib = f(16);
    });
    CHECK(sum.load() == 5050);
    CHECK(fib == 987);
  }
}

TEST_CASE("an exception in a fiber is rethrown by join") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    bool caught = false;
    sched::run(cfg, [&] {
      auto h = io::spawn([] { throw std::runtime_error("boom"); });
      try {
        h.join();
      } catch (const std::runtime_error& e) {
        caught = std::string(e.what()) == "boom";
      }
    });
    CHECK(caught);
  }
}

TEST_CASE("yield interleaves fibers") {
  for (auto cfg : test::all_configs(false)) {
    cfg.workers = 1;  // with two workers both fibers could run side by side
    INFO(test::config_name(cfg));
    std::atomic<int> turns{0};
    std::atomic<int> max_gap{0};
    sched::run(cfg, [&] {
      std::atomic<int> a{0}, b{0};
      auto body = [&](std::atomic<int>& mine, std::atomic<int>& other) {
        for (int i = 0; i < 200; ++i) {
          ++mine;
          int gap = mine.load() - other.load();
          if (gap > max_gap.load()) max_gap.store(gap);
          io::yield();
          ++turns;
        }
      };
      auto h1 = io::spawn([&] { body(a, b); });
      auto h2 = io::spawn([&] { body(b, a); });
      h1.join();
      h2.join();
    });
    CHECK(turns.load() == 400);
    // FIFO run queue: strict alternation. Without yield one fiber would run
    // all 200 steps before the other.
    CHECK(max_gap.load() <= 2);
  }
}

TEST_CASE("sleep waits at least its duration") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    io::MonoTime t0, t1;
    io::Error err;
    sched::run(cfg, [&] {
      t0 = io::now();
      err = io::sleep(20ms);
      t1 = io::now();
    });
    CHECK(err.code == 0);
    CHECK(t1 - t0 >= 20ms);
  }
}

TEST_CASE("a trigger signalled from a foreign thread wakes a fiber") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int woken = 0;
    uint64_t wakeups = 0;
    sched::run(cfg, [&] {
      for (int round = 0; round < 20; ++round) {
        io::Trigger t;
        std::thread th([&t] {
          std::this_thread::sleep_for(1ms);
          t.signal();
        });
        if (t.await() == io::Wake::Signalled) ++woken;
        th.join();
      }
      wakeups = io::IoContext::current().wakeups_sent();
    });
    CHECK(woken == 20);
    // A fiber scheduler blocked in poll must have been woken via its eventfd.
    if (cfg.sched != sched::SchedKind::Threads) CHECK(wakeups > 0);
  }
}

TEST_CASE("cancelling a sleeping fiber ends its sleep with ECANCELED") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int code = 0;
    bool forbidden_survived = false;
    sched::run(cfg, [&] {
      auto h = io::spawn([&] {
        // Inside forbid the cancellation waits; the sleep completes.
        forbidden_survived = io::forbid([] { return io::sleep(30ms).code == 0; });
        code = io::sleep(10s).code;
      });
      io::sleep(5ms);
      h.cancel();
      h.join();
    });
    CHECK(forbidden_survived);
    CHECK(code == ECANCELED);
  }
}

TEST_CASE("set_timeout runs its callback; cancel prevents it") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    std::atomic<int> fired{0};
    bool cancelled_first = false;
    sched::run(cfg, [&] {
      io::Timeout a = io::set_timeout(1ms, [&] { fired += 1; });
      io::Timeout b = io::set_timeout(5ms, [&] { fired += 100; });
      cancelled_first = b.cancel();
      io::sleep(20ms);
      a.cancel();
    });
    CHECK(cancelled_first);
    CHECK(fired.load() == 1);
  }
}

TEST_CASE("ATOLL_SCHED and ATOLL_IO choose the scheduler and backend that run main") {
  for (const char* sched_name : {"ws", "threads", "loop"}) {
    for (const char* io_name : {"epoll", "poll"}) {
      INFO(sched_name << "/" << io_name);
      setenv("ATOLL_SCHED", sched_name, 1);
      setenv("ATOLL_IO", io_name, 1);
      const sched::Options options = sched::options_from_env();
      CHECK(std::string(sched::sched_kind_name(options.sched)) == sched_name);
      CHECK(std::string(io::backend_kind_name(options.io)) == io_name);
      std::string ran_on;
      sched::run(options, [&] {
        ran_on = io::current_executor().name();
        io::sleep(1ms);  // an IO operation through the chosen backend
      });
      CHECK(ran_on == sched_name);
    }
  }
  unsetenv("ATOLL_SCHED");
  unsetenv("ATOLL_IO");
}
