// When diagnostics get colours (docs/cli.md, "Colour"): as cargo and ghc
// decide it, with NO_COLOR (https://no-color.org) honoured by `auto`.
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "compiler/driver/commands.h"

namespace atl::driver {

auto UseColor(ColorWhen when) -> bool {
  if (when == ColorWhen::Always) return true;
  if (when == ColorWhen::Never) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(STDERR_FILENO) == 1;
}

}  // namespace atl::driver
