/* The gc-latency workload (bench/memory/gc_latency.atl) in C with Boehm:
 * a window of scanned slots receives fresh 1 KiB pointer-free messages
 * (GC_MALLOC_ATOMIC); every push is timed. `incremental` as the third
 * argument turns on Boehm's incremental mode. Prints one JSON line. */
#include <gc/gc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int by_value(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  size_t messages = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  size_t window = argc > 2 ? strtoull(argv[2], NULL, 10) : 200000;
  int incremental = argc > 3 && strcmp(argv[3], "incremental") == 0;
  GC_INIT();
  if (incremental) GC_enable_incremental();
  char** slots = GC_MALLOC(window * sizeof(char*));
  uint64_t* push = malloc(messages * sizeof(uint64_t)); /* not scanned */
  uint64_t start = now_ns();
  for (size_t i = 0; i < messages; ++i) {
    uint64_t t0 = now_ns();
    char* m = GC_MALLOC_ATOMIC(1024);
    memset(m, 'a' + (int)(i % 26), 1024);
    slots[i % window] = m;
    push[i] = now_ns() - t0;
  }
  uint64_t wall = now_ns() - start;
  qsort(push, messages, sizeof(uint64_t), by_value);
#define Q(q) ((double)push[(size_t)((q) * (double)(messages - 1))] / 1e6)
  printf(
      "{\"mode\":\"c-boehm%s\",\"wall_ms\":%.3f,\"push_p50_ms\":%.6f,\"push_p90_ms\":%.6f,"
      "\"push_p99_ms\":%.6f,\"push_p999_ms\":%.6f,\"push_p9999_ms\":%.6f,\"push_max_ms\":%.6f}\n",
      incremental ? "-incremental" : "", (double)wall / 1e6, Q(0.5), Q(0.9), Q(0.99), Q(0.999),
      Q(0.9999), (double)push[messages - 1] / 1e6);
  return 0;
}
