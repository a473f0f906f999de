// Boehm set-up and the allocation entry points of runtime/gc/gc.h.
#include "runtime/gc/gc.h"

#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "runtime/gc/gc_internal.h"
#include "runtime/region/region.h"
#include "runtime/value/fail.h"
#include "runtime/value/show.h"

namespace atl::gc {
namespace {

std::once_flag init_once;
GC_push_other_roots_proc previous_push_other_roots = nullptr;

// Traced region chunks are roots; a hook installed before ours still runs.
void GC_CALLBACK PushOtherRoots() {
  atl_region_push_roots();
  if (previous_push_other_roots != nullptr) previous_push_other_roots();
}

// A runtime error like any other (output flushed, the location of the
// runtime call in progress when generated code set one), not an abort.
[[noreturn]] void OutOfMemory(size_t bytes) { atl_runtime_error(atl_rt_where, "out of memory (requested %zu bytes)", bytes); }

void InitOnce() {
  const Options opts = ReadOptions();
  if (opts.markers > 0) GC_set_markers_count(static_cast<unsigned>(opts.markers));
  GC_INIT();
  if (opts.initial_heap_mb > 0 && std::getenv("GC_INITIAL_HEAP_SIZE") == nullptr) {
    const size_t want = opts.initial_heap_mb << 20;
    if (GC_get_heap_size() < want) GC_expand_hp(want - GC_get_heap_size());
  }
  GC_allow_register_threads();
  previous_push_other_roots = GC_get_push_other_roots();
  GC_set_push_other_roots(PushOtherRoots);
  if (opts.incremental) GC_enable_incremental();
  InstallPauseStatistics(opts);
}

}  // namespace

Options ReadOptions() {
  Options opts;
  if (const char* mode = std::getenv("ATOLL_GC")) {
    if (std::strcmp(mode, "incremental") == 0) {
      opts.incremental = true;
    } else if (std::strcmp(mode, "stw") != 0 && mode[0] != '\0') {
      std::fprintf(stderr, "atoll: ATOLL_GC=%s not understood (stw|incremental); using stw\n", mode);
    }
  }
  if (const char* markers = std::getenv("ATOLL_GC_MARKERS")) {
    opts.markers = std::atoi(markers);
  }
  if (const char* mb = std::getenv("ATOLL_GC_INITIAL_MB")) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(mb, &end, 10);
    if (end != mb && *end == '\0' && v <= (1ul << 20)) {
      opts.initial_heap_mb = v;
    } else {
      std::fprintf(stderr, "atoll: ATOLL_GC_INITIAL_MB=%s is not a size in MiB; using %zu\n", mb,
                   opts.initial_heap_mb);
    }
  }
  if (const char* stats = std::getenv("ATOLL_GC_STATS")) {
    if (std::strcmp(stats, "json") == 0) {
      opts.stats = StatsFormat::kJson;
    } else if (std::strcmp(stats, "1") == 0 || std::strcmp(stats, "text") == 0) {
      opts.stats = StatsFormat::kText;
    }
  }
  return opts;
}

}  // namespace atl::gc

extern "C" {

void atl_gc_init(void) { std::call_once(atl::gc::init_once, atl::gc::InitOnce); }

void* atl_alloc(size_t bytes) {
  void* p = GC_MALLOC(bytes);
  if (p == nullptr) atl::gc::OutOfMemory(bytes);
  return p;
}

void* atl_alloc_atomic(size_t bytes) {
  void* p = GC_MALLOC_ATOMIC(bytes);
  if (p == nullptr) atl::gc::OutOfMemory(bytes);
  return p;
}

void atl_gc_register_thread(void) {
  if (GC_thread_is_registered()) return;
  GC_stack_base base;
  if (GC_get_stack_base(&base) != GC_SUCCESS) {
    std::fprintf(stderr, "atoll: cannot find the stack of a thread to register with the GC\n");
    std::abort();
  }
  GC_register_my_thread(&base);
}

void atl_gc_unregister_thread(void) {
  if (GC_thread_is_registered()) GC_unregister_my_thread();
}

void atl_gc_collect(void) { GC_gcollect(); }

}  // extern "C"
