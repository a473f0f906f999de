// MVar cores on every scheduler: hand-off, FIFO service, timeouts,
// selection without stale registrations, deallocation of a waited-on MVar,
// cancellation, and reclamation of unreachable (also cyclic) MVars.
#include "runtime/mvar/mvar.h"

#include <doctest/doctest.h>
#include <gc/gc.h>

#include <atomic>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/io/fiber_api.h"
#include "runtime/io/net.h"
#include "runtime/sched/scheduler.h"
#include "runtime/sched/tests/configs.h"

using namespace atl;
using namespace std::chrono_literals;
using mvar::Status;

namespace {

io::Deadline Never() { return io::Deadline::Never(); }
io::Deadline In(std::chrono::milliseconds ms) { return io::Deadline::After(ms); }

std::vector<sched::Options> Configs() {
  std::vector<sched::Options> out;
  for (const auto& c : test::AllConfigs()) {
    if (c.io == io::BackendKind::Epoll)
      out.push_back(c);  // the backends are tested in runtime/sched
  }
  return out;
}

}  // namespace

TEST_CASE("put hands a value to a waiting taker; takers are served in arrival order") {
  atl_gc_init();
  for (const auto& cfg : Configs()) {
    INFO(test::ConfigName(cfg));
    std::vector<int64_t> got(4, -1);
    sched::Run(cfg, [&] {
      mvar::Core* box = mvar::CoreOf(mvar::New(0));
      std::vector<io::FiberHandle> takers;
      for (size_t i = 0; i < 4; ++i) {
        takers.push_back(io::Spawn([&, i] {
          atl_value v = 0;
          REQUIRE(mvar::Take(box, &v, Never()) == Status::Ok);
          got[i] = atl_int_get(v);
        }));
        while (mvar::Waiting(box) < i + 1) io::Sleep(1ms);  // taker i is parked
      }
      for (int v = 10; v < 14; ++v) REQUIRE(mvar::Put(box, atl_int(v), Never()) == Status::Ok);
      for (auto& t : takers) t.Join();
    });
    CHECK(got == std::vector<int64_t>{10, 11, 12, 13});
  }
}

TEST_CASE("a put on a full MVar waits; try-operations and timeouts do not") {
  atl_gc_init();
  for (const auto& cfg : Configs()) {
    INFO(test::ConfigName(cfg));
    sched::Run(cfg, [&] {
      mvar::Core* m = mvar::CoreOf(mvar::New(atl_int(1)));
      CHECK(mvar::Put(m, atl_int(2), io::Deadline{io::Now()}) == Status::WouldBlock);
      CHECK(mvar::Put(m, atl_int(2), In(10ms)) == Status::TimedOut);
      io::FiberHandle putter =
          io::Spawn([&] { CHECK(mvar::Put(m, atl_int(3), Never()) == Status::Ok); });
      io::Sleep(10ms);
      atl_value v = 0;
      CHECK(mvar::Take(m, &v, Never()) == Status::Ok);
      CHECK(atl_int_get(v) == 1);
      putter.Join();
      CHECK(mvar::Read(m, &v, Never()) == Status::Ok);
      CHECK(atl_int_get(v) == 3);
      CHECK(mvar::Take(m, &v, io::Deadline{io::Now()}) == Status::Ok);
      CHECK(mvar::Take(m, &v, io::Deadline{io::Now()}) == Status::WouldBlock);
      CHECK(mvar::Take(m, &v, In(10ms)) == Status::TimedOut);
    });
  }
}

