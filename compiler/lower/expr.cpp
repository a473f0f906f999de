// Expressions: values, tail positions, calls and operators.
#include <llvm/IR/MDBuilder.h>

#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::BinaryOp;
using parse::Cast;
using parse::ExprKind;

auto Lowerer::BoolValue(llvm::Value* condition) -> llvm::Value* {
  return builder_.CreateSelect(condition, Const(kTrue), Const(kFalse));
}

auto Lowerer::IsTrue(llvm::Value* v) -> llvm::Value* { return builder_.CreateICmpEQ(v, Const(kTrue)); }

auto Lowerer::RegionWord() -> llvm::Value* { return builder_.CreatePtrToInt(region_, i64_); }

auto Lowerer::Value(const parse::Expr* e) -> llvm::Value* {
  const DebugScope debug_scope(*this);
  SetLocation(e->span);
  // An action used as a value is a closure that runs it when applied to a
  // region (a variable already holds such a closure).
  if (e->kind != ExprKind::Var && check::IsCon(TypeOf(e), "Effect")) return MakeClosure({}, e, TypeOf(e));
  switch (e->kind) {
    case ExprKind::Var: {
      const check::Ref& ref = checked_.refs[e->id];
      switch (ref.kind) {
        case check::RefKind::Local:
          return locals_[ref.index];
        case check::RefKind::Global: {
          const check::Function& f = checked_.functions[ref.index];
          if (f.arity == 0 && !f.effect) return BoxedResult(ref.index, builder_.CreateCall(functions_[ref.index], {}));
          return GlobalClosure(ref.index);
        }
        case check::RefKind::Builtin: {
          const PrimInfo* p = PrimOf(ref);
          if (p == nullptr) break;
          if (p->arity == 0 && !p->effect) return CallPrim(*p, {}, region_, {}, e->span);
          return PrimClosure(*p, e->span);
        }
        case check::RefKind::Constructor:  // only on ConExpr
        case check::RefKind::None:
          break;  // rejected by the checker
      }
      return Const(kUnit);
    }
    case ExprKind::Con: {
      const check::Ref& ref = checked_.refs[e->id];
      if (ref.kind == check::RefKind::Constructor) {
        if (checked_.constructors[ref.index].arity == 0) return ConstructorValue(ref.index, {});
        return ConstructorClosure(ref.index);
      }
      return BuiltinNullary(Cast<parse::ConExpr>(e)->name);
    }
    case ExprKind::Literal: {
      const parse::Literal& lit = Cast<parse::LiteralExpr>(e)->literal;
      switch (lit.kind) {
        case parse::LiteralKind::String: return StringLiteral(lit.string_value);
        case parse::LiteralKind::Float: return FloatLiteral(lit.float_value);
        case parse::LiteralKind::Char: return Const((static_cast<uint64_t>(lit.char_value) << 3) | 6u);
        case parse::LiteralKind::Int: break;
      }
      return Const(TagInt(lit.int_value));
    }
    case ExprKind::Unit:
      return Const(kUnit);
    case ExprKind::App:
      if (llvm::Constant* c = StaticValue(e)) return c;
      return CallValue(check::FlattenApp(e));
    case ExprKind::Binary: {
      const BinaryOp op = Cast<parse::BinaryExpr>(e)->op;
      if (op == BinaryOp::FAdd || op == BinaryOp::FSub || op == BinaryOp::FMul || op == BinaryOp::FDiv)
        return Box(FloatValue(e));
      return Binary(Cast<parse::BinaryExpr>(e));
    }
    case ExprKind::Negate: {
      const parse::Expr* operand = Cast<parse::NegateExpr>(e)->operand;
      if (check::IsCon(check::Resolve(TypeOf(operand)), "Float")) return Box(FloatValue(e));
      // -(n) tagged is -(2n)+1 = 2 - (2n+1).
      return builder_.CreateSub(Const(2), Value(operand));
    }
    case ExprKind::If:
      return If(Cast<parse::IfExpr>(e), Mode::Value, false);
    case ExprKind::Case:
      return Case(Cast<parse::CaseExpr>(e), Mode::Value, false);
    case ExprKind::Let: {
      const auto* let = Cast<parse::LetExpr>(e);
      BindLet(let->decls);
      return Value(let->body);
    }
    case ExprKind::Annot:
      return Value(Cast<parse::AnnotExpr>(e)->expr);
    case ExprKind::Lambda: {
      const auto* lambda = Cast<parse::LambdaExpr>(e);
      return MakeClosure(lambda->params, lambda->body, TypeOf(lambda->body));
    }
    case ExprKind::Tuple: {
      if (llvm::Constant* c = StaticValue(e)) return c;
      std::vector<llvm::Value*> fields;
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) fields.push_back(Value(x));
      return Tuple(fields, fields.size());
    }
    case ExprKind::List: {
      if (llvm::Constant* c = StaticValue(e)) return c;
      const auto& elements = Cast<parse::ListExpr>(e)->elements;
      std::vector<llvm::Value*> values;
      for (const parse::Expr* x : elements) values.push_back(Value(x));
      llvm::Value* list = NilValue();
      for (auto it = values.rbegin(); it != values.rend(); ++it) list = ConsCell(*it, list);
      return list;
    }
    case ExprKind::OpRef:
      return OperatorClosure(Cast<parse::OpRefExpr>(e));
    case ExprKind::RecordLit:
      return RecordLiteral(Cast<parse::RecordLitExpr>(e));
    case ExprKind::RecordUpdate:
      return RecordUpdate(Cast<parse::RecordUpdateExpr>(e));
    case ExprKind::Field:
      return FieldAccess(Cast<parse::FieldExpr>(e));
    case ExprKind::Do:  // an action: handled above
    case ExprKind::Error:
      break;  // rejected by the checker
  }
  return Const(kUnit);
}

