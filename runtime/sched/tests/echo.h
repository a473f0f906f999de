// An echo server and clients that send `bytes` each with a checksum; shared
// by the ctest test (small sizes) and the stress/bench programs (full sizes).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/net.h"

namespace atl::test {

struct EchoStats {
  std::atomic<int> clients_ok{0};
  std::atomic<int> errors{0};
  std::atomic<uint64_t> bytes{0};
  std::string first_error;
};

inline uint64_t fnv1a(uint64_t h, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

// Serves `clients` connections on `listener`, each echoed until EOF.
inline void echo_server(const io::Socket& listener, int clients, EchoStats& st) {
  std::vector<io::FiberHandle> conns;
  for (int i = 0; i < clients; ++i) {
    auto c = io::tcp_accept(listener);
    if (!c) {
      st.errors++;
      continue;
    }
    conns.push_back(io::spawn([s = std::make_shared<io::Socket>(std::move(c.value())), &st] {
      std::vector<char> buf(64 * 1024);
      for (;;) {
        auto n = io::read(*s, buf.data(), buf.size());
        if (!n || n.value() == 0) break;
        if (!io::write_all(*s, buf.data(), n.value())) {
          st.errors++;
          break;
        }
      }
    }));
  }
  for (auto& h : conns) h.join();
}

// One client: writes `bytes` of a seeded pattern (from a writer fiber) while
// reading the echo, and compares checksums.
inline void echo_client(const io::Address& addr, size_t bytes, uint32_t seed, EchoStats& st) {
  auto c = io::tcp_connect(addr, io::Deadline::after(std::chrono::seconds(30)));
  if (!c) {
    if (st.errors++ == 0) st.first_error = "connect: " + c.error().text();
    return;
  }
  auto sock = std::make_shared<io::Socket>(std::move(c.value()));
  uint64_t sent_sum = 1469598103934665603ULL;
  auto writer = io::spawn([&, sock] {
    std::vector<unsigned char> chunk(16 * 1024);
    size_t left = bytes;
    uint32_t x = seed | 1;
    while (left > 0) {
      size_t n = std::min(left, chunk.size());
      for (size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        chunk[i] = static_cast<unsigned char>(x);
      }
      sent_sum = fnv1a(sent_sum, chunk.data(), n);
      if (!io::write_all(*sock, chunk.data(), n)) {
        st.errors++;
        return;
      }
      left -= n;
    }
    io::shutdown(*sock);
  });
  uint64_t got_sum = 1469598103934665603ULL;
  size_t got = 0;
  std::vector<unsigned char> buf(64 * 1024);
  for (;;) {
    auto n = io::read(*sock, buf.data(), buf.size());
    if (!n) {
      st.errors++;
      break;
    }
    if (n.value() == 0) break;
    got_sum = fnv1a(got_sum, buf.data(), n.value());
    got += n.value();
  }
  writer.join();
  st.bytes += got;
  if (got == bytes && got_sum == sent_sum) {
    st.clients_ok++;
  } else if (st.errors++ == 0) {
    st.first_error = "mismatch: got " + std::to_string(got) + " of " + std::to_string(bytes);
  }
}

// Runs a server and `clients` clients on `ip` (a loopback literal).
inline void echo_run(const std::string& ip, int clients, size_t bytes, EchoStats& st) {
  auto addr = io::Address::parse(ip, 0);
  auto l = io::tcp_listen(addr.value(), 4096);
  if (!l) {
    st.errors++;
    st.first_error = "listen: " + l.error().text();
    return;
  }
  auto bound = io::local_address(l.value()).value();
  auto server = io::spawn([&] { echo_server(l.value(), clients, st); });
  std::vector<io::FiberHandle> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(io::spawn([&, i] { echo_client(bound, bytes, static_cast<uint32_t>(i) * 7919u, st); }));
  }
  for (auto& h : cs) h.join();
  server.join();
}

}  // namespace atl::test
