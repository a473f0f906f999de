// TCP over IPv4 and IPv6, written once against IoContext + Trigger, so it
// runs unchanged on every scheduler and backend.
//
// Every descriptor is non-blocking; an operation first tries the system call
// and only waits for readiness on EAGAIN. Each blocking operation takes an
// optional deadline (ETIMEDOUT when it passes) and is cancellable (ECANCELED).
// On any return the descriptor is no longer watched, and a failed accept or
// connect leaves no descriptor behind. Errors are values, never exceptions.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "runtime/io/backend.h"
#include "runtime/io/clock.h"
#include "runtime/io/result.h"

namespace atl::io {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  // Numeric IPv4 or IPv6 literal ("127.0.0.1", "::1"); no name lookup.
  static Result<Address> parse(const std::string& ip, uint16_t port);
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  std::string to_string() const;
};

// Owns a descriptor; closes it on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  ~Socket() { close(); }
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  Error close();
  // Gives up ownership: returns the descriptor and leaves the Socket empty.
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Waits until `fd` is ready for `dir`. 0, ETIMEDOUT, ECANCELED or an errno.
int wait_fd(int fd, Interest dir, Deadline deadline = Deadline::never());

Result<Socket> tcp_listen(const Address& addr, int backlog = 1024);
Result<Socket> tcp_accept(const Socket& listener, Deadline deadline = Deadline::never());
Result<Socket> tcp_connect(const Address& addr, Deadline deadline = Deadline::never());
// Reads at most n bytes; 0 means end of stream.
Result<size_t> read(const Socket& s, void* buf, size_t n, Deadline deadline = Deadline::never());
// Writes all n bytes (or fails, with the count written so far lost).
Result<size_t> write_all(const Socket& s, const void* buf, size_t n,
                         Deadline deadline = Deadline::never());
Error shutdown(const Socket& s, int how = SHUT_WR);
Result<Address> local_address(const Socket& s);

// Sleeps for `d` through the current scheduler's timers; ECANCELED if cancelled.
Error sleep(Duration d);

}  // namespace atl::io
