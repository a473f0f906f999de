// Module-level lowering: runtime declarations, functions, static strings,
// the descriptor table and the C entry point.
#include "compiler/lower/lower.h"

#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>

#include <cstring>
#include <map>

#include "compiler/lower/lowerer.h"

namespace atl::lower {

Lowerer::Lowerer(const parse::Module& module, const check::CheckedModule& checked,
                 const core::Program& program, llvm::LLVMContext& ctx, const LowerOptions& options)
    : module_(module),
      checked_(checked),
      program_(program),
      options_(options),
      ctx_(ctx),
      llvm_module_(std::make_unique<llvm::Module>(module.file->path(), ctx)),
      builder_(ctx),
      i64_(builder_.getInt64Ty()),
      ptr_(builder_.getPtrTy()) {}

auto Lowerer::Run() -> std::unique_ptr<llvm::Module> {
  DeclareRuntime();
  InitDebug();
  // The ABI fixes ids 3..5 (Nil, ::, pairs) so runtime primitives can build
  // lists and pairs: register them first, in that order.
  NilValue();
  ConsDescriptor();
  TupleDescriptor(2);
  DeclareFunctions();
  DeclareLambdas();
  if (options_.library) DeclareExports();
  file_ = module_.file.get();
  DefineReachedCode();
  NoDebug();
  if (options_.library) {
    DefineLibraryEntry();
  } else {
    DefineEntryPoint();
  }
  FinishDebug();
  return std::move(llvm_module_);
}

// Only the code main reaches is emitted: what the Core optimiser inlined
// everywhere, the Prelude's unused functions and dead lambdas would only
// cost LLVM time (a chain of 50,000 functions leaves thousands). Code that
// is not reached has no uses; should some code use it anyway, it is
// defined too.
void Lowerer::DefineReachedCode() {
  const core::Reach reach = core::ReachedFromMain(program_);
  std::vector<bool> defined_functions(functions_.size(), false);
  std::vector<bool> defined_lambdas(lambda_code_.size(), false);
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < functions_.size(); ++i) {
      if (defined_functions[i] || (!reach.functions[i] && functions_[i]->use_empty())) continue;
      defined_functions[i] = more = true;
      DefineFunction(static_cast<int>(i));
    }
    for (size_t i = 0; i < lambda_code_.size(); ++i) {
      if (defined_lambdas[i] || (!reach.lambdas[i] && lambda_code_[i]->use_empty())) continue;
      defined_lambdas[i] = more = true;
      DefineLambda(static_cast<int>(i));
    }
  }
  for (size_t i = 0; i < functions_.size(); ++i)
    if (!defined_functions[i]) {
      functions_[i]->eraseFromParent();
      functions_[i] = nullptr;
    }
  for (size_t i = 0; i < lambda_code_.size(); ++i)
    if (!defined_lambdas[i]) {
      lambda_code_[i]->eraseFromParent();
      lambda_code_[i] = nullptr;
    }
}

