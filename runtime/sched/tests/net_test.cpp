// TCP on every scheduler and backend: echo with checksums (IPv4 and IPv6),
// accept and connect cancelled by timeout or by cancellation, no leaks.
#include "runtime/io/net.h"

#include <doctest/doctest.h>

#include <vector>

#include "runtime/io/io_context.h"
#include "runtime/sched/tests/configs.h"
#include "runtime/sched/tests/echo.h"

using namespace atl;
using namespace std::chrono_literals;

TEST_CASE("echo: 50 clients x 1 MB each, checksums match, no descriptor leaked") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int fds_before = test::open_fds();
    test::EchoStats st;
    size_t watches = 1;
    sched::run(cfg, [&] {
      test::echo_run("127.0.0.1", 50, 1 << 20, st);
      watches = io::IoContext::current().watch_count();
    });
    INFO(st.first_error);
    CHECK(st.errors.load() == 0);
    CHECK(st.clients_ok.load() == 50);
    CHECK(st.bytes.load() == 50ull << 20);
    CHECK(watches == 0);
    // The threads scheduler keeps its poller's epoll + eventfd until exit.
    CHECK(test::open_fds() == fds_before);
  }
}

TEST_CASE("echo over IPv6 loopback") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    test::EchoStats st;
    sched::run(cfg, [&] { test::echo_run("::1", 4, 256 * 1024, st); });
    INFO(st.first_error);
    if (st.first_error.find("listen") != std::string::npos) {
      MESSAGE("IPv6 loopback unavailable: " << st.first_error);
      continue;
    }
    CHECK(st.clients_ok.load() == 4);
  }
}

TEST_CASE("accept with a deadline times out and leaves nothing behind") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int fds_before = test::open_fds();
    int code = 0;
    size_t watches = 1;
    io::Duration took{};
    sched::run(cfg, [&] {
      auto l = io::tcp_listen(io::Address::parse("127.0.0.1", 0).value());
      REQUIRE(l);
      io::MonoTime t0 = io::now();
      auto c = io::tcp_accept(l.value(), io::Deadline::after(30ms));
      took = io::now() - t0;
      code = c ? 0 : c.error().code;
      watches = io::IoContext::current().watch_count();
    });
    CHECK(code == ETIMEDOUT);
    CHECK(took >= 30ms);
    CHECK(watches == 0);
    CHECK(test::open_fds() == fds_before);
  }
}

TEST_CASE("connect to a full backlog times out; no descriptor or watch leaked") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int fds_before = test::open_fds();
    int timeouts = 0, attempts = 0;
    size_t watches = 1;
    sched::run(cfg, [&] {
      // Backlog 0 and nobody accepting: once the queue is full, the kernel
      // drops further SYNs and connect stays in progress.
      auto l = io::tcp_listen(io::Address::parse("127.0.0.1", 0).value(), 0);
      REQUIRE(l);
      auto addr = io::local_address(l.value()).value();
      std::vector<io::Socket> held;
      while (attempts < 8 && timeouts == 0) {
        ++attempts;
        auto c = io::tcp_connect(addr, io::Deadline::after(40ms));
        if (c) {
          held.push_back(std::move(c.value()));
        } else if (c.error().code == ETIMEDOUT) {
          ++timeouts;
        }
      }
      // The timed-out connect's write watch must be gone (trigger state clean).
      watches = io::IoContext::current().watch_count();
    });
    CHECK(timeouts == 1);
    CHECK(watches == 0);
    CHECK(test::open_fds() == fds_before);
  }
}

TEST_CASE("a blocked accept is cancelled by cancelling its fiber") {
  for (const auto& cfg : test::all_configs()) {
    INFO(test::config_name(cfg));
    int fds_before = test::open_fds();
    int code = 0;
    sched::run(cfg, [&] {
      auto l = io::tcp_listen(io::Address::parse("127.0.0.1", 0).value());
      REQUIRE(l);
      auto h = io::spawn([&] {
        auto c = io::tcp_accept(l.value());
        code = c ? 0 : c.error().code;
      });
      io::sleep(5ms);
      h.cancel();
      h.join();
    });
    CHECK(code == ECANCELED);
    CHECK(test::open_fds() == fds_before);
  }
}
