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
  static Result<Address> Parse(const std::string& ip, uint16_t port);
  int family() const { return storage.ss_family; }
  uint16_t port() const;
  std::string ToString() const;
};

// Owns a descriptor; closes it on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  ~Socket() { Close(); }
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  Error Close();
  // Gives up ownership: returns the descriptor and leaves the Socket empty.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Waits until `fd` is ready for `dir`. 0, ETIMEDOUT, ECANCELED or an errno.
int WaitFd(int fd, Interest dir, Deadline deadline = Deadline::Never());

Result<Socket> TcpListen(const Address& addr, int backlog = 1024);
Result<Socket> TcpAccept(const Socket& listener, Deadline deadline = Deadline::Never());
Result<Socket> TcpConnect(const Address& addr, Deadline deadline = Deadline::Never());
// Reads at most n bytes; 0 means end of stream.
Result<size_t> Read(const Socket& s, void* buf, size_t n, Deadline deadline = Deadline::Never());
// Writes all n bytes (or fails, with the count written so far lost).
Result<size_t> WriteAll(const Socket& s, const void* buf, size_t n,
                        Deadline deadline = Deadline::Never());
Error Shutdown(const Socket& s, int how = SHUT_WR);
Result<Address> LocalAddress(const Socket& s);

// Sleeps for `d` through the current scheduler's timers; ECANCELED if cancelled.
Error Sleep(Duration d);

}  // namespace atl::io
