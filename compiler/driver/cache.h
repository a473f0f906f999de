// The `atoll run` build cache: executables keyed by what produced them.
#ifndef ATOLL_DRIVER_CACHE_H
#define ATOLL_DRIVER_CACHE_H

#include <string>
#include <vector>

#include "compiler/driver/install.h"

namespace atl::driver {

// Everything that determines the executable: the text of every source file
// that took part (the program, its imports, the Prelude), the compiler's
// identity, the optimisation level, the processor and the region discipline.
struct CacheKeyInput {
  std::vector<std::string> sources;  // contents, in a deterministic order
  std::string compiler_identity;
  int opt_level = 2;
  std::string cpu;      // --cpu (`native` stays `native`: the cache is this machine's)
  std::string regions;  // --regions: the discipline changes where parent actions run
};

// Hex SHA-256 of the input. Each part is length-prefixed so no two inputs
// collide by concatenation.
auto CacheKey(const CacheKeyInput& input) -> std::string;

// Identity of the toolchain: version plus size and modification time of the
// atoll binary and the runtime library, so rebuilding either invalidates the
// cache even when the version string did not change.
auto CompilerIdentity(const Install& install) -> std::string;

// $XDG_CACHE_HOME/atoll, else $HOME/.cache/atoll; created if missing.
// Fails when neither variable is usable or the directory cannot be created.
auto CacheDirectory() -> Result<std::string>;

// An entry is the executable `DIR/KEY` and its seal `DIR/KEY.ok`, one line
// `atoll-cache 1 SIZE SHA256` of the executable, written after it and put in
// place by rename. An entry is used only when the seal matches, so an
// executable cut short (a full disk, a crash, a power loss: nothing is
// fsync'd) or damaged later is rebuilt instead of run.

// The path of a valid entry for `key`, or "" when there is none. When an
// entry exists but does not match its seal, *damage says how (and the entry
// should be rebuilt); otherwise *damage is left empty.
auto FindCacheEntry(const std::string& dir, const std::string& key, std::string* damage)
    -> std::string;

// Copies the executable at `built` into the cache as `key` and seals it.
// A failure says why it could not (the partial files are removed).
auto StoreCacheEntry(const std::string& dir, const std::string& key, const std::string& built)
    -> Status;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_CACHE_H
