#include "runtime/region/region.h"

#include <doctest/doctest.h>
#include <gc/gc.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/value/string.h"

namespace {

atl_region_totals Totals() {
  atl_region_totals t;
  atl_region_get_totals(&t);
  return t;
}

}  // namespace

TEST_CASE("bump allocation returns aligned, disjoint, writable memory") {
  atl_region* r = atl_region_open("region_test:basic");
  std::vector<uint64_t*> objs;
  for (int i = 0; i < 5000; ++i) {
    auto* p = static_cast<uint64_t*>(atl_region_alloc(r, ATL_REGION_PLAIN, 24));
    CHECK(reinterpret_cast<uintptr_t>(p) % 8 == 0);
    p[0] = p[1] = p[2] = static_cast<uint64_t>(i);
    objs.push_back(p);
  }
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(objs[i][0] == static_cast<uint64_t>(i));
    REQUIRE(objs[i][2] == static_cast<uint64_t>(i));
  }
  atl_region_stats s;
  atl_region_get_stats(r, &s);
  CHECK(s.bytes_allocated == 5000 * 24);
  // 120,000 bytes need at least two 64 KiB chunks.
  CHECK(s.chunks >= 2);
  CHECK(s.bytes_reserved == s.chunks * ATL_REGION_CHUNK_BYTES);
  atl_region_close(r);
}

TEST_CASE("sizes are rounded to 8 and large objects get their own chunk") {
  atl_region* r = atl_region_open("region_test:large");
  char* a = static_cast<char*>(atl_region_alloc(r, ATL_REGION_PLAIN, 5));
  char* b = static_cast<char*>(atl_region_alloc(r, ATL_REGION_PLAIN, 1));
  CHECK(b - a == 8);
  char* z = static_cast<char*>(atl_region_alloc(r, ATL_REGION_TRACED, 0));
  CHECK(z != nullptr);
  CHECK(static_cast<char*>(atl_region_alloc(r, ATL_REGION_TRACED, 0)) == z + 8);
  const atl_region_totals before = Totals();
  char* big = static_cast<char*>(atl_region_alloc(r, ATL_REGION_PLAIN, 1 << 20));
  std::memset(big, 0xAB, 1 << 20);
  char* c = static_cast<char*>(atl_region_alloc(r, ATL_REGION_PLAIN, 8));
  CHECK(c - b == 8);  // the large object did not disturb the bump chunk
  atl_region_stats s;
  atl_region_get_stats(r, &s);
  CHECK(s.large_objects == 1);
  CHECK(s.bytes_allocated == 8 + 8 + 8 + 8 + (1 << 20) + 8);
  CHECK(Totals().large_objects == before.large_objects + 1);
  atl_region_close(r);
}

TEST_CASE("objects of 2 MiB or more get a huge-page mapping; zeroed allocation is zero") {
  constexpr size_t kHuge = size_t{2} << 20;
  // Dirty a chunk, give it back to the pool, and take it again: the zeroed
  // allocation must clear what the pool's chunk still holds.
  atl_region* dirty = atl_region_open("region_test:dirty");
  std::memset(atl_region_alloc(dirty, ATL_REGION_PLAIN, 4096), 0xCD, 4096);
  atl_region_close(dirty);
  atl_region* r = atl_region_open("region_test:huge");
  const auto* small =
      static_cast<const unsigned char*>(atl_region_alloc_zeroed(r, ATL_REGION_PLAIN, 4096));
  bool small_zero = true;
  for (size_t i = 0; i < 4096; ++i) small_zero = small_zero && small[i] == 0;
  CHECK(small_zero);
  const atl_region_totals before = Totals();
  // 1 MiB: a large object, but in malloc'd memory.
  std::memset(atl_region_alloc(r, ATL_REGION_PLAIN, 1 << 20), 0xEF, 1 << 20);
  CHECK(Totals().huge_page_objects == before.huge_page_objects);
  const size_t n = 3 * kHuge + 12345;
  auto* big = static_cast<unsigned char*>(atl_region_alloc_zeroed(r, ATL_REGION_TRACED, n));
  CHECK(Totals().huge_page_objects == before.huge_page_objects + 1);
  CHECK((reinterpret_cast<uintptr_t>(big) & (kHuge - 1)) == 64);  // chunk header, then the object
  bool big_zero = true;
  for (size_t i = 0; i < n; i += 4093) big_zero = big_zero && big[i] == 0;
  CHECK((big_zero && big[n - 1] == 0));
  std::memset(big, 0x5A, n);  // every byte is writable
  atl_region_close(r);
}

