#include "runtime/io/io_context.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/io/cancel.h"
#include "runtime/io/executor.h"
#include "runtime/io/trigger.h"

namespace atl::io {

IoContext::IoContext(BackendKind kind) : kind_(kind) {}

// Creating the epoll instance and the eventfd of each of a ws scheduler's
// workers took 6 system calls of a one-line program's start-up; with
// ATOLL_IO=uring, setting up a ring each.
void IoContext::EnsureBackend() const {
  if (backend_ready()) return;
  std::lock_guard<std::mutex> setup(setup_mu_);
  if (backend_ready_.load(std::memory_order_relaxed)) return;
  std::unique_ptr<Backend> backend = MakeBackend(kind_);
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    std::perror("atoll: eventfd");
    std::abort();
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    backend->Arm(fd, kReadable);
  }
  backend_ = std::move(backend);
  wake_fd_ = fd;
  backend_ready_.store(true, std::memory_order_release);
}

IoContext::~IoContext() {
  if (!backend_ready()) return;
  backend_.reset();
  close(wake_fd_);
}

IoContext& IoContext::Current() { return CurrentExecutor().io_context(); }

int IoContext::NotifyFd() const {
  EnsureBackend();
  return backend_->NotifyFd();
}

void IoContext::Wakeup() {
  // need_wakeup_ is raised only after EnsureBackend (Poll, AnnounceIdle).
  if (need_wakeup_.load(std::memory_order_seq_cst) && need_wakeup_.exchange(false)) {
    uint64_t one = 1;
    wake_written_.store(true, std::memory_order_release);
    // A full counter (EAGAIN) still leaves the descriptor readable: fine.
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
    wakeups_sent_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Wakeup(IoContext& ctx) { ctx.Wakeup(); }

// The poll stage: compute the wait, announce it, wait, dispatch, run timers.
//
// need_wakeup_ is raised BEFORE the timer queue is read: a thread that adds
// an earlier timer (or work) after that read then sees the flag and writes
// the eventfd. Raising it after the read lost such a timer: the poller slept
// with no deadline (found by TSan timing on the threads scheduler).
void IoContext::Poll(Duration timeout, const std::function<bool()>& still_idle) {
  // A poll that may not wait, with no descriptor watched and no wakeup
  // written: only timers can be due, so no system call (a busy scheduler
  // polls between every batch). io_uring may have reads in flight, so it
  // always looks at its ring (once it has one).
  if (timeout.count() == 0 && (kind_ != BackendKind::Uring || !backend_ready()) &&
      watches_count_.load(std::memory_order_acquire) == 0 &&
      !wake_written_.load(std::memory_order_acquire)) {
    if (timers_count_.load(std::memory_order_acquire) != 0) RunDueTimers();
    return;
  }
  EnsureBackend();
  if (timeout.count() != 0) need_wakeup_.store(true, std::memory_order_seq_cst);
  Duration until_timer = NextTimerIn();
  if (until_timer.count() >= 0 && (timeout.count() < 0 || until_timer < timeout)) {
    timeout = until_timer;
  }
  if (timeout.count() != 0 && still_idle && !still_idle()) timeout = Duration::zero();
  ready_.clear();
  int rc = 0;
  if (timeout.count() != 0 && blocking_runner_ != nullptr) {
    struct WaitCall {
      IoContext* self;
      Duration timeout;
      int rc;
    } call{this, timeout, 0};
    blocking_runner_(
        [](void* arg) {
          auto* c = static_cast<WaitCall*>(arg);
          c->rc = c->self->backend_->Wait(c->timeout, c->self->ready_);
        },
        &call);
    rc = call.rc;
  } else {
    rc = backend_->Wait(timeout, ready_);
  }
  need_wakeup_.store(false, std::memory_order_relaxed);
  if (rc != 0) {
    std::fprintf(stderr, "atoll: %s wait failed: errno %d\n", backend_->name(), rc);
    std::abort();
  }
  Dispatch(ready_);
  RunDueTimers();
}

void IoContext::Dispatch(const std::vector<ReadyEvent>& ready) {
  if (ready.empty()) return;
  std::lock_guard<std::mutex> g(mu_);
  for (const ReadyEvent& ev : ready) {
    if (ev.fd == wake_fd_) {
      wake_written_.store(
          false, std::memory_order_relaxed);  // before the read: a later write sets it again
      uint64_t v;
      while (read(wake_fd_, &v, sizeof v) > 0) {
      }
      if (backend_->Oneshot()) backend_->Arm(wake_fd_, kReadable);
      continue;
    }
    auto it = watches_.find(ev.fd);
    if (it == watches_.end()) continue;  // a stale event: its waiter left
    WatchEntry& w = it->second;
    if ((ev.events & kReadable) && w.reader) {
      w.reader->Signal();
      w.reader = nullptr;
    }
    if ((ev.events & kWritable) && w.writer) {
      w.writer->Signal();
      w.writer = nullptr;
    }
    if (backend_->Oneshot() || !w.reader || !w.writer) RearmLocked(ev.fd, w);
    if (!w.reader && !w.writer) EraseWatchLocked(it);
  }
}

void IoContext::RearmLocked(int fd, WatchEntry& w) {
  uint32_t interest = (w.reader ? kReadable : 0u) | (w.writer ? kWritable : 0u);
  if (interest == 0) {
    backend_->Disarm(fd);
  } else {
    backend_->Arm(fd, interest);
  }
}

int IoContext::Watch(int fd, Interest dir, Trigger* t) {
  EnsureBackend();
  {
    std::lock_guard<std::mutex> g(mu_);
    WatchEntry& w = watches_[fd];
    Trigger*& slot = dir == kReadable ? w.reader : w.writer;
    if (slot) return EBUSY;
    slot = t;
    uint32_t interest = (w.reader ? kReadable : 0u) | (w.writer ? kWritable : 0u);
    if (int rc = backend_->Arm(fd, interest)) {
      slot = nullptr;
      if (!w.reader && !w.writer) EraseWatchLocked(watches_.find(fd));
      return rc;
    }
    watches_count_.store(watches_.size(), std::memory_order_release);
  }
  if (backend_->needs_wakeup_on_change()) Wakeup();
  return 0;
}

void IoContext::Unwatch(int fd, Interest dir) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  WatchEntry& w = it->second;
  Trigger*& slot = dir == kReadable ? w.reader : w.writer;
  if (!slot) return;
  slot = nullptr;
  RearmLocked(fd, w);
  if (!w.reader && !w.writer) EraseWatchLocked(it);
}

void IoContext::EraseWatchLocked(std::unordered_map<int, WatchEntry>::iterator it) {
  watches_.erase(it);
  watches_count_.store(watches_.size(), std::memory_order_release);
}

size_t IoContext::watch_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return watches_.size();
}

