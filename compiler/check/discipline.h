// Region typing disciplines (docs/typing.md, "Region disciplines"): the rules
// for runIO, the variance of mutable data in its region token and of Effect
// in its token, chosen per program with `--regions=D`. The checker reads
// only these rules; adding a discipline is adding a row to the table in
// discipline.cpp (and, when it needs one, a rule here).
#ifndef ATOLL_CHECK_DISCIPLINE_H
#define ATOLL_CHECK_DISCIPLINE_H

#include <span>
#include <string>
#include <string_view>

namespace atl::check {

enum class Discipline { Subtyping, Strict, Cast, Union, EffectCovariant, UnionNaive };

struct DisciplineRules {
  Discipline id = Discipline::Subtyping;
  const char* name = "subtyping";
  // runIO's region is opened inside the block it runs in and the checker
  // records the fact `t <= s` (parent outlives child). Without it the two
  // regions are unrelated, as for forkIO.
  bool runio_parent_fact = true;
  // Ref and MutableArray are covariant in their region token (a parent's
  // Ref may be used as a child's); otherwise invariant in it.
  bool mutable_token_covariant = true;
  // A statement of a `do` block (and either operand of `>>`, the left one
  // of `>>=`) may be an action of a region that outlives the block's: it
  // runs in that region, so what it allocates lands there. Otherwise every
  // statement runs in the block's region (Effect invariant in its token).
  bool effect_token_covariant = false;
  // With a covariant Effect token: the compiled program runs such a
  // statement in the region its type names (an enclosing runIO's), so what
  // it allocates lives as long as that region. Off only for the control
  // discipline `union-naive`, which runs it in the innermost region.
  bool parent_actions_in_parent = true;
  // runIO's body may take the no-op cast from the parent's mutable types to
  // the child's: `runIO (\c -> ...)`, `c : Cast t s`, used with castRef and
  // castArray.
  bool runio_cast = false;
  const char* runio_type = "";  // runIO's type as the discipline states it
  const char* summary = "";     // one line for `atoll help` and the table
};

auto Rules(Discipline d) -> const DisciplineRules&;
// Every discipline, the default first.
auto AllDisciplines() -> std::span<const DisciplineRules>;
// "subtyping, strict, cast, union, effect-covariant"
auto DisciplineNames() -> std::string;

}  // namespace atl::check

#endif  // ATOLL_CHECK_DISCIPLINE_H
