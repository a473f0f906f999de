/* The embedding API: a host program runs compiled Atoll inside its own event
 * loop (docs/embedding.md). The library comes from `atoll build F
 * --emit=lib` (or --emit=shared), whose generated header contains this API
 * and one C function per `export`ed Atoll function.
 *
 * Model. atoll_start() starts the runtime on the calling thread, the *loop
 * thread*, with the `loop` scheduler, without taking the thread over: the
 * host watches atoll_notify_fd() (readable = "tick me"), waits at most
 * atoll_timeout_ms(), and calls atoll_tick(), which runs every Atoll thread
 * that is ready, due timers and ready IO, then the host callbacks of settled
 * promises, and never blocks.
 *
 * Exports. A pure export runs to completion inside the call. An action
 * export (`... -> Effect s d a`) starts an Atoll thread and hands the host a
 * promise of its result at once; the thread runs during later ticks.
 *
 * Promises. Host -> Atoll: the host creates a promise, passes it to an
 * export taking `Promise a`, and resolves or rejects it later from any
 * thread; Atoll threads wait for it with `awaitPromise`. Atoll -> host: an
 * action export's promise settles when its thread ends; atoll_promise_then
 * registers a callback, run on the loop thread inside atoll_tick().
 *
 * Thread rules. atoll_start, atoll_tick, atoll_notify_fd, atoll_timeout_ms,
 * atoll_shutdown and every export: the loop thread only. Values (atoll_int,
 * ..., atoll_value_free) and promises (new, resolve, reject, then, state,
 * result, retain, release): any thread. Misuse is an error status, never
 * undefined behaviour: a loop-thread call from another thread
 * (ATOLL_E_WRONG_THREAD), a call before atoll_start (ATOLL_E_NOT_STARTED) or
 * after atoll_shutdown (ATOLL_E_SHUT_DOWN), a promise settled twice
 * (ATOLL_E_ALREADY), a value of the wrong type (ATOLL_E_TYPE), a tick inside
 * a tick (ATOLL_E_BUSY). Only freeing a value or releasing a promise more
 * often than owned cannot be detected. */
#ifndef ATOLL_EMBED_H
#define ATOLL_EMBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum atoll_status {
  ATOLL_OK = 0,
  ATOLL_E_NOT_STARTED = -1,  /* atoll_start has not been called */
  ATOLL_E_SHUT_DOWN = -2,    /* the runtime was shut down */
  ATOLL_E_WRONG_THREAD = -3, /* a loop-thread call from another thread */
  ATOLL_E_ALREADY = -4,      /* started twice; promise already settled */
  ATOLL_E_TYPE = -5,         /* a value of the wrong type for this use */
  ATOLL_E_INVALID = -6,      /* NULL, invalid UTF-8, an Int beyond 63 bits */
  ATOLL_E_BUSY = -7,         /* atoll_tick or atoll_shutdown inside a tick */
  ATOLL_E_NO_PROGRAM = -8,   /* no library linked in (no exports table) */
  ATOLL_E_SYSTEM = -9        /* the loop could not be set up (see stderr) */
} atoll_status;

/* A one-line description of a status. */
const char* atoll_strerror(int status);

/* ---- the loop (loop thread only) ---------------------------------------- */

/* Starts the runtime on the calling thread (ATOLL_IO picks the backend;
 * `poll` has no notification descriptor and is refused). */
int atoll_start(void);
/* The descriptor the host watches for readability. */
int atoll_notify_fd(int* fd);
/* How long the host may wait before the next tick: -1 no limit (nothing
 * is due), 0 work is ready, else milliseconds until the next Atoll timer. */
int atoll_timeout_ms(int* ms);
/* Runs what is ready; never blocks. *live_threads (may be NULL) is the
 * number of Atoll threads still alive. */
int atoll_tick(int* live_threads);
/* Ends the runtime: keeps ticking (blocking in between) until every Atoll
 * thread has finished or wait_ms passed (-1: no limit), then abandons the
 * rest, rejects their export promises ("the Atoll runtime shut down") and
 * runs the callbacks that are due. Every later loop-thread call returns
 * ATOLL_E_SHUT_DOWN; a runtime cannot be started again in the process.
 * *abandoned (may be NULL) is the number of threads abandoned. */
int atoll_shutdown(int wait_ms, int* abandoned);

/* ---- values (any thread) ------------------------------------------------ */

/* A value built by the host or returned by Atoll: a plain tree owned by
 * whoever holds it, converted at the boundary (no GC object inside). */
