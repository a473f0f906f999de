// `atoll check` and `atoll explain`. (Owned by the front end; placeholder.)
#include <fmt/core.h>

#include "compiler/driver/commands.h"

namespace atl::driver {
auto RunCheck(const CheckOptions& options) -> int {
  fmt::print(stderr, "atoll check: not implemented yet\n");
  return 2;
}
auto RunExplain(const std::string& code) -> int {
  fmt::print(stderr, "atoll explain: not implemented yet\n");
  return 2;
}
}  // namespace atl::driver
