// The module loader: one file is one module; `import M` finds M.atl in the
// importing file's directory, then in the standard library directory; the
// Prelude (lib/Prelude.atl) is loaded implicitly when it exists.
#ifndef ATOLL_DRIVER_MODULES_H
#define ATOLL_DRIVER_MODULES_H

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/ast.h"

namespace atl::driver {

// Every module of a program, parsed. Invariants: `modules` is in dependency
// order (each module after the ones it imports, the Prelude first, the main
// module last); node ids are unique across all modules (parse::IdBase); a
// module without a `module M where` header is named after its import (the
// main module keeps an empty name, which the checker calls Main).
struct Program {
  std::vector<std::unique_ptr<parse::Module>> modules;

  auto Pointers() const -> std::vector<const parse::Module*>;
  auto Main() const -> const parse::Module& { return *modules.back(); }
};

// Loads `path` and everything it imports. Returns nullopt when the main file
// cannot be read; other problems (unknown modules E0208, import cycles
// E0209, a header that does not match the file E0211, syntax errors) are
// reported into `diags`. `lib_dir` may be empty (no standard library).
auto LoadProgram(const std::string& path, const std::string& lib_dir, diag::Diagnostics& diags)
    -> std::optional<Program>;

// The standard library directory of this installation (see install.h), or ""
// when it cannot be found.
auto StandardLibraryDir() -> std::string;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_MODULES_H
