// Pattern tests for clauses and case alternatives.
#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::Cast;
using parse::PatternKind;

auto Lowerer::IsIrrefutable(const parse::Pattern* p) -> bool {
  switch (p->kind) {
    case PatternKind::Var:
    case PatternKind::Wildcard:
    case PatternKind::Unit:
      return true;
    case PatternKind::Annot:
      return IsIrrefutable(Cast<parse::AnnotPattern>(p)->pattern);
    case PatternKind::Tuple:
      for (const parse::Pattern* e : Cast<parse::TuplePattern>(p)->elements)
        if (!IsIrrefutable(e)) return false;
      return true;
    case PatternKind::Literal:
    case PatternKind::Con:
    case PatternKind::List:
    case PatternKind::Cons:
    case PatternKind::Record:
    case PatternKind::Error:
      return false;
  }
  return false;
}

void Lowerer::Match(const parse::Pattern* p, llvm::Value* v, llvm::BasicBlock* fail) {
  auto test = [&](llvm::Value* expected) {
    llvm::BasicBlock* ok = NewBlock("match");
    builder_.CreateCondBr(builder_.CreateICmpEQ(v, expected), ok, fail);
    builder_.SetInsertPoint(ok);
  };
  switch (p->kind) {
    case PatternKind::Var:
      locals_[checked_.pattern_locals[p->id]] = v;
      return;
    case PatternKind::Wildcard:
    case PatternKind::Unit:
      return;
    case PatternKind::Literal:
      test(Const(TagInt(Cast<parse::LiteralPattern>(p)->literal.int_value)));
      return;
    case PatternKind::Con:
      test(Const(Cast<parse::ConPattern>(p)->name.text == "True" ? kTrue : kFalse));
      return;
    case PatternKind::Annot:
      Match(Cast<parse::AnnotPattern>(p)->pattern, v, fail);
      return;
    case PatternKind::Tuple: {
      // The type guarantees a tuple of this arity: no tag test, just fields.
      const auto* tuple = Cast<parse::TuplePattern>(p);
      llvm::Value* object = builder_.CreateIntToPtr(v, ptr_);
      for (size_t i = 0; i < tuple->elements.size(); ++i) {
        llvm::Value* field = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + i));
        Match(tuple->elements[i], field, fail);
      }
      return;
    }
    case PatternKind::List:
    case PatternKind::Cons:
    case PatternKind::Record:
    case PatternKind::Error:
      return;  // rejected by the checker
  }
}

}  // namespace atl::lower
