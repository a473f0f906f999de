// An echo server and clients that send `bytes` each with a checksum; shared
// by the ctest test (small sizes) and the stress/bench programs (full sizes).
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
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

// An order-sensitive checksum of a byte stream, independent of how the
// stream is split into reads: 32-byte blocks feed four independent lanes
// (so the multiply chains overlap), a partial block is carried over.
struct Checksum {
  uint64_t lane[4] = {1469598103934665603ULL, 2, 3, 4};
  unsigned char tail[32];
  size_t tail_len = 0;
  uint64_t total = 0;
  void Add(const unsigned char* p, size_t n) {
    total += n;
    if (tail_len > 0) {
      size_t take = std::min(n, 32 - tail_len);
      std::memcpy(tail + tail_len, p, take);
      tail_len += take;
      p += take;
      n -= take;
      if (tail_len < 32) return;
      Block(tail);
      tail_len = 0;
    }
    for (; n >= 32; p += 32, n -= 32) Block(p);
    std::memcpy(tail, p, n);
    tail_len = n;
  }
  uint64_t Finish() {
    uint64_t h = total;
    for (size_t i = 0; i < tail_len; ++i) h = (h ^ tail[i]) * 1099511628211ULL;
    for (uint64_t l : lane) h = (h ^ l) * 0x9E3779B97F4A7C15ULL;
    return h;
  }

 private:
  void Block(const unsigned char* p) {
    for (int i = 0; i < 4; ++i) {
      uint64_t w;
      std::memcpy(&w, p + 8 * i, 8);
      lane[i] = (lane[i] ^ w) * 0x9E3779B97F4A7C15ULL;
      lane[i] ^= lane[i] >> 29;
    }
  }
};

// With hundreds of connections, default autotuned buffers (MBs each) push
// the kernel into TCP memory pressure: loopback then drops segments and
// the retransmit backoff stalls connections for minutes. Bound them.
inline void BoundBuffers(const io::Socket& s, int clients) {
  if (clients < 200) return;
  int bytes = 128 * 1024;
  setsockopt(s.fd(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  setsockopt(s.fd(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

// Serves `clients` connections on `listener`, each echoed until EOF.
inline void EchoServer(const io::Socket& listener, int clients, EchoStats& st) {
  std::vector<io::FiberHandle> conns;
  for (int i = 0; i < clients; ++i) {
    auto c = io::TcpAccept(listener);
    if (!c) {
      st.errors++;
      continue;
    }
    BoundBuffers(c.value(), clients);
    conns.push_back(io::Spawn([s = std::make_shared<io::Socket>(std::move(c.value())), &st] {
      std::vector<char> buf(64 * 1024);
      for (;;) {
        auto n = io::Read(*s, buf.data(), buf.size());
        if (!n || n.value() == 0) break;
        if (!io::WriteAll(*s, buf.data(), n.value())) {
          st.errors++;
          break;
        }
      }
    }));
  }
  for (auto& h : conns) h.Join();
}

// One client: writes `bytes` of a seeded pattern (from a writer fiber) while
// reading the echo, and compares checksums.
inline void EchoClient(const io::Address& addr, size_t bytes, uint32_t seed, EchoStats& st,
                       int clients = 1) {
  auto c = io::TcpConnect(addr, io::Deadline::After(std::chrono::seconds(30)));
  if (!c) {
    if (st.errors++ == 0) st.first_error = "connect: " + c.error().text();
    return;
  }
  BoundBuffers(c.value(), clients);
  auto sock = std::make_shared<io::Socket>(std::move(c.value()));
  Checksum sent;
  uint64_t sent_sum = 0;
  auto writer = io::Spawn([&, sock] {
    // A seeded pseudo-random block, stamped with the chunk number each time
    // (so lost, duplicated or reordered chunks change the checksum).
    std::vector<unsigned char> chunk(64 * 1024);
    uint64_t x = seed | 1;
    for (size_t i = 0; i + 8 <= chunk.size(); i += 8) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      std::memcpy(chunk.data() + i, &x, 8);
    }
    size_t left = bytes;
    for (uint64_t seq = 0; left > 0; ++seq) {
      size_t n = std::min(left, chunk.size());
      std::memcpy(chunk.data(), &seq, std::min<size_t>(8, n));
      sent.Add(chunk.data(), n);
      if (!io::WriteAll(*sock, chunk.data(), n)) {
        st.errors++;
        return;
      }
      left -= n;
    }
    sent_sum = sent.Finish();
    io::Shutdown(*sock);
  });
  Checksum recv;
  size_t got = 0;
  std::vector<unsigned char> buf(64 * 1024);
  for (;;) {
    auto n = io::Read(*sock, buf.data(), buf.size());
    if (!n) {
      st.errors++;
      break;
    }
    if (n.value() == 0) break;
    recv.Add(buf.data(), n.value());
    got += n.value();
  }
  writer.Join();
  uint64_t got_sum = recv.Finish();
  st.bytes += got;
  if (got == bytes && got_sum == sent_sum) {
    st.clients_ok++;
  } else if (st.errors++ == 0) {
    st.first_error = "mismatch: got " + std::to_string(got) + " of " + std::to_string(bytes);
  }
}

// Runs a server and `clients` clients on `ip` (a loopback literal).
inline void EchoRun(const std::string& ip, int clients, size_t bytes, EchoStats& st) {
  auto addr = io::Address::Parse(ip, 0);
  auto l = io::TcpListen(addr.value(), 4096);
  if (!l) {
    st.errors++;
    st.first_error = "listen: " + l.error().text();
    return;
  }
  auto bound = io::LocalAddress(l.value()).value();
  auto server = io::Spawn([&] { EchoServer(l.value(), clients, st); });
  std::vector<io::FiberHandle> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(io::Spawn(
        [&, i] { EchoClient(bound, bytes, static_cast<uint32_t>(i) * 7919u, st, clients); }));
  }
  for (auto& h : cs) h.Join();
  server.Join();
}

}  // namespace atl::test
