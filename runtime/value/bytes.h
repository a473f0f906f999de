// Immutable byte strings (kind ATL_KIND_BYTES, see runtime/abi/atoll_abi.h).
//
// The layout of a string (header with size = byte count, the bytes, a NUL
// that is not counted), allocated pointer-free on the GC heap: never
// scanned, never mutated once published. Network and file data are Bytes;
// a String is Bytes that are valid UTF-8 (docs/language.md, "Bytes").
#ifndef ATOLL_RUNTIME_VALUE_BYTES_H
#define ATOLL_RUNTIME_VALUE_BYTES_H

#include "runtime/abi/atoll_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// A fresh Bytes object of `len` bytes, contents uninitialised (the NUL is
// placed): the caller fills it before it is published.
atl_bytes* atl_bytes_alloc(size_t len);
// Copies `len` bytes into a new Bytes value.
atl_value atl_bytes_new(const void* data, size_t len);

// True when v points at a Bytes object.
int atl_is_bytes(atl_value v);
// Byte count and bytes of a Bytes value (a runtime error for anything else).
size_t atl_bytes_length(atl_value b);
const unsigned char* atl_bytes_data(atl_value b);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // ATOLL_RUNTIME_VALUE_BYTES_H
