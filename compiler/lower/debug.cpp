// DWARF line tables: one compile unit per module, a subprogram per
// compiled Atoll function or lambda, and the source line and column of the
// expression being lowered on every instruction, so gdb and perf show .atl
// lines. (Line tables only: no variable or type information yet.)
#include <llvm/BinaryFormat/Dwarf.h>
#include <llvm/IR/DIBuilder.h>

#include <filesystem>

#include "compiler/lower/lowerer.h"

namespace atl::lower {

void Lowerer::InitDebug() {
  dib_ = std::make_unique<llvm::DIBuilder>(*llvm_module_);
  file_ = module_.file.get();
  dib_->createCompileUnit(llvm::dwarf::DW_LANG_C, DebugFile(), "atoll", /*isOptimized=*/true, "", 0,
                          "", llvm::DICompileUnit::LineTablesOnly);
  llvm_module_->addModuleFlag(llvm::Module::Warning, "Debug Info Version",
                              llvm::DEBUG_METADATA_VERSION);
  llvm_module_->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
}

auto Lowerer::DebugFile() -> llvm::DIFile* {
  auto [it, inserted] = di_files_.try_emplace(file_, nullptr);
  if (inserted) {
    const std::filesystem::path path = std::filesystem::absolute(file_->path());
    it->second = dib_->createFile(path.filename().string(), path.parent_path().string());
  }
  return it->second;
}

void Lowerer::FinishDebug() { dib_->finalize(); }

void Lowerer::AttachDebug(llvm::Function* fn, const std::string& name, source::Span at) {
  const source::LineCol lc = file_->LineColOf(at.begin);
  auto* type = dib_->createSubroutineType(dib_->getOrCreateTypeArray({}));
  auto* sp = dib_->createFunction(
      DebugFile(), name, fn->getName(), DebugFile(), lc.line, type, lc.line, llvm::DINode::FlagZero,
      llvm::DISubprogram::SPFlagDefinition | llvm::DISubprogram::SPFlagLocalToUnit |
          llvm::DISubprogram::SPFlagOptimized);
  fn->setSubprogram(sp);
  // Code LLVM inlines here is attributed to the call's line, without an
  // inlined-at chain: each level of inlining copies the chains of the code
  // it inlines, so a chain of N functions inlined into each other made N^2
  // locations (50,000 actions: 24 GB). The Core optimiser, which does most
  // inlining, keeps the callee's own lines within a file.
  fn->addFnAttr("no-inline-line-tables");
  current_sp_ = sp;
  builder_.SetCurrentDebugLocation(llvm::DILocation::get(ctx_, lc.line, lc.column, sp));
}

void Lowerer::SetLocation(source::Span at) {
  if (current_sp_ == nullptr) return;
  const source::LineCol lc = file_->LineColOf(at.begin);
  builder_.SetCurrentDebugLocation(llvm::DILocation::get(ctx_, lc.line, lc.column, current_sp_));
}

Lowerer::DebugScope::DebugScope(Lowerer& l)
    : lowerer(l), subprogram(l.current_sp_), location(l.builder_.getCurrentDebugLocation()) {}

Lowerer::DebugScope::~DebugScope() {
  lowerer.current_sp_ = subprogram;
  lowerer.builder_.SetCurrentDebugLocation(location);
}

void Lowerer::NoDebug() {
  current_sp_ = nullptr;
  builder_.SetCurrentDebugLocation(llvm::DebugLoc());
}

}  // namespace atl::lower
