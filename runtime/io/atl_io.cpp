// The C ABI over net.h: raw descriptors in, atl_io_result out.
#include "runtime/io/atl_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "runtime/io/net.h"

static_assert(sizeof(atl_io_result) == 16, "atl_io_result is two words");
static_assert(offsetof(atl_io_result, error) == 8, "atl_io_result.error at 8");

namespace {

using atl::io::Deadline;
using atl::io::Socket;

atl_io_result Ok(int64_t v) { return {v, 0, 0}; }
atl_io_result Fail(int e) { return {-1, e, 0}; }

Deadline Deadline(int64_t timeout_ms) {
  return timeout_ms < 0 ? Deadline::Never()
                        : Deadline::After(std::chrono::milliseconds(timeout_ms));
}

// Lends a descriptor to the C++ API without taking ownership.
class Borrowed {
 public:
  explicit Borrowed(int64_t fd) : s_(static_cast<int>(fd)) {}
  ~Borrowed() { s_.Release(); }
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  const Socket& get() const { return s_; }

 private:
  Socket s_;
};

}  // namespace

extern "C" {

atl_io_result atl_tcp_listen(const char* ip, uint16_t port, int32_t backlog) {
  auto a = atl::io::Address::Parse(ip, port);
  if (!a) return Fail(a.error().code);
  auto s = atl::io::TcpListen(a.value(), backlog);
  return s ? Ok(s.value().Release()) : Fail(s.error().code);
}

atl_io_result atl_tcp_accept(int64_t listener, int64_t timeout_ms) {
  Borrowed l(listener);
  auto s = atl::io::TcpAccept(l.get(), Deadline(timeout_ms));
  return s ? Ok(s.value().Release()) : Fail(s.error().code);
}

atl_io_result atl_tcp_connect(const char* ip, uint16_t port, int64_t timeout_ms) {
  auto a = atl::io::Address::Parse(ip, port);
  if (!a) return Fail(a.error().code);
  auto s = atl::io::TcpConnect(a.value(), Deadline(timeout_ms));
  return s ? Ok(s.value().Release()) : Fail(s.error().code);
}

atl_io_result atl_tcp_read(int64_t fd, void* buf, size_t n, int64_t timeout_ms) {
  Borrowed s(fd);
  auto r = atl::io::Read(s.get(), buf, n, Deadline(timeout_ms));
  return r ? Ok(static_cast<int64_t>(r.value())) : Fail(r.error().code);
}

atl_io_result atl_tcp_write_all(int64_t fd, const void* buf, size_t n, int64_t timeout_ms) {
  Borrowed s(fd);
  auto r = atl::io::WriteAll(s.get(), buf, n, Deadline(timeout_ms));
  return r ? Ok(static_cast<int64_t>(r.value())) : Fail(r.error().code);
}

atl_io_result atl_tcp_shutdown(int64_t fd) {
  Borrowed s(fd);
  atl::io::Error e = atl::io::Shutdown(s.get());
  return e.code ? Fail(e.code) : Ok(0);
}

atl_io_result atl_tcp_local_port(int64_t fd) {
  Borrowed s(fd);
  auto a = atl::io::LocalAddress(s.get());
  return a ? Ok(a.value().port()) : Fail(a.error().code);
}

atl_io_result atl_io_close(int64_t fd) {
  return close(static_cast<int>(fd)) == 0 ? Ok(0) : Fail(errno);
}

int64_t atl_clock_monotonic_ns(void) { return atl::io::MonotonicNs(); }
int64_t atl_clock_wall_ns(void) { return atl::io::WallNs(); }

const char* atl_io_strerror(int code) { return std::strerror(code); }

}  // extern "C"
