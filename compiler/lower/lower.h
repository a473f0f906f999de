// Lowers a checked module to LLVM IR.
#ifndef ATOLL_LOWER_LOWER_H
#define ATOLL_LOWER_LOWER_H

#include <memory>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/parse/ast.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace atl::lower {

// Produces one LLVM module holding every function and lambda of `program`
// (the Core of `checked`), the static data, the program descriptor table and
// a C `main` that calls atl_rt_main. Preconditions: `checked` came from
// check::Check on the program whose main module is `module`, with no errors
// reported, checked.main_index >= 0, and `program` is well formed
// (core::Verify). The result passes llvm::verifyModule.
auto Lower(const parse::Module& module, const check::CheckedModule& checked, const core::Program& program,
           llvm::LLVMContext& context) -> std::unique_ptr<llvm::Module>;

}  // namespace atl::lower

#endif  // ATOLL_LOWER_LOWER_H
