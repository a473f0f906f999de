/* A host program with its own plain epoll loop that drives an Atoll `loop`
 * scheduler through the C API in runtime/sched/atl_loop.h.
 *
 * The host owns a timerfd ticking every 5 ms. Atoll fibers sleep on the
 * loop's own timers, await a promise the host resolves on its 3rd tick, and
 * resolve a promise whose callback runs in the host. A worker thread of the
 * host resolves another promise from outside the loop thread, which must
 * wake the host through the loop's notification descriptor. The program
 * checks the order of events and exits 0 only if everything happened. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sched/atl_loop.h"

struct shared {
  atl_promise* from_host;   /* host -> fiber */
  atl_promise* to_host;     /* fiber -> host */
  atl_promise* from_thread; /* foreign thread -> fiber */
  int sleeps_done;
  int64_t got_from_host;
  int64_t got_from_thread;
  int64_t host_received;
  int host_ticks;
};

static void sleeper(void* arg) {
  struct shared* s = arg;
  for (int i = 0; i < 3; ++i) {
    if (atl_sleep_ms(2) != 0) return;
    s->sleeps_done++;
  }
}

static void bridge(void* arg) {
  struct shared* s = arg;
  int64_t v = 0;
  if (atl_promise_await(s->from_host, &v) != 0) return;
  s->got_from_host = v;
  if (atl_promise_await(s->from_thread, &v) != 0) return;
  s->got_from_thread = v;
  atl_promise_resolve(s->to_host, s->got_from_host + s->got_from_thread);
}

static void on_result(void* arg, int64_t value) {
  struct shared* s = arg;
  s->host_received = value;
}

static void* foreign(void* arg) {
  struct shared* s = arg;
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
  atl_promise_resolve(s->from_thread, 1000);
  return NULL;
}

int main(void) {
  struct shared s;
  memset(&s, 0, sizeof s);
  s.from_host = atl_promise_new();
  s.to_host = atl_promise_new();
  s.from_thread = atl_promise_new();

  atl_loop* loop = atl_loop_new();
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  struct itimerspec its = {{0, 5 * 1000 * 1000}, {0, 5 * 1000 * 1000}};
  timerfd_settime(tfd, 0, &its, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tfd};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  int lfd = atl_loop_fd(loop);
  if (lfd < 0) {
    fprintf(stderr, "host_loop: the loop has no notification descriptor (ATOLL_IO=poll?)\n");
    return 77;
  }
  ev.data.fd = lfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);

  atl_promise_on_resolve(s.to_host, on_result, &s);
  atl_loop_spawn(loop, sleeper, &s);
  atl_loop_spawn(loop, bridge, &s);
  pthread_t th;
  pthread_create(&th, NULL, foreign, &s);

  int live = atl_loop_tick(loop);
  int iterations = 0;
  int stalled = 0;
  while ((live > 0 || s.host_received == 0) && iterations++ < 10000) {
    int timeout = atl_loop_timeout_ms(loop);
    struct epoll_event evs[4];
    /* No Atoll timer pending: wait on descriptors only, but give up after
     * 2 s, which would mean a lost notification. */
    int n = epoll_wait(ep, evs, 4, timeout < 0 ? 2000 : timeout);
    if (n == 0 && timeout < 0) {
      fprintf(stderr, "host_loop: stalled: no notification for 2 s\n");
      stalled = 1;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (evs[i].data.fd == tfd) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) > 0 && ++s.host_ticks == 3) {
          atl_promise_resolve(s.from_host, 7);
          /* From now on only the loop's descriptor can wake the host. */
          struct itimerspec off = {{0, 0}, {0, 0}};
          timerfd_settime(tfd, 0, &off, NULL);
        }
      }
    }
    live = atl_loop_tick(loop); /* whether lfd fired or a timer is due */
  }
  pthread_join(th, NULL);

  printf(
      "host ticks %d (timer stopped after 3), sleeps %d, from host %lld, from thread %lld, host "
      "got %lld\n",
      s.host_ticks, s.sleeps_done, (long long)s.got_from_host, (long long)s.got_from_thread,
      (long long)s.host_received);
  int ok = !stalled && s.sleeps_done == 3 && s.got_from_host == 7 && s.got_from_thread == 1000 &&
           s.host_received == 1007 && live == 0;
  atl_loop_free(loop);
  atl_promise_free(s.from_host);
  atl_promise_free(s.to_host);
  atl_promise_free(s.from_thread);
  close(tfd);
  close(ep);
  puts(ok ? "host_loop: ok" : "host_loop: FAILED");
  return ok ? 0 : 1;
}
