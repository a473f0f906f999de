#include "runtime/sched/scheduler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/io/fiber_api.h"
#include "runtime/sched/loop.h"
#include "runtime/sched/thread_executor.h"
#include "runtime/sched/ws.h"

namespace atl::sched {

const char* SchedKindName(SchedKind k) {
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

bool ParseOptionsFromEnv(Options* out, std::string* error) {
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

Options OptionsFromEnv() {
  Options o;
  std::string error;
  if (!ParseOptionsFromEnv(&o, &error)) {
    std::fprintf(stderr, "atoll: %s; using the defaults\n", error.c_str());
    o = Options();
  }
  return o;
}

void Run(const Options& opts, io::Task main) {
  switch (opts.sched) {
    case SchedKind::Ws: {
      WsScheduler s(opts.io, opts.workers);
      s.Run(std::move(main), opts.main_stack_bytes);
      return;
    }
    case SchedKind::Threads: {
      ThreadExecutor ex(opts.io);
      io::SpawnOn(ex, std::move(main), opts.main_stack_bytes).Join();
      // ~ThreadExecutor waits for every thread it spawned
      return;
    }
    case SchedKind::Loop: {
      LoopScheduler s(opts.io);
      s.Run(std::move(main), opts.main_stack_bytes);
      return;
    }
  }
}

}  // namespace atl::sched
