// Function values: lambdas, local functions, actions used as values, and
// top-level functions or builtins passed around. A closure is the ABI's
// CLOSURE object: header (arity in desc), code pointer, captured values;
// code(self, a1..aN). An action value is a closure whose last parameter is
// the region handle (as a word), so running it is applying it to the region.
#include <llvm/IR/MDBuilder.h>

#include "compiler/lower/lowerer.h"

namespace atl::lower {
namespace {

constexpr uint64_t kClosureKind = ATL_KIND_CLOSURE;

auto ClosureHeader(uint64_t arity, uint64_t captured) -> uint64_t {
  return kClosureKind | (arity << 8) | ((1 + captured) << 32);
}

}  // namespace

auto Lowerer::StaticClosure(llvm::Function* code, uint32_t arity) -> llvm::Constant* {
  auto* init = llvm::ConstantStruct::getAnon({Const(ClosureHeader(arity, 0)), code});
  auto* global = new llvm::GlobalVariable(*llvm_module_, init->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, init, "atl.closure");
  global->setAlignment(llvm::Align(8));
  global->setSection("atl_static");
  return llvm::ConstantExpr::getPtrToInt(global, i64_);
}

void Lowerer::DeclareLambdas() {
  for (size_t i = 0; i < program_.lambdas.size(); ++i) {
    std::vector<llvm::Type*> params(1 + LambdaArity(static_cast<int>(i)), i64_);
    params[0] = ptr_;
    auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, params, false),
                                        llvm::Function::InternalLinkage,
                                        "atl." + program_.lambdas[i].name, llvm_module_.get());
    code->addFnAttr(llvm::Attribute::NoUnwind);
    lambda_code_.push_back(code);
  }
}

auto Lowerer::LambdaArity(int index) -> unsigned {
  const core::Lambda& lambda = program_.lambdas[index];
  return static_cast<unsigned>(lambda.params.size()) + (lambda.region >= 0 ? 1 : 0);
}

// A lambda's code: captures loaded from `self` (word offsets 2+i), the
// parameters in loop slots (self tail calls through `self` are loops), the
// region, for an action, last and as a word.
void Lowerer::DefineLambda(int index) {
  const core::Lambda& lambda = program_.lambdas[index];
  fn_ = lambda_code_[index];
  vars_.clear();
  floats_.clear();
  raw_of_.clear();
  joins_.clear();
  current_ = -1;
  current_lambda_ = index;
  self_var_ = lambda.self;
  self_region_ = lambda.region;
  self_params_ = lambda.params.size();
  ret_float_ = false;  // closures keep the uniform ABI
  file_ = lambda.file != nullptr ? lambda.file : module_.file.get();
  builder_.SetInsertPoint(NewBlock("entry"));
  AttachDebug(fn_, lambda.name, lambda.span);
  NoteFunctionSite(fn_, lambda.name, lambda.span);
  llvm::Value* self = fn_->getArg(0);
  for (size_t i = 0; i < lambda.captures.size(); ++i) {
    const int var = lambda.captures[i];
    llvm::Value* v =
        builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, self, 2 + i));
    vars_[var] = program_.vars[var].region ? builder_.CreateIntToPtr(v, ptr_) : v;
  }
  if (lambda.self >= 0) vars_[lambda.self] = builder_.CreatePtrToInt(self, i64_);
  if (lambda.region >= 0)
    vars_[lambda.region] = builder_.CreateIntToPtr(fn_->getArg(1 + lambda.params.size()), ptr_);
  std::vector<llvm::Value*> args;
  for (size_t i = 0; i < lambda.params.size(); ++i) args.push_back(fn_->getArg(1 + i));
  BeginBody(lambda.params, args);
  if (lambda.body != nullptr) {
    Tail(*lambda.body, nullptr);
  } else {
    builder_.CreateUnreachable();
  }
  EndBody();
}

