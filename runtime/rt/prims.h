// Pure runtime primitives called by compiled code (see
// compiler/check/primitives.def for their Atoll names and types).
//
// Every argument and result is an atl_value. Primitives that must report
// "no result" return a pair (ok : Bool, value) built with the ABI's fixed
// descriptors, and lib/Prelude.atl turns it into Maybe/Result (whose
// descriptor ids are the program's own). Errors a program can cause (an
// index out of range) stop it with "atoll: runtime error: ...".
#ifndef ATOLL_RUNTIME_RT_PRIMS_H
#define ATOLL_RUNTIME_RT_PRIMS_H

#include <stdint.h>

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- lists and pairs (fixed descriptors ATL_DESC_NIL/CONS/PAIR) ----------
atl_value atl_rt_cons(atl_value head, atl_value tail);
atl_value atl_rt_pair(atl_value a, atl_value b);
// xs ++ ys on lists (copies xs, shares ys).
atl_value atl_rt_list_append(atl_value xs, atl_value ys);
// The reverse of xs followed by onto, made by relinking xs's own cells: for
// a list no other code can read, whose cells the caller consed (the
// compiler's in-place reverse, compiler/core/fresh_lists.cpp). xs is not a
// valid list afterwards.
atl_value atl_rt_list_reverse_in_place(atl_value xs, atl_value onto);

// ---- strings (UTF-8; lengths and indices count code points) -------------
atl_value atl_rt_string_length(atl_value s);
atl_value atl_rt_char_at(atl_value s, atl_value i);
// Code points [start, start+len) clamped to the string.
atl_value atl_rt_substring(atl_value s, atl_value start, atl_value len);
atl_value atl_rt_string_to_list(atl_value s);     // List Char
atl_value atl_rt_string_from_list(atl_value cs);  // from List Char
// A deterministic hash of the bytes, in [0, 2^62) (atl_string_hash_bytes).
atl_value atl_rt_string_hash(atl_value s);
// (True, n) when s is an optional '-' then decimal digits fitting 63 bits.
atl_value atl_rt_parse_int(atl_value s);
atl_value atl_rt_words(atl_value s);     // split on ASCII white space
atl_value atl_rt_lines(atl_value s);     // split on '\n' (no trailing empty line)
atl_value atl_rt_unwords(atl_value ss);  // join with ' '
atl_value atl_rt_unlines(atl_value ss);  // each followed by '\n'
atl_value atl_rt_char_to_int(atl_value c);
atl_value atl_rt_int_to_char(atl_value n);  // runtime error when not a scalar value

// ---- numbers and comparison ----------------------------------------------
atl_value atl_rt_compare(atl_value a, atl_value b);  // Int -1, 0, 1 (structural)
atl_value atl_rt_int_to_float(atl_value n);
atl_value atl_rt_float_to_int(atl_value f);  // truncates; runtime error when out of range
atl_value atl_rt_float_sqrt(atl_value f);
atl_value atl_rt_float_floor(atl_value f);

// ---- immutable arrays ----------------------------------------------------
atl_value atl_rt_array_from_list(atl_value xs);
atl_value atl_rt_array_to_list(atl_value a);
atl_value atl_rt_array_length(atl_value a);
atl_value atl_rt_array_replicate(atl_value n, atl_value x);

// ---- Bytes (bytes_prims.cpp; offsets and lengths count bytes) -----------
atl_value atl_rt_bytes_length(atl_value b);
atl_value atl_rt_bytes_index(atl_value b, atl_value i);  // runtime error out of bounds
// Bytes [start, start+len) clamped to b (b itself when that is all of it).
atl_value atl_rt_bytes_slice(atl_value b, atl_value start, atl_value len);
atl_value atl_rt_bytes_concat(atl_value a, atl_value b);
atl_value atl_rt_bytes_concat_all(atl_value list);  // List Bytes
atl_value atl_rt_bytes_from_string(atl_value s);    // the UTF-8 bytes
atl_value atl_rt_bytes_to_string(atl_value b);   // (True, s) or (False, "not valid UTF-8 (byte N)")
atl_value atl_rt_bytes_from_list(atl_value xs);  // List Int, each 0..255
atl_value atl_rt_bytes_to_list(atl_value b);
atl_value atl_rt_bytes_replicate(atl_value n, atl_value byte);
// The offset of the first `needle` in `hay` at or after `from`, or -1.
atl_value atl_rt_bytes_find(atl_value hay, atl_value needle, atl_value from);
// Adler-32 of b continued from `state` (1 to start).
atl_value atl_rt_bytes_checksum(atl_value state, atl_value b);

// The field `name` of a record (found through its descriptor's field names).
atl_value atl_rt_record_field(atl_value record, const char* name);

// Stops with "FILE:LINE:COL: runtime error: index I out of bounds (size N)".
__attribute__((noreturn)) void atl_rt_index_fail(int64_t index, int64_t size, const char* file,
                                                 uint32_t line, uint32_t col);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_RT_PRIMS_H
