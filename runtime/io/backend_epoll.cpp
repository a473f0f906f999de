// epoll backend: level-triggered, one registration per armed descriptor.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

#include "runtime/io/backend.h"

namespace atl::io {
namespace {

class EpollBackend final : public Backend {
 public:
  EpollBackend() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) {
      std::perror("atoll: epoll_create1");
      std::abort();
    }
  }
  ~EpollBackend() override { close(epfd_); }

  int Arm(int fd, uint32_t interest) override {
    epoll_event ev{};
    ev.events = ((interest & kReadable) ? EPOLLIN | EPOLLRDHUP : 0u) |
                ((interest & kWritable) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    bool known = registered_.count(fd) != 0;
    int rc = epoll_ctl(epfd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0 && errno == EEXIST) rc = epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0) return errno;
    registered_.insert(fd);
    return 0;
  }

  void Disarm(int fd) override {
    if (registered_.erase(fd)) epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  }

  int Wait(Duration timeout, std::vector<ReadyEvent>& out) override {
    epoll_event evs[128];
    timespec ts{};
    timespec* tsp = nullptr;
    if (timeout.count() >= 0) {
      ts.tv_sec = timeout.count() / 1000000000;
      ts.tv_nsec = timeout.count() % 1000000000;
      tsp = &ts;
    }
    int n = epoll_pwait2(epfd_, evs, 128, tsp, nullptr);
    if (n < 0) return errno == EINTR ? 0 : errno;
    for (int i = 0; i < n; ++i) {
      uint32_t e = evs[i].events;
      uint32_t r = 0;
      if (e & (EPOLLIN | EPOLLRDHUP)) r |= kReadable;
      if (e & EPOLLOUT) r |= kWritable;
      if (e & (EPOLLERR | EPOLLHUP)) r |= kReadable | kWritable;
      out.push_back({evs[i].data.fd, r});
    }
    return 0;
  }

  int NotifyFd() const override { return epfd_; }
  const char* name() const override { return "epoll"; }

 private:
  int epfd_;
  std::unordered_set<int> registered_;  // guarded by the IoContext lock
};

}  // namespace

std::unique_ptr<Backend> MakeEpollBackend() { return std::make_unique<EpollBackend>(); }

}  // namespace atl::io
