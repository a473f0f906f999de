// A plain epoll C++ program that embeds the Atoll library built from
// counter.atl (docs/embedding.md). The host owns the thread and its epoll
// set: a timerfd of its own (every 5 ms) and atoll_notify_fd(). A worker
// thread resolves a promise from outside the loop thread after the host's
// timer is stopped, so only Atoll's descriptor can wake the host for it.
//
// Every step appends an event; the program exits 0 only if the events are
// exactly the expected ones, in order (nothing lost, nothing run twice) and
// every status was the one expected. At the end one action still waits:
// the shutdown abandons it and rejects its promise.
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "counter.h"

namespace {

std::vector<std::string> events;
int failures = 0;

void Event(const std::string& e) {
  std::printf("epoll_host: %s\n", e.c_str());
  std::fflush(stdout);
  events.push_back(e);
}

void Expect(int status, int wanted, const char* what) {
  if (status == wanted) return;
  std::fprintf(stderr, "epoll_host: %s: %s (wanted %s)\n", what, atoll_strerror(status),
               atoll_strerror(wanted));
  ++failures;
}

int64_t IntResult(atoll_promise* p) {
  int64_t v = 0;
  Expect(atoll_get_int(atoll_promise_result(p), &v), ATOLL_OK, "an Int result");
  return v;
}

struct Host {
  atoll_promise* from_timer = nullptr;   // resolved by the host on its 3rd timer tick
  atoll_promise* from_worker = nullptr;  // resolved by the worker thread
  std::atomic<bool> worker_go{false};
  int timer_ticks = 0;
  int settled = 0;  // action results received (but waitAtMost's)
  bool pipeline_done = false;
  int64_t timed_out_value = 0;
  int timed_out_calls = 0;
};

void OnPipeline(void* arg, atoll_promise* p) {
  Event("pipeline=" + std::to_string(IntResult(p)));
  static_cast<Host*>(arg)->settled++;
  static_cast<Host*>(arg)->pipeline_done = true;
  atoll_promise_release(p);
}

void OnFromTimer(void* arg, atoll_promise* p) {
  auto* host = static_cast<Host*>(arg);
  Event("timer promise doubled=" + std::to_string(IntResult(p)));
  host->settled++;
  atoll_promise_release(p);
  host->worker_go.store(true);  // the worker may resolve its promise now
}

// Its time relative to the other events depends on the machine's load, so
// it is counted, not put in the ordered list.
void OnTimedOut(void* arg, atoll_promise* p) {
  auto* host = static_cast<Host*>(arg);
  host->timed_out_value = IntResult(p);
  host->timed_out_calls++;
  atoll_promise_release(p);
}

void OnFromWorker(void* arg, atoll_promise* p) {
  Event("worker promise doubled=" + std::to_string(IntResult(p)));
  static_cast<Host*>(arg)->settled++;
  atoll_promise_release(p);
}

// A callback that misuses the loop: a tick inside a tick is refused.
void OnNested(void* arg, atoll_promise* p) {
  Expect(atoll_tick(nullptr), ATOLL_E_BUSY, "atoll_tick inside atoll_tick");
  Event("nested tick refused");
  static_cast<Host*>(arg)->settled++;
}

// At shutdown: the promise of the action still waiting is rejected, and an
// export called from its callback is refused.
void OnAbandoned(void* arg, atoll_promise* p) {
  const char* reason = atoll_promise_reason(p);
  Event(std::string("abandoned action: ") + (reason ? reason : "(not rejected)"));
  atoll_promise* more = nullptr;
  Expect(counter_sleepThen(1, "late", &more), ATOLL_E_SHUT_DOWN,
         "an action from a shutdown callback");
  static_cast<Host*>(arg)->settled++;
  atoll_promise_release(p);
}

}  // namespace