auto Lowerer::Run(const parse::Expr* e) -> llvm::Value* {
  const DebugScope debug_scope(*this);
  SetLocation(e->span);
  switch (e->kind) {
    case ExprKind::Do:
      return Do(Cast<parse::DoExpr>(e), false);
    case ExprKind::If:
      return If(Cast<parse::IfExpr>(e), Mode::Run, false);
    case ExprKind::Case:
      return Case(Cast<parse::CaseExpr>(e), Mode::Run, false);
    case ExprKind::Let: {
      const auto* let = Cast<parse::LetExpr>(e);
      BindLet(let->decls);
      return Run(let->body);
    }
    case ExprKind::Annot:
      return Run(Cast<parse::AnnotExpr>(e)->expr);
    case ExprKind::Binary: {
      const auto* bin = Cast<parse::BinaryExpr>(e);
      if (bin->op == BinaryOp::Then) {
        Run(bin->lhs);
        return Run(bin->rhs);
      }
      if (bin->op == BinaryOp::Bind) {  // m >>= f: run m, then f applied to its result
        llvm::Value* v = Run(bin->lhs);
        return RunBody(PrepareBody(bin->rhs), v);
      }
      return RunCall(check::FlattenApp(e));
    }
    case ExprKind::Var:
    case ExprKind::App:
      return RunCall(check::FlattenApp(e));
    case ExprKind::Field:  // a record field holding an action
      return Apply(Value(e), {RegionWord()});
    case ExprKind::Con:
    case ExprKind::Literal:
    case ExprKind::Unit:
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Lambda:
    case ExprKind::Negate:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Error:
      break;  // never an action
  }
  return Const(kUnit);
}

