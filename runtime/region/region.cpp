// Region life cycle: open, bump allocation slow path, close, statistics.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/region/region_internal.h"

namespace atl::region {
namespace {

std::atomic<uint64_t> next_region_id{1};

// The innermost open region: per Atoll thread when the runtime that runs
// threads installed a slot hook (a fiber may move between OS threads), per
// OS thread otherwise.
thread_local Region* thread_current = nullptr;
std::atomic<atl_region_slot_fn> slot_hook{nullptr};

Region*& Current() {
  if (atl_region_slot_fn hook = slot_hook.load(std::memory_order_acquire)) {
    if (atl_region** slot = hook()) return *reinterpret_cast<Region**>(slot);
  }
  return thread_current;
}

// Recycles Region records per thread (the allocator of Region objects).
class RegionRecords {
 public:
  Region* Take() {
    if (free_.empty()) return new Region();
    Region* r = free_.back().release();
    free_.pop_back();
    *r = Region();
    return r;
  }
  void Give(Region* r) {
    if (free_.size() < 1024) {
      free_.emplace_back(r);
    } else {
      delete r;
    }
  }

 private:
  std::vector<std::unique_ptr<Region>> free_;
};

thread_local RegionRecords records;

constexpr size_t RoundUp8(size_t n) { return (n + 7) & ~size_t{7}; }

uint64_t UsedInCurrent(const Region& r, uint32_t kind) {
  const Chunk* c = r.chunks[kind];
  return c == nullptr ? 0
                      : static_cast<uint64_t>(r.cursor[kind].ptr - const_cast<Chunk*>(c)->data());
}

void ReleaseList(Chunk* c, const Region& owner) {
  while (c != nullptr) {
    Chunk* next = c->next;
    ReleaseChunk(c, owner);
    c = next;
  }
}

}  // namespace
}  // namespace atl::region

using atl::region::Region;

extern "C" {

atl_region* atl_region_open(const char* site) {
  Region* r = atl::region::records.Take();
  r->site = site;
  r->id = atl::region::next_region_id.fetch_add(1, std::memory_order_relaxed);
  Region*& current = atl::region::Current();
  r->parent = current;
  r->logical_parent = current;
  current = r;
  atl::region::NoteRegionOpened();
  return r;
}

atl_region* atl_region_open_in(const char* site, atl_region* parent) {
  atl_region* r = atl_region_open(site);
  atl::region::AsRegion(r)->logical_parent = atl::region::AsRegion(parent);
  return r;
}

atl_region* atl_region_ancestor(atl_region* handle, uint32_t levels) {
  Region* r = atl::region::AsRegion(handle);
  for (uint32_t i = 0; i < levels; ++i) {
    if (r->logical_parent == nullptr) {
      std::fprintf(
          stderr,
          "atoll: runtime error: region #%llu (opened at %s) has no ancestor %u levels up\n",
          static_cast<unsigned long long>(r->id), r->site != nullptr ? r->site : "?", levels);
      std::exit(1);
    }
    r = r->logical_parent;
  }
  return r;
}

void atl_region_close(atl_region* handle) {
  Region* r = atl::region::AsRegion(handle);
  if (atl::region::LiveTracking()) {
    // Live bytes only grow between closes, so their peak is reached just
    // before one: this region's bytes plus its open ancestors'.
    uint64_t live = 0;
    for (const Region* a = r; a != nullptr; a = a->parent) {
      atl_region_stats s;
      atl_region_get_stats(a, &s);
      live += s.bytes_allocated;
    }
    uint64_t root = 0;
    if (r->parent == nullptr) {
      atl_region_stats s;
      atl_region_get_stats(r, &s);
      root = s.bytes_allocated;
    }
    atl::region::NoteLiveBytes(live, root);
  }
  if (Region*& current = atl::region::Current(); current == r) {
    current = r->parent;
  } else if (atl::region::CheckEnabled()) {
    std::fprintf(stderr, "atoll: runtime error: region #%llu (opened at %s) closed out of order\n",
                 static_cast<unsigned long long>(r->id), r->site != nullptr ? r->site : "?");
    std::exit(1);
  }
  // Stop pushing its traced chunks before they go away.
  if (r->registered) atl::region::UnregisterTraced(r);
  atl_region_stats stats;
  atl_region_get_stats(r, &stats);
  atl::region::NoteRegionClosed(stats.bytes_allocated);
  atl::region::ReleaseList(r->chunks[ATL_REGION_PLAIN], *r);
  atl::region::ReleaseList(r->chunks[ATL_REGION_TRACED], *r);
  atl::region::ReleaseList(r->large, *r);
  atl::region::records.Give(r);
}

atl_region* atl_region_current(void) { return atl::region::Current(); }

atl_region* atl_region_set_current(atl_region* r) {
  Region*& current = atl::region::Current();
  Region* previous = current;
  current = atl::region::AsRegion(r);
  return previous;
}

void atl_region_set_slot_hook(atl_region_slot_fn hook) {
  atl::region::slot_hook.store(hook, std::memory_order_release);
}

void* atl_region_alloc_slow(atl_region* handle, uint32_t kind, size_t bytes) {
  using namespace atl::region;
  Region* r = AsRegion(handle);
  bytes = RoundUp8(bytes);
  if (kind == ATL_REGION_TRACED && !r->registered) RegisterTraced(r);
  if (bytes > ATL_REGION_LARGE_OBJECT) {
    Chunk* c = AcquireLarge(kind, bytes);
    c->next = r->large;
    // The root pusher may run at any point (world stopped by a signal):
    // publish the chunk only once it is fully described.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    r->large = c;
    r->retired_bytes += bytes;
    r->reserved_bytes += c->size;
    r->chunk_count += 1;
    r->large_count += 1;
    return c->data();
  }
  Chunk* old = r->chunks[kind];
  if (old != nullptr) {
    old->used_end = r->cursor[kind].ptr;
    r->retired_bytes += static_cast<uint64_t>(old->used_end - old->data());
  }
  Chunk* c = AcquireChunk(kind);
  c->next = old;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  // Between these stores the pusher sees a cursor outside the head chunk
  // and scans the whole head chunk instead (see roots.cpp).
  r->chunks[kind] = c;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r->cursor[kind].ptr = c->data() + bytes;
  r->cursor[kind].limit = c->end();
  r->reserved_bytes += c->size;
  r->chunk_count += 1;
  return c->data();
}

void* atl_region_alloc(atl_region* r, uint32_t kind, size_t bytes) {
  // A zero-byte request still gets a distinct, valid address.
  return atl_region_alloc_inline(r, kind, bytes == 0 ? 8 : atl::region::RoundUp8(bytes));
}

void* atl_region_alloc_zeroed(atl_region* handle, uint32_t kind, size_t bytes) {
  void* p = atl_region_alloc(handle, kind, bytes);
  atl::region::Chunk* newest_large = atl::region::AsRegion(handle)->large;
  if (newest_large == nullptr || newest_large->data() != p || !newest_large->mapped)
    std::memset(p, 0, bytes);
  return p;
}

void atl_region_get_stats(const atl_region* handle, atl_region_stats* out) {
  const Region* r = atl::region::AsRegion(handle);
  out->bytes_allocated = r->retired_bytes + atl::region::UsedInCurrent(*r, ATL_REGION_PLAIN) +
                         atl::region::UsedInCurrent(*r, ATL_REGION_TRACED);
  out->bytes_reserved = r->reserved_bytes;
  out->chunks = r->chunk_count;
  out->large_objects = r->large_count;
}

}  // extern "C"
