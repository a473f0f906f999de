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

atl_io_result ok(int64_t v) { return {v, 0, 0}; }
atl_io_result fail(int e) { return {-1, e, 0}; }

Deadline deadline(int64_t timeout_ms) {
  return timeout_ms < 0 ? Deadline::never()
                        : Deadline::after(std::chrono::milliseconds(timeout_ms));
}

// Lends a descriptor to the C++ API without taking ownership.
class Borrowed {
 public:
  explicit Borrowed(int64_t fd) : s_(static_cast<int>(fd)) {}
  ~Borrowed() { s_.release(); }
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  const Socket& get() const { return s_; }

 private:
  Socket s_;
};

}  // namespace

extern "C" {

atl_io_result atl_tcp_listen(const char* ip, uint16_t port, int32_t backlog) {
  auto a = atl::io::Address::parse(ip, port);
  if (!a) return fail(a.error().code);
  auto s = atl::io::tcp_listen(a.value(), backlog);
  return s ? ok(s.value().release()) : fail(s.error().code);
}

atl_io_result atl_tcp_accept(int64_t listener, int64_t timeout_ms) {
  Borrowed l(listener);
  auto s = atl::io::tcp_accept(l.get(), deadline(timeout_ms));
  return s ? ok(s.value().release()) : fail(s.error().code);
}

atl_io_result atl_tcp_connect(const char* ip, uint16_t port, int64_t timeout_ms) {
  auto a = atl::io::Address::parse(ip, port);
  if (!a) return fail(a.error().code);
  auto s = atl::io::tcp_connect(a.value(), deadline(timeout_ms));
  return s ? ok(s.value().release()) : fail(s.error().code);
}

atl_io_result atl_tcp_read(int64_t fd, void* buf, size_t n, int64_t timeout_ms) {
  Borrowed s(fd);
  auto r = atl::io::read(s.get(), buf, n, deadline(timeout_ms));
  return r ? ok(static_cast<int64_t>(r.value())) : fail(r.error().code);
}

atl_io_result atl_tcp_write_all(int64_t fd, const void* buf, size_t n, int64_t timeout_ms) {
  Borrowed s(fd);
  auto r = atl::io::write_all(s.get(), buf, n, deadline(timeout_ms));
  return r ? ok(static_cast<int64_t>(r.value())) : fail(r.error().code);
}

atl_io_result atl_tcp_shutdown(int64_t fd) {
  Borrowed s(fd);
  atl::io::Error e = atl::io::shutdown(s.get());
  return e.code ? fail(e.code) : ok(0);
}

atl_io_result atl_tcp_local_port(int64_t fd) {
  Borrowed s(fd);
  auto a = atl::io::local_address(s.get());
  return a ? ok(a.value().port()) : fail(a.error().code);
}

atl_io_result atl_io_close(int64_t fd) {
  return close(static_cast<int>(fd)) == 0 ? ok(0) : fail(errno);
}

int64_t atl_clock_monotonic_ns(void) { return atl::io::monotonic_ns(); }
int64_t atl_clock_wall_ns(void) { return atl::io::wall_ns(); }

const char* atl_io_strerror(int code) { return std::strerror(code); }

}  // extern "C"
