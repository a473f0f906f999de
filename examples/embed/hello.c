/* The smallest host (docs/embedding.md): start, call two exports, shut
 * down. ctest builds it with the link line written in counter.h, so the
 * documented command is the one tested. */
#include <stdio.h>
#include <string.h>

#include "counter.h"

int main(void) {
  if (atoll_start() != ATOLL_OK) return 1;
  int64_t sum = 0;
  char* greeting = NULL;
  int ok = counter_add(1, 2, &sum) == ATOLL_OK && sum == 3 &&
           counter_greet("host", &greeting) == ATOLL_OK && strcmp(greeting, "hello, host") == 0;
  printf("1 + 2 = %lld; %s\n", (long long)sum, greeting ? greeting : "(none)");
  atoll_string_free(greeting);
  ok = ok && atoll_shutdown(0, NULL) == ATOLL_OK;
  return ok ? 0 : 1;
}