auto Lowerer::IsSelfTailCall(const parse::Expr* e) -> bool {
  const bool call_shape = e->kind == ExprKind::App || e->kind == ExprKind::Var ||
                          (e->kind == ExprKind::Binary && Cast<parse::BinaryExpr>(e)->op == BinaryOp::Dollar);
  if (!call_shape || (current_ < 0 && self_local_ < 0)) return false;
  check::Spine spine = check::FlattenApp(e);
  const auto* head = parse::DynCast<parse::VarExpr>(spine.head);
  if (head == nullptr || static_cast<int>(spine.args.size()) != self_arity_) return false;
  const check::Ref& ref = checked_.refs[head->id];
  return current_ >= 0 ? ref.kind == check::RefKind::Global && ref.index == current_
                       : ref.kind == check::RefKind::Local && ref.index == self_local_;
}

void Lowerer::Tail(const parse::Expr* e, Mode mode) {
  const DebugScope debug_scope(*this);
  SetLocation(e->span);
  switch (e->kind) {
    case ExprKind::If:
      If(Cast<parse::IfExpr>(e), mode, true);
      return;
    case ExprKind::Case:
      Case(Cast<parse::CaseExpr>(e), mode, true);
      return;
    case ExprKind::Let: {
      const auto* let = Cast<parse::LetExpr>(e);
      BindLet(let->decls);
      Tail(let->body, mode);
      return;
    }
    case ExprKind::Do:
      if (mode == Mode::Run) {
        Do(Cast<parse::DoExpr>(e), true);
        return;
      }
      break;
    case ExprKind::Annot:
      Tail(Cast<parse::AnnotExpr>(e)->expr, mode);
      return;
    case ExprKind::Binary: {
      const auto* bin = Cast<parse::BinaryExpr>(e);
      if (bin->op == BinaryOp::Then && mode == Mode::Run) {
        Run(bin->lhs);
        Tail(bin->rhs, mode);
        return;
      }
      break;
    }
    case ExprKind::Var:
    case ExprKind::Con:
    case ExprKind::Literal:
    case ExprKind::Unit:
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::App:
    case ExprKind::Lambda:
    case ExprKind::Negate:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
    case ExprKind::Error:
      break;
  }
  const bool call_shape = e->kind == ExprKind::App || e->kind == ExprKind::Var ||
                          (e->kind == ExprKind::Binary && Cast<parse::BinaryExpr>(e)->op == BinaryOp::Dollar);
  if (mode == Mode::Run && call_shape) {
    const check::Spine spine = check::FlattenApp(e);
    if (const Helper h = KnownHelper(spine); h != Helper::None) {
      ExpandHelper(h, spine, true);
      return;
    }
  }
  // A self call in tail position is a loop; its mode matches the function's
  // (an action function calling itself in run position, or a plain one).
  if (IsSelfTailCall(e) && (mode == Mode::Run) == self_effect_) {
    // Evaluate every argument before overwriting any parameter.
    check::Spine spine = check::FlattenApp(e);
    std::vector<llvm::Value*> args;
    for (size_t i = 0; i < spine.args.size(); ++i)
      args.push_back(param_slots_[i]->getAllocatedType()->isDoubleTy() ? FloatValue(spine.args[i]) : Value(spine.args[i]));
    for (size_t i = 0; i < args.size(); ++i) builder_.CreateStore(args[i], param_slots_[i]);
    builder_.CreateBr(top_);
    return;
  }
  llvm::Value* v = ret_float_ && mode == Mode::Value ? FloatValue(e) : In(mode, e);
  // `tail` promises the callee reads none of our allocas: true for direct
  // calls, false for atl_apply (its argument array lives in our frame).
  // A direct call whose signature equals ours becomes `musttail`, so general
  // tail calls (mutual recursion, continuation-style actions) run in
  // constant stack at every -O level.
  if (auto* call = llvm::dyn_cast<llvm::CallInst>(v); call && call->getCalledFunction() != apply_.getCallee()) {
    const llvm::Function* callee = call->getCalledFunction();
    // musttail also needs the call to be the block's last instruction.
    const bool last = call->getParent() == builder_.GetInsertBlock() && call->getNextNode() == nullptr;
    const bool same_signature = last && callee != nullptr && callee->getFunctionType() == fn_->getFunctionType() &&
                                callee->getCallingConv() == fn_->getCallingConv();
    call->setTailCallKind(same_signature ? llvm::CallInst::TCK_MustTail : llvm::CallInst::TCK_Tail);
  }
  builder_.CreateRet(v);
}

