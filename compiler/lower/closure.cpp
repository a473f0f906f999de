// Function values: lambdas, local functions, actions used as values, and
// top-level functions or builtins passed around. A closure is the ABI's
// CLOSURE object: header (arity in desc), code pointer, captured values;
// code(self, a1..aN). An action value is a closure whose last parameter is
// the region handle (as a word), so running it is applying it to the region.
#include <optional>
#include <set>

#include "compiler/check/walk.h"
#include "compiler/lower/lowerer.h"

namespace atl::lower {
namespace {

constexpr uint64_t kClosureKind = 5;  // ATL_KIND_CLOSURE

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

auto Lowerer::MakeClosure(const std::vector<parse::Pattern*>& params, const parse::Expr* body,
                          check::Type* result) -> llvm::Value* {
  const bool effect = check::IsCon(result, "Effect");
  const unsigned arity = static_cast<unsigned>(params.size()) + (effect ? 1 : 0);

  // Captured: locals used in the body that are bound outside it (locals
  // bound inside are not set yet; see DefineFunction).
  std::vector<int> captured;
  std::set<int> seen;
  check::ForEachVar(body, [&](const parse::VarExpr* v) {
    const check::Ref& r = checked_.refs[v->id];
    if (r.kind == check::RefKind::Local && locals_[r.index] != nullptr && seen.insert(r.index).second)
      captured.push_back(r.index);
  });
  std::vector<llvm::Value*> captured_values;
  for (int id : captured) captured_values.push_back(locals_[id]);

  std::vector<llvm::Type*> code_params(1 + arity, i64_);
  code_params[0] = ptr_;
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, code_params, false),
                                      llvm::Function::InternalLinkage, "atl.lambda", llvm_module_.get());
  code->addFnAttr(llvm::Attribute::NoUnwind);

  // Lower the body as a function of its own, then come back.
  std::optional<DebugScope> debug_scope(std::in_place, *this);
  const llvm::IRBuilderBase::InsertPoint saved_ip = builder_.saveIP();
  llvm::Function* saved_fn = fn_;
  llvm::Value* saved_region = region_;
  std::vector<llvm::AllocaInst*> saved_slots = std::move(param_slots_);
  llvm::BasicBlock* saved_top = top_;
  const int saved_current = current_;
  std::vector<llvm::Value*> saved_locals = locals_;

  fn_ = code;
  current_ = -1;  // no self tail calls inside a closure
  param_slots_.clear();
  top_ = nullptr;
  builder_.SetInsertPoint(NewBlock("entry"));
  AttachDebug(code, "lambda", body->span);
  llvm::Value* self = code->getArg(0);
  for (size_t i = 0; i < captured.size(); ++i) {
    llvm::Value* slot = builder_.CreateConstInBoundsGEP1_64(i64_, self, 2 + i);
    locals_[captured[i]] = builder_.CreateLoad(i64_, slot);
  }
  region_ = effect ? builder_.CreateIntToPtr(code->getArg(arity), ptr_)
                   : llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  llvm::BasicBlock* no_match = NewBlock("no_match");  // parameters are irrefutable (gate)
  for (size_t i = 0; i < params.size(); ++i) Match(params[i], code->getArg(1 + i), no_match);
  Tail(body, effect ? Mode::Run : Mode::Value);
  builder_.SetInsertPoint(no_match);
  builder_.CreateUnreachable();

  fn_ = saved_fn;
  region_ = saved_region;
  param_slots_ = std::move(saved_slots);
  top_ = saved_top;
  current_ = saved_current;
  locals_ = std::move(saved_locals);
  builder_.restoreIP(saved_ip);
  debug_scope.reset();  // the closure is built at the caller's location

  if (captured.empty()) return StaticClosure(code, arity);
  llvm::Value* memory = builder_.CreateCall(alloc_, {Const(8 * (2 + captured.size()))});
  builder_.CreateStore(Const(ClosureHeader(arity, captured.size())), memory);
  builder_.CreateStore(code, builder_.CreateConstInBoundsGEP1_64(i64_, memory, 1));
  for (size_t i = 0; i < captured_values.size(); ++i)
    builder_.CreateStore(captured_values[i], builder_.CreateConstInBoundsGEP1_64(i64_, memory, 2 + i));
  return builder_.CreatePtrToInt(memory, i64_);
}

// A top-level function as a value: a static closure whose code forwards to
// the function (taking the region last when it is an action).
auto Lowerer::GlobalClosure(int index) -> llvm::Value* {
  if (auto it = global_closures_.find(index); it != global_closures_.end()) return it->second;
  const check::Function& f = checked_.functions[index];
  const unsigned arity = f.arity + (f.effect ? 1 : 0);
  std::vector<llvm::Type*> params(1 + arity, i64_);
  params[0] = ptr_;
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, params, false),
                                      llvm::Function::InternalLinkage, "atl.value." + f.name,
                                      llvm_module_.get());
  code->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx_, "entry", code));
  std::vector<llvm::Value*> args;
  if (f.effect) args.push_back(b.CreateIntToPtr(code->getArg(arity), ptr_));
  for (int i = 0; i < f.arity; ++i) args.push_back(code->getArg(1 + i));
  auto* call = b.CreateCall(functions_[index], args);
  call->setTailCall();
  b.CreateRet(call);
  llvm::Constant* closure = StaticClosure(code, arity);
  global_closures_.emplace(index, closure);
  return closure;
}

// A constructor with fields used as a value: a static closure building it.
auto Lowerer::ConstructorClosure(int index) -> llvm::Value* {
  if (auto it = constructor_closures_.find(index); it != constructor_closures_.end()) return it->second;
  const check::Constructor& c = checked_.constructors[index];
  std::vector<llvm::Type*> params(1 + c.arity, i64_);
  params[0] = ptr_;
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, params, false),
                                      llvm::Function::InternalLinkage, "atl.con." + c.name, llvm_module_.get());
  code->addFnAttr(llvm::Attribute::NoUnwind);
  const DebugScope debug_scope(*this);
  NoDebug();
  const llvm::IRBuilderBase::InsertPoint saved_ip = builder_.saveIP();
  builder_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", code));
  std::vector<llvm::Value*> fields;
  for (int i = 0; i < c.arity; ++i) fields.push_back(code->getArg(1 + i));
  builder_.CreateRet(ConstructorValue(index, fields));
  builder_.restoreIP(saved_ip);
  llvm::Constant* closure = StaticClosure(code, static_cast<uint32_t>(c.arity));
  constructor_closures_.emplace(index, closure);
  return closure;
}

auto Lowerer::Apply(llvm::Value* fn, const std::vector<llvm::Value*>& args) -> llvm::Value* {
  // The argument array lives in the entry block so loops do not grow the stack.
  llvm::BasicBlock& entry = fn_->getEntryBlock();
  llvm::IRBuilder<> at_entry(&entry, entry.begin());
  auto* array = at_entry.CreateAlloca(llvm::ArrayType::get(i64_, args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    builder_.CreateStore(args[i], builder_.CreateConstInBoundsGEP1_64(i64_, array, i));
  return builder_.CreateCall(apply_, {fn, builder_.getInt32(static_cast<uint32_t>(args.size())), array});
}

}  // namespace atl::lower
