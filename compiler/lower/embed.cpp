// A library's exports (`atoll build --emit=lib`, docs/embedding.md): per
// export a trampoline over Atoll values and a C function for the host, and
// the table the embedding runtime reads (runtime/abi/atoll_export_abi.h).
#include <string>
#include <vector>

#include "compiler/lower/lowerer.h"
#include "runtime/abi/atoll_export_abi.h"

namespace atl::lower {
namespace {

// The C type of a parameter with this boundary code, as the generated
// header declares it (compiler/driver/embed_header.cpp); () has none.
auto CParamType(char code, llvm::IRBuilder<>& b) -> llvm::Type* {
  switch (code) {
    case 'i':
      return b.getInt64Ty();
    case 'f':
      return b.getDoubleTy();
    case 'b':
      return b.getInt1Ty();
    case 'c':
      return b.getInt32Ty();
    case 'u':
      return nullptr;
    default:  // String, List, tuples, Promise: pointers
      return b.getPtrTy();
  }
}

}  // namespace

// Declared before the code is defined, so every exported function counts as
// used; the descriptors of the tuple and record types that cross the
// boundary are registered (the runtime finds them by arity and by fields).
void Lowerer::DeclareExports() {
  NoDebug();
  std::function<void(check::Type*)> register_shapes = [&](check::Type* t) {
    t = check::Resolve(t);
    if (t->kind == check::TypeKind::Var) return;
    if (t->kind == check::TypeKind::Con && check::IsTupleName(t->name))
      TupleDescriptor(t->args.size());
    if (t->kind == check::TypeKind::Con && check::IsRecordName(t->name)) RecordDescriptor(t);
    for (check::Type* a : t->args) register_shapes(a);
  };
  for (const check::Export& e : checked_.exports) {
    register_shapes(checked_.functions[e.function].type);
    llvm::Function* trampoline = ExportTrampoline(e);
    auto* i32 = builder_.getInt32Ty();
    auto* export_ty = llvm::StructType::get(ctx_, {ptr_, ptr_, ptr_, ptr_, i32, i32});
    std::string all_codes;
    for (const std::string& c : e.param_codes) all_codes += c;
    all_codes += ">" + e.result_code;
    const std::string c_name = options_.export_prefix + "_" + e.name;
    auto* entry = llvm::ConstantStruct::get(
        export_ty,
        {builder_.CreateGlobalString(e.name, "atl.export.name", 0, llvm_module_.get()),
         builder_.CreateGlobalString(c_name, "atl.export.c_name", 0, llvm_module_.get()),
         trampoline,
         builder_.CreateGlobalString(all_codes, "atl.export.codes", 0, llvm_module_.get()),
         builder_.getInt32(static_cast<uint32_t>(e.param_codes.size())),
         builder_.getInt32(e.action ? 1 : 0)});
    export_entries_.push_back(entry);
  }
}

// `i64 trampoline(ptr region, ptr args)`: calls the function with its
// arity's arguments (unboxing Float parameters its ABI takes as doubles),
// applies the result to the rest, and runs an action that the call only
// built (a point-free definition) in `region`.
auto Lowerer::ExportTrampoline(const check::Export& e) -> llvm::Function* {
  const check::Function& f = checked_.functions[e.function];
  const FunctionAbi& abi = abis_[e.function];
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(i64_, {ptr_, ptr_}, false),
                                    llvm::Function::InternalLinkage, "atl.export." + e.name,
                                    llvm_module_.get());
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn));
  llvm::Value* region = fn->getArg(0);
  llvm::Value* args = fn->getArg(1);
  const size_t n = e.param_codes.size();
  std::vector<llvm::Value*> call_args;
  if (f.effect) call_args.push_back(region);
  for (size_t i = 0; i < n && i < static_cast<size_t>(f.arity); ++i) {
    llvm::Value* v = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, args, i));
    call_args.push_back(abi.float_params[i] ? Unbox(v) : v);
  }
  llvm::Value* result = builder_.CreateCall(functions_[e.function], call_args);
  if (abi.float_result) result = Box(result);
  if (static_cast<size_t>(f.arity) < n) {
    result =
        builder_.CreateCall(apply_, {result, builder_.getInt32(static_cast<uint32_t>(n - f.arity)),
                                     builder_.CreateConstInBoundsGEP1_64(i64_, args, f.arity)});
  }
  if (e.action && !f.effect) {
    llvm::Value* slot = builder_.CreateAlloca(i64_);
    builder_.CreateStore(builder_.CreatePtrToInt(region, i64_), slot);
    result = builder_.CreateCall(apply_, {result, builder_.getInt32(1), slot});
  }
  builder_.CreateRet(result);
  return fn;
}