void Lowerer::DeclareRuntime() {
  auto* i32 = builder_.getInt32Ty();
  auto* void_ty = builder_.getVoidTy();
  auto declare = [&](const char* name, llvm::Type* result, std::vector<llvm::Type*> params) {
    return llvm_module_->getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
  };
  rt_main_ = declare("atl_rt_main", i32, {ptr_, ptr_, i32, ptr_});
  rt_fail_ = declare("atl_rt_fail", void_ty, {ptr_, ptr_, i32, i32});
  if (auto* f = llvm::dyn_cast<llvm::Function>(rt_fail_.getCallee())) {
    f->setDoesNotReturn();
    f->setCannotDuplicate();
  }
  rt_exit_ = declare("atl_rt_exit", void_ty, {i64_, ptr_});
  if (auto* f = llvm::dyn_cast<llvm::Function>(rt_exit_.getCallee())) f->setDoesNotReturn();
  apply_ = declare("atl_apply", i64_, {i64_, i32, ptr_});
  alloc_ = declare("atl_alloc", ptr_, {i64_});
  alloc_atomic_ = declare("atl_alloc_atomic", ptr_, {i64_});
  alloc_object_ = declare("atl_alloc_object", ptr_, {i64_, i64_});
  show_ = declare("atl_show", i64_, {i64_});
  concat_ = declare("atl_string_concat", i64_, {i64_, i64_});
  compare_ = declare("atl_compare_partial", i32, {i64_, i64_});
  equal_ = declare("atl_equal", i32, {i64_, i64_});
  list_append_ = declare("atl_rt_list_append", i64_, {i64_, i64_});
  list_reverse_in_place_ = declare("atl_rt_list_reverse_in_place", i64_, {i64_, i64_});
  // Strings are immutable and these only read them, so LLVM may combine
  // and move the calls (runtime/value/string.h).
  string_equal_ = declare("atl_string_equal", i32, {i64_, i64_});
  string_compare_ = declare("atl_string_compare", i32, {i64_, i64_});
  for (llvm::FunctionCallee c : {string_equal_, string_compare_})
    if (auto* f = llvm::dyn_cast<llvm::Function>(c.getCallee())) {
      f->setDoesNotThrow();
      f->setWillReturn();
      f->setOnlyReadsMemory();
    }
  float_new_ = declare("atl_float_new", i64_, {builder_.getDoubleTy()});
  if (auto* f = llvm::dyn_cast<llvm::Function>(float_new_.getCallee())) {
    // It only allocates (GC state is invisible here): an unused box, e.g.
    // of an unboxed Float parameter only used in arithmetic, is deleted.
    // `allockind("alloc")` without "uninitialized" or "zeroed": LLVM knows
    // nothing of the contents (the runtime writes the double), but may
    // delete the call when its result is unused.
    f->setDoesNotThrow();
    f->setWillReturn();
    f->setMemoryEffects(llvm::MemoryEffects::inaccessibleMemOnly());
    f->addFnAttrs(llvm::AttrBuilder(ctx_).addAllocKindAttr(llvm::AllocFnKind::Alloc));
  }
  region_open_ = declare("atl_region_open", ptr_, {ptr_});
  region_close_ = declare("atl_region_close", void_ty, {ptr_});
  region_open_in_ = declare("atl_region_open_in", ptr_, {ptr_, ptr_});
  region_ancestor_ = declare("atl_region_ancestor", ptr_, {ptr_, i32});
  region_alloc_slow_ = declare("atl_region_alloc_slow", ptr_, {ptr_, i32, i64_});
  mutarray_new_ = declare("atl_mutarray_new", i64_, {ptr_, i32, i64_, i64_});
  freeze_ = declare("atl_freeze", i64_, {i64_});
  thaw_ = declare("atl_thaw", i64_, {ptr_, i32, i64_});
  record_field_ = declare("atl_rt_record_field", i64_, {i64_, ptr_});
  par_st_ = declare("atl_rt_par_st", i64_, {i64_, i64_, ptr_, ptr_});
  index_fail_ = declare("atl_rt_index_fail", void_ty, {i64_, i64_, ptr_, i32, i32});
  if (auto* f = llvm::dyn_cast<llvm::Function>(index_fail_.getCallee())) {
    f->setDoesNotReturn();
    f->setCannotDuplicate();
  }
}

void Lowerer::DeclareFunctions() {
  for (const check::Function& f : checked_.functions) {
    FunctionAbi abi;
    auto [param_types, result] = check::SplitFun(check::Resolve(f.type), f.arity);
    auto is_float = [](check::Type* t) {
      return t != nullptr && check::IsCon(check::Resolve(t), "Float");
    };
    std::vector<llvm::Type*> params;
    if (f.effect) params.push_back(ptr_);
    for (int i = 0; i < f.arity; ++i) {
      abi.float_params.push_back(i < static_cast<int>(param_types.size()) &&
                                 is_float(param_types[i]));
      params.push_back(abi.float_params.back() ? builder_.getDoubleTy() : i64_);
    }
    abi.float_result =
        !f.effect && static_cast<int>(param_types.size()) == f.arity && is_float(result);
    abis_.push_back(abi);
    auto* fn = llvm::Function::Create(
        llvm::FunctionType::get(abi.float_result ? builder_.getDoubleTy() : i64_, params, false),
        llvm::Function::InternalLinkage, "atl." + f.name, llvm_module_.get());
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    functions_.push_back(fn);
  }
}

