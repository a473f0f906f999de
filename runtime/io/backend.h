// Backend: the readiness mechanism under an IoContext (epoll, poll, io_uring).
//
// A backend knows nothing about triggers or timers: it keeps, per descriptor,
// the interest set the IoContext asked for, and reports readiness. arm() and
// disarm() are called with the owning IoContext's lock held, possibly from a
// thread other than the one blocked in wait(); wait() is only ever called by
// one thread at a time (the context's poller). Oneshot backends forget a
// descriptor once they report it; the context re-arms what is still wanted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/io/clock.h"

namespace atl::io {

enum Interest : uint32_t { kReadable = 1, kWritable = 2 };

struct ReadyEvent {
  int fd;
  uint32_t events;  // kReadable | kWritable; errors and hang-ups report both
};

enum class BackendKind { Epoll, Poll, Uring };

class Trigger;

// A submitted operation (io_uring only): the backend stores the result
// (bytes or -errno) and then signals the trigger from its poller.
struct Completion {
  Trigger* trigger = nullptr;
  int64_t result = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual int Arm(int fd, uint32_t interest) = 0;  // 0 or errno
  virtual void Disarm(int fd) = 0;
  // Waits up to `timeout` (negative: forever) and appends ready descriptors.
  // Returns 0 or errno (EINTR is not an error: it returns 0 with no events).
  virtual int Wait(Duration timeout, std::vector<ReadyEvent>& out) = 0;
  virtual bool Oneshot() const { return false; }
  // True when a change made while wait() blocks is only seen after a wakeup.
  virtual bool needs_wakeup_on_change() const { return false; }
  // A descriptor that is readable whenever wait() would report something, or -1.
  virtual int NotifyFd() const { return -1; }
  virtual const char* name() const = 0;
  // Submits pread(fd, buf, n, offset); false if the backend cannot (then the
  // caller uses the blocking pool). The buffer must stay valid until `c`'s
  // trigger is signalled.
  virtual bool SubmitRead(int fd, void* buf, size_t n, uint64_t offset, Completion* c) {
    return false;
  }
};

std::unique_ptr<Backend> MakeEpollBackend();
std::unique_ptr<Backend> MakePollBackend();
// Null (with the reason in *why) when the kernel or sandbox refuses io_uring.
std::unique_ptr<Backend> MakeUringBackend(std::string* why);

// Makes a backend of `kind`; io_uring falls back to epoll with a one-line
// notice on stderr (printed once per process) when refused.
std::unique_ptr<Backend> MakeBackend(BackendKind kind);
bool UringAvailable();         // probed once, cached
BackendKind BackendFromEnv();  // ATOLL_IO=epoll|poll|uring, default epoll
const char* BackendKindName(BackendKind kind);

}  // namespace atl::io
