// Known calls of the Prelude's effect helpers expanded in place, so loops
// written with them allocate nothing per iteration and make no indirect
// call when the body is a lambda or a known function:
//
//   forRange a b f   a counted loop; f's body runs inline with its parameter
//                    bound to the counter
//   forEach xs f     a loop over the list cells
//   when c act       if c then act else pure ()   (also in tail position, so
//   unless c act     `when (i < n) $ do ...; loop (i + 1)` is a loop)
//
// The expansion is keyed on the helper's name, arity and effect-ness: it
// is the definition in lib/Prelude.atl unrolled by one level (a program
// that defines its own `forRange` with other semantics under that name
// would be mis-compiled; the Prelude's names are reserved in practice).
#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::Cast;
using parse::ExprKind;

auto Lowerer::KnownHelper(const check::Spine& spine) -> Helper {
  const auto* head = parse::DynCast<parse::VarExpr>(spine.head);
  if (head == nullptr) return Helper::None;
  const check::Ref& ref = checked_.refs[head->id];
  if (ref.kind != check::RefKind::Global) return Helper::None;
  const check::Function& f = checked_.functions[ref.index];
  if (!f.effect || f.arity != static_cast<int>(spine.args.size()) || ref.index == current_) return Helper::None;
  if (f.name == "forRange" && f.arity == 3) return Helper::ForRange;
  if (f.name == "forEach" && f.arity == 2) return Helper::ForEach;
  if (f.name == "when" && f.arity == 2) return Helper::When;
  if (f.name == "unless" && f.arity == 2) return Helper::Unless;
  return Helper::None;
}

// A way to run `fn x` many times: inline for a one-parameter lambda, a
// direct call for a known action function, else one closure built before
// the loop and applied each time.
auto Lowerer::PrepareBody(const parse::Expr* fn) -> LoopBody {
  while (fn->kind == ExprKind::Annot) fn = Cast<parse::AnnotExpr>(fn)->expr;
  if (const auto* lambda = parse::DynCast<parse::LambdaExpr>(fn);
      lambda != nullptr && lambda->params.size() == 1 && check::IsCon(check::Resolve(TypeOf(lambda->body)), "Effect"))
    return LoopBody{lambda, -1, nullptr, nullptr};
  if (const auto* var = parse::DynCast<parse::VarExpr>(fn)) {
    const check::Ref& ref = checked_.refs[var->id];
    if (ref.kind == check::RefKind::Global && checked_.functions[ref.index].effect &&
        checked_.functions[ref.index].arity == 1)
      return LoopBody{nullptr, ref.index, nullptr, nullptr};
  }
  if (const LocalFunction* lf = KnownLocal(fn); lf != nullptr && lf->effect && lf->arity == 1)
    return LoopBody{nullptr, -1, Value(fn), lf->code};
  return LoopBody{nullptr, -1, Value(fn), nullptr};
}

auto Lowerer::RunBody(const LoopBody& body, llvm::Value* arg) -> llvm::Value* {
  if (body.lambda != nullptr) {
    MatchOrFail(body.lambda->params[0], arg, "the value does not match the lambda's parameter");
    return Run(body.lambda->body);
  }
  if (body.global >= 0) return CallGlobalBoxed(body.global, {arg});
  if (body.local_code != nullptr)
    return builder_.CreateCall(body.local_code, {builder_.CreateIntToPtr(body.closure, ptr_), arg, RegionWord()});
  return Apply(body.closure, {arg, RegionWord()});
}

auto Lowerer::ExpandHelper(Helper helper, const check::Spine& spine, bool tail) -> llvm::Value* {
  switch (helper) {
    case Helper::None:
      return nullptr;
    case Helper::When:
    case Helper::Unless: {
      llvm::Value* c = IsTrue(Value(spine.args[0]));
      llvm::BasicBlock* act = NewBlock("when_act");
      llvm::BasicBlock* skip = NewBlock("when_skip");
      if (helper == Helper::When) {
        builder_.CreateCondBr(c, act, skip);
      } else {
        builder_.CreateCondBr(c, skip, act);
      }
      if (tail) {
        builder_.SetInsertPoint(act);
        Tail(spine.args[1], Mode::Run);
        builder_.SetInsertPoint(skip);
        builder_.CreateRet(Const(kUnit));
        return nullptr;
      }
      builder_.SetInsertPoint(act);
      Run(spine.args[1]);
      builder_.CreateBr(skip);
      builder_.SetInsertPoint(skip);
      return Const(kUnit);
    }
    case Helper::ForRange: {
      llvm::Value* from = Value(spine.args[0]);
      llvm::Value* to = Value(spine.args[1]);
      const LoopBody body = PrepareBody(spine.args[2]);
      llvm::BasicBlock* before = builder_.GetInsertBlock();
      llvm::BasicBlock* header = NewBlock("for_header");
      llvm::BasicBlock* loop = NewBlock("for_body");
      llvm::BasicBlock* done = NewBlock("for_done");
      builder_.CreateBr(header);
      builder_.SetInsertPoint(header);
      llvm::PHINode* i = builder_.CreatePHI(i64_, 2, "i");
      i->addIncoming(from, before);
      // Tagged Ints compare like the integers they encode.
      builder_.CreateCondBr(builder_.CreateICmpSLT(i, to), loop, done);
      builder_.SetInsertPoint(loop);
      RunBody(body, i);
      i->addIncoming(builder_.CreateAdd(i, Const(2)), builder_.GetInsertBlock());
      builder_.CreateBr(header);
      builder_.SetInsertPoint(done);
      break;
    }
    case Helper::ForEach: {
      llvm::Value* list = Value(spine.args[0]);
      const LoopBody body = PrepareBody(spine.args[1]);
      llvm::BasicBlock* before = builder_.GetInsertBlock();
      llvm::BasicBlock* header = NewBlock("each_header");
      llvm::BasicBlock* done = NewBlock("each_done");
      builder_.CreateBr(header);
      builder_.SetInsertPoint(header);
      llvm::PHINode* cell = builder_.CreatePHI(i64_, 2, "cell");
      cell->addIncoming(list, before);
      auto [head, rest] = SplitCons(cell, done);
      RunBody(body, head);
      cell->addIncoming(rest, builder_.GetInsertBlock());
      builder_.CreateBr(header);
      builder_.SetInsertPoint(done);
      break;
    }
  }
  if (tail) {
    builder_.CreateRet(Const(kUnit));
    return nullptr;
  }
  return Const(kUnit);
}

}  // namespace atl::lower
