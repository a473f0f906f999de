// `atoll build` and `atoll run`. (Owned by the back end; placeholder.)
#include <fmt/core.h>

#include "compiler/driver/commands.h"

namespace atl::driver {
auto RunBuild(const BuildOptions& options) -> int {
  fmt::print(stderr, "atoll build: not implemented yet\n");
  return 2;
}
auto RunRun(const RunOptions& options) -> int {
  fmt::print(stderr, "atoll run: not implemented yet\n");
  return 2;
}
}  // namespace atl::driver
