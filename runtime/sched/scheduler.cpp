#include "runtime/sched/scheduler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/io/fiber_api.h"
#include "runtime/io/thread_executor.h"
#include "runtime/sched/loop.h"
#include "runtime/sched/ws.h"

namespace atl::sched {

const char* sched_kind_name(SchedKind k) {
  switch (k) {
    case SchedKind::Ws: return "ws";
    case SchedKind::Threads: return "threads";
    case SchedKind::Loop: return "loop";
  }
  return "?";
}

Options options_from_env() {
  Options o;
  o.io = io::backend_from_env();
  if (const char* v = std::getenv("ATOLL_SCHED"); v && *v) {
    if (std::strcmp(v, "ws") == 0) {
      o.sched = SchedKind::Ws;
    } else if (std::strcmp(v, "threads") == 0) {
      o.sched = SchedKind::Threads;
    } else if (std::strcmp(v, "loop") == 0) {
      o.sched = SchedKind::Loop;
    } else {
      std::fprintf(stderr, "atoll: unknown ATOLL_SCHED=%s, using ws\n", v);
    }
  }
  if (const char* v = std::getenv("ATOLL_WORKERS"); v && *v) {
    long n = std::strtol(v, nullptr, 10);
    if (n > 0 && n <= 1024) o.workers = static_cast<unsigned>(n);
  }
  return o;
}

void run(const Options& opts, io::Task main) {
  switch (opts.sched) {
    case SchedKind::Ws: {
      WsScheduler s(opts.io, opts.workers);
      s.run(std::move(main));
      return;
    }
    case SchedKind::Threads: {
      io::FiberHandle h;
      {
        io::ThreadExecutor ex(opts.io);
        auto j = std::make_shared<io::JoinState>();
        ex.spawn(std::move(main), j);
        h = io::FiberHandle(j);
        h.join();
      }  // waits for every thread it spawned
      return;
    }
    case SchedKind::Loop: {
      LoopScheduler s(opts.io);
      s.run(std::move(main));
      return;
    }
  }
}

}  // namespace atl::sched
