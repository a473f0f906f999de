// Core expressions: tail expressions (returns, branches, join points),
// right-hand sides, atoms and operators.
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <algorithm>
#include <set>

#include "compiler/core/util.h"
#include "compiler/lower/lowerer.h"
#include "compiler/source/internal_check.h"

namespace atl::lower {

using core::AtomKind;
using core::ExprKind;
using core::RhsKind;
using parse::BinaryOp;

auto Lowerer::BoolValue(llvm::Value* condition) -> llvm::Value* {
  return builder_.CreateSelect(condition, Const(kTrue), Const(kFalse));
}

auto Lowerer::IsTrue(llvm::Value* v) -> llvm::Value* {
  return builder_.CreateICmpEQ(v, Const(kTrue));
}

auto Lowerer::RegionWord() -> llvm::Value* { return builder_.CreatePtrToInt(region_, i64_); }

auto Lowerer::IsFloat(check::Type* t) -> bool {
  return t != nullptr && check::IsCon(check::Resolve(t), "Float");
}

auto Lowerer::IsInt(check::Type* t) -> bool {
  return t != nullptr && check::IsCon(check::Resolve(t), "Int");
}

auto Lowerer::Untag(llvm::Value* word) -> llvm::Value* {
  if (auto it = raw_of_.find(word); it != raw_of_.end()) return it->second;
  return builder_.CreateAShr(word, 1);
}

// A raw Int is in [-2^62, 2^62), so doubling it does not overflow.
auto Lowerer::Tag(llvm::Value* raw) -> llvm::Value* {
  llvm::Value* word =
      builder_.CreateOr(builder_.CreateShl(raw, 1, "", false, /*HasNSW=*/true), Const(1));
  raw_of_.emplace(word, raw);
  return word;
}

auto Lowerer::Wrap63(llvm::Value* x) -> llvm::Value* {
  return builder_.CreateAShr(builder_.CreateShl(x, 1), 1);
}

auto Lowerer::RegionOf(int var) -> llvm::Value* {
  if (var < 0) return llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx_, 0));
  auto it = vars_.find(var);
  // core::Verify passed, so every region variable is bound where it is used.
  ATL_CHECK(it != vars_.end() && it->second->getType()->isPointerTy(),
            "a region variable used where it is not bound");
  return it->second;
}

auto Lowerer::Atom(const core::Atom& a) -> llvm::Value* {
  switch (a.kind) {
    case AtomKind::Var: {
      auto it = vars_.find(a.var);
      // core::Verify passed, so every variable is bound before its uses.
      ATL_CHECK(it != vars_.end(), "a Core variable used before its binding");
      return it->second;
    }
    case AtomKind::Int:
      return Const(TagInt(a.int_value));
    case AtomKind::Char:
      return Const((static_cast<uint64_t>(a.int_value) << 3) | 6u);
    case AtomKind::String:
      return StringLiteral(a.string_value);
    case AtomKind::Float:
      return FloatLiteral(a.float_value);
    case AtomKind::Unit:
      return Const(kUnit);
    case AtomKind::Bool:
      return Const(a.int_value != 0 ? kTrue : kFalse);
  }
  return Const(kUnit);
}

// A Float atom as a double: literals are constants, variables bound to
// Float arithmetic have their unboxed value; anything else is unboxed.
auto Lowerer::FloatAtom(const core::Atom& a) -> llvm::Value* {
  if (a.kind == AtomKind::Float)
    return llvm::ConstantFP::get(builder_.getDoubleTy(), a.float_value);
  if (a.kind == AtomKind::Var) {
    if (auto it = floats_.find(a.var); it != floats_.end()) return it->second;
  }
  return Unbox(Atom(a));
}

auto Lowerer::Atoms(const std::vector<core::Atom>& atoms, size_t from)
    -> std::vector<llvm::Value*> {
  std::vector<llvm::Value*> values;
  for (size_t i = from; i < atoms.size(); ++i) values.push_back(Atom(atoms[i]));
  return values;
}

