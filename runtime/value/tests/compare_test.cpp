#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/value/tests/test_values.h"
#include "runtime/value/value.h"

using namespace atl::testing;

TEST_CASE("compare orders immediates") {
  InstallTestProgram();
  CHECK(atl_compare(atl_int(1), atl_int(2)) == -1);
  CHECK(atl_compare(atl_int(-5), atl_int(-7)) == 1);
  CHECK(atl_compare(atl_int(3), atl_int(3)) == 0);
  CHECK(atl_compare(atl_char('a'), atl_char('b')) == -1);
  CHECK(atl_compare(atl_bool(0), atl_bool(1)) == -1);
  CHECK(atl_compare(atl_unit(), atl_unit()) == 0);
}

TEST_CASE("compare orders constructors by declaration index, then fields") {
  InstallTestProgram();
  const atl_value nothing = atl_nullary(kNothing);
  const atl_value just1 = Con(kJust, {atl_int(1)});
  const atl_value just2 = Con(kJust, {atl_int(2)});
  CHECK(atl_compare(nothing, just1) == -1);
  CHECK(atl_compare(just1, nothing) == 1);
  CHECK(atl_compare(just1, just2) == -1);
  CHECK(atl_compare(just2, Con(kJust, {atl_int(2)})) == 0);
  CHECK(atl_compare(Con(kRect, {atl_int(1), atl_int(9)}), Con(kRect, {atl_int(2), atl_int(0)})) ==
        -1);
  CHECK(atl_compare(Con(kPair, {Str("a"), atl_int(2)}), Con(kPair, {Str("a"), atl_int(1)})) == 1);
}

TEST_CASE("compare orders strings, floats, lists and arrays") {
  InstallTestProgram();
  CHECK(atl_compare(Str("abc"), Str("abd")) == -1);
  CHECK(atl_compare(Str("ab"), Str("abc")) == -1);
  CHECK(atl_compare(Str(""), Str("")) == 0);
  CHECK(atl_compare(Str("\xC3\xA9"), Str("z")) == 1);  // code point order
  CHECK(atl_compare(Float(1.5), Float(2.5)) == -1);
  CHECK(atl_compare(Float(NAN), Float(1e300)) == 1);
  CHECK(atl_compare(List({atl_int(1), atl_int(2)}), List({atl_int(1), atl_int(3)})) == -1);
  CHECK(atl_compare(List({atl_int(1)}), List({atl_int(1), atl_int(0)})) == -1);
  CHECK(atl_compare(List({}), List({atl_int(0)})) == -1);
  CHECK(atl_compare(Array({atl_int(1), atl_int(2)}), Array({atl_int(1)})) == 1);
  CHECK(atl_compare(Array({atl_int(0), atl_int(9)}), Array({atl_int(1)})) == -1);
  CHECK(atl_compare(Array({}), Array({})) == 0);
}

TEST_CASE("compare sorts a mixed list of values consistently") {
  InstallTestProgram();
  std::vector<atl_value> vs;
  for (int i = 9; i >= 0; --i) vs.push_back(Con(kPair, {atl_int(i % 3), Str(std::to_string(i))}));
  std::sort(vs.begin(), vs.end(), [](atl_value a, atl_value b) { return atl_compare(a, b) < 0; });
  for (size_t i = 1; i < vs.size(); ++i) CHECK(atl_compare(vs[i - 1], vs[i]) <= 0);
  CHECK(ShowText(vs.front()) == "(0, \"0\")");
  CHECK(ShowText(vs.back()) == "(2, \"8\")");
}

TEST_CASE("equality is structural and follows IEEE for NaN") {
  InstallTestProgram();
  const atl_value a = Con(kJust, {List({Str("x"), Str("y")})});
  const atl_value b = Con(kJust, {List({Str("x"), Str("y")})});
  CHECK(atl_equal(a, b));
  CHECK(atl_equal(a, a));
  CHECK_FALSE(atl_equal(a, Con(kJust, {List({Str("x")})})));
  CHECK_FALSE(atl_equal(a, atl_nullary(kNothing)));
  CHECK(atl_equal(Float(0.0), Float(-0.0)));
  const atl_value nan = Float(NAN);
  CHECK_FALSE(atl_equal(nan, nan));
  const atl_value boxed = Con(kJust, {nan});
  CHECK_FALSE(atl_equal(boxed, boxed));
  CHECK(atl_equal(Con(kPoint, {atl_int(1), atl_int(2)}), Con(kPoint, {atl_int(1), atl_int(2)})));
}

TEST_CASE("the operators' order leaves NaN unordered; compare's order is total") {
  InstallTestProgram();
  const atl_value nan = Float(NAN);
  const atl_value one = Float(1.0);
  CHECK(atl_compare_partial(nan, one) == 2);
  CHECK(atl_compare_partial(one, nan) == 2);
  CHECK(atl_compare_partial(nan, nan) == 2);
  CHECK(atl_compare_partial(one, Float(2.0)) == -1);
  // The first differing field decides, before any NaN is reached.
  CHECK(atl_compare_partial(Con(kJust, {Float(0.0)}), Con(kJust, {nan})) == 2);
  CHECK(atl_compare(nan, one) == 1);
  CHECK(atl_compare(one, nan) == -1);
  CHECK(atl_compare(nan, nan) == 0);
}

TEST_CASE("hash agrees with equality") {
  InstallTestProgram();
  CHECK(atl_hash(Str("hello")) == atl_hash(Str("hello")));
  CHECK(atl_hash(Float(0.0)) == atl_hash(Float(-0.0)));
  CHECK(atl_hash(List({atl_int(1), atl_int(2)})) == atl_hash(List({atl_int(1), atl_int(2)})));
  CHECK(atl_hash(List({atl_int(1), atl_int(2)})) != atl_hash(List({atl_int(2), atl_int(1)})));
  CHECK(atl_hash(atl_int(1)) != atl_hash(atl_int(2)));
  CHECK(atl_hash(Str("ab")) != atl_hash(Str("ba")));
}

TEST_CASE("compare and equality handle long lists in constant stack") {
  InstallTestProgram();
  atl_value a = atl_nullary(kNil), b = atl_nullary(kNil);
  for (int i = 0; i < 1000000; ++i) {
    a = Con(kCons, {atl_int(i), a});
    b = Con(kCons, {atl_int(i), b});
  }
  CHECK(atl_compare(a, b) == 0);
  CHECK(atl_equal(a, b));
  CHECK(atl_hash(a) == atl_hash(b));
}
