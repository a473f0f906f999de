#include "runtime/io/io_context.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/io/cancel.h"
#include "runtime/io/executor.h"
#include "runtime/io/trigger.h"

namespace atl::io {

IoContext::IoContext(BackendKind kind)
    : kind_(kind), backend_(make_backend(kind)), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) {
    std::perror("atoll: eventfd");
    std::abort();
  }
  std::lock_guard<std::mutex> g(mu_);
  backend_->arm(wake_fd_, kReadable);
}

IoContext::~IoContext() {
  backend_.reset();
  close(wake_fd_);
}

IoContext& IoContext::current() { return current_executor().io_context(); }

int IoContext::notify_fd() const { return backend_->notify_fd(); }

void IoContext::wakeup() {
  if (need_wakeup_.load(std::memory_order_seq_cst) && need_wakeup_.exchange(false)) {
    uint64_t one = 1;
    wake_written_.store(true, std::memory_order_release);
    // A full counter (EAGAIN) still leaves the descriptor readable: fine.
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
    wakeups_sent_.fetch_add(1, std::memory_order_relaxed);
  }
}

void wakeup(IoContext& ctx) { ctx.wakeup(); }

// The poll stage: compute the wait, announce it, wait, dispatch, run timers.
//
// need_wakeup_ is raised BEFORE the timer queue is read: a thread that adds
// an earlier timer (or work) after that read then sees the flag and writes
// the eventfd. Raising it after the read lost such a timer: the poller slept
// with no deadline (found by TSan timing on the threads scheduler).
void IoContext::poll(Duration timeout, const std::function<bool()>& still_idle) {
  // A poll that may not wait, with no descriptor watched and no wakeup
  // written: only timers can be due, so no system call (a busy scheduler
  // polls between every batch). io_uring may have reads in flight, so it
  // always looks at its ring.
  if (timeout.count() == 0 && kind_ != BackendKind::Uring &&
      watches_count_.load(std::memory_order_acquire) == 0 &&
      !wake_written_.load(std::memory_order_acquire)) {
    if (timers_count_.load(std::memory_order_acquire) != 0) run_due_timers();
    return;
  }
  if (timeout.count() != 0) need_wakeup_.store(true, std::memory_order_seq_cst);
  Duration until_timer = next_timer_in();
  if (until_timer.count() >= 0 && (timeout.count() < 0 || until_timer < timeout)) {
    timeout = until_timer;
  }
  if (timeout.count() != 0 && still_idle && !still_idle()) timeout = Duration::zero();
  ready_.clear();
  int rc = backend_->wait(timeout, ready_);
  need_wakeup_.store(false, std::memory_order_relaxed);
  if (rc != 0) {
    std::fprintf(stderr, "atoll: %s wait failed: errno %d\n", backend_->name(), rc);
    std::abort();
  }
  dispatch(ready_);
  run_due_timers();
}

void IoContext::dispatch(const std::vector<ReadyEvent>& ready) {
  if (ready.empty()) return;
  std::lock_guard<std::mutex> g(mu_);
  for (const ReadyEvent& ev : ready) {
    if (ev.fd == wake_fd_) {
      wake_written_.store(
          false, std::memory_order_relaxed);  // before the read: a later write sets it again
      uint64_t v;
      while (read(wake_fd_, &v, sizeof v) > 0) {
      }
      if (backend_->oneshot()) backend_->arm(wake_fd_, kReadable);
      continue;
    }
    auto it = watches_.find(ev.fd);
    if (it == watches_.end()) continue;  // a stale event: its waiter left
    Watch& w = it->second;
    if ((ev.events & kReadable) && w.reader) {
      w.reader->signal();
      w.reader = nullptr;
    }
    if ((ev.events & kWritable) && w.writer) {
      w.writer->signal();
      w.writer = nullptr;
    }
    if (backend_->oneshot() || !w.reader || !w.writer) rearm_locked(ev.fd, w);
    if (!w.reader && !w.writer) erase_watch_locked(it);
  }
}

void IoContext::rearm_locked(int fd, Watch& w) {
  uint32_t interest = (w.reader ? kReadable : 0u) | (w.writer ? kWritable : 0u);
  if (interest == 0) {
    backend_->disarm(fd);
  } else {
    backend_->arm(fd, interest);
  }
}

int IoContext::watch(int fd, Interest dir, Trigger* t) {
  {
    std::lock_guard<std::mutex> g(mu_);
    Watch& w = watches_[fd];
    Trigger*& slot = dir == kReadable ? w.reader : w.writer;
    if (slot) return EBUSY;
    slot = t;
    uint32_t interest = (w.reader ? kReadable : 0u) | (w.writer ? kWritable : 0u);
    if (int rc = backend_->arm(fd, interest)) {
      slot = nullptr;
      if (!w.reader && !w.writer) erase_watch_locked(watches_.find(fd));
      return rc;
    }
    watches_count_.store(watches_.size(), std::memory_order_release);
  }
  if (backend_->needs_wakeup_on_change()) wakeup();
  return 0;
}

void IoContext::unwatch(int fd, Interest dir) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = watches_.find(fd);
  if (it == watches_.end()) return;
  Watch& w = it->second;
  Trigger*& slot = dir == kReadable ? w.reader : w.writer;
  if (!slot) return;
  slot = nullptr;
  rearm_locked(fd, w);
  if (!w.reader && !w.writer) erase_watch_locked(it);
}

void IoContext::erase_watch_locked(std::unordered_map<int, Watch>::iterator it) {
  watches_.erase(it);
  watches_count_.store(watches_.size(), std::memory_order_release);
}

size_t IoContext::watch_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return watches_.size();
}

bool IoContext::read_at(int fd, void* buf, size_t n, uint64_t offset, int64_t* result) {
  Trigger t;
  Completion c{&t, 0};
  if (!backend_->submit_read(fd, buf, n, offset, &c)) return false;
  submitted_ops_.fetch_add(1, std::memory_order_relaxed);
  // A poller blocked in the ring sees the completion; one blocked elsewhere
  // (threads: the shared poller) must look at the ring again.
  wakeup();
  forbid([&] { t.await(); });
  *result = c.result;
  return true;
}

// ---- timers ---------------------------------------------------------------

Timeout IoContext::set_timeout(Duration after, std::function<void()> fn) {
  MonoTime at = now() + after;
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
  if (earliest) wakeup();
  return Timeout(this, at, id);
}

bool IoContext::has_timers() const {
  std::lock_guard<std::mutex> g(mu_);
  return !timers_.empty();
}

Duration IoContext::next_timer_in() const {
  std::lock_guard<std::mutex> g(mu_);
  if (timers_.empty()) return Duration(-1);
  Duration d = timers_.begin()->first.at - now();
  return d.count() < 0 ? Duration::zero() : d;
}

void IoContext::run_due_timers() {
  MonoTime t = now();
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

bool IoContext::cancel_timer(MonoTime at, uint64_t id) {
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

bool Timeout::cancel() {
  if (!ctx_) return false;
  IoContext* ctx = ctx_;
  ctx_ = nullptr;
  return ctx->cancel_timer(at_, id_);
}

Timeout set_timeout(Duration after, std::function<void()> fn) {
  return IoContext::current().set_timeout(after, std::move(fn));
}

}  // namespace atl::io
