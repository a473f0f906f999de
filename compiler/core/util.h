// Helpers shared by the verifier and the optimiser: value representations,
// purity, node counts, use counts and walks, and the one Copy/Rename utility
// every transformation that duplicates code goes through.
#ifndef ATOLL_CORE_UTIL_H
#define ATOLL_CORE_UTIL_H

#include <algorithm>
#include <functional>
#include <memory>
#include <type_traits>
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

// How walks over Core stay off the stack. A body's `next` chains (a long
// `do` block) and one-sided nests (an else-if chain, a `<-` pattern whose
// other arm fails, a chain of `&&`) can be as long as the program; the
// nesting left (branches written inside branches, inlined blocks) is
// bounded by the parser's nesting limit (E0107) and by the inliner's size
// limits. So a walk recurses into every child of a node but one, its
// *continuation*, and goes on with that one in a loop: `next` for Let,
// LetRec and Join, otherwise the last child that is not a leaf (a Return,
// Jump or Fail), or the last child when all are leaves. Walks whose order
// does not matter use an explicit stack instead.
inline auto IsLeaf(const Expr& e) -> bool {
  return e.kind == ExprKind::Return || e.kind == ExprKind::Jump || e.kind == ExprKind::Fail;
}

// The slot of `e`'s continuation (null for a leaf). E is Expr or const Expr.
template <typename E>
auto ContinuationSlot(E& e) -> decltype(&e.next) {
  auto pick = [](decltype(&e.next) last, decltype(&e.next) candidate) {
    return candidate != nullptr && *candidate && !IsLeaf(**candidate) ? candidate : last;
  };
  switch (e.kind) {
    case ExprKind::Let:
    case ExprKind::LetRec:
      return &e.next;
    case ExprKind::If: {
      auto* chosen = pick(nullptr, &e.then_branch);
      chosen = pick(chosen, &e.else_branch);
      return chosen != nullptr ? chosen : &e.else_branch;
    }
    case ExprKind::Switch: {
      decltype(&e.next) chosen = nullptr, last = nullptr;
      for (auto& alt : e.alts) {
        chosen = pick(chosen, &alt.body);
        last = &alt.body;
      }
      if (e.else_branch) {
        chosen = pick(chosen, &e.else_branch);
        last = &e.else_branch;
      }
      return chosen != nullptr ? chosen : last;
    }
    case ExprKind::Join:
      if (!e.next || !e.join_body) return e.next ? &e.next : &e.join_body;
      return !IsLeaf(*e.next) || IsLeaf(*e.join_body) ? &e.next : &e.join_body;
    case ExprKind::Return:
    case ExprKind::Jump:
    case ExprKind::Fail:
      return nullptr;
  }
  return nullptr;
}

// Calls `visit` on the slot of every child of `e` but `skip`, in order.
template <typename E, typename F>
void ForEachChildSlot(E& e, decltype(&e.next) skip, F&& visit) {
  auto child = [&](decltype(&e.next) slot) {
    if (slot != skip && *slot) visit(slot);
  };
  switch (e.kind) {
    case ExprKind::Let:
    case ExprKind::LetRec:
      child(&e.next);
      return;
    case ExprKind::If:
      child(&e.then_branch);
      child(&e.else_branch);
      return;
    case ExprKind::Switch:
      for (auto& alt : e.alts) child(&alt.body);
      child(&e.else_branch);
      return;
    case ExprKind::Join:
      child(&e.join_body);
      child(&e.next);
      return;
    case ExprKind::Return:
    case ExprKind::Jump:
    case ExprKind::Fail:
      return;
  }
}

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

// The one traversal of a body's nodes. An explicit stack (bodies can be
// long and deeply nested), in order: a node, then the bodies its Rhss hold
// (Block and Region bodies), then its children, each before the next.
// `program` null: the body only. `program` set: also the bodies of the
// lambdas its Closures build, right after the node that builds them.
// `visit(x)` sees every Expr (E is Expr or const Expr) and may change the
// node but not which bodies it holds; when it returns a bool, false stops
// the walk. `seed` pushes the first nodes (see ForEachNode and
// ForEachNodeHeldBy).
//
// Walks that see each node on its own use it (use counts, free variables,
// renaming, sizes, reachability, the optimiser's analysis). The others
// keep their own loop along continuations (ContinuationSlot) because what
// they do depends on where a node sits, which a flat walk does not say:
// the verifier and the bounds prover (bounds.cpp) open and close scopes as
// they enter and leave branches; the simplifier and dead-code removal
// (simplify.cpp, optimize.cpp) replace the slot they stand on; the Copier
// builds a tree of the same shape; the dump prints nesting; the lowering
// emits blocks in control-flow order (lower/expr.cpp).
template <typename P, typename E, typename Seed, typename F>
void WalkNodes(P* program, Seed&& seed, F&& visit) {
  std::vector<E*> work;
  auto held = [&](auto& r) {
    if (program != nullptr && r.kind == RhsKind::Closure && program->lambdas[r.lambda()].body)
      work.push_back(program->lambdas[r.lambda()].body.get());
    if (r.body) work.push_back(r.body.get());
  };
  seed(work, held);
  std::reverse(work.begin(), work.end());
  while (!work.empty()) {
    E* x = work.back();
    work.pop_back();
    if constexpr (std::is_same_v<decltype(visit(*x)), bool>) {
      if (!visit(*x)) return;
    } else {
      visit(*x);
    }
    const size_t mark = work.size();  // what is pushed from here is visited in push order
    switch (x->kind) {
      case ExprKind::Let:
      case ExprKind::Return:
        held(x->rhs);
        break;
      case ExprKind::LetRec:
        for (auto& r : x->group) held(r);
        break;
      case ExprKind::If:
      case ExprKind::Switch:
      case ExprKind::Join:
      case ExprKind::Jump:
      case ExprKind::Fail:
        break;
    }
    ForEachChildSlot(*x, nullptr, [&](auto* slot) { work.push_back(slot->get()); });
    std::reverse(work.begin() + static_cast<long>(mark), work.end());
  }
}

