// ATOLL_GC=cards (docs/runtime-memory.md, "Region cards"): a pointer stored
// into a traced region object while a collection is under way must keep its
// object alive, although the final step of the collection pushes only the
// dirty cards of region chunks. Every test here would free a live object if
// a card mark (atl_region_card_mark, atl_mutarray_set) or the decision
// between a full and a card push were wrong; the contents checks then see
// the object reused by later allocations.
// Boehm's incremental mode write-protects heap pages and handles the
// faults; doctest's per-test SIGSEGV handler would take them for crashes.
#define DOCTEST_CONFIG_NO_POSIX_SIGNALS
#include <doctest/doctest.h>
#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/abi/atoll_abi.h"
#include "runtime/gc/gc.h"
#include "runtime/region/region.h"
#include "runtime/value/mutable.h"

namespace {

constexpr size_t kPayloadWords = 6;

// A scanned heap object of 8 words: a stamp, then words derived from it.
struct Payload {
  uint64_t stamp;
  uint64_t words[kPayloadWords];
  void* link;  // a second heap object, reachable only from here
};

void Init() {
  setenv("ATOLL_GC", "cards", 1);
  atl_gc_init();
}

uint64_t Expected(uint64_t stamp, size_t i) { return stamp * 0x9E3779B97F4A7C15u + i; }

// Built out of line so no copy of the pointers stays in the caller's frame.
__attribute__((noinline)) atl_value NewPayload(uint64_t stamp) {
  auto* p = static_cast<Payload*>(atl_alloc(sizeof(Payload)));
  p->stamp = stamp;
  for (size_t i = 0; i < kPayloadWords; ++i) p->words[i] = Expected(stamp, i);
  auto* link = static_cast<uint64_t*>(atl_alloc(4 * sizeof(uint64_t)));
  for (size_t i = 0; i < 4; ++i) link[i] = ~Expected(stamp, i);
  p->link = link;
  return atl_from_ptr(reinterpret_cast<atl_object*>(p));
}

bool Intact(atl_value v, uint64_t stamp) {
  const auto* p = reinterpret_cast<const Payload*>(atl_ptr(v));
  if (p->stamp != stamp) return false;
  for (size_t i = 0; i < kPayloadWords; ++i) {
    if (p->words[i] != Expected(stamp, i)) return false;
  }
  const auto* link = static_cast<const uint64_t*>(p->link);
  for (size_t i = 0; i < 4; ++i) {
    if (link[i] != ~Expected(stamp, i)) return false;
  }
  return true;
}

// Garbage of the payloads' sizes, so freed payloads are reused at once.
__attribute__((noinline)) void Churn(int n) {
  for (int i = 0; i < n; ++i) {
    std::memset(atl_alloc(sizeof(Payload)), 0xA5, sizeof(Payload));
    std::memset(atl_alloc(4 * sizeof(uint64_t)), 0xA5, 4 * sizeof(uint64_t));
  }
}

__attribute__((noinline)) void StoreFresh(atl_value array, int64_t i, uint64_t stamp) {
  atl_mutarray_set(array, i, NewPayload(stamp));
}

__attribute__((noinline)) void FinishCollection() {
  while (GC_collect_a_little() != 0) {
  }
}

// A live list of n cells held by a traced Ref, so that marking takes many
// increments (longer than the first world-stopped step's time limit).
__attribute__((noinline)) void HoldBallast(atl_region* r, int n) {
  void* head = nullptr;
  for (int i = 0; i < n; ++i) {
    auto** cell = static_cast<void**>(atl_alloc(2 * sizeof(void*)));
    cell[0] = head;
    head = cell;
  }
  atl_ref_new(r, ATL_REGION_TRACED, static_cast<atl_value>(reinterpret_cast<uintptr_t>(head)));
}

}  // namespace

TEST_CASE("a pointer stored during incremental marking into a clean card survives") {
  Init();
  REQUIRE(GC_is_incremental_mode());
  atl_region* r = atl_region_open("cards_test");
  // A large object (its own chunk, card table apart) and a small one.
  const atl_value big = atl_mutarray_new(r, ATL_REGION_TRACED, 50000, atl_unit());
  const atl_value small = atl_mutarray_new(r, ATL_REGION_TRACED, 16, atl_unit());
  HoldBallast(r, 400000);
  int in_progress = 0;
  for (int round = 0; round < 20; ++round) {
    atl_gc_collect();  // every card clean, no collection in progress
    GC_start_incremental_collection();
    for (int step = 0; step < 3; ++step) GC_collect_a_little();
    in_progress += GC_collect_a_little() != 0 ? 1 : 0;
    const uint64_t stamp = 1000 + static_cast<uint64_t>(round);
    StoreFresh(big, 49999 - round * 997, stamp);
    StoreFresh(small, round % 16, stamp);
    GC_clear_stack(nullptr);
    FinishCollection();
    Churn(20000);
    CHECK(Intact(atl_mutarray_get(big, 49999 - round * 997), stamp));
    CHECK(Intact(atl_mutarray_get(small, round % 16), stamp));
  }
  CHECK(in_progress > 0);  // the stores did land while marking was under way
  atl_gc_card_stats cs;
  atl_gc_get_card_stats(&cs);
  CHECK(cs.pushes > cs.pushes_all);  // the dirty-card path ran
  atl_region_close(r);
}

