#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "runtime/value/tests/test_values.h"
#include "runtime/value/value.h"

using namespace atl::testing;

TEST_CASE("strings copy their bytes and are NUL-terminated") {
  InstallTestProgram();
  char buf[] = "hello world";
  atl_value s = atl_string_new(buf, 5);
  buf[0] = 'j';
  CHECK(atl_is_string(s));
  CHECK(atl_string_length(s) == 5);
  CHECK(std::string(atl_string_bytes(s)) == "hello");
  CHECK(atl_header_kind(atl_ptr(s)->header) == ATL_KIND_STRING);
  CHECK_FALSE(atl_is_string(atl_int(3)));
}

TEST_CASE("concat joins and shares empty operands") {
  InstallTestProgram();
  atl_value a = Str("foo");
  atl_value b = Str("bar\xC3\xA9");
  atl_value ab = atl_string_concat(a, b);
  CHECK(Text(ab) == "foobar\xC3\xA9");
  CHECK(atl_string_length(ab) == 8);
  CHECK(Text(a) == "foo");
  atl_value empty = Str("");
  CHECK(atl_string_concat(a, empty) == a);
  CHECK(atl_string_concat(empty, b) == b);
  CHECK(Text(atl_string_concat(empty, empty)).empty());
}

TEST_CASE("strings survive collections") {
  InstallTestProgram();
  atl_value s = atl_string_from_cstr("");
  for (int i = 0; i < 2000; ++i) s = atl_string_concat(s, Str(std::to_string(i % 10)));
  atl_gc_collect();
  REQUIRE(atl_string_length(s) == 2000);
  for (int i = 0; i < 2000; ++i) CHECK(atl_string_bytes(s)[i] == '0' + i % 10);
}

TEST_CASE("the string-only comparisons agree with the structural ones") {
  InstallTestProgram();
  const char* texts[] = {
      "", "a", "ab", "abc", "abd", "b", "h\xC3\xA9llo", "hello", "\xF0\x9F\x98\x80"};
  std::vector<atl_value> values;
  for (const char* t : texts) values.push_back(Str(t));
  values.push_back(atl_string_new("a\0b", 3));  // a NUL inside
  values.push_back(atl_string_new("a\0c", 3));
  for (atl_value a : values) {
    for (atl_value b : values) {
      CHECK(atl_string_equal(a, b) == atl_equal(a, b));
      CHECK(atl_string_compare(a, b) == atl_compare(a, b));
    }
    // another object with the same bytes
    const atl_value copy = atl_string_new(atl_string_bytes(a), atl_string_length(a));
    CHECK(atl_string_equal(a, copy) == 1);
    CHECK(atl_string_compare(copy, a) == 0);
    CHECK(atl_string_hash_bytes(a) == atl_string_hash_bytes(copy));
    CHECK(atl_string_hash_bytes(a) < (uint64_t{1} << 62));
  }
  CHECK(atl_string_hash_bytes(values[1]) != atl_string_hash_bytes(values[5]));
}
