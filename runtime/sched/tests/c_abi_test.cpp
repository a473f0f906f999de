// The IO C ABI (runtime/io/atl_io.h): a round trip and errors as values,
// on every scheduler.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "runtime/io/atl_io.h"
#include "runtime/io/fiber_api.h"
#include "runtime/sched/tests/configs.h"

using namespace atl;

TEST_CASE("C ABI: listen, connect, accept, write, read, close; errors are values") {
  for (const auto& cfg : test::AllConfigs()) {
    if (cfg.io == io::BackendKind::Poll) continue;
    INFO(test::ConfigName(cfg));
    int fds_before = test::OpenFds();
    std::string echoed;
    atl_io_result refused{}, timed_out{}, bad_ip{};
    sched::Run(cfg, [&] {
      atl_io_result l = atl_tcp_listen("127.0.0.1", 0, 16);
      REQUIRE(l.error == 0);
      atl_io_result port = atl_tcp_local_port(l.value);
      REQUIRE(port.error == 0);
      auto server = io::Spawn([&] {
        atl_io_result c = atl_tcp_accept(l.value, 5000);
        if (c.error) return;
        char buf[64];
        atl_io_result n = atl_tcp_read(c.value, buf, sizeof buf, 5000);
        if (n.error == 0) atl_tcp_write_all(c.value, buf, static_cast<size_t>(n.value), 5000);
        atl_io_close(c.value);
      });
      atl_io_result c = atl_tcp_connect("127.0.0.1", static_cast<uint16_t>(port.value), 5000);
      REQUIRE(c.error == 0);
      atl_tcp_write_all(c.value, "hello", 5, -1);
      char buf[64];
      atl_io_result n = atl_tcp_read(c.value, buf, sizeof buf, 5000);
      if (n.error == 0) echoed.assign(buf, static_cast<size_t>(n.value));
      server.Join();
      timed_out = atl_tcp_accept(l.value, 10);
      atl_io_close(c.value);
      atl_io_close(l.value);
      // The port is closed now: nobody listens there.
      refused = atl_tcp_connect("127.0.0.1", static_cast<uint16_t>(port.value), 1000);
      bad_ip = atl_tcp_connect("not-an-ip", 80, 10);
    });
    CHECK(echoed == "hello");
    CHECK(timed_out.error == ETIMEDOUT);
    CHECK(timed_out.value == -1);
    CHECK(refused.error == ECONNREFUSED);
    CHECK(std::string(atl_io_strerror(refused.error)) == "Connection refused");
    CHECK(bad_ip.error == EINVAL);
    CHECK(test::OpenFds() == fds_before);
  }
}
