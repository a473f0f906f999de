#include "compiler/driver/cache.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SHA256.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace atl::driver {
namespace {

void AddPart(llvm::SHA256& hash, const std::string& part) {
  const std::string length = std::to_string(part.size()) + ":";
  hash.update(llvm::StringRef(length));
  hash.update(llvm::StringRef(part));
}

auto FileStamp(const std::string& path) -> std::string {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status)) return path + ":missing";
  const auto mtime = status.getLastModificationTime().time_since_epoch().count();
  return path + ":" + std::to_string(status.getSize()) + ":" + std::to_string(mtime);
}

constexpr const char* kSealMagic = "atoll-cache 1";

// Closes a descriptor on every path out.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// Size and hex SHA-256 of the open file's contents. Returns "" or an error.
auto HashContents(int fd, uint64_t* size, std::string* digest) -> std::string {
  llvm::SHA256 hash;
  char buffer[1 << 16];
  *size = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::strerror(errno);
    }
    if (n == 0) break;
    hash.update(
        llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n)));
    *size += static_cast<uint64_t>(n);
  }
  *digest = llvm::toHex(hash.final(), /*LowerCase=*/true);
  return "";
}

auto WriteAll(int fd, const char* data, size_t size) -> bool {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Writes `path` through a temporary name and rename, so that nobody ever
// sees it half-written. `fill` writes the contents to the descriptor and
// returns false with errno set on failure.
template <typename Fill>
auto WriteByRename(const std::string& path, mode_t mode, Fill fill) -> std::string {
  const std::string partial = path + ".tmp" + std::to_string(::getpid());
  Descriptor out{::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)};
  if (out.fd < 0) return fmt::format("cannot create {}: {}", partial, std::strerror(errno));
  std::string error;
  if (!fill(out.fd)) {
    error = fmt::format("cannot write {}: {}", partial, std::strerror(errno));
  } else if (::close(out.fd) != 0) {
    error = fmt::format("cannot write {}: {}", partial, std::strerror(errno));
  }
  out.fd = -1;
  if (error.empty() && ::rename(partial.c_str(), path.c_str()) != 0)
    error = fmt::format("cannot rename {} to {}: {}", partial, path, std::strerror(errno));
  if (!error.empty()) ::unlink(partial.c_str());
  return error;
}

}  // namespace

auto FindCacheEntry(const std::string& dir, const std::string& key, std::string* damage)
    -> std::string {
  const std::string exe = dir + "/" + key;
  Descriptor in{::open(exe.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return "";  // not built yet
  std::string seal;
  if (std::FILE* f = std::fopen((exe + ".ok").c_str(), "re")) {
    char line[256];
    if (std::fgets(line, sizeof line, f) != nullptr) seal = line;
    std::fclose(f);
  }
  unsigned long long sealed_size = 0;
  char sealed_digest[65] = {0};
  if (seal.rfind(kSealMagic, 0) != 0 ||
      std::sscanf(seal.c_str() + std::strlen(kSealMagic), " %llu %64s", &sealed_size,
                  sealed_digest) != 2) {
    *damage = "it has no seal";
    return "";
  }
  uint64_t size = 0;
  std::string digest;
  if (std::string error = HashContents(in.fd, &size, &digest); !error.empty()) {
    *damage = "it cannot be read: " + error;
    return "";
  }
  if (size != sealed_size) {
    *damage = fmt::format("it has {} bytes, not {}", size, sealed_size);
    return "";
  }
  if (digest != sealed_digest) {
    *damage = "its contents do not match their hash";
    return "";
  }
  return exe;
}

auto StoreCacheEntry(const std::string& dir, const std::string& key, const std::string& built)
    -> Status {
  const std::string exe = dir + "/" + key;
  Descriptor in{::open(built.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0)
    return Failure::Usage(fmt::format("cannot read {}: {}", built, std::strerror(errno)));
  uint64_t size = 0;
  std::string digest;
  if (std::string error = HashContents(in.fd, &size, &digest); !error.empty())
    return Failure::Usage(fmt::format("cannot read {}: {}", built, error));
  std::string error = WriteByRename(exe, 0755, [&](int out) {
    if (::lseek(in.fd, 0, SEEK_SET) != 0) return false;
    char buffer[1 << 16];
    for (;;) {
      const ssize_t n = ::read(in.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) return true;
      if (!WriteAll(out, buffer, static_cast<size_t>(n))) return false;
    }
  });
  if (!error.empty()) return Failure::Usage(error);
  // The seal last: until it is in place the entry does not count.
  const std::string seal = fmt::format("{} {} {}\n", kSealMagic, size, digest);
  error = WriteByRename(exe + ".ok", 0644,
                        [&](int out) { return WriteAll(out, seal.data(), seal.size()); });
  if (!error.empty()) {
    ::unlink(exe.c_str());
    return Failure::Usage(error);
  }
  return Done{};
}

auto CacheKey(const CacheKeyInput& input) -> std::string {
  llvm::SHA256 hash;
  AddPart(hash, input.compiler_identity);
  AddPart(hash, "O" + std::to_string(input.opt_level));
  AddPart(hash, "cpu=" + input.cpu);
  AddPart(hash, "regions=" + input.regions);
  for (const std::string& source : input.sources) AddPart(hash, source);
  const auto digest = hash.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

auto CompilerIdentity(const Install& install) -> std::string {
  return std::string("atoll " ATOLL_VERSION " ") + FileStamp(install.executable) + " " +
         FileStamp(install.runtime_library);
}

auto CacheDirectory() -> Result<std::string> {
  llvm::SmallString<256> dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = home;
    llvm::sys::path::append(dir, ".cache");
  } else {
    return Failure::Usage("neither XDG_CACHE_HOME nor HOME is set; cannot locate the build cache");
  }
  llvm::sys::path::append(dir, "atoll");
  if (auto ec = llvm::sys::fs::create_directories(dir)) {
    return Failure::Usage("cannot create cache directory " + std::string(dir.str()) + ": " +
                          ec.message());
  }
  return std::string(dir.str());
}

}  // namespace atl::driver
