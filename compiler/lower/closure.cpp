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
  const ClosurePlan plan = ClosureCode({ClauseView{&params, body}}, result, -1, "lambda", body->span);
  llvm::Value* closure = AllocClosure(plan);
  FillCaptures(plan, closure);
  return closure;
}

auto Lowerer::ClosureFunction(const std::vector<ClauseView>& clauses, check::Type* result, const std::string& name)
    -> llvm::Function* {
  const unsigned arity = static_cast<unsigned>(clauses.front().params->size()) + (check::IsCon(result, "Effect") ? 1 : 0);
  std::vector<llvm::Type*> code_params(1 + arity, i64_);
  code_params[0] = ptr_;
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, code_params, false),
                                      llvm::Function::InternalLinkage, "atl." + name, llvm_module_.get());
  code->addFnAttr(llvm::Attribute::NoUnwind);
  return code;
}

auto Lowerer::ClosureCode(const std::vector<ClauseView>& clauses, check::Type* result, int self_local,
                          llvm::Function* code, source::Span span) -> ClosurePlan {
  const bool effect = check::IsCon(result, "Effect");
  const size_t n_params = clauses.front().params->size();
  ClosurePlan plan;
  plan.code = code;
  plan.arity = static_cast<unsigned>(n_params) + (effect ? 1 : 0);
  const std::string name = code->getName().drop_front(4).str();  // without "atl."

  // Captured: locals used in the bodies that are bound outside them (locals
  // bound inside are not set yet; see DefineFunction). The closure's own
  // local is its `self` parameter, not a capture.
  std::set<int> seen;
  for (const ClauseView& clause : clauses) {
    check::ForEachVar(clause.body, [&](const parse::VarExpr* v) {
      const check::Ref& r = checked_.refs[v->id];
      if (r.kind == check::RefKind::Local && r.index != self_local && locals_[r.index] != nullptr &&
          seen.insert(r.index).second)
        plan.captured.push_back(r.index);
    });
  }

  // Lower the body as a function of its own, then come back.
  std::optional<DebugScope> debug_scope(std::in_place, *this);
  const llvm::IRBuilderBase::InsertPoint saved_ip = builder_.saveIP();
  llvm::Function* saved_fn = fn_;
  llvm::Value* saved_region = region_;
  std::vector<llvm::AllocaInst*> saved_slots = std::move(param_slots_);
  llvm::BasicBlock* saved_top = top_;
  const int saved_current = current_;
  const int saved_self = self_local_;
  const int saved_arity = self_arity_;
  const bool saved_effect = self_effect_;
  const bool saved_ret_float = ret_float_;
  std::map<int, llvm::Value*> saved_float_locals = std::move(float_locals_);
  std::vector<llvm::Value*> saved_locals = locals_;

  fn_ = plan.code;
  current_ = -1;
  ret_float_ = false;  // closures keep the uniform ABI
  float_locals_.clear();
  self_local_ = self_local;
  self_arity_ = static_cast<int>(n_params);
  self_effect_ = effect;
  builder_.SetInsertPoint(NewBlock("entry"));
  AttachDebug(plan.code, name, span);
  llvm::Value* self = plan.code->getArg(0);
  for (size_t i = 0; i < plan.captured.size(); ++i) {
    llvm::Value* slot = builder_.CreateConstInBoundsGEP1_64(i64_, self, 2 + i);
    locals_[plan.captured[i]] = builder_.CreateLoad(i64_, slot);
  }
  if (self_local >= 0) locals_[self_local] = builder_.CreatePtrToInt(self, i64_);
  region_ = effect ? builder_.CreateIntToPtr(plan.code->getArg(plan.arity), ptr_)
                   : llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  std::vector<llvm::Value*> args;
  for (size_t i = 0; i < n_params; ++i) args.push_back(plan.code->getArg(1 + i));
  LowerClauses(clauses, args, effect, self_local >= 0 ? "`" + name + "`" : "the lambda", span);

  fn_ = saved_fn;
  region_ = saved_region;
  param_slots_ = std::move(saved_slots);
  top_ = saved_top;
  current_ = saved_current;
  self_local_ = saved_self;
  self_arity_ = saved_arity;
  self_effect_ = saved_effect;
  ret_float_ = saved_ret_float;
  float_locals_ = std::move(saved_float_locals);
  locals_ = std::move(saved_locals);
  builder_.restoreIP(saved_ip);
  debug_scope.reset();  // the closure is built at the caller's location
  return plan;
}

auto Lowerer::AllocClosure(const ClosurePlan& plan) -> llvm::Value* {
  if (plan.captured.empty()) return StaticClosure(plan.code, plan.arity);
  llvm::Value* memory = builder_.CreateCall(alloc_, {Const(8 * (2 + plan.captured.size()))});
  builder_.CreateStore(Const(ClosureHeader(plan.arity, plan.captured.size())), memory);
  builder_.CreateStore(plan.code, builder_.CreateConstInBoundsGEP1_64(i64_, memory, 1));
  return builder_.CreatePtrToInt(memory, i64_);
}

