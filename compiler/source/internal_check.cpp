// ATL_CHECK's failure path (internal_check.h).
#include "compiler/source/internal_check.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace atl {

void InternalCheckFailed(const char* file, int line, const char* condition, const char* message) {
  std::fflush(stdout);
  const std::string text = std::string("atoll: internal error: ") + file + ":" +
                           std::to_string(line) + ": check `" + condition + "` failed: " + message +
                           "\n";
  (void)!::write(STDERR_FILENO, text.data(), text.size());
  std::_Exit(3);  // kExitInternal (driver/commands.h)
}

}  // namespace atl
