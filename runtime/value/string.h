// Immutable UTF-8 strings (kind ATL_KIND_STRING, see runtime/abi/atoll_abi.h).
//
// A string object is a header (size = byte length) followed by the bytes and
// a NUL, allocated pointer-free on the GC heap. Strings are never mutated
// after construction.
#ifndef ATOLL_RUNTIME_VALUE_STRING_H
#define ATOLL_RUNTIME_VALUE_STRING_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// Copies `len` bytes (UTF-8, need not be NUL-terminated) into a new string.
atl_value atl_string_new(const char* bytes, size_t len);

// Same, from a NUL-terminated C string.
atl_value atl_string_from_cstr(const char* cstr);

// A new string holding a followed by b (both must be strings).
atl_value atl_string_concat(atl_value a, atl_value b);

// Byte length and bytes (NUL-terminated) of a string value.
size_t atl_string_length(atl_value s);
const char* atl_string_bytes(atl_value s);

// Equality and order of two strings, for generated code that knows both
// operands are Strings (compiler/lower; no kind checks): equal when the
// lengths and the bytes agree; ordered by bytes (= by code points), a prefix
// first. atl_string_equal returns 1 or 0, atl_string_compare -1, 0 or 1;
// both agree with atl_equal/atl_compare on strings.
int atl_string_equal(atl_value a, atl_value b);
int atl_string_compare(atl_value a, atl_value b);

// A deterministic hash of the string's UTF-8 bytes (the same on every run
// and machine): FNV-1a over the bytes, then a multiply-xorshift finaliser
// so that the low bits depend on every byte; in [0, 2^62).
uint64_t atl_string_hash_bytes(atl_value s);

// Writes the UTF-8 encoding of code point `cp` (at most U+10FFFF) to `out`
// and returns its length in bytes (1 to 4).
size_t atl_utf8_encode(uint32_t cp, char out[4]);

// True when v points at a string object.
int atl_is_string(atl_value v);

// Text from outside the program (arguments, stdin, files) is UTF-8 or is
// made so: the length of the longest prefix of bytes[0..len) that is valid
// UTF-8 (len when all of it is; docs/language.md, "Strings from outside").
size_t atl_utf8_valid_prefix(const char* bytes, size_t len);
// A new string of the bytes with every byte that is not part of a valid
// UTF-8 sequence replaced by U+FFFD, so nothing is dropped unseen.
atl_value atl_string_from_utf8_lossy(const char* bytes, size_t len);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_STRING_H