auto Lowerer::NewBlock(const char* name) -> llvm::BasicBlock* {
  return llvm::BasicBlock::Create(ctx_, name, fn_);
}

// `if (atl_gc_dirty_on) atl_gc_dirty(memory)`: one load and a branch taken
// only under ATOLL_GC=manual. The fields were computed before the
// allocation, so they are still in registers or spill slots at the call
// (Boehm's manual-mode contract: stored values stay reachable until then).
void Lowerer::GcWritten(llvm::Value* memory) {
  llvm::Type* i8 = builder_.getInt8Ty();
  auto* on =
      llvm::cast<llvm::GlobalVariable>(llvm_module_->getOrInsertGlobal("atl_gc_dirty_on", i8));
  llvm::FunctionCallee dirty = llvm_module_->getOrInsertFunction(
      "atl_gc_dirty", llvm::FunctionType::get(builder_.getVoidTy(), {ptr_}, false));
  llvm::BasicBlock* call_bb = NewBlock("gc_dirty");
  llvm::BasicBlock* done_bb = NewBlock("gc_dirty_done");
  builder_.CreateCondBr(builder_.CreateICmpNE(builder_.CreateLoad(i8, on), builder_.getInt8(0)),
                        call_bb, done_bb, llvm::MDBuilder(ctx_).createBranchWeights(1, 1 << 10));
  builder_.SetInsertPoint(call_bb);
  builder_.CreateCall(dirty, {memory});
  builder_.CreateBr(done_bb);
  builder_.SetInsertPoint(done_bb);
}

auto Lowerer::Choose(llvm::Value* cond, const std::function<llvm::Value*()>& yes,
                     const std::function<llvm::Value*()>& no, llvm::MDNode* weights)
    -> llvm::Value* {
  llvm::BasicBlock* yes_bb = NewBlock("yes");
  llvm::BasicBlock* no_bb = NewBlock("no");
  llvm::BasicBlock* join = NewBlock("join");
  builder_.CreateCondBr(cond, yes_bb, no_bb, weights);
  builder_.SetInsertPoint(yes_bb);
  llvm::Value* a = yes();
  llvm::BasicBlock* yes_end = builder_.GetInsertBlock();
  builder_.CreateBr(join);
  builder_.SetInsertPoint(no_bb);
  llvm::Value* b = no();
  llvm::BasicBlock* no_end = builder_.GetInsertBlock();
  builder_.CreateBr(join);
  builder_.SetInsertPoint(join);
  llvm::PHINode* phi = builder_.CreatePHI(a->getType(), 2);
  phi->addIncoming(a, yes_end);
  phi->addIncoming(b, no_end);
  return phi;
}

auto Lowerer::FastOrSlow(llvm::Value* likely, const std::function<llvm::Value*()>& fast,
                         const std::function<llvm::Value*()>& slow) -> llvm::Value* {
  return Choose(likely, fast, slow, llvm::MDBuilder(ctx_).createBranchWeights(1 << 10, 1));
}

void Lowerer::DefineFunction(int index) {
  const check::Function& f = checked_.functions[index];
  const core::Function& function = program_.functions[index];
  fn_ = functions_[index];
  vars_.clear();
  floats_.clear();
  raw_of_.clear();
  joins_.clear();
  current_ = index;
  current_lambda_ = -1;
  self_var_ = -1;
  self_region_ = function.region;
  self_params_ = function.params.size();
  ret_float_ = abis_[index].float_result;
  SetFile(f);
  builder_.SetInsertPoint(NewBlock("entry"));
  AttachDebug(fn_, f.name, f.decl->span);
  NoteFunctionSite(fn_, f.name, f.decl->span);
  auto arg = fn_->arg_begin();
  if (f.effect) {
    llvm::Value* region = &*arg++;
    if (function.region >= 0) vars_[function.region] = region;
  }
  std::vector<llvm::Value*> args;
  for (; arg != fn_->arg_end(); ++arg) args.push_back(&*arg);
  BeginBody(function.params, args);
  if (function.body != nullptr) {
    Tail(*function.body, nullptr);
  } else {
    builder_.CreateUnreachable();
  }
  EndBody();
}

