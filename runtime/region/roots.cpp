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

void PushRegion(Region* r) {
  Chunk* head = r->chunks[ATL_REGION_TRACED];
  if (head != nullptr) {
    char* ptr = r->cursor[ATL_REGION_TRACED].ptr;
    const bool inside = ptr >= head->data() && ptr <= head->end();
    PushRange(head->data(), inside ? ptr : head->end());
    for (Chunk* c = head->next; c != nullptr; c = c->next) PushRange(c->data(), c->used_end);
  }
  for (Chunk* c = r->large; c != nullptr; c = c->next) {
    if (c->kind == ATL_REGION_TRACED) PushRange(c->data(), c->used_end);
  }
}

}  // namespace

void RegisterTraced(Region* r) {
  atl_gc_init();
  GC_call_with_alloc_lock(LinkLocked, r);
}

void UnregisterTraced(Region* r) { GC_call_with_alloc_lock(UnlinkLocked, r); }

}  // namespace atl::region

extern "C" void atl_region_push_roots(void) {
  for (atl::region::Region* r = atl::region::registry; r != nullptr; r = r->gc_next) {
    atl::region::PushRegion(r);
  }
}
