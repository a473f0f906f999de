// Sockets and DNS for lib/Net.atl and lib/Dns.atl (rt.h, "Sockets, DNS and
// files"), over runtime/io/net.h and host.h.
//
// A socket is its descriptor, an Int the program closes explicitly. Every
// result is a pair (error, value): the error "" on success, otherwise a
// message naming the operation and the errno text, with a placeholder value
// of the right type. Waits park the calling Atoll thread and end at the
// call's deadline (an absolute CLOCK_MONOTONIC time in ns; negative: none).
// A wait cancelled by `timeout` makes the entry point call Unwind() once
// the helper that did the work has returned, so no C++ object of the work
// is skipped (thread.h).
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/io/clock.h"
#include "runtime/io/host.h"
#include "runtime/io/net.h"
#include "runtime/rt/output.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/value/bytes.h"
#include "runtime/value/fail.h"
#include "runtime/value/string.h"

namespace {

namespace io = atl::io;

// What a helper hands its entry point: the value, or that the wait was
// cancelled (then the entry point unwinds). Trivially destructible.
struct Outcome {
  atl_value value;
  bool cancelled;
};

atl_value Str(const std::string& s) { return atl_string_new(s.data(), s.size()); }

// The empty String and Bytes of every result, allocated once: results of
// successful calls then cost one pair. Outside the GC heap, so the
// collector ignores them and a deep copy just copies them.
struct alignas(8) EmptyObject {
  atl_header header;
  char nul[8];
};
const EmptyObject kEmptyString{atl_make_header(ATL_KIND_STRING, 0, 0), {}};
const EmptyObject kEmptyBytes{atl_make_header(ATL_KIND_BYTES, 0, 0), {}};
atl_value EmptyString() { return atl_from_ptr(&kEmptyString); }
atl_value EmptyBytes() { return atl_from_ptr(&kEmptyBytes); }

Outcome Ok(atl_value v) { return {atl_rt_pair(EmptyString(), v), false}; }

std::string Why(int code) {
  if (code == ETIMEDOUT) return "timed out";
  return std::strerror(code);
}

// An error (or the cancellation) for `what`, with `placeholder` as the value.
Outcome Failed(const std::string& what, int code, atl_value placeholder) {
  if (code == ECANCELED) return {0, true};
  return {atl_rt_pair(Str(what + ": " + Why(code)), placeholder), false};
}

Outcome Failed(const std::string& what, const std::string& why, atl_value placeholder) {
  return {atl_rt_pair(Str(what + ": " + why), placeholder), false};
}

atl_value Finish(Outcome o, atl_where at, const char* op) {
  if (o.cancelled) {
    atl::rt::Unwind();
    atl_runtime_error(at, "%s: the wait was cancelled", op);
  }
  return o.value;
}

io::Deadline DeadlineOf(atl_value ns) {
  const int64_t n = atl_int_get(ns);
  if (n < 0) return io::Deadline::Never();
  return io::Deadline{io::MonoTime(std::chrono::nanoseconds(n))};
}

// A descriptor the program owns, seen as an io::Socket for one call.
class Borrowed {
 public:
  explicit Borrowed(atl_value fd) : socket_(static_cast<int>(atl_int_get(fd))) {}
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  ~Borrowed() { socket_.Release(); }
  const io::Socket& get() const { return socket_; }
  int fd() const { return socket_.fd(); }

