// The pure and IO primitives, called as compiled code calls them.
#include "runtime/rt/prims.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/gc/gc.h"
#include "runtime/mvar/copy.h"
#include "runtime/rt/rt.h"
#include "runtime/value/bytes.h"
#include "runtime/value/show.h"
#include "runtime/value/string.h"
#include "runtime/value/value.h"

namespace {

auto Str(const char* s) -> atl_value { return atl_string_from_cstr(s); }
auto Shown(atl_value v) -> std::string {
  atl_value s = atl_show(v);
  return {atl_string_bytes(s), atl_string_length(s)};
}
auto Text(atl_value s) -> std::string { return {atl_string_bytes(s), atl_string_length(s)}; }

struct Init {
  Init() { atl_gc_init(); }
} init;

}  // namespace

TEST_CASE("strings count and index code points") {
  atl_value s = Str("h\xC3\xA9llo \xF0\x9F\x98\x80!");  // hello with é, then an emoji
  CHECK(atl_int_get(atl_rt_string_length(s)) == 8);
  CHECK(atl_char_get(atl_rt_char_at(s, atl_int(1))) == 0xE9);
  CHECK(atl_char_get(atl_rt_char_at(s, atl_int(6))) == 0x1F600);
  CHECK(Text(atl_rt_substring(s, atl_int(1), atl_int(3))) == "\xC3\xA9ll");
  CHECK(Text(atl_rt_substring(s, atl_int(6), atl_int(100))) == "\xF0\x9F\x98\x80!");
  CHECK(Text(atl_rt_substring(s, atl_int(50), atl_int(2))).empty());
  CHECK(Text(atl_rt_string_from_list(atl_rt_string_to_list(s))) == Text(s));
  CHECK(Shown(atl_rt_string_to_list(Str("ab"))) == "['a', 'b']");
}

TEST_CASE("parseInt accepts decimal integers only") {
  CHECK(Shown(atl_rt_parse_int(Str("42"))) == "(True, 42)");
  CHECK(Shown(atl_rt_parse_int(Str("-17"))) == "(True, -17)");
  CHECK(Shown(atl_rt_parse_int(Str(""))) == "(False, 0)");
  CHECK(Shown(atl_rt_parse_int(Str("-"))) == "(False, 0)");
  CHECK(Shown(atl_rt_parse_int(Str("12x"))) == "(False, 0)");
  CHECK(Shown(atl_rt_parse_int(Str("99999999999999999999"))) == "(False, 0)");
  CHECK(Shown(atl_rt_parse_int(Str("4611686018427387903"))) == "(True, 4611686018427387903)");
  CHECK(Shown(atl_rt_parse_int(Str("-4611686018427387904"))) == "(True, -4611686018427387904)");
  CHECK(Shown(atl_rt_parse_int(Str("4611686018427387904"))) == "(False, 0)");
}

TEST_CASE("words, lines and their inverses") {
  CHECK(Shown(atl_rt_words(Str("  the quick\tbrown\n fox "))) ==
        "[\"the\", \"quick\", \"brown\", \"fox\"]");
  CHECK(Shown(atl_rt_words(Str("   "))) == "[]");
  CHECK(Shown(atl_rt_lines(Str("a\n\nb\n"))) == "[\"a\", \"\", \"b\"]");
  CHECK(Shown(atl_rt_lines(Str("a\nb"))) == "[\"a\", \"b\"]");
  CHECK(Text(atl_rt_unwords(atl_rt_words(Str(" x  y ")))) == "x y");
  CHECK(Text(atl_rt_unlines(atl_rt_lines(Str("x\ny")))) == "x\ny\n");
}

TEST_CASE("words tells apart words that differ in their last byte, near the end or not") {
  // Words of 1..16 bytes (the cache's keys: the first 16 bytes, masked to
  // the word's length) that differ only in their last byte; each text ends
  // with 20 bytes of padding or none, so that the words are read whole or
  // copied (less than 16 bytes of text left).
  for (size_t len = 1; len <= 16; ++len) {
    const std::string x = std::string(len - 1, 'a') + "b";
    const std::string y = std::string(len - 1, 'a') + "c";
    for (const std::string pad : {"", " zzzzzzzzzzzzzzzzzzz"}) {
      const std::string text = x + " " + y + "\n" + y + " " + x + pad;
      std::string want = "[\"" + x + "\", \"" + y + "\", \"" + y + "\", \"" + x + "\"";
      if (!pad.empty()) want += ", \"zzzzzzzzzzzzzzzzzzz\"";
      CHECK(Shown(atl_rt_words(atl_string_new(text.data(), text.size()))) == want + "]");
    }
  }
}

