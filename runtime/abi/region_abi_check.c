// Compiles the region ABI header as C (generated code's view of it), with
// the same layout checks as the C++ side.
#include "runtime/abi/atoll_region.h"

_Static_assert(sizeof(atl_region_cursor) == 16, "cursor is {ptr, limit}");
_Static_assert(offsetof(atl_region, cursor) == 0, "cursors come first");
_Static_assert(sizeof(atl_region) == 32, "two cursors");
