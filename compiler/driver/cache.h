// The `atoll run` build cache: executables keyed by what produced them.
#ifndef ATOLL_DRIVER_CACHE_H
#define ATOLL_DRIVER_CACHE_H

#include <string>
#include <vector>

#include "compiler/driver/install.h"

namespace atl::driver {

// Everything that determines the executable: the text of every source file
// that took part (the program, its imports, the Prelude), the compiler's
// identity and the optimisation level.
struct CacheKeyInput {
  std::vector<std::string> sources;  // contents, in a deterministic order
  std::string compiler_identity;
  int opt_level = 2;
};

// Hex SHA-256 of the input. Each part is length-prefixed so no two inputs
// collide by concatenation.
auto CacheKey(const CacheKeyInput& input) -> std::string;

// Identity of the toolchain: version plus size and modification time of the
// atoll binary and the runtime library, so rebuilding either invalidates the
// cache even when the version string did not change.
auto CompilerIdentity(const Install& install) -> std::string;

// $XDG_CACHE_HOME/atoll, else $HOME/.cache/atoll; created if missing.
// Returns "" (and sets *error) when neither variable is usable.
auto CacheDirectory(std::string* error) -> std::string;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_CACHE_H