// Along continuations in a loop, other children by recursion
// (core/util.h): a long `do` block, an else-if chain or a `<-` pattern's
// match nest as deep as the program is long. Joins whose scope the loop
// goes on into are finished when it ends, innermost first.
void Lowerer::Tail(const core::Expr& expr, Continuation* k) {
  std::vector<const core::Expr*> open_joins;
  const core::Expr* e = &expr;
  while (e != nullptr) {
    if (e->kind == ExprKind::Let || e->kind == ExprKind::LetRec) {
      if (e->kind == ExprKind::Let) {
        SetLocation(e->rhs.span);
        Bind(e->var, e->rhs);
      } else {
        SetLocation(e->span);
        LetRec(*e);
      }
      e = e->next.get();
      continue;
    }
    SetLocation(e->span);
    switch (e->kind) {
      case ExprKind::Let:
      case ExprKind::LetRec:
        break;  // above
      case ExprKind::Return:
        SetLocation(e->rhs.span);
        Return(e->rhs, k);
        e = nullptr;
        break;
      case ExprKind::If: {
        if (e->cond.kind == AtomKind::Bool) {  // a known branch
          e = e->cond.int_value != 0 ? e->then_branch.get() : e->else_branch.get();
          break;
        }
        llvm::BasicBlock* then_bb = NewBlock("then");
        llvm::BasicBlock* else_bb = NewBlock("else");
        builder_.CreateCondBr(IsTrue(Atom(e->cond)), then_bb, else_bb);
        if (core::ContinuationSlot(*e) == &e->then_branch) {
          builder_.SetInsertPoint(else_bb);
          Tail(*e->else_branch, k);
          builder_.SetInsertPoint(then_bb);
          e = e->then_branch.get();
        } else {
          builder_.SetInsertPoint(then_bb);
          Tail(*e->then_branch, k);
          builder_.SetInsertPoint(else_bb);
          e = e->else_branch.get();
        }
        break;
      }
      case ExprKind::Switch:
        e = Switch(*e, k);
        break;
      case ExprKind::Join:
        e = Join(*e, k, open_joins);
        break;
      case ExprKind::Jump: {
        std::vector<llvm::Value*> args = Atoms(e->args);
        auto it = joins_.find(e->label);
        // core::Verify passed: a Jump targets a Join enclosing it, with its arity.
        ATL_CHECK(it != joins_.end() && it->second.params.size() == args.size(),
                  "a jump to a join point out of scope or with the wrong arity");
        JoinPoint& join = it->second;
        for (size_t i = 0; i < args.size(); ++i) {
          if (join.doubles[i] != nullptr)
            join.doubles[i]->addIncoming(FloatAtom(e->args[i]), builder_.GetInsertBlock());
        }
        for (size_t i = 0; i < args.size(); ++i)
          join.params[i]->addIncoming(join.raw[i] ? Untag(args[i]) : args[i],
                                      builder_.GetInsertBlock());
        builder_.CreateBr(join.block);
        e = nullptr;
        break;
      }
      case ExprKind::Fail:
        Fail(e->message.c_str(), e->span);
        e = nullptr;
        break;
    }
  }
  while (!open_joins.empty()) {
    const core::Expr* join = open_joins.back();
    open_joins.pop_back();
    if (const core::Expr* body = JoinBody(*join)) Tail(*body, k);
  }
}

// `return rhs`: into the enclosing Block's merge block, or out of the
// function. A self tail call overwrites the parameter slots and jumps back
// to the top (a loop at every -O level). `tail` promises the callee reads
// none of our allocas: true for direct calls, false for atl_apply (its
// argument array lives in our frame). A direct call of generated code whose
// signature equals ours becomes `musttail`, so general tail calls (mutual
// recursion, continuation-style actions) run in constant stack at every -O
// level. A runtime function is only `tail`: LLVM may give our function
// another calling convention (fastcc), and a musttail call to a C function
// then cannot be kept.
void Lowerer::Return(const core::Rhs& rhs, Continuation* k) {
  if (k != nullptr) {
    llvm::Value* v = k->unboxed ? UnboxedRhs(rhs) : Rhs(rhs);
    k->incoming.emplace_back(v, builder_.GetInsertBlock());
    builder_.CreateBr(k->merge);
    return;
  }
  if (IsSelfTailCall(rhs)) {
    // Evaluate every argument before overwriting any parameter.
    std::vector<llvm::Value*> args;
    for (size_t i = 0; i < rhs.args.size(); ++i) {
      args.push_back(param_slots_[i]->getAllocatedType()->isDoubleTy() ? FloatAtom(rhs.args[i])
                     : param_raw_[i]                                   ? Untag(Atom(rhs.args[i]))
                                                                       : Atom(rhs.args[i]));
    }
    for (size_t i = 0; i < args.size(); ++i) builder_.CreateStore(args[i], param_slots_[i]);
    back_edges_.push_back(builder_.CreateBr(top_));
    return;
  }
  if (rhs.kind == RhsKind::Apply && !ret_float_ && (rhs.args.size() > 1 || rhs.region >= 0)) {
    // A call through a function value: each path returns on its own.
    std::vector<llvm::Value*> args = Atoms(rhs.args, 1);
    if (rhs.region >= 0) args.push_back(builder_.CreatePtrToInt(RegionOf(rhs.region), i64_));
    Apply(Atom(rhs.args[0]), args, /*tail_position=*/true);
    return;
  }
  llvm::Value* v = ret_float_ ? UnboxedRhs(rhs) : Rhs(rhs);
  if (auto* call = llvm::dyn_cast<llvm::CallInst>(v);
      call && call->getCalledFunction() != apply_.getCallee()) {
    const llvm::Function* callee = call->getCalledFunction();
    // musttail also needs the call to be the block's last instruction.
    const bool last =
        call->getParent() == builder_.GetInsertBlock() && call->getNextNode() == nullptr;
    const bool same_signature = last && callee != nullptr && !callee->isDeclaration() &&
                                callee->getFunctionType() == fn_->getFunctionType() &&
                                callee->getCallingConv() == fn_->getCallingConv();
    call->setTailCallKind(same_signature ? llvm::CallInst::TCK_MustTail : llvm::CallInst::TCK_Tail);
  }
  builder_.CreateRet(v);
}

