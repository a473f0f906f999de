// Binary trees (the benchmarks-game program), depth 18 by default. With
// -DUSE_GC nodes come from Boehm's GC_malloc and are never freed (like the
// Atoll program); otherwise malloc and an explicit free per tree.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef USE_GC
#include <gc.h>
#define ALLOC(n) GC_malloc(n)
#define FREE(p) ((void)(p))
#else
#define ALLOC(n) malloc(n)
#define FREE(p) free(p)
#endif

typedef struct node {
  struct node* left;
  struct node* right;
} node;

static node* make(int d) {
  node* n = ALLOC(sizeof(node));
  if (d == 0) {
    n->left = n->right = NULL;
  } else {
    n->left = make(d - 1);
    n->right = make(d - 1);
  }
  return n;
}

static int64_t check(const node* n) { return n->left ? 1 + check(n->left) + check(n->right) : 1; }

static void release(node* n) {
  if (n->left) {
    release(n->left);
    release(n->right);
  }
  FREE(n);
}

int main(int argc, char** argv) {
  const int max_depth = argc > 1 ? atoi(argv[1]) : 18;
#ifdef USE_GC
  GC_INIT();
#endif
  node* stretch = make(max_depth + 1);
  printf("stretch tree of depth %d\t check: %lld\n", max_depth + 1, (long long)check(stretch));
  release(stretch);
  node* long_lived = make(max_depth);
  for (int d = 4; d <= max_depth; d += 2) {
    const int64_t iterations = (int64_t)1 << (max_depth - d + 4);
    int64_t sum = 0;
    for (int64_t i = 0; i < iterations; ++i) {
      node* t = make(d);
      sum += check(t);
      release(t);
    }
    printf("%lld\t trees of depth %d\t check: %lld\n", (long long)iterations, d, (long long)sum);
  }
  printf("long lived tree of depth %d\t check: %lld\n", max_depth, (long long)check(long_lived));
  return 0;
}
