#include "runtime/io/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "runtime/io/io_context.h"
#include "runtime/io/trigger.h"

namespace atl::io {

std::string Error::text() const { return std::strerror(code); }

Result<Address> Address::Parse(const std::string& ip, uint16_t port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    a.length = sizeof(sockaddr_in);
    return a;
  }
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    a.length = sizeof(sockaddr_in6);
    return a;
  }
  return Error{EINVAL};
}

uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

std::string Address::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port());
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
  return "[" + std::string(buf) + "]:" + std::to_string(port());
}

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Error Socket::Close() {
  if (fd_ < 0) return {};
  int rc = ::close(fd_);
  fd_ = -1;
  return rc == 0 ? Error{} : LastError();
}

int WaitFd(int fd, Interest dir, Deadline deadline) {
  IoContext& ctx = IoContext::Current();  // fixed: the fiber may move meanwhile
  Trigger t;
  std::atomic<bool> timed_out{false};
  Timeout timer;
  if (!deadline.is_never()) {
    Duration left = deadline.at - Now();
    if (left.count() <= 0) return ETIMEDOUT;
    timer = ctx.SetTimeout(left, [&] {
      timed_out.store(true, std::memory_order_release);
      t.Cancel();
    });
  }
  if (int rc = ctx.Watch(fd, dir, &t)) {
    timer.Cancel();
    return rc;
  }
  Wake w = t.Await();
  ctx.Unwatch(fd, dir);  // no signal can reach t after this
  timer.Cancel();        // nor a timer callback
  if (w == Wake::Signalled) return 0;
  return timed_out.load(std::memory_order_acquire) ? ETIMEDOUT : ECANCELED;
}

Error Sleep(Duration d) {
  Trigger t;
  Timeout timer = SetTimeout(d, [&] { t.Signal(); });
  Wake w = t.Await();
  timer.Cancel();
  return w == Wake::Signalled ? Error{} : Error{ECANCELED};
}

Result<Socket> TcpListen(const Address& addr, int backlog) {
  Socket s(socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.valid()) return LastError();
  int one = 1;
  setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) < 0) {
    return LastError();
  }
  if (listen(s.fd(), backlog) < 0) return LastError();
  return s;
}

Result<Socket> TcpAccept(const Socket& listener, Deadline deadline) {
  for (;;) {
    int fd = accept4(listener.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return Socket(fd);
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return LastError();
    if (int rc = WaitFd(listener.fd(), kReadable, deadline)) return Error{rc};
  }
}

Result<Socket> TcpConnect(const Address& addr, Deadline deadline) {
  Socket s(socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.valid()) return LastError();
  int one = 1;
  setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr.storage), addr.length);
  if (rc == 0) return s;
  if (errno != EINPROGRESS && errno != EINTR) return LastError();
  if (int w = WaitFd(s.fd(), kWritable, deadline)) return Error{w};  // s closes itself
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return Error{err};
  return s;
}

Result<size_t> Read(const Socket& s, void* buf, size_t n, Deadline deadline) {
  for (;;) {
    ssize_t r = ::read(s.fd(), buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return LastError();
    if (int rc = WaitFd(s.fd(), kReadable, deadline)) return Error{rc};
  }
}

Result<size_t> WriteAll(const Socket& s, const void* buf, size_t n, Deadline deadline) {
  const char* p = static_cast<const char*>(buf);
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::send(s.fd(), p + done, n - done, MSG_NOSIGNAL);
    if (w >= 0) {
      done += static_cast<size_t>(w);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return LastError();
    if (int rc = WaitFd(s.fd(), kWritable, deadline)) return Error{rc};
  }
  return done;
}

Error Shutdown(const Socket& s, int how) {
  return ::shutdown(s.fd(), how) == 0 ? Error{} : LastError();
}

Result<Address> LocalAddress(const Socket& s) {
  Address a;
  a.length = sizeof a.storage;
  if (getsockname(s.fd(), reinterpret_cast<sockaddr*>(&a.storage), &a.length) < 0) {
    return LastError();
  }
  return a;
}

}  // namespace atl::io