// Every node of `body` (lambdas not), in order.
template <typename E, typename F>
void ForEachNode(E& body, F&& visit) {
  WalkNodes<const Program, E>(
      nullptr, [&](auto& work, auto&) { work.push_back(&body); }, visit);
}

// Every node of `body` and of the lambdas its Closures build, in order.
template <typename P, typename E, typename F>
void ForEachNodeWithLambdas(P& program, E& body, F&& visit) {
  WalkNodes<P, E>(
      &program, [&](auto& work, auto&) { work.push_back(&body); }, visit);
}

// Every node of the bodies `r` holds (a Block or Region body, the body of
// a Closure's lambda), in order.
template <typename P, typename R, typename F>
void ForEachNodeHeldBy(P& program, R& r, F&& visit) {
  using E = std::conditional_t<std::is_const_v<R>, const Expr, Expr>;
  WalkNodes<P, E>(
      &program, [&](auto&, auto& held) { held(r); }, visit);
}

// The variables one Rhs uses itself, not the bodies it holds: its operand
// atoms, the region passed to an action, a CallLocal's closure, and at a
// Closure the captures of its lambda (read when the closure is built).
// `use` gets each variable's slot (int& or const int&).
template <typename P, typename R, typename F>
void ForEachRhsUse(P& program, R& r, F&& use) {
  for (auto& a : r.args)
    if (a.IsVar()) use(a.var);
  if (r.region >= 0) use(r.region);
  if (r.kind == RhsKind::CallLocal && r.closure() >= 0) {
    int closure = r.closure();
    use(closure);
    if constexpr (!std::is_const_v<R>) r.SetClosure(closure);
  }
  if (r.kind == RhsKind::Closure)
    for (auto& c : program.lambdas[r.lambda()].captures) use(c);
}

// The variables one node uses itself: its Rhs or group (as above), the
// atom an If or Switch tests, a Jump's arguments. Not its children's.
template <typename P, typename E, typename F>
void ForEachNodeUse(P& program, E& x, F&& use) {
  switch (x.kind) {
    case ExprKind::Let:
    case ExprKind::Return:
      ForEachRhsUse(program, x.rhs, use);
      break;
    case ExprKind::LetRec:
      for (auto& r : x.group) ForEachRhsUse(program, r, use);
      break;
    case ExprKind::If:
    case ExprKind::Switch:
      if (x.cond.IsVar()) use(x.cond.var);
      break;
    case ExprKind::Jump:
      for (auto& a : x.args)
        if (a.IsVar()) use(a.var);
      break;
    case ExprKind::Join:
    case ExprKind::Fail:
      break;
  }
}

// Uses of variables (ForEachNodeUse, lambda bodies included) and of join
// labels; `sign` -1 takes code away.
class UseCounter {
 public:
  UseCounter(const Program& p, std::vector<int>& uses, std::vector<int>& jumps)
      : p_(p), uses_(uses), jumps_(jumps) {}

  void Expr(const core::Expr& e, int sign) {
    ForEachNodeWithLambdas(p_, e, [&](const core::Expr& x) { Node(x, sign); });
  }

  void Rhs(const core::Rhs& r, int sign) {
    ForEachRhsUse(p_, r, [&](int v) { uses_[v] += sign; });
    ForEachNodeHeldBy(p_, r, [&](const core::Expr& x) { Node(x, sign); });
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
  void Node(const core::Expr& x, int sign) {
    ForEachNodeUse(p_, x, [&](int v) { uses_[v] += sign; });
    if (x.kind == ExprKind::Jump) jumps_[x.label] += sign;
  }

  const Program& p_;
  std::vector<int>& uses_;
  std::vector<int>& jumps_;
};

// Every Rhs of a body, nested Block/Region bodies included, lambdas not
// (E is Expr or const Expr), in order. `f` may change an Rhs but not its
// body.
template <typename E, typename F>
void ForEachDirectRhs(E& e, F&& f) {
  ForEachNode(e, [&](auto& x) {
    if (x.kind == ExprKind::Let || x.kind == ExprKind::Return) f(x.rhs);
    if (x.kind == ExprKind::LetRec)
      for (auto& r : x.group) f(r);
  });
}

// Let and LetRec bindings of a body (not inside lambdas) with their rhs,
// in order.
template <typename F>
void ForEachBinding(const Expr& e, F&& f) {
  ForEachNode(e, [&](const Expr& x) {
    if (x.kind == ExprKind::Let) f(x.var, x.rhs);
    if (x.kind == ExprKind::LetRec)
      for (size_t i = 0; i < x.vars.size(); ++i) f(x.vars[i], x.group[i]);
  });
}

// Replaces variable uses in `body` through `to`, in place: every use
// ForEachNodeUse names, in the lambdas its Closures build too.
void RenameUses(Program& program, Expr& body, const std::unordered_map<int, int>& to);

// The variables a lambda's body uses but does not bind, in order of first
// use (captures of the closures it builds count as uses): what its closure
// must capture.
auto FreeVariables(const Program& program, const Lambda& lambda) -> std::vector<int>;

// The lambdas the functions' Closures build, directly or through other
// lambdas, outer ones first.
auto ReachableLambdas(const Program& program) -> std::vector<int>;

}  // namespace atl::core

#endif  // ATOLL_CORE_UTIL_H
