// The sieve of sieve_user.atl in C: primes below N (default 10^7 + 1),
// composite flags in bytes, a helper that marks the multiples.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huge_alloc.h"

static void mark_from(uint8_t* composite, int64_t n, int64_t step, int64_t j) {
  for (; j < n; j += step) composite[j] = 1;
}

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? atoll(argv[1]) : 10000001;
#ifdef HUGE_PAGES
  uint8_t* composite = huge_calloc((size_t)n);  // as Atoll's runtime does
#else
  uint8_t* composite = calloc((size_t)n, 1);
#endif
  int64_t count = 0;
  for (int64_t i = 2; i < n; ++i) {
    if (!composite[i]) {
      ++count;
      mark_from(composite, n, i, i * i);
    }
  }
  printf("%lld\n", (long long)count);
#ifndef HUGE_PAGES
  free(composite);
#endif
  return 0;
}
