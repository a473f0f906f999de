// The embedded runtime's loop (embed.cpp), as promise.cpp sees it.
#ifndef ATOLL_RUNTIME_EMBED_LOOP_H
#define ATOLL_RUNTIME_EMBED_LOOP_H

#include "runtime/abi/atoll_embed.h"

namespace atl::embed {

// ATOLL_OK while the runtime runs, else ATOLL_E_NOT_STARTED or
// ATOLL_E_SHUT_DOWN.
int LoopStatus();

// Queues cb(arg, p) for the loop thread's next tick (keeping a reference
// to p until it has run) and wakes the loop; from any thread. False, and
// nothing queued, when the runtime is not running.
bool PostCallback(void (*cb)(void*, atoll_promise*), void* arg, atoll_promise* p);

}  // namespace atl::embed

#endif  // ATOLL_RUNTIME_EMBED_LOOP_H