// A loop that stores into an array at indices proved in bounds is left
// scalar: with the check gone LLVM's vectoriser turns the sieve's strided
// stores (`writeArray a j True`, j += step) into 64-wide extract-and-store
// sequences, measured 20% slower than the scalar loop (bench/codegen,
// sieve_user). With a check in the loop it did not vectorise at all.
void Lowerer::EndBody() {
  if (proved_store_ && !back_edges_.empty()) {
    llvm::MDNode* off =
        llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.vectorize.width"),
                                 llvm::ConstantAsMetadata::get(builder_.getInt32(1))});
    for (llvm::BranchInst* edge : back_edges_) {
      llvm::MDNode* loop = llvm::MDNode::getDistinct(ctx_, {nullptr, off});
      loop->replaceOperandWith(0, loop);
      edge->setMetadata(llvm::LLVMContext::MD_loop, loop);
    }
  }
  back_edges_.clear();
  proved_store_ = false;
}

// Parameters live in stack slots so a self tail call can overwrite them
// and jump back to `top_`; mem2reg turns the slots into phis at -O1+. A
// double argument (an unboxed Float) is also boxed for uniform uses; the
// box is deleted when only arithmetic uses the value.
void Lowerer::BeginBody(const std::vector<int>& params, const std::vector<llvm::Value*>& args) {
  param_slots_.clear();
  param_raw_.clear();
  for (size_t i = 0; i < args.size(); ++i) {
    // An Int parameter's slot holds its raw value: a loop carries it untagged.
    const bool raw =
        i < params.size() && args[i]->getType() == i64_ && IsInt(program_.vars[params[i]].type);
    param_raw_.push_back(raw);
    param_slots_.push_back(
        builder_.CreateAlloca(args[i]->getType(), nullptr, "p" + std::to_string(i)));
    // No location for allocas (see closure.cpp, the argument array).
    param_slots_.back()->setDebugLoc(llvm::DebugLoc());
    builder_.CreateStore(raw ? Untag(args[i]) : args[i], param_slots_.back());
  }
  top_ = NewBlock("top");
  builder_.CreateBr(top_);
  builder_.SetInsertPoint(top_);
  for (size_t i = 0; i < args.size() && i < params.size(); ++i) {
    llvm::Value* v = builder_.CreateLoad(param_slots_[i]->getAllocatedType(), param_slots_[i]);
    if (v->getType()->isDoubleTy()) {
      floats_[params[i]] = v;
      v = Box(v);
    } else if (param_raw_[i]) {
      v = Tag(v);
    }
    vars_[params[i]] = v;
  }
}

void Lowerer::SetFile(const check::Function& f) {
  file_ = f.module < static_cast<int>(checked_.modules.size())
              ? checked_.modules[f.module]->file.get()
              : module_.file.get();
}

auto Lowerer::FileName() -> llvm::Constant* {
  auto [it, inserted] = file_names_.try_emplace(file_, nullptr);
  if (inserted)
    it->second = builder_.CreateGlobalString(file_->path(), "atl.file", 0, llvm_module_.get());
  return it->second;
}

auto Lowerer::At(source::Span at, const std::function<llvm::Value*()>& call) -> llvm::Value* {
  if (rt_where_ == nullptr) {
    rt_where_ = new llvm::GlobalVariable(
        *llvm_module_, ptr_, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage, nullptr,
        "atl_rt_where", nullptr, llvm::GlobalValue::InitialExecTLSModel);
  }
  builder_.CreateStore(Location(at), rt_where_);
  llvm::Value* result = call();
  builder_.CreateStore(llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0)), rt_where_);
  return result;
}

auto Lowerer::Location(source::Span at) -> llvm::Constant* {
  const source::LineCol lc = file_->LineColOf(at.begin);
  llvm::Constant*& location = locations_[{file_, lc.line, lc.column}];
  if (location == nullptr) {
    auto* init = llvm::ConstantStruct::getAnon(
        {FileName(), builder_.getInt32(lc.line), builder_.getInt32(lc.column)});
    location = new llvm::GlobalVariable(*llvm_module_, init->getType(), /*isConstant=*/true,
                                        llvm::GlobalValue::PrivateLinkage, init, "atl.where");
  }
  return location;
}

