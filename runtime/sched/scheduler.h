// Scheduler selection and the one entry point every program uses:
// run(options, main) runs `main` under the chosen scheduler and returns when
// it ends (rethrowing its exception). ATOLL_SCHED=ws|threads|loop,
// ATOLL_IO=epoll|poll|uring, ATOLL_WORKERS=n (ws; default: one per core).
#pragma once

#include <string>

#include "runtime/io/backend.h"
#include "runtime/io/executor.h"

namespace atl::sched {

enum class SchedKind { Ws, Threads, Loop };

struct Options {
  SchedKind sched = SchedKind::Ws;
  io::BackendKind io = io::BackendKind::Epoll;
  unsigned workers = 0;         // ws only; 0 = hardware concurrency
  size_t main_stack_bytes = 0;  // main's stack; 0 = the default fiber stack
};

// Reads ATOLL_SCHED, ATOLL_IO and ATOLL_WORKERS. A value it does not
// understand is an error: false, with a one-line explanation in `error`.
bool ParseOptionsFromEnv(Options* out, std::string* error);
// The same, warning on stderr and using the default for a bad value.
Options OptionsFromEnv();
const char* SchedKindName(SchedKind k);
void Run(const Options& opts, io::Task main);

}  // namespace atl::sched
