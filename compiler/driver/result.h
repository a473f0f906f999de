// How the driver's errors travel: as values. A step that cannot go on
// returns a `Failure` (the message and the exit status it means) inside a
// `Result`; callers pass it up unchanged, and `main` prints it once
// (`ReportFailure`). Diagnostics about the user's program are not failures:
// they are a command's output, printed by the command, and exit status 1
// comes with them.
#ifndef ATOLL_DRIVER_RESULT_H
#define ATOLL_DRIVER_RESULT_H

#include <string>
#include <utility>
#include <variant>

#include "compiler/source/internal_check.h"

namespace atl::driver {

// The exit statuses of `atoll` (docs/cli.md). `atoll run` ends with the
// program's own status once the program starts.
enum ExitStatus : int {
  kExitOk = 0,
  kExitDiagnostics = 1,  // the program has errors (diagnostics printed)
  kExitUsage = 2,        // bad command line, unreadable input, unwritable output, missing toolchain
  kExitInternal = 3,     // a compiler bug: an internal check failed
};

struct Failure {
  ExitStatus status = kExitUsage;
  // What went wrong, without the "atoll: error: " prefix and the final
  // newline; may span lines (a verifier's report).
  std::string message;

  // A problem of the command line, the files or the toolchain (status 2).
  static auto Usage(std::string message) -> Failure { return {kExitUsage, std::move(message)}; }
  // A compiler bug (status 3), printed as "atoll: internal error: ...".
  static auto Internal(std::string message) -> Failure {
    return {kExitInternal, std::move(message)};
  }
};

// A `T`, or the Failure that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Failure failure)                                                // NOLINT: implicit
      : state_(std::in_place_index<1>, std::move(failure)) {}

  auto ok() const -> bool { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  auto operator*() -> T& {
    ATL_CHECK(ok(), "the value of a failed Result");
    return std::get<0>(state_);
  }
  auto operator->() -> T* { return &**this; }

  // The failure (the Result is then spent).
  auto TakeFailure() -> Failure {
    ATL_CHECK(!ok(), "the failure of a Result that succeeded");
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Failure> state_;
};

// What a step that produces nothing returns: `Done{}` or a Failure.
struct Done {};
using Status = Result<Done>;

// Prints `failure` on stderr ("atoll: error: M" or "atoll: internal error:
// M") and returns its exit status.
auto ReportFailure(const Failure& failure) -> int;

// What a subcommand returns to `main`: the exit status it ended with (0, 1
// after diagnostics, or a program's own status), or a Failure to report.
using CommandResult = Result<int>;

// main's end: the status of `result`, its failure printed first.
inline auto ExitWith(CommandResult result) -> int {
  return result ? *result : ReportFailure(result.TakeFailure());
}

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_RESULT_H