void Lowerer::FillCaptures(const ClosurePlan& plan, llvm::Value* closure) {
  if (plan.captured.empty()) return;
  llvm::Value* memory = builder_.CreateIntToPtr(closure, ptr_);
  for (size_t i = 0; i < plan.captured.size(); ++i)
    builder_.CreateStore(locals_[plan.captured[i]], builder_.CreateConstInBoundsGEP1_64(i64_, memory, 2 + i));
}

auto Lowerer::KnownLocal(const parse::Expr* head) -> const LocalFunction* {
  const auto* var = parse::DynCast<parse::VarExpr>(head);
  if (var == nullptr) return nullptr;
  const check::Ref& ref = checked_.refs[var->id];
  if (ref.kind != check::RefKind::Local) return nullptr;
  auto it = local_functions_.find(ref.index);
  return it == local_functions_.end() ? nullptr : &it->second;
}

// A saturated call of a local function: its code with the closure as self
// (and the region last when it is an action being run).
auto Lowerer::CallLocal(const parse::Expr* head, const LocalFunction& f, std::vector<llvm::Value*> args)
    -> llvm::Value* {
  llvm::Value* self = builder_.CreateIntToPtr(locals_[checked_.refs[head->id].index], ptr_);
  args.insert(args.begin(), self);
  if (f.effect) args.push_back(RegionWord());
  return builder_.CreateCall(f.code, args);
}

// A top-level function as a value: a static closure whose code forwards to
// the function (taking the region last when it is an action).
auto Lowerer::GlobalClosure(int index) -> llvm::Value* {
  if (auto it = global_closures_.find(index); it != global_closures_.end()) return it->second;
  const check::Function& f = checked_.functions[index];
  llvm::Constant* closure = StaticCode("atl.value." + f.name, f.arity, f.effect, [&](const std::vector<llvm::Value*>& args) {
    return CallGlobalBoxed(index, args);
  });
  global_closures_.emplace(index, closure);
  return closure;
}

// A constructor with fields used as a value: a static closure building it.
auto Lowerer::ConstructorClosure(int index) -> llvm::Value* {
  if (auto it = constructor_closures_.find(index); it != constructor_closures_.end()) return it->second;
  const check::Constructor& c = checked_.constructors[index];
  llvm::Constant* closure =
      StaticCode("atl.con." + c.name, static_cast<unsigned>(c.arity), false,
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
  auto* code = llvm::Function::Create(llvm::FunctionType::get(i64_, types, false), llvm::Function::InternalLinkage,
                                      name, llvm_module_.get());
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
// that call is marked `tail` (it reads nothing of this frame), so in tail
// position it becomes a jump at -O1+ and calls through function values do
// not grow the stack. Any other case goes to atl_apply, which builds partial
// applications and re-applies results.
auto Lowerer::Apply(llvm::Value* fn, const std::vector<llvm::Value*>& args) -> llvm::Value* {
  const uint32_t n = static_cast<uint32_t>(args.size());
  llvm::Value* object = builder_.CreateIntToPtr(fn, ptr_);
  llvm::Value* header = builder_.CreateTrunc(builder_.CreateLoad(i64_, object), builder_.getInt32Ty());
  llvm::Value* matches = builder_.CreateICmpEQ(header, builder_.getInt32(static_cast<uint32_t>(kClosureKind) | n << 8));
  return FastOrSlow(
      matches,
      [&] {
        llvm::Value* code = builder_.CreateLoad(ptr_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1));
        std::vector<llvm::Type*> params(1 + n, i64_);
        params[0] = ptr_;
        std::vector<llvm::Value*> call_args{object};
        call_args.insert(call_args.end(), args.begin(), args.end());
        auto* direct = builder_.CreateCall(llvm::FunctionType::get(i64_, params, false), code, call_args);
        direct->setTailCall();
        return direct;
      },
      [&] {
        // The argument array lives in the entry block so loops do not grow the stack.
        llvm::BasicBlock& entry = fn_->getEntryBlock();
        llvm::IRBuilder<> at_entry(&entry, entry.begin());
        auto* array = at_entry.CreateAlloca(llvm::ArrayType::get(i64_, n));
        for (size_t i = 0; i < n; ++i)
          builder_.CreateStore(args[i], builder_.CreateConstInBoundsGEP1_64(i64_, array, i));
        return builder_.CreateCall(apply_, {fn, builder_.getInt32(n), array});
      });
}

auto Lowerer::CallGlobal(int index, const std::vector<const parse::Expr*>& args) -> llvm::CallInst* {
  const FunctionAbi& abi = abis_[index];
  std::vector<llvm::Value*> values;
  if (checked_.functions[index].effect) values.push_back(region_);
  for (size_t i = 0; i < args.size(); ++i) values.push_back(abi.float_params[i] ? FloatValue(args[i]) : Value(args[i]));
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
