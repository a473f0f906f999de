// Lowers a checked module to LLVM IR.
#ifndef ATOLL_LOWER_LOWER_H
#define ATOLL_LOWER_LOWER_H

#include <memory>
#include <string>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/parse/ast.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace atl::lower {

struct LowerOptions {
  // A library (`atoll build --emit=lib`, docs/embedding.md): no C `main`;
  // instead a C function `<export_prefix>_<name>` per export of
  // checked.exports and the table runtime/abi/atoll_export_abi.h describes.
  bool library = false;
  std::string export_prefix;
};

// Produces one LLVM module holding every function and lambda of `program`
// (the Core of `checked`), the static data, the program descriptor table and
// a C `main` that calls atl_rt_main (or, for a library, the export table).
// Preconditions: `checked` came from check::Check on the program whose main
// module is `module`, with no errors reported, checked.main_index >= 0
// unless `options.library`, and `program` is well formed (core::Verify).
// The result passes llvm::verifyModule.
auto Lower(const parse::Module& module, const check::CheckedModule& checked,
           const core::Program& program, llvm::LLVMContext& context,
           const LowerOptions& options = {}) -> std::unique_ptr<llvm::Module>;

// Fills atl_program_info's function table from the functions still in the
// module (each lowered function carries its name and place as `atl.site`
// metadata). Run after LLVM's optimisation: a table built before it would
// take every function's address, keeping inlined functions alive and
// blocking changes of signature and calling convention.
void AddFunctionTable(llvm::Module& module);

}  // namespace atl::lower

#endif  // ATOLL_LOWER_LOWER_H
