// The GC-latency workload (after the gc-latency-experiment spec) through the
// runtime API: a 200,000-slot window in a traced region receives 1,000,000
// messages of 1 KiB (pointer-free GC objects); each push is timed with the
// monotonic clock. Prints one JSON line: push-time percentiles and the
// collector's own pause figures. ATOLL_GC selects stw, incremental or cards.
//
// Usage: bench_gc_latency [messages] [window] [malloc]
// With `malloc` the same workload runs on malloc/free (the C baseline: the
// window is a plain array, each replaced message is freed).
#include <gc/gc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/abi/atoll_abi.h"
#include "runtime/gc/gc.h"
#include "runtime/gc/stats.h"
#include "runtime/region/region.h"

namespace {

constexpr size_t kMessageBytes = 1024;

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

atl_value MakeMessage(size_t n) {
  auto* s = static_cast<atl_string*>(atl_alloc_atomic(sizeof(atl_header) + kMessageBytes));
  s->header = atl_make_header(ATL_KIND_STRING, 0, kMessageBytes - 1);
  std::memset(s->bytes, static_cast<int>('a' + n % 26), kMessageBytes - 1);
  s->bytes[kMessageBytes - 1] = '\0';
  return atl_from_ptr(s);
}

uint64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

// Prints the opening of the JSON line: mode and push-time figures.
void PrintPushFigures(const char* mode, size_t messages, size_t window, uint64_t wall,
                      std::vector<uint64_t>& push_ns) {
  std::sort(push_ns.begin(), push_ns.end());
  auto pct = [&](double q) {
    return push_ns[static_cast<size_t>(q * static_cast<double>(messages - 1))];
  };
  std::printf(
      "{\"mode\":\"%s\",\"messages\":%zu,\"window\":%zu,\"wall_ms\":%.3f,"
      "\"push_p50_ms\":%.6f,\"push_p99_ms\":%.6f,\"push_p999_ms\":%.6f,\"push_max_ms\":%.6f,",
      mode, messages, window, Ms(wall), Ms(pct(0.5)), Ms(pct(0.99)), Ms(pct(0.999)),
      Ms(push_ns.back()));
}

// The C baseline: malloc each message, free the one it replaces.
int RunMalloc(size_t messages, size_t window) {
  std::vector<char*> slots(window, nullptr);
  std::vector<uint64_t> push_ns(messages);
  const uint64_t start = NowNs();
  for (size_t i = 0; i < messages; ++i) {
    const uint64_t t0 = NowNs();
    char* m = static_cast<char*>(std::malloc(kMessageBytes));
    std::memset(m, static_cast<int>('a' + i % 26), kMessageBytes);
    std::free(slots[i % window]);
    slots[i % window] = m;
    push_ns[i] = NowNs() - t0;
  }
  const uint64_t wall = NowNs() - start;
  size_t bad = 0;
  for (size_t i = messages > window ? messages - window : 0; i < messages; ++i) {
    if (slots[i % window][0] != static_cast<char>('a' + i % 26)) ++bad;
  }
  PrintPushFigures("malloc", messages, window, wall, push_ns);
  std::printf(
      "\"collections\":0,\"gc_no\":0,\"pause_count\":0,\"pause_p50_ms\":0,\"pause_p99_ms\":0,"
      "\"pause_max_ms\":0,\"pause_total_ms\":0,\"heap_mib\":0,\"corrupted\":%zu}\n",
      bad);
  for (char* m : slots) std::free(m);
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const size_t window = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200000;
  if (argc > 3 && std::strcmp(argv[3], "malloc") == 0) return RunMalloc(messages, window);
  // GC_LATENCY_VDB=manual: Boehm's manual dirty bits (GC_set_manual_vdb_allowed)
  // instead of soft-dirty/mprotect in the incremental modes. Only this
  // workload may use it: its messages are pointer-free and its one mutable
  // root is a card-marked region, so no heap page ever needs a dirty bit.
  // (Compiled programs may store into a heap object after another
  // allocation, as deep copy does, or while another thread marks; manual
  // mode would need a GC_end_stubborn_change there: PAPER.md §5.)
  const char* vdb = std::getenv("GC_LATENCY_VDB");
  if (vdb != nullptr && std::strcmp(vdb, "manual") == 0) GC_set_manual_vdb_allowed(1);
  atl_gc_init();
  const char* mode = std::getenv("ATOLL_GC");
  atl_region* region = atl_region_open("gc_latency");
  auto* slots = static_cast<atl_value*>(
      atl_region_alloc(region, ATL_REGION_TRACED, window * sizeof(atl_value)));
  for (size_t i = 0; i < window; ++i) slots[i] = atl_unit();
  std::vector<uint64_t> push_ns(messages);  // preallocated: timing does not allocate
  std::vector<uint64_t> push_start(messages);
  // With GC_LATENCY_SLOW each push also reads the thread's CPU clock (a
  // system call: it slows every push, so only for the breakdown).
  const char* slow = std::getenv("GC_LATENCY_SLOW");
  const bool cpu = slow != nullptr && slow[0] != '\0';
  std::vector<uint64_t> push_cpu(cpu ? messages : 0);
  atl_gc_reset_stats();
  const uint64_t start = NowNs();
  for (size_t i = 0; i < messages; ++i) {
    const uint64_t c0 = cpu ? ThreadCpuNs() : 0;
    const uint64_t t0 = NowNs();
    slots[i % window] = MakeMessage(i);
    atl_region_card_mark(slots, &slots[i % window]);  // as generated code does
    push_ns[i] = NowNs() - t0;
    push_start[i] = t0;
    if (cpu) push_cpu[i] = ThreadCpuNs() - c0;
  }
  const uint64_t wall = NowNs() - start;
  // GC_LATENCY_SLOW=FILE: every push of 0.5 ms or more, timed from the
  // clock origin of ATOLL_GC_TRACE, for bench/memory/pause_parts.py.
  if (cpu) {
    if (FILE* f = std::fopen(slow, "w")) {
      const uint64_t origin = atl_gc_clock_origin_ns();
      for (size_t i = 0; i < messages; ++i) {
        if (push_ns[i] < 500000) continue;
        std::fprintf(f, "{\"push\":%zu,\"start_ms\":%.6f,\"ms\":%.6f,\"cpu_ms\":%.6f}\n", i,
                     Ms(push_start[i] - origin), Ms(push_ns[i]), Ms(push_cpu[i]));
      }
      std::fclose(f);
    }
  }
  // Every slot must still hold an intact message.
  size_t bad = 0;
  for (size_t i = messages > window ? messages - window : 0; i < messages; ++i) {
    const auto* s = reinterpret_cast<const atl_string*>(atl_ptr(slots[i % window]));
    if (s->bytes[0] != static_cast<char>('a' + i % 26) ||
        s->bytes[kMessageBytes - 2] != s->bytes[0])
      ++bad;
  }
  atl_gc_stats gs;
  atl_gc_get_stats(&gs);
  atl_gc_card_stats cs;
  atl_gc_get_card_stats(&cs);
  PrintPushFigures(mode != nullptr ? mode : "stw", messages, window, wall, push_ns);
  std::printf(
      "\"collections\":%llu,\"gc_no\":%llu,\"pause_count\":%llu,\"pause_p50_ms\":%.6f,"
      "\"pause_p99_ms\":%.6f,\"pause_max_ms\":%.6f,\"pause_total_ms\":%.3f,\"mark_max_ms\":%.6f,"
      "\"reclaim_max_ms\":%.6f,\"heap_mib\":%.1f,\"card_pushes\":%llu,\"card_pushes_all\":%llu,"
      "\"card_pushed_mib\":%.1f,\"corrupted\":%zu}\n",
      static_cast<unsigned long long>(gs.collections), static_cast<unsigned long long>(gs.gc_no),
      static_cast<unsigned long long>(gs.pause.count), Ms(gs.pause.p50_ns), Ms(gs.pause.p99_ns),
      Ms(gs.pause.max_ns), Ms(gs.pause.total_ns), Ms(gs.mark.max_ns), Ms(gs.reclaim.max_ns),
      static_cast<double>(gs.heap_bytes) / 1048576.0, cs.pushes, cs.pushes_all,
      static_cast<double>(cs.pushed_bytes) / 1048576.0, bad);
  atl_region_close(region);
  return bad == 0 ? 0 : 1;
}
