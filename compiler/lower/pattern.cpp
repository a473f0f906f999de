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
    case PatternKind::Record:
      for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields)
        if (!IsIrrefutable(f.pattern)) return false;
      return true;
    case PatternKind::Literal:
    case PatternKind::Con:
    case PatternKind::List:
    case PatternKind::Cons:
    case PatternKind::Error:
      return false;
  }
  return false;
}

void Lowerer::MatchOrFail(const parse::Pattern* p, llvm::Value* v, const char* message) {
  llvm::BasicBlock* no_match = NewBlock("no_match");
  Match(p, v, no_match);
  if (IsIrrefutable(p)) {
    // Tuple and variable patterns never branch to it.
    no_match->eraseFromParent();
    return;
  }
  const llvm::IRBuilderBase::InsertPoint here = builder_.saveIP();
  builder_.SetInsertPoint(no_match);
  Fail(message, p->span);
  builder_.restoreIP(here);
}

// Branches to `fail` on Nil; otherwise loads the cell's head and tail.
auto Lowerer::SplitCons(llvm::Value* list, llvm::BasicBlock* fail) -> std::pair<llvm::Value*, llvm::Value*> {
  llvm::BasicBlock* cell = NewBlock("cons");
  builder_.CreateCondBr(builder_.CreateICmpEQ(list, NilValue()), fail, cell);
  builder_.SetInsertPoint(cell);
  llvm::Value* object = builder_.CreateIntToPtr(list, ptr_);
  llvm::Value* head = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1));
  llvm::Value* tail = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 2));
  return {head, tail};
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
    case PatternKind::Literal: {
      const parse::Literal& lit = Cast<parse::LiteralPattern>(p)->literal;
      switch (lit.kind) {
        case parse::LiteralKind::Int: test(Const(TagInt(lit.int_value))); return;
        case parse::LiteralKind::Char: test(Const((static_cast<uint64_t>(lit.char_value) << 3) | 6u)); return;
        case parse::LiteralKind::String:
        case parse::LiteralKind::Float: {
          llvm::Value* literal = lit.kind == parse::LiteralKind::String ? StringLiteral(lit.string_value)
                                                                        : FloatLiteral(lit.float_value);
          llvm::BasicBlock* ok = NewBlock("match");
          builder_.CreateCondBr(builder_.CreateICmpNE(builder_.CreateCall(equal_, {v, literal}), builder_.getInt32(0)),
                                ok, fail);
          builder_.SetInsertPoint(ok);
          return;
        }
      }
      return;
    }
    case PatternKind::Con: {
      const auto* c = Cast<parse::ConPattern>(p);
      const int index = checked_.pattern_constructors[p->id];
      if (index < 0) {
        test(BuiltinNullary(c->name.text));
        return;
      }
      if (c->args.empty()) {
        test(ConstructorValue(index, {}));
        return;
      }
      // A pointer (low bits 000) whose header names this constructor.
      const uint32_t id = ConstructorDescriptor(index);
      llvm::BasicBlock* object_bb = NewBlock("con_object");
      llvm::BasicBlock* ok = NewBlock("match");
      builder_.CreateCondBr(builder_.CreateICmpEQ(builder_.CreateAnd(v, Const(7)), Const(0)), object_bb, fail);
      builder_.SetInsertPoint(object_bb);
      llvm::Value* object = builder_.CreateIntToPtr(v, ptr_);
      llvm::Value* header = builder_.CreateLoad(i64_, object);
      llvm::Value* desc = builder_.CreateAnd(builder_.CreateLShr(header, 8), Const(0xFFFFFF));
      builder_.CreateCondBr(builder_.CreateICmpEQ(desc, Const(id)), ok, fail);
      builder_.SetInsertPoint(ok);
      for (size_t i = 0; i < c->args.size(); ++i) {
        llvm::Value* field = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + i));
        Match(c->args[i], field, fail);
      }
      return;
    }
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
    case PatternKind::List: {
      // [p1, ..., pn]: n cells, then Nil.
      llvm::Value* rest = v;
      for (const parse::Pattern* element : Cast<parse::ListPattern>(p)->elements) {
        auto [head, tail] = SplitCons(rest, fail);
        Match(element, head, fail);
        rest = tail;
      }
      llvm::BasicBlock* ok = NewBlock("match");
      builder_.CreateCondBr(builder_.CreateICmpEQ(rest, NilValue()), ok, fail);
      builder_.SetInsertPoint(ok);
      return;
    }
    case PatternKind::Cons: {
      const auto* cons = Cast<parse::ConsPattern>(p);
      auto [head, tail] = SplitCons(v, fail);
      Match(cons->head, head, fail);
      Match(cons->tail, tail, fail);
      return;
    }
    case PatternKind::Record:
      // Irrefutable as a shape (the type says it is this record); its
      // field patterns may not be.
      for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields) {
        llvm::Value* name = builder_.CreateGlobalString(f.name.text, "atl.field", 0, llvm_module_.get());
        Match(f.pattern, builder_.CreateCall(record_field_, {v, name}), fail);
      }
      return;
    case PatternKind::Error:
      return;  // rejected by the checker
  }
}

}  // namespace atl::lower
