/* A libuv program that embeds the Atoll library built from counter.atl
 * (docs/embedding.md). libuv owns the thread: Atoll is ticked from a poll
 * handle on atoll_notify_fd() and from a timer armed with
 * atoll_timeout_ms(). Meanwhile the host runs its own repeating timer and a
 * TCP echo exchange over loopback, calls exported functions (pure ones
 * inline, actions through promises) and settles promises that Atoll threads
 * await.
 *
 * The steps are chained, so their order is fixed; every step appends an
 * event, and the program exits 0 only if the events are exactly the
 * expected ones (nothing lost, nothing run twice) and every status was the
 * one expected. A watchdog fails the run after 5 s. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "counter.h"

static uv_loop_t* loop;
static uv_poll_t atoll_poll;   /* Atoll's notification descriptor */
static uv_timer_t atoll_timer; /* Atoll's next timer */
static uv_timer_t host_timer;  /* the host's own 5 ms timer */
static uv_timer_t watchdog;
static uv_tcp_t server, server_side, client;
static uv_connect_t connect_req;
static struct sockaddr_in server_addr;
static int host_ticks;
static int failures;

static atoll_promise* to_double; /* resolved by the host's timer */
static atoll_promise* pa;
static atoll_promise* pb;

#define MAX_EVENTS 32
static char events[MAX_EVENTS][96];
static int event_count;

static void event(const char* fmt, ...) {
  if (event_count == MAX_EVENTS) {
    failures++;
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(events[event_count], sizeof events[0], fmt, ap);
  va_end(ap);
  printf("uv_host: %s\n", events[event_count++]);
  fflush(stdout);
}

static void expect(int status, int wanted, const char* what) {
  if (status != wanted) {
    fprintf(stderr, "uv_host: %s: %s (wanted %s)\n", what, atoll_strerror(status),
            atoll_strerror(wanted));
    failures++;
  }
}

/* Ticks Atoll and re-arms the timer for its next due timer. */
static void drive(void) {
  int live = 0;
  expect(atoll_tick(&live), ATOLL_OK, "atoll_tick");
  int ms = -1;
  if (atoll_timeout_ms(&ms) != ATOLL_OK) return; /* shut down meanwhile */
  if (ms >= 0) {
    uv_timer_start(&atoll_timer, (uv_timer_cb)drive, (uint64_t)ms, 0);
  } else {
    uv_timer_stop(&atoll_timer);
  }
}

static void on_atoll_readable(uv_poll_t* h, int status, int events) { drive(); }

static void close_all(void) {
  uv_handle_t* handles[] = {(uv_handle_t*)&atoll_poll, (uv_handle_t*)&atoll_timer,
                            (uv_handle_t*)&host_timer, (uv_handle_t*)&watchdog,
                            (uv_handle_t*)&server,     (uv_handle_t*)&server_side,
                            (uv_handle_t*)&client};
  for (size_t i = 0; i < sizeof handles / sizeof handles[0]; ++i)
    if (!uv_is_closing(handles[i])) uv_close(handles[i], NULL);
}

static void on_watchdog(uv_timer_t* t) {
  fprintf(stderr, "uv_host: stalled: 5 s without finishing\n");
  failures++;
  close_all();
}

/* ---- the last step: shut down ---------------------------------------------- */

/* Not from inside the tick that ran on_both (atoll_shutdown there is
 * ATOLL_E_BUSY): from a timer of the host's, at the next loop iteration. */
static void finish(uv_timer_t* t) {
  int abandoned = -1;
  uv_poll_stop(&atoll_poll); /* before the descriptor goes */
  expect(atoll_shutdown(1000, &abandoned), ATOLL_OK, "atoll_shutdown");
  if (abandoned != 0) {
    fprintf(stderr, "uv_host: %d Atoll threads abandoned\n", abandoned);
    failures++;
  }
  int64_t sum = 0;
  event("after shutdown: %s", atoll_strerror(counter_add(1, 2, &sum)));
  close_all();
}

static void on_both(void* arg, atoll_promise* p) {
  const atoll_value* pair = atoll_promise_result(p);
  int64_t a = 0, b = 0;
  expect(atoll_get_int(atoll_value_item(pair, 0), &a), ATOLL_OK, "both.0");
  expect(atoll_get_int(atoll_value_item(pair, 1), &b), ATOLL_OK, "both.1");
  event("both=%lld,%lld", (long long)a, (long long)b);
  atoll_promise_release(pa);
  atoll_promise_release(pb);
  atoll_promise_release(p);
  uv_timer_start(&host_timer, finish, 0, 0);
}

static void on_slept(void* arg, atoll_promise* p) {
  const char* text = "";
  expect(atoll_get_string(atoll_promise_result(p), &text, NULL), ATOLL_OK, "sleepThen");
  event("sleepThen=%s", text);
  atoll_promise_release(p);
  /* Two pending promises, settled in the other order than awaited. */
  pa = atoll_promise_new();
  pb = atoll_promise_new();
  atoll_promise* both = NULL;
  expect(counter_both(pa, pb, &both), ATOLL_OK, "counter_both");
  expect(atoll_promise_then(both, on_both, NULL), ATOLL_OK, "then both");
  expect(atoll_promise_resolve(pb, atoll_int(2)), ATOLL_OK, "resolve pb");
  expect(atoll_promise_resolve(pa, atoll_int(1)), ATOLL_OK, "resolve pa");
}

static void on_described(void* arg, atoll_promise* p) {
  const char* text = "";
  expect(atoll_get_string(atoll_promise_result(p), &text, NULL), ATOLL_OK, "describe");
  event("describe=%s", text);
  atoll_promise_release(p);
  atoll_promise* slept = NULL;
  expect(counter_sleepThen(10, "zzz", &slept), ATOLL_OK, "counter_sleepThen");
  expect(atoll_promise_then(slept, on_slept, NULL), ATOLL_OK, "then slept");
}

/* ---- the TCP exchange ------------------------------------------------------- */

static void alloc_buffer(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  static char storage[2][256];
  char* base = storage[(uv_tcp_t*)h == &client];
  *buf = uv_buf_init(base, sizeof storage[0]);
}

static void on_written(uv_write_t* req, int status) {
  if (status != 0) failures++;
  free(req);
}

static void send_text(uv_stream_t* stream, const char* text) {
  uv_write_t* req = malloc(sizeof *req);
  size_t n = strlen(text);
  if (n > 255) n = 255;
  static char out[2][256]; /* one write in flight per stream */
  char* buffer = out[(uv_tcp_t*)stream == &client];
  memcpy(buffer, text, n);
  uv_buf_t buf = uv_buf_init(buffer, (unsigned)n);
  uv_write(req, stream, &buf, 1, on_written);
}

static void on_client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n <= 0) return;
  event("client got=%.*s", (int)n, buf->base);
  uv_read_stop(s);
  /* A promise that is rejected, and a second settlement refused. */
  atoll_promise* text = atoll_promise_new();
  atoll_promise* described = NULL;
  expect(counter_describe(text, &described), ATOLL_OK, "counter_describe");
  expect(atoll_promise_then(described, on_described, NULL), ATOLL_OK, "then describe");
  expect(atoll_promise_reject(text, "nope"), ATOLL_OK, "reject");
  atoll_value* late = atoll_string("late", 4);
  expect(atoll_promise_resolve(text, late), ATOLL_E_ALREADY, "resolve after reject");
  atoll_value_free(late);
  atoll_promise_release(text);
}

