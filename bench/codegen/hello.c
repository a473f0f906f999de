// Start-up baseline (bench/codegen/run): a C program that prints one line,
// against examples/hello.atl.
#include <stdio.h>

int main(void) {
  puts("Hello, world!");
  return 0;
}
