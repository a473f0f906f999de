// The table of region disciplines (discipline.h).
#include "compiler/check/discipline.h"

#include <array>

namespace atl::check {

namespace {

constexpr std::array<DisciplineRules, 6> kDisciplines = {{
    {.id = Discipline::Subtyping,
     .name = "subtyping",
     .runio_type =
         "(forall (s | t <= s). Effect s Nondeterministic a) -> Effect t Nondeterministic a",
     .summary =
         "the default: t <= s; Ref/MutableArray covariant in the token, invariant in the element"},
    {.id = Discipline::Strict,
     .name = "strict",
     .runio_parent_fact = false,
     .runio_type = "(forall s. Effect s Nondeterministic a) -> Effect t Nondeterministic a",
     .summary = "no relation between the parent t and the child s"},
    {.id = Discipline::Cast,
     .name = "cast",
     .runio_parent_fact = false,
     .runio_cast = true,
     .runio_type =
         "(forall s. Cast t s -> Effect s Nondeterministic a) -> Effect t Nondeterministic a",
     .summary = "strict, and the body may take a no-op cast from the parent's mutable types to the "
                "child's"},
    {.id = Discipline::Union,
     .name = "union",
     .effect_token_covariant = true,
     .runio_type = "(forall s. Effect (s + t) Nondeterministic a) -> Effect t Nondeterministic a",
     .summary = "the body runs actions of s or t: what it allocates in t survives the runIO"},
    {.id = Discipline::EffectCovariant,
     .name = "effect-covariant",
     .mutable_token_covariant = false,
     .effect_token_covariant = true,
     .runio_type =
         "(forall (s | t <= s). Effect s Nondeterministic a) -> Effect t Nondeterministic a",
     .summary = "Ref/MutableArray invariant in both arguments, Effect covariant in its token"},
    {.id = Discipline::UnionNaive,
     .name = "union-naive",
     .effect_token_covariant = true,
     .parent_actions_in_parent = false,
     .runio_type = "as union",
     .summary = "a control: union's typing, but every action runs in the innermost region"},
}};

}  // namespace

auto Rules(Discipline d) -> const DisciplineRules& {
  for (const DisciplineRules& r : kDisciplines)
    if (r.id == d) return r;
  return kDisciplines[0];
}

auto AllDisciplines() -> std::span<const DisciplineRules> { return kDisciplines; }

auto DisciplineNames() -> std::string {
  std::string out;
  for (const DisciplineRules& r : kDisciplines) {
    if (!out.empty()) out += ", ";
    out += r.name;
  }
  return out;
}

}  // namespace atl::check
