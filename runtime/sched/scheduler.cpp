#include "runtime/sched/scheduler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/io/fiber_api.h"
#include "runtime/sched/loop.h"
#include "runtime/sched/thread_executor.h"
#include "runtime/sched/ws.h"

namespace atl::sched {

const char* sched_kind_name(SchedKind k) {
  switch (k) {
    case SchedKind::Ws:
      return "ws";
    case SchedKind::Threads:
      return "threads";
    case SchedKind::Loop:
      return "loop";
  }
  return "?";
}

bool parse_options_from_env(Options* out, std::string* error) {
  Options o;
  if (const char* v = std::getenv("ATOLL_IO"); v && *v) {
    if (std::strcmp(v, "epoll") == 0) {
      o.io = io::BackendKind::Epoll;
    } else if (std::strcmp(v, "poll") == 0) {
      o.io = io::BackendKind::Poll;
    } else if (std::strcmp(v, "uring") == 0 || std::strcmp(v, "io_uring") == 0) {
      o.io = io::BackendKind::Uring;
    } else {
      *error = std::string("ATOLL_IO=") + v + " is not one of epoll, poll, uring";
      return false;
    }
  }
  if (const char* v = std::getenv("ATOLL_SCHED"); v && *v) {
    if (std::strcmp(v, "ws") == 0) {
      o.sched = SchedKind::Ws;
    } else if (std::strcmp(v, "threads") == 0) {
      o.sched = SchedKind::Threads;
    } else if (std::strcmp(v, "loop") == 0) {
      o.sched = SchedKind::Loop;
    } else {
      *error = std::string("ATOLL_SCHED=") + v + " is not one of ws, threads, loop";
      return false;
    }
  }
  if (const char* v = std::getenv("ATOLL_WORKERS"); v && *v) {
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 1 || n > 1024) {
      *error = std::string("ATOLL_WORKERS=") + v + " is not a number of workers (1..1024)";
      return false;
    }
    o.workers = static_cast<unsigned>(n);
  }
  *out = o;
  return true;
}

Options options_from_env() {
  Options o;
  std::string error;
  if (!parse_options_from_env(&o, &error)) {
    std::fprintf(stderr, "atoll: %s; using the defaults\n", error.c_str());
    o = Options();
  }
  return o;
}

void run(const Options& opts, io::Task main) {
  switch (opts.sched) {
    case SchedKind::Ws: {
      WsScheduler s(opts.io, opts.workers);
      s.run(std::move(main), opts.main_stack_bytes);
      return;
    }
    case SchedKind::Threads: {
      ThreadExecutor ex(opts.io);
      io::spawn_on(ex, std::move(main), opts.main_stack_bytes).join();
      // ~ThreadExecutor waits for every thread it spawned
      return;
    }
    case SchedKind::Loop: {
      LoopScheduler s(opts.io);
      s.run(std::move(main), opts.main_stack_bytes);
      return;
    }
  }
}

}  // namespace atl::sched