TEST_CASE("takeAny takes the first ready MVar and leaves no arm behind") {
  atl_gc_init();
  for (const auto& cfg : Configs()) {
    INFO(test::ConfigName(cfg));
    sched::Run(cfg, [&] {
      std::vector<mvar::Core*> ms;
      for (int i = 0; i < 3; ++i) ms.push_back(mvar::CoreOf(mvar::New(0)));
      size_t index = 99;
      atl_value v = 0;
      CHECK(mvar::TakeAny(ms, In(10ms), &index, &v) == Status::TimedOut);
      // Served while waiting.
      io::FiberHandle h = io::Spawn([&] {
        io::Sleep(10ms);
        CHECK(mvar::Put(ms[2], atl_int(7), Never()) == Status::Ok);
      });
      CHECK(mvar::TakeAny(ms, Never(), &index, &v) == Status::Ok);
      CHECK(index == 2);
      CHECK(atl_int_get(v) == 7);
      h.Join();
      // No stale arm: each MVar takes a put and gives it to a plain take.
      for (int i = 0; i < 3; ++i) {
        CHECK(mvar::Put(ms[static_cast<size_t>(i)], atl_int(i), io::Deadline{io::Now()}) ==
              Status::Ok);
        atl_value w = 0;
        CHECK(mvar::Take(ms[static_cast<size_t>(i)], &w, io::Deadline{io::Now()}) == Status::Ok);
        CHECK(atl_int_get(w) == i);
      }
      // Ready ones: the first in list order.
      CHECK(mvar::Put(ms[1], atl_int(11), Never()) == Status::Ok);
      CHECK(mvar::Put(ms[2], atl_int(12), Never()) == Status::Ok);
      CHECK(mvar::TakeAny(ms, Never(), &index, &v) == Status::Ok);
      CHECK(index == 1);
    });
  }
}

TEST_CASE("deallocating an MVar wakes its waiters with Deallocated; later uses fail") {
  atl_gc_init();
  for (const auto& cfg : Configs()) {
    INFO(test::ConfigName(cfg));
    sched::Run(cfg, [&] {
      mvar::Core* m = mvar::CoreOf(mvar::New(0));
      std::atomic<int> woken{0};
      std::vector<io::FiberHandle> hs;
      for (int i = 0; i < 3; ++i) {
        hs.push_back(io::Spawn([&] {
          atl_value v = 0;
          if (mvar::Take(m, &v, Never()) == Status::Deallocated) ++woken;
        }));
      }
      io::Sleep(20ms);
      CHECK(mvar::Deallocate(m) == Status::Ok);
      for (auto& h : hs) h.Join();
      CHECK(woken.load() == 3);
      atl_value v = 0;
      CHECK(mvar::Take(m, &v, Never()) == Status::Deallocated);
      CHECK(mvar::Put(m, atl_int(1), Never()) == Status::Deallocated);
      CHECK(mvar::Deallocate(m) == Status::Deallocated);
    });
  }
}

TEST_CASE("a cancelled wait reports Cancelled and leaves the MVar usable") {
  atl_gc_init();
  for (const auto& cfg : Configs()) {
    INFO(test::ConfigName(cfg));
    sched::Run(cfg, [&] {
      mvar::Core* m = mvar::CoreOf(mvar::New(0));
      Status seen = Status::Ok;
      io::FiberHandle h = io::Spawn([&] {
        atl_value v = 0;
        seen = mvar::Take(m, &v, Never());
      });
      io::Sleep(10ms);
      h.Cancel();
      h.Join();
      CHECK(seen == Status::Cancelled);
      CHECK(mvar::Put(m, atl_int(5), Never()) == Status::Ok);
      atl_value v = 0;
      CHECK(mvar::Take(m, &v, io::Deadline{io::Now()}) == Status::Ok);
      CHECK(atl_int_get(v) == 5);
    });
  }
}

TEST_CASE("unreachable MVars are freed, cycles included, once the collector has run") {
  atl_gc_init();
  const mvar::Stats before = mvar::GetStats();
  constexpr int kCycles = 2000;
  auto make = [] {
    for (int i = 0; i < kCycles; ++i) {
      // An MVar holding a one-field constructor that holds its own handle.
      const atl_value h = mvar::New(0);
      auto* box = static_cast<atl_object*>(atl_alloc(2 * sizeof(atl_value)));
      box->header = atl_make_header(ATL_KIND_CON, 6, 1);
      box->fields[0] = h;
      REQUIRE(mvar::Put(mvar::CoreOf(h), atl_from_ptr(box), Never()) == Status::Ok);
    }
  };
  make();
  for (int round = 0; round < 4; ++round) {
    GC_gcollect();
    mvar::RunFinalizers();
  }
  const mvar::Stats after = mvar::GetStats();
  CHECK(after.created - before.created == kCycles);
  // Conservative scanning may keep a few alive (a stale word on a stack).
  CHECK(after.freed_in_cycle - before.freed_in_cycle >= kCycles * 9 / 10);
}
