// The lowering's view of compiler/check/primitives.def: for each primitive
// its Atoll name, runtime symbol, arity and whether it is an action.
#ifndef ATOLL_LOWER_PRIMS_H
#define ATOLL_LOWER_PRIMS_H

#include <string_view>

namespace atl::lower {

enum class Prim {
#define PRIM(id, name, type, symbol) id,
#define SPECIAL(id, name) id,
#include "compiler/check/primitives.def"
};

// Invariants: `arity` counts the arrows of the type at top level; `effect`
// is true when the type after them is an Effect (the primitive then takes
// the region handle last); `symbol` is empty when the lowering expands the
// primitive inline; `special` marks the rank-2 forms (runST, runIO, ...).
struct PrimInfo {
  Prim id;
  const char* name;
  const char* symbol;
  int arity;
  bool effect;
  bool special;
};

// The primitive with this Atoll name, or nullptr.
auto FindPrim(std::string_view name) -> const PrimInfo*;

}  // namespace atl::lower

#endif  // ATOLL_LOWER_PRIMS_H
