// Constant data: an expression built only from literals, nullary and
// applied constructors, tuples and lists becomes a static object in the
// `atl_static` section (read-only, never allocated, copied or freed: the
// runtime recognises the section through atl_program_info's bounds).
#include "compiler/lower/lowerer.h"
#include "compiler/source/internal_check.h"

namespace atl::lower {

using parse::Cast;
using parse::ExprKind;

auto Lowerer::StaticObject(uint32_t descriptor, const std::vector<llvm::Constant*>& fields)
    -> llvm::Constant* {
  const uint64_t header = uint64_t{ATL_KIND_CON} | (static_cast<uint64_t>(descriptor) << 8) |
                          (static_cast<uint64_t>(fields.size()) << 32);
  std::vector<llvm::Constant*> words = {Const(header)};
  words.insert(words.end(), fields.begin(), fields.end());
  auto* array_ty = llvm::ArrayType::get(i64_, words.size());
  auto* global = new llvm::GlobalVariable(*llvm_module_, array_ty, /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          llvm::ConstantArray::get(array_ty, words), "atl.const");
  global->setAlignment(llvm::Align(8));
  global->setSection("atl_static");
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return llvm::ConstantExpr::getPtrToInt(global, i64_);
}

// Which expressions are constant is decided in one place, shared with the
// checker's send analysis (check::IsStaticValue); Core marks them as
// Rhs::Static.
auto Lowerer::BuildStatic(const parse::Expr* e) -> llvm::Constant* {
  ATL_CHECK(check::IsStaticValue(checked_, e), "Rhs::Static of an expression that is not constant");
  auto all = [&](const std::vector<parse::Expr*>& xs) {
    std::vector<llvm::Constant*> out;
    for (const parse::Expr* x : xs) out.push_back(BuildStatic(x));
    return out;
  };
  switch (e->kind) {
    case ExprKind::Literal: {
      const parse::Literal& lit = Cast<parse::LiteralExpr>(e)->literal;
      switch (lit.kind) {
        case parse::LiteralKind::String:
          return StringLiteral(lit.string_value);
        case parse::LiteralKind::Float:
          return FloatLiteral(lit.float_value);
        case parse::LiteralKind::Char:
          return Const((static_cast<uint64_t>(lit.char_value) << 3) | 6u);
        case parse::LiteralKind::Int:
          return Const(TagInt(lit.int_value));
      }
      break;
    }
    case ExprKind::Unit:
      return Const(kUnit);
    case ExprKind::Negate:  // of an Int literal
      return Const(TagInt(
          -Cast<parse::LiteralExpr>(Cast<parse::NegateExpr>(e)->operand)->literal.int_value));
    case ExprKind::Annot:
      return BuildStatic(Cast<parse::AnnotExpr>(e)->expr);
    case ExprKind::Con: {
      const check::Ref& ref = checked_.refs[e->id];
      if (ref.kind == check::RefKind::BuiltinConstructor) return BuiltinNullary(ref.index);
      return Const((static_cast<uint64_t>(ConstructorDescriptor(ref.index)) << 3) | 2u);
    }
    case ExprKind::App: {  // a saturated constructor
      const check::Spine spine = check::FlattenApp(e);
      std::vector<llvm::Constant*> fields;
      for (const parse::Expr* a : spine.args) fields.push_back(BuildStatic(a));
      return StaticObject(ConstructorDescriptor(checked_.refs[spine.head->id].index), fields);
    }
    case ExprKind::Tuple: {
      std::vector<llvm::Constant*> fields = all(Cast<parse::TupleExpr>(e)->elements);
      return StaticObject(TupleDescriptor(fields.size()), fields);
    }
    case ExprKind::List: {
      const std::vector<llvm::Constant*> elements = all(Cast<parse::ListExpr>(e)->elements);
      llvm::Constant* list = NilValue();
      for (auto it = elements.rbegin(); it != elements.rend(); ++it)
        list = StaticObject(ConsDescriptor(), {*it, list});
      return list;
    }
    default:
      break;
  }
  ATL_UNREACHABLE("BuildStatic of an expression check::IsStaticValue rejects");
}

}  // namespace atl::lower
