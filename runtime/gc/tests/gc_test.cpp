#include "runtime/gc/gc.h"

#include <doctest/doctest.h>
#include <gc/gc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/gc/gc_internal.h"
#include "runtime/gc/stats.h"

TEST_CASE("init is idempotent and allocation works before and after") {
  atl_gc_init();
  atl_gc_init();
  void* p = atl_alloc(64);
  REQUIRE(p != nullptr);
  CHECK(GC_base(p) == p);  // a GC heap object
  void* q = atl_alloc_atomic(64);
  REQUIRE(q != nullptr);
  CHECK(GC_base(q) == q);
}

namespace {

__attribute__((noinline)) void Garbage() {
  for (int i = 0; i < 20000; ++i) std::memset(atl_alloc(48), 0x5A, 48);
}

}  // namespace

TEST_CASE("atl_alloc returns zeroed memory even after reuse") {
  atl_gc_init();
  Garbage();
  atl_gc_collect();
  for (int i = 0; i < 20000; ++i) {
    auto* p = static_cast<const unsigned char*>(atl_alloc(48));
    for (int b = 0; b < 48; ++b) REQUIRE(p[b] == 0);
  }
}

TEST_CASE("registered threads keep their stack references alive across collections") {
  atl_gc_init();
  constexpr int kThreads = 2;
  constexpr int kObjects = 2000;
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &ok] {
      atl_gc_register_thread();
      atl_gc_register_thread();  // idempotent
      // The chain head lives only on this thread's stack.
      void** head = nullptr;
      for (int i = 0; i < kObjects; ++i) {
        auto** node = static_cast<void**>(atl_alloc(2 * sizeof(void*)));
        node[0] = head;
        node[1] = reinterpret_cast<void*>(static_cast<uintptr_t>(i * 2 + 1));
        head = node;
        if (i % 500 == 0) atl_gc_collect();
      }
      int count = 0;
      for (void** n = head; n != nullptr; n = static_cast<void**>(n[0])) {
        if (reinterpret_cast<uintptr_t>(n[1]) ==
            static_cast<uintptr_t>((kObjects - 1 - count) * 2 + 1))
          ++count;
      }
      ok[t] = count;
      atl_gc_unregister_thread();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) CHECK(ok[t] == kObjects);
}

TEST_CASE("options come from the environment") {
  setenv("ATOLL_GC", "incremental", 1);
  setenv("ATOLL_GC_MARKERS", "3", 1);
  setenv("ATOLL_GC_STATS", "json", 1);
  atl::gc::Options o = atl::gc::ReadOptions();
  CHECK(o.incremental);
  CHECK(o.markers == 3);
  CHECK(o.stats == atl::gc::StatsFormat::kJson);
  setenv("ATOLL_GC", "stw", 1);
  setenv("ATOLL_GC_STATS", "1", 1);
  unsetenv("ATOLL_GC_MARKERS");
  o = atl::gc::ReadOptions();
  CHECK_FALSE(o.incremental);
  CHECK(o.markers == 0);
  CHECK(o.stats == atl::gc::StatsFormat::kText);
  unsetenv("ATOLL_GC");
  unsetenv("ATOLL_GC_STATS");
  CHECK(atl::gc::ReadOptions().stats == atl::gc::StatsFormat::kNone);
}

TEST_CASE("heap growth advises untouched 2 MiB pieces MADV_HUGEPAGE") {
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0) {
    MESSAGE("no transparent huge pages in this kernel: nothing to advise");
    return;
  }
  atl_gc_init();
  atl_gc_stats before;
  atl_gc_get_stats(&before);
  // 48 MiB kept alive in a chain of 4 KiB objects: the heap grows by
  // sections of several MiB, each advised in its untouched 2 MiB pieces.
  void** chain = nullptr;
  for (int i = 0; i < 48 * 256; ++i) {
    auto** o = static_cast<void**>(atl_alloc(4096));
    o[0] = chain;
    chain = o;
  }
  atl_gc_stats after;
  atl_gc_get_stats(&after);
  CHECK(after.heap_bytes > before.heap_bytes + (size_t{32} << 20));
  CHECK(after.huge_page_bytes > before.huge_page_bytes);
  CHECK(after.huge_page_bytes % (size_t{2} << 20) == 0);
  size_t n = 0;
  for (void** o = chain; o != nullptr; o = static_cast<void**>(o[0])) ++n;
  CHECK(n == 48 * 256);
}
