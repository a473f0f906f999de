// Calls through function values in C: a fold over a linked list of 10^6
// longs with a function pointer and an environment, 50 times. Same
// algorithm as closures.atl.
#include <stdio.h>
#include <stdlib.h>

typedef struct Cell {
  long head;
  struct Cell* tail;
} Cell;

typedef struct Closure {
  long (*code)(const struct Closure* self, long acc, long x);
  long factor;
} Closure;

static long step(const Closure* self, long acc, long x) { return acc + x * self->factor; }

__attribute__((noinline)) static long fold(const Closure* f, long acc, const Cell* xs) {
  for (; xs != NULL; xs = xs->tail) acc = f->code(f, acc, xs->head);
  return acc;
}

int main(void) {
  Cell* xs = NULL;
  for (long i = 999999; i >= 0; --i) {
    Cell* c = malloc(sizeof *c);
    c->head = i;
    c->tail = xs;
    xs = c;
  }
  long acc = 0;
  for (long i = 50; i > 0; --i) {
    Closure* f = malloc(sizeof *f);  // a fresh closure per round, as in Atoll
    f->code = step;
    f->factor = i;
    acc = (acc + fold(f, 0, xs)) % 1000000007;
    free(f);
  }
  printf("%ld\n", acc);
  return 0;
}
