// Structural compare, equality and hash over immutable values.
//
// The walk recurses on every field but the last, and loops on the last, so a
// long list (or any right-nested spine) uses constant stack.
#include <bit>
#include <cmath>
#include <cstring>

#include "runtime/value/value.h"
#include "runtime/value/value_internal.h"

namespace atl::value {
namespace {

const char* KindName(uint32_t kind) {
  switch (static_cast<atl_kind>(kind)) {
    case ATL_KIND_CON:
      return "constructor";
    case ATL_KIND_STRING:
      return "String";
    case ATL_KIND_ARRAY:
      return "Array";
    case ATL_KIND_FLOAT:
      return "Float";
    case ATL_KIND_CLOSURE:
      return "function";
    case ATL_KIND_REF:
      return "Ref";
    case ATL_KIND_MUTARRAY:
      return "MutableArray";
    case ATL_KIND_MVAR:
      return "MVar";
    case ATL_KIND_BYTES:
      return "Bytes";
    case ATL_KIND_HANDLE:
      return "FileHandle";
    case ATL_KIND_PROMISE:
      return "Promise";
  }
  return "unknown object";
}

[[noreturn]] void NotComparable(uint32_t kind) {
  Fail("cannot compare values of kind %s (only immutable data is comparable)", KindName(kind));
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Constructor index within its type, for nullary and headed constructors.
uint32_t ConIndex(uint32_t desc) {
  const atl_descriptor* d = Descriptor(desc);
  return d != nullptr ? d->index : desc;
}

// The rank of an immediate or object class, so that ill-typed mixes still
// give a total order instead of undefined behaviour.
int ClassRank(atl_value v) {
  if (atl_is_int(v)) return 0;
  if (atl_is_char(v)) return 1;
  if (atl_is_nullary(v)) return 2;  // same class as CON: compared by index
  if (atl_is_ptr(v) && atl_header_kind(atl_ptr(v)->header) == ATL_KIND_CON) return 2;
  return 3 + static_cast<int>(atl_header_kind(atl_ptr(v)->header));
}

// `partial`: the order of the operators < <= > >=, IEEE on Floats, where a
// NaN makes the comparison kUnordered (and the walk stops there); otherwise
// the total order of `compare`, with NaN above every number and equal to
// itself, so sorting always terminates.
constexpr int kUnordered = 2;

int CompareFloat(double a, double b, bool partial) {
  const bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return partial ? kUnordered : Cmp(na, nb);
  return Cmp(a, b);
}

int Compare(atl_value a, atl_value b, bool partial);

int CompareFields(const atl_value* fa, uint32_t na, const atl_value* fb, uint32_t nb,
                  atl_value* next_a, atl_value* next_b, bool partial);

int CompareRecord(const atl_object* oa, const atl_object* ob, uint64_t raw, bool partial);

// Compares a and b; returns the result, or sets *next to continue the loop
// with a tail pair (result 0 meaning "so far equal").
int CompareStep(atl_value a, atl_value b, atl_value* next_a, atl_value* next_b, bool partial) {
  *next_a = *next_b = 0;
  // An object compared with itself may still hold a NaN, which the
  // operators' order must see; immediates and the total order may stop here.
  if (a == b && (!partial || !atl_is_ptr(a))) return 0;
  const int ra = ClassRank(a), rb = ClassRank(b);
  if (ra != rb) return Cmp(ra, rb);
  if (atl_is_int(a)) return Cmp(atl_int_get(a), atl_int_get(b));
  if (atl_is_char(a)) return Cmp(atl_char_get(a), atl_char_get(b));
  if (ra == 2) {
    const uint32_t da =
        atl_is_nullary(a) ? atl_nullary_desc(a) : atl_header_desc(atl_ptr(a)->header);
    const uint32_t db =
        atl_is_nullary(b) ? atl_nullary_desc(b) : atl_header_desc(atl_ptr(b)->header);
    if (da != db) return Cmp(ConIndex(da), ConIndex(db));
    if (atl_is_nullary(a) || atl_is_nullary(b)) return 0;
    const atl_object* oa = atl_ptr(a);
    const atl_object* ob = atl_ptr(b);
    if (const uint64_t raw = atl_raw_fields(oa); raw != 0)
      return CompareRecord(oa, ob, raw, partial);
    return CompareFields(oa->fields, atl_header_size(oa->header), ob->fields,
                         atl_header_size(ob->header), next_a, next_b, partial);
  }
  const atl_object* oa = atl_ptr(a);
  const atl_object* ob = atl_ptr(b);
  const uint32_t kind = atl_header_kind(oa->header);
  switch (static_cast<atl_kind>(kind)) {
    case ATL_KIND_STRING:
    case ATL_KIND_BYTES: {  // same layout; strings by bytes = by code points
      const size_t la = atl_header_size(oa->header), lb = atl_header_size(ob->header);
      const int c = std::memcmp(reinterpret_cast<const atl_string*>(oa)->bytes,
                                reinterpret_cast<const atl_string*>(ob)->bytes, la < lb ? la : lb);
      return c != 0 ? (c < 0 ? -1 : 1) : Cmp(la, lb);
    }
    case ATL_KIND_FLOAT:
      return CompareFloat(reinterpret_cast<const atl_float*>(oa)->value,
                          reinterpret_cast<const atl_float*>(ob)->value, partial);
    case ATL_KIND_ARRAY:
      return CompareFields(oa->fields, atl_header_size(oa->header), ob->fields,
                           atl_header_size(ob->header), next_a, next_b, partial);
    case ATL_KIND_CON:  // handled above with nullary constructors
    case ATL_KIND_CLOSURE:
    case ATL_KIND_REF:
    case ATL_KIND_MUTARRAY:
    case ATL_KIND_MVAR:
    case ATL_KIND_HANDLE:
    case ATL_KIND_PROMISE:
      break;
  }
  NotComparable(kind);
}

int CompareFields(const atl_value* fa, uint32_t na, const atl_value* fb, uint32_t nb,
                  atl_value* next_a, atl_value* next_b, bool partial) {
  const uint32_t n = na < nb ? na : nb;
  if (n == 0) return Cmp(na, nb);
  for (uint32_t i = 0; i + 1 < n; ++i) {
    if (const int c = Compare(fa[i], fb[i], partial); c != 0) return c;
  }
  if (na != nb) {
    // Arrays of different lengths: the last common element decides first.
    if (const int c = Compare(fa[n - 1], fb[n - 1], partial); c != 0) return c;
    return Cmp(na, nb);
  }
  *next_a = fa[n - 1];
  *next_b = fb[n - 1];
  return 0;
}

// Two records of one descriptor with raw double fields (`raw`, from the
// descriptor), field by field; records are not spines, so no loop on the
// last field.
int CompareRecord(const atl_object* oa, const atl_object* ob, uint64_t raw, bool partial) {
  const uint32_t n = atl_header_size(oa->header);
  for (uint32_t i = 0; i < n; ++i) {
    const int c =
        i < 64 && ((raw >> i) & 1u) != 0
            ? CompareFloat(atl_raw_double(oa->fields[i]), atl_raw_double(ob->fields[i]), partial)
            : Compare(oa->fields[i], ob->fields[i], partial);
    if (c != 0) return c;
  }
  return 0;
}

int Compare(atl_value a, atl_value b, bool partial) {
  for (;;) {
    atl_value na, nb;
    const int c = CompareStep(a, b, &na, &nb, partial);
    if (c != 0 || na == 0) return c;
    a = na;
    b = nb;
  }
}

uint64_t Mix(uint64_t h, uint64_t x) {
  h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

// A Float's hash, boxed or raw alike.
uint64_t HashFloat(uint64_t h, double d) {
  if (d == 0.0) d = 0.0;  // -0.0 == 0.0
  return Mix(h, std::bit_cast<uint64_t>(d) ^ ATL_KIND_FLOAT);
}

}  // namespace
}  // namespace atl::value

extern "C" {

int atl_compare(atl_value a, atl_value b) { return atl::value::Compare(a, b, false); }

int atl_compare_partial(atl_value a, atl_value b) { return atl::value::Compare(a, b, true); }

int atl_equal(atl_value a, atl_value b) {
  // Identity implies equality except for NaN, which the walk has to see.
  for (;;) {
    if (a == b) {
      // Identity implies equality for leaves without NaN; shared CON/ARRAY
      // objects may still hold a NaN, so they are walked.
      if (!atl_is_ptr(a)) return 1;
      const uint32_t k = atl_header_kind(atl_ptr(a)->header);
      if (k == ATL_KIND_STRING || k == ATL_KIND_BYTES) return 1;
    }
    if (!atl_is_ptr(a) || !atl_is_ptr(b)) return atl_compare(a, b) == 0;
    const atl_object* oa = atl_ptr(a);
    const atl_object* ob = atl_ptr(b);
    const uint32_t ka = atl_header_kind(oa->header);
    if (ka != atl_header_kind(ob->header)) return 0;
    switch (static_cast<atl_kind>(ka)) {
      case ATL_KIND_FLOAT:
        return reinterpret_cast<const atl_float*>(oa)->value ==
               reinterpret_cast<const atl_float*>(ob)->value;
      case ATL_KIND_STRING:
      case ATL_KIND_BYTES:
        return atl_compare(a, b) == 0;
      case ATL_KIND_CON:
      case ATL_KIND_ARRAY: {
        if (oa->header != ob->header) return 0;  // kind, descriptor and size
        const uint32_t n = atl_header_size(oa->header);
        if (n == 0) return 1;
        if (const uint64_t raw = atl_raw_fields(oa); raw != 0) {
          for (uint32_t i = 0; i < n; ++i) {
            const bool same = i < 64 && ((raw >> i) & 1u) != 0
                                  ? atl_raw_double(oa->fields[i]) == atl_raw_double(ob->fields[i])
                                  : atl_equal(oa->fields[i], ob->fields[i]) != 0;
            if (!same) return 0;
          }
          return 1;
        }
        for (uint32_t i = 0; i + 1 < n; ++i) {
          if (!atl_equal(oa->fields[i], ob->fields[i])) return 0;
        }
        a = oa->fields[n - 1];
        b = ob->fields[n - 1];
        continue;
      }
      case ATL_KIND_CLOSURE:
      case ATL_KIND_REF:
      case ATL_KIND_MUTARRAY:
      case ATL_KIND_MVAR:
      case ATL_KIND_HANDLE:
      case ATL_KIND_PROMISE:
        break;
    }
    atl::value::NotComparable(ka);
  }
}

uint64_t atl_hash(atl_value v) {
  using atl::value::Mix;
  uint64_t h = 0x2545f4914f6cdd1dULL;
  for (;;) {
    if (!atl_is_ptr(v)) return Mix(h, v);
    const atl_object* o = atl_ptr(v);
    const uint32_t kind = atl_header_kind(o->header);
    switch (static_cast<atl_kind>(kind)) {
      case ATL_KIND_FLOAT:
        return atl::value::HashFloat(h, reinterpret_cast<const atl_float*>(o)->value);
      case ATL_KIND_STRING:
      case ATL_KIND_BYTES: {
        const auto* s = reinterpret_cast<const atl_string*>(o);
        uint64_t x = 0xcbf29ce484222325ULL;  // FNV-1a over the bytes
        for (uint32_t i = 0; i < atl_header_size(o->header); ++i) {
          x = (x ^ static_cast<unsigned char>(s->bytes[i])) * 0x100000001b3ULL;
        }
        return Mix(h, x);
      }
      case ATL_KIND_CON:
      case ATL_KIND_ARRAY: {
        h = Mix(h, o->header);
        const uint32_t n = atl_header_size(o->header);
        if (n == 0) return h;
        if (const uint64_t raw = atl_raw_fields(o); raw != 0) {
          for (uint32_t i = 0; i < n; ++i) {
            // A raw field hashes as its box would (atl_hash of a Float).
            h = Mix(h,
                    i < 64 && ((raw >> i) & 1u) != 0
                        ? atl::value::HashFloat(0x2545f4914f6cdd1dULL, atl_raw_double(o->fields[i]))
                        : atl_hash(o->fields[i]));
          }
          return h;
        }
        for (uint32_t i = 0; i + 1 < n; ++i) h = Mix(h, atl_hash(o->fields[i]));
        v = o->fields[n - 1];
        continue;
      }
      case ATL_KIND_CLOSURE:
      case ATL_KIND_REF:
      case ATL_KIND_MUTARRAY:
      case ATL_KIND_MVAR:
      case ATL_KIND_HANDLE:
      case ATL_KIND_PROMISE:
        break;
    }
    atl::value::NotComparable(kind);
  }
}

}  // extern "C"
