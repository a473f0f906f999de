// Backend selection (ATOLL_IO) and the io_uring start-up probe.
#include "runtime/io/backend.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace atl::io {

const char* BackendKindName(BackendKind kind) {
  switch (kind) {
    case BackendKind::Epoll:
      return "epoll";
    case BackendKind::Poll:
      return "poll";
    case BackendKind::Uring:
      return "uring";
  }
  return "?";
}

namespace {
struct Probe {
  bool ok = false;
  std::string why;
};
const Probe& ProbeUring() {
  static const Probe p = [] {
    Probe r;
    r.ok = MakeUringBackend(&r.why) != nullptr;
    return r;
  }();
  return p;
}
}  // namespace

bool UringAvailable() { return ProbeUring().ok; }

BackendKind BackendFromEnv() {
  const char* v = std::getenv("ATOLL_IO");
  if (!v || !*v || std::strcmp(v, "epoll") == 0) return BackendKind::Epoll;
  if (std::strcmp(v, "poll") == 0) return BackendKind::Poll;
  if (std::strcmp(v, "uring") == 0 || std::strcmp(v, "io_uring") == 0) return BackendKind::Uring;
  std::fprintf(stderr, "atoll: unknown ATOLL_IO=%s, using epoll\n", v);
  return BackendKind::Epoll;
}

std::unique_ptr<Backend> MakeBackend(BackendKind kind) {
  switch (kind) {
    case BackendKind::Epoll:
      return MakeEpollBackend();
    case BackendKind::Poll:
      return MakePollBackend();
    case BackendKind::Uring: {
      std::string why;
      if (ProbeUring().ok) {
        if (auto b = MakeUringBackend(&why)) return b;
      } else {
        why = ProbeUring().why;
      }
      static std::once_flag notice;
      std::call_once(notice, [&] {
        std::fprintf(stderr, "atoll: io_uring refused (%s); using epoll\n", why.c_str());
      });
      return MakeEpollBackend();
    }
  }
  return MakeEpollBackend();
}

}  // namespace atl::io