static void on_server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n <= 0) return;
  char request[64];
  snprintf(request, sizeof request, "%.*s", (int)n, buf->base);
  event("server got=%s", request);
  char* reply = NULL;
  expect(counter_greet(request, &reply), ATOLL_OK, "counter_greet"); /* inside a libuv callback */
  send_text(s, reply ? reply : "?");
  atoll_string_free(reply);
}

static void on_connection(uv_stream_t* listener, int status) {
  uv_tcp_init(loop, &server_side);
  if (status != 0 || uv_accept(listener, (uv_stream_t*)&server_side) != 0) {
    failures++;
    return;
  }
  uv_read_start((uv_stream_t*)&server_side, alloc_buffer, on_server_read);
}

static void on_connected(uv_connect_t* req, int status) {
  if (status != 0) {
    fprintf(stderr, "uv_host: connect: %s\n", uv_strerror(status));
    failures++;
    return;
  }
  uv_read_start((uv_stream_t*)&client, alloc_buffer, on_client_read);
  send_text((uv_stream_t*)&client, "ping");
}

/* ---- the first steps -------------------------------------------------------- */

static void on_doubled(void* arg, atoll_promise* p) {
  int64_t v = 0;
  expect(atoll_get_int(atoll_promise_result(p), &v), ATOLL_OK, "waitAndDouble");
  event("waitAndDouble=%lld", (long long)v);
  atoll_promise_release(p);
  uv_tcp_connect(&connect_req, &client, (const struct sockaddr*)&server_addr, on_connected);
}

