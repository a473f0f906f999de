// Where the runtime library and the standard library live.
#ifndef ATOLL_DRIVER_INSTALL_H
#define ATOLL_DRIVER_INSTALL_H

#include <string>
#include <vector>

#include "compiler/driver/result.h"

namespace atl::driver {

// The files a build needs besides the source. Found from $ATOLL_HOME when set,
// else relative to the running `atoll` binary: BIN/../lib/libatoll_rt.a and
// BIN/../lib/atoll/ (the build tree links both there), so the driver works
// from any current directory.
struct Install {
  std::string runtime_library;  // libatoll_rt.a
  std::string lib_dir;          // directory holding Prelude.atl
  std::string executable;       // the atoll binary itself
};

// Where the files would be (nothing is checked).
auto LocateInstall() -> Install;

// The installation, or a Failure saying what is missing and where it looked.
auto FindInstall() -> Result<Install>;

// The extra linker arguments the runtime needs (Boehm, threads, C++ library),
// fixed at configure time.
auto RuntimeLinkFlags() -> std::vector<std::string>;

// The same for an executable: each shared library among them that has a
// static archive beside it (libgc.so -> libgc.a) is replaced by the archive,
// and the C++ library and libgcc are linked statically (when the compiler
// had libstdc++.a at configure time), so a program's start-up resolves no
// symbols in them. Shared libraries of --emit=shared keep RuntimeLinkFlags.
auto ExecutableLinkFlags() -> std::vector<std::string>;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_INSTALL_H
