// The registry of regions holding traced chunks, and the root pusher.
//
// The registry is changed only under Boehm's allocation lock
// (GC_call_with_alloc_lock), which a collection holds while the world is
// stopped, so the pusher always sees a consistent list. The chunk lists of
// a registered region are changed by its owner without that lock; the
// owner publishes a chunk only once it is described (signal fences in
// region.cpp), and the pusher falls back to whole chunks when a cursor is
// caught between two chunks.
#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "runtime/gc/gc.h"
#include "runtime/region/region_internal.h"

namespace atl::region {
namespace {

Region* registry = nullptr;  // guarded by the GC allocation lock

void* LinkLocked(void* arg) {
  auto* r = static_cast<Region*>(arg);
  r->gc_prev = nullptr;
  r->gc_next = registry;
  if (registry != nullptr) registry->gc_prev = r;
  registry = r;
  r->registered = true;
  return nullptr;
}

void* UnlinkLocked(void* arg) {
  auto* r = static_cast<Region*>(arg);
  if (r->gc_prev != nullptr) {
    r->gc_prev->gc_next = r->gc_next;
  } else {
    registry = r->gc_next;
  }
  if (r->gc_next != nullptr) r->gc_next->gc_prev = r->gc_prev;
  r->gc_prev = r->gc_next = nullptr;
  r->registered = false;
  return nullptr;
}

void PushRange(char* begin, char* end) {
  if (end > begin) GC_push_all(begin, end);
}

uint8_t* CardOf(Chunk* c, const char* a) {
  return c->card_bias + (reinterpret_cast<uintptr_t>(a) >> ATL_REGION_CARD_SHIFT);
}

// Clears every card of [begin, end) before its contents are read (they are
// read later, from the mark stack): a store that lands after the clear sets
// its card again and is seen by the next push (atoll_region.h).
void PushWhole(Chunk* c, char* begin, char* end) {
  if (end <= begin) return;
  for (uint8_t* card = CardOf(c, begin); card <= CardOf(c, end - 1); ++card) {
    std::atomic_ref<uint8_t>(*card).store(0, std::memory_order_relaxed);
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
  GC_push_all(begin, end);
}

// Pushes the dirty cards of [begin, end) (clearing them), runs of dirty
// cards as one range; returns the bytes pushed.
size_t PushDirty(Chunk* c, char* begin, char* end) {
  if (end <= begin) return 0;
  const uintptr_t first = reinterpret_cast<uintptr_t>(begin) >> ATL_REGION_CARD_SHIFT;
  const uintptr_t last = reinterpret_cast<uintptr_t>(end - 1) >> ATL_REGION_CARD_SHIFT;
  size_t pushed = 0;
  uintptr_t k = first;
  while (k <= last) {
    if (std::atomic_ref<uint8_t>(c->card_bias[k]).load(std::memory_order_relaxed) == 0) {
      ++k;
      continue;
    }
    const uintptr_t run = k;
    while (k <= last &&
           std::atomic_ref<uint8_t>(c->card_bias[k]).load(std::memory_order_relaxed) != 0) {
      std::atomic_ref<uint8_t>(c->card_bias[k]).store(0, std::memory_order_relaxed);
      ++k;
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
    char* from = std::max(begin, reinterpret_cast<char*>(run << ATL_REGION_CARD_SHIFT));
    char* to = std::min(end, reinterpret_cast<char*>(k << ATL_REGION_CARD_SHIFT));
    GC_push_all(from, to);
    pushed += static_cast<size_t>(to - from);
  }
  return pushed;
}

struct PushCounts {
  size_t bytes = 0;  // bytes of traced chunks in use
  size_t pushed = 0;
};

// Every traced range of r in use, with its chunk: the head chunk up to the
// cursor (the whole chunk when the cursor is caught between two chunks).
template <typename Fn>
void ForEachTracedRange(Region* r, Fn&& fn) {
  Chunk* head = r->chunks[ATL_REGION_TRACED];
  if (head != nullptr) {
    char* ptr = r->cursor[ATL_REGION_TRACED].ptr;
    const bool inside = ptr >= head->data() && ptr <= head->end();
    fn(head, head->data(), inside ? ptr : head->end());
    for (Chunk* c = head->next; c != nullptr; c = c->next) fn(c, c->data(), c->used_end);
  }
  for (Chunk* c = r->large; c != nullptr; c = c->next) {
    if (c->kind == ATL_REGION_TRACED) fn(c, c->data(), c->used_end);
  }
}

}  // namespace

void RegisterTraced(Region* r) {
  atl_gc_init();
  GC_call_with_alloc_lock(LinkLocked, r);
}

void UnregisterTraced(Region* r) { GC_call_with_alloc_lock(UnlinkLocked, r); }

void ClearCards(Chunk* c) { std::memset(c->cards(), 0, c->card_count()); }

}  // namespace atl::region

extern "C" void atl_region_push_roots(void) { atl_region_push_roots_report(nullptr); }

extern "C" void atl_region_push_roots_report(atl_region_push_report* report) {
  using namespace atl::region;
  size_t bytes = 0;
  for (Region* r = registry; r != nullptr; r = r->gc_next) {
    ForEachTracedRange(r, [&](Chunk*, char* begin, char* end) {
      if (end > begin) bytes += static_cast<size_t>(end - begin);
      PushRange(begin, end);
    });
  }
  if (report != nullptr) report->traced_bytes = report->pushed_bytes = bytes;
}

extern "C" void atl_region_push_roots_by_card(int all, atl_region_push_report* report) {
  using namespace atl::region;
  size_t bytes = 0;
  size_t pushed = 0;
  for (Region* r = registry; r != nullptr; r = r->gc_next) {
    ForEachTracedRange(r, [&](Chunk* c, char* begin, char* end) {
      if (end <= begin) return;
      bytes += static_cast<size_t>(end - begin);
      if (all) {
        PushWhole(c, begin, end);
        pushed += static_cast<size_t>(end - begin);
      } else {
        pushed += PushDirty(c, begin, end);
      }
    });
  }
  if (report != nullptr) {
    report->traced_bytes = bytes;
    report->pushed_bytes = pushed;
  }
}