auto Lowerer::AllocClosure(int index) -> llvm::Value* {
  const core::Lambda& lambda = program_.lambdas[index];
  if (lambda.captures.empty()) {
    auto [it, inserted] = lambda_closures_.try_emplace(index, nullptr);
    if (inserted) it->second = StaticClosure(lambda_code_[index], LambdaArity(index));
    return it->second;
  }
  llvm::Value* memory = builder_.CreateCall(alloc_, {Const(8 * (2 + lambda.captures.size()))});
  builder_.CreateStore(Const(ClosureHeader(LambdaArity(index), lambda.captures.size())), memory);
  builder_.CreateStore(lambda_code_[index], builder_.CreateConstInBoundsGEP1_64(i64_, memory, 1));
  return builder_.CreatePtrToInt(memory, i64_);
}

void Lowerer::FillCaptures(int index, llvm::Value* closure) {
  const core::Lambda& lambda = program_.lambdas[index];
  if (lambda.captures.empty()) return;
  llvm::Value* memory = builder_.CreateIntToPtr(closure, ptr_);
  for (size_t i = 0; i < lambda.captures.size(); ++i) {
    const int var = lambda.captures[i];
    llvm::Value* v = program_.vars[var].region ? builder_.CreatePtrToInt(RegionOf(var), i64_)
                                               : Atom(core::Atom::Variable(var));
    builder_.CreateStore(v, builder_.CreateConstInBoundsGEP1_64(i64_, memory, 2 + i));
  }
  GcWritten(memory);
}

// A known call of a lambda: its code with the closure as self (and the
// region last, as a word, when it is an action being run).
auto Lowerer::CallLocal(const core::Rhs& rhs) -> llvm::CallInst* {
  std::vector<llvm::Value*> args{
      builder_.CreateIntToPtr(Atom(core::Atom::Variable(rhs.closure())), ptr_)};
  for (const core::Atom& a : rhs.args) args.push_back(Atom(a));
  if (rhs.region >= 0) args.push_back(builder_.CreatePtrToInt(RegionOf(rhs.region), i64_));
  return builder_.CreateCall(lambda_code_[rhs.lambda()], args);
}

// A top-level function as a value: a static closure whose code forwards to
// the function (taking the region last when it is an action).
auto Lowerer::GlobalClosure(int index) -> llvm::Value* {
  if (auto it = global_closures_.find(index); it != global_closures_.end()) return it->second;
  const check::Function& f = checked_.functions[index];
  llvm::Constant* closure = StaticCode(
      "atl.value." + f.name, f.arity, f.effect,
      [&](const std::vector<llvm::Value*>& args) { return CallGlobalBoxed(index, args); });
  global_closures_.emplace(index, closure);
  return closure;
}

// A constructor with fields used as a value: a static closure building it.
auto Lowerer::ConstructorClosure(int index) -> llvm::Value* {
  if (auto it = constructor_closures_.find(index); it != constructor_closures_.end())
    return it->second;
  const check::Constructor& c = checked_.constructors[index];
  llvm::Constant* closure = StaticCode(
      "atl.con." + c.name, static_cast<unsigned>(c.arity), false,
      [&](const std::vector<llvm::Value*>& fields) { return ConstructorValue(index, fields); });
  constructor_closures_.emplace(index, closure);
  return closure;
}

auto Lowerer::StaticCode(const std::string& name, unsigned params, bool action,
                         const std::function<llvm::Value*(const std::vector<llvm::Value*>&)>& body)
    -> llvm::Constant* {
  const unsigned arity = params + (action ? 1 : 0);
  std::vector<llvm::Type*> types(1 + arity, i64_);
  types[0] = ptr_;
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, types, false),
                                      llvm::Function::InternalLinkage, name, llvm_module_.get());
  code->addFnAttr(llvm::Attribute::NoUnwind);
  const DebugScope debug_scope(*this);
  NoDebug();
  const llvm::IRBuilderBase::InsertPoint saved_ip = builder_.saveIP();
  llvm::Function* saved_fn = fn_;
  llvm::Value* saved_region = region_;
  fn_ = code;
  builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", code));
  region_ = action ? builder_.CreateIntToPtr(code->getArg(arity), ptr_)
                   : llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  std::vector<llvm::Value*> args;
  for (unsigned i = 0; i < params; ++i) args.push_back(code->getArg(1 + i));
  builder_.CreateRet(body(args));
  fn_ = saved_fn;
  region_ = saved_region;
  builder_.restoreIP(saved_ip);
  return StaticClosure(code, arity);
}

