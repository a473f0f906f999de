// Whole-program passes the optimiser runs after its simplification rounds.
#ifndef ATOLL_CORE_LIFT_H
#define ATOLL_CORE_LIFT_H

#include "compiler/core/core.h"

namespace atl::core {

// Gives each local function whose closure never escapes (every use of its
// self and of the variables bound to it is the closure of a CallLocal of
// its code) its captures as extra parameters, passed by every call; its
// closure then captures nothing, a constant. Returns how many were lifted.
auto LiftLocalFunctions(Program& program) -> int;

// Lambdas no Closure builds any more keep their index but get a failing
// body and no captures.
void StubDeadLambdas(Program& program);

}  // namespace atl::core

#endif  // ATOLL_CORE_LIFT_H
