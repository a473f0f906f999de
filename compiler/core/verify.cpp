// Core's invariants (core.h): written by the verifier work, see README.md.
#include "compiler/core/core.h"

namespace atl::core {

auto Verify(const Program& /*program*/) -> std::string { return {}; }

}  // namespace atl::core
