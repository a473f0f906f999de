// `atoll build --emit=lib|shared` (docs/embedding.md): the program object
// and the runtime as one library a host links, and the C header declaring
// the exports.
#ifndef ATOLL_DRIVER_LIBRARY_H
#define ATOLL_DRIVER_LIBRARY_H

#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/driver/install.h"

namespace atl::driver {

// The prefix of the exports' C names: the module's name (lower case) when
// the file has a `module M where` header, else the file's stem, with every
// character that cannot be in a C identifier replaced by `_`.
auto ExportPrefix(const std::string& module_name, const std::string& file) -> std::string;

// Where the header of a library goes: next to it, named after it without a
// leading "lib" and its extension (build/libcounter.a -> build/counter.h).
auto HeaderPath(const std::string& library) -> std::string;

// A static library: `object` plus every member of Atoll's runtime archives.
auto WriteStaticLibrary(const std::string& object, const std::string& output,
                        const Install& install) -> Status;

// The C header: the embedding API (runtime/abi/atoll_embed.h, included by
// its path under the install's include directory) and one prototype per
// export, with the link line in its opening comment.
auto WriteHeader(const std::string& path, const std::string& library, const std::string& prefix,
                 const std::vector<check::Export>& exports, bool shared) -> Status;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_LIBRARY_H
