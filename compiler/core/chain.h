// How the translation to Core writes code: a chain of bindings with a hole
// at its end where the next expression goes, and a scoped value to move the
// hole (or any other cursor) for the extent of a nested construct.
#ifndef ATOLL_CORE_CHAIN_H
#define ATOLL_CORE_CHAIN_H

#include <memory>
#include <utility>

#include "compiler/core/core.h"

namespace atl::core {

inline auto NewExpr(ExprKind kind, source::Span span) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

inline auto NewRhs(RhsKind kind, source::Span span) -> Rhs {
  Rhs r;
  r.kind = kind;
  r.span = span;
  return r;
}

// `hole` is the slot the next expression goes in; `last` the slot of the
// expression that ended the chain most recently (a Jump the match compiler
// stands in for a clause body is found through it).
struct Chain {
  std::unique_ptr<Expr>* hole = nullptr;
  std::unique_ptr<Expr>* last = nullptr;

  // Puts `e` in the hole; the chain goes on at `next` (a slot of `e`).
  void Emit(std::unique_ptr<Expr> e, std::unique_ptr<Expr>* next) {
    *hole = std::move(e);
    hole = next;
  }
  // Puts `e` in the hole and ends the chain there.
  void Finish(std::unique_ptr<Expr> e) {
    *hole = std::move(e);
    last = hole;
    hole = nullptr;
  }
};

// Sets `slot` to `value` for this object's lifetime, then puts the old
// value back: the translation's cursors (the hole, the region in scope)
// move for a nested construct and come back after it on every path.
template <typename T>
class Scoped {
 public:
  Scoped(T& slot, T value) : slot_(slot), old_(std::exchange(slot, std::move(value))) {}
  ~Scoped() { slot_ = std::move(old_); }
  Scoped(const Scoped&) = delete;
  auto operator=(const Scoped&) -> Scoped& = delete;

 private:
  T& slot_;
  T old_;
};

}  // namespace atl::core

#endif  // ATOLL_CORE_CHAIN_H