typedef struct atoll_value atoll_value;
typedef struct atoll_promise atoll_promise;

typedef enum atoll_kind {
  ATOLL_INT = 1,
  ATOLL_FLOAT = 2,
  ATOLL_BOOL = 3,
  ATOLL_CHAR = 4,
  ATOLL_STRING = 5,
  ATOLL_UNIT = 6,
  ATOLL_LIST = 7,
  ATOLL_TUPLE = 8,
  ATOLL_PROMISE = 9,
  ATOLL_RECORD = 10
} atoll_kind;

/* Constructors return NULL on invalid input (invalid UTF-8, a code point
 * beyond U+10FFFF or a surrogate, a NULL item). atoll_list and atoll_tuple
 * take ownership of their items, also when they fail. */
atoll_value* atoll_int(int64_t n); /* Atoll Ints have 63 bits: checked at the call */
atoll_value* atoll_float(double d);
atoll_value* atoll_bool(bool b);
atoll_value* atoll_char(uint32_t code_point);
atoll_value* atoll_string(const char* utf8, size_t length);
atoll_value* atoll_unit(void);
atoll_value* atoll_list(atoll_value* const* items, size_t count);
atoll_value* atoll_tuple(atoll_value* const* items, size_t count);
/* A record: field i is named names[i] (copied; any order, no name twice). */
atoll_value* atoll_record(const char* const* names, atoll_value* const* items, size_t count);
/* A promise as a value (for lists and tuples of promises); adds a reference. */
atoll_value* atoll_promise_as_value(atoll_promise* p);
atoll_value* atoll_value_copy(const atoll_value* v);
void atoll_value_free(atoll_value* v);

/* Readers: ATOLL_E_TYPE when the value is of another kind. */
atoll_kind atoll_value_kind(const atoll_value* v);
int atoll_get_int(const atoll_value* v, int64_t* out);
int atoll_get_float(const atoll_value* v, double* out);
int atoll_get_bool(const atoll_value* v, bool* out);
int atoll_get_char(const atoll_value* v, uint32_t* out);
/* The bytes stay owned by the value (NUL-terminated; `length` may be NULL). */
int atoll_get_string(const atoll_value* v, const char** utf8, size_t* length);
/* Lists, tuples and records: the number of items, and item i (NULL out of
 * range). A record's fields are in the order they were built in (from
 * Atoll: sorted by name); atoll_value_field finds one by name. */
size_t atoll_value_count(const atoll_value* v);
const atoll_value* atoll_value_item(const atoll_value* v, size_t i);
const char* atoll_value_field_name(const atoll_value* v, size_t i);
const atoll_value* atoll_value_field(const atoll_value* v, const char* name);

/* A String result of an export (malloc'd). */
void atoll_string_free(char* s);

/* ---- promises (any thread) ---------------------------------------------- */

typedef enum atoll_promise_state {
  ATOLL_PENDING = 0,
  ATOLL_RESOLVED = 1,
  ATOLL_REJECTED = 2
} atoll_promise_state;

/* A pending promise with one reference, the caller's. */
atoll_promise* atoll_promise_new(void);
/* Settles the promise. On ATOLL_OK the promise owns `value`; otherwise the
 * caller still does. ATOLL_E_ALREADY when settled before; ATOLL_E_TYPE when
 * the promise was handed to an export as `Promise a` and `value` is not an
 * `a`. Atoll threads waiting for it become ready (the notification
 * descriptor wakes the loop thread). */
int atoll_promise_resolve(atoll_promise* p, atoll_value* value);
int atoll_promise_reject(atoll_promise* p, const char* reason);
/* Runs cb(arg, p) on the loop thread, inside atoll_tick, once the promise
 * is settled (at the next tick if it already is). Needs a started runtime. */
int atoll_promise_then(atoll_promise* p, void (*cb)(void* arg, atoll_promise* p), void* arg);
atoll_promise_state atoll_promise_get_state(const atoll_promise* p);
/* The value of a resolved promise (owned by it), else NULL. */
const atoll_value* atoll_promise_result(const atoll_promise* p);
/* The reason of a rejected promise (owned by it), else NULL. */
const char* atoll_promise_reason(const atoll_promise* p);
void atoll_promise_retain(atoll_promise* p);
void atoll_promise_release(atoll_promise* p);

#ifdef __cplusplus
}
#endif

#endif /* ATOLL_EMBED_H */
