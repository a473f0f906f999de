#include "runtime/io/blocking_pool.h"

#include <cstdlib>
#include <new>
#include <type_traits>

namespace atl::io {

BlockingPool& BlockingPool::Instance() {
  // Leaked on purpose: its threads run until the process exits.
  static std::aligned_storage_t<sizeof(BlockingPool), alignof(BlockingPool)> mem;
  static BlockingPool* pool = new (&mem) BlockingPool();
  return *pool;
}

BlockingPool::BlockingPool() : max_(4) {
  if (const char* v = std::getenv("ATOLL_IO_POOL")) {
    long n = std::strtol(v, nullptr, 10);
    if (n >= 1 && n <= 256) max_ = static_cast<size_t>(n);
  }
}

void BlockingPool::Submit(std::function<void()> job) {
  std::lock_guard<std::mutex> g(mu_);
  jobs_.push_back(std::move(job));
  if (idle_ == 0 && threads_.size() < max_) {
    threads_.emplace_back([this] { Worker(); });
    threads_.back().detach();
  } else {
    cv_.notify_one();
  }
}

void BlockingPool::Worker() {
  std::unique_lock<std::mutex> g(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(g, [&] { return !jobs_.empty(); });
    --idle_;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    g.unlock();
    job();
    g.lock();
  }
}

}  // namespace atl::io