void Lowerer::NoteFunctionSite(llvm::Function* fn, const std::string& name, source::Span at) {
  fn->setSection("atl_text");
  const source::LineCol lc = file_->LineColOf(at.begin);
  fn->setMetadata(
      "atl.site",
      llvm::MDNode::get(ctx_,
                        {llvm::MDString::get(ctx_, name), llvm::MDString::get(ctx_, file_->path()),
                         llvm::ConstantAsMetadata::get(builder_.getInt32(lc.line)),
                         llvm::ConstantAsMetadata::get(builder_.getInt32(lc.column))}));
}

void Lowerer::Fail(const char* message, source::Span span) {
  const source::LineCol at = file_->LineColOf(span.begin);
  llvm::Value* msg = builder_.CreateGlobalString(message, "atl.msg", 0, llvm_module_.get());
  auto* call = builder_.CreateCall(
      rt_fail_, {msg, FileName(), builder_.getInt32(at.line), builder_.getInt32(at.column)});
  call->setDoesNotReturn();
  builder_.CreateUnreachable();
}

// A string literal is a static object: header + bytes + NUL, 8-aligned, in
// the `atl_static` section whose bounds the runtime gets through
// atl_program_info (static data is never copied or freed).
auto Lowerer::StringLiteral(const std::string& text) -> llvm::Constant* {
  if (auto it = strings_.find(text); it != strings_.end()) return it->second;
  auto* bytes = llvm::ConstantDataArray::getString(ctx_, text, /*AddNull=*/true);
  const uint64_t header = uint64_t{ATL_KIND_STRING} | (static_cast<uint64_t>(text.size()) << 32);
  auto* init = llvm::ConstantStruct::getAnon({Const(header), bytes});
  auto* global = new llvm::GlobalVariable(*llvm_module_, init->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, init, "atl.str");
  global->setAlignment(llvm::Align(8));
  global->setSection("atl_static");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  llvm::Constant* value = llvm::ConstantExpr::getPtrToInt(global, i64_);
  strings_.emplace(text, value);
  return value;
}

// Descriptor ids 0..2 are the ABI's fixed (), False, True; the ones this
// program uses (tuple shapes by arity, the List constructors) follow.
namespace {
constexpr uint32_t kShapeConstructor = ATL_SHAPE_CONSTRUCTOR;
constexpr uint32_t kShapeTuple = ATL_SHAPE_TUPLE;
constexpr uint32_t kShapeListCons = ATL_SHAPE_LIST_CONS;
constexpr uint32_t kShapeListNil = ATL_SHAPE_LIST_NIL;
constexpr uint32_t kListTypeId = 2;  // type ids: 0 (), 1 Bool, 2 List, 3+n n-tuples
}  // namespace

auto Lowerer::DescriptorId(const std::string& key, const DescriptorSpec& spec) -> uint32_t {
  auto [it, inserted] = descriptor_ids_.try_emplace(key, 0);
  if (inserted) {
    it->second = 3 + static_cast<uint32_t>(descriptors_.size());
    descriptors_.push_back(spec);
  }
  return it->second;
}

auto Lowerer::TupleDescriptor(size_t arity) -> uint32_t {
  const auto n = static_cast<uint32_t>(arity);
  return DescriptorId("tuple" + std::to_string(n), {"", n, kShapeTuple, 3 + n, 0, {}});
}

auto Lowerer::NilValue() -> llvm::ConstantInt* {
  const uint32_t id = DescriptorId("Nil", {"Nil", 0, kShapeListNil, kListTypeId, 0, {}});
  return Const(Nullary(id));
}

auto Lowerer::BuiltinNullary(int con) -> llvm::ConstantInt* {
  if (con == check::kConNil) return NilValue();
  if (con == check::kConUnit) return Const(kUnit);
  return Const(con == check::kConTrue ? kTrue : kFalse);
}

auto Lowerer::ConsDescriptor() -> uint32_t {
  return DescriptorId("::", {"::", 2, kShapeListCons, kListTypeId, 1, {}});
}

