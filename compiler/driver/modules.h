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
#include "compiler/driver/result.h"
#include "compiler/parse/ast.h"
#include "compiler/source/source_file.h"

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

// A file of the program that exists but cannot be read (missing, a device,
// too large, no permission): the Failure `cannot read 'PATH': REASON`, exit
// status 2 (docs/cli.md), whichever subcommand met it. `path` is shown
// safely on a terminal.
auto CannotRead(const std::string& path, const std::string& reason) -> Failure;

// Loads `path` and everything it imports. Fails (CannotRead) when a file of
// the program cannot be read: the main file, the Prelude or an imported
// module that was found. Other problems (unknown modules E0208,
// import cycles E0209, a header that does not match the file E0211, syntax
// errors) are reported into `diags`. `lib_dir` may be empty (no standard
// library). `path` "-" is standard input, shown as `<stdin>`; imports are
// then looked for in the current directory. `main_file`, when given, is the
// main module's text (an editor's unsaved buffer) and `path` is not read.
auto LoadProgram(const std::string& path, const std::string& lib_dir, diag::Diagnostics& diags,
                 std::shared_ptr<const source::SourceFile> main_file = nullptr) -> Result<Program>;

// The name diagnostics give standard input (`atoll check -`).
inline constexpr const char* kStdinName = "<stdin>";

// The standard library directory of this installation (see install.h), or ""
// when it cannot be found.
auto StandardLibraryDir() -> std::string;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_MODULES_H
