// Helpers shared by the verifier and the optimiser: value representations,
// purity, node counts, use counts and walks, and the one Copy/Rename utility
// every transformation that duplicates code goes through.
#ifndef ATOLL_CORE_UTIL_H
#define ATOLL_CORE_UTIL_H

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "compiler/core/core.h"

namespace atl::core {

// How the lowering represents a value: a Float may be an unboxed double,
// everything else (type variables included) is a word. An atom may replace
// a variable only when the two agree, else the lowering would have to
// convert at every use; a `let` converts once.
enum class Repr : uint8_t { Word, Float, Region };
auto ReprOfVar(const Program& program, int var) -> Repr;
auto ReprOf(const Program& program, const Atom& atom) -> Repr;

// Whether evaluating `rhs` has no effect and cannot fail, so an unused
// binding of it may be dropped: no calls, no region operations, no division,
// comparisons only on base types (comparing functions is a runtime error),
// primitives from a small allow-list.
auto IsPure(const Program& program, const Rhs& rhs) -> bool;

// Node count: Exprs and Rhss, with nested bodies and the bodies of the
// lambdas that Closures in it build.
auto Size(const Program& program, const Expr& e) -> int;
// Size, counting no further than just past `limit` (a result > limit
// means "larger"): the cost is at most the limit, however big the code.
auto SizeUpTo(const Program& program, const Expr& e, int limit) -> int;

// Copies code with every variable it binds and every join label it declares
// renamed to fresh ones, so the copy may be placed anywhere without breaking
// "bound exactly once". Free variables are replaced through `subst` (how
// inlining substitutes parameters); Closures in the copied code get copies
// of their lambdas (renamed the same way) so captures follow the renaming.
// `on_bind` sees every fresh variable (the optimiser records its owner).
class Copier {
 public:
  explicit Copier(Program& program) : program_(program) {}

  // Free variable `from` reads as `to` in the copy.
  void Substitute(int from, Atom to) { subst_[from] = std::move(to); }
  // Code copied into another file's code: its spans (byte offsets into its
  // own file) would name the wrong place, so every copied node gets `span`
  // (the call site) and copied lambdas belong to `file`.
  void OverrideSpans(source::Span span, const source::SourceFile* file) {
    span_ = span;
    file_ = file;
    override_ = true;
  }
  // A fresh variable like `v`, which the copy uses in place of `v`.
  auto Rename(int v) -> int;

  auto CopyExpr(const Expr& e) -> std::unique_ptr<Expr>;
  auto CopyRhs(const Rhs& rhs) -> Rhs;
  auto CopyAtom(const Atom& a) const -> Atom;
  // A copy of lambda `index` (body renamed); returns the new index.
  auto CopyLambda(int index) -> int;

  std::function<void(int)> on_bind;

 private:
  auto MapVar(int v) const -> int;
  auto Label(int l) -> int;
  auto ReserveLambda(int index) -> int;

  Program& program_;
  std::unordered_map<int, Atom> subst_;
  std::unordered_map<int, int> labels_;
  std::unordered_map<int, int> lambdas_;  // original -> copy (reserved slot)
  std::unordered_map<int, bool> filled_;
  bool override_ = false;
  source::Span span_;
  const source::SourceFile* file_ = nullptr;
};

// Uses of variables (atoms, closures of CallLocal, regions, captures at
// Closure sites, with the lambda's body) and of join labels; `sign` -1
// takes code away.
class UseCounter {
 public:
  UseCounter(const Program& p, std::vector<int>& uses, std::vector<int>& jumps)
      : p_(p), uses_(uses), jumps_(jumps) {}

  void Expr(const core::Expr& e, int sign) {
    for (const core::Expr* x = &e; x != nullptr; x = x->next.get()) {
      switch (x->kind) {
        case ExprKind::Let:
        case ExprKind::Return:
          Rhs(x->rhs, sign);
          break;
        case ExprKind::LetRec:
          for (const core::Rhs& r : x->group) Rhs(r, sign);
          break;
        case ExprKind::If:
          AtomUse(x->cond, sign);
          Expr(*x->then_branch, sign);
          Expr(*x->else_branch, sign);
          break;
        case ExprKind::Switch:
          AtomUse(x->cond, sign);
          for (const Alt& alt : x->alts) Expr(*alt.body, sign);
          if (x->else_branch) Expr(*x->else_branch, sign);
          break;
        case ExprKind::Join:
          Expr(*x->join_body, sign);
          break;
        case ExprKind::Jump:
          jumps_[x->label] += sign;
          for (const Atom& a : x->args) AtomUse(a, sign);
          break;
        case ExprKind::Fail:
          break;
      }
    }
  }

