// ATL_CHECK and ATL_UNREACHABLE: an invariant of the compiler, checked in every build (as
// Carbon's CARBON_CHECK). A failure is a compiler bug: it prints
// `atoll: internal error: FILE:LINE: check `COND` failed: MESSAGE` and exits
// with status 3 (docs/cli.md), never continuing with a wrong program.
#ifndef ATOLL_SOURCE_INTERNAL_CHECK_H
#define ATOLL_SOURCE_INTERNAL_CHECK_H

namespace atl {

[[noreturn]] void InternalCheckFailed(const char* file, int line, const char* condition,
                                      const char* message);

}  // namespace atl

#define ATL_CHECK(condition, message)                                        \
  do {                                                                       \
    if (!(condition)) [[unlikely]]                                           \
      ::atl::InternalCheckFailed(__FILE__, __LINE__, #condition, (message)); \
  } while (false)

// A point the compiler's invariants say is never reached.
#define ATL_UNREACHABLE(message) \
  ::atl::InternalCheckFailed(__FILE__, __LINE__, "unreachable", (message))

#endif  // ATOLL_SOURCE_INTERNAL_CHECK_H
