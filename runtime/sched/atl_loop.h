/* The host-loop C API: drive an Atoll `loop` scheduler from a foreign event
 * loop (the ocaml-lwt-interop arrangement), and bridge promises both ways.
 *
 * The host adds atl_loop_fd() to its poller (readable = "tick me"), waits at
 * most atl_loop_timeout_ms(), and calls atl_loop_tick(), which runs ready
 * fibers, due timers and ready IO and never blocks. All calls except
 * atl_promise_resolve are made on the host's thread. Errors are return
 * values; nothing throws across this API. */
#ifndef ATOLL_LOOP_H
#define ATOLL_LOOP_H

#include <stdint.h>

#include "runtime/io/atl_io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atl_loop atl_loop;
typedef struct atl_promise atl_promise;

/* A loop on the calling thread; backend from ATOLL_IO. NULL on failure. */
atl_loop* atl_loop_new(void);
/* Frees the loop; fibers still alive are abandoned. */
void atl_loop_free(atl_loop* loop);
/* Readable whenever atl_loop_tick has something to do (-1 with ATOLL_IO=poll). */
int atl_loop_fd(atl_loop* loop);
/* Milliseconds until the next timer; 0 if work is ready; -1 if none. */
int atl_loop_timeout_ms(atl_loop* loop);
/* Runs what is ready; never blocks. Returns the number of live fibers. */
int atl_loop_tick(atl_loop* loop);
/* Starts fn(arg) as a fiber, run by the next tick. */
void atl_loop_spawn(atl_loop* loop, void (*fn)(void* arg), void* arg);

/* Inside a fiber: sleep through the loop's timers. 0 or an errno value. */
int atl_sleep_ms(int64_t ms);

/* Promises carry one int64. Host -> Atoll: a fiber awaits, the host (any
 * thread) resolves. Atoll -> host: a fiber resolves, the host's callback
 * runs (on the loop thread, during the tick). Each side frees its own:
 * a promise is freed by atl_promise_free after both ends are done. */
atl_promise* atl_promise_new(void);
void atl_promise_resolve(atl_promise* p, int64_t value);
/* Inside a fiber: waits for the value. Returns 0, or ECANCELED. */
int atl_promise_await(atl_promise* p, int64_t* value);
/* Runs cb(arg, value) when resolved (at once if already resolved). */
void atl_promise_on_resolve(atl_promise* p, void (*cb)(void* arg, int64_t value), void* arg);
void atl_promise_free(atl_promise* p);

/* atl_io_strerror (runtime/io/atl_io.h) gives the text of an errno value
 * returned by this API. */

#ifdef __cplusplus
}
#endif

#endif