auto Lowerer::ConsCell(llvm::Value* head, llvm::Value* tail, Reach head_reach) -> llvm::Value* {
  // The tail is a cell (a pointer) or [] (an immediate): known at run time.
  return Construct(ConsDescriptor(), {head, tail}, {head_reach, Reach::Unknown});
}

auto Lowerer::ReachOf(const core::Atom& a) -> Reach {
  switch (a.kind) {
    case core::AtomKind::Int:
    case core::AtomKind::Char:
    case core::AtomKind::Unit:
    case core::AtomKind::Bool:
    case core::AtomKind::String:  // static data
    case core::AtomKind::Float:   // static data
      return Reach::None;
    case core::AtomKind::Var:
      break;
  }
  check::Type* t = program_.vars[a.var].type;
  if (t == nullptr) return Reach::Unknown;
  t = check::Resolve(t);
  if (t->kind != check::TypeKind::Con) return Reach::Unknown;
  if (check::IsCon(t, "Int") || check::IsCon(t, "Char") || check::IsCon(t, "Bool") ||
      check::IsCon(t, "()"))
    return Reach::None;
  if (check::IsCon(t, "Float")) return Reach::Unknown;  // a literal (static) or a box
  return Reach::Maybe;
}

auto Lowerer::ReachOf(const std::vector<core::Atom>& atoms) -> std::vector<Reach> {
  std::vector<Reach> out;
  for (const core::Atom& a : atoms) out.push_back(ReachOf(a));
  return out;
}

// A Float literal: a static boxed double (header FLOAT, size 1).
auto Lowerer::FloatLiteral(double d) -> llvm::Constant* {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  if (auto it = float_literals_.find(bits); it != float_literals_.end()) return it->second;
  auto* init = llvm::ConstantStruct::getAnon(
      {Const(Header(ATL_KIND_FLOAT, 0, 1)), llvm::ConstantFP::get(builder_.getDoubleTy(), d)});
  auto* global = new llvm::GlobalVariable(*llvm_module_, init->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, init, "atl.float");
  global->setAlignment(llvm::Align(8));
  global->setSection("atl_static");
  llvm::Constant* value = llvm::ConstantExpr::getPtrToInt(global, i64_);
  float_literals_.emplace(bits, value);
  return value;
}

// User constructors: type ids from 100 (after the built-in ones).
auto Lowerer::ConstructorDescriptor(int index) -> uint32_t {
  const check::Constructor& c = checked_.constructors[index];
  return DescriptorId("con:" + c.name, {c.name,
                                        static_cast<uint32_t>(c.arity),
                                        kShapeConstructor,
                                        100 + static_cast<uint32_t>(c.type_index),
                                        static_cast<uint32_t>(c.index),
                                        {}});
}

auto Lowerer::ConstructorValue(int index, const std::vector<llvm::Value*>& fields,
                               const std::vector<Reach>& reach) -> llvm::Value* {
  const uint32_t id = ConstructorDescriptor(index);
  if (fields.empty()) return Const((static_cast<uint64_t>(id) << 3) | 2u);
  return Construct(id, fields, reach);
}

auto Lowerer::Construct(uint32_t descriptor, const std::vector<llvm::Value*>& fields,
                        const std::vector<Reach>& reach) -> llvm::Value* {
  const uint64_t header = uint64_t{ATL_KIND_CON} | (static_cast<uint64_t>(descriptor) << 8) |
                          (static_cast<uint64_t>(fields.size()) << 32);
  llvm::Value* bytes = Const(8 * (1 + fields.size()));
  bool maybe = false;
  llvm::Value* pointers = nullptr;  // run-time test of the fields of unknown reach
  for (size_t i = 0; i < fields.size(); ++i) {
    const Reach r = i < reach.size() ? reach[i] : Reach::Unknown;
    if (r == Reach::Maybe) maybe = true;
    if (r != Reach::Unknown || maybe) continue;
    // A pointer is a non-zero word with its low three bits clear (runtime/abi).
    llvm::Value* v = fields[i];
    llvm::Value* is_pointer =
        builder_.CreateAnd(builder_.CreateICmpEQ(builder_.CreateAnd(v, Const(7)), Const(0)),
                           builder_.CreateICmpNE(v, Const(0)));
    pointers = pointers == nullptr ? is_pointer : builder_.CreateOr(pointers, is_pointer);
  }
  auto* known = llvm::dyn_cast_or_null<llvm::ConstantInt>(pointers);
  llvm::Value* memory;
  bool atomic = false;
  if (maybe || (known != nullptr && !known->isZero())) {
    memory = builder_.CreateCall(alloc_, {bytes});
  } else if (pointers == nullptr || known != nullptr) {
    memory = builder_.CreateCall(alloc_atomic_, {bytes});
    atomic = true;
  } else {
    memory = builder_.CreateCall(alloc_object_, {bytes, builder_.CreateZExt(pointers, i64_)});
  }
  builder_.CreateStore(Const(header), memory);
  for (size_t i = 0; i < fields.size(); ++i)
    builder_.CreateStore(fields[i], builder_.CreateConstInBoundsGEP1_64(i64_, memory, 1 + i));
  if (!atomic) GcWritten(memory);
  return builder_.CreatePtrToInt(memory, i64_);
}

