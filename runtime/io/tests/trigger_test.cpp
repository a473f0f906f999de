// Trigger and cancellation on plain threads (the default executor).
#include "runtime/io/trigger.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/io/cancel.h"
#include "runtime/io/fiber_api.h"
#include "runtime/io/io_context.h"

using namespace atl::io;
using namespace std::chrono_literals;

TEST_CASE("signal before await returns at once; first completion wins") {
  Trigger t;
  CHECK(t.is_idle());
  CHECK(t.Signal());
  CHECK_FALSE(t.Signal());
  CHECK_FALSE(t.Cancel());
  CHECK(t.Await() == Wake::Signalled);
  Trigger c;
  CHECK(c.Cancel());
  CHECK_FALSE(c.Signal());
  CHECK(c.Await() == Wake::Cancelled);
}

TEST_CASE("a thread blocked in await is released by another thread") {
  for (int round = 0; round < 100; ++round) {
    Trigger t;
    std::thread th([&] { t.Signal(); });
    CHECK(t.Await() == Wake::Signalled);
    th.join();
  }
}

TEST_CASE("cancelling a spawned thread interrupts its wait unless forbidden") {
  std::atomic<int> in_forbid{-1}, after{-1};
  Trigger gate;
  FiberHandle h = Spawn([&] {
    Trigger never;
    in_forbid = Forbid([&] {
      // Cancellation is requested while we wait here; forbid keeps us waiting.
      gate.Await();
      return static_cast<int>(CurrentCancelState()->requested());
    });
    after = static_cast<int>(never.Await());
  });
  std::this_thread::sleep_for(5ms);
  h.Cancel();
  gate.Signal();
  h.Join();
  CHECK(in_forbid.load() == 1);
  CHECK(after.load() == static_cast<int>(Wake::Cancelled));
}

TEST_CASE("permit re-enables cancellation inside forbid") {
  std::atomic<int> woke{-1};
  FiberHandle h = Spawn([&] {
    Forbid([&] {
      Permit([&] {
        Trigger never;
        woke = static_cast<int>(never.Await());
      });
    });
  });
  std::this_thread::sleep_for(5ms);
  h.Cancel();
  h.Join();
  CHECK(woke.load() == static_cast<int>(Wake::Cancelled));
}

TEST_CASE("timeouts fire in order on the default executor; cancel is final") {
  std::atomic<int> order{0}, first{0}, second{0}, cancelled_ran{0};
  Trigger done;
  Timeout a = SetTimeout(2ms, [&] { first = ++order; });
  Timeout b = SetTimeout(4ms, [&] {
    second = ++order;
    done.Signal();
  });
  Timeout c = SetTimeout(3ms, [&] { cancelled_ran = 1; });
  CHECK(c.Cancel());
  CHECK_FALSE(c.Cancel());
  CHECK(done.Await() == Wake::Signalled);
  a.Cancel();
  b.Cancel();  // waits out a callback still running on the poller thread
  CHECK(first.load() == 1);
  CHECK(second.load() == 2);
  CHECK(cancelled_ran.load() == 0);
}

TEST_CASE("wakeup only writes the eventfd when the poller announced it blocks") {
  IoContext ctx(BackendKind::Epoll);
  ctx.Wakeup();
  CHECK(ctx.wakeups_sent() == 0);  // nobody blocked: free
  std::thread poller([&] { ctx.Poll(Duration(-1)); });
  while (!ctx.wants_wakeup()) std::this_thread::yield();
  ctx.Wakeup();
  poller.join();  // returns only because of the wakeup
  CHECK(ctx.wakeups_sent() == 1);
}
