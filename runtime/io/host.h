// Blocking-pool operations: DNS lookup, whole files, stdin/stdout. Written
// once against run_blocking, so they work on every scheduler; the caller's
// fiber is parked, never its worker thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/io/net.h"
#include "runtime/io/result.h"

namespace atl::io {

// getaddrinfo for TCP; numeric and named hosts. EAI errors map to EHOSTUNREACH
// (the text is in `detail` when given).
Result<std::vector<Address>> Resolve(const std::string& host, uint16_t port,
                                     std::string* detail = nullptr);

// With the io_uring backend, reads go through the ring (IORING_OP_READ);
// otherwise through the blocking pool. More than `max_bytes` (a device
// that never ends, /dev/zero) is EFBIG.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = size_t{1} << 30);
// A whole regular file read straight into the caller's memory, for a reader
// that would otherwise copy ReadFile's string (readFile's 8 MB text: one
// copy and 2,000 page faults fewer). On the io_uring backend OpenWhole
// opens nothing (fd -1: use ReadFile, which reads through the ring).
// Otherwise it opens `path`; when it is a
// regular file of at most `max_bytes`, `regular` is set and `size` is its
// size now. Then either ReadWhole reads exactly `size` bytes into `into`
// and closes the file (false when the file turned out shorter or longer:
// it changed meanwhile, and the caller reads it again with ReadFile), or
// ReadRest reads from the open file to its end (anything but a regular
// file: a FIFO or a device is opened once, so nothing written to it is
// lost) and closes it.
struct WholeFile {
  int fd = -1;
  bool regular = false;
  size_t size = 0;
};
Result<WholeFile> OpenWhole(const std::string& path, size_t max_bytes);
Result<bool> ReadWhole(WholeFile file, char* into);
Result<std::string> ReadRest(WholeFile file, size_t max_bytes);
// Replaces the file's contents. A regular file (or a new one) is written to
// a temporary file in the same folder and renamed over it, so a failed
// write (a full disk) leaves the old contents whole; the new file keeps the
// old one's permissions, and a symbolic link is followed, not replaced.
// Anything else (a device, a FIFO) is written in place.
Error WriteFile(const std::string& path, std::string_view data);

// Reads up to `max` bytes from standard input (0 at end of input).
Result<std::string> ReadStdin(size_t max = 64 * 1024);
Error WriteStdout(std::string_view data);

}  // namespace atl::io
