// The runtime's ABI as the lowering uses it. The numbers come from the one
// header both sides agree on (runtime/abi/atoll_abi.h, plain C, included
// here), never retyped: a layout change there changes the generated code.
#ifndef ATOLL_LOWER_ABI_H
#define ATOLL_LOWER_ABI_H

#include <cstdint>

#include "runtime/abi/atoll_abi.h"
#include "runtime/abi/atoll_region.h"

namespace atl::lower {

// atl_nullary and atl_make_header, as constant expressions.
constexpr auto Nullary(uint32_t desc) -> uint64_t { return (uint64_t{desc} << 3) | 2u; }
constexpr auto Header(uint32_t kind, uint32_t desc, uint32_t size) -> uint64_t {
  return uint64_t{kind} | (uint64_t{desc & 0xFFFFFFu} << 8) | (uint64_t{size} << 32);
}
constexpr auto TagInt(int64_t n) -> uint64_t { return (static_cast<uint64_t>(n) << 1) | 1u; }

inline constexpr uint64_t kUnit = Nullary(ATL_DESC_UNIT);
inline constexpr uint64_t kFalse = Nullary(ATL_DESC_FALSE);
inline constexpr uint64_t kTrue = Nullary(ATL_DESC_TRUE);
inline constexpr uint32_t kRegionPlain = ATL_REGION_PLAIN;
inline constexpr uint32_t kRegionTraced = ATL_REGION_TRACED;

static_assert(kUnit == 2 && kFalse == 10 && kTrue == 18, "the IR tests Bools as these words");

}  // namespace atl::lower

#endif  // ATOLL_LOWER_ABI_H
