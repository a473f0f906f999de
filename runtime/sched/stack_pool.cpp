#include "runtime/sched/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13 uapi; older headers lack it
#endif

namespace atl::sched {
namespace {
constexpr uint64_t kCanary = 0xa7011c0ffee5eedULL;

// Pooled fiber stacks are 256 KiB unless ATOLL_FIBER_STACK_KB says otherwise:
// reserved address space, committed only as far as a fiber really goes.
size_t StackSizeFromEnv(size_t page) {
  size_t kib = 256;
  if (const char* v = std::getenv("ATOLL_FIBER_STACK_KB")) {
    long n = std::strtol(v, nullptr, 10);
    if (n >= 16 && n <= 65536) kib = static_cast<size_t>(n);
  }
  size_t bytes = kib * 1024;
  return (bytes + page - 1) / page * page;
}
}  // namespace

StackPool& StackPool::Instance() {
  static StackPool pool;
  return pool;
}

StackPool::StackPool() {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  guard_size_ = page;
  stack_size_ = StackSizeFromEnv(page) + guard_size_;
  // Decide once whether the kernel offers guard regions (MADV_GUARD_INSTALL).
  void* probe = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  hw_guard_ = probe != MAP_FAILED && madvise(probe, page, MADV_GUARD_INSTALL) == 0;
  if (probe != MAP_FAILED) munmap(probe, 2 * page);
  if (std::getenv("ATOLL_FIBER_CANARY")) hw_guard_ = false;  // to test the fallback
}

void StackPool::GrowLocked() {
  size_t bytes = stack_size_ * kStacksPerChunk;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("atoll: cannot map fiber stacks");
    std::abort();
  }
  char* base = static_cast<char*>(p);
  chunks_.push_back(base);
  // Hand out high addresses last so the first stacks used are adjacent.
  for (size_t i = kStacksPerChunk; i-- > 0;) {
    Stack s;
    s.guard = base + i * stack_size_;
    s.low = s.guard + guard_size_;
    s.high = s.guard + stack_size_;
    if (hw_guard_ && madvise(s.guard, guard_size_, MADV_GUARD_INSTALL) != 0) {
      std::perror("atoll: MADV_GUARD_INSTALL");
      std::abort();
    }
    if (!hw_guard_) {
      s.canary = true;
      for (size_t off = 0; off < guard_size_; off += sizeof kCanary) {
        std::memcpy(s.guard + off, &kCanary, sizeof kCanary);
      }
    }
    free_.push_back(s);
  }
}

Stack StackPool::AcquireSized(size_t bytes) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t guard = 1 << 20;  // larger than any frame
  bytes = (bytes + page - 1) / page * page;
  void* p = mmap(nullptr, guard + bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    std::fprintf(stderr,
                 "atoll: cannot reserve a stack of %zu MiB (%s); using a stack of %zu KiB\n",
                 bytes >> 20, std::strerror(errno), (stack_size_ - guard_size_) >> 10);
    return Acquire();
  }
  char* base = static_cast<char*>(p);
  if (!(hw_guard_ && madvise(base, guard, MADV_GUARD_INSTALL) == 0) &&
      mprotect(base, guard, PROT_NONE) != 0) {
    munmap(p, guard + bytes);
    return Acquire();
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    ++live_;
  }
  return Stack{base, base + guard, base + guard + bytes, true};
}

Stack StackPool::Acquire() {
  std::lock_guard<std::mutex> g(mu_);
  if (free_.empty()) GrowLocked();
  Stack s = free_.back();
  free_.pop_back();
  ++live_;
  return s;
}

void StackPool::Release(const Stack& s) {
  std::lock_guard<std::mutex> g(mu_);
  --live_;
  if (s.dedicated) {
    munmap(s.guard, static_cast<size_t>(s.high - s.guard));
  } else {
    free_.push_back(s);
  }
}

size_t StackPool::mappings() const {
  std::lock_guard<std::mutex> g(mu_);
  return chunks_.size();
}

size_t StackPool::live() const {
  std::lock_guard<std::mutex> g(mu_);
  return live_;
}

bool StackPool::canary_intact(const Stack& s) const {
  if (!s.canary) return true;
  // The top words of the guard page are hit first by an overflow.
  uint64_t v;
  for (size_t off = guard_size_ - 64; off < guard_size_; off += sizeof v) {
    std::memcpy(&v, s.guard + off, sizeof v);
    if (v != kCanary) return false;
  }
  return true;
}

}  // namespace atl::sched