TEST_CASE("words shares one string between a word read whole and the same word copied") {
  // The first "abcdefghij" has 16 bytes of text after its start (read with
  // two loads and masked), the last has not (copied): their keys must be
  // equal for the second to find the first's string.
  const char* text = "abcdefghij abcdefghij zz abcdefghij";
  atl_value ws = atl_rt_words(Str(text));
  REQUIRE(Shown(ws) == "[\"abcdefghij\", \"abcdefghij\", \"zz\", \"abcdefghij\"]");
  const atl_value first = atl_ptr(ws)->fields[0];
  const atl_value second = atl_ptr(atl_ptr(ws)->fields[1])->fields[0];
  atl_value last = ws;
  for (int i = 0; i < 3; ++i) last = atl_ptr(last)->fields[1];
  CHECK(second == first);
  CHECK(atl_ptr(last)->fields[0] == first);
}

TEST_CASE("list append copies the left list only") {
  atl_value xs = atl_rt_cons(atl_int(1), atl_rt_cons(atl_int(2), atl_nullary(ATL_DESC_NIL)));
  atl_value ys = atl_rt_cons(atl_int(3), atl_nullary(ATL_DESC_NIL));
  atl_value zs = atl_rt_list_append(xs, ys);
  CHECK(Shown(zs) == "[1, 2, 3]");
  CHECK(Shown(xs) == "[1, 2]");
  CHECK(atl_rt_list_append(atl_nullary(ATL_DESC_NIL), ys) == ys);
}

TEST_CASE("in-place reverse relinks heap cells and copies the one consed onto []") {
  const atl_value nil = atl_nullary(ATL_DESC_NIL);
  // As a loop's accumulator: 1 consed first (onto []), 3 last.
  atl_value c1 = atl_rt_cons(atl_int(1), nil);
  atl_value c2 = atl_rt_cons(atl_int(2), c1);
  atl_value c3 = atl_rt_cons(atl_int(3), c2);
  atl_value ys = atl_rt_cons(atl_int(9), nil);
  atl_value r = atl_rt_list_reverse_in_place(c3, ys);
  CHECK(Shown(r) == "[1, 2, 3, 9]");
  // c3 and c2 were relinked (their tails pointed into the heap); the cell
  // of 1 (tail []) was copied: it may have been allocated atomic.
  CHECK(r != c1);
  CHECK(atl_ptr(r)->fields[1] == c2);
  CHECK(atl_ptr(c2)->fields[1] == c3);
  CHECK(atl_ptr(c3)->fields[1] == ys);
  CHECK(atl_ptr(c1)->fields[1] == nil);  // untouched
  CHECK(atl_rt_list_reverse_in_place(nil, ys) == ys);
  CHECK(Shown(atl_rt_list_reverse_in_place(atl_rt_cons(atl_int(5), nil), nil)) == "[5]");
  // 10^6 cells, across collections: order kept.
  atl_value acc = nil;
  for (int i = 0; i < 1000000; ++i) acc = atl_rt_cons(atl_int(i), acc);
  atl_gc_collect();
  atl_value out = atl_rt_list_reverse_in_place(acc, nil);
  atl_gc_collect();
  int64_t expect = 0;
  bool ordered = true;
  for (atl_value v = out; atl_is_ptr(v); v = atl_ptr(v)->fields[1], ++expect)
    ordered = ordered && atl_ptr(v)->fields[0] == atl_int(expect);
  CHECK(ordered);
  CHECK(expect == 1000000);
}

TEST_CASE("numbers, chars and compare") {
  CHECK(Shown(atl_rt_int_to_float(atl_int(3))) == "3.0");
  CHECK(atl_int_get(atl_rt_float_to_int(atl_float_new(-2.75))) == -2);
  CHECK(atl_float_get(atl_rt_float_sqrt(atl_float_new(2.25))) == 1.5);
  CHECK(atl_int_get(atl_rt_char_to_int(atl_char('A'))) == 65);
  CHECK(atl_char_get(atl_rt_int_to_char(atl_int(0x3bb))) == 0x3bb);
  CHECK(atl_int_get(atl_rt_compare(Str("a"), Str("b"))) == -1);
  CHECK(atl_int_get(atl_rt_compare(atl_int(5), atl_int(5))) == 0);
  CHECK(atl_int_get(atl_rt_compare(atl_float_new(2.0), atl_float_new(1.0))) == 1);
}

