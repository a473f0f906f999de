// Host values (atoll_value, runtime/abi/atoll_embed.h) and their conversion
// to and from Atoll values by boundary code (runtime/abi/atoll_export_abi.h).
//
// A host value is a plain malloc'd tree: any thread may build, read or free
// one, and the collector never sees it. Conversions to Atoll values
// allocate on the GC heap and run on an Atoll thread (its stack is scanned);
// conversions from Atoll values copy everything out.
#ifndef ATOLL_RUNTIME_EMBED_VALUES_H
#define ATOLL_RUNTIME_EMBED_VALUES_H

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/abi/atoll_abi.h"
#include "runtime/abi/atoll_embed.h"

struct atoll_value {
  atoll_kind kind = ATOLL_UNIT;
  int64_t i = 0;  // Int, Bool (0/1), Char
  double f = 0;
  std::string s;
  std::vector<atoll_value*> items;   // List, Tuple, Record (owned)
  std::vector<std::string> names;    // Record: the name of each item
  atoll_promise* promise = nullptr;  // Promise (one reference)
};

namespace atl::embed {

// Where `code` (a boundary code) ends: the index after its last character.
size_t CodeEnd(const char* code, size_t at);

// Whether `v` is a value of the type `code[at..]` describes; *at moves past
// it. Also checks what Atoll needs of it (an Int within 63 bits).
bool Matches(const atoll_value* v, const char* code, size_t* at);
bool Matches(const atoll_value* v, const std::string& code);

// The Atoll value of a host value that Matches `code`; on an Atoll thread.
// `tuple_descriptor(n)` is the program's descriptor id of n-tuples.
atl_value ToAtoll(const atoll_value* v, const char* code, size_t* at);

// A host value holding the Atoll value `v` of type `code[at..]`.
atoll_value* FromAtoll(atl_value v, const char* code, size_t* at);

// The running program's descriptor table, where tuples (by arity) and
// records (by field names) are looked up.
void SetProgram(const atl_program_info* info);

}  // namespace atl::embed

#endif  // ATOLL_RUNTIME_EMBED_VALUES_H
