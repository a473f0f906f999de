// Pure primitives on Bytes (compiler/check/primitives.def, "Bytes"): the
// small set lib/Bytes.atl builds on. Offsets and lengths count bytes;
// bytesIndex stops the program out of bounds, bytesSlice clamps (like
// substring), conversions that can fail return (ok, value) pairs.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/rt/prims.h"
#include "runtime/value/bytes.h"
#include "runtime/value/string.h"
#include "runtime/value/value_internal.h"

namespace {

using atl::value::Fail;

// [from, from + count) clamped to [0, size).
void Clamp(int64_t size, int64_t* from, int64_t* count) {
  *from = std::clamp<int64_t>(*from, 0, size);
  *count = std::clamp<int64_t>(*count, 0, size - *from);
}

bool IsCons(atl_value v) {
  return atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_CON &&
         atl_header_desc(atl_ptr(v)->header) == ATL_DESC_CONS;
}

template <typename F>
void ForEachElement(atl_value list, F f) {
  for (; IsCons(list); list = atl_ptr(list)->fields[1]) f(atl_ptr(list)->fields[0]);
  if (!(atl_is_nullary(list) && atl_nullary_desc(list) == ATL_DESC_NIL)) Fail("expected a List");
}

}  // namespace

extern "C" {

atl_value atl_rt_bytes_length(atl_value b) {
  return atl_int(static_cast<int64_t>(atl_bytes_length(b)));
}

atl_value atl_rt_bytes_index(atl_value b, atl_value i) {
  const int64_t n = static_cast<int64_t>(atl_bytes_length(b));
  const int64_t at = atl_int_get(i);
  if (at < 0 || at >= n) {
    Fail("bytesIndex: index %lld out of bounds (length %lld)", static_cast<long long>(at),
         static_cast<long long>(n));
  }
  return atl_int(atl_bytes_data(b)[at]);
}

atl_value atl_rt_bytes_slice(atl_value b, atl_value start, atl_value len) {
  int64_t from = atl_int_get(start), count = atl_int_get(len);
  Clamp(static_cast<int64_t>(atl_bytes_length(b)), &from, &count);
  if (from == 0 && count == static_cast<int64_t>(atl_bytes_length(b))) return b;
  return atl_bytes_new(atl_bytes_data(b) + from, static_cast<size_t>(count));
}

atl_value atl_rt_bytes_concat(atl_value a, atl_value b) {
  const size_t la = atl_bytes_length(a), lb = atl_bytes_length(b);
  if (lb == 0) return a;
  if (la == 0) return b;
  atl_bytes* out = atl_bytes_alloc(la + lb);
  std::memcpy(out->bytes, atl_bytes_data(a), la);
  std::memcpy(out->bytes + la, atl_bytes_data(b), lb);
  return atl_from_ptr(out);
}

atl_value atl_rt_bytes_concat_all(atl_value list) {
  size_t total = 0;
  ForEachElement(list, [&](atl_value b) { total += atl_bytes_length(b); });
  atl_bytes* out = atl_bytes_alloc(total);
  size_t at = 0;
  ForEachElement(list, [&](atl_value b) {
    const size_t n = atl_bytes_length(b);
    if (n > 0) std::memcpy(out->bytes + at, atl_bytes_data(b), n);
    at += n;
  });
  return atl_from_ptr(out);
}

atl_value atl_rt_bytes_from_string(atl_value s) {
  return atl_bytes_new(atl_string_bytes(s), atl_string_length(s));
}

atl_value atl_rt_bytes_to_string(atl_value b) {
  const char* data = reinterpret_cast<const char*>(atl_bytes_data(b));
  const size_t n = atl_bytes_length(b);
  const size_t valid = atl_utf8_valid_prefix(data, n);
  if (valid != n) {
    const std::string msg = "not valid UTF-8 (byte " + std::to_string(valid) + ")";
    return atl_rt_pair(atl_bool(0), atl_string_new(msg.data(), msg.size()));
  }
  return atl_rt_pair(atl_bool(1), atl_string_new(data, n));
}

atl_value atl_rt_bytes_from_list(atl_value xs) {
  std::vector<unsigned char> out;
  ForEachElement(xs, [&](atl_value x) {
    const int64_t v = atl_int_get(x);
    if (v < 0 || v > 255)
      Fail("bytesFromList: %lld is not a byte (0..255)", static_cast<long long>(v));
    out.push_back(static_cast<unsigned char>(v));
  });
  return atl_bytes_new(out.data(), out.size());
}

atl_value atl_rt_bytes_to_list(atl_value b) {
  const unsigned char* data = atl_bytes_data(b);
  atl_value list = atl_nullary(ATL_DESC_NIL);
  for (size_t i = atl_bytes_length(b); i > 0; --i) list = atl_rt_cons(atl_int(data[i - 1]), list);
  return list;
}

atl_value atl_rt_bytes_replicate(atl_value n, atl_value byte) {
  const int64_t count = std::max<int64_t>(0, atl_int_get(n));
  const int64_t v = atl_int_get(byte);
  if (v < 0 || v > 255)
    Fail("bytesReplicate: %lld is not a byte (0..255)", static_cast<long long>(v));
  atl_bytes* out = atl_bytes_alloc(static_cast<size_t>(count));
  std::memset(out->bytes, static_cast<int>(v), static_cast<size_t>(count));
  return atl_from_ptr(out);
}

atl_value atl_rt_bytes_find(atl_value hay, atl_value needle, atl_value from) {
  const size_t n = atl_bytes_length(hay), m = atl_bytes_length(needle);
  const int64_t start = std::max<int64_t>(0, atl_int_get(from));
  if (static_cast<size_t>(start) > n || m > n - static_cast<size_t>(start)) return atl_int(-1);
  const unsigned char* h = atl_bytes_data(hay);
  const unsigned char* hit =
      std::search(h + start, h + n, atl_bytes_data(needle), atl_bytes_data(needle) + m);
  return atl_int(hit == h + n && m > 0 ? -1 : hit - h);
}

// Adler-32 continued from `state` (1 to start): composes over chunks, so a
// stream's checksum does not depend on how TCP split it. 32 bytes at a
// time: over a group, lo gains the sum of the bytes and hi gains 32 times
// the old lo plus the bytes weighted 32..1, two sums without a chain from
// byte to byte (so the compiler can vectorise them); the sums are reduced
// every 4 KiB, far below overflow in 64 bits.
atl_value atl_rt_bytes_checksum(atl_value state, atl_value b) {
  constexpr uint64_t kMod = 65521;
  constexpr size_t kGroup = 32;
  constexpr size_t kGroupsPerReduce = 128;
  const uint64_t s = static_cast<uint64_t>(atl_int_get(state));
  uint64_t lo = (s & 0xFFFF) % kMod, hi = ((s >> 16) & 0xFFFF) % kMod;
  const unsigned char* p = atl_bytes_data(b);
  size_t left = atl_bytes_length(b);
  size_t groups = 0;
  while (left >= kGroup) {
    uint32_t sum = 0, weighted = 0;
    for (size_t i = 0; i < kGroup; ++i) {
      sum += p[i];
      weighted += static_cast<uint32_t>(kGroup - i) * p[i];
    }
    hi += kGroup * lo + weighted;
    lo += sum;
    p += kGroup;
    left -= kGroup;
    if (++groups == kGroupsPerReduce) {
      lo %= kMod;
      hi %= kMod;
      groups = 0;
    }
  }
  for (; left > 0; --left, ++p) {
    lo += *p;
    hi += lo;
  }
  lo %= kMod;
  hi %= kMod;
  return atl_int(static_cast<int64_t>((hi << 16) | lo));
}

}  // extern "C"
