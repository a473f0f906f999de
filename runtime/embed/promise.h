// Promises between a host and Atoll threads (runtime/abi/atoll_embed.h).
//
// A promise is a refcounted core in malloc'd memory: the host holds
// references, every Atoll handle (an object of kind ATL_KIND_PROMISE on the
// GC heap, header plus core pointer) holds one, dropped by the handle's
// finalizer. It settles once (resolved with a host value, or rejected with
// a reason); the settling call wakes the Atoll threads waiting for it
// (io::Trigger, signalled under the core's lock: a waiter that has retaken
// the lock is never touched again) and posts its host callbacks to the loop
// thread (embed.cpp), so callbacks never run on the settling thread.
//
// Its type is learnt when it is handed to an export as `Promise a`: from
// then on a resolution with a value that is not an `a` is refused.
#ifndef ATOLL_RUNTIME_EMBED_PROMISE_H
#define ATOLL_RUNTIME_EMBED_PROMISE_H

#include <string>

#include "runtime/abi/atoll_abi.h"
#include "runtime/abi/atoll_embed.h"

namespace atl::embed {

// Whether `p` may stand for a `Promise a`, `a` given by `code`: its type is
// unknown or that one, and a value it was resolved with is an `a`.
bool PromiseCanHold(atoll_promise* p, const std::string& code);

// A new Atoll handle of `p` (one more reference), which from now on has
// the type `code`. On an Atoll thread.
atl_value PromiseHandle(atoll_promise* p, const std::string& code);

// The core of a handle.
atoll_promise* PromiseOfHandle(atl_value handle);

// Settles `p` from the runtime (an action export's thread ended, or the
// runtime shut down first); false when it was settled already.
bool ResolveFromAtoll(atoll_promise* p, atoll_value* value);
bool RejectFromAtoll(atoll_promise* p, const char* reason);

}  // namespace atl::embed

#endif  // ATOLL_RUNTIME_EMBED_PROMISE_H
