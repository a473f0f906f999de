#include "runtime/value/string.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
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

TEST_CASE("the UTF-8 check finds a bad byte at any offset around its 8-byte steps") {
  // ASCII runs of 0..24 bytes before and after: the check reads 8 ASCII
  // bytes at a time and must stop at the first byte of a bad sequence, and
  // accept a good multi-byte one wherever it falls.
  for (size_t before = 0; before <= 24; ++before) {
    for (size_t after = 0; after <= 24; after += 7) {
      const std::string head(before, 'a');
      const std::string tail(after, 'b');
      const std::string good = head + "\xC3\xA9" + tail + "\xF0\x9F\x98\x80";
      CHECK(atl_utf8_valid_prefix(good.data(), good.size()) == good.size());
      for (const char* bad : {"\xFF", "\xC3(", "\xE0\x80\x80", "\xED\xA0\x80"}) {
        const std::string text = head + bad + tail;
        CHECK(atl_utf8_valid_prefix(text.data(), text.size()) == before);
      }
      const std::string cut = head + "\xE2\x82";  // truncated at the end
      CHECK(atl_utf8_valid_prefix(cut.data(), cut.size()) == before);
    }
  }
}

TEST_CASE("a string primitive given another value stops with a runtime error") {
  // AsString's check, inline in each primitive, and its out-of-line error.
  for (const atl_value v : {atl_int(7), atl_char('x'), atl_value{0}}) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      InstallTestProgram();
      freopen("/dev/null", "w", stderr);
      atl_string_hash_bytes(v);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
  }
  CHECK(atl_string_hash_bytes(Str("abc")) == atl_string_hash_bytes(Str("abc")));
  CHECK(atl_string_length(Str("abc")) == 3);
}
