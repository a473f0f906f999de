// Deep copy throughput (bytes of the copied graph per second) for a list of
// boxed values and for arrays of Ints and of strings.
#include <benchmark/benchmark.h>

#include <string>

#include "runtime/gc/gc.h"
#include "runtime/mvar/copy.h"
#include "runtime/value/show.h"
#include "runtime/value/string.h"
#include "runtime/value/value.h"

namespace {

const atl_descriptor kDescriptors[] = {
    {nullptr, 0, ATL_SHAPE_TUPLE, 0, 0, nullptr, 0},
    {"False", 0, ATL_SHAPE_CONSTRUCTOR, 1, 0, nullptr, 0},
    {"True", 0, ATL_SHAPE_CONSTRUCTOR, 1, 1, nullptr, 0},
    {"Nil", 0, ATL_SHAPE_LIST_NIL, 2, 0, nullptr, 0},
    {"::", 2, ATL_SHAPE_LIST_CONS, 2, 1, nullptr, 0},
};
const atl_program_info kProgram = [] {
  atl_program_info info{};
  info.descriptors = kDescriptors;
  info.descriptor_count = 5;
  return info;
}();
constexpr uint32_t kNil = 3, kCons = 4;

atl_value IntList(int64_t n) {
  atl_value list = atl_nullary(kNil);
  for (int64_t i = 0; i < n; ++i) {
    atl_object* cell = atl_con_alloc(kCons, 2);
    cell->fields[0] = atl_int(i);
    cell->fields[1] = list;
    list = atl_from_ptr(cell);
  }
  return list;
}

atl_value FloatList(int64_t n) {
  atl_value list = atl_nullary(kNil);
  for (int64_t i = 0; i < n; ++i) {
    atl_object* cell = atl_con_alloc(kCons, 2);
    cell->fields[0] = atl_float_new(static_cast<double>(i));
    cell->fields[1] = list;
    list = atl_from_ptr(cell);
  }
  return list;
}

atl_value IntArray(int64_t n) {
  atl_object* a = atl_array_alloc(static_cast<uint32_t>(n));
  for (int64_t i = 0; i < n; ++i) a->fields[i] = atl_int(i);
  return atl_from_ptr(a);
}

atl_value StringArray(int64_t n) {
  atl_object* a = atl_array_alloc(static_cast<uint32_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const std::string s = "message number " + std::to_string(i);
    a->fields[i] = atl_string_new(s.data(), s.size());
  }
  return atl_from_ptr(a);
}

void Run(benchmark::State& state, atl_value v) {
  atl_graph_size size;
  atl_value_graph_size(v, &size);
  for (auto _ : state) benchmark::DoNotOptimize(atl_deep_copy(v));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size.bytes));
  state.counters["objects"] = static_cast<double>(size.objects);
}

void BM_CopyIntList(benchmark::State& state) { Run(state, IntList(state.range(0))); }
void BM_CopyFloatList(benchmark::State& state) { Run(state, FloatList(state.range(0))); }
void BM_CopyIntArray(benchmark::State& state) { Run(state, IntArray(state.range(0))); }
void BM_CopyStringArray(benchmark::State& state) { Run(state, StringArray(state.range(0))); }

}  // namespace

BENCHMARK(BM_CopyIntList)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CopyFloatList)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CopyIntArray)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CopyStringArray)->Arg(100000)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  atl_gc_init();
  atl_set_program_info(&kProgram);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