// Calls a function value. When the closure expects exactly these arguments
// (its header's kind and arity in one compare) its code is called directly;
// that call is marked `tail` (it reads nothing of this frame). Any other
// case goes to atl_apply, which builds partial applications and re-applies
// results. In tail position (`tail_position`, from Return) each path ends
// in its own `ret` right after the call, instead of meeting at a phi, so
// the direct call is a sibling call (a jump) at every -O level, -O0
// included: calls through function values in tail position do not grow the
// stack (tests/lang/e2e/tail_calls_O0.atl). Returns nullptr then.
auto Lowerer::Apply(llvm::Value* fn, const std::vector<llvm::Value*>& args, bool tail_position)
    -> llvm::Value* {
  const uint32_t n = static_cast<uint32_t>(args.size());
  llvm::Value* object = builder_.CreateIntToPtr(fn, ptr_);
  llvm::Value* header =
      builder_.CreateTrunc(builder_.CreateLoad(i64_, object), builder_.getInt32Ty());
  llvm::Value* matches = builder_.CreateICmpEQ(
      header, builder_.getInt32(static_cast<uint32_t>(kClosureKind) | n << 8));
  const std::function<llvm::Value*()> exact = [&] {
    llvm::Value* code =
        builder_.CreateLoad(ptr_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1));
    std::vector<llvm::Type*> params(1 + n, i64_);
    params[0] = ptr_;
    std::vector<llvm::Value*> call_args{object};
    call_args.insert(call_args.end(), args.begin(), args.end());
    auto* direct =
        builder_.CreateCall(llvm::FunctionType::get(i64_, params, false), code, call_args);
    direct->setTailCall();
    return direct;
  };
  const std::function<llvm::Value*()> general = [&] {
    // The argument array lives in the entry block so loops do not grow the stack.
    llvm::BasicBlock& entry = fn_->getEntryBlock();
    llvm::IRBuilder<> at_entry(&entry, entry.begin());
    // No location: with no-inline-line-tables, LLVM's inliner moves a
    // callee's static allocas into the caller keeping their own
    // locations, which then name the wrong subprogram.
    at_entry.SetCurrentDebugLocation(llvm::DebugLoc());
    auto* array = at_entry.CreateAlloca(llvm::ArrayType::get(i64_, n));
    for (size_t i = 0; i < n; ++i)
      builder_.CreateStore(args[i], builder_.CreateConstInBoundsGEP1_64(i64_, array, i));
    return builder_.CreateCall(apply_, {fn, builder_.getInt32(n), array});
  };
  if (!tail_position) return FastOrSlow(matches, exact, general);
  llvm::BasicBlock* exact_bb = NewBlock("apply_exact");
  llvm::BasicBlock* general_bb = NewBlock("apply_general");
  builder_.CreateCondBr(matches, exact_bb, general_bb,
                        llvm::MDBuilder(ctx_).createBranchWeights(1 << 10, 1));
  builder_.SetInsertPoint(exact_bb);
  builder_.CreateRet(exact());
  builder_.SetInsertPoint(general_bb);
  builder_.CreateRet(general());
  return nullptr;
}

auto Lowerer::CallGlobal(int index, const std::vector<core::Atom>& args, int region)
    -> llvm::CallInst* {
  const FunctionAbi& abi = abis_[index];
  std::vector<llvm::Value*> values;
  if (checked_.functions[index].effect) values.push_back(RegionOf(region));
  for (size_t i = 0; i < args.size(); ++i)
    values.push_back(abi.float_params[i] ? FloatAtom(args[i]) : Atom(args[i]));
  return builder_.CreateCall(functions_[index], values);
}

auto Lowerer::CallGlobalBoxed(int index, std::vector<llvm::Value*> args) -> llvm::Value* {
  const FunctionAbi& abi = abis_[index];
  for (size_t i = 0; i < args.size(); ++i)
    if (abi.float_params[i]) args[i] = Unbox(args[i]);
  if (checked_.functions[index].effect) args.insert(args.begin(), region_);
  return BoxedResult(index, builder_.CreateCall(functions_[index], args));
}

auto Lowerer::BoxedResult(int index, llvm::Value* call) -> llvm::Value* {
  return abis_[index].float_result ? Box(call) : call;
}

}  // namespace atl::lower