auto Lowerer::Tuple(const std::vector<llvm::Value*>& fields, size_t arity,
                    const std::vector<Reach>& reach) -> llvm::Value* {
  return Construct(TupleDescriptor(arity), fields, reach);
}

auto Lowerer::DescriptorTable() -> std::pair<llvm::Constant*, uint32_t> {
  auto* i32 = builder_.getInt32Ty();
  auto* desc_ty = llvm::StructType::get(ctx_, {ptr_, i32, i32, i32, i32, ptr_, i64_});
  auto* null = llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  auto name = [&](const char* text) -> llvm::Constant* {
    if (text == nullptr) return null;
    return builder_.CreateGlobalString(text, "atl.name", 0, llvm_module_.get());
  };
  auto entry = [&](const char* n, uint32_t arity, uint32_t shape, uint32_t type_id, uint32_t index,
                   const std::vector<std::string>& fields = {}, uint64_t raw = 0) {
    llvm::Constant* field_names = null;
    if (!fields.empty()) {
      std::vector<llvm::Constant*> names;
      for (const std::string& f : fields) names.push_back(name(f.c_str()));
      auto* array_ty = llvm::ArrayType::get(ptr_, names.size());
      field_names =
          new llvm::GlobalVariable(*llvm_module_, array_ty, true, llvm::GlobalValue::PrivateLinkage,
                                   llvm::ConstantArray::get(array_ty, names), "atl.fields");
    }
    return llvm::ConstantStruct::get(
        desc_ty,
        {name(n), builder_.getInt32(arity), builder_.getInt32(shape), builder_.getInt32(type_id),
         builder_.getInt32(index), field_names, builder_.getInt64(raw)});
  };
  std::vector<llvm::Constant*> entries = {entry(nullptr, 0, kShapeTuple, 0, 0),
                                          entry("False", 0, kShapeConstructor, 1, 0),
                                          entry("True", 0, kShapeConstructor, 1, 1)};
  for (const DescriptorSpec& d : descriptors_)
    entries.push_back(entry(d.name.empty() ? nullptr : d.name.c_str(), d.arity, d.shape, d.type_id,
                            d.index, d.fields, d.raw));
  auto* array_ty = llvm::ArrayType::get(desc_ty, entries.size());
  auto* table =
      new llvm::GlobalVariable(*llvm_module_, array_ty, true, llvm::GlobalValue::PrivateLinkage,
                               llvm::ConstantArray::get(array_ty, entries), "atl.descriptors");
  return {table, static_cast<uint32_t>(entries.size())};
}

