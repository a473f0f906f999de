#include "runtime/io/host.h"

#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "runtime/io/blocking_pool.h"
#include "runtime/io/io_context.h"

namespace atl::io {

Result<std::vector<Address>> Resolve(const std::string& host, uint16_t port, std::string* detail) {
  struct Out {
    int rc = 0;
    std::vector<Address> addrs;
  };
  Out out = RunBlocking([&] {
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

// Reserves room for a regular file's whole contents (its size now; more may
// still come and is appended as usual): reading an 8 MB file into a string
// that doubles as it goes copied 16 MB more and touched as many fresh pages.
static void ReserveFileSize(int fd, size_t max_bytes, std::string& data) {
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      static_cast<uint64_t>(st.st_size) <= max_bytes) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
}

// io_uring path: open directly (local, short), then READ ops on the ring.
// Returns false if the context cannot submit operations.
static bool ReadFileUring(const std::string& path, size_t max_bytes, Result<std::string>& out) {
  IoContext& ctx = IoContext::Current();
  if (ctx.kind() != BackendKind::Uring || std::string_view(ctx.BackendName()) != "uring") {
    return false;
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out = Error{errno};
    return true;
  }
  std::string data;
  ReserveFileSize(fd, max_bytes, data);
  std::vector<char> buf(64 * 1024);  // not on the stack: fiber stacks are small
  uint64_t off = 0;
  for (;;) {
    int64_t r = 0;
    if (!ctx.ReadAt(fd, buf.data(), buf.size(), off, &r)) {
      close(fd);
      return false;
    }
    if (r < 0) {
      close(fd);
      out = Error{static_cast<int>(-r)};
      return true;
    }
    if (r == 0) break;
    if (data.size() + static_cast<size_t>(r) > max_bytes) {
      close(fd);
      out = Error{EFBIG};
      return true;
    }
    data.append(buf.data(), static_cast<size_t>(r));
    off += static_cast<uint64_t>(r);
  }
  close(fd);
  out = std::move(data);
  return true;
}

namespace {

struct ReadOut {
  int err = 0;
  std::string data;
};

// Reads fd to its end (at most max_bytes, else EFBIG) and closes it. On a
// blocking-pool thread.
void ReadToEnd(int fd, size_t max_bytes, ReadOut& o) {
  ReserveFileSize(fd, max_bytes, o.data);
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) o.err = errno;
    if (n <= 0) break;
    if (o.data.size() + static_cast<size_t>(n) > max_bytes) {
      o.err = EFBIG;
      break;
    }
    o.data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  if (Result<std::string> r{std::string()}; ReadFileUring(path, max_bytes, r)) return r;
  ReadOut out = RunBlocking([&] {
    ReadOut o;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      o.err = errno;
      return o;
    }
    ReadToEnd(fd, max_bytes, o);
    return o;
  });
  if (out.err) return Error{out.err};
  return std::move(out.data);
}

// The ring's own reads stay with ReadFile (ReadFileUring).
static bool ReadsThroughRing() {
  IoContext& ctx = IoContext::Current();
  return ctx.kind() == BackendKind::Uring && std::string_view(ctx.BackendName()) == "uring";
}

Result<WholeFile> OpenWhole(const std::string& path, size_t max_bytes) {
  if (ReadsThroughRing()) return WholeFile{};
  struct Out {
    int err = 0;
    WholeFile file;
  };
  Out out = RunBlocking([&] {
    Out o;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      o.err = errno;
      return o;
    }
    struct stat st;
    o.file.fd = fd;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(st.st_size) <= max_bytes) {
      o.file.regular = true;
      o.file.size = static_cast<size_t>(st.st_size);
    }
    return o;
  });
  if (out.err != 0) return Error{out.err};
  return out.file;
}

Result<std::string> ReadRest(WholeFile file, size_t max_bytes) {
  ReadOut out = RunBlocking([&] {
    ReadOut o;
    ReadToEnd(file.fd, max_bytes, o);
    return o;
  });
  if (out.err) return Error{out.err};
  return std::move(out.data);
}

Result<bool> ReadWhole(WholeFile file, char* into) {
  struct Out {
    int err = 0;
    bool whole = false;
  };
  Out out = RunBlocking([&] {
    Out o;
    size_t done = 0;
    while (done < file.size) {
      const ssize_t n = ::read(file.fd, into + done, file.size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) o.err = errno;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (o.err == 0 && done == file.size) {
      char more = 0;
      ssize_t n = 0;
      do {
        n = ::read(file.fd, &more, 1);
      } while (n < 0 && errno == EINTR);
      if (n < 0) o.err = errno;
      o.whole = n == 0;
    }
    close(file.fd);
    return o;
  });
  if (out.err != 0) return Error{out.err};
  return out.whole;
}

static int WriteFully(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// The process's umask, read without changing it (umask(2) can only swap it,
// which would race with other threads creating files).
static mode_t CurrentUmask() {
  mode_t mask = 022;
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      unsigned value = 0;
      if (std::sscanf(line, "Umask: %o", &value) == 1) {
        mask = static_cast<mode_t>(value);
        break;
      }
    }
    std::fclose(f);
  }
  return mask;
}

static int WriteInPlace(const std::string& path, std::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  int e = WriteFully(fd, data);
  if (close(fd) < 0 && e == 0) e = errno;
  return e;
}

// Writes `data` next to `target` and renames it over `target`.
static int WriteReplacing(const std::string& target, std::string_view data, mode_t mode) {
  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : target.substr(0, slash + 1);
  std::string tmp = (slash == std::string::npos ? std::string() : dir) + ".atoll-write-XXXXXX";
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return errno;
  int e = WriteFully(fd, data);
  if (e == 0 && fchmod(fd, mode) < 0) e = errno;
  if (close(fd) < 0 && e == 0) e = errno;
  if (e == 0 && rename(tmp.c_str(), target.c_str()) < 0) e = errno;
  if (e != 0) unlink(tmp.c_str());
  return e;
}

Error WriteFile(const std::string& path, std::string_view data) {
  int err = RunBlocking([&] {
    // Follow a symbolic link to the file it names.
    std::string target = path;
    char resolved[PATH_MAX];
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      if (realpath(path.c_str(), resolved) == nullptr) return WriteInPlace(path, data);
      target = resolved;
    }
    if (stat(target.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode)) return WriteInPlace(target, data);
      return WriteReplacing(target, data, st.st_mode & 07777);
    }
    if (errno != ENOENT) return errno;
    return WriteReplacing(target, data, 0666 & ~CurrentUmask());
  });
  return Error{err};
}

Result<std::string> ReadStdin(size_t max) {
  struct Out {
    int err = 0;
    std::string data;
  };
  Out out = RunBlocking([&] {
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

Error WriteStdout(std::string_view data) {
  return Error{RunBlocking([&] { return WriteFully(1, data); })};
}

}  // namespace atl::io
