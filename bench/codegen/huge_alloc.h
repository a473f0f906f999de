// For the sieves' HUGE_PAGES baselines: zeroed memory advised
// MADV_HUGEPAGE at a 2 MiB boundary, as Atoll's region allocator gives a
// large array (runtime/region/chunk.cpp), so that C and Atoll fault the
// array in the same way and the comparison is of the loops alone.
#ifndef ATOLL_BENCH_HUGE_ALLOC_H
#define ATOLL_BENCH_HUGE_ALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static void* huge_calloc(size_t bytes) {
  const size_t huge = (size_t)2 << 20;
  char* p = mmap(NULL, bytes + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) abort();
  char* aligned = (char*)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
  madvise(aligned, bytes & ~(huge - 1), MADV_HUGEPAGE);
  return aligned;  // the slack stays mapped: the program ends soon after
}

#endif
