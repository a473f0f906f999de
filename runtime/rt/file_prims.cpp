// Files for lib/File.atl (rt.h, "Sockets, DNS and files"): whole files as
// Bytes, and handles for reading and writing in chunks.
//
// A handle is an object of kind ATL_KIND_HANDLE holding the descriptor. The
// program closes it (primFileClose); one it drops unclosed is closed by the
// collector: the handle has a finalizer (queued by the collector, run at the
// next safe point: an MVar operation, a fork, a file operation), which
// closes the descriptor and, when ATOLL_DEBUG=1, prints a warning naming
// where the file was opened. Every wait goes through the blocking pool
// (whole-file reads through io_uring on that backend, runtime/io/host.h),
// which cannot be interrupted, so each entry point ends with
// CheckCancelled. Results are (error, value) pairs as in net_prims.cpp.
#include <fcntl.h>
#include <gc/gc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/gc/gc.h"
#include "runtime/io/blocking_pool.h"
#include "runtime/io/host.h"
#include "runtime/mvar/mvar.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/value/bytes.h"
#include "runtime/value/fail.h"
#include "runtime/value/string.h"

namespace {

namespace io = atl::io;

atl_value Str(const std::string& s) { return atl_string_new(s.data(), s.size()); }
atl_value Ok(atl_value v) { return atl_rt_pair(Str(""), v); }
atl_value Failed(const std::string& what, const std::string& why, atl_value placeholder) {
  return atl_rt_pair(Str(what + ": " + why), placeholder);
}
atl_value Failed(const std::string& what, int code, atl_value placeholder) {
  if (code == EFBIG) return Failed(what, "larger than the 4 GiB Bytes may hold", placeholder);
  return Failed(what, std::strerror(code), placeholder);
}

bool PathOf(atl_value path, std::string* out) {
  out->assign(atl_string_bytes(path), atl_string_length(path));
  return out->find('\0') == std::string::npos;
}

constexpr const char* kNulInPath = "the path contains a NUL character";
constexpr size_t kMaxBytes = UINT32_MAX;
constexpr size_t kLargestChunk = 16 * 1024 * 1024;

bool DebugRun() {
  static const bool debug = [] {
    const char* v = std::getenv("ATOLL_DEBUG");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return debug;
}

void GC_CALLBACK OnHandleCollected(void* obj, void* /*client_data*/) {
  auto* h = static_cast<atl_handle*>(obj);
  if (h->fd < 0) return;
  if (DebugRun()) {
    const atl_source_location* at = h->opened_at;
    std::fprintf(stderr,
                 "atoll: warning: a file handle opened at %s:%u:%u was never closed; the collector "
                 "closed it\n",
                 at != nullptr ? at->file : "?", at != nullptr ? at->line : 0,
                 at != nullptr ? at->column : 0);
  }
  ::close(static_cast<int>(h->fd));
  h->fd = -1;
}

atl_value NewHandle(int fd, atl_where at) {
  auto* h = static_cast<atl_handle*>(atl_alloc_atomic(sizeof(atl_handle)));
  h->header = atl_make_header(ATL_KIND_HANDLE, 0, 2);
  h->fd = fd;
  h->opened_at = at;
  if (fd >= 0) GC_register_finalizer_no_order(h, OnHandleCollected, nullptr, nullptr, nullptr);
  return atl_from_ptr(h);
}

atl_handle* HandleOf(atl_value v) {
  if (!atl_is_ptr(v) || atl_header_kind(atl_ptr(v)->header) != ATL_KIND_HANDLE) {
    atl_runtime_error(nullptr, "expected a FileHandle");
  }
  return reinterpret_cast<atl_handle*>(atl_ptr(v));
}

atl_value ReadFileBytes(atl_value path) {
  const atl_value empty = atl_bytes_new("", 0);
  std::string name;
  if (!PathOf(path, &name)) return Failed(name.substr(0, name.find('\0')), kNulInPath, empty);
  io::Result<std::string> r = io::ReadFile(name, kMaxBytes);
  if (!r.ok()) return Failed(name, r.error().code, empty);
  return Ok(atl_bytes_new(r.value().data(), r.value().size()));
}

int WriteFully(int fd, const unsigned char* p, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd, p + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno;
    done += static_cast<size_t>(w);
  }
  return 0;
}

atl_value WriteFileBytes(atl_value path, atl_value bytes, bool append) {
  std::string name;
  if (!PathOf(path, &name)) return Failed(name.substr(0, name.find('\0')), kNulInPath, atl_unit());
  const unsigned char* p = atl_bytes_data(bytes);
  const size_t n = atl_bytes_length(bytes);
  int err = 0;
  if (!append) {
    err = io::WriteFile(name, std::string_view(reinterpret_cast<const char*>(p), n)).code;
  } else {
    err = io::RunBlocking([&] {
      const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
      if (fd < 0) return errno;
      int e = WriteFully(fd, p, n);
      if (::close(fd) != 0 && e == 0) e = errno;
      return e;
    });
  }
  if (err != 0) return Failed(name, err, atl_unit());
  return Ok(atl_unit());
}

atl_value Open(atl_value path, atl_value mode_v, atl_where at) {
  const atl_value closed = NewHandle(-1, at);
  std::string name;
  if (!PathOf(path, &name)) return Failed(name.substr(0, name.find('\0')), kNulInPath, closed);
  const int64_t mode = atl_int_get(mode_v);
  int flags = O_CLOEXEC;
  if (mode == 0) {
    flags |= O_RDONLY;
  } else if (mode == 1) {
    flags |= O_WRONLY | O_CREAT | O_TRUNC;
  } else if (mode == 2) {
    flags |= O_WRONLY | O_CREAT | O_APPEND;
  } else {
    return Failed(name, "unknown open mode " + std::to_string(mode), closed);
  }
  struct Opened {
    int fd;
    int err;
  };
  const Opened o = io::RunBlocking([&] {
    const int fd = ::open(name.c_str(), flags, 0666);
    return Opened{fd, fd < 0 ? errno : 0};
  });
  if (o.fd < 0) return Failed(name, o.err, closed);
  return Ok(NewHandle(o.fd, at));
}

atl_value Read(atl_value file, atl_value max_v) {
  const atl_value empty = atl_bytes_new("", 0);
  atl_handle* h = HandleOf(file);
  const int64_t max = atl_int_get(max_v);
  if (h->fd < 0) return Failed("read", "the file is closed", empty);
  if (max < 0) return Failed("read", "a negative count (" + std::to_string(max) + ")", empty);
  atl_bytes* b = atl_bytes_alloc(std::min(static_cast<size_t>(max), kLargestChunk));
  const int fd = static_cast<int>(h->fd);
  struct Got {
    ssize_t n;
    int err;
  };
  const Got g = io::RunBlocking([&] {
    for (;;) {
      const ssize_t n = ::read(fd, b->bytes, atl_header_size(b->header));
      if (n < 0 && errno == EINTR) continue;
      return Got{n, n < 0 ? errno : 0};
    }
  });
  if (g.n < 0) return Failed("read", g.err, empty);
  const size_t n = static_cast<size_t>(g.n);
  if (n * 2 < atl_header_size(b->header)) return Ok(atl_bytes_new(b->bytes, n));
  b->header = atl_make_header(ATL_KIND_BYTES, 0, static_cast<uint32_t>(n));
  b->bytes[n] = '\0';
  return Ok(atl_from_ptr(b));
}

atl_value Write(atl_value file, atl_value bytes) {
  atl_handle* h = HandleOf(file);
  if (h->fd < 0) return Failed("write", "the file is closed", atl_unit());
  const int fd = static_cast<int>(h->fd);
  const unsigned char* p = atl_bytes_data(bytes);
  const size_t n = atl_bytes_length(bytes);
  const int err = io::RunBlocking([&] { return WriteFully(fd, p, n); });
  if (err != 0) return Failed("write", err, atl_unit());
  return Ok(atl_unit());
}

atl_value Close(atl_value file) {
  atl_handle* h = HandleOf(file);
  if (h->fd < 0) return Failed("close", "the file is closed already", atl_unit());
  const int fd = static_cast<int>(h->fd);
  h->fd = -1;
  GC_register_finalizer_no_order(h, nullptr, nullptr, nullptr, nullptr);  // nothing left to close
  if (::close(fd) != 0) return Failed("close", errno, atl_unit());
  return Ok(atl_unit());
}

// Every file operation is a safe point for the collector's finalizers.
void SafePoint() {
  atl::mvar::SetUpFinalizers();
  atl::mvar::RunFinalizers();
}

}  // namespace

extern "C" {

atl_value atl_rt_read_file_bytes(atl_value path, atl_where /*at*/, void* /*region*/) {
  SafePoint();
  const atl_value v = ReadFileBytes(path);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_write_file_bytes(atl_value path, atl_value bytes, atl_value append,
                                  atl_where /*at*/, void* /*region*/) {
  SafePoint();
  const atl_value v = WriteFileBytes(path, bytes, append == atl_bool(1));
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_file_open(atl_value path, atl_value mode, atl_where at, void* /*region*/) {
  SafePoint();
  const atl_value v = Open(path, mode, at);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_file_read(atl_value file, atl_value max, atl_where /*at*/, void* /*region*/) {
  SafePoint();
  const atl_value v = Read(file, max);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_file_write(atl_value file, atl_value bytes, atl_where /*at*/, void* /*region*/) {
  SafePoint();
  const atl_value v = Write(file, bytes);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_file_close(atl_value file, atl_where /*at*/, void* /*region*/) {
  SafePoint();
  return Close(file);
}

}  // extern "C"
