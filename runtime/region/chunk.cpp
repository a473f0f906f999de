// Chunk supply: a per-thread pool of standard chunks, large chunks, and the
// global counters behind atl_region_get_totals.
#include <gc/gc.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "runtime/region/region_internal.h"
#include "runtime/value/fail.h"
#include "runtime/value/show.h"

namespace atl::region {
namespace {

void FreeBlockNow(Chunk* c) {
  if (c->large) std::free(c->card_table);
  if (c->mapped) {
    munmap(c, c->size);
  } else {
    std::free(c);
  }
}

// A traced chunk's ranges may still be on the mark stack of an incremental
// collection that pushed them before the chunk's region closed: Boehm marks
// in steps with the program running in between, and a freed chunk may be
// unmapped (chunks are allocated with 64 KiB alignment, which glibc serves
// with mmap). In the incremental modes a freed traced chunk therefore waits
// until the collection under way when it was freed has ended, that is until
// Boehm's collection count has moved on; stop-the-world collections never
// leave ranges behind. (docs/runtime-memory.md, "Freeing traced chunks".)
struct Retired {
  Chunk* chunk;
  GC_word collections;  // GC_get_gc_no() when it was freed
};
std::mutex retired_mutex;
std::vector<Retired> retired;  // guarded by retired_mutex
std::atomic<uint64_t> retired_now{0};

// Boehm counts collections under its allocation lock: read there, the count
// is exact, never a stale smaller one.
GC_word Collections() {
  GC_word n = 0;
  GC_call_with_alloc_lock(
      [](void* out) -> void* {
        *static_cast<GC_word*>(out) = GC_get_gc_no();
        return nullptr;
      },
      &n);
  return n;
}

void FreeBlock(Chunk* c) {
  if (c->kind != ATL_REGION_TRACED || !GC_is_incremental_mode()) {
    FreeBlockNow(c);
    return;
  }
  const GC_word now = Collections();
  std::lock_guard<std::mutex> lock(retired_mutex);
  retired.push_back(Retired{c, now});
  retired_now.fetch_add(1, std::memory_order_relaxed);
}

// Frees the retired chunks whose collection has ended. The count is read
// without Boehm's lock: a stale value is a smaller one, which only delays.
void FreeRetired() {
  if (retired_now.load(std::memory_order_relaxed) == 0) return;
  const GC_word now = GC_get_gc_no();
  std::lock_guard<std::mutex> lock(retired_mutex);
  std::erase_if(retired, [&](const Retired& r) {
    if (r.collections >= now) return false;
    FreeBlockNow(r.chunk);
    retired_now.fetch_sub(1, std::memory_order_relaxed);
    return true;
  });
}

// Standard chunks kept per thread before surplus ones go back to malloc.
constexpr size_t kPoolLimit = 1024;

struct Totals {
  std::atomic<uint64_t> regions_opened{0};
  std::atomic<uint64_t> regions_closed{0};
  std::atomic<uint64_t> bytes_allocated{0};
  std::atomic<uint64_t> bytes_reserved{0};
  std::atomic<uint64_t> peak_bytes_reserved{0};
  std::atomic<uint64_t> chunks_acquired{0};
  std::atomic<uint64_t> chunks_reused{0};
  std::atomic<uint64_t> large_objects{0};
  std::atomic<uint64_t> huge_page_objects{0};
  std::atomic<uint64_t> peak_live_bytes{0};
  std::atomic<uint64_t> root_bytes{0};
};
Totals totals;

// The calling thread's free standard chunks; freed when the thread exits.
class ChunkPool {
 public:
  ChunkPool() = default;
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;
  ~ChunkPool() {
    for (Chunk* c : free_) FreeBlock(c);
  }

  Chunk* Take() {
    if (free_.empty()) return nullptr;
    Chunk* c = free_.back();
    free_.pop_back();
    return c;
  }

  bool Give(Chunk* c) {
    if (free_.size() >= kPoolLimit) return false;
    free_.push_back(c);
    return true;
  }

