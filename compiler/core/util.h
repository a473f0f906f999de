// Helpers shared by the verifier and the optimiser: primitive facts,
// value representations, purity, node counts, and the one Copy/Rename
// utility every transformation that duplicates code goes through.
#ifndef ATOLL_CORE_UTIL_H
#define ATOLL_CORE_UTIL_H

#include <functional>
#include <memory>
#include <unordered_map>

#include "compiler/core/core.h"

namespace atl::core {

// What primitives.def says about a primitive: its arity (arrows of its type
// at top level) and whether it is an action (takes a region argument). The
// rank-2 forms: runST/parST are pure, runIO/forkIO actions of the enclosing
// region.
struct PrimFacts {
  int arity = 0;
  bool action = false;
};
auto FactsOf(check::Builtin b) -> PrimFacts;

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

}  // namespace atl::core

#endif  // ATOLL_CORE_UTIL_H
