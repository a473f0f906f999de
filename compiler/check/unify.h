// Unification of type terms (first-order, with occurs check and levels).
#ifndef ATOLL_CHECK_UNIFY_H
#define ATOLL_CHECK_UNIFY_H

#include "compiler/check/type.h"

namespace atl::check {

enum class UnifyStatus {
  Ok,
  Mismatch,       // different constructors, arities or a constructor vs. a function
  Occurs,         // a variable would contain itself (infinite type)
  RigidMismatch,  // a signature's type variable would be fixed to something else
  KindMismatch,   // e.g. a region token against an ordinary type
  Escape,         // a variable of an outer scope would mention a region opened inside
                  // (right = that region's rigid variable)
};

// Why two types failed to unify: the innermost pair that disagreed, so a
// diagnostic can say "Int vs String" inside a larger function type.
struct UnifyResult {
  UnifyStatus status = UnifyStatus::Ok;
  Type* left = nullptr;
  Type* right = nullptr;
  explicit operator bool() const { return status == UnifyStatus::Ok; }
};

// Makes `a` and `b` equal by binding flexible variables. On failure the
// bindings made so far stay (the checker reports and carries on; the caller
// does not retry with the same variables). Levels are lowered on binding so
// Generalize never quantifies a variable that escaped into an outer scope.
auto Unify(Type* a, Type* b) -> UnifyResult;

}  // namespace atl::check

#endif  // ATOLL_CHECK_UNIFY_H