// `int PREFIX_NAME(<C params>..., out)`: the C arguments as words, then
// atl_embed_call, which converts them and the result (runtime/embed).
void Lowerer::ExportWrapper(const check::Export& e, llvm::Constant* descriptor) {
  std::vector<llvm::Type*> params;
  for (const std::string& code : e.param_codes)
    if (llvm::Type* t = CParamType(code[0], builder_)) params.push_back(t);
  const bool has_out = e.action || e.result_code != "u";
  if (has_out) params.push_back(ptr_);
  auto* i32 = builder_.getInt32Ty();
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(i32, params, false),
                                    llvm::Function::ExternalLinkage,
                                    options_.export_prefix + "_" + e.name, llvm_module_.get());
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn));
  const size_t n = e.param_codes.size();
  llvm::Value* words = builder_.CreateAlloca(llvm::ArrayType::get(i64_, n == 0 ? 1 : n));
  auto arg = fn->arg_begin();
  for (size_t i = 0; i < n; ++i) {
    const char code = e.param_codes[i][0];
    llvm::Value* word = Const(0);
    if (CParamType(code, builder_) != nullptr) {
      llvm::Argument* a = &*arg++;
      switch (code) {
        case 'i':
          word = a;
          break;
        case 'f':
          word = builder_.CreateBitCast(a, i64_);
          break;
        case 'b':
          a->addAttr(llvm::Attribute::ZExt);
          word = builder_.CreateZExt(a, i64_);
          break;
        case 'c':
          word = builder_.CreateZExt(a, i64_);
          break;
        default:
          word = builder_.CreatePtrToInt(a, i64_);
          break;
      }
    }
    builder_.CreateStore(word, builder_.CreateConstInBoundsGEP2_64(
                                   llvm::ArrayType::get(i64_, n == 0 ? 1 : n), words, 0, i));
  }
  llvm::Value* out = has_out ? static_cast<llvm::Value*>(&*arg)
                             : llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  auto call = llvm_module_->getOrInsertFunction(
      "atl_embed_call", llvm::FunctionType::get(i32, {ptr_, ptr_, ptr_}, false));
  builder_.CreateRet(builder_.CreateCall(call, {descriptor, words, out}));
}

// The export table, its C functions and `atl_embed_program_data`.
void Lowerer::DefineLibraryEntry() {
  NoDebug();
  auto* i32 = builder_.getInt32Ty();
  auto* export_ty = llvm::StructType::get(ctx_, {ptr_, ptr_, ptr_, ptr_, i32, i32});
  auto* table_ty = llvm::ArrayType::get(export_ty, export_entries_.size());
  auto* table =
      new llvm::GlobalVariable(*llvm_module_, table_ty, true, llvm::GlobalValue::InternalLinkage,
                               llvm::ConstantArray::get(table_ty, export_entries_), "atl.exports");
  for (size_t i = 0; i < checked_.exports.size(); ++i) {
    ExportWrapper(checked_.exports[i],
                  llvm::ConstantExpr::getInBoundsGetElementPtr(
                      table_ty, table,
                      llvm::ArrayRef<llvm::Constant*>{builder_.getInt64(0), builder_.getInt64(i)}));
  }
  llvm::GlobalVariable* info = ProgramInfo();
  auto* program_ty = llvm::StructType::get(ctx_, {ptr_, ptr_, i32, i32});
  auto* program = llvm::ConstantStruct::get(
      program_ty, {info, table, builder_.getInt32(static_cast<uint32_t>(export_entries_.size())),
                   builder_.getInt32(0)});
  new llvm::GlobalVariable(*llvm_module_, program_ty, true, llvm::GlobalValue::ExternalLinkage,
                           program, "atl_embed_program_data");
}

}  // namespace atl::lower
