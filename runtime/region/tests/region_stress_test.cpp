// Stress: 10^7 allocations across 10^5 regions nested up to 100 deep, with
// every object's contents checked before its region closes.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "runtime/region/region.h"

namespace {

constexpr int kDepth = 100;
constexpr int kTrees = 1000;            // kTrees * kDepth = 10^5 regions
constexpr int kObjectsPerRegion = 100;  // 10^7 allocations in all

struct Level {
  atl_region* region;
  std::vector<uint64_t*> objects;
  uint64_t stamp;
};

// Each object is 1 + (stamp % 5) words, every word holding the stamp.
void Fill(Level& level) {
  level.objects.clear();
  for (int i = 0; i < kObjectsPerRegion; ++i) {
    const uint64_t stamp = level.stamp * 131 + static_cast<uint64_t>(i);
    const size_t words = 1 + stamp % 5;
    const uint32_t kind = (i % 2 == 0) ? ATL_REGION_PLAIN : ATL_REGION_TRACED;
    auto* p = static_cast<uint64_t*>(atl_region_alloc_inline(level.region, kind, words * 8));
    for (size_t w = 0; w < words; ++w) p[w] = stamp;
    level.objects.push_back(p);
  }
}

bool Intact(const Level& level) {
  for (int i = 0; i < kObjectsPerRegion; ++i) {
    const uint64_t stamp = level.stamp * 131 + static_cast<uint64_t>(i);
    const size_t words = 1 + stamp % 5;
    for (size_t w = 0; w < words; ++w) {
      if (level.objects[i][w] != stamp) return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("10^7 allocations in 10^5 nested regions keep their contents") {
  atl_region_totals before;
  atl_region_get_totals(&before);
  std::vector<Level> stack(kDepth);
  uint64_t expected_bytes = 0;
  uint64_t corrupted = 0;
  uint64_t stamp = 1;
  for (int tree = 0; tree < kTrees; ++tree) {
    for (int d = 0; d < kDepth; ++d) {
      stack[d].region = atl_region_open("stress");
      stack[d].stamp = stamp++;
      Fill(stack[d]);
      for (int i = 0; i < kObjectsPerRegion; ++i) {
        expected_bytes += 8 * (1 + (stack[d].stamp * 131 + static_cast<uint64_t>(i)) % 5);
      }
    }
    for (int d = kDepth - 1; d >= 0; --d) {
      if (!Intact(stack[d])) ++corrupted;
      REQUIRE(atl_region_current() == stack[d].region);
      atl_region_close(stack[d].region);
    }
  }
  CHECK(corrupted == 0);
  atl_region_totals after;
  atl_region_get_totals(&after);
  CHECK(after.regions_opened - before.regions_opened == uint64_t{kTrees} * kDepth);
  CHECK(after.regions_closed - before.regions_closed == uint64_t{kTrees} * kDepth);
  CHECK(after.bytes_allocated - before.bytes_allocated == expected_bytes);
  CHECK(after.bytes_reserved == 0);
  // Chunks are recycled: far fewer fresh chunks than regions.
  CHECK(after.chunks_acquired - after.chunks_reused < 4 * kDepth);
  CHECK(atl_region_current() == nullptr);
}

TEST_CASE("10^5 regions open at once, nested, then closed in order") {
  constexpr int kNested = 100000;
  std::vector<atl_region*> open;
  open.reserve(kNested);
  for (int i = 0; i < kNested; ++i) {
    open.push_back(atl_region_open("deep"));
    if (i % 1000 == 0) {
      auto* p = static_cast<int*>(atl_region_alloc(open.back(), ATL_REGION_PLAIN, sizeof(int)));
      *p = i;
    }
  }
  for (int i = kNested - 1; i >= 0; --i) {
    REQUIRE(atl_region_current() == open[i]);
    atl_region_close(open[i]);
  }
  CHECK(atl_region_current() == nullptr);
}
