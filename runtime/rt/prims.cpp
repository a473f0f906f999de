// Pure primitives: lists, strings, numbers, immutable arrays.
#include "runtime/rt/prims.h"

#include <gc/gc_allocator.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/gc/gc.h"
#include "runtime/rt/rt.h"
#include "runtime/value/string.h"
#include "runtime/value/value.h"
#include "runtime/value/value_internal.h"

namespace {

using atl::value::Fail;

// Length in bytes of the UTF-8 sequence starting with byte b (1 for
// malformed lead bytes, so every byte is consumed exactly once).
auto SequenceLength(unsigned char b) -> size_t {
  if (b < 0x80) return 1;
  if ((b >> 5) == 0x6) return 2;
  if ((b >> 4) == 0xE) return 3;
  if ((b >> 3) == 0x1E) return 4;
  return 1;
}

auto Decode(const unsigned char* p, size_t n) -> uint32_t {
  switch (n) {
    case 2:
      return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    case 3:
      return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    case 4:
      return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
             (p[3] & 0x3Fu);
    default:
      return p[0];
  }
}

void Encode(uint32_t cp, std::string& out) {
  char bytes[4];
  out.append(bytes, atl_utf8_encode(cp, bytes));
}

// Walks the code points of a string value.
struct CodePoints {
  const unsigned char* p;
  const unsigned char* end;
  explicit CodePoints(atl_value s)
      : p(reinterpret_cast<const unsigned char*>(atl_string_bytes(s))),
        end(p + atl_string_length(s)) {}
  auto Done() const -> bool { return p >= end; }
  auto Next() -> uint32_t {
    size_t n = SequenceLength(*p);
    if (n > static_cast<size_t>(end - p)) n = 1;
    const uint32_t cp = Decode(p, n);
    p += n;
    return cp;
  }
};

auto IsList(atl_value v, uint32_t desc) -> bool {
  if (desc == ATL_DESC_NIL) return atl_is_nullary(v) && atl_nullary_desc(v) == ATL_DESC_NIL;
  return atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_CON &&
         atl_header_desc(atl_ptr(v)->header) == ATL_DESC_CONS;
}

// Values collected before they are copied into an array: the buffer is
// scanned by the collector (traceable_allocator), since they may be
// reachable from nowhere else while the array is allocated (a plain
// std::vector's malloc'd buffer is invisible to the collector; `words` of
// an 8 MB text once lost strings that way).
using Values = std::vector<atl_value, traceable_allocator<atl_value>>;

// Builds a list front to back, without a buffer: every cell is reachable
// from `head`, a local the collector scans, while the next elements are
// allocated; the last cell's tail is set when the next one exists (the
// list is not published before Done).
class ListBuilder {
 public:
  // Both stores are declared before the next allocation (ATOLL_GC=manual,
  // gc.h): the previous cell may already be marked, and once the builder
  // moves on, the new cell is reachable only through it.
  void Add(atl_value v) {
    atl_object* cell = atl_con_alloc(ATL_DESC_CONS, 2);
    cell->fields[0] = v;
    cell->fields[1] = atl_nullary(ATL_DESC_NIL);
    atl_gc_written(cell);
    if (last_ != nullptr) {
      last_->fields[1] = atl_from_ptr(cell);
      atl_gc_written(last_);
    } else {
      head_ = atl_from_ptr(cell);
    }
    last_ = cell;
  }
  auto Done() const -> atl_value { return head_; }

 private:
  atl_value head_ = atl_nullary(ATL_DESC_NIL);
  atl_object* last_ = nullptr;
};

// The strings of one `words` call, shared between equal words: a text
// repeats its words (wordfreq's 8 MB: 1.2 M words, 17,908 distinct), and
// strings are immutable, so the list may hold one string object many times
// (nothing in the language tells them apart). A direct-mapped table of
// recently made words by a hash of their bytes; a miss makes a new string
// and takes the slot. A slot is 16 bytes, the word's first 8 bytes and the
// string with the length in its top byte, so that the table (32 Ki slots
// for a large text, 512 KiB) stays in a core's L2 cache: its load was 80% of
// `words`' time when a slot held all 16 bytes (1 MiB). A probe of a word of
// at most 8 bytes reads no string object; a longer one compares the rest
// with the string's bytes. Words longer than kMaxLength are always new
// (they repeat less, and hashing them costs more than it can save). The
// table is malloc'd and unscanned: every string in it is also in the list
// being built, which the collector sees (ListBuilder).
class WordCache {
 public:
  static constexpr size_t kMaxLength = 16;

  explicit WordCache(size_t text_bytes) {
    size_t slots = 64;  // about one slot per 32 bytes of text, at most 2^15
    while (slots < text_bytes / 32 && slots < (size_t{1} << 15)) slots *= 2;
    slots_.assign(slots, Slot{});
  }

