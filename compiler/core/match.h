// The match compiler: clauses tried in order, compiled to a decision tree
// in which every test is made at most once on any path (the matrix scheme of
// Maranget, "Compiling pattern matching to good decision trees", 2008). The
// rows are the clauses' patterns (check::PatternShape) over occurrences,
// the atoms still to test; columns are consumed by specialising on the
// constructor or literal at the head of the first column row 0 tests.
//
// The tree is written into a Chain: If and Switch for tests, Project and
// Field bindings for components, Fail where no row matches. Where a row
// matches, the compiler leaves a Jump (a leaf) and reports it with the
// bindings of the row's variables; the caller puts the clause body there
// or makes the clause a join point when several leaves reach it.
#ifndef ATOLL_CORE_MATCH_H
#define ATOLL_CORE_MATCH_H

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/check/pattern_shape.h"
#include "compiler/core/chain.h"

namespace atl::core {

struct Occurrence {
  Atom atom;
  check::Type* type = nullptr;
};

// Checker local -> the value it names.
using Bindings = std::vector<std::pair<int, Atom>>;

struct MatchRow {
  std::vector<check::PatternShape> pats;  // one per occurrence
  int clause = 0;
  Bindings bindings;  // of the columns consumed so far
};

struct MatchLeaf {
  std::unique_ptr<Expr>* slot;  // the Jump standing for the clause body
  Bindings bindings;
};

class MatchCompiler {
 public:
  // Binds `rhs` to a fresh compiler-made variable at the chain's hole and
  // returns it (the translation's own bookkeeping of such variables).
  using BindMade = std::function<int(Rhs rhs, const std::string& name, check::Type* type)>;

  MatchCompiler(const check::CheckedModule& checked, Program& program, Chain& chain, BindMade bind)
      : c_(checked), p_(program), chain_(chain), bind_(std::move(bind)) {}

  // Compiles `rows` (in clause order, numbered 0..clauses-1) over `occs` at
  // the chain's hole. A value no row matches stops with `fail_message` at
  // `fail_span`. Returns, per clause, the leaves that reach it (none for a
  // clause the rows above cover).
  auto Compile(std::vector<Occurrence> occs, std::vector<MatchRow> rows, size_t clauses,
               std::string fail_message, source::Span fail_span)
      -> std::vector<std::vector<MatchLeaf>>;

 private:
  using Shape = check::PatternShape;

  void Tree(std::vector<Occurrence> occs, std::vector<MatchRow> rows);
  void Alternative(const std::vector<Occurrence>& occs, const std::vector<MatchRow>& rows, size_t j,
                   int con, source::Span span);
  void LiteralTests(const std::vector<Occurrence>& occs, std::vector<MatchRow> rows, size_t j);
  static auto Specialise(const std::vector<Occurrence>& occs, const std::vector<MatchRow>& rows,
                         size_t j, int con, size_t arity) -> std::vector<MatchRow>;
  static auto Default(const std::vector<MatchRow>& rows, size_t j, const Atom& value)
      -> std::vector<MatchRow>;
  void ExpandShape(std::vector<Occurrence>& occs, std::vector<MatchRow>& rows, size_t j,
                   const Shape& shape);
  void FailLeaf();
  auto Project(const Atom& v, int index, check::Type* type, source::Span span) -> Atom;
  auto Equal(const Atom& v, Atom literal, check::Type* type, source::Span span) -> Atom;

  const check::CheckedModule& c_;
  Program& p_;
  Chain& chain_;
  BindMade bind_;
  std::vector<std::vector<MatchLeaf>> leaves_;
  std::string fail_message_;
  source::Span fail_span_;
};

// The Core atom of a literal.
auto LiteralAtom(const parse::Literal& lit) -> Atom;

}  // namespace atl::core

#endif  // ATOLL_CORE_MATCH_H