TEST_CASE("immutable arrays from and to lists") {
  atl_value xs = atl_rt_cons(atl_int(7), atl_rt_cons(atl_int(8), atl_nullary(ATL_DESC_NIL)));
  atl_value a = atl_rt_array_from_list(xs);
  CHECK(atl_int_get(atl_rt_array_length(a)) == 2);
  CHECK(Shown(atl_rt_array_to_list(a)) == "[7, 8]");
  CHECK(atl_int_get(atl_rt_array_length(atl_rt_array_replicate(atl_int(5), atl_int(0)))) == 5);
}

TEST_CASE("files round-trip and failures are values") {
  char path[] = "/tmp/atoll_prims_testXXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  CHECK(Shown(atl_rt_write_file(Str(path), Str("line 1\nline 2\n"), nullptr, nullptr)) ==
        "(True, \"\")");
  CHECK(Shown(atl_rt_read_file(Str(path), nullptr, nullptr)) == "(True, \"line 1\\nline 2\\n\")");
  std::remove(path);
  atl_value missing = atl_rt_read_file(Str(path), nullptr, nullptr);
  CHECK(atl_ptr(missing)->fields[0] == atl_bool(0));
  CHECK(Text(atl_ptr(missing)->fields[1]).find("No such file") != std::string::npos);
}

TEST_CASE("args skip the program name; the clock moves forward") {
  char a0[] = "prog", a1[] = "x", a2[] = "yz";
  char* argv[] = {a0, a1, a2, nullptr};
  atl_rt_set_args(3, argv);
  CHECK(Shown(atl_rt_args(nullptr, nullptr)) == "[\"x\", \"yz\"]");
  const int64_t t0 = atl_int_get(atl_rt_monotonic_nanos(nullptr, nullptr));
  atl_rt_sleep(atl_int(2), nullptr, nullptr);
  CHECK(atl_int_get(atl_rt_monotonic_nanos(nullptr, nullptr)) - t0 >= 2000000);
}

TEST_CASE("Bytes: primitives, show, compare, copy") {
  const atl_value b = atl_rt_bytes_from_string(Str("a\"\\\n\x01\xff"));
  CHECK(atl_is_bytes(b));
  CHECK(Shown(b) == "b\"a\\\"\\\\\\n\\x01\\xff\"");
  CHECK(atl_int_get(atl_rt_bytes_length(b)) == 6);
  CHECK(atl_int_get(atl_rt_bytes_index(b, atl_int(5))) == 255);
  CHECK(atl_rt_bytes_slice(b, atl_int(0), atl_int(100)) == b);  // all of it: the same object
  CHECK(Shown(atl_rt_bytes_slice(b, atl_int(4), atl_int(100))) == "b\"\\x01\\xff\"");
  CHECK(Shown(atl_rt_bytes_to_string(b)) == "(False, \"not valid UTF-8 (byte 5)\")");
  const atl_value ab = atl_rt_bytes_from_string(Str("ab"));
  const atl_value abc = atl_rt_bytes_concat(ab, atl_rt_bytes_from_string(Str("c")));
  CHECK(atl_compare(ab, abc) == -1);
  CHECK(atl_equal(abc, atl_rt_bytes_from_string(Str("abc"))) == 1);
  CHECK(atl_equal(abc, Str("abc")) == 0);  // Bytes never equal a String
  CHECK(atl_hash(abc) == atl_hash(atl_rt_bytes_from_string(Str("abc"))));
  CHECK(atl_int_get(atl_rt_bytes_find(abc, atl_rt_bytes_from_string(Str("bc")), atl_int(0))) == 1);
  CHECK(atl_int_get(atl_rt_bytes_find(abc, atl_rt_bytes_from_string(Str("bc")), atl_int(2))) == -1);
  // Adler-32 of "Wikipedia", whole and in two chunks.
  const atl_value w = atl_rt_bytes_from_string(Str("Wikipedia"));
  CHECK(atl_int_get(atl_rt_bytes_checksum(atl_int(1), w)) == 0x11E60398);
  const atl_value first =
      atl_rt_bytes_checksum(atl_int(1), atl_rt_bytes_slice(w, atl_int(0), atl_int(3)));
  CHECK(atl_int_get(atl_rt_bytes_checksum(first, atl_rt_bytes_slice(w, atl_int(3), atl_int(9)))) ==
        0x11E60398);
  const atl_value copy = atl_deep_copy(abc);
  CHECK(copy != abc);
  CHECK(atl_equal(copy, abc) == 1);
}