int main() {
  Host host;
  Expect(atoll_start(), ATOLL_OK, "atoll_start");
  Expect(atoll_start(), ATOLL_E_ALREADY, "atoll_start twice");
  int atoll_fd = -1;
  Expect(atoll_notify_fd(&atoll_fd), ATOLL_OK, "atoll_notify_fd");

  const int ep = epoll_create1(EPOLL_CLOEXEC);
  const int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec every5ms = {{0, 5'000'000}, {0, 5'000'000}};
  timerfd_settime(tfd, 0, &every5ms, nullptr);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = tfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  ev.data.fd = atoll_fd;
  epoll_ctl(ep, EPOLL_CTL_ADD, atoll_fd, &ev);

  // Pure calls, inline.
  int64_t sum = 0;
  Expect(counter_add(20, 22, &sum), ATOLL_OK, "counter_add");
  Event("add=" + std::to_string(sum));
  atoll_value* names_items[3] = {atoll_string("Ada", 3), atoll_string("Barbara", 7),
                                 atoll_string("Grace", 5)};
  atoll_value* names = atoll_list(names_items, 3);
  char* initials = nullptr;
  Expect(counter_initials(names, &initials), ATOLL_OK, "counter_initials");
  Event(std::string("initials=") + (initials ? initials : "?"));
  atoll_string_free(initials);
  atoll_value_free(names);
  atoll_value* floats_items[2] = {atoll_float(1.5), atoll_float(-2.0)};
  atoll_value* floats = atoll_list(floats_items, 2);
  atoll_value* scaled = nullptr;
  Expect(counter_scale(2.0, floats, &scaled), ATOLL_OK, "counter_scale");
  double a = 0, b = 0;
  atoll_get_float(atoll_value_item(scaled, 0), &a);
  atoll_get_float(atoll_value_item(scaled, 1), &b);
  Event("scale=" + std::to_string(a) + "," + std::to_string(b));
  atoll_value_free(scaled);
  atoll_value_free(floats);
  atoll_value* sums = nullptr;
  Expect(counter_parSums(100, &sums), ATOLL_OK, "counter_parSums");
  int64_t s1 = 0, s2 = 0;
  atoll_get_int(atoll_value_item(sums, 0), &s1);
  atoll_get_int(atoll_value_item(sums, 1), &s2);
  Event("parSums=" + std::to_string(s1) + "," + std::to_string(s2));
  atoll_value_free(sums);
  const char* point_names[3] = {"label", "y", "x"};  // any order
  atoll_value* point_items[3] = {atoll_string("p", 1), atoll_int(2), atoll_int(1)};
  atoll_value* point = atoll_record(point_names, point_items, 3);
  atoll_value* moved = nullptr;
  Expect(counter_move(point, 10, &moved), ATOLL_OK, "counter_move");
  int64_t mx = 0, my = 0;
  const char* label = "?";
  Expect(atoll_get_int(atoll_value_field(moved, "x"), &mx), ATOLL_OK, "move.x");
  Expect(atoll_get_int(atoll_value_field(moved, "y"), &my), ATOLL_OK, "move.y");
  Expect(atoll_get_string(atoll_value_field(moved, "label"), &label, nullptr), ATOLL_OK,
         "move.label");
  Event("move=" + std::to_string(mx) + "," + std::to_string(my) + "," + label);
  atoll_value_free(moved);
  atoll_value_free(point);
  // A record without its field `y` is refused.
  const char* short_names[2] = {"x", "label"};
  atoll_value* short_items[2] = {atoll_int(1), atoll_string("q", 1)};
  atoll_value* short_point = atoll_record(short_names, short_items, 2);
  Expect(counter_move(short_point, 1, &moved), ATOLL_E_TYPE, "counter_move without y");
  atoll_value_free(short_point);
  // A list of Ints where a list of Floats is expected.
  atoll_value* wrong_items[1] = {atoll_int(1)};
  atoll_value* wrong = atoll_list(wrong_items, 1);
  Expect(counter_scale(1.0, wrong, &scaled), ATOLL_E_TYPE, "counter_scale with Ints");
  atoll_value_free(wrong);

  // Actions: promises of their results.
  atoll_promise* pipeline = nullptr;
  Expect(counter_pipeline(1000, &pipeline), ATOLL_OK, "counter_pipeline");
  Expect(atoll_promise_then(pipeline, OnPipeline, &host), ATOLL_OK, "then pipeline");
  host.from_timer = atoll_promise_new();
  atoll_promise* doubled = nullptr;
  Expect(counter_waitAndDouble(host.from_timer, &doubled), ATOLL_OK, "waitAndDouble(timer)");
  Expect(atoll_promise_then(doubled, OnFromTimer, &host), ATOLL_OK, "then timer");
  // Nobody resolves this one: the Atoll thread's `timeout` gives up after 1 ms.
  atoll_promise* slow = atoll_promise_new();
  atoll_promise* timed = nullptr;
  Expect(counter_waitAtMost(1, slow, &timed), ATOLL_OK, "waitAtMost");
  Expect(atoll_promise_then(timed, OnTimedOut, &host), ATOLL_OK, "then waitAtMost");
  atoll_promise_release(slow);
  host.from_worker = atoll_promise_new();
  atoll_promise* doubled2 = nullptr;
  Expect(counter_waitAndDouble(host.from_worker, &doubled2), ATOLL_OK, "waitAndDouble(worker)");
  Expect(atoll_promise_then(doubled2, OnFromWorker, &host), ATOLL_OK, "then worker");

  // The worker: waits for the go, then resolves from its own thread; its
  // misuse of loop-thread calls is refused.
  int worker_tick = 0, worker_call = 0;
  std::thread worker([&] {
    while (!host.worker_go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    worker_tick = atoll_tick(nullptr);
    int64_t ignored = 0;
    worker_call = counter_add(1, 1, &ignored);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Expect(atoll_promise_resolve(host.from_worker, atoll_int(500)), ATOLL_OK, "worker resolve");
  });

  bool nested_done = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (host.settled < 3 || host.timed_out_calls == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "epoll_host: stalled: 5 s without finishing\n");
      ++failures;
      break;
    }
    int timeout = -1;
    Expect(atoll_timeout_ms(&timeout), ATOLL_OK, "atoll_timeout_ms");
    epoll_event ready[4];
    // Without an Atoll timer the host waits on descriptors only (at most
    // 2 s: longer would mean a lost notification).
    const int n = epoll_wait(ep, ready, 4, timeout < 0 ? 2000 : timeout);
    if (n == 0 && timeout < 0) {
      std::fprintf(stderr, "epoll_host: stalled: no notification for 2 s\n");
      ++failures;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.fd != tfd) continue;
      uint64_t expirations = 0;
      // Counted once the pipeline is done, so the order holds on a loaded machine.
      if (read(tfd, &expirations, sizeof expirations) > 0 && host.pipeline_done &&
          ++host.timer_ticks == 3) {
        Event("host timer 3");
        Expect(atoll_promise_resolve(host.from_timer, atoll_int(7)), ATOLL_OK, "resolve timer");
        atoll_value* again = atoll_int(8);
        Expect(atoll_promise_resolve(host.from_timer, again), ATOLL_E_ALREADY, "resolve twice");
        atoll_value_free(again);
        itimerspec off = {};
        timerfd_settime(tfd, 0, &off, nullptr);  // only Atoll's descriptor wakes us now
      }
    }
    Expect(atoll_tick(nullptr), ATOLL_OK, "atoll_tick");
  }
  worker.join();
  Expect(worker_tick, ATOLL_E_WRONG_THREAD, "atoll_tick from the worker");
  Expect(worker_call, ATOLL_E_WRONG_THREAD, "an export from the worker");

  // A tick inside a tick (from a callback) is refused.
  atoll_promise* nested = atoll_promise_new();
  Expect(atoll_promise_then(nested, OnNested, &host), ATOLL_OK, "then nested");
  Expect(atoll_promise_resolve(nested, atoll_unit()), ATOLL_OK, "resolve nested");
  Expect(atoll_tick(nullptr), ATOLL_OK, "atoll_tick (nested)");
  nested_done = host.settled == 4;
  atoll_promise_release(nested);

  // One action that never ends: shutdown waits 50 ms, then abandons it.
  atoll_promise* never = atoll_promise_new();
  atoll_promise* waiting = nullptr;
  Expect(counter_waitAndDouble(never, &waiting), ATOLL_OK, "waitAndDouble(never)");
  Expect(atoll_promise_then(waiting, OnAbandoned, &host), ATOLL_OK, "then never");
  int abandoned = -1;
  Expect(atoll_shutdown(50, &abandoned), ATOLL_OK, "atoll_shutdown");
  // Settling a promise an abandoned thread waits for is harmless.
  Expect(atoll_promise_resolve(never, atoll_int(1)), ATOLL_OK, "resolve after shutdown");
  atoll_promise_release(never);
  Expect(atoll_tick(nullptr), ATOLL_E_SHUT_DOWN, "atoll_tick after shutdown");
  int64_t late = 0;
  Expect(counter_add(1, 2, &late), ATOLL_E_SHUT_DOWN, "an export after shutdown");
  Expect(atoll_start(), ATOLL_E_SHUT_DOWN, "atoll_start after shutdown");
  atoll_promise_release(host.from_timer);
  atoll_promise_release(host.from_worker);
  close(tfd);
  close(ep);

  const std::vector<std::string> expected = {
      "add=42",
      "initials=ABG",
      "scale=3.000000,-4.000000",
      "parSums=4950,19900",
      "move=11,12,p",
      "pipeline=499500",
      "host timer 3",
      "timer promise doubled=14",
      "worker promise doubled=1000",
      "nested tick refused",
      "abandoned action: the Atoll runtime shut down before the action finished",
  };
  const bool ok = failures == 0 && abandoned == 1 && host.settled == 5 && nested_done &&
                  events == expected && host.timed_out_calls == 1 && host.timed_out_value == -1;
  if (!ok) {
    std::fprintf(stderr,
                 "epoll_host: %d failures, %d abandoned, waitAtMost %d times (%lld); expected "
                 "events:\n",
                 failures, abandoned, host.timed_out_calls, (long long)host.timed_out_value);
    for (const std::string& e : expected) std::fprintf(stderr, "  %s\n", e.c_str());
  }
  std::puts(ok ? "epoll_host: ok" : "epoll_host: FAILED");
  return ok ? 0 : 1;
}
