// Sieve of Eratosthenes up to N (default 10^7): the same algorithm as
// sieve.atl. ELEM selects the element type: 1 (bytes, the usual C
// program) or 8 (64-bit words, the layout of an Atoll MutableArray).
// HUGE_PAGES allocates the array as Atoll's runtime does (huge_alloc.h).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "huge_alloc.h"

#ifndef ELEM
#define ELEM 1
#endif
#if ELEM == 1
typedef uint8_t cell;
#else
typedef int64_t cell;
#endif

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? atoll(argv[1]) : 10000000;
#ifdef HUGE_PAGES
  cell* marks = huge_calloc((size_t)(n + 1) * sizeof(cell));
#else
  cell* marks = malloc((size_t)(n + 1) * sizeof(cell));
#endif
  for (int64_t i = 0; i <= n; ++i) marks[i] = 1;
  int64_t count = 0;
  for (int64_t i = 2; i <= n; ++i) {
    if (marks[i]) {
      ++count;
      for (int64_t j = i * i; j <= n; j += i) marks[j] = 0;
    }
  }
  printf("%lld\n", (long long)count);
#ifndef HUGE_PAGES
  free(marks);
#endif
  return 0;
}
