// Small-object allocation: region bump pointer versus GC_malloc versus
// malloc, 32-byte objects, 10^6 per iteration (the objects of one iteration
// are dropped together: region closed, GC objects unreachable, malloc'd
// blocks freed). Every object gets one word written, as a constructor would.
#include <benchmark/benchmark.h>
#include <gc/gc.h>

#include <cstdlib>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/region/region.h"

namespace {

constexpr size_t kObjects = 1000000;
constexpr size_t kBytes = 32;

void Touch(void* p, size_t i) {
  auto* w = static_cast<uint64_t*>(p);
  w[0] = i;
}

void BM_Region(benchmark::State& state) {
  for (auto _ : state) {
    atl_region* r = atl_region_open("bench");
    for (size_t i = 0; i < kObjects; ++i) {
      void* p = atl_region_alloc_inline(r, ATL_REGION_PLAIN, kBytes);
      Touch(p, i);
      benchmark::DoNotOptimize(p);
    }
    atl_region_close(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

// The same 10^6 objects in 100 regions of 10^4 objects each (320 KB, so the
// chunks stay in cache): the shape of a runST loop body.
void BM_RegionSmall(benchmark::State& state) {
  for (auto _ : state) {
    for (size_t round = 0; round < 100; ++round) {
      atl_region* r = atl_region_open("bench");
      for (size_t i = 0; i < kObjects / 100; ++i) {
        void* p = atl_region_alloc_inline(r, ATL_REGION_PLAIN, kBytes);
        Touch(p, i);
        benchmark::DoNotOptimize(p);
      }
      atl_region_close(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

void BM_RegionTraced(benchmark::State& state) {
  for (auto _ : state) {
    atl_region* r = atl_region_open("bench");
    for (size_t i = 0; i < kObjects; ++i) {
      void* p = atl_region_alloc_inline(r, ATL_REGION_TRACED, kBytes);
      Touch(p, i);
      benchmark::DoNotOptimize(p);
    }
    atl_region_close(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

void BM_GcMalloc(benchmark::State& state) {
  atl_gc_init();
  for (auto _ : state) {
    for (size_t i = 0; i < kObjects; ++i) {
      void* p = GC_MALLOC(kBytes);
      Touch(p, i);
      benchmark::DoNotOptimize(p);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

void BM_GcMallocAtomic(benchmark::State& state) {
  atl_gc_init();
  for (auto _ : state) {
    for (size_t i = 0; i < kObjects; ++i) {
      void* p = GC_MALLOC_ATOMIC(kBytes);
      Touch(p, i);
      benchmark::DoNotOptimize(p);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

void BM_Malloc(benchmark::State& state) {
  std::vector<void*> blocks(kObjects);
  for (auto _ : state) {
    for (size_t i = 0; i < kObjects; ++i) {
      void* p = std::malloc(kBytes);
      Touch(p, i);
      blocks[i] = p;
    }
    for (void* p : blocks) std::free(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kObjects));
}

}  // namespace

BENCHMARK(BM_Region)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RegionSmall)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RegionTraced)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GcMalloc)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GcMallocAtomic)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Malloc)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  atl_gc_init();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
