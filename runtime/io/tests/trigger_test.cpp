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
  CHECK(t.signal());
  CHECK_FALSE(t.signal());
  CHECK_FALSE(t.cancel());
  CHECK(t.await() == Wake::Signalled);
  Trigger c;
  CHECK(c.cancel());
  CHECK_FALSE(c.signal());
  CHECK(c.await() == Wake::Cancelled);
}

TEST_CASE("a thread blocked in await is released by another thread") {
  for (int round = 0; round < 100; ++round) {
    Trigger t;
    std::thread th([&] { t.signal(); });
    CHECK(t.await() == Wake::Signalled);
    th.join();
  }
}

TEST_CASE("cancelling a spawned thread interrupts its wait unless forbidden") {
  std::atomic<int> in_forbid{-1}, after{-1};
  Trigger gate;
  FiberHandle h = spawn([&] {
    Trigger never;
    in_forbid = forbid([&] {
      // Cancellation is requested while we wait here; forbid keeps us waiting.
      gate.await();
      return static_cast<int>(current_cancel_state()->requested());
    });
    after = static_cast<int>(never.await());
  });
  std::this_thread::sleep_for(5ms);
  h.cancel();
  gate.signal();
  h.join();
  CHECK(in_forbid.load() == 1);
  CHECK(after.load() == static_cast<int>(Wake::Cancelled));
}

TEST_CASE("permit re-enables cancellation inside forbid") {
  std::atomic<int> woke{-1};
  FiberHandle h = spawn([&] {
    forbid([&] {
      permit([&] {
        Trigger never;
        woke = static_cast<int>(never.await());
      });
    });
  });
  std::this_thread::sleep_for(5ms);
  h.cancel();
  h.join();
  CHECK(woke.load() == static_cast<int>(Wake::Cancelled));
}

TEST_CASE("timeouts fire in order on the default executor; cancel is final") {
  std::atomic<int> order{0}, first{0}, second{0}, cancelled_ran{0};
  Trigger done;
  Timeout a = set_timeout(2ms, [&] { first = ++order; });
  Timeout b = set_timeout(4ms, [&] {
    second = ++order;
    done.signal();
  });
  Timeout c = set_timeout(3ms, [&] { cancelled_ran = 1; });
  CHECK(c.cancel());
  CHECK_FALSE(c.cancel());
  CHECK(done.await() == Wake::Signalled);
  a.cancel();
  b.cancel();  // waits out a callback still running on the poller thread
  CHECK(first.load() == 1);
  CHECK(second.load() == 2);
  CHECK(cancelled_ran.load() == 0);
}

TEST_CASE("wakeup only writes the eventfd when the poller announced it blocks") {
  IoContext ctx(BackendKind::Epoll);
  ctx.wakeup();
  CHECK(ctx.wakeups_sent() == 0);  // nobody blocked: free
  std::thread poller([&] { ctx.poll(Duration(-1)); });
  while (!ctx.wants_wakeup()) std::this_thread::yield();
  ctx.wakeup();
  poller.join();  // returns only because of the wakeup
  CHECK(ctx.wakeups_sent() == 1);
}