  // A word found in the text: its bytes zero-padded to 16 (a, b) and its
  // slot. Making a key prefetches the slot, so that `words` can make the
  // keys of a few words before it looks any of them up (the loads overlap
  // instead of waiting one after another).
  struct Key {
    const char* p;
    size_t len;
    uint64_t a;
    uint64_t b;
    size_t slot;
  };

  // `end` is the end of the text: a word that has 16 bytes of text from
  // its start is read with two 8-byte loads and masked (a memcpy of the
  // word's length was a call into libc for every word); one nearer the
  // end is copied.
  auto MakeKey(const char* p, size_t len, const char* end) -> Key {
    Key k{p, len, 0, 0, 0};
    if (len > kMaxLength) return k;
    if (end - p >= static_cast<ptrdiff_t>(kMaxLength)) {
      std::memcpy(&k.a, p, 8);
      std::memcpy(&k.b, p + 8, 8);
      k.a &= LowBytes(len);
      k.b &= len > 8 ? LowBytes(len - 8) : 0;
    } else {
      char key[kMaxLength] = {};
      std::memcpy(key, p, len);
      std::memcpy(&k.a, key, 8);
      std::memcpy(&k.b, key + 8, 8);
    }
    uint64_t h = (k.a ^ (k.b * 0x9e3779b97f4a7c15u) ^ len) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
    k.slot = h & (slots_.size() - 1);
    __builtin_prefetch(&slots_[k.slot]);
    return k;
  }

  auto Get(const Key& k) -> atl_value {
    if (k.len > kMaxLength) return atl_string_new(k.p, k.len);
    Slot& slot = slots_[k.slot];
    const atl_value value = slot.tagged & kValueMask;
    if (slot.tagged >> kLengthShift == k.len && slot.a == k.a && value != 0 &&
        (k.len <= 8 || std::memcmp(StringBytes(value) + 8, &k.b, k.len - 8) == 0)) {
      return value;
    }
    const atl_value made = atl_string_new(k.p, k.len);
    slot.a = k.a;
    slot.tagged = made | (static_cast<uint64_t>(k.len) << kLengthShift);
    return made;
  }

 private:
  // The first n (at most 8) bytes of a word read from memory.
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "LowBytes masks a little-endian load");
  static auto LowBytes(size_t n) -> uint64_t {
    return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
  }
  // A string this cache made (no kind check: atl_string_bytes's is a call).
  static auto StringBytes(atl_value s) -> const char* {
    return reinterpret_cast<const atl_string*>(atl_ptr(s))->bytes;
  }
  static constexpr unsigned kLengthShift = 56;  // user-space pointers are below 2^56
  static constexpr uint64_t kValueMask = (uint64_t{1} << kLengthShift) - 1;
  struct Slot {
    uint64_t a = 0;       // the word's first 8 bytes, zero-padded
    uint64_t tagged = 0;  // the string | its length << 56; 0: empty
  };
  std::vector<Slot> slots_;
};

template <typename F>
void ForEachElement(atl_value list, F f) {
  while (IsList(list, ATL_DESC_CONS)) {
    f(atl_ptr(list)->fields[0]);
    list = atl_ptr(list)->fields[1];
  }
  if (!IsList(list, ATL_DESC_NIL)) Fail("expected a List");
}

auto AsStdString(atl_value s) -> std::string { return {atl_string_bytes(s), atl_string_length(s)}; }

auto AsArray(atl_value v) -> const atl_object* {
  if (!atl_is_ptr(v) || atl_header_kind(atl_ptr(v)->header) != ATL_KIND_ARRAY)
    Fail("expected an Array");
  return atl_ptr(v);
}

auto FloatOf(atl_value v) -> double { return atl_float_get(v); }

}  // namespace

