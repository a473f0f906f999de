#include "runtime/io/host.h"

#include <fcntl.h>
#include <netdb.h>
#include <unistd.h>

#include <cstring>

#include "runtime/io/blocking_pool.h"
#include "runtime/io/io_context.h"

namespace atl::io {

Result<std::vector<Address>> resolve(const std::string& host, uint16_t port,
                                     std::string* detail) {
  struct Out {
    int rc = 0;
    std::vector<Address> addrs;
  };
  Out out = run_blocking([&] {
    Out o;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string service = std::to_string(port);
    o.rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    for (addrinfo* p = res; p; p = p->ai_next) {
      Address a;
      std::memcpy(&a.storage, p->ai_addr, p->ai_addrlen);
      a.length = p->ai_addrlen;
      o.addrs.push_back(a);
    }
    if (res) freeaddrinfo(res);
    return o;
  });
  if (out.rc != 0) {
    if (detail) *detail = gai_strerror(out.rc);
    return Error{EHOSTUNREACH};
  }
  return out.addrs;
}

// io_uring path: open directly (local, short), then READ ops on the ring.
// Returns false if the context cannot submit operations.
static bool read_file_uring(const std::string& path, Result<std::string>& out) {
  IoContext& ctx = IoContext::current();
  if (ctx.kind() != BackendKind::Uring || std::string_view(ctx.backend_name()) != "uring") {
    return false;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out = Error{errno};
    return true;
  }
  std::string data;
  std::vector<char> buf(64 * 1024);  // not on the stack: fiber stacks are small
  uint64_t off = 0;
  for (;;) {
    int64_t r = 0;
    if (!ctx.read_at(fd, buf.data(), buf.size(), off, &r)) {
      close(fd);
      return false;
    }
    if (r < 0) {
      close(fd);
      out = Error{static_cast<int>(-r)};
      return true;
    }
    if (r == 0) break;
    data.append(buf.data(), static_cast<size_t>(r));
    off += static_cast<uint64_t>(r);
  }
  close(fd);
  out = std::move(data);
  return true;
}

Result<std::string> read_file(const std::string& path) {
  if (Result<std::string> r{std::string()}; read_file_uring(path, r)) return r;
  struct Out {
    int err = 0;
    std::string data;
  };
  Out out = run_blocking([&] {
    Out o;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      o.err = errno;
      return o;
    }
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) o.err = errno;
      if (n <= 0) break;
      o.data.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return o;
  });
  if (out.err) return Error{out.err};
  return std::move(out.data);
}

static int write_fully(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<size_t>(n);
  }
  return 0;
}

Error write_file(const std::string& path, std::string_view data) {
  int err = run_blocking([&] {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int e = write_fully(fd, data);
    if (close(fd) < 0 && e == 0) e = errno;
    return e;
  });
  return Error{err};
}

Result<std::string> read_stdin(size_t max) {
  struct Out {
    int err = 0;
    std::string data;
  };
  Out out = run_blocking([&] {
    Out o;
    o.data.resize(max);
    ssize_t n;
    do {
      n = ::read(0, o.data.data(), max);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      o.err = errno;
      n = 0;
    }
    o.data.resize(static_cast<size_t>(n));
    return o;
  });
  if (out.err) return Error{out.err};
  return std::move(out.data);
}

Error write_stdout(std::string_view data) {
  return Error{run_blocking([&] { return write_fully(1, data); })};
}

}  // namespace atl::io