// A call whose value is wanted (not an action to run).
auto Lowerer::CallValue(const check::Spine& spine) -> llvm::Value* {
  if (llvm::Value* v = RegionBody(spine)) return v;
  if (const check::Ref& r = checked_.refs[spine.head->id]; r.kind == check::RefKind::Global) {
    const check::Function& f = checked_.functions[r.index];
    const size_t n = static_cast<size_t>(f.arity);
    if (!f.effect && n > 0 && spine.args.size() >= n) {
      llvm::Value* result = BoxedResult(
          r.index, CallGlobal(r.index, std::vector<const parse::Expr*>(spine.args.begin(), spine.args.begin() + n)));
      if (spine.args.size() == n) return result;
      std::vector<llvm::Value*> rest;
      for (size_t i = n; i < spine.args.size(); ++i) rest.push_back(Value(spine.args[i]));
      return Apply(result, rest);
    }
  }
  std::vector<llvm::Value*> args;
  for (const parse::Expr* arg : spine.args) args.push_back(Value(arg));
  const check::Ref ref = checked_.refs[spine.head->id];
  size_t used = 0;
  llvm::Value* result = nullptr;
  if (const LocalFunction* lf = KnownLocal(spine.head);
             lf != nullptr && !lf->effect && lf->arity > 0 && args.size() >= static_cast<size_t>(lf->arity)) {
    used = lf->arity;
    result = CallLocal(spine.head, *lf, std::vector<llvm::Value*>(args.begin(), args.begin() + used));
  } else if (ref.kind == check::RefKind::Constructor &&
             args.size() >= static_cast<size_t>(checked_.constructors[ref.index].arity)) {
    used = checked_.constructors[ref.index].arity;
    result = ConstructorValue(ref.index, std::vector<llvm::Value*>(args.begin(), args.begin() + used));
  } else if (const PrimInfo* p = PrimOf(ref);
             p != nullptr && !p->effect && p->arity > 0 && args.size() >= static_cast<size_t>(p->arity)) {
    used = p->arity;
    result = CallPrim(*p, std::vector<llvm::Value*>(args.begin(), args.begin() + used), region_,
                      std::vector<const parse::Expr*>(spine.args.begin(), spine.args.begin() + used), spine.head->span);
  }
  if (result == nullptr) result = Value(spine.head);
  if (used == args.size()) return result;
  return Apply(result, std::vector<llvm::Value*>(args.begin() + used, args.end()));
}

// Runs the action `head args`: known actions are called directly with the
// region; any other action value is applied to its arguments and the region.
auto Lowerer::RunCall(const check::Spine& spine) -> llvm::Value* {
  const auto* head = parse::DynCast<parse::VarExpr>(spine.head);
  const check::Ref ref = head ? checked_.refs[head->id] : check::Ref{};
  if (llvm::Value* v = RegionBody(spine)) return v;
  if (const Helper h = KnownHelper(spine); h != Helper::None) return ExpandHelper(h, spine, false);
  if (ref.kind == check::RefKind::Global && checked_.functions[ref.index].effect &&
      spine.args.size() == static_cast<size_t>(checked_.functions[ref.index].arity))
    return CallGlobal(ref.index, spine.args);
  std::vector<llvm::Value*> args;
  for (const parse::Expr* arg : spine.args) args.push_back(Value(arg));
  if (const PrimInfo* p = PrimOf(ref); p != nullptr && p->effect && args.size() == static_cast<size_t>(p->arity)) {
    return CallPrim(*p, args, region_, spine.args, spine.head->span);
  } else if (const LocalFunction* lf = KnownLocal(spine.head);
             lf != nullptr && lf->effect && args.size() == static_cast<size_t>(lf->arity)) {
    return CallLocal(spine.head, *lf, args);
  }
  llvm::Value* fn = nullptr;
  if (spine.args.empty() && ref.kind == check::RefKind::Local) {
    fn = locals_[ref.index];
  } else {
    fn = spine.args.empty() ? Value(spine.head) : CallValue(check::Spine{spine.head, {}});
  }
  args.push_back(RegionWord());
  return Apply(fn, args);
}

