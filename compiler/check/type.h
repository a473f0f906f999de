// Types as terms, the representation the Hindley-Milner checker works on.
#ifndef ATOLL_CHECK_TYPE_H
#define ATOLL_CHECK_TYPE_H

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace atl::check {

// The kind of a type variable or constructor argument. Region tokens and
// determinisms are separate kinds so the later subtyping pass (issue 3) can
// treat them differently from ordinary types; unification already refuses to
// mix kinds.
enum class Kind { Type, Region, Determinism };

enum class TypeKind {
  Var,  // unification variable (flexible) or skolem (rigid, from a signature)
  Con,  // constructor applied to arguments: Int, String, Effect s d a, ...
  Fun,  // args[0] -> args[1]
};

// One type term. Invariants: a Var with `link` set is an alias for `link`
// (always read through Resolve); a rigid Var is never linked; Con and Fun are
// immutable once built. Nodes are owned by a TypeArena and never freed before
// it, so Type* is a stable identity.
struct Type {
  TypeKind kind = TypeKind::Con;
  std::string name;         // Con: constructor name; Var: hint for printing
  std::vector<Type*> args;  // Con: arguments; Fun: {param, result}
  Type* link = nullptr;     // Var: what it has been unified with
  int id = 0;               // Var: unique number
  int level = 0;            // Var: binding depth, for generalisation; rigid: scope depth
                            // (0 for a signature's variables, the body's level for the
                            // region a runST/runIO/forkIO/parST opens)
  bool rigid = false;       // Var: skolem, unifies only with itself
  Kind var_kind = Kind::Type;
};

// Tuples are constructors named "(,)", "(,,)", ... by arity.
auto TupleName(size_t arity) -> std::string;
auto IsTupleName(const std::string& name) -> bool;

// Records are structural: a constructor named "{f,g}" (field names sorted)
// whose arguments are the field types in that order, so two record types
// unify exactly when they have the same fields with unifying types.
auto RecordName(const std::vector<std::string>& sorted_fields) -> std::string;
auto IsRecordName(const std::string& name) -> bool;
auto RecordFields(const std::string& name) -> std::vector<std::string>;

// Owns every Type of one checking session. Builders for the common types
// return fresh nodes (constructors are compared structurally, so sharing
// does not matter).
class TypeArena {
 public:
  auto NewVar(int level, Kind kind = Kind::Type) -> Type*;
  auto NewRigid(const std::string& name, Kind kind = Kind::Type) -> Type*;
  auto Con(const std::string& name, std::vector<Type*> args = {}) -> Type*;
  auto Fun(Type* param, Type* result) -> Type*;
  // Curried function type params[0] -> ... -> result.
  auto Fun(const std::vector<Type*>& params, Type* result) -> Type*;

  auto Int() -> Type* { return Con("Int"); }
  auto Bool() -> Type* { return Con("Bool"); }
  auto String() -> Type* { return Con("String"); }
  auto Unit() -> Type* { return Con("()"); }
  auto Float() -> Type* { return Con("Float"); }
  auto Char() -> Type* { return Con("Char"); }
  auto List(Type* element) -> Type* { return Con("List", {element}); }
  auto Tuple(std::vector<Type*> elements) -> Type* {
    const size_t n = elements.size();
    return Con(TupleName(n), std::move(elements));
  }
  auto Effect(Type* region, Type* det, Type* result) -> Type* {
    return Con("Effect", {region, det, result});
  }

 private:
  std::deque<Type> nodes_;
  int next_var_ = 0;
};

// Follows Var links to the representative, compressing the path.
auto Resolve(Type* t) -> Type*;

// True when `t` (resolved) is the constructor `name`.
auto IsCon(Type* t, const std::string& name) -> bool;

// Splits a curried function type into parameter types and final result,
// looking through at most `max_params` arrows (-1: all).
auto SplitFun(Type* t, int max_params = -1) -> std::pair<std::vector<Type*>, Type*>;

// Prints types in source syntax. Rigid variables keep their names (a
// signature's `a`, `s17` for the region a runST opens at line 17); flexible
// ones are named per printer, in order of appearance, by kind (a b c, s t u,
// d e), avoiding the rigid names of every type printed or reserved so far, so
// one printer used for all the types of a message names each variable once.
// A type in source syntax at `precedence` (0 anywhere, 1 left of an arrow,
// 2 an argument of a constructor), variables named by `variable`: the one
// printer behind messages (TypePrinter) and `--dump=types`.
auto PrintType(Type* t, int precedence, const std::function<std::string(Type*)>& variable)
    -> std::string;

class TypePrinter {
 public:
  auto Print(Type* t) -> std::string;
  // Keeps the rigid names in `t` from being given to flexible variables
  // (call it for every type of a message before printing the first).
  void Reserve(Type* t);

 private:
  auto Print(Type* t, int precedence) -> std::string;
  auto FlexName(Type* v) -> std::string;
  std::map<int, std::string> names_;
  std::set<std::string> taken_;
  std::map<int, int> counts_;
};

auto ToString(Type* t) -> std::string;

// A type scheme: `forall vars. body`. Monomorphic when vars is empty.
struct Scheme {
  std::vector<Type*> vars;
  Type* body = nullptr;
};

// Replaces the scheme's variables by fresh flexible ones at `level`.
auto Instantiate(TypeArena& arena, const Scheme& scheme, int level) -> Type*;

// Copies `t`, replacing the variables that are keys of `subst`.
auto Substitute(TypeArena& arena, Type* t, const std::map<Type*, Type*>& subst) -> Type*;

// Quantifies the flexible variables of `t` whose level is deeper than `level`.
auto Generalize(Type* t, int level) -> Scheme;

}  // namespace atl::check

#endif  // ATOLL_CHECK_TYPE_H
