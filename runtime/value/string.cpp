// Immutable strings: construction and concatenation.
#include "runtime/value/string.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/gc/gc.h"
#include "runtime/value/value_internal.h"

namespace atl::value {

atl_string* AllocString(size_t len) {
  if (len > UINT32_MAX) Fail("string of %zu bytes exceeds the 4 GiB limit", len);
  auto* s = static_cast<atl_string*>(atl_alloc_atomic(sizeof(atl_header) + len + 1));
  s->header = atl_make_header(ATL_KIND_STRING, 0, static_cast<uint32_t>(len));
  s->bytes[len] = '\0';
  return s;
}

void NotAString() { Fail("expected a String"); }

}  // namespace atl::value

extern "C" {

atl_value atl_string_new(const char* bytes, size_t len) {
  atl_string* s = atl::value::AllocString(len);
  if (len > 0) std::memcpy(s->bytes, bytes, len);
  return atl_from_ptr(s);
}

atl_value atl_string_from_cstr(const char* cstr) { return atl_string_new(cstr, std::strlen(cstr)); }

atl_value atl_string_concat(atl_value a, atl_value b) {
  const atl_string* sa = atl::value::AsString(a);
  const atl_string* sb = atl::value::AsString(b);
  const size_t la = atl_header_size(sa->header);
  const size_t lb = atl_header_size(sb->header);
  if (la == 0) return b;  // strings are immutable, so sharing is safe
  if (lb == 0) return a;
  atl_string* s = atl::value::AllocString(la + lb);
  std::memcpy(s->bytes, sa->bytes, la);
  std::memcpy(s->bytes + la, sb->bytes, lb);
  return atl_from_ptr(s);
}

size_t atl_string_length(atl_value s) { return atl_header_size(atl::value::AsString(s)->header); }

const char* atl_string_bytes(atl_value s) { return atl::value::AsString(s)->bytes; }

int atl_string_equal(atl_value a, atl_value b) {
  if (a == b) return 1;
  const auto* sa = reinterpret_cast<const atl_string*>(atl_ptr(a));
  const auto* sb = reinterpret_cast<const atl_string*>(atl_ptr(b));
  const size_t len = atl_header_size(sa->header);
  return len == atl_header_size(sb->header) && std::memcmp(sa->bytes, sb->bytes, len) == 0;
}

int atl_string_compare(atl_value a, atl_value b) {
  if (a == b) return 0;
  const auto* sa = reinterpret_cast<const atl_string*>(atl_ptr(a));
  const auto* sb = reinterpret_cast<const atl_string*>(atl_ptr(b));
  const size_t la = atl_header_size(sa->header);
  const size_t lb = atl_header_size(sb->header);
  const int c = std::memcmp(sa->bytes, sb->bytes, la < lb ? la : lb);
  if (c != 0) return c < 0 ? -1 : 1;
  return la < lb ? -1 : (la > lb ? 1 : 0);
}

uint64_t atl_string_hash_bytes(atl_value s) {
  const atl_string* str = atl::value::AsString(s);
  const auto* p = reinterpret_cast<const unsigned char*>(str->bytes);
  const size_t len = atl_header_size(str->header);
  uint64_t h = 0xcbf29ce484222325u;  // FNV-1a 64: offset basis, prime
  for (size_t i = 0; i < len; ++i) h = (h ^ p[i]) * 0x100000001b3u;
  h ^= h >> 33;  // finaliser (MurmurHash3's fmix64 constants)
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53u;
  h ^= h >> 33;
  return h >> 2;
}

size_t atl_utf8_encode(uint32_t cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

size_t atl_utf8_valid_prefix(const char* bytes, size_t len) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes);
  size_t i = 0;
  while (i < len) {
    // Eight ASCII bytes at a time (readFile checks every byte of a text).
    if (i + 8 <= len) {
      uint64_t eight = 0;
      std::memcpy(&eight, p + i, 8);
      if ((eight & 0x8080808080808080u) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char b = p[i];
    size_t n = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      cp = b & 0x07;
    } else {
      return i;
    }
    if (i + n >= len) return i;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n + 1;
  }
  return len;
}

atl_value atl_string_from_utf8_lossy(const char* bytes, size_t len) {
  size_t valid = atl_utf8_valid_prefix(bytes, len);
  if (valid == len) return atl_string_new(bytes, len);
  std::string out(bytes, valid);
  size_t i = valid;
  while (i < len) {
    out += "\xEF\xBF\xBD";  // U+FFFD for the offending byte
    ++i;
    const size_t more = atl_utf8_valid_prefix(bytes + i, len - i);
    out.append(bytes + i, more);
    i += more;
  }
  return atl_string_new(out.data(), out.size());
}

int atl_is_string(atl_value v) {
  return atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_STRING;
}

}  // extern "C"
