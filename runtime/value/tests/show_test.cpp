#include <doctest/doctest.h>

#include <cmath>

#include "runtime/value/tests/test_values.h"

using namespace atl::testing;

TEST_CASE("show renders immediates") {
  InstallTestProgram();
  CHECK(ShowText(atl_int(42)) == "42");
  CHECK(ShowText(atl_int(-1)) == "-1");
  CHECK(ShowText(atl_int(0)) == "0");
  CHECK(ShowText(atl_int((int64_t{1} << 62) - 1)) == "4611686018427387903");
  CHECK(ShowText(atl_int(-(int64_t{1} << 62))) == "-4611686018427387904");
  CHECK(ShowText(atl_bool(1)) == "True");
  CHECK(ShowText(atl_bool(0)) == "False");
  CHECK(ShowText(atl_unit()) == "()");
  CHECK(ShowText(atl_nullary(kNothing)) == "Nothing");
  CHECK(ShowText(atl_nullary(kNil)) == "[]");
}

TEST_CASE("show renders chars quoted and escaped") {
  InstallTestProgram();
  CHECK(ShowText(atl_char('c')) == "'c'");
  CHECK(ShowText(atl_char('\'')) == "'\\''");
  CHECK(ShowText(atl_char('"')) == "'\"'");
  CHECK(ShowText(atl_char('\n')) == "'\\n'");
  CHECK(ShowText(atl_char('\\')) == "'\\\\'");
  CHECK(ShowText(atl_char(1)) == "'\\u{1}'");
  CHECK(ShowText(atl_char(0x1F600)) == "'\xF0\x9F\x98\x80'");
  CHECK(ShowText(atl_char(0xE9)) == "'\xC3\xA9'");
}

TEST_CASE("show renders strings quoted and escaped") {
  InstallTestProgram();
  CHECK(ShowText(Str("text")) == "\"text\"");
  CHECK(ShowText(Str("")) == "\"\"");
  CHECK(ShowText(Str("a\"b\\c\nd\te")) == "\"a\\\"b\\\\c\\nd\\te\"");
  CHECK(ShowText(Str("caf\xC3\xA9")) == "\"caf\xC3\xA9\"");
  CHECK(ShowText(Str(std::string("a\0b", 3))) == "\"a\\u{0}b\"");
  CHECK(ShowText(Str("it's")) == "\"it's\"");
}

TEST_CASE("show renders floats as float literals") {
  InstallTestProgram();
  CHECK(ShowText(Float(1.5)) == "1.5");
  CHECK(ShowText(Float(2.0)) == "2.0");
  CHECK(ShowText(Float(-0.25)) == "-0.25");
  CHECK(ShowText(Float(0.1)) == "0.1");
  CHECK(ShowText(Float(1e22)) == "1.0e22");
  CHECK(ShowText(Float(1.5e-7)) == "1.5e-7");
  CHECK(ShowText(Float(INFINITY)) == "Infinity");
  CHECK(ShowText(Con(kJust, {Float(-INFINITY)})) == "Just (-Infinity)");
  CHECK(ShowText(Float(NAN)) == "NaN");
  CHECK(ShowText(Float(-NAN)) == "NaN");
  CHECK(ShowText(Con(kJust, {Float(-2.5)})) == "Just (-2.5)");
}

TEST_CASE("show renders constructors with the right parentheses") {
  InstallTestProgram();
  CHECK(ShowText(Con(kJust, {Con(kRect, {atl_int(3), atl_int(4)})})) == "Just (Rect 3 4)");
  CHECK(ShowText(Con(kJust, {atl_int(-1)})) == "Just (-1)");
  CHECK(ShowText(Con(kJust, {atl_nullary(kNothing)})) == "Just Nothing");
  CHECK(ShowText(Con(kJust, {Con(kPair, {atl_int(1), Str("a")})})) == "Just (1, \"a\")");
  CHECK(ShowText(Con(kRect, {atl_int(-3), Con(kJust, {atl_bool(1)})})) == "Rect (-3) (Just True)");
}

TEST_CASE("show renders tuples, records and lists") {
  InstallTestProgram();
  CHECK(ShowText(Con(kPair, {atl_int(1), Str("a")})) == "(1, \"a\")");
  CHECK(ShowText(Con(kTriple, {atl_int(-1), atl_char('x'), atl_unit()})) == "(-1, 'x', ())");
  CHECK(ShowText(Con(kPoint, {atl_int(1), atl_int(2)})) == "{ x = 1, y = 2 }");
  CHECK(ShowText(List({atl_int(1), atl_int(2), atl_int(3)})) == "[1, 2, 3]");
  CHECK(ShowText(List({})) == "[]");
  CHECK(ShowText(List({List({atl_int(-1)}), List({})})) == "[[-1], []]");
  CHECK(ShowText(Con(kJust, {List({atl_int(1)})})) == "Just [1]");
  CHECK(ShowText(Array({atl_int(1), atl_int(2)})) == "arrayFromList [1, 2]");
  CHECK(ShowText(Con(kJust, {Array({})})) == "Just (arrayFromList [])");
}

TEST_CASE("show walks a long list without recursion on the spine") {
  InstallTestProgram();
  atl_value list = atl_nullary(kNil);
  for (int i = 0; i < 200000; ++i) list = Con(kCons, {atl_int(i % 10), list});
  const std::string text = ShowText(list);
  CHECK(text.size() == 2 + 200000 + 2 * (200000 - 1));
  CHECK(text.substr(0, 7) == "[9, 8, ");
}