auto Lowerer::IsSelfTailCall(const core::Rhs& rhs) -> bool {
  if (rhs.args.size() != self_params_ || rhs.args.size() != param_slots_.size() ||
      rhs.region != self_region_)
    return false;
  if (rhs.kind == RhsKind::CallGlobal) return current_ >= 0 && rhs.function() == current_;
  if (rhs.kind == RhsKind::CallLocal)
    return current_lambda_ >= 0 && rhs.lambda() == current_lambda_ && rhs.closure() == self_var_ &&
           self_var_ >= 0;
  return false;
}

// A variable bound to Float arithmetic keeps its double next to its box;
// the box is deleted when only arithmetic uses the variable.
void Lowerer::Bind(int var, const core::Rhs& rhs) {
  if (rhs.kind == RhsKind::Atom && rhs.args[0].kind == AtomKind::Var) {
    vars_[var] = Atom(rhs.args[0]);
    if (auto it = floats_.find(rhs.args[0].var); it != floats_.end()) floats_[var] = it->second;
    return;
  }
  if (rhs.kind == RhsKind::Atom && rhs.args[0].kind == AtomKind::Float) {
    vars_[var] = FloatLiteral(rhs.args[0].float_value);
    floats_[var] = llvm::ConstantFP::get(builder_.getDoubleTy(), rhs.args[0].float_value);
    return;
  }
  llvm::Value* d = FloatRhs(rhs);
  if (d == nullptr && rhs.kind == RhsKind::Block && IsFloat(program_.vars[var].type))
    d = Nested(*rhs.body, true);
  // A Float result of runST/runIO comes out of the region as a double.
  if (d == nullptr && rhs.kind == RhsKind::Region && IsFloat(program_.vars[var].type))
    d = RegionRhs(rhs, true);
  if (d != nullptr) {
    floats_[var] = d;
    vars_[var] = Box(d);
    return;
  }
  vars_[var] = Rhs(rhs);
}

// A group of closures that may capture each other: every closure is
// allocated before any captured value is stored.
void Lowerer::LetRec(const core::Expr& e) {
  for (size_t i = 0; i < e.group.size(); ++i) {
    if (e.group[i].kind == RhsKind::Closure) vars_[e.vars[i]] = AllocClosure(e.group[i].lambda());
  }
  for (size_t i = 0; i < e.group.size(); ++i) {
    SetLocation(e.group[i].span);
    if (e.group[i].kind == RhsKind::Closure) {
      FillCaptures(e.group[i].lambda(), vars_[e.vars[i]]);
    } else {
      Bind(e.vars[i], e.group[i]);
    }
  }
}

// A switch on the constructor: `[]` versus `::` is one compare with Nil;
// nullary constructors are immediate words and the others objects whose
// header names their descriptor, so the test is a switch on the word, a
// pointer test and a switch on the descriptor (LLVM makes jump tables).
auto Lowerer::Switch(const core::Expr& e, Continuation* k) -> const core::Expr* {
  llvm::Value* v = Atom(e.cond);
  llvm::BasicBlock* fallback = NewBlock(e.else_branch != nullptr ? "default" : "no_alt");
  std::vector<std::pair<const core::Alt*, llvm::BasicBlock*>> arms;
  llvm::BasicBlock* nil = nullptr;
  llvm::BasicBlock* cons = nullptr;
  std::vector<std::pair<uint64_t, llvm::BasicBlock*>> immediates;
  std::vector<std::pair<uint64_t, llvm::BasicBlock*>> objects;
  std::set<int> seen;
  for (const core::Alt& alt : e.alts) {
    if (!seen.insert(alt.constructor).second) continue;  // an earlier arm wins
    llvm::BasicBlock* bb = NewBlock("alt");
    arms.emplace_back(&alt, bb);
    if (alt.constructor == core::kNilAlt) {
      nil = bb;
    } else if (alt.constructor == core::kConsAlt) {
      cons = bb;
    } else {
      const uint32_t id = ConstructorDescriptor(alt.constructor);
      if (checked_.constructors[alt.constructor].arity == 0) {
        immediates.emplace_back((static_cast<uint64_t>(id) << 3) | 2u, bb);
      } else {
        objects.emplace_back(id, bb);
      }
    }
  }
  if (nil != nullptr || cons != nullptr) {
    builder_.CreateCondBr(builder_.CreateICmpEQ(v, NilValue()), nil != nullptr ? nil : fallback,
                          cons != nullptr ? cons : fallback);
  } else if (objects.empty()) {
    llvm::SwitchInst* sw =
        builder_.CreateSwitch(v, fallback, static_cast<unsigned>(immediates.size()));
    for (auto& [word, bb] : immediates) sw->addCase(builder_.getInt64(word), bb);
  } else {
    llvm::BasicBlock* object_bb = NewBlock("con_object");
    if (immediates.empty() && e.else_branch == nullptr) {
      builder_.CreateBr(object_bb);  // exhaustive over constructors with fields: always an object
    } else {
      llvm::BasicBlock* immediate_bb = immediates.empty() ? fallback : NewBlock("con_immediate");
      // A pointer has low bits 000.
      builder_.CreateCondBr(builder_.CreateICmpEQ(builder_.CreateAnd(v, Const(7)), Const(0)),
                            object_bb, immediate_bb);
      if (!immediates.empty()) {
        builder_.SetInsertPoint(immediate_bb);
        llvm::SwitchInst* sw =
            builder_.CreateSwitch(v, fallback, static_cast<unsigned>(immediates.size()));
        for (auto& [word, bb] : immediates) sw->addCase(builder_.getInt64(word), bb);
      }
    }
    builder_.SetInsertPoint(object_bb);
    // The only constructor with fields of its type (Just, ::-like types):
    // being an object says which one it is.
    const int type_index = checked_.constructors[arms.front().first->constructor].type_index;
    const auto with_fields = std::count_if(
        checked_.constructors.begin(), checked_.constructors.end(),
        [&](const check::Constructor& c) { return c.type_index == type_index && c.arity > 0; });
    if (objects.size() == 1 && with_fields == 1) {
      builder_.CreateBr(objects.front().second);
    } else {
      llvm::Value* header =
          Tagged(builder_.CreateLoad(i64_, builder_.CreateIntToPtr(v, ptr_)), true);
      llvm::Value* desc = builder_.CreateAnd(builder_.CreateLShr(header, 8), Const(0xFFFFFF));
      llvm::SwitchInst* sw =
          builder_.CreateSwitch(desc, fallback, static_cast<unsigned>(objects.size()));
      for (auto& [id, bb] : objects) sw->addCase(builder_.getInt64(id), bb);
    }
  }
  // Every arm but the continuation; the caller goes on with that one.
  const std::unique_ptr<core::Expr>* continuation = core::ContinuationSlot(e);
  const core::Expr* next = nullptr;
  llvm::BasicBlock* next_bb = nullptr;
  for (auto& [alt, bb] : arms) {
    if (&alt->body == continuation) {
      next = alt->body.get();
      next_bb = bb;
      continue;
    }
    builder_.SetInsertPoint(bb);
    Tail(*alt->body, k);
  }
  if (e.else_branch != nullptr && &e.else_branch == continuation) {
    next = e.else_branch.get();
    next_bb = fallback;
  } else {
    builder_.SetInsertPoint(fallback);
    if (e.else_branch != nullptr) {
      Tail(*e.else_branch, k);
    } else {
      builder_.CreateUnreachable();
    }
  }
  if (next_bb != nullptr) builder_.SetInsertPoint(next_bb);
  return next;
}

