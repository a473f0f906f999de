// Pattern shapes (pattern_shape.h).
#include "compiler/check/pattern_shape.h"

namespace atl::check {

using parse::Cast;
using parse::PatternKind;

auto ConstructorArity(const CheckedModule& m, int id) -> int {
  if (id >= 0) return m.constructors[static_cast<size_t>(id)].arity;
  return id == kConCons ? 2 : 0;
}

auto ConstructorSiblings(const CheckedModule& m, int id) -> int {
  if (id >= 0) return m.constructors[static_cast<size_t>(id)].sibling_count;
  return id == kConUnit ? 1 : 2;
}

auto SameLiteral(const parse::Literal& a, const parse::Literal& b) -> bool {
  return a.kind == b.kind && a.int_value == b.int_value && a.char_value == b.char_value &&
         a.string_value == b.string_value && a.float_value == b.float_value;
}

namespace {

class Shaper {
 public:
  Shaper(const CheckedModule& m, const std::vector<Type*>& types, bool* erroneous)
      : m_(m), types_(types), erroneous_(erroneous) {}

  auto Shape(const parse::Pattern* p) -> PatternShape {
    PatternShape out;
    Type* t = p->id < types_.size() ? types_[p->id] : nullptr;
    out.type = t != nullptr ? Resolve(t) : nullptr;
    out.span = p->span;
    switch (p->kind) {
      case PatternKind::Var:
        out.local = p->id < m_.pattern_locals.size() ? m_.pattern_locals[p->id] : -1;
        out.name = Cast<parse::VarPattern>(p)->name;
        return out;
      case PatternKind::Wildcard:
        return out;
      case PatternKind::Error:
        Flag();
        return out;
      case PatternKind::Unit:
        out.kind = PatternShape::Kind::Con;
        out.con = kConUnit;
        return out;
      case PatternKind::Annot: {
        PatternShape inner = Shape(Cast<parse::AnnotPattern>(p)->pattern);
        if (inner.type == nullptr) inner.type = out.type;
        return inner;
      }
      case PatternKind::Literal:
        out.kind = PatternShape::Kind::Lit;
        out.literal = Cast<parse::LiteralPattern>(p)->literal;
        return out;
      case PatternKind::Con: {
        const int id = p->id < m_.pattern_constructors.size() ? m_.pattern_constructors[p->id]
                                                              : kNoConstructor;
        if (id == kNoConstructor) {  // reported by the checker
          Flag();
          return out;
        }
        out.kind = PatternShape::Kind::Con;
        out.con = id;
        for (const parse::Pattern* a : Cast<parse::ConPattern>(p)->args)
          out.args.push_back(Shape(a));
        return out;
      }
      case PatternKind::Tuple:
        out.kind = PatternShape::Kind::Tuple;
        for (const parse::Pattern* e : Cast<parse::TuplePattern>(p)->elements)
          out.args.push_back(Shape(e));
        return out;
      case PatternKind::Record:
        out.kind = PatternShape::Kind::Record;
        for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields) {
          out.fields.push_back(f.name.text);
          out.args.push_back(Shape(f.pattern));
        }
        return out;
      case PatternKind::List: {
        // [p1, ..., pn] is p1 :: ... :: pn :: [].
        const auto& elements = Cast<parse::ListPattern>(p)->elements;
        PatternShape list;
        list.kind = PatternShape::Kind::Con;
        list.con = kConNil;
        list.type = out.type;
        list.span = p->span;
        for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
          PatternShape cell;
          cell.kind = PatternShape::Kind::Con;
          cell.con = kConCons;
          cell.type = out.type;
          cell.span = (*it)->span;
          cell.args.push_back(Shape(*it));
          cell.args.push_back(std::move(list));
          list = std::move(cell);
        }
        return list;
      }
      case PatternKind::Cons: {
        const auto* cons = Cast<parse::ConsPattern>(p);
        out.kind = PatternShape::Kind::Con;
        out.con = kConCons;
        out.args.push_back(Shape(cons->head));
        out.args.push_back(Shape(cons->tail));
        return out;
      }
    }
    return out;
  }

 private:
  void Flag() {
    if (erroneous_ != nullptr) *erroneous_ = true;
  }

  const CheckedModule& m_;
  const std::vector<Type*>& types_;
  bool* erroneous_;
};

}  // namespace

auto ShapeOf(const CheckedModule& m, const std::vector<Type*>& pattern_types,
             const parse::Pattern* p, bool* erroneous) -> PatternShape {
  return Shaper(m, pattern_types, erroneous).Shape(p);
}

}  // namespace atl::check
