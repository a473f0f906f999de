#include <doctest/doctest.h>

#include "runtime/value/tests/test_values.h"

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