// `join label(params) = body in next`: a block whose phis receive the
// jumps' arguments, placed after `next` is lowered; with no jump to it, it
// and its body are dropped. Returns what the caller goes on with: `next`
// (the join is then finished by JoinBody when the caller's loop ends,
// listed in `open`), or the body when `next` is a leaf, lowered here.
auto Lowerer::Join(const core::Expr& e, Continuation* k, std::vector<const core::Expr*>& open)
    -> const core::Expr* {
  JoinPoint& join = joins_[e.label];
  join.block = llvm::BasicBlock::Create(ctx_, "join");
  join.params.clear();
  join.doubles.clear();
  join.raw.clear();
  for (const int var : e.vars) {
    // An Int parameter joins raw values (a loop's counter stays untagged).
    const bool raw = IsInt(program_.vars[var].type);
    join.raw.push_back(raw);
    join.params.push_back(llvm::PHINode::Create(i64_, 2, "", join.block));
    join.doubles.push_back(IsFloat(program_.vars[var].type)
                               ? llvm::PHINode::Create(builder_.getDoubleTy(), 2, "", join.block)
                               : nullptr);
  }
  if (core::ContinuationSlot(e) == &e.next) {
    open.push_back(&e);
    return e.next.get();
  }
  Tail(*e.next, k);
  return JoinBody(e);
}

// After a join's scope: places its block and binds its parameters, and
// returns its body to lower (null when nothing jumps to it).
auto Lowerer::JoinBody(const core::Expr& e) -> const core::Expr* {
  JoinPoint& join = joins_[e.label];
  join.block->insertInto(fn_);
  if (join.block->use_empty()) {
    join.block->eraseFromParent();
    joins_.erase(e.label);
    return nullptr;
  }
  builder_.SetInsertPoint(join.block);
  for (size_t i = 0; i < e.vars.size(); ++i) {
    vars_[e.vars[i]] = join.raw[i] ? Tag(join.params[i]) : join.params[i];
    if (join.doubles[i] != nullptr) floats_[e.vars[i]] = join.doubles[i];
  }
  return e.join_body.get();
}

auto Lowerer::Nested(const core::Expr& body, bool unboxed) -> llvm::Value* {
  Continuation k;
  k.merge = llvm::BasicBlock::Create(ctx_, "block_end");
  k.unboxed = unboxed;
  Tail(body, &k);
  k.merge->insertInto(fn_);
  builder_.SetInsertPoint(k.merge);
  llvm::Type* type = unboxed ? builder_.getDoubleTy() : i64_;
  if (k.incoming.empty())
    return llvm::PoisonValue::get(type);  // every arm fails: dead code follows
  llvm::PHINode* phi = builder_.CreatePHI(type, static_cast<unsigned>(k.incoming.size()));
  for (auto& [v, bb] : k.incoming) phi->addIncoming(v, bb);
  return phi;
}

