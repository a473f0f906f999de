// GC pause statistics (filled in by the collection-event callback).
#include "runtime/gc/gc_internal.h"

namespace atl::gc {

void InstallPauseStatistics(const Options& opts) { (void)opts; }

}  // namespace atl::gc