extern "C" {

atl_value atl_rt_cons(atl_value head, atl_value tail) {
  atl_object* o = atl_con_alloc(ATL_DESC_CONS, 2);
  o->fields[0] = head;
  o->fields[1] = tail;
  atl_gc_written(o);
  return atl_from_ptr(o);
}

atl_value atl_rt_pair(atl_value a, atl_value b) {
  atl_object* o = atl_con_alloc(ATL_DESC_PAIR, 2);
  o->fields[0] = a;
  o->fields[1] = b;
  atl_gc_written(o);
  return atl_from_ptr(o);
}

atl_value atl_rt_list_append(atl_value xs, atl_value ys) {
  if (IsList(xs, ATL_DESC_NIL)) return ys;
  // Copy xs front to back, linking each new cell to the next (no recursion).
  atl_value result = 0;
  atl_object* last = nullptr;
  ForEachElement(xs, [&](atl_value x) {
    atl_value cell = atl_rt_cons(x, ys);
    if (last == nullptr) {
      result = cell;
    } else {
      last->fields[1] = cell;
      atl_gc_written(last);  // before the next cell's allocation
    }
    last = atl_ptr(cell);
  });
  return result;
}

atl_value atl_rt_list_reverse_in_place(atl_value xs, atl_value onto) {
  // Each cell's tail is pointed at the cell before it. Only a heap cell
  // whose tail points into the heap is written: such a cell was allocated
  // scanned (a cell is atomic when neither field can be a heap pointer, so
  // the cell of the first `::` onto [] may be), and static cells are
  // read-only. Any other cell is copied; the compiler's loops have one
  // (their last, whose tail is []). The store goes into a cell the collector
  // may already have marked (an older cell now points to a younger one), so
  // each written cell is declared at once (ATOLL_GC=manual; the other
  // incremental modes see the store through their page protection), before
  // the copy's allocation, with the stored cell still in `prev`.
  atl_value prev = onto;
  while (IsList(xs, ATL_DESC_CONS)) {
    atl_object* cell = atl_ptr(xs);
    const atl_value next = cell->fields[1];
    if (atl_points_into_heap(xs) != 0 && atl_points_into_heap(next) != 0) {
      cell->fields[1] = prev;
      atl_gc_written(cell);
      prev = xs;
    } else {
      prev = atl_rt_cons(cell->fields[0], prev);
    }
    xs = next;
  }
  if (!IsList(xs, ATL_DESC_NIL)) Fail("expected a List");
  return prev;
}

atl_value atl_rt_string_length(atl_value s) {
  int64_t n = 0;
  for (CodePoints it(s); !it.Done(); it.Next()) ++n;
  return atl_int(n);
}

atl_value atl_rt_string_hash(atl_value s) {
  return atl_int(static_cast<int64_t>(atl_string_hash_bytes(s)));
}

atl_value atl_rt_char_at(atl_value s, atl_value i) {
  const int64_t want = atl_int_get(i);
  int64_t n = 0;
  for (CodePoints it(s); !it.Done(); ++n) {
    const uint32_t cp = it.Next();
    if (n == want) return atl_char(cp);
  }
  Fail("charAt: index %lld out of bounds (length %lld)", static_cast<long long>(want),
       static_cast<long long>(n));
}

atl_value atl_rt_substring(atl_value s, atl_value start, atl_value len) {
  const int64_t from = std::max<int64_t>(0, atl_int_get(start));
  const int64_t count = atl_int_get(len);
  CodePoints it(s);
  for (int64_t n = 0; n < from && !it.Done(); ++n) it.Next();
  const unsigned char* begin = it.p;
  for (int64_t n = 0; n < count && !it.Done(); ++n) it.Next();
  return atl_string_new(reinterpret_cast<const char*>(begin), static_cast<size_t>(it.p - begin));
}

atl_value atl_rt_string_to_list(atl_value s) {
  ListBuilder chars;
  for (CodePoints it(s); !it.Done();) chars.Add(atl_char(it.Next()));
  return chars.Done();
}

atl_value atl_rt_string_from_list(atl_value cs) {
  std::string out;
  ForEachElement(cs, [&](atl_value c) {
    if (!atl_is_char(c)) Fail("stringFromList: expected a Char");
    Encode(atl_char_get(c), out);
  });
  return atl_string_new(out.data(), out.size());
}

atl_value atl_rt_parse_int(atl_value s) {
  const std::string text = AsStdString(s);
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) i = 1;
  bool ok = i < text.size();
  __int128 n = 0;
  for (; ok && i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      ok = false;
      break;
    }
    n = n * 10 + (text[i] - '0');
    if (n > (static_cast<__int128>(1) << 62)) ok = false;
  }
  if (negative) n = -n;
  if (ok && n > (static_cast<__int128>(1) << 62) - 1) ok = false;
  return atl_rt_pair(atl_bool(ok), atl_int(ok ? static_cast<int64_t>(n) : 0));
}

atl_value atl_rt_words(atl_value s) {
  const char* p = atl_string_bytes(s);
  const size_t n = atl_string_length(s);
  ListBuilder words;
  WordCache cache(n);
  // Words are found kBatch at a time and then looked up in order (the
  // cache's slots prefetched meanwhile; see WordCache::Key).
  constexpr size_t kBatch = 8;
  WordCache::Key batch[kBatch];
  size_t pending = 0;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < n) {
    while (i < n && space(p[i])) ++i;
    const size_t begin = i;
    while (i < n && !space(p[i])) ++i;
    if (i > begin) batch[pending++] = cache.MakeKey(p + begin, i - begin, p + n);
    if (pending == kBatch || (i >= n && pending > 0)) {
      for (size_t k = 0; k < pending; ++k) words.Add(cache.Get(batch[k]));
      pending = 0;
    }
  }
  return words.Done();
}

