#include "compiler/check/unify.h"

namespace atl::check {
namespace {

// Does `var` occur in `t`? Also lowers the levels of t's variables to var's,
// since t is about to live wherever var lives, and finds a rigid region of a
// deeper scope (it would escape through var) into *escaping.
auto OccursAndAdjust(Type* var, Type* t, Type** escaping) -> bool {
  t = Resolve(t);
  switch (t->kind) {
    case TypeKind::Var:
      if (t == var) return true;
      if (t->rigid) {
        if (t->level > var->level && *escaping == nullptr) *escaping = t;
        return false;
      }
      if (t->level > var->level) t->level = var->level;
      return false;
    case TypeKind::Fun:
    case TypeKind::Con:
      for (Type* a : t->args)
        if (OccursAndAdjust(var, a, escaping)) return true;
      return false;
  }
  return false;
}

// Kind of a resolved non-variable term: determinism constructors have kind
// Determinism; everything else built by the checker is an ordinary type.
auto KindOf(Type* t) -> Kind {
  if (t->kind == TypeKind::Var) return t->var_kind;
  if (t->kind == TypeKind::Con && (t->name == "Deterministic" || t->name == "Nondeterministic"))
    return Kind::Determinism;
  return Kind::Type;
}

auto Bind(Type* var, Type* t) -> UnifyResult {
  if (KindOf(var) != KindOf(t)) return {UnifyStatus::KindMismatch, var, t};
  Type* escaping = nullptr;
  if (OccursAndAdjust(var, t, &escaping)) return {UnifyStatus::Occurs, var, t};
  if (escaping != nullptr) return {UnifyStatus::Escape, var, escaping};
  var->link = t;
  return {};
}

}  // namespace

auto Unify(Type* a, Type* b) -> UnifyResult {
  a = Resolve(a);
  b = Resolve(b);
  if (a == b) return {};
  if (a->kind == TypeKind::Var && !a->rigid) return Bind(a, b);
  if (b->kind == TypeKind::Var && !b->rigid) return Bind(b, a);
  if (a->kind == TypeKind::Var || b->kind == TypeKind::Var)
    return {UnifyStatus::RigidMismatch, a, b};
  if (a->kind != b->kind || a->name != b->name || a->args.size() != b->args.size())
    return {UnifyStatus::Mismatch, a, b};
  for (size_t i = 0; i < a->args.size(); ++i) {
    UnifyResult r = Unify(a->args[i], b->args[i]);
    if (!r) return r;
  }
  return {};
}

}  // namespace atl::check