bool IoContext::ReadAt(int fd, void* buf, size_t n, uint64_t offset, int64_t* result) {
  EnsureBackend();
  Trigger t;
  Completion c{&t, 0};
  if (!backend_->SubmitRead(fd, buf, n, offset, &c)) return false;
  submitted_ops_.fetch_add(1, std::memory_order_relaxed);
  // A poller blocked in the ring sees the completion; one blocked elsewhere
  // (threads: the shared poller) must look at the ring again.
  Wakeup();
  Forbid([&] { t.Await(); });
  *result = c.result;
  return true;
}

// ---- timers ---------------------------------------------------------------

Timeout IoContext::SetTimeout(Duration after, std::function<void()> fn) {
  MonoTime at = Now() + after;
  uint64_t id;
  bool earliest;
  {
    std::lock_guard<std::mutex> g(mu_);
    id = next_timer_id_++;
    earliest = timers_.empty() || at < timers_.begin()->first.at;
    timers_.emplace(TimerKey{at, id}, std::move(fn));
    timers_count_.store(timers_.size(), std::memory_order_release);
  }
  // A poller blocked with a later deadline must recompute its wait.
  if (earliest) Wakeup();
  return Timeout(this, at, id);
}

bool IoContext::has_timers() const {
  std::lock_guard<std::mutex> g(mu_);
  return !timers_.empty();
}

Duration IoContext::NextTimerIn() const {
  std::lock_guard<std::mutex> g(mu_);
  if (timers_.empty()) return Duration(-1);
  Duration d = timers_.begin()->first.at - Now();
  return d.count() < 0 ? Duration::zero() : d;
}

void IoContext::RunDueTimers() {
  MonoTime t = Now();
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> g(mu_);
      firing_id_ = 0;
      if (timers_.empty() || timers_.begin()->first.at > t) return;
      auto it = timers_.begin();
      firing_id_ = it->first.id;
      firing_thread_ = std::this_thread::get_id();
      fn = std::move(it->second);
      timers_.erase(it);
      timers_count_.store(timers_.size(), std::memory_order_release);
    }
    fn();
  }
}

bool IoContext::CancelTimer(MonoTime at, uint64_t id) {
  for (;;) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (timers_.erase(TimerKey{at, id})) {
        timers_count_.store(timers_.size(), std::memory_order_release);
        return true;
      }
      // Not pending: fired, firing now, or cancelled. Wait out a callback
      // running on another thread so the caller may free what it uses.
      if (firing_id_ != id || firing_thread_ == std::this_thread::get_id()) return false;
    }
    std::this_thread::yield();
  }
}

bool Timeout::Cancel() {
  if (!ctx_) return false;
  IoContext* ctx = ctx_;
  ctx_ = nullptr;
  return ctx->CancelTimer(at_, id_);
}

Timeout SetTimeout(Duration after, std::function<void()> fn) {
  return IoContext::Current().SetTimeout(after, std::move(fn));
}

}  // namespace atl::io
