// 10^8 iterations of a loop carrying an accumulator: the same computation
// as loop.atl's tail-recursive function.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int64_t loop(int64_t i, int64_t n, int64_t acc) {
  for (; i != n; ++i) acc = (acc * 31 + i) % 1000003;
  return acc;
}

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? atoll(argv[1]) : 100000000;
  printf("%lld\n", (long long)loop(0, n, 0));
  return 0;
}
