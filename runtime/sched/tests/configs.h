// Test helper: every (scheduler, backend) pair available on this machine.
#pragma once

#include <dirent.h>

#include <string>
#include <vector>

#include "runtime/io/backend.h"
#include "runtime/sched/scheduler.h"

namespace atl::test {

inline std::vector<sched::Options> AllConfigs(bool include_threads = true) {
  std::vector<sched::Options> out;
  std::vector<io::BackendKind> backends = {io::BackendKind::Epoll, io::BackendKind::Poll};
  if (io::UringAvailable()) backends.push_back(io::BackendKind::Uring);
  for (auto s : {sched::SchedKind::Ws, sched::SchedKind::Threads, sched::SchedKind::Loop}) {
    if (s == sched::SchedKind::Threads && !include_threads) continue;
    for (auto b : backends) {
      sched::Options o;
      o.sched = s;
      o.io = b;
      o.workers = 2;
      out.push_back(o);
    }
  }
  return out;
}

inline std::string ConfigName(const sched::Options& o) {
  return std::string(sched::SchedKindName(o.sched)) + "/" + io::BackendKindName(o.io);
}

// Number of open descriptors of this process.
inline int OpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

}  // namespace atl::test
