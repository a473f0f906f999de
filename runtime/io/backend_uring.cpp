// io_uring backend: readiness through one-shot IORING_OP_POLL_ADD requests.
//
// Each armed descriptor has one poll request in flight, tagged with
// (generation << 32 | fd). Re-arming or disarming bumps the generation and
// cancels the old request, so a late completion of a stale request is
// recognised and ignored. Submission is serialised by a mutex; completions are
// only reaped by the context's poller thread. Waiting with a timeout needs
// IORING_FEAT_EXT_ARG (Linux 5.11) so the wait never touches the SQ.
#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "runtime/io/backend.h"
#include "runtime/io/trigger.h"

namespace atl::io {
namespace {

constexpr uint64_t kRemoveTag = ~uint64_t{0};
constexpr uint64_t kOpBit = uint64_t{1} << 63;  // user_data = Completion* | kOpBit

class UringBackend final : public Backend {
 public:
  int Init(std::string* why) {
    int rc = io_uring_queue_init(256, &ring_, 0);
    if (rc < 0) {
      *why = std::string("io_uring_queue_init: ") + std::strerror(-rc);
      return -rc;
    }
    live_ = true;
    if (!(ring_.features & IORING_FEAT_EXT_ARG)) {
      *why = "kernel lacks IORING_FEAT_EXT_ARG";
      return ENOSYS;
    }
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    bool ok = probe && io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) &&
              io_uring_opcode_supported(probe, IORING_OP_POLL_REMOVE);
    if (probe) io_uring_free_probe(probe);
    if (!ok) {
      *why = "poll opcodes not supported";
      return ENOSYS;
    }
    return 0;
  }
  ~UringBackend() override {
    if (live_) io_uring_queue_exit(&ring_);
  }

  int Arm(int fd, uint32_t interest) override {
    std::lock_guard<std::mutex> g(mu_);
    Slot& s = slots_[fd];
    if (s.armed && s.interest == interest) return 0;
    if (s.armed) RemoveLocked(fd, s);
    // Generations are unique per backend (not per slot), so a late completion
    // of a request for a since-disarmed descriptor never matches a new one.
    s.gen = ++gen_counter_;
    s.interest = interest;
    io_uring_sqe* sqe = SqeLocked();
    if (!sqe) return EAGAIN;
    unsigned mask =
        ((interest & kReadable) ? POLLIN | POLLRDHUP : 0) | ((interest & kWritable) ? POLLOUT : 0);
    io_uring_prep_poll_add(sqe, fd, mask);
    io_uring_sqe_set_data64(sqe, tag(fd, s.gen));
    s.armed = true;
    int rc = io_uring_submit(&ring_);
    return rc < 0 ? -rc : 0;
  }

  void Disarm(int fd) override {
    std::lock_guard<std::mutex> g(mu_);
    auto it = slots_.find(fd);
    if (it == slots_.end()) return;
    if (it->second.armed) {
      RemoveLocked(fd, it->second);
      io_uring_submit(&ring_);
    }
    slots_.erase(it);
  }

  int Wait(Duration timeout, std::vector<ReadyEvent>& out) override {
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec ts{};
    __kernel_timespec* tsp = nullptr;
    if (timeout.count() >= 0) {
      ts.tv_sec = timeout.count() / 1000000000;
      ts.tv_nsec = timeout.count() % 1000000000;
      tsp = &ts;
    }
    int rc = io_uring_wait_cqe_timeout(&ring_, &cqe, tsp);
    if (rc < 0 && rc != -ETIME && rc != -EINTR) return -rc;
    std::lock_guard<std::mutex> g(mu_);
    unsigned head;
    unsigned seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      uint64_t ud = io_uring_cqe_get_data64(cqe);
      if (ud == kRemoveTag) continue;
      if (ud & kOpBit) {
        auto* c = reinterpret_cast<Completion*>(ud & ~kOpBit);
        c->result = cqe->res;
        c->trigger->Signal();
        continue;
      }
      int fd = static_cast<int>(ud & 0xffffffffu);
      auto it = slots_.find(fd);
      if (it == slots_.end() || tag(fd, it->second.gen) != ud) continue;  // stale
      it->second.armed = false;
      int res = cqe->res;
      uint32_t r = 0;
      if (res < 0) {
        r = kReadable | kWritable;  // e.g. EBADF: let the waiter find out
      } else {
        if (res & (POLLIN | POLLRDHUP)) r |= kReadable;
        if (res & POLLOUT) r |= kWritable;
        if (res & (POLLERR | POLLHUP | POLLNVAL)) r |= kReadable | kWritable;
      }
      out.push_back({fd, r});
    }
    io_uring_cq_advance(&ring_, seen);
    return 0;
  }

  bool SubmitRead(int fd, void* buf, size_t n, uint64_t offset, Completion* c) override {
    std::lock_guard<std::mutex> g(mu_);
    io_uring_sqe* sqe = SqeLocked();
    if (!sqe) return false;
    io_uring_prep_read(sqe, fd, buf, static_cast<unsigned>(n), offset);
    io_uring_sqe_set_data64(sqe, reinterpret_cast<uint64_t>(c) | kOpBit);
    return io_uring_submit(&ring_) >= 0;
  }

  bool Oneshot() const override { return true; }
  int NotifyFd() const override { return ring_.ring_fd; }
  const char* name() const override { return "uring"; }

 private:
  struct Slot {
    uint32_t gen = 0;
    uint32_t interest = 0;
    bool armed = false;
  };
  static uint64_t tag(int fd, uint32_t gen) {
    return (uint64_t{gen} << 32) | static_cast<uint32_t>(fd);
  }
  io_uring_sqe* SqeLocked() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }
  void RemoveLocked(int fd, Slot& s) {
    if (io_uring_sqe* sqe = SqeLocked()) {
      io_uring_prep_poll_remove(sqe, tag(fd, s.gen));
      io_uring_sqe_set_data64(sqe, kRemoveTag);
    }
    s.armed = false;
  }

  io_uring ring_{};
  bool live_ = false;
  std::mutex mu_;
  std::unordered_map<int, Slot> slots_;
  uint32_t gen_counter_ = 0;  // guarded by mu_
};

}  // namespace

std::unique_ptr<Backend> MakeUringBackend(std::string* why) {
  auto b = std::make_unique<UringBackend>();
  if (b->Init(why) != 0) return nullptr;
  return b;
}

}  // namespace atl::io
