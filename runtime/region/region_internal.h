// Runtime-private region structures shared by the files of runtime/region.
#ifndef ATOLL_RUNTIME_REGION_REGION_INTERNAL_H
#define ATOLL_RUNTIME_REGION_REGION_INTERNAL_H

#include <cstddef>
#include <cstdint>

#include "runtime/region/region.h"

namespace atl::region {

inline constexpr size_t kChunkHeaderBytes = 64;
inline constexpr size_t kPageBytes = 4096;
inline constexpr size_t kCardBytes = size_t{1} << ATL_REGION_CARD_SHIFT;

// A chunk is one malloc'd block aligned to ATL_REGION_CHUNK_ALIGN (a large
// one of at least 2 MiB is a mapping of its own, chunk.cpp): this
// header, then data. Its card table (one byte per kCardBytes of the block)
// follows the header in a standard chunk and is malloc'd apart for a large
// one (so data() stays in the first ATL_REGION_CHUNK_ALIGN bytes).
// Invariants: data() is 64-byte aligned and below this + ATL_REGION_CHUNK_ALIGN
// (so every object's chunk is `object & ~(ALIGN-1)`, atoll_region.h); a
// standard chunk is exactly ATL_REGION_CHUNK_BYTES long; a large chunk holds
// exactly one object; card_bias[a >> ATL_REGION_CARD_SHIFT] is the card of
// every address a of the block, set for the block's lifetime.
struct Chunk {
  uint8_t* card_bias;  // word 0: read by generated code (atl_region_card_mark)
  Chunk* next;         // next chunk of the same list (older chunks, or pool)
  size_t size;         // whole block, header and cards included
  char* used_end;      // end of the used bytes, once the chunk is retired (or large)
  uint32_t kind;       // atl_region_kind
  uint32_t data_offset;
  uint8_t* card_table;
  bool large;
  bool mapped;  // a mapping of its own (freed with munmap), not a malloc'd block

  char* data() { return reinterpret_cast<char*>(this) + data_offset; }
  char* end() { return reinterpret_cast<char*>(this) + size; }
  uint8_t* cards() { return card_table; }
  size_t card_count() const { return size >> ATL_REGION_CARD_SHIFT; }
};
static_assert(sizeof(Chunk) <= kChunkHeaderBytes);
static_assert(offsetof(Chunk, card_bias) == 0);
static_assert(static_cast<long>(ATL_REGION_CHUNK_BYTES) ==
              static_cast<long>(ATL_REGION_CHUNK_ALIGN));

// An open region. The public cursors come first (atl_region is the base),
// so generated code and the runtime agree on their offsets.
// Invariant: chunks[k] is the chunk cursor[k] points into (or null before
// the first allocation of kind k); older chunks follow through next.
struct Region : atl_region {
  Chunk* chunks[2] = {nullptr, nullptr};
  Chunk* large = nullptr;    // large-object chunks, both kinds
  Region* parent = nullptr;  // innermost open region when this one opened
  Region* logical_parent =
      nullptr;                // the region its runIO ran in (atl_region_open_in), else parent
  Region* gc_prev = nullptr;  // registry of regions holding traced chunks
  Region* gc_next = nullptr;
  bool registered = false;
  const char* site = nullptr;
  uint64_t id = 0;
  uint64_t retired_bytes = 0;  // used bytes of retired and large chunks
  uint64_t reserved_bytes = 0;
  uint64_t chunk_count = 0;
  uint64_t large_count = 0;
};

inline Region* AsRegion(atl_region* r) { return static_cast<Region*>(r); }
inline const Region* AsRegion(const atl_region* r) { return static_cast<const Region*>(r); }

// chunk.cpp: the per-thread pool and the global counters.
Chunk* AcquireChunk(uint32_t kind);
Chunk* AcquireLarge(uint32_t kind, size_t bytes);
void ReleaseChunk(Chunk* chunk, const Region& owner);
void NoteRegionOpened();
void NoteRegionClosed(uint64_t bytes_allocated);
// Whether closes count live and root bytes (ATOLL_GC_STATS is set), and the
// counting: `live` over the closing region and its open ancestors.
bool LiveTracking();
void NoteLiveBytes(uint64_t live, uint64_t root);

// roots.cpp: the registry of regions that hold traced chunks.
void RegisterTraced(Region* r);
void UnregisterTraced(Region* r);

// Cards of a chunk (roots.cpp): all clean, set when the block is made.
void ClearCards(Chunk* c);

// check.cpp: sanitizer mode (ATOLL_REGION_CHECK=1).
bool CheckEnabled();
void ProtectChunk(Chunk* chunk, const Region& owner);
uint64_t ProtectedChunks();

}  // namespace atl::region

#endif  // ATOLL_RUNTIME_REGION_REGION_INTERNAL_H