// runST/runIO: open a region named after the source line, evaluate the
// body with the region bound to the Region's variable, close the region.
auto Lowerer::RegionRhs(const core::Rhs& rhs, bool unboxed) -> llvm::Value* {
  if (rhs.ancestor() > 0) {
    // An action of an enclosing runIO's region (a covariant Effect token,
    // compiler/check/discipline.h): run it in that region, `ancestor()` levels up.
    vars_[rhs.bound_region()] = builder_.CreateCall(
        region_ancestor_,
        {RegionOf(rhs.region), builder_.getInt32(static_cast<uint32_t>(rhs.ancestor()))});
    return Nested(*rhs.body, unboxed);
  }
  llvm::Value* region =
      rhs.prim == check::Builtin::RunIO && rhs.region >= 0
          ? builder_.CreateCall(region_open_in_, {RegionSite(rhs.span), RegionOf(rhs.region)})
          : builder_.CreateCall(region_open_, {RegionSite(rhs.span)});
  vars_[rhs.bound_region()] = region;
  llvm::Value* v = Nested(*rhs.body, unboxed);
  builder_.CreateCall(region_close_, {region});
  return v;
}

// The double a Float-valued rhs computes without boxing, or nullptr (with
// nothing emitted) when it is not Float arithmetic.
auto Lowerer::FloatRhs(const core::Rhs& rhs) -> llvm::Value* {
  switch (rhs.kind) {
    case RhsKind::Atom:
      if (rhs.args[0].kind == AtomKind::Float)
        return llvm::ConstantFP::get(builder_.getDoubleTy(), rhs.args[0].float_value);
      if (rhs.args[0].kind == AtomKind::Var) {
        if (auto it = floats_.find(rhs.args[0].var); it != floats_.end()) return it->second;
      }
      return nullptr;
    case RhsKind::Binary:
      switch (rhs.op) {
        case BinaryOp::FAdd:
          return builder_.CreateFAdd(FloatAtom(rhs.args[0]), FloatAtom(rhs.args[1]));
        case BinaryOp::FSub:
          return builder_.CreateFSub(FloatAtom(rhs.args[0]), FloatAtom(rhs.args[1]));
        case BinaryOp::FMul:
          return builder_.CreateFMul(FloatAtom(rhs.args[0]), FloatAtom(rhs.args[1]));
        case BinaryOp::FDiv:
          return builder_.CreateFDiv(FloatAtom(rhs.args[0]), FloatAtom(rhs.args[1]));
        default:
          return nullptr;
      }
    case RhsKind::Negate: {
      const core::Atom& a = rhs.args[0];
      const bool is_float = IsFloat(rhs.type) || a.kind == AtomKind::Float ||
                            (a.kind == AtomKind::Var && IsFloat(program_.vars[a.var].type));
      return is_float ? builder_.CreateFNeg(FloatAtom(a)) : nullptr;
    }
    case RhsKind::Prim: {
      const PrimInfo* p = PrimOf(rhs.prim);
      if (p != nullptr && p->id == Prim::IntToFloat && rhs.args.size() == 1)
        return builder_.CreateSIToFP(Untag(Atom(rhs.args[0])), builder_.getDoubleTy());
      // The runtime's sqrt is C's; llvm.sqrt is the same IEEE operation.
      if (p != nullptr && p->id == Prim::Sqrt && rhs.args.size() == 1)
        return builder_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, FloatAtom(rhs.args[0]));
      return nullptr;
    }
    case RhsKind::Field:  // a raw double field
      return RawField(rhs.type, Atom(rhs.args[0]), rhs.names[0]);
    case RhsKind::CallGlobal:
      if (abis_[rhs.function()].float_result &&
          rhs.args.size() == static_cast<size_t>(checked_.functions[rhs.function()].arity))
        return CallGlobal(rhs.function(), rhs.args, rhs.region);
      return nullptr;
    default:
      return nullptr;
  }
}

auto Lowerer::UnboxedRhs(const core::Rhs& rhs) -> llvm::Value* {
  if (rhs.kind == RhsKind::Block) return Nested(*rhs.body, true);
  if (rhs.kind == RhsKind::Region) return RegionRhs(rhs, true);
  llvm::Value* d = FloatRhs(rhs);
  return d != nullptr ? d : Unbox(Rhs(rhs));
}