auto Lowerer::Binary(const parse::BinaryExpr* e) -> llvm::Value* {
  switch (e->op) {
    case BinaryOp::Dollar:
      return CallValue(check::FlattenApp(e));
    case BinaryOp::And:
    case BinaryOp::Or:
      return ShortCircuit(e);
    case BinaryOp::Then:  // an action: Value() made it a closure, Run() sequences it
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Append:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
    case BinaryOp::Cons:
    case BinaryOp::Bind:
      break;
  }
  const bool comparison = e->op == BinaryOp::Eq || e->op == BinaryOp::Ne || e->op == BinaryOp::Lt ||
                          e->op == BinaryOp::Le || e->op == BinaryOp::Gt || e->op == BinaryOp::Ge;
  if (comparison && check::IsCon(check::Resolve(TypeOf(e->lhs)), "Float"))
    return FloatCompare(e->op, FloatValue(e->lhs), FloatValue(e->rhs));
  llvm::Value* l = Value(e->lhs);
  llvm::Value* r = Value(e->rhs);
  return Operator(e->op, l, r, TypeOf(e->lhs), e->op_span);
}

// Floats compared unboxed, IEEE: a NaN is equal to nothing and unordered
// with everything (every ordering operator is false), as the runtime's
// atl_compare_partial / atl_equal decide for boxed ones.
auto Lowerer::FloatCompare(BinaryOp op, llvm::Value* a, llvm::Value* b) -> llvm::Value* {
  switch (op) {
    case BinaryOp::Eq: return BoolValue(builder_.CreateFCmpOEQ(a, b));
    case BinaryOp::Ne: return BoolValue(builder_.CreateFCmpUNE(a, b));
    case BinaryOp::Lt: return BoolValue(builder_.CreateFCmpOLT(a, b));
    case BinaryOp::Le: return BoolValue(builder_.CreateFCmpOLE(a, b));
    case BinaryOp::Gt: return BoolValue(builder_.CreateFCmpOGT(a, b));
    default: return BoolValue(builder_.CreateFCmpOGE(a, b));  // Ge
  }
}

// A strict binary operator on two values; `operand` is the type of the
// left operand (it picks word or structural comparison, list or string ++).
auto Lowerer::Operator(BinaryOp op, llvm::Value* l, llvm::Value* r, check::Type* operand, source::Span at)
    -> llvm::Value* {
  switch (op) {
    // Tagged arithmetic on (n << 1) | 1 without untagging both sides.
    case BinaryOp::Add: return builder_.CreateSub(builder_.CreateAdd(l, r), Const(1));
    case BinaryOp::Sub: return builder_.CreateAdd(builder_.CreateSub(l, r), Const(1));
    case BinaryOp::Mul:
      return builder_.CreateOr(builder_.CreateMul(builder_.CreateAShr(l, 1), builder_.CreateSub(r, Const(1))),
                               Const(1));
    case BinaryOp::Div:
    case BinaryOp::Mod:
      return Divide(op, at, l, r);
    case BinaryOp::Append:
      if (check::IsCon(check::Resolve(operand), "List")) return builder_.CreateCall(list_append_, {l, r});
      return builder_.CreateCall(concat_, {l, r});
    case BinaryOp::Cons:
      return ConsCell(l, r);
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      return Compare(op, operand, l, r, at);
    case BinaryOp::FMul: return Box(builder_.CreateFMul(Unbox(l), Unbox(r)));
    case BinaryOp::FDiv: return Box(builder_.CreateFDiv(Unbox(l), Unbox(r)));
    case BinaryOp::FAdd: return Box(builder_.CreateFAdd(Unbox(l), Unbox(r)));
    case BinaryOp::FSub: return Box(builder_.CreateFSub(Unbox(l), Unbox(r)));
    case BinaryOp::And:  // strict only as an operator value `(&&)`
      return BoolValue(builder_.CreateAnd(IsTrue(l), IsTrue(r)));
    case BinaryOp::Or:
      return BoolValue(builder_.CreateOr(IsTrue(l), IsTrue(r)));
    case BinaryOp::Bind:
    case BinaryOp::Dollar:
    case BinaryOp::Then:
      break;  // handled by Run/CallValue; not operator values (gate)
  }
  return Const(kUnit);
}