static void on_host_timer(uv_timer_t* t) {
  if (++host_ticks != 3) return;
  uv_timer_stop(t);
  event("host timer 3");
  /* Handed to waitAndDouble as a Promise Int: a String is refused. */
  atoll_value* wrong = atoll_string("x", 1);
  expect(atoll_promise_resolve(to_double, wrong), ATOLL_E_TYPE, "resolve with a String");
  atoll_value_free(wrong);
  expect(atoll_promise_resolve(to_double, atoll_int(21)), ATOLL_OK, "resolve to_double");
  atoll_promise_release(to_double);
}

static void on_pipeline(void* arg, atoll_promise* p) {
  int64_t v = 0;
  expect(atoll_get_int(atoll_promise_result(p), &v), ATOLL_OK, "pipeline");
  event("pipeline=%lld", (long long)v);
  atoll_promise_release(p);
  /* Started now, so the order holds on a loaded machine. */
  uv_timer_start(&host_timer, on_host_timer, 5, 5);
}

int main(void) {
  loop = uv_default_loop();
  expect(atoll_start(), ATOLL_OK, "atoll_start");
  int fd = -1;
  expect(atoll_notify_fd(&fd), ATOLL_OK, "atoll_notify_fd");
  uv_poll_init(loop, &atoll_poll, fd);
  uv_poll_start(&atoll_poll, UV_READABLE, on_atoll_readable);
  uv_timer_init(loop, &atoll_timer);
  uv_timer_init(loop, &host_timer);
  uv_timer_init(loop, &watchdog);
  uv_timer_start(&watchdog, on_watchdog, 5000, 0);
  uv_tcp_init(loop, &server);
  uv_tcp_init(loop, &client);
  uv_tcp_init(loop, &server_side);
  uv_ip4_addr("127.0.0.1", 0, &server_addr);
  uv_tcp_bind(&server, (const struct sockaddr*)&server_addr, 0);
  int len = sizeof server_addr;
  uv_tcp_getsockname(&server, (struct sockaddr*)&server_addr, &len);
  if (uv_listen((uv_stream_t*)&server, 4, on_connection) != 0) failures++;

  int64_t sum = 0;
  expect(counter_add(2, 40, &sum), ATOLL_OK, "counter_add");
  event("add=%lld", (long long)sum);
  char* greeting = NULL;
  expect(counter_greet("uv", &greeting), ATOLL_OK, "counter_greet");
  event("greet=%s", greeting ? greeting : "(null)");
  atoll_string_free(greeting);
  atoll_value* items[3] = {atoll_int(1), atoll_int(2), atoll_int(3)};
  atoll_value* list = atoll_list(items, 3);
  atoll_value* stats = NULL;
  expect(counter_stats(list, &stats), ATOLL_OK, "counter_stats");
  int64_t count = 0, total = 0;
  atoll_get_int(atoll_value_item(stats, 0), &count);
  atoll_get_int(atoll_value_item(stats, 1), &total);
  event("stats=%lld,%lld", (long long)count, (long long)total);
  atoll_value_free(stats);
  atoll_value_free(list);

  atoll_promise* pipeline = NULL;
  expect(counter_pipeline(100, &pipeline), ATOLL_OK, "counter_pipeline");
  expect(atoll_promise_then(pipeline, on_pipeline, NULL), ATOLL_OK, "then pipeline");
  to_double = atoll_promise_new();
  atoll_promise* doubled = NULL;
  expect(counter_waitAndDouble(to_double, &doubled), ATOLL_OK, "counter_waitAndDouble");
  expect(atoll_promise_then(doubled, on_doubled, NULL), ATOLL_OK, "then doubled");

  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);

  const char* expected[] = {
      "add=42",
      "greet=hello, uv",
      "stats=3,6",
      "pipeline=4950",
      "host timer 3",
      "waitAndDouble=42",
      "server got=ping",
      "client got=hello, ping",
      "describe=rejected: nope",
      "sleepThen=zzz",
      "both=1,2",
      "after shutdown: the Atoll runtime was shut down",
  };
  const int n = (int)(sizeof expected / sizeof expected[0]);
  int ok = failures == 0 && event_count == n;
  for (int i = 0; ok && i < n; ++i) ok = strcmp(events[i], expected[i]) == 0;
  if (!ok) {
    fprintf(stderr, "uv_host: expected %d events:\n", n);
    for (int i = 0; i < n; ++i) fprintf(stderr, "  %s\n", expected[i]);
    fprintf(stderr, "got %d (%d failures)\n", event_count, failures);
  }
  puts(ok ? "uv_host: ok" : "uv_host: FAILED");
  return ok ? 0 : 1;
}