atl_value atl_rt_lines(atl_value s) {
  const char* p = atl_string_bytes(s);
  const size_t n = atl_string_length(s);
  ListBuilder lines;
  size_t begin = 0;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] == '\n') {
      lines.Add(atl_string_new(p + begin, i - begin));
      begin = i + 1;
    }
  }
  if (begin < n) lines.Add(atl_string_new(p + begin, n - begin));
  return lines.Done();
}

atl_value atl_rt_unwords(atl_value ss) {
  std::string out;
  bool first = true;
  ForEachElement(ss, [&](atl_value s) {
    if (!first) out += ' ';
    first = false;
    out += AsStdString(s);
  });
  return atl_string_new(out.data(), out.size());
}

atl_value atl_rt_unlines(atl_value ss) {
  std::string out;
  ForEachElement(ss, [&](atl_value s) {
    out += AsStdString(s);
    out += '\n';
  });
  return atl_string_new(out.data(), out.size());
}

atl_value atl_rt_char_to_int(atl_value c) { return atl_int(atl_char_get(c)); }

atl_value atl_rt_int_to_char(atl_value n) {
  const int64_t cp = atl_int_get(n);
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    Fail("intToChar: %lld is not a Unicode scalar value", static_cast<long long>(cp));
  return atl_char(static_cast<uint32_t>(cp));
}

atl_value atl_rt_compare(atl_value a, atl_value b) { return atl_int(atl_compare(a, b)); }

atl_value atl_rt_int_to_float(atl_value n) {
  return atl_float_new(static_cast<double>(atl_int_get(n)));
}

atl_value atl_rt_float_to_int(atl_value f) {
  const double d = FloatOf(f);
  // Ints are 63-bit: [-2^62, 2^62).
  if (!(d >= -4611686018427387904.0 && d < 4611686018427387904.0))
    Fail("floatToInt: %g is out of range", d);
  return atl_int(static_cast<int64_t>(d));
}

atl_value atl_rt_float_sqrt(atl_value f) { return atl_float_new(std::sqrt(FloatOf(f))); }
atl_value atl_rt_float_floor(atl_value f) { return atl_float_new(std::floor(FloatOf(f))); }

atl_value atl_rt_array_from_list(atl_value xs) {
  Values values;
  ForEachElement(xs, [&](atl_value x) { values.push_back(x); });
  if (values.size() > INT32_MAX) Fail("arrayFromList: too many elements");
  return atl_from_ptr(atl_array_of(values.data(), static_cast<uint32_t>(values.size())));
}

atl_value atl_rt_array_to_list(atl_value a) {
  const atl_object* o = AsArray(a);
  atl_value list = atl_nullary(ATL_DESC_NIL);
  for (uint32_t i = atl_header_size(o->header); i > 0; --i)
    list = atl_rt_cons(o->fields[i - 1], list);
  return list;
}

atl_value atl_rt_array_length(atl_value a) { return atl_int(atl_header_size(AsArray(a)->header)); }

atl_value atl_rt_array_replicate(atl_value n, atl_value x) {
  const int64_t count = atl_int_get(n);
  if (count < 0 || count > INT32_MAX)
    Fail("arrayReplicate: bad size %lld", static_cast<long long>(count));
  // One element repeated: atomic when it keeps nothing alive.
  const size_t bytes = sizeof(atl_header) + sizeof(atl_value) * static_cast<size_t>(count);
  auto* a = static_cast<atl_object*>(
      atl_alloc_object(bytes, static_cast<uint64_t>(atl_points_into_heap(x))));
  a->header = atl_make_header(ATL_KIND_ARRAY, 0, static_cast<uint32_t>(count));
  for (int64_t i = 0; i < count; ++i) a->fields[i] = x;
  atl_gc_written(a);
  return atl_from_ptr(a);
}

atl_value atl_rt_record_field(atl_value record, const char* name) {
  if (atl_is_ptr(record) && atl_header_kind(atl_ptr(record)->header) == ATL_KIND_CON) {
    const atl_object* o = atl_ptr(record);
    const atl_descriptor* d = atl::value::Descriptor(atl_header_desc(o->header));
    if (d != nullptr && d->field_names != nullptr) {
      for (uint32_t i = 0; i < d->arity; ++i)
        if (std::strcmp(d->field_names[i], name) == 0) return atl_con_field(o, i);
    }
  }
  Fail("record has no field `%s`", name);
}

void atl_rt_index_fail(int64_t index, int64_t size, const char* file, uint32_t line, uint32_t col) {
  char msg[96];
  std::snprintf(msg, sizeof msg, "index %lld out of bounds (size %lld)",
                static_cast<long long>(index), static_cast<long long>(size));
  atl_rt_fail(msg, file, line, col);
}

}  // extern "C"