// Truncating division and remainder (like C, Go and Rust); division by zero
// stops the program naming the operator's location.
auto Lowerer::Divide(BinaryOp op, source::Span at, llvm::Value* l, llvm::Value* r) -> llvm::Value* {
  llvm::BasicBlock* zero = NewBlock("div_zero");
  llvm::BasicBlock* ok = NewBlock("div_ok");
  builder_.CreateCondBr(builder_.CreateICmpEQ(r, Const(TagInt(0))), zero, ok,
                        llvm::MDBuilder(ctx_).createBranchWeights(1, 1 << 20));
  builder_.SetInsertPoint(zero);
  Fail("division by zero", at);
  builder_.SetInsertPoint(ok);
  llvm::Value* n = builder_.CreateAShr(l, 1);
  llvm::Value* m = builder_.CreateAShr(r, 1);
  // |n| < 2^62, so n / -1 cannot overflow i64 and sdiv is always defined.
  llvm::Value* q = op == BinaryOp::Div ? builder_.CreateSDiv(n, m) : builder_.CreateSRem(n, m);
  return builder_.CreateOr(builder_.CreateShl(q, 1), Const(1));
}

auto Lowerer::Compare(BinaryOp op, check::Type* operand, llvm::Value* l, llvm::Value* r, source::Span at)
    -> llvm::Value* {
  // Ints compare as tagged words (the tag preserves order); Bool and ()
  // are nullary constructors whose encodings follow declaration order.
  check::Type* t = check::Resolve(operand);
  const bool word = check::IsCon(t, "Int") || check::IsCon(t, "Bool") || check::IsCon(t, "()") ||
                    check::IsCon(t, "Char");
  llvm::Value* lhs = l;
  llvm::Value* rhs = r;
  if (!word) {
    // Comparing a function or a Ref hidden in a type variable is a runtime error.
    if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
      lhs = At(at, [&] { return builder_.CreateCall(equal_, {l, r}); });
      rhs = builder_.getInt32(0);
      return BoolValue(op == BinaryOp::Eq ? builder_.CreateICmpNE(lhs, rhs) : builder_.CreateICmpEQ(lhs, rhs));
    }
    // -1, 0, 1, or 2 when a NaN leaves the values unordered (all false).
    llvm::Value* c = At(at, [&] { return builder_.CreateCall(compare_, {l, r}); });
    if (op == BinaryOp::Gt) return BoolValue(builder_.CreateICmpEQ(c, builder_.getInt32(1)));
    if (op == BinaryOp::Ge) return BoolValue(builder_.CreateICmpULE(c, builder_.getInt32(1)));
    lhs = c;
    rhs = builder_.getInt32(0);
  }
  switch (op) {
    case BinaryOp::Eq: return BoolValue(builder_.CreateICmpEQ(lhs, rhs));
    case BinaryOp::Ne: return BoolValue(builder_.CreateICmpNE(lhs, rhs));
    case BinaryOp::Lt: return BoolValue(builder_.CreateICmpSLT(lhs, rhs));
    case BinaryOp::Le: return BoolValue(builder_.CreateICmpSLE(lhs, rhs));
    case BinaryOp::Gt: return BoolValue(builder_.CreateICmpSGT(lhs, rhs));
    case BinaryOp::Ge: return BoolValue(builder_.CreateICmpSGE(lhs, rhs));
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
    case BinaryOp::Cons:
    case BinaryOp::Append:
    case BinaryOp::And:
    case BinaryOp::Or:
    case BinaryOp::Bind:
    case BinaryOp::Then:
    case BinaryOp::Dollar:
      break;
  }
  return Const(kFalse);
}

