// Constant data: an expression built only from literals, nullary and
// applied constructors, tuples and lists becomes a static object in the
// `atl_static` section (read-only, never allocated, copied or freed: the
// runtime recognises the section through atl_program_info's bounds).
#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::Cast;
using parse::ExprKind;

auto Lowerer::StaticObject(uint32_t descriptor, const std::vector<llvm::Constant*>& fields) -> llvm::Constant* {
  const uint64_t header = 1u /*ATL_KIND_CON*/ | (static_cast<uint64_t>(descriptor) << 8) |
                          (static_cast<uint64_t>(fields.size()) << 32);
  std::vector<llvm::Constant*> words = {Const(header)};
  words.insert(words.end(), fields.begin(), fields.end());
  auto* array_ty = llvm::ArrayType::get(i64_, words.size());
  auto* global = new llvm::GlobalVariable(*llvm_module_, array_ty, /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, llvm::ConstantArray::get(array_ty, words),
                                          "atl.const");
  global->setAlignment(llvm::Align(8));
  global->setSection("atl_static");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return llvm::ConstantExpr::getPtrToInt(global, i64_);
}

auto Lowerer::StaticValue(const parse::Expr* e) -> llvm::Constant* {
  switch (e->kind) {
    case ExprKind::Literal: {
      const parse::Literal& lit = Cast<parse::LiteralExpr>(e)->literal;
      switch (lit.kind) {
        case parse::LiteralKind::String: return StringLiteral(lit.string_value);
        case parse::LiteralKind::Float: return FloatLiteral(lit.float_value);
        case parse::LiteralKind::Char: return Const((static_cast<uint64_t>(lit.char_value) << 3) | 6u);
        case parse::LiteralKind::Int: return Const(TagInt(lit.int_value));
      }
      return nullptr;
    }
    case ExprKind::Unit:
      return Const(kUnit);
    case ExprKind::Negate: {
      const parse::Expr* operand = Cast<parse::NegateExpr>(e)->operand;
      const auto* lit = parse::DynCast<parse::LiteralExpr>(operand);
      if (lit == nullptr || lit->literal.kind != parse::LiteralKind::Int) return nullptr;
      return Const(TagInt(-lit->literal.int_value));
    }
    case ExprKind::Annot:
      return StaticValue(Cast<parse::AnnotExpr>(e)->expr);
    case ExprKind::Con: {
      const check::Ref& ref = checked_.refs[e->id];
      if (ref.kind != check::RefKind::Constructor) return BuiltinNullary(Cast<parse::ConExpr>(e)->name);
      if (checked_.constructors[ref.index].arity != 0) return nullptr;
      return Const((static_cast<uint64_t>(ConstructorDescriptor(ref.index)) << 3) | 2u);
    }
    case ExprKind::App: {
      const check::Spine spine = check::FlattenApp(e);
      if (spine.head->kind != ExprKind::Con) return nullptr;
      const check::Ref& ref = checked_.refs[spine.head->id];
      if (ref.kind != check::RefKind::Constructor ||
          checked_.constructors[ref.index].arity != static_cast<int>(spine.args.size()))
        return nullptr;
      std::vector<llvm::Constant*> fields;
      for (const parse::Expr* a : spine.args) {
        llvm::Constant* c = StaticValue(a);
        if (c == nullptr) return nullptr;
        fields.push_back(c);
      }
      return StaticObject(ConstructorDescriptor(ref.index), fields);
    }
    case ExprKind::Tuple: {
      std::vector<llvm::Constant*> fields;
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) {
        llvm::Constant* c = StaticValue(x);
        if (c == nullptr) return nullptr;
        fields.push_back(c);
      }
      return StaticObject(TupleDescriptor(fields.size()), fields);
    }
    case ExprKind::List: {
      std::vector<llvm::Constant*> elements;
      for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) {
        llvm::Constant* c = StaticValue(x);
        if (c == nullptr) return nullptr;
        elements.push_back(c);
      }
      llvm::Constant* list = NilValue();
      for (auto it = elements.rbegin(); it != elements.rend(); ++it)
        list = StaticObject(ConsDescriptor(), {*it, list});
      return list;
    }
    case ExprKind::Var:
    case ExprKind::Binary:
    case ExprKind::If:
    case ExprKind::Case:
    case ExprKind::Let:
    case ExprKind::Lambda:
    case ExprKind::Do:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
    case ExprKind::Error:
      return nullptr;
  }
  return nullptr;
}

}  // namespace atl::lower