auto Lowerer::Rhs(const core::Rhs& rhs) -> llvm::Value* {
  switch (rhs.kind) {
    case RhsKind::Atom:
      return Atom(rhs.args[0]);
    case RhsKind::CallGlobal: {
      const check::Function& f = checked_.functions[rhs.function()];
      if (rhs.reverse_in_place)  // the Prelude's reverse(xs) or reverseOnto(xs, ys)
        return builder_.CreateCall(
            list_reverse_in_place_,
            {Atom(rhs.args[0]), rhs.args.size() > 1 ? Atom(rhs.args[1]) : NilValue()});
      if (rhs.args.size() == static_cast<size_t>(f.arity))
        return BoxedResult(rhs.function(), CallGlobal(rhs.function(), rhs.args, rhs.region));
      // Not saturated (Core's calls are): through the function value.
      std::vector<llvm::Value*> args = Atoms(rhs.args);
      if (rhs.region >= 0) args.push_back(builder_.CreatePtrToInt(RegionOf(rhs.region), i64_));
      return Apply(GlobalClosure(rhs.function()), args);
    }
    case RhsKind::CallLocal:
      return CallLocal(rhs);
    case RhsKind::Apply: {
      llvm::Value* fn = Atom(rhs.args[0]);
      std::vector<llvm::Value*> args = Atoms(rhs.args, 1);
      if (rhs.region >= 0) args.push_back(builder_.CreatePtrToInt(RegionOf(rhs.region), i64_));
      return args.empty() ? fn : Apply(fn, args);
    }
    case RhsKind::Prim: {
      const PrimInfo* p = PrimOf(rhs.prim);
      if (p == nullptr) return Const(kUnit);  // rejected by the gate
      std::vector<llvm::Value*> args = Atoms(rhs.args);
      const auto arity = static_cast<size_t>(p->arity);
      if (args.size() < arity) {
        if (rhs.region >= 0) args.push_back(builder_.CreatePtrToInt(RegionOf(rhs.region), i64_));
        return Apply(PrimClosure(*p, rhs.span), args);
      }
      std::vector<llvm::Value*> rest(args.begin() + static_cast<std::ptrdiff_t>(arity), args.end());
      args.resize(arity);
      llvm::Value* result =
          CallPrim(*p, args, RegionOf(rhs.region), rhs.types, rhs.span, rhs.send, rhs.proved_index);
      return rest.empty() ? result : Apply(result, rest);
    }
    case RhsKind::Construct: {
      std::vector<llvm::Value*> args = Atoms(rhs.args);
      if (args.size() == static_cast<size_t>(checked_.constructors[rhs.constructor()].arity))
        return ConstructorValue(rhs.constructor(), args, ReachOf(rhs.args));
      return Apply(ConstructorClosure(rhs.constructor()), args);
    }
    case RhsKind::Nil:
      return NilValue();
    case RhsKind::Cons:
      return ConsCell(Atom(rhs.args[0]), Atom(rhs.args[1]), ReachOf(rhs.args[0]));
    case RhsKind::Tuple:
      if (rhs.args.empty()) return Const(kUnit);
      return Tuple(Atoms(rhs.args), rhs.args.size(), ReachOf(rhs.args));
    case RhsKind::Record:
      return RecordValue(rhs.type, rhs.names, rhs.args);
    case RhsKind::Project: {
      llvm::Value* object = builder_.CreateIntToPtr(Atom(rhs.args[0]), ptr_);
      return builder_.CreateLoad(
          i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + rhs.position()));
    }
    case RhsKind::Field:
      return FieldValue(rhs.type, Atom(rhs.args[0]), rhs.names[0]);
    case RhsKind::Update: {
      llvm::Value* record = Atom(rhs.args[0]);
      return RecordUpdate(rhs.type, record, rhs.names,
                          std::vector<core::Atom>(rhs.args.begin() + 1, rhs.args.end()));
    }
    case RhsKind::Binary: {
      const BinaryOp op = rhs.op;
      if (op == BinaryOp::FAdd || op == BinaryOp::FSub || op == BinaryOp::FMul ||
          op == BinaryOp::FDiv)
        return Box(FloatRhs(rhs));
      const bool comparison = op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt ||
                              op == BinaryOp::Le || op == BinaryOp::Gt || op == BinaryOp::Ge;
      if (comparison && IsFloat(rhs.type))
        return FloatCompare(op, FloatAtom(rhs.args[0]), FloatAtom(rhs.args[1]));
      llvm::Value* l = Atom(rhs.args[0]);
      llvm::Value* r = Atom(rhs.args[1]);
      if (rhs.no_wrap && (op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul)) {
        // Proved not to wrap (core/bounds.cpp): operands >= 0, so a sum or
        // product wraps neither signed nor unsigned.
        const bool nuw = op != BinaryOp::Sub;
        const auto opcode = op == BinaryOp::Add   ? llvm::Instruction::Add
                            : op == BinaryOp::Sub ? llvm::Instruction::Sub
                                                  : llvm::Instruction::Mul;
        auto* raw = llvm::BinaryOperator::Create(opcode, Untag(l), Untag(r));
        builder_.Insert(raw);
        raw->setHasNoSignedWrap(true);
        raw->setHasNoUnsignedWrap(nuw);
        return Tag(raw);
      }
      return Operator(op, l, r, rhs.type, rhs.span);
    }
    case RhsKind::Negate: {
      if (llvm::Value* d = FloatRhs(rhs)) return Box(d);
      return Tag(Wrap63(builder_.CreateNeg(Untag(Atom(rhs.args[0])))));
    }
    case RhsKind::Closure: {
      llvm::Value* closure = AllocClosure(rhs.lambda());
      FillCaptures(rhs.lambda(), closure);
      return closure;
    }
    case RhsKind::GlobalValue: {
      const check::Function& f = checked_.functions[rhs.function()];
      if (f.arity == 0 && !f.effect)
        return BoxedResult(rhs.function(), builder_.CreateCall(functions_[rhs.function()], {}));
      return GlobalClosure(rhs.function());
    }
    case RhsKind::PrimValue: {
      const PrimInfo* p = PrimOf(rhs.prim);
      if (p == nullptr) return Const(kUnit);
      if (p->arity == 0 && !p->effect)
        return CallPrim(*p, {}, RegionOf(rhs.region), rhs.types, rhs.span);
      return PrimClosure(*p, rhs.span);
    }
    case RhsKind::ConValue:
      if (checked_.constructors[rhs.constructor()].arity == 0)
        return ConstructorValue(rhs.constructor(), {});
      return ConstructorClosure(rhs.constructor());
    case RhsKind::OpValue:
      return OperatorClosure(rhs.op, rhs.type, rhs.span);
    case RhsKind::Static:
      return BuildStatic(rhs.expr);
    case RhsKind::Region:
      return RegionRhs(rhs);
    case RhsKind::Block:
      return Nested(*rhs.body);
  }
  return Const(kUnit);
}