auto Lowerer::ShortCircuit(const parse::BinaryExpr* e) -> llvm::Value* {
  const bool is_and = e->op == BinaryOp::And;
  llvm::Value* l = Value(e->lhs);
  llvm::BasicBlock* lhs_end = builder_.GetInsertBlock();
  llvm::BasicBlock* rhs_bb = NewBlock(is_and ? "and_rhs" : "or_rhs");
  llvm::BasicBlock* join = NewBlock("logic_join");
  if (is_and) {
    builder_.CreateCondBr(IsTrue(l), rhs_bb, join);
  } else {
    builder_.CreateCondBr(IsTrue(l), join, rhs_bb);
  }
  builder_.SetInsertPoint(rhs_bb);
  llvm::Value* r = Value(e->rhs);
  llvm::BasicBlock* rhs_end = builder_.GetInsertBlock();
  builder_.CreateBr(join);
  builder_.SetInsertPoint(join);
  llvm::PHINode* phi = builder_.CreatePHI(i64_, 2);
  phi->addIncoming(Const(is_and ? kFalse : kTrue), lhs_end);
  phi->addIncoming(r, rhs_end);
  return phi;
}

auto Lowerer::If(const parse::IfExpr* e, Mode mode, bool tail) -> llvm::Value* {
  llvm::Value* c = IsTrue(Value(e->cond));
  if (tail) {
    llvm::BasicBlock* then_bb = NewBlock("then");
    llvm::BasicBlock* else_bb = NewBlock("else");
    builder_.CreateCondBr(c, then_bb, else_bb);
    builder_.SetInsertPoint(then_bb);
    Tail(e->then_branch, mode);
    builder_.SetInsertPoint(else_bb);
    Tail(e->else_branch, mode);
    return nullptr;
  }
  return Choose(c, [&] { return In(mode, e->then_branch); }, [&] { return In(mode, e->else_branch); });
}

auto Lowerer::Case(const parse::CaseExpr* e, Mode mode, bool tail) -> llvm::Value* {
  llvm::Value* scrutinee = Value(e->scrutinee);
  llvm::BasicBlock* join = tail ? nullptr : NewBlock("case_join");
  std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> incoming;
  bool exhaustive = false;
  for (const parse::CaseAlt& alt : e->alts) {
    llvm::BasicBlock* next = NewBlock("next_alt");
    Match(alt.pattern, scrutinee, next);
    if (tail) {
      Tail(alt.body, mode);
    } else {
      llvm::Value* v = In(mode, alt.body);
      incoming.emplace_back(v, builder_.GetInsertBlock());
      builder_.CreateBr(join);
    }
    builder_.SetInsertPoint(next);
    if (IsIrrefutable(alt.pattern)) {
      exhaustive = true;
      break;
    }
  }
  if (exhaustive) {
    builder_.CreateUnreachable();
  } else {
    Fail("no case alternative matches the value", e->span);
  }
  if (tail) return nullptr;
  builder_.SetInsertPoint(join);
  llvm::PHINode* phi = builder_.CreatePHI(i64_, static_cast<unsigned>(incoming.size()));
  for (auto& [v, bb] : incoming) phi->addIncoming(v, bb);
  return phi;
}

