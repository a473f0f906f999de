// poll(2) backend: portable, O(n) per wait. The descriptor table is copied
// under a mutex before each wait, so arm/disarm during a wait take effect on
// the next one (hence needs_wakeup_on_change).
#include <poll.h>

#include <cerrno>
#include <mutex>
#include <unordered_map>

#include "runtime/io/backend.h"

namespace atl::io {
namespace {

class PollBackend final : public Backend {
 public:
  int Arm(int fd, uint32_t interest) override {
    std::lock_guard<std::mutex> g(mu_);
    interest_[fd] = interest;
    return 0;
  }
  void Disarm(int fd) override {
    std::lock_guard<std::mutex> g(mu_);
    interest_.erase(fd);
  }

  int Wait(Duration timeout, std::vector<ReadyEvent>& out) override {
    {
      std::lock_guard<std::mutex> g(mu_);
      fds_.clear();
      for (auto [fd, in] : interest_) {
        short ev = static_cast<short>(((in & kReadable) ? POLLIN | POLLRDHUP : 0) |
                                      ((in & kWritable) ? POLLOUT : 0));
        fds_.push_back({fd, ev, 0});
      }
    }
    timespec ts{};
    timespec* tsp = nullptr;
    if (timeout.count() >= 0) {
      ts.tv_sec = timeout.count() / 1000000000;
      ts.tv_nsec = timeout.count() % 1000000000;
      tsp = &ts;
    }
    int n = ppoll(fds_.data(), fds_.size(), tsp, nullptr);
    if (n < 0) return errno == EINTR ? 0 : errno;
    for (const pollfd& p : fds_) {
      if (!p.revents) continue;
      uint32_t r = 0;
      if (p.revents & (POLLIN | POLLRDHUP)) r |= kReadable;
      if (p.revents & POLLOUT) r |= kWritable;
      if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) r |= kReadable | kWritable;
      out.push_back({p.fd, r});
    }
    return 0;
  }

  bool needs_wakeup_on_change() const override { return true; }
  const char* name() const override { return "poll"; }

 private:
  std::mutex mu_;
  std::unordered_map<int, uint32_t> interest_;
  std::vector<pollfd> fds_;  // only touched by the waiting thread
};

}  // namespace

std::unique_ptr<Backend> MakePollBackend() { return std::make_unique<PollBackend>(); }

}  // namespace atl::io
