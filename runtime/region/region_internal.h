// Runtime-private region structures shared by the files of runtime/region.
#ifndef ATOLL_RUNTIME_REGION_REGION_INTERNAL_H
#define ATOLL_RUNTIME_REGION_REGION_INTERNAL_H

#include <cstddef>
#include <cstdint>

#include "runtime/region/region.h"

namespace atl::region {

inline constexpr size_t kChunkHeaderBytes = 64;
inline constexpr size_t kPageBytes = 4096;

// A chunk is one malloc'd, page-aligned block: this header, then data.
// Invariant: data() is 64-byte aligned; a standard chunk is exactly
// ATL_REGION_CHUNK_BYTES long; a large chunk holds exactly one object.
struct Chunk {
  Chunk* next;       // next chunk of the same list (older chunks, or pool)
  size_t size;       // whole block, header included
  char* used_end;    // end of the used bytes, once the chunk is retired (or large)
  uint32_t kind;     // atl_region_kind
  bool large;

  char* data() { return reinterpret_cast<char*>(this) + kChunkHeaderBytes; }
  char* end() { return reinterpret_cast<char*>(this) + size; }
};
static_assert(sizeof(Chunk) <= kChunkHeaderBytes);

// An open region. The public cursors come first (atl_region is the base),
// so generated code and the runtime agree on their offsets.
// Invariant: chunks[k] is the chunk cursor[k] points into (or null before
// the first allocation of kind k); older chunks follow through next.
struct Region : atl_region {
  Chunk* chunks[2] = {nullptr, nullptr};
  Chunk* large = nullptr;         // large-object chunks, both kinds
  Region* parent = nullptr;       // innermost open region when this one opened
  Region* gc_prev = nullptr;      // registry of regions holding traced chunks
  Region* gc_next = nullptr;
  bool registered = false;
  const char* site = nullptr;
  uint64_t id = 0;
  uint64_t retired_bytes = 0;     // used bytes of retired and large chunks
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

// roots.cpp: the registry of regions that hold traced chunks.
void RegisterTraced(Region* r);
void UnregisterTraced(Region* r);

// check.cpp: sanitizer mode (ATOLL_REGION_CHECK=1).
bool CheckEnabled();
void ProtectChunk(Chunk* chunk, const Region& owner);
uint64_t ProtectedChunks();

}  // namespace atl::region

#endif  // ATOLL_RUNTIME_REGION_REGION_INTERNAL_H