 private:
  std::vector<Chunk*> free_;
};

thread_local ChunkPool pool;

// Large blocks of at least one huge page get a mapping of their own at a
// 2 MiB boundary, whose whole 2 MiB pieces are advised MADV_HUGEPAGE: a
// big array then faults in 2 MiB at a time instead of 4 KiB (bench/codegen's
// sieve: 2,500 faults of 10 MB, more than half of the C sieve's time on
// this machine's virtualised paging, become 5). The tail past the last whole piece stays in
// small pages; an array touched sparsely becomes resident 2 MiB at a time,
// the price of the advice. Any collection mode:
// unlike the collector's heap (runtime/gc, ATOLL_GC_HUGE_PAGES) nothing
// walks these mappings. ATOLL_REGION_HUGE_PAGES=0 leaves them unadvised.
constexpr size_t kHugePageBytes = size_t{2} << 20;

bool HugePagesWanted() {
  static const bool on = [] {
    const char* v = std::getenv("ATOLL_REGION_HUGE_PAGES");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return on;
}

// `size` bytes (a multiple of kPageBytes) at a multiple of kHugePageBytes:
// one more huge page is mapped and the slack on either side unmapped.
void* MapHugeAligned(size_t size) {
  const size_t span = size + kHugePageBytes;
  void* p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  if (aligned > start) munmap(p, aligned - start);
  if (start + span > aligned + size)
    munmap(reinterpret_cast<void*>(aligned + size), start + span - (aligned + size));
  madvise(reinterpret_cast<void*>(aligned), size & ~(kHugePageBytes - 1), MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

// A block of `size` bytes (a multiple of kPageBytes) at a multiple of
// ATL_REGION_CHUNK_ALIGN, with its card table (clean) and card bias set.
// posix_memalign, not aligned_alloc: sizes need not be multiples of the
// alignment.
Chunk* AllocBlock(size_t size, size_t data_offset) {
  void* p = nullptr;
  const bool mapped = size >= kHugePageBytes && HugePagesWanted();
  auto* table = data_offset == kChunkHeaderBytes
                    ? static_cast<uint8_t*>(std::malloc(size >> ATL_REGION_CARD_SHIFT))
                    : nullptr;
  if (mapped) p = MapHugeAligned(size);
  if ((!mapped && posix_memalign(&p, ATL_REGION_CHUNK_ALIGN, size) != 0) || p == nullptr ||
      (data_offset == kChunkHeaderBytes && table == nullptr)) {
    atl_runtime_error(atl_rt_where, "out of memory (requested %zu bytes for a region)", size);
  }
  auto* c = static_cast<Chunk*>(p);
  c->size = size;
  c->mapped = mapped;
  c->data_offset = static_cast<uint32_t>(data_offset);
  c->card_table = table != nullptr ? table : reinterpret_cast<uint8_t*>(c) + kChunkHeaderBytes;
  c->card_bias = c->cards() - (reinterpret_cast<uintptr_t>(c) >> ATL_REGION_CARD_SHIFT);
  ClearCards(c);
  return c;
}

// Header and card table of a standard chunk, rounded to 64 bytes.
constexpr size_t kStandardDataOffset =
    (kChunkHeaderBytes + (ATL_REGION_CHUNK_BYTES >> ATL_REGION_CARD_SHIFT) + 63) / 64 * 64;

void AddReserved(uint64_t bytes) {
  const uint64_t now = totals.bytes_reserved.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  uint64_t peak = totals.peak_bytes_reserved.load(std::memory_order_relaxed);
  while (now > peak &&
         !totals.peak_bytes_reserved.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

}  // namespace

Chunk* AcquireChunk(uint32_t kind) {
  FreeRetired();
  Chunk* c = CheckEnabled() ? nullptr : pool.Take();
  if (c != nullptr) {
    totals.chunks_reused.fetch_add(1, std::memory_order_relaxed);
  } else {
    c = AllocBlock(ATL_REGION_CHUNK_BYTES, kStandardDataOffset);
  }
  totals.chunks_acquired.fetch_add(1, std::memory_order_relaxed);
  AddReserved(ATL_REGION_CHUNK_BYTES);
  c->next = nullptr;
  c->used_end = c->data();
  c->kind = kind;
  c->large = false;
  return c;
}

Chunk* AcquireLarge(uint32_t kind, size_t bytes) {
  FreeRetired();
  const size_t size = (kChunkHeaderBytes + bytes + kPageBytes - 1) / kPageBytes * kPageBytes;
  Chunk* c = AllocBlock(size, kChunkHeaderBytes);  // card table apart
  totals.large_objects.fetch_add(1, std::memory_order_relaxed);
  if (c->mapped) totals.huge_page_objects.fetch_add(1, std::memory_order_relaxed);
  AddReserved(size);
  c->next = nullptr;
  c->used_end = c->data() + bytes;
  c->kind = kind;
  c->large = true;
  return c;
}

void ReleaseChunk(Chunk* chunk, const Region& owner) {
  totals.bytes_reserved.fetch_sub(chunk->size, std::memory_order_relaxed);
  if (CheckEnabled()) {
    ProtectChunk(chunk, owner);
  } else if (chunk->large || !pool.Give(chunk)) {
    FreeBlock(chunk);
  }
}

bool LiveTracking() {
  static const bool on = std::getenv("ATOLL_GC_STATS") != nullptr;
  return on;
}

void NoteLiveBytes(uint64_t live, uint64_t root) {
  totals.root_bytes.fetch_add(root, std::memory_order_relaxed);
  uint64_t peak = totals.peak_live_bytes.load(std::memory_order_relaxed);
  while (live > peak &&
         !totals.peak_live_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

void NoteRegionOpened() { totals.regions_opened.fetch_add(1, std::memory_order_relaxed); }

void NoteRegionClosed(uint64_t bytes_allocated) {
  totals.regions_closed.fetch_add(1, std::memory_order_relaxed);
  totals.bytes_allocated.fetch_add(bytes_allocated, std::memory_order_relaxed);
}

}  // namespace atl::region

extern "C" void atl_region_get_totals(atl_region_totals* out) {
  using atl::region::totals;
  out->regions_opened = totals.regions_opened.load(std::memory_order_relaxed);
  out->regions_closed = totals.regions_closed.load(std::memory_order_relaxed);
  out->bytes_allocated = totals.bytes_allocated.load(std::memory_order_relaxed);
  out->bytes_reserved = totals.bytes_reserved.load(std::memory_order_relaxed);
  out->peak_bytes_reserved = totals.peak_bytes_reserved.load(std::memory_order_relaxed);
  out->chunks_acquired = totals.chunks_acquired.load(std::memory_order_relaxed);
  out->chunks_reused = totals.chunks_reused.load(std::memory_order_relaxed);
  out->large_objects = totals.large_objects.load(std::memory_order_relaxed);
  out->huge_page_objects = totals.huge_page_objects.load(std::memory_order_relaxed);
  out->chunks_protected = atl::region::ProtectedChunks();
  out->chunks_retired = atl::region::retired_now.load(std::memory_order_relaxed);
  out->peak_live_bytes = totals.peak_live_bytes.load(std::memory_order_relaxed);
  out->root_bytes = totals.root_bytes.load(std::memory_order_relaxed);
}