// `let` bindings in order. A run of consecutive function bindings (with
// parameters, or actions) is one recursive group: every member is marked
// as bound, the code of each is lowered (so each knows what it captures,
// the others included), the closures are allocated, and only then are the
// captured values stored. Value bindings only see earlier bindings (the
// gate guarantees it: this is a strict language).
void Lowerer::BindLet(const std::vector<parse::Decl*>& decls) {
  for (size_t i = 0; i < decls.size();) {
    const parse::Decl* d = decls[i];
    if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
      const DebugScope debug_scope(*this);
      SetLocation(p->span);
      MatchOrFail(p->pattern, Value(p->body), "the value does not match the pattern of this `let`");
      ++i;
      continue;
    }
    const auto* v = parse::DynCast<parse::ValueDecl>(d);
    if (v == nullptr || checked_.decl_locals[d->id] < 0) {
      ++i;
      continue;
    }
    if (check::LetFunctionClauses(checked_, d).empty()) {
      const int local = checked_.decl_locals[d->id];
      const parse::Expr* body = v->clauses.front().body;
      if (check::IsCon(check::Resolve(TypeOf(body)), "Float")) {
        // Kept unboxed for arithmetic; the box goes when nothing else uses it.
        float_locals_[local] = FloatValue(body);
        locals_[local] = Box(float_locals_[local]);
      } else {
        locals_[local] = Value(body);
      }
      ++i;
      continue;
    }
    // A run of function bindings (signatures between them do not break it).
    std::vector<std::pair<const parse::ValueDecl*, std::vector<ClauseView>>> group;
    for (; i < decls.size(); ++i) {
      if (decls[i]->kind == parse::DeclKind::Signature) continue;
      std::vector<ClauseView> clauses = check::LetFunctionClauses(checked_, decls[i]);
      if (clauses.empty()) break;
      group.emplace_back(parse::Cast<parse::ValueDecl>(decls[i]), std::move(clauses));
      locals_[checked_.decl_locals[decls[i]->id]] = llvm::UndefValue::get(i64_);  // bound: captured by the group
    }
    // Every member's code exists before any body is lowered, so calls
    // between them are direct.
    for (const auto& [fn, clauses] : group) {
      check::Type* result = TypeOf(clauses.front().body);
      local_functions_[checked_.decl_locals[fn->id]] =
          LocalFunction{ClosureFunction(clauses, result, fn->name.text), static_cast<int>(clauses.front().params->size()),
                        check::IsCon(check::Resolve(result), "Effect")};
    }
    std::vector<ClosurePlan> plans;
    for (const auto& [fn, clauses] : group) {
      const int local = checked_.decl_locals[fn->id];
      plans.push_back(ClosureCode(clauses, TypeOf(clauses.front().body), local, local_functions_[local].code, fn->span));
    }
    for (size_t k = 0; k < group.size(); ++k) locals_[checked_.decl_locals[group[k].first->id]] = AllocClosure(plans[k]);
    for (size_t k = 0; k < group.size(); ++k) FillCaptures(plans[k], locals_[checked_.decl_locals[group[k].first->id]]);
  }
}

auto Lowerer::Do(const parse::DoExpr* e, bool tail) -> llvm::Value* {
  for (size_t i = 0; i < e->stmts.size(); ++i) {
    const parse::DoStmt* stmt = e->stmts[i];
    const bool last = i + 1 == e->stmts.size();
    switch (stmt->kind) {
      case parse::DoStmtKind::Bind: {
        const auto* bind = Cast<parse::BindStmt>(stmt);
        MatchOrFail(bind->pattern, Run(bind->expr), "the result does not match the pattern of this `<-`");
        break;
      }
      case parse::DoStmtKind::Let:
        BindLet(Cast<parse::LetStmt>(stmt)->decls);
        break;
      case parse::DoStmtKind::Expr: {
        const parse::Expr* x = Cast<parse::ExprStmt>(stmt)->expr;
        if (last && tail) {
          Tail(x, Mode::Run);
          return nullptr;
        }
        llvm::Value* v = Run(x);
        if (last) return v;
        break;
      }
    }
  }
  return Const(kUnit);  // unreachable for a well-formed block (ends with an expression)
}

}  // namespace atl::lower
