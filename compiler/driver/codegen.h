// The LLVM half of the pipeline: target machine, -O pipelines, emission.
#ifndef ATOLL_DRIVER_CODEGEN_H
#define ATOLL_DRIVER_CODEGEN_H

#include <memory>
#include <string>

#include "compiler/driver/result.h"

namespace llvm {
class Module;
class TargetMachine;
class raw_fd_ostream;
}  // namespace llvm

namespace atl::driver {

enum class EmitKind { LlvmIr, Assembly, Object };

// Registers the native target once (idempotent) and creates a machine for
// the processor `cpu` (--cpu: an LLVM name such as x86-64 or znver4, or
// `native` for this machine's own) with position-independent code so `cc`
// can link a PIE. An unknown name is a usage failure.
auto CreateTargetMachine(int opt_level, const std::string& cpu)
    -> Result<std::unique_ptr<llvm::TargetMachine>>;

// Sets the module's triple and data layout from the machine.
void ConfigureModule(llvm::Module& module, llvm::TargetMachine& machine);

// Runs the new-pass-manager default pipeline for -O<opt_level> (O0 pipeline
// when 0). The module must verify before and does after.
void OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine, int opt_level);

// Writes the module as textual IR, assembly or an object file.
auto EmitModule(llvm::Module& module, llvm::TargetMachine& machine, EmitKind kind,
                const std::string& path) -> Status;

// Flushes `out` (a file at `path` the driver writes) and returns its write
// error as a Failure (and clears it: an unchecked error would make the
// stream's destructor abort the process).
auto FinishWrite(llvm::raw_fd_ostream& out, const std::string& path) -> Status;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_CODEGEN_H