TEST_CASE("the inline fast path agrees with the out-of-line one") {
  atl_region* r = atl_region_open("region_test:inline");
  char* first = static_cast<char*>(atl_region_alloc_inline(r, ATL_REGION_TRACED, 16));
  char* second = static_cast<char*>(atl_region_alloc_inline(r, ATL_REGION_TRACED, 16));
  CHECK(second == first + 16);
  CHECK(r->cursor[ATL_REGION_TRACED].ptr == second + 16);
  CHECK(r->cursor[ATL_REGION_PLAIN].ptr == nullptr);  // kinds have separate chunks
  atl_region_close(r);
}

TEST_CASE("regions nest per thread and closed chunks are reused") {
  CHECK(atl_region_current() == nullptr);
  atl_region* outer = atl_region_open("outer");
  atl_region* inner = atl_region_open("inner");
  CHECK(atl_region_current() == inner);
  atl_region_alloc(inner, ATL_REGION_PLAIN, 64);
  atl_region_close(inner);
  CHECK(atl_region_current() == outer);
  const atl_region_totals before = Totals();
  atl_region* again = atl_region_open("again");
  atl_region_alloc(again, ATL_REGION_PLAIN, 64);
  const atl_region_totals after = Totals();
  CHECK(after.chunks_acquired == before.chunks_acquired + 1);
  CHECK(after.chunks_reused == before.chunks_reused + 1);
  atl_region_close(again);
  atl_region_close(outer);
  CHECK(atl_region_current() == nullptr);
  CHECK(Totals().bytes_reserved == 0);
  CHECK(Totals().peak_bytes_reserved >= 2 * ATL_REGION_CHUNK_BYTES);
}

namespace {

constexpr int kSlots = 2000;

std::string Expected(int i) {
  return "value-" + std::to_string(i) + "-" + std::string(i % 37, 'x');
}

// Fills the slots from a separate frame so no copy of a pointer stays on the
// test's stack: the region must be the only reference.
__attribute__((noinline)) void FillSlots(atl_value* slots) {
  for (int i = 0; i < kSlots; ++i) {
    const std::string s = Expected(i);
    slots[i] = atl_string_new(s.data(), s.size());
  }
}

__attribute__((noinline)) void Churn(int rounds) {
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < 20000; ++i) {
      void* p = atl_alloc_atomic(48);
      std::memset(p, 'Z', 48);  // overwrites any string freed too early
    }
    atl_gc_collect();
  }
}

struct Watch {
  void* target;
  int cleared;
};

}  // namespace

TEST_CASE("a traced region keeps heap objects alive across collections") {
  atl_gc_init();
  atl_region* r = atl_region_open("region_test:traced");
  auto* slots =
      static_cast<atl_value*>(atl_region_alloc(r, ATL_REGION_TRACED, sizeof(atl_value) * kSlots));
  FillSlots(slots);
  Churn(12);
  for (int i = 0; i < kSlots; ++i) {
    const std::string s = Expected(i);
    REQUIRE(atl_string_length(slots[i]) == s.size());
    REQUIRE(std::memcmp(atl_string_bytes(slots[i]), s.data(), s.size()) == 0);
  }
  atl_region_close(r);
}