// Floats compared unboxed, IEEE: a NaN is equal to nothing and unordered
// with everything (every ordering operator is false), as the runtime's
// atl_compare_partial / atl_equal decide for boxed ones.
auto Lowerer::FloatCompare(BinaryOp op, llvm::Value* a, llvm::Value* b) -> llvm::Value* {
  switch (op) {
    case BinaryOp::Eq:
      return BoolValue(builder_.CreateFCmpOEQ(a, b));
    case BinaryOp::Ne:
      return BoolValue(builder_.CreateFCmpUNE(a, b));
    case BinaryOp::Lt:
      return BoolValue(builder_.CreateFCmpOLT(a, b));
    case BinaryOp::Le:
      return BoolValue(builder_.CreateFCmpOLE(a, b));
    case BinaryOp::Gt:
      return BoolValue(builder_.CreateFCmpOGT(a, b));
    default:
      return BoolValue(builder_.CreateFCmpOGE(a, b));  // Ge
  }
}

// A strict binary operator on two values; `operand` is the type of the
// left operand (it picks word or structural comparison, list or string ++).
auto Lowerer::Operator(BinaryOp op, llvm::Value* l, llvm::Value* r, check::Type* operand,
                       source::Span at) -> llvm::Value* {
  switch (op) {
    // Raw arithmetic wrapped at 63 bits; the tags of operands that were
    // computed here fold away.
    case BinaryOp::Add:
      return Tag(Wrap63(builder_.CreateAdd(Untag(l), Untag(r))));
    case BinaryOp::Sub:
      return Tag(Wrap63(builder_.CreateSub(Untag(l), Untag(r))));
    case BinaryOp::Mul:
      return Tag(Wrap63(builder_.CreateMul(Untag(l), Untag(r))));
    case BinaryOp::Div:
    case BinaryOp::Mod:
      return Divide(op, at, l, r);
    case BinaryOp::Append:
      if (check::IsCon(check::Resolve(operand), "List"))
        return builder_.CreateCall(list_append_, {l, r});
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
    case BinaryOp::FMul:
      return Box(builder_.CreateFMul(Unbox(l), Unbox(r)));
    case BinaryOp::FDiv:
      return Box(builder_.CreateFDiv(Unbox(l), Unbox(r)));
    case BinaryOp::FAdd:
      return Box(builder_.CreateFAdd(Unbox(l), Unbox(r)));
    case BinaryOp::FSub:
      return Box(builder_.CreateFSub(Unbox(l), Unbox(r)));
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
  // |n| <= 2^62, so n / -1 cannot overflow i64 and sdiv is always defined;
  // only -2^62 / -1 leaves 63 bits, and wraps to -2^62. A remainder is
  // smaller than the divisor.
  llvm::Value* n = Untag(l);
  llvm::Value* m = Untag(r);
  if (op == BinaryOp::Mod) return Tag(Remainder(n, m));
  return Tag(Wrap63(builder_.CreateSDiv(n, m)));
}

// n % m for m /= 0. When m is a power of two at run time (a hash table's
// size, a ring buffer's) and neither operand is negative, the remainder is
// n's low bits: an `and` instead of a division, which takes 10-40 cycles
// on x86-64 (bench/codegen/wordfreq's probe `(i + 1) % size` and its
// `stringHash w % size`). The test costs a few instructions and a branch
// that a program's divisors mostly decide the same way; with a constant
// divisor LLVM folds it and keeps one of the two paths.
auto Lowerer::Remainder(llvm::Value* n, llvm::Value* m) -> llvm::Value* {
  llvm::Value* low = builder_.CreateSub(m, Const(1));
  llvm::Value* power_of_two = builder_.CreateICmpEQ(builder_.CreateAnd(m, low), Const(0));
  llvm::Value* not_negative = builder_.CreateICmpSGE(builder_.CreateOr(n, m), Const(0));
  llvm::BasicBlock* mask_bb = NewBlock("rem_mask");
  llvm::BasicBlock* divide_bb = NewBlock("rem_divide");
  llvm::BasicBlock* done_bb = NewBlock("rem_done");
  builder_.CreateCondBr(builder_.CreateAnd(power_of_two, not_negative), mask_bb, divide_bb);
  builder_.SetInsertPoint(mask_bb);
  llvm::Value* masked = builder_.CreateAnd(n, low);
  builder_.CreateBr(done_bb);
  builder_.SetInsertPoint(divide_bb);
  llvm::Value* divided = builder_.CreateSRem(n, m);
  builder_.CreateBr(done_bb);
  builder_.SetInsertPoint(done_bb);
  llvm::PHINode* result = builder_.CreatePHI(i64_, 2);
  result->addIncoming(masked, mask_bb);
  result->addIncoming(divided, divide_bb);
  return result;
}

// String equality as an i1, the cheap cases inline: the same object (equal
// words of one `words` call are one string), then the byte lengths from the
// headers (different: unequal; both 0: equal, so `s == ""` reads one
// header), and only equal non-zero lengths call atl_string_equal.
auto Lowerer::StringEqual(llvm::Value* l, llvm::Value* r) -> llvm::Value* {
  llvm::Function* fn = builder_.GetInsertBlock()->getParent();
  llvm::BasicBlock* entry = builder_.GetInsertBlock();
  auto* lengths = llvm::BasicBlock::Create(ctx_, "streq_len", fn);
  auto* bytes = llvm::BasicBlock::Create(ctx_, "streq_bytes", fn);
  auto* done = llvm::BasicBlock::Create(ctx_, "streq_done", fn);
  builder_.CreateCondBr(builder_.CreateICmpEQ(l, r), done, lengths);
  builder_.SetInsertPoint(lengths);
  auto length = [&](llvm::Value* v) {
    llvm::Value* header = builder_.CreateLoad(i64_, builder_.CreateIntToPtr(v, ptr_));
    return builder_.CreateLShr(header, 32);
  };
  llvm::Value* ll = length(l);
  llvm::Value* same_length = builder_.CreateICmpEQ(ll, length(r));
  llvm::Value* nonempty = builder_.CreateICmpNE(ll, builder_.getInt64(0));
  builder_.CreateCondBr(builder_.CreateAnd(same_length, nonempty), bytes, done);
  builder_.SetInsertPoint(bytes);
  llvm::Value* called =
      builder_.CreateICmpNE(builder_.CreateCall(string_equal_, {l, r}), builder_.getInt32(0));
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  llvm::PHINode* result = builder_.CreatePHI(builder_.getInt1Ty(), 3);
  result->addIncoming(builder_.getTrue(), entry);
  result->addIncoming(same_length, lengths);
  result->addIncoming(called, bytes);
  return result;
}

auto Lowerer::Compare(BinaryOp op, check::Type* operand, llvm::Value* l, llvm::Value* r,
                      source::Span at) -> llvm::Value* {
  // Ints compare as tagged words (the tag preserves order); Bool and ()
  // are nullary constructors whose encodings follow declaration order.
  check::Type* t = check::Resolve(operand);
  // Raw when either side has a raw value here, so a loop's counter
  // compared with its bound stays untagged; two words (parameters, loaded
  // fields) compare as they are (the tag preserves order).
  auto raw = [&](llvm::Value* v) { return !llvm::isa<llvm::Constant>(v) && raw_of_.count(v) != 0; };
  if (check::IsCon(t, "Int") && (raw(l) || raw(r))) {
    l = Untag(l);
    r = Untag(r);
  }
  const bool word = check::IsCon(t, "Int") || check::IsCon(t, "Bool") || check::IsCon(t, "()") ||
                    check::IsCon(t, "Char");
  llvm::Value* lhs = l;
  llvm::Value* rhs = r;
  if (check::IsCon(t, "String")) {
    // Both operands are strings: length and bytes, no structural walk
    // (which cannot fail on strings, so no location either).
    const bool eq = op == BinaryOp::Eq || op == BinaryOp::Ne;
    if (eq) {
      llvm::Value* same = StringEqual(l, r);
      return BoolValue(op == BinaryOp::Eq ? same : builder_.CreateNot(same));
    }
    lhs = builder_.CreateCall(string_compare_, {l, r});
    rhs = builder_.getInt32(0);
  } else if (!word) {
    // Comparing a function or a Ref hidden in a type variable is a runtime error.
    if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
      lhs = At(at, [&] { return builder_.CreateCall(equal_, {l, r}); });
      rhs = builder_.getInt32(0);
      return BoolValue(op == BinaryOp::Eq ? builder_.CreateICmpNE(lhs, rhs)
                                          : builder_.CreateICmpEQ(lhs, rhs));
    }
    // -1, 0, 1, or 2 when a NaN leaves the values unordered (all false).
    llvm::Value* c = At(at, [&] { return builder_.CreateCall(compare_, {l, r}); });
    if (op == BinaryOp::Gt) return BoolValue(builder_.CreateICmpEQ(c, builder_.getInt32(1)));
    if (op == BinaryOp::Ge) return BoolValue(builder_.CreateICmpULE(c, builder_.getInt32(1)));
    lhs = c;
    rhs = builder_.getInt32(0);
  }
  switch (op) {
    case BinaryOp::Eq:
      return BoolValue(builder_.CreateICmpEQ(lhs, rhs));
    case BinaryOp::Ne:
      return BoolValue(builder_.CreateICmpNE(lhs, rhs));
    case BinaryOp::Lt:
      return BoolValue(builder_.CreateICmpSLT(lhs, rhs));
    case BinaryOp::Le:
      return BoolValue(builder_.CreateICmpSLE(lhs, rhs));
    case BinaryOp::Gt:
      return BoolValue(builder_.CreateICmpSGT(lhs, rhs));
    case BinaryOp::Ge:
      return BoolValue(builder_.CreateICmpSGE(lhs, rhs));
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

}  // namespace atl::lower
