// Word frequencies in C: read the file named by argv[1], split it at
// white space, count each word in an open-addressing hash table (FNV-1a,
// doubled at half full), and print the number of words, the number of
// distinct words and the ten most frequent (ties in alphabetical order).
// Same output as wordfreq.atl, wordfreq.hs and wordfreq.ml.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char* word;  // NULL: empty slot
  size_t length;
  long count;
} Slot;

static size_t capacity = 1 << 16;
static Slot* slots;
static size_t distinct;

static unsigned long hash(const char* w, size_t n) {
  unsigned long h = 14695981039346656037UL;
  for (size_t i = 0; i < n; ++i) h = (h ^ (unsigned char)w[i]) * 1099511628211UL;
  return h;
}

static void insert(Slot* table, size_t cap, const char* w, size_t n, long count) {
  size_t i = hash(w, n) & (cap - 1);
  while (table[i].word != NULL && (table[i].length != n || memcmp(table[i].word, w, n) != 0))
    i = (i + 1) & (cap - 1);
  if (table[i].word == NULL) {
    table[i].word = w;
    table[i].length = n;
    ++distinct;
  }
  table[i].count += count;
}

static void add(const char* w, size_t n) {
  if (2 * (distinct + 1) > capacity) {
    Slot* bigger = calloc(2 * capacity, sizeof *bigger);
    size_t keep = distinct;
    for (size_t i = 0; i < capacity; ++i)
      if (slots[i].word != NULL)
        insert(bigger, 2 * capacity, slots[i].word, slots[i].length, slots[i].count);
    distinct = keep;
    free(slots);
    slots = bigger;
    capacity *= 2;
  }
  insert(slots, capacity, w, n, 1);
}

static int by_count(const void* a, const void* b) {
  const Slot* x = a;
  const Slot* y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  size_t n = x->length < y->length ? x->length : y->length;
  int c = memcmp(x->word, y->word, n);
  return c != 0 ? c : (x->length > y->length) - (x->length < y->length);
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  FILE* f = fopen(argv[1], "rb");
  if (f == NULL) return 1;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* text = malloc(size + 1);
  if (fread(text, 1, size, f) != (size_t)size) return 1;
  fclose(f);
  slots = calloc(capacity, sizeof *slots);
  long words = 0;
  for (long i = 0; i < size;) {
    while (i < size && (text[i] == ' ' || text[i] == '\n')) ++i;
    long begin = i;
    while (i < size && text[i] != ' ' && text[i] != '\n') ++i;
    if (i > begin) {
      add(text + begin, i - begin);
      ++words;
    }
  }
  Slot* all = malloc(distinct * sizeof *all);
  size_t k = 0;
  for (size_t i = 0; i < capacity; ++i)
    if (slots[i].word != NULL) all[k++] = slots[i];
  qsort(all, k, sizeof *all, by_count);
  printf("%ld words, %zu distinct\n", words, distinct);
  for (size_t i = 0; i < 10 && i < k; ++i)
    printf("%.*s %ld\n", (int)all[i].length, all[i].word, all[i].count);
  return 0;
}