TEST_CASE("stress: random stores into traced arrays and Refs across many incremental collections") {
  Init();
  atl_region* r = atl_region_open("cards_stress");
  constexpr int64_t kBig = 40000;
  const atl_value big = atl_mutarray_new(r, ATL_REGION_TRACED, kBig, atl_unit());
  std::vector<uint64_t> big_stamp(kBig, 0);
  // Many small arrays spread over standard chunks, opened over time.
  std::vector<atl_value> smalls;
  std::vector<std::vector<uint64_t>> small_stamp;
  std::mt19937_64 rng(20261201);
  uint64_t stamp = 1;
  atl_gc_card_stats before;
  atl_gc_get_card_stats(&before);
  for (int i = 0; i < 400000; ++i) {
    if (i % 2000 == 0) {
      smalls.push_back(atl_mutarray_new(r, ATL_REGION_TRACED, 32, atl_unit()));
      small_stamp.emplace_back(32, 0);
    }
    const uint64_t pick = rng();
    if (pick % 3 == 0) {
      const size_t a = static_cast<size_t>(pick >> 8) % smalls.size();
      const size_t k = static_cast<size_t>(pick >> 40) % 32;
      StoreFresh(smalls[a], static_cast<int64_t>(k), stamp);
      small_stamp[a][k] = stamp;
    } else {
      const auto k = static_cast<int64_t>((pick >> 8) % kBig);
      StoreFresh(big, k, stamp);
      big_stamp[static_cast<size_t>(k)] = stamp;
    }
    ++stamp;
    if (i % 50000 == 49999) {
      GC_clear_stack(nullptr);
      Churn(5000);
      size_t bad = 0;
      for (int64_t k = 0; k < kBig; ++k) {
        if (big_stamp[static_cast<size_t>(k)] != 0 &&
            !Intact(atl_mutarray_get(big, k), big_stamp[static_cast<size_t>(k)])) {
          ++bad;
        }
      }
      for (size_t a = 0; a < smalls.size(); ++a) {
        for (size_t k = 0; k < 32; ++k) {
          if (small_stamp[a][k] != 0 &&
              !Intact(atl_mutarray_get(smalls[a], static_cast<int64_t>(k)), small_stamp[a][k])) {
            ++bad;
          }
        }
      }
      CHECK(bad == 0);
    }
  }
  atl_gc_card_stats after;
  atl_gc_get_card_stats(&after);
  CHECK(after.pushes - after.pushes_all > before.pushes - before.pushes_all);
  atl_region_close(r);
}

TEST_CASE("card marks land in the chunk's own card table, for the last slot of a large array too") {
  Init();
  atl_region* r = atl_region_open("cards_layout");
  for (int64_t n : {1, 63, 64, 2047, 2048, 100000, 1 << 20}) {
    const atl_value a = atl_mutarray_new(r, ATL_REGION_TRACED, n, atl_unit());
    // Under ASan a mark outside the table is reported; here it must not crash.
    atl_mutarray_set(a, n - 1, atl_int(1));
    atl_mutarray_set(a, 0, atl_int(2));
    CHECK(atl_mutarray_get(a, n - 1) == (n == 1 ? atl_int(2) : atl_int(1)));
  }
  atl_region_close(r);
}

TEST_CASE("a traced chunk freed during incremental marking waits until the collection ends") {
  Init();
  atl_region* keep = atl_region_open("ballast");
  HoldBallast(keep, 400000);  // marking takes many steps
  atl_gc_collect();
  atl_region_totals before;
  atl_region_get_totals(&before);
  atl_region* r = atl_region_open("retired");
  (void)atl_mutarray_new(r, ATL_REGION_TRACED, 50000, atl_unit());  // a large traced chunk
  GC_start_incremental_collection();
  const bool under_way = GC_collect_a_little() != 0;
  atl_region_close(r);
  atl_region_totals closed;
  atl_region_get_totals(&closed);
  CHECK(closed.chunks_retired == before.chunks_retired + 1);
  if (under_way) {
    // A chunk taken while that collection runs frees nothing yet.
    atl_region* r2 = atl_region_open("during");
    (void)atl_mutarray_new(r2, ATL_REGION_TRACED, 16, atl_unit());
    atl_region_totals during;
    atl_region_get_totals(&during);
    CHECK(during.chunks_retired == closed.chunks_retired);
    atl_region_close(r2);
  }
  FinishCollection();
  // When marking ended within the first step, the chunk was retired under
  // the count of the collection that had just ended: only the next one
  // frees it (conservative; that is the run where this test failed).
  if (!under_way) atl_gc_collect();
  atl_region* r3 = atl_region_open("after");
  (void)atl_mutarray_new(r3, ATL_REGION_TRACED, 16, atl_unit());  // frees what waited
  atl_region_totals after;
  atl_region_get_totals(&after);
  CHECK(after.chunks_retired == 0);
  atl_region_close(r3);
  atl_region_close(keep);
}
