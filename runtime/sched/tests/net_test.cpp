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
  for (const auto& cfg : test::AllConfigs()) {
    INFO(test::ConfigName(cfg));
    int fds_before = test::OpenFds();
    test::EchoStats st;
    size_t watches = 1;
    sched::Run(cfg, [&] {
      test::EchoRun("127.0.0.1", 50, 1 << 20, st);
      watches = io::IoContext::Current().watch_count();
    });
    INFO(st.first_error);
    CHECK(st.errors.load() == 0);
    CHECK(st.clients_ok.load() == 50);
    CHECK(st.bytes.load() == 50ull << 20);
    CHECK(watches == 0);
    // The threads scheduler keeps its poller's epoll + eventfd until exit.
    CHECK(test::OpenFds() == fds_before);
  }
}

TEST_CASE("echo over IPv6 loopback") {
  for (const auto& cfg : test::AllConfigs()) {
    INFO(test::ConfigName(cfg));
    test::EchoStats st;
    sched::Run(cfg, [&] { test::EchoRun("::1", 4, 256 * 1024, st); });
    INFO(st.first_error);
    if (st.first_error.find("listen") != std::string::npos) {
      MESSAGE("IPv6 loopback unavailable: " << st.first_error);
      continue;
    }
    CHECK(st.clients_ok.load() == 4);
  }
}

TEST_CASE("accept with a deadline times out and leaves nothing behind") {
  for (const auto& cfg : test::AllConfigs()) {
    INFO(test::ConfigName(cfg));
    int fds_before = test::OpenFds();
    int code = 0;
    size_t watches = 1;
    io::Duration took{};
    sched::Run(cfg, [&] {
      auto l = io::TcpListen(io::Address::Parse("127.0.0.1", 0).value());
      REQUIRE(l);
      io::MonoTime t0 = io::Now();
      auto c = io::TcpAccept(l.value(), io::Deadline::After(30ms));
      took = io::Now() - t0;
      code = c ? 0 : c.error().code;
      watches = io::IoContext::Current().watch_count();
    });
    CHECK(code == ETIMEDOUT);
    CHECK(took >= 30ms);
    CHECK(watches == 0);
    CHECK(test::OpenFds() == fds_before);
  }
}

TEST_CASE("connect to a full backlog times out; no descriptor or watch leaked") {
  for (const auto& cfg : test::AllConfigs()) {
    INFO(test::ConfigName(cfg));
    int fds_before = test::OpenFds();
    int timeouts = 0, attempts = 0;
    size_t watches = 1;
    sched::Run(cfg, [&] {
      // Backlog 0 and nobody accepting: once the queue is full, the kernel
      // drops further SYNs and connect stays in progress.
      auto l = io::TcpListen(io::Address::Parse("127.0.0.1", 0).value(), 0);
      REQUIRE(l);
      auto addr = io::LocalAddress(l.value()).value();
      std::vector<io::Socket> held;
      while (attempts < 8 && timeouts == 0) {
        ++attempts;
        auto c = io::TcpConnect(addr, io::Deadline::After(40ms));
        if (c) {
          held.push_back(std::move(c.value()));
        } else if (c.error().code == ETIMEDOUT) {
          ++timeouts;
        }
      }
      // The timed-out connect's write watch must be gone (trigger state clean).
      watches = io::IoContext::Current().watch_count();
    });
    CHECK(timeouts == 1);
    CHECK(watches == 0);
    CHECK(test::OpenFds() == fds_before);
  }
}

TEST_CASE("a blocked accept is cancelled by cancelling its fiber") {
  for (const auto& cfg : test::AllConfigs()) {
    INFO(test::ConfigName(cfg));
    int fds_before = test::OpenFds();
    int code = 0;
    sched::Run(cfg, [&] {
      auto l = io::TcpListen(io::Address::Parse("127.0.0.1", 0).value());
      REQUIRE(l);
      auto h = io::Spawn([&] {
        auto c = io::TcpAccept(l.value());
        code = c ? 0 : c.error().code;
      });
      io::Sleep(5ms);
      h.Cancel();
      h.Join();
    });
    CHECK(code == ECANCELED);
    CHECK(test::OpenFds() == fds_before);
  }
}
