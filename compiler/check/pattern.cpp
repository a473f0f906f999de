// Patterns: bind variables and constrain the matched type.
#include <fmt/core.h>

#include "compiler/check/checker.h"
#include "compiler/check/pattern_shape.h"

namespace atl::check {

using parse::Cast;
using parse::PatternKind;

auto Checker::NewLocal(const std::string& name, Type* t, source::Span span) -> int {
  const int id = out_.local_count++;
  out_.local_spans.push_back(span);
  out_.local_modules.push_back(module_index_);
  out_.local_types.push_back(t);
  scopes_.back()[name] = Binding{Ref{RefKind::Local, id, Builtin::Print}, Scheme{{}, t}, {}};
  return id;
}

// The one place a constructor's name is resolved: `True`, `False` and the
// list's `Nil` get the built-in ids (check.h), any other name is looked up
// and reported when unknown.
auto Checker::ResolveConstructor(const std::string& qualifier, const std::string& name,
                                 source::Span span) -> int {
  if (qualifier.empty() && name == "True") return kConTrue;
  if (qualifier.empty() && name == "False") return kConFalse;
  if (IsListNil(qualifier, name)) return kConNil;
  return LookupConstructor(qualifier, name, span);
}

auto Checker::BuiltinConstructorType(int id) -> Type* {
  switch (id) {
    case kConNil:
      return arena_.List(arena_.NewVar(level_));
    case kConUnit:
      return arena_.Unit();
    default:
      return arena_.Bool();
  }
}

auto Checker::LookupConstructor(const std::string& qualifier, const std::string& name,
                                source::Span span) -> int {
  if (!qualifier.empty()) {
    auto m = module_ids_.find(qualifier);
    if (m != module_ids_.end() && m->second < module_index_) {
      auto it = exports_[m->second].constructors.find(name);
      if (it != exports_[m->second].constructors.end()) return it->second.index;
    }
    diags_.Report(diag::Kind::UnknownConstructor, *file_, span,
                  fmt::format("unknown constructor `{}.{}`", qualifier, name));
    return kNoConstructor;
  }
  auto it = constructors_.find(name);
  if (it == constructors_.end()) {
    auto& d = diags_.Report(diag::Kind::UnknownConstructor, *file_, span,
                            fmt::format("unknown constructor `{}`", name));
    if (auto near = SuggestConstructor(name))
      d.AddFix(*file_, span, *near, fmt::format("did you mean `{}`?", *near));
    return kNoConstructor;
  }
  if (!it->second.clash.empty()) {
    diags_.Report(diag::Kind::AmbiguousName, *file_, span,
                  fmt::format("the constructor `{}` is defined by several imported modules", name));
    return kNoConstructor;
  }
  return it->second.index;
}

// After an error in a constructor pattern, still bind its variables (at fresh
// types) so their uses do not cascade into "unknown name" errors.
void Checker::BindFresh(const std::vector<parse::Pattern*>& args) {
  for (const parse::Pattern* a : args) BindPattern(a, arena_.NewVar(level_));
}

void Checker::BindPattern(const parse::Pattern* p, Type* t) {
  if (p->id < pattern_types_.size()) pattern_types_[p->id] = t;
  switch (p->kind) {
    case PatternKind::Var: {
      const auto* v = Cast<parse::VarPattern>(p);
      out_.pattern_locals[p->id] = NewLocal(v->name, t, p->span);
      return;
    }
    case PatternKind::Wildcard:
      return;
    case PatternKind::Literal: {
      const auto* l = Cast<parse::LiteralPattern>(p);
      switch (l->literal.kind) {
        case parse::LiteralKind::Int:
          UnifyAt(t, arena_.Int(), p->span, "the pattern");
          return;
        case parse::LiteralKind::Float:
          UnifyAt(t, arena_.Float(), p->span, "the pattern");
          return;
        case parse::LiteralKind::Char:
          UnifyAt(t, arena_.Char(), p->span, "the pattern");
          return;
        case parse::LiteralKind::String:
          UnifyAt(t, arena_.String(), p->span, "the pattern");
          return;
      }
      return;
    }
    case PatternKind::Con: {
      const auto* c = Cast<parse::ConPattern>(p);
      const int id = ResolveConstructor(c->qualifier, c->name.text, c->name.span);
      if (id == kNoConstructor) {
        BindFresh(c->args);
        return;
      }
      const int arity = ConstructorArity(out_, id);
      if (static_cast<int>(c->args.size()) != arity) {
        diags_.Report(diag::Kind::ArityMismatch, *file_, p->span,
                      fmt::format("the constructor `{}` has {} field{}, the pattern gives {}",
                                  c->name.text, arity, arity == 1 ? "" : "s", c->args.size()));
        BindFresh(c->args);
        return;
      }
      out_.pattern_constructors[p->id] = id;
      if (id < 0) {
        UnifyAt(t, BuiltinConstructorType(id), p->span, "the pattern");
        return;
      }
      const Constructor& con = out_.constructors[id];
      auto [fields, result] = SplitFun(Instantiate(arena_, con.scheme, level_), con.arity);
      UnifyAt(t, result, p->span, "the pattern");
      for (size_t i = 0; i < fields.size(); ++i) BindPattern(c->args[i], fields[i]);
      return;
    }
    case PatternKind::Unit:
      UnifyAt(t, arena_.Unit(), p->span, "the pattern");
      return;
    case PatternKind::Annot: {
      const auto* a = Cast<parse::AnnotPattern>(p);
      Type* declared = SignatureType(a->type, "the pattern");
      UnifyAt(declared, t, p->span, "the pattern");
      BindPattern(a->pattern, t);
      return;
    }
    case PatternKind::Tuple: {
      const auto* tuple = Cast<parse::TuplePattern>(p);
      std::vector<Type*> elements;
      for (size_t i = 0; i < tuple->elements.size(); ++i) elements.push_back(arena_.NewVar(level_));
      UnifyAt(t, arena_.Tuple(elements), p->span, "the pattern");
      for (size_t i = 0; i < tuple->elements.size(); ++i)
        BindPattern(tuple->elements[i], elements[i]);
      return;
    }
    case PatternKind::List: {
      Type* element = arena_.NewVar(level_);
      UnifyAt(t, arena_.List(element), p->span, "the pattern");
      for (const parse::Pattern* e : Cast<parse::ListPattern>(p)->elements) BindPattern(e, element);
      return;
    }
    case PatternKind::Cons: {
      const auto* cons = Cast<parse::ConsPattern>(p);
      Type* element = arena_.NewVar(level_);
      UnifyAt(t, arena_.List(element), p->span, "the pattern");
      BindPattern(cons->head, element);
      BindPattern(cons->tail, t);
      return;
    }
    case PatternKind::Record:
      BindRecordPattern(Cast<parse::RecordPattern>(p), t);
      return;
    case PatternKind::Error:
      return;
  }
}

}  // namespace atl::check
