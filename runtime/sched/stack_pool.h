// StackPool: fiber stacks carved from large anonymous mappings.
//
// One mapping holds kStacksPerChunk stacks, so 100,000 live fibers cost a few
// hundred mappings instead of one (or three, with mprotect guards) each, and
// stay well within vm.max_map_count. The lowest page of every stack is a
// guard installed with MADV_GUARD_INSTALL (Linux 6.13+), which marks page
// tables without splitting the mapping; where the kernel refuses it, the page
// is filled with a canary pattern instead and checked at every switch. Both
// leave the usable range [low, high) untouched. Freed stacks are kept for
// reuse; their pages are not returned to the kernel.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace atl::sched {

struct Stack {
  char* guard = nullptr;   // lowest address: the guard page
  char* low = nullptr;     // lowest usable byte (the stack limit)
  char* high = nullptr;    // one past the highest usable byte
  bool dedicated = false;  // a mapping of its own (acquire_sized)
  bool canary = false;     // its guard is a canary (no hardware guard): check it at switches
};

class StackPool {
 public:
  static StackPool& Instance();
  Stack Acquire();
  // A stack of `bytes` usable bytes in a mapping of its own (reserved, not
  // committed); falls back to a pooled stack when the mapping is refused.
  Stack AcquireSized(size_t bytes);
  void Release(const Stack& s);
  size_t stack_size() const { return stack_size_; }
  size_t guard_size() const { return guard_size_; }
  bool HardwareGuards() const { return hw_guard_; }
  size_t mappings() const;
  size_t live() const;
  // True if the canary below `s.low` is intact (always true with hw guards).
  bool canary_intact(const Stack& s) const;
  // Which stack, if any, has its guard at `addr` (for the SIGSEGV handler).
  bool in_guard(const Stack& s, const void* addr) const { return addr >= s.guard && addr < s.low; }

  static constexpr size_t kStacksPerChunk = 256;

 private:
  StackPool();
  void GrowLocked();

  size_t stack_size_;  // total per stack including the guard
  size_t guard_size_;
  bool hw_guard_ = true;
  mutable std::mutex mu_;
  std::vector<Stack> free_;
  std::vector<char*> chunks_;
  size_t live_ = 0;
};

}  // namespace atl::sched
