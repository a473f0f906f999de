#include "compiler/driver/install.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <cstdlib>

namespace atl::driver {
namespace {

const char* const kLinkFlags[] = {
#include "atoll_link_flags.inc"
};

// libstdc++.a of the compiler atoll was configured with, or "".
const char* const kStaticCxx =
#include "atoll_static_cxx.inc"
    ;

auto Join(const std::string& a, const std::string& b) -> std::string {
  llvm::SmallString<256> p(a);
  llvm::sys::path::append(p, b);
  return std::string(p.str());
}

}  // namespace

auto LocateInstall() -> Install {
  static int anchor = 0;
  Install install;
  install.executable = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  std::string home;
  if (const char* env = std::getenv("ATOLL_HOME"); env != nullptr && *env != '\0') {
    home = env;
  } else {
    llvm::SmallString<256> bin(install.executable);
    llvm::sys::path::remove_filename(bin);  // .../bin
    llvm::sys::path::remove_filename(bin);  // ...
    home = std::string(bin.str());
  }
  install.runtime_library = Join(Join(home, "lib"), "libatoll_rt.a");
  install.lib_dir = Join(Join(home, "lib"), "atoll");
  return install;
}

auto FindInstall() -> Result<Install> {
  Install install = LocateInstall();
  if (!llvm::sys::fs::exists(install.runtime_library)) {
    return Failure::Usage("runtime library not found at " + install.runtime_library +
                          " (set ATOLL_HOME to the directory holding lib/libatoll_rt.a)");
  }
  return install;
}

auto RuntimeLinkFlags() -> std::vector<std::string> {
  return {std::begin(kLinkFlags), std::end(kLinkFlags)};
}

auto ExecutableLinkFlags() -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const std::string& flag : RuntimeLinkFlags()) {
    if (flag == "-lstdc++" && *kStaticCxx != '\0' && llvm::sys::fs::exists(kStaticCxx)) {
      out.insert(out.end(), {kStaticCxx, "-static-libgcc"});
      continue;
    }
    // /usr/lib/.../libgc.so or libboost_context.so.1.74.0 -> the .a beside it
    const size_t so = flag.rfind(".so");
    if (!flag.starts_with("-") && so != std::string::npos &&
        flag.find_first_not_of("0123456789.", so + 3) == std::string::npos) {
      const std::string archive = flag.substr(0, so) + ".a";
      if (llvm::sys::fs::exists(archive)) {
        out.push_back(archive);
        continue;
      }
    }
    out.push_back(flag);
  }
  return out;
}

}  // namespace atl::driver
