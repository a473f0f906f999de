// Lowers a checked module to LLVM IR.
#ifndef ATOLL_LOWER_LOWER_H
#define ATOLL_LOWER_LOWER_H

#include <memory>

#include "compiler/check/check.h"
#include "compiler/parse/ast.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace atl::lower {

// Produces one LLVM module holding every definition of `module`, the static
// data, the program descriptor table and a C `main` that calls atl_rt_main.
// Preconditions: `checked` came from check::Check on `module` with no errors
// reported, and checked.main_index >= 0. The result passes llvm::verifyModule.
auto Lower(const parse::Module& module, const check::CheckedModule& checked,
           llvm::LLVMContext& context) -> std::unique_ptr<llvm::Module>;

}  // namespace atl::lower

#endif  // ATOLL_LOWER_LOWER_H