  void Rhs(const core::Rhs& r, int sign) {
    for (const Atom& a : r.args) AtomUse(a, sign);
    if (r.region >= 0) uses_[r.region] += sign;
    if (r.kind == RhsKind::CallLocal && r.var >= 0) uses_[r.var] += sign;
    if (r.kind == RhsKind::Closure) {
      const Lambda& l = p_.lambdas[r.index];
      for (int c : l.captures) uses_[c] += sign;
      if (l.body) Expr(*l.body, sign);
    }
    if (r.body) Expr(*r.body, sign);
  }

  void AtomUse(const Atom& a, int sign) {
    if (a.IsVar()) uses_[a.var] += sign;
  }

  // The whole program: the functions' bodies and, through their Closures,
  // the lambdas they build.
  void Exprs(const Program& p) {
    for (const Function& f : p.functions)
      if (f.body) Expr(*f.body, 1);
  }

 private:
  const Program& p_;
  std::vector<int>& uses_;
  std::vector<int>& jumps_;
};

// Every Rhs of a body, nested Block/Region bodies included, lambdas not
// (E is Expr or const Expr).
template <typename E, typename F>
void ForEachDirectRhs(E& e, F&& f) {
  for (E* x = &e; x != nullptr; x = x->next.get()) {
    auto rhs = [&](auto& r) {
      f(r);
      if (r.body) ForEachDirectRhs(*r.body, f);
    };
    switch (x->kind) {
      case ExprKind::Let:
      case ExprKind::Return:
        rhs(x->rhs);
        break;
      case ExprKind::LetRec:
        for (auto& r : x->group) rhs(r);
        break;
      case ExprKind::If:
        ForEachDirectRhs(*x->then_branch, f);
        ForEachDirectRhs(*x->else_branch, f);
        break;
      case ExprKind::Switch:
        for (auto& alt : x->alts) ForEachDirectRhs(*alt.body, f);
        if (x->else_branch) ForEachDirectRhs(*x->else_branch, f);
        break;
      case ExprKind::Join:
        ForEachDirectRhs(*x->join_body, f);
        break;
      case ExprKind::Jump:
      case ExprKind::Fail:
        break;
    }
  }
}

// Let and LetRec bindings of a body (not inside lambdas) with their rhs.
template <typename F>
void ForEachBinding(const Expr& e, F&& f) {
  for (const Expr* x = &e; x != nullptr; x = x->next.get()) {
    switch (x->kind) {
      case ExprKind::Let:
        f(x->var, x->rhs);
        if (x->rhs.body) ForEachBinding(*x->rhs.body, f);
        break;
      case ExprKind::LetRec:
        for (size_t i = 0; i < x->vars.size(); ++i) f(x->vars[i], x->group[i]);
        break;
      case ExprKind::Return:
        if (x->rhs.body) ForEachBinding(*x->rhs.body, f);
        break;
      case ExprKind::If:
        ForEachBinding(*x->then_branch, f);
        ForEachBinding(*x->else_branch, f);
        break;
      case ExprKind::Switch:
        for (const Alt& alt : x->alts) ForEachBinding(*alt.body, f);
        if (x->else_branch) ForEachBinding(*x->else_branch, f);
        break;
      case ExprKind::Join:
        ForEachBinding(*x->join_body, f);
        break;
      case ExprKind::Jump:
      case ExprKind::Fail:
        break;
    }
  }
}

// The lambdas the functions' Closures build, directly or through other
// lambdas, outer ones first.
auto ReachableLambdas(const Program& program) -> std::vector<int>;

}  // namespace atl::core

#endif  // ATOLL_CORE_UTIL_H