auto Lowerer::ProgramInfo() -> llvm::GlobalVariable* {
  auto* i32 = builder_.getInt32Ty();
  // Bounds of the static section, provided by the linker (null when empty).
  auto section_bound = [&](const char* name) {
    auto* g = new llvm::GlobalVariable(*llvm_module_, builder_.getInt8Ty(), true,
                                       llvm::GlobalValue::ExternalWeakLinkage, nullptr, name);
    g->setVisibility(llvm::GlobalValue::HiddenVisibility);
    return g;
  };
  auto* info_ty =
      llvm::StructType::get(ctx_, {ptr_, i32, i32, ptr_, ptr_, ptr_, i32, i32, ptr_, ptr_});
  auto [table, count] = DescriptorTable();
  // The function table (fields 5 and 6) is filled by AddFunctionTable.
  auto* info_init = llvm::ConstantStruct::get(
      info_ty,
      {table, builder_.getInt32(count), builder_.getInt32(0), section_bound("__start_atl_static"),
       section_bound("__stop_atl_static"), llvm::ConstantPointerNull::get(builder_.getPtrTy()),
       builder_.getInt32(0), builder_.getInt32(0), section_bound("__start_atl_text"),
       section_bound("__stop_atl_text")});
  return new llvm::GlobalVariable(*llvm_module_, info_ty, true, llvm::GlobalValue::InternalLinkage,
                                  info_init, "atl.program_info");
}

void Lowerer::DefineEntryPoint() {
  auto* i32 = builder_.getInt32Ty();
  llvm::GlobalVariable* info = ProgramInfo();
  auto* main = llvm::Function::Create(llvm::FunctionType::get(i32, {i32, ptr_}, false),
                                      llvm::Function::ExternalLinkage, "main", llvm_module_.get());
  builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", main));
  llvm::Function* entry = functions_[checked_.main_index];
  builder_.CreateRet(
      builder_.CreateCall(rt_main_, {info, entry, main->getArg(0), main->getArg(1)}));
}

void AddFunctionTable(llvm::Module& module) {
  llvm::GlobalVariable* info = module.getGlobalVariable("atl.program_info", true);
  if (info == nullptr || !info->hasInitializer()) return;
  llvm::LLVMContext& ctx = module.getContext();
  auto* ptr = llvm::PointerType::getUnqual(ctx);
  auto* i32 = llvm::Type::getInt32Ty(ctx);
  auto* where_ty = llvm::StructType::get(ctx, {ptr, i32, i32});
  auto* site_ty = llvm::StructType::get(ctx, {ptr, ptr, where_ty});
  std::map<std::string, llvm::Constant*> strings;  // names and files, one copy each
  auto string = [&](llvm::StringRef text) {
    llvm::Constant*& s = strings[text.str()];
    if (s == nullptr) {
      auto* init = llvm::ConstantDataArray::getString(ctx, text);
      s = new llvm::GlobalVariable(module, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                   init, "atl.site_name");
    }
    return s;
  };
  std::vector<llvm::Constant*> sites;
  for (llvm::Function& fn : module) {
    llvm::MDNode* md = fn.getMetadata("atl.site");
    if (md == nullptr || fn.isDeclaration()) continue;
    auto number = [&](unsigned i) {
      return llvm::mdconst::extract<llvm::ConstantInt>(md->getOperand(i));
    };
    auto text = [&](unsigned i) {
      return llvm::cast<llvm::MDString>(md->getOperand(i))->getString();
    };
    sites.push_back(llvm::ConstantStruct::get(
        site_ty, {&fn, string(text(0)),
                  llvm::ConstantStruct::get(where_ty, {string(text(1)), number(2), number(3)})}));
  }
  if (sites.empty()) return;
  auto* table_ty = llvm::ArrayType::get(site_ty, sites.size());
  auto* table =
      new llvm::GlobalVariable(module, table_ty, true, llvm::GlobalValue::PrivateLinkage,
                               llvm::ConstantArray::get(table_ty, sites), "atl.function_sites");
  auto* old = llvm::cast<llvm::ConstantStruct>(info->getInitializer());
  std::vector<llvm::Constant*> fields;
  for (unsigned i = 0; i < old->getNumOperands(); ++i) fields.push_back(old->getOperand(i));
  fields[5] = table;
  fields[6] = llvm::ConstantInt::get(i32, sites.size());
  info->setInitializer(llvm::ConstantStruct::get(old->getType(), fields));
}

auto Lower(const parse::Module& module, const check::CheckedModule& checked,
           const core::Program& program, llvm::LLVMContext& context, const LowerOptions& options)
    -> std::unique_ptr<llvm::Module> {
  return Lowerer(module, checked, program, context, options).Run();
}

}  // namespace atl::lower
