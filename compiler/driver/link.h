// Linking an object file with the runtime into an executable.
#ifndef ATOLL_DRIVER_LINK_H
#define ATOLL_DRIVER_LINK_H

#include <string>
#include <vector>

#include "compiler/driver/install.h"

namespace atl::driver {

// Runs the system C compiler as the linker driver (clang-19 if `cc` is
// missing), with an argv vector (no shell). Uses lld when available because
// it is several times faster than BFD ld. A failure says why, with the
// linker's exit status and command.
auto LinkExecutable(const std::string& object, const std::string& output, const Install& install)
    -> Status;

// A shared library (`--emit=shared`): the program object and the whole
// runtime, linked with -shared.
auto LinkSharedLibrary(const std::string& object, const std::string& output, const Install& install)
    -> Status;

// Whether a runtime link flag names one of Atoll's own runtime archives
// (libatoll_rt.a, libatoll_sched.a, libatoll_io.a), which `--emit=lib`
// copies into the library.
auto IsRuntimeArchive(const std::string& flag) -> bool;

// What a host links besides an `--emit=lib` library: the runtime's link
// flags less Atoll's own archives (Boehm, Boost.Context, liburing, the C++
// library...).
auto HostLinkFlags() -> std::vector<std::string>;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_LINK_H
