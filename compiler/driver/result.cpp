// Printing a driver failure (result.h), once, at the top.
#include "compiler/driver/result.h"

#include <fmt/core.h>

#include <cstdio>

namespace atl::driver {

auto ReportFailure(const Failure& failure) -> int {
  fmt::print(stderr, "atoll: {}: {}\n",
             failure.status == kExitInternal ? "internal error" : "error", failure.message);
  return failure.status;
}

}  // namespace atl::driver