 private:
  io::Socket socket_;
};

std::string HostText(atl_value host) { return {atl_string_bytes(host), atl_string_length(host)}; }

std::string IpText(const io::Address& a) {
  std::string s = a.ToString();  // "1.2.3.4:80" or "[::1]:80"
  s.erase(s.rfind(':'));
  if (!s.empty() && s.front() == '[') s = s.substr(1, s.size() - 2);
  return s;
}

std::string Where(const std::string& host, int64_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// The addresses of host (a numeric literal, or a name looked up on the
// blocking pool, which a deadline cannot interrupt); "" is every IPv4
// address of this machine.
bool AddressesOf(const std::string& host, int64_t port, std::vector<io::Address>* out,
                 std::string* why) {
  if (port < 0 || port > 65535) {
    *why = "port " + std::to_string(port) + " is not in 0..65535";
    return false;
  }
  const std::string h = host.empty() ? "0.0.0.0" : host;
  if (io::Result<io::Address> a = io::Address::Parse(h, static_cast<uint16_t>(port))) {
    out->push_back(a.value());
    return true;
  }
  std::string detail;
  io::Result<std::vector<io::Address>> r = io::Resolve(h, static_cast<uint16_t>(port), &detail);
  if (!r.ok() || r.value().empty()) {
    *why = detail.empty() ? "no address found" : detail;
    return false;
  }
  *out = std::move(r.value());
  return true;
}

Outcome Listen(atl_value host_v, atl_value port_v, atl_value backlog_v) {
  const std::string host = HostText(host_v);
  const int64_t port = atl_int_get(port_v);
  const std::string what = "listen " + Where(host, port);
  std::vector<io::Address> addrs;
  std::string why;
  if (!AddressesOf(host, port, &addrs, &why)) return Failed(what, why, atl_int(-1));
  const int backlog = static_cast<int>(std::clamp<int64_t>(atl_int_get(backlog_v), 1, 65535));
  io::Result<io::Socket> s = io::TcpListen(addrs.front(), backlog);
  if (!s.ok()) return Failed(what, s.error().code, atl_int(-1));
  return Ok(atl_int(s.value().Release()));
}

Outcome Accept(atl_value fd, atl_value deadline) {
  atl::rt::output::Flush();  // a server's last words before it waits are seen
  const Borrowed listener(fd);
  io::Result<io::Socket> s = io::TcpAccept(listener.get(), DeadlineOf(deadline));
  if (!s.ok()) return Failed("accept", s.error().code, atl_int(-1));
  return Ok(atl_int(s.value().Release()));
}

Outcome Connect(atl_value host_v, atl_value port_v, atl_value deadline) {
  const std::string host = HostText(host_v);
  const int64_t port = atl_int_get(port_v);
  const std::string what = "connect " + Where(host, port);
  std::vector<io::Address> addrs;
  std::string why;
  if (host.empty()) return Failed(what, "no host given", atl_int(-1));
  if (!AddressesOf(host, port, &addrs, &why)) return Failed(what, why, atl_int(-1));
  int last = 0;
  for (const io::Address& a : addrs) {  // in the resolver's order, until one answers
    io::Result<io::Socket> s = io::TcpConnect(a, DeadlineOf(deadline));
    if (s.ok()) return Ok(atl_int(s.value().Release()));
    last = s.error().code;
    if (last == ECANCELED || last == ETIMEDOUT) break;
  }
  return Failed(what, last, atl_int(-1));
}

// A receive first reads into a page-sized buffer on the stack and copies
// what came to a Bytes of its exact size: most messages are small, and a
// Bytes of the requested size would be garbage at once (HTTP/1.1 reads of
// 16 KiB answered with 80 bytes made 16 KiB of garbage each). When that
// buffer fills, a Bytes of the requested size (at most kLargestRead) takes
// it and whatever else is ready right now.
constexpr size_t kProbe = 4096;
constexpr size_t kLargestRead = 1024 * 1024;  // of a plain recv (not exact)

atl_value Trimmed(atl_bytes* b, size_t n) {
  const size_t cap = atl_header_size(b->header);
  if (n * 2 < cap) return atl_bytes_new(b->bytes, n);  // give the rest back
  b->header = atl_make_header(ATL_KIND_BYTES, 0, static_cast<uint32_t>(n));
  b->bytes[n] = '\0';
  return atl_from_ptr(b);
}

Outcome Recv(atl_value fd, atl_value max_v, bool exact, atl_value deadline) {
  const int64_t max = atl_int_get(max_v);
  const atl_value empty = EmptyBytes();
  if (max < 0) return Failed("recv", "a negative count (" + std::to_string(max) + ")", empty);
  const Borrowed s(fd);
  const io::Deadline d = DeadlineOf(deadline);
  if (!exact) {
    if (max == 0) return Ok(empty);
    unsigned char probe[kProbe];
    const size_t first = std::min(static_cast<size_t>(max), kProbe);
    io::Result<size_t> r = io::Read(s.get(), probe, first, d);
    if (!r.ok()) return Failed("recv", r.error().code, empty);
    if (r.value() < kProbe || static_cast<size_t>(max) == kProbe)
      return Ok(atl_bytes_new(probe, r.value()));
    atl_bytes* b = atl_bytes_alloc(std::min(static_cast<size_t>(max), kLargestRead));
    std::memcpy(b->bytes, probe, kProbe);
    size_t got = kProbe;
    for (;;) {  // what is ready now, without waiting
      const ssize_t n =
          ::recv(s.fd(), b->bytes + got, atl_header_size(b->header) - got, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) got += static_cast<size_t>(n);
      break;  // end of stream and errors show up at the next receive
    }
    return Ok(Trimmed(b, got));
  }
  atl_bytes* b = atl_bytes_alloc(static_cast<size_t>(max));
  size_t got = 0;
  while (got < static_cast<size_t>(max)) {
    io::Result<size_t> r = io::Read(s.get(), b->bytes + got, static_cast<size_t>(max) - got, d);
    if (!r.ok()) return Failed("recvExactly", r.error().code, empty);
    if (r.value() == 0) {
      return Failed("recvExactly",
                    "the peer closed the connection after " + std::to_string(got) + " of " +
                        std::to_string(max) + " bytes",
                    empty);
    }
    got += r.value();
  }
  return Ok(atl_from_ptr(b));
}

Outcome Send(atl_value fd, atl_value bytes, bool all, atl_value deadline) {
  const Borrowed s(fd);
  const io::Deadline d = DeadlineOf(deadline);
  const unsigned char* p = atl_bytes_data(bytes);
  const size_t n = atl_bytes_length(bytes);
  if (all) {
    io::Result<size_t> r = io::WriteAll(s.get(), p, n, d);
    if (!r.ok()) return Failed("sendAll", r.error().code, atl_int(0));
    return Ok(atl_int(static_cast<int64_t>(r.value())));
  }
  for (;;) {
    const ssize_t w = ::send(s.fd(), p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w >= 0) return Ok(atl_int(w));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Failed("send", errno, atl_int(0));
    if (const int rc = io::WaitFd(s.fd(), io::kWritable, d)) return Failed("send", rc, atl_int(0));
  }
}

Outcome Shutdown(atl_value fd, atl_value how_v) {
  const int64_t how = atl_int_get(how_v);
  const int h = how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : SHUT_RDWR;
  if (::shutdown(static_cast<int>(atl_int_get(fd)), h) != 0)
    return Failed("shutdown", errno, atl_unit());
  return Ok(atl_unit());
}

Outcome Address(atl_value fd, bool peer) {
  const atl_value placeholder = atl_rt_pair(EmptyString(), atl_int(0));
  io::Address a;
  a.length = sizeof a.storage;
  auto* sa = reinterpret_cast<sockaddr*>(&a.storage);
  const int f = static_cast<int>(atl_int_get(fd));
  if ((peer ? getpeername(f, sa, &a.length) : getsockname(f, sa, &a.length)) != 0) {
    return Failed(peer ? "peerAddress" : "localAddress", errno, placeholder);
  }
  return Ok(atl_rt_pair(Str(IpText(a)), atl_int(a.port())));
}

Outcome Resolve(atl_value host_v) {
  const std::string host = HostText(host_v);
  std::string detail;
  io::Result<std::vector<io::Address>> r = io::Resolve(host, 0, &detail);
  const atl_value nil = atl_nullary(ATL_DESC_NIL);
  if (!r.ok()) return Failed("resolve " + host, detail.empty() ? "no address found" : detail, nil);
  std::vector<std::string> seen;
  for (const io::Address& a : r.value()) {
    std::string ip = IpText(a);
    if (std::find(seen.begin(), seen.end(), ip) == seen.end()) seen.push_back(std::move(ip));
  }
  atl_value list = nil;
  for (auto it = seen.rbegin(); it != seen.rend(); ++it) list = atl_rt_cons(Str(*it), list);
  return Ok(list);
}

int64_t OpenDescriptors() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

extern "C" {

atl_value atl_rt_tcp_listen(atl_value host, atl_value port, atl_value backlog, atl_where at,
                            void* /*region*/) {
  const atl_value v = Finish(Listen(host, port, backlog), at, "listen");
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_tcp_accept(atl_value fd, atl_value deadline, atl_where at, void* /*region*/) {
  return Finish(Accept(fd, deadline), at, "accept");
}

atl_value atl_rt_tcp_connect(atl_value host, atl_value port, atl_value deadline, atl_where at,
                             void* /*region*/) {
  const atl_value v = Finish(Connect(host, port, deadline), at, "connect");
  atl::rt::CheckCancelled();  // the name lookup could not be interrupted
  return v;
}

atl_value atl_rt_socket_recv(atl_value fd, atl_value max, atl_value exact, atl_value deadline,
                             atl_where at, void* /*region*/) {
  return Finish(Recv(fd, max, exact == atl_bool(1), deadline), at, "recv");
}

atl_value atl_rt_socket_send(atl_value fd, atl_value bytes, atl_value all, atl_value deadline,
                             atl_where at, void* /*region*/) {
  return Finish(Send(fd, bytes, all == atl_bool(1), deadline), at, "send");
}

atl_value atl_rt_socket_shutdown(atl_value fd, atl_value how, atl_where at, void* /*region*/) {
  return Finish(Shutdown(fd, how), at, "shutdown");
}

atl_value atl_rt_socket_close(atl_value fd, atl_where at, void* /*region*/) {
  if (::close(static_cast<int>(atl_int_get(fd))) != 0)
    return Finish(Failed("close", errno, atl_unit()), at, "close");
  return Finish(Ok(atl_unit()), at, "close");
}

atl_value atl_rt_socket_address(atl_value fd, atl_value peer, atl_where at, void* /*region*/) {
  return Finish(Address(fd, peer == atl_bool(1)), at, "address");
}

atl_value atl_rt_resolve(atl_value host, atl_where at, void* /*region*/) {
  const atl_value v = Finish(Resolve(host), at, "resolve");
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_open_descriptors(atl_where /*at*/, void* /*region*/) {
  return atl_int(OpenDescriptors());
}

atl_value atl_rt_descriptor_limit(atl_where /*at*/, void* /*region*/) {
  struct rlimit lim {};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return atl_int(1 << 20);
  return atl_int(static_cast<int64_t>(lim.rlim_cur));
}

}  // extern "C"
