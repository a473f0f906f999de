// A pattern reduced to what matching needs, shared by the coverage checker
// (exhaustive.cpp) and the match compiler (core/match.cpp): annotations
// dropped, `[p1, ..., pn]` written with `::` and `[]`, constructors named by
// id (check.h), never by name.
#ifndef ATOLL_CHECK_PATTERN_SHAPE_H
#define ATOLL_CHECK_PATTERN_SHAPE_H

#include <string>
#include <vector>

#include "compiler/check/check.h"

namespace atl::check {

struct PatternShape {
  enum class Kind : uint8_t {
    Any,     // a variable or `_`: never fails
    Con,     // a constructor (declared or built in), tested
    Lit,     // an Int, Char, String or Float literal, tested by equality
    Tuple,   // never fails: its components are matched
    Record,  // never fails: the named fields are matched
  };
  Kind kind = Kind::Any;
  int local = -1;                  // Any: the checker local it binds, or -1
  std::string name;                // Any with a local: the variable's name in the source
  int con = kNoConstructor;        // Con: the constructor id
  std::vector<PatternShape> args;  // Con: its fields; Tuple: the elements; Record: the named fields
  std::vector<std::string> fields;  // Record: the names of `args`, in the pattern's order
  parse::Literal literal;           // Lit
  Type* type = nullptr;             // the matched value's type (resolved), or nullptr
  source::Span span;
};

// The shape of `p`. `pattern_types` is by Pattern id (the checker's own
// table while it checks, CheckedModule::pattern_types after). `erroneous`,
// when given, is set if `p` contains a pattern the checker reported (an
// unknown constructor, a wrong number of fields, a syntax error); its shape
// there is Any.
auto ShapeOf(const CheckedModule& m, const std::vector<Type*>& pattern_types,
             const parse::Pattern* p, bool* erroneous = nullptr) -> PatternShape;

// The number of fields of constructor `id`, and of constructors of its type.
auto ConstructorArity(const CheckedModule& m, int id) -> int;
auto ConstructorSiblings(const CheckedModule& m, int id) -> int;

// Whether two literal patterns match the same value.
auto SameLiteral(const parse::Literal& a, const parse::Literal& b) -> bool;

}  // namespace atl::check

#endif  // ATOLL_CHECK_PATTERN_SHAPE_H
