#include "compiler/driver/cache.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/SHA256.h>

#include <cstdlib>

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

}  // namespace

auto CacheKey(const CacheKeyInput& input) -> std::string {
  llvm::SHA256 hash;
  AddPart(hash, input.compiler_identity);
  AddPart(hash, "O" + std::to_string(input.opt_level));
  for (const std::string& source : input.sources) AddPart(hash, source);
  const auto digest = hash.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

auto CompilerIdentity(const Install& install) -> std::string {
  return std::string("atoll " ATOLL_VERSION " ") + FileStamp(install.executable) + " " +
         FileStamp(install.runtime_library);
}

auto CacheDirectory(std::string* error) -> std::string {
  llvm::SmallString<256> dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    dir = home;
    llvm::sys::path::append(dir, ".cache");
  } else {
    *error = "neither XDG_CACHE_HOME nor HOME is set; cannot locate the build cache";
    return "";
  }
  llvm::sys::path::append(dir, "atoll");
  if (auto ec = llvm::sys::fs::create_directories(dir)) {
    *error = "cannot create cache directory " + std::string(dir.str()) + ": " + ec.message();
    return "";
  }
  return std::string(dir.str());
}

}  // namespace atl::driver
