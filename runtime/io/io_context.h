// IoContext: one poller's view of the world — a backend, the triggers waiting
// on descriptors, a timer queue, and a wakeup eventfd.
//
// Invariants: at most one trigger per (descriptor, direction); a watch exists
// only while its waiter is blocked, so closing a descriptor after its wait
// returned never leaves a stale registration. Triggers are signalled and
// timers are claimed under `mu_`; Unwatch() and cancel of a timer therefore
// fence off every later signal, which is what lets triggers live on the
// waiter's stack. Only one thread polls a context at a time.
//
// Wakeup() costs one atomic load unless the poller announced that it is about
// to block (the need-wakeup flag), so a busy scheduler pays nothing.
//
// The backend (epoll instance, poll set or io_uring ring) and the wakeup
// eventfd are created on first need: a watch, a ring read, the notification
// descriptor, the backend's name, or a poll that may wait. A poll that may
// not wait before then only runs due timers, with no system call, so a
// program that does no IO and never idles creates none (docs/io.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "runtime/io/backend.h"
#include "runtime/io/clock.h"

namespace atl::io {

class Trigger;
class IoContext;

// Handle of a pending timeout; cancel() is idempotent and, once it returns,
// the callback is neither running nor will it run.
class Timeout {
 public:
  Timeout() = default;
  bool Cancel();  // true if the callback had not started
  bool armed() const { return ctx_ != nullptr; }

 private:
  friend class IoContext;
  Timeout(IoContext* ctx, MonoTime at, uint64_t id) : ctx_(ctx), at_(at), id_(id) {}
  IoContext* ctx_ = nullptr;
  MonoTime at_{};
  uint64_t id_ = 0;
};

class IoContext {
 public:
  explicit IoContext(BackendKind kind);
  ~IoContext();
  IoContext(const IoContext&) = delete;
  IoContext& operator=(const IoContext&) = delete;

  static IoContext& Current();  // the current executor's context

  // Waits up to `timeout` (negative: until something happens) for readiness,
  // a due timer or a wakeup; signals ready triggers and runs due timers.
  // `still_idle` is consulted after the need-wakeup flag is raised: if it
  // returns false the wait does not block (closes the lost-wakeup window).
  void Poll(Duration timeout, const std::function<bool()>& still_idle = nullptr);
  void Wakeup();  // any thread
  // Runs a blocking wait (a poll with a non-zero timeout) as
  // `blocking(run, arg)`, which must call run(arg): the ws scheduler passes
  // one that tells the collector the thread is blocked, so that a world
  // stop does not have to signal it (runtime/sched/ws.cpp). Set before the
  // context is polled; null (the default) calls run directly.
  using BlockingRunner = void (*)(void (*run)(void*), void* arg);
  void SetBlockingRunner(BlockingRunner r) { blocking_runner_ = r; }
  // True while the poller is (about to be) blocked and a wakeup would write.
  bool wants_wakeup() const { return need_wakeup_.load(std::memory_order_seq_cst); }
  // Creates the backend and the eventfd if they do not exist yet (any
  // thread); every use of backend_ or wake_fd_ comes after it. The poller
  // calls it before it raises need_wakeup_, so a Wakeup() that sees the
  // flag sees wake_fd_. A scheduler may call it to create them early.
  void EnsureBackend() const;
  // For host-driven loops: make the next Wakeup() write the eventfd even
  // though no poll is blocking, so the host sees the notification descriptor.
  void AnnounceIdle() {
    EnsureBackend();
    need_wakeup_.store(true, std::memory_order_seq_cst);
  }

  // Registers `t` to be signalled when `fd` has `dir` (kReadable or
  // kWritable). Returns 0, EBUSY if another waiter holds that direction, or
  // the backend's errno.
  int Watch(int fd, Interest dir, Trigger* t);
  void Unwatch(int fd, Interest dir);

  // pread through the backend when it can (io_uring); nullopt-like: returns
  // false when the caller must fall back to the blocking pool. Not
  // cancellable: the kernel owns `buf` until completion.
  bool ReadAt(int fd, void* buf, size_t n, uint64_t offset, int64_t* result);
  uint64_t submitted_ops() const { return submitted_ops_.load(std::memory_order_relaxed); }

  Timeout SetTimeout(Duration after, std::function<void()> fn);
  bool has_timers() const;
  // Time until the next timer (zero if due, negative if none).
  Duration NextTimerIn() const;
  size_t watch_count() const;  // for leak checks in tests

  const char* BackendName() const {
    EnsureBackend();
    return backend_->name();
  }
  BackendKind kind() const { return kind_; }
  int NotifyFd() const;  // pollable descriptor for a host loop (-1 if none)
  uint64_t wakeups_sent() const { return wakeups_sent_.load(std::memory_order_relaxed); }

 private:
  friend class Timeout;
  struct WatchEntry {
    Trigger* reader = nullptr;
    Trigger* writer = nullptr;
  };
  struct TimerKey {
    MonoTime at;
    uint64_t id;
    bool operator<(const TimerKey& o) const { return at < o.at || (at == o.at && id < o.id); }
  };
  bool backend_ready() const { return backend_ready_.load(std::memory_order_acquire); }
  void RearmLocked(int fd, WatchEntry& w);
  void EraseWatchLocked(std::unordered_map<int, WatchEntry>::iterator it);
  void Dispatch(const std::vector<ReadyEvent>& ready);
  void RunDueTimers();
  bool CancelTimer(MonoTime at, uint64_t id);

  BackendKind kind_;
  BlockingRunner blocking_runner_ = nullptr;
  // Set once by EnsureBackend, under setup_mu_, before backend_ready_.
  mutable std::unique_ptr<Backend> backend_;
  mutable int wake_fd_ = -1;
  mutable std::atomic<bool> backend_ready_{false};
  mutable std::mutex setup_mu_;
  std::atomic<bool> need_wakeup_{false};
  std::atomic<uint64_t> wakeups_sent_{0};
  std::atomic<uint64_t> submitted_ops_{0};

  mutable std::mutex mu_;
  std::unordered_map<int, WatchEntry> watches_;
  std::map<TimerKey, std::function<void()>> timers_;
  // Sizes of watches_ and timers_, readable without mu_ (poll's fast path).
  std::atomic<size_t> watches_count_{0};
  std::atomic<size_t> timers_count_{0};
  std::atomic<bool> wake_written_{false};  // the eventfd may be readable
  uint64_t next_timer_id_ = 1;
  uint64_t firing_id_ = 0;  // timer whose callback runs now (0: none)
  std::thread::id firing_thread_;
  std::vector<ReadyEvent> ready_;  // reused by the poller
};

// Scheduler-independent helpers on the current context.
Timeout SetTimeout(Duration after, std::function<void()> fn);
void Wakeup(IoContext& ctx);

}  // namespace atl::io
