// The Core optimiser: see README.md.
#include "compiler/core/core.h"

namespace atl::core {

auto Optimize(Program& /*program*/, int /*level*/) -> OptimizeStats { return {}; }

}  // namespace atl::core
