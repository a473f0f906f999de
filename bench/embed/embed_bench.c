/* The cost of embedding (docs/embedding.md), one figure per line:
 *   call_ns   a host -> Atoll -> host call of a pure export (counter_add)
 *   tick_ns   one atoll_tick with nothing ready
 *   action_ns an action export started, run by ticks, its promise's
 *             callback run (counter_sleepThen 0: a thread, a timer, a promise)
 * Each figure is the mean over N iterations of one run; bench/embed/run
 * takes the median of several runs. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "counter.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int done;
static void on_done(void* arg, atoll_promise* p) {
  done++;
  atoll_promise_release(p);
}

int main(int argc, char** argv) {
  const long n = argc > 1 ? atol(argv[1]) : 200000;
  if (atoll_start() != ATOLL_OK) return 1;
  int64_t sum = 0, check = 0;
  for (long i = 0; i < 1000; ++i) counter_add(i, 1, &sum); /* warm up */

  double t0 = now_ns();
  for (long i = 0; i < n; ++i) {
    if (counter_add(i, 1, &sum) != ATOLL_OK) return 1;
    check += sum;
  }
  const double call_ns = (now_ns() - t0) / n;

  t0 = now_ns();
  for (long i = 0; i < n; ++i)
    if (atoll_tick(NULL) != ATOLL_OK) return 1;
  const double tick_ns = (now_ns() - t0) / n;

  const long actions = n / 20;
  t0 = now_ns();
  for (long i = 0; i < actions; ++i) {
    atoll_promise* p = NULL;
    if (counter_sleepThen(0, "x", &p) != ATOLL_OK) return 1;
    atoll_promise_then(p, on_done, NULL);
    while (done <= i) atoll_tick(NULL);
  }
  const double action_ns = (now_ns() - t0) / actions;

  if (check != (int64_t)n * (n + 1) / 2) return 1;
  printf("call_ns %.1f\ntick_ns %.1f\naction_ns %.1f\n", call_ns, tick_ns, action_ns);
  return atoll_shutdown(1000, NULL) == ATOLL_OK ? 0 : 1;
}
