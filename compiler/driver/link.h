// Linking an object file with the runtime into an executable.
#ifndef ATOLL_DRIVER_LINK_H
#define ATOLL_DRIVER_LINK_H

#include <string>

#include "compiler/driver/install.h"

namespace atl::driver {

// Runs the system C compiler as the linker driver (clang-19 if `cc` is
// missing), with an argv vector (no shell). Uses lld when available because
// it is several times faster than BFD ld. Returns "" on success, else the
// reason including the linker's exit status.
auto LinkExecutable(const std::string& object, const std::string& output,
                    const Install& install) -> std::string;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_LINK_H
