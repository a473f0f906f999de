#include "compiler/driver/codegen.h"

#include <fmt/core.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/SubtargetFeature.h>

#include <mutex>

namespace atl::driver {
namespace {

auto CodeGenLevel(int opt_level) -> llvm::CodeGenOptLevel {
  switch (opt_level) {
    case 0:
      return llvm::CodeGenOptLevel::None;
    case 1:
      return llvm::CodeGenOptLevel::Less;
    case 2:
      return llvm::CodeGenOptLevel::Default;
    default:
      return llvm::CodeGenOptLevel::Aggressive;
  }
}

auto PassLevel(int opt_level) -> llvm::OptimizationLevel {
  switch (opt_level) {
    case 0:
      return llvm::OptimizationLevel::O0;
    case 1:
      return llvm::OptimizationLevel::O1;
    case 2:
      return llvm::OptimizationLevel::O2;
    default:
      return llvm::OptimizationLevel::O3;
  }
}

// Partial and runtime loop unrolling only at -O3 (gcc -O2 does neither).
// LLVM enables both for a host whose scheduling model has a loop buffer
// (znver*, recent Intel), and a latency-bound loop gains nothing from
// them but can lose: bench/codegen/loop.atl's `acc * 31 + i`, unrolled
// ten times, got each copy's `i + k` reassociated by instruction
// selection into the chain through `acc` (a three-operand lea), 4-8%
// slower than the loop not unrolled, which is gcc's. Full unrolling of
// loops with a small known trip count stays at every level. LoopUnroll
// reads the two options when they were given (else the target's
// preferences); they are process-wide, and a process builds one module at
// one level, so setting them per build is enough.
void SetPartialUnrolling(bool allowed) {
  auto& options = llvm::cl::getRegisteredOptions();
  for (const char* name : {"unroll-allow-partial", "unroll-runtime"}) {
    auto it = options.find(name);
    if (it == options.end()) continue;
    it->second->reset();
    if (!allowed) it->second->addOccurrence(0, name, "false");
  }
}

}  // namespace

auto CreateTargetMachine(int opt_level, const std::string& cpu)
    -> Result<std::unique_ptr<llvm::TargetMachine>> {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // No GlobalsAA: each function the inliner deletes makes it scan every
    // function's summary, which is quadratic in the number of functions (a
    // chain of 50,000 functions: 28 s at -O2, 12 s without). Atoll code
    // keeps its state in the heap and regions, not in LLVM globals, so it
    // has little to gain from it. PassBuilder has no switch for it per
    // pipeline; the option is looked up, not parsed, so nothing else
    // changes if it is missing.
    auto& options = llvm::cl::getRegisteredOptions();
    if (auto it = options.find("enable-global-analyses"); it != options.end())
      it->second->addOccurrence(0, "enable-global-analyses", "false");
  });
  const std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) return Failure::Usage(error);
  // `native` is this machine's processor with the features it reports
  // (what clang's -march=native passes); any other name is LLVM's.
  std::string name = cpu;
  std::string features;
  if (cpu == "native") {
    name = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures host;
    for (const auto& feature : llvm::sys::getHostCPUFeatures())
      host.AddFeature(feature.getKey(), feature.getValue());
    features = host.getString();
  }
  // Asked of a generic processor's info: one made for an unknown name would
  // print LLVM's own complaint.
  std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(triple, "", ""));
  if (info == nullptr || !info->isCPUStringValid(name))
    return Failure::Usage(fmt::format(
        "unknown processor '{}' for --cpu (x86-64, x86-64-v2, x86-64-v3, x86-64-v4, native, or a "
        "name from `llc-19 -mcpu=help`, e.g. znver4 or skylake)",
        cpu));
  llvm::TargetOptions options;
  auto* machine = target->createTargetMachine(triple, name, features, options, llvm::Reloc::PIC_,
                                              std::nullopt, CodeGenLevel(opt_level));
  if (machine == nullptr) return Failure::Usage("cannot create a target machine for " + triple);
  return std::unique_ptr<llvm::TargetMachine>(machine);
}

void ConfigureModule(llvm::Module& module, llvm::TargetMachine& machine) {
  module.setTargetTriple(machine.getTargetTriple().str());
  module.setDataLayout(machine.createDataLayout());
}

void OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine, int opt_level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  SetPartialUnrolling(opt_level >= 3);
  llvm::ModulePassManager passes =
      opt_level == 0 ? builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0)
                     : builder.buildPerModuleDefaultPipeline(PassLevel(opt_level));
  passes.run(module, mam);
}

auto EmitModule(llvm::Module& module, llvm::TargetMachine& machine, EmitKind kind,
                const std::string& path) -> Status {
  std::error_code ec;
  const auto flags = kind == EmitKind::Object ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text;
  llvm::raw_fd_ostream out(path, ec, flags);
  if (ec) return Failure::Usage("cannot write " + path + ": " + ec.message());
  switch (kind) {
    case EmitKind::LlvmIr:
      module.print(out, nullptr);
      break;
    case EmitKind::Assembly:
    case EmitKind::Object: {
      llvm::legacy::PassManager passes;
      const auto type = kind == EmitKind::Object ? llvm::CodeGenFileType::ObjectFile
                                                 : llvm::CodeGenFileType::AssemblyFile;
      if (machine.addPassesToEmitFile(passes, out, nullptr, type))
        return Failure::Usage("the target cannot emit this file type");
      passes.run(module);
      break;
    }
  }
  return FinishWrite(out, path);
}

auto FinishWrite(llvm::raw_fd_ostream& out, const std::string& path) -> Status {
  out.flush();
  if (!out.has_error()) return Done{};
  Failure failure = Failure::Usage("cannot write " + path + ": " + out.error().message());
  out.clear_error();
  return failure;
}

}  // namespace atl::driver
