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
    case PatternKind::Literal:
    case PatternKind::Con:
    case PatternKind::Tuple:
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
    case PatternKind::Tuple:
    case PatternKind::List:
    case PatternKind::Cons:
    case PatternKind::Record:
    case PatternKind::Error:
      return;  // rejected by the checker
  }
}

}  // namespace atl::lower