TEST_CASE("a traced object in a huge-page mapping keeps heap objects alive") {
  atl_gc_init();
  atl_region* r = atl_region_open("region_test:traced-huge");
  const atl_region_totals before = Totals();
  const size_t n = (size_t{5} << 20) / sizeof(atl_value);  // 5 MiB: its own mapping
  auto* big =
      static_cast<atl_value*>(atl_region_alloc(r, ATL_REGION_TRACED, sizeof(atl_value) * n));
  REQUIRE(Totals().huge_page_objects == before.huge_page_objects + 1);
  atl_value* slots = big + n - kSlots;  // the strings at the end, past two whole huge pages
  FillSlots(slots);
  Churn(12);
  for (int i = 0; i < kSlots; ++i) {
    const std::string s = Expected(i);
    REQUIRE(atl_string_length(slots[i]) == s.size());
    REQUIRE(std::memcmp(atl_string_bytes(slots[i]), s.data(), s.size()) == 0);
  }
  atl_region_close(r);
}

namespace {

__attribute__((noinline)) int CountCleared(uint32_t kind) {
  atl_region* r = atl_region_open("region_test:control");
  auto* slots = static_cast<atl_value*>(atl_region_alloc(r, kind, sizeof(atl_value) * kSlots));
  std::vector<void*> links(kSlots);  // malloc'd: not scanned by the GC
  FillSlots(slots);
  // Registering a link allocates, so a collection may run meanwhile: hold the
  // strings from a GC-visible array until every link is registered, then
  // clear it so the region is again the only reference.
  auto* keep = static_cast<atl_value*>(atl_alloc(sizeof(atl_value) * kSlots));
  std::memcpy(keep, slots, sizeof(atl_value) * kSlots);
  for (int i = 0; i < kSlots; ++i) {
    links[i] = reinterpret_cast<void*>(keep[i]);
    GC_general_register_disappearing_link(&links[i], reinterpret_cast<void*>(keep[i]));
  }
  std::memset(keep, 0, sizeof(atl_value) * kSlots);
  Churn(3);
  int cleared = 0;
  for (int i = 0; i < kSlots; ++i) {
    if (links[i] == nullptr) ++cleared;
    GC_unregister_disappearing_link(&links[i]);
  }
  atl_region_close(r);
  return cleared;
}

}  // namespace

TEST_CASE("pointer-free chunks are not roots, traced chunks are") {
  atl_gc_init();
  // Control: when only a pointer-free chunk refers to them, the strings die.
  CHECK(CountCleared(ATL_REGION_PLAIN) > kSlots / 2);
  CHECK(CountCleared(ATL_REGION_TRACED) == 0);
}

namespace {

// One worker: nested traced regions whose slots hold the only references to
// fresh strings, while the other worker's allocation triggers collections.
int TracedWorker(int seed) {
  atl_gc_register_thread();
  int bad = 0;
  for (int round = 0; round < 30; ++round) {
    atl_region* r = atl_region_open("worker");
    constexpr int kPerRound = 3000;  // spans several traced chunks
    std::vector<atl_value*> slots;
    for (int i = 0; i < kPerRound; ++i) {
      auto* slot = static_cast<atl_value*>(atl_region_alloc(r, ATL_REGION_TRACED, 24));
      const std::string s = std::to_string(seed * 1000003 + round * kPerRound + i);
      slot[0] = atl_string_new(s.data(), s.size());
      slot[1] = slot[2] = 0;
      slots.push_back(slot);
      if (i % 64 == 0) std::memset(atl_alloc_atomic(4096), 'Q', 4096);  // pressure
    }
    for (int i = 0; i < kPerRound; ++i) {
      const std::string s = std::to_string(seed * 1000003 + round * kPerRound + i);
      if (atl_string_length(slots[i][0]) != s.size() ||
          std::memcmp(atl_string_bytes(slots[i][0]), s.data(), s.size()) != 0) {
        ++bad;
      }
    }
    atl_region_close(r);
  }
  atl_gc_unregister_thread();
  return bad;
}

}  // namespace

TEST_CASE("traced regions on several threads survive concurrent collections") {
  atl_gc_init();
  int bad[2] = {0, 0};
  std::thread a([&] { bad[0] = TracedWorker(1); });
  std::thread b([&] { bad[1] = TracedWorker(2); });
  for (int i = 0; i < 20; ++i) atl_gc_collect();
  a.join();
  b.join();
  CHECK(bad[0] == 0);
  CHECK(bad[1] == 0);
}
