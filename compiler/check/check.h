// Type checks a program (one or more parsed modules): name resolution and
// modules, Hindley-Milner inference with region/determinism subtyping, the
// rank-2 forms, escape, well-formedness, determinism and sendability; and,
// separately, the gate that reports what the back end cannot compile yet.
#ifndef ATOLL_CHECK_CHECK_H
#define ATOLL_CHECK_CHECK_H

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/check/discipline.h"
#include "compiler/check/type.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/ast.h"

namespace atl::check {

// The runtime primitives and rank-2 forms, one id per line of primitives.def.
// The lowering switches over the same ids.
enum class Builtin {
#define PRIM(id, name, type, symbol) id,
#define SPECIAL(id, name) id,
#include "compiler/check/primitives.def"
};

// One line of primitives.def. `type` is empty for the rank-2 forms (SPECIAL),
// which have typing rules of their own.
struct PrimitiveInfo {
  Builtin id;
  const char* name;
  const char* type;
  const char* symbol;  // runtime symbol, "" when the lowering expands it inline
  bool special;
  int arity = 0;        // arrows of the type at top level (runST 1, parST 2, ...)
  bool effect = false;  // the type after them is an Effect: the call takes the region
};
auto Primitives() -> const std::vector<PrimitiveInfo>&;
auto Primitive(Builtin b) -> const PrimitiveInfo&;

// How a put site (putMVar, pushMVar, tryPutMVar, putMVarTimeout) hands its
// value to the receiving thread (sends.cpp, docs/typing.md section 9): `Static`
// constant data in read-only memory, never copied; `Donate` the put is the
// last act of its thread, so its data is handed over; `Copy` a deep copy.
enum class SendKind { Static, Donate, Copy };

// Constructor ids. A declared constructor's id is its index into
// CheckedModule::constructors (>= 0); the built-in ones have the fixed
// negative ids below. The checker resolves every constructor name to an id
// once (Checker::ResolveConstructor); no later phase compares names.
inline constexpr int kConNil = -1;   // `[]`, which the Prelude also calls `Nil`
inline constexpr int kConCons = -2;  // `::`
inline constexpr int kConTrue = -3;
inline constexpr int kConFalse = -4;
inline constexpr int kConUnit = -5;          // `()`
inline constexpr int kNoConstructor = -100;  // not a constructor, or one the checker rejected

// What a variable occurrence refers to. A BuiltinConstructor's index is one
// of the kCon* ids above (`True`, `False`, `Nil` written as expressions).
enum class RefKind { None, Local, Global, Builtin, Constructor, BuiltinConstructor };
struct Ref {
  RefKind kind = RefKind::None;
  int index = -1;  // Local: local id; Global: index into functions; Constructor: into
                   // constructors; BuiltinConstructor: a kCon* id
  Builtin builtin = Builtin::Print;  // Builtin: which primitive (RunST etc. for the rank-2 forms)
};

// A top-level definition of any module of the program. Invariants: every
// clause of `decl` has `arity` parameters; `effect` is true when the type
// after `arity` arrows is an Effect, in which case the compiled function
// takes a region handle.
struct Function {
  const parse::ValueDecl* decl = nullptr;
  std::string name;
  int arity = 0;
  bool effect = false;
  Type* type = nullptr;
  int module = 0;  // index into CheckedModule::modules (the file it comes from)
};

// A constructor of a `data` type. Constructors of one type are consecutive
// in CheckedModule::constructors, in declaration order.
struct Constructor {
  std::string name;
  std::string type_name;
  int type_index = 0;  // which data type (0-based, over the whole program)
  int index = 0;       // position within its type
  int arity = 0;
  int sibling_count = 0;  // constructors of the type
  Scheme scheme;          // forall params. field1 -> ... -> T params
  int module = 0;
};

// One put site. `call` is the put's application (its spine, `$` included),
// or the bare primitive when it is not applied to all its arguments (then
// always Copy); `expr_id` is `call->id`, for the lowering's side tables.
struct PutSite {
  const parse::Expr* call = nullptr;
  uint32_t expr_id = 0;
  Builtin builtin = Builtin::PutMVar;
  int module = 0;       // index into CheckedModule::modules
  uint32_t offset = 0;  // byte offset of the primitive's name
  SendKind kind = SendKind::Copy;
  std::string reason;  // one line, for `--dump=puts`
};

// Everything later phases need from the checker, for the whole program (the
// main module and every module it imports, Prelude included). Side tables
// are indexed by the AST's per-family ids, which the module loader makes
// unique across the program (parse::IdBase). Types are read through Resolve.
// A function of the main module marked `export` (docs/embedding.md): callable
// from a host when the program is built as a library (docs/embedding.md).
// Its parameter and result types cross the boundary, each described by a
// boundary code (BoundaryCode below); an action's result is the `a` of its
// `Effect s d a`, and the host receives a promise of it.
struct Export {
  int function = -1;  // index into CheckedModule::functions
  std::string name;
  source::Span span;  // the name in `export f`
  std::vector<std::string> param_codes;
  std::string result_code;
  bool action = false;
};

struct CheckedModule {
  TypeArena arena;
  std::vector<const parse::Module*> modules;  // dependency order; the main module is last
  std::vector<Type*> expr_types;              // by Expr id; nullptr for unreached nodes
  std::vector<Ref> refs;                      // by Expr id; meaningful for VarExpr
  std::vector<int> pattern_locals;            // by Pattern id: local bound by a VarPattern, else -1
  std::vector<Type*> pattern_types;  // by Pattern id: the type of the value it matches (or nullptr)
  std::vector<int> decl_locals;      // by Decl id: local bound by a let ValueDecl, else -1
  int local_count = 0;
  // By local id: where it is bound (the variable pattern or the let name),
  // in which module, and its type; for messages and an editor's hover and
  // go to definition.
  std::vector<source::Span> local_spans;
  std::vector<int> local_modules;
  std::vector<Type*> local_types;
  std::vector<Function> functions;  // top-level definitions, module by module, in source order
  std::vector<Constructor> constructors;
  std::vector<int>
      pattern_constructors;  // by Pattern id: constructor id of a ConPattern, else kNoConstructor
  int main_index = -1;       // index of the main module's `main` in functions, or -1
  // Bounds `lower <= upper` written in signatures (`forall t (s | t <= s)`),
  // between rigid region variables of those signatures.
  std::vector<std::pair<Type*, Type*>> region_bounds;
  // Quantified type variables (of any scheme) that must be instantiated with
  // sendable types: the definition keeps values of that type in an MVar.
  std::set<Type*> sendable_vars;
  // Every put site of the program with its send kind, by module (dependency
  // order) then position; see AnalyseSends.
  std::vector<PutSite> put_sites;
  std::vector<Export> exports;  // the main module's, in source order
  // The region discipline the program was checked under (discipline.h).
  Discipline discipline = Discipline::Subtyping;
  // Disciplines with a covariant Effect token: the statements (by Expr id)
  // that run in a region outliving their block's, with the number of runIO
  // levels between the two (the lowering runs them in that ancestor).
  std::map<uint32_t, int> region_hops;
  // Such statements whose ancestor is not a runIO nesting (a bound written
  // in a signature): the lowering gate reports them (E0901).
  std::vector<std::pair<int, source::Span>> unresolved_hops;  // (module, span)
};

// Checks a program: `modules` in dependency order (every module after the
// ones it imports), the main module last. Reports into `diags`; the result is
// usable for lowering only when no error was reported.
auto Check(const std::vector<const parse::Module*>& modules, diag::Diagnostics& diags,
           Discipline discipline = Discipline::Subtyping) -> std::unique_ptr<CheckedModule>;
// A program of one module.
auto Check(const parse::Module& module, diag::Diagnostics& diags) -> std::unique_ptr<CheckedModule>;

// How a value of type `t` crosses the host boundary (runtime/abi/atoll_embed.h
// defines the same codes): `i` Int, `f` Float, `b` Bool, `c` Char, `s`
// String, `u` (), `L<t>` List, `T<n><t1>..<tn>` an n-tuple (n from 2 to 9),
// `P<t>` Promise, `R{f:<t>,g:<t>}` a record (fields sorted by name).
// nullopt for a type that cannot cross.
auto BoundaryCode(Type* t) -> std::optional<std::string>;

// The main module's `export` lines (exports.cpp): each names a top-level
// function of the module whose parameter and result types are sendable and
// can cross the boundary (E0201, E0602, E0603); fills checked.exports. Run
// by Check after inference.
void CheckExports(CheckedModule& checked, diag::Diagnostics& diags);

// The lowering gate (subset.cpp): reports E0901 "not supported yet" for
// well-typed constructs the back end cannot compile yet. Run by `atoll
// build`/`run` only, after Check succeeded; `atoll check` is the full language.
void GateForLowering(const CheckedModule& checked, diag::Diagnostics& diags);

// Top-level values whose computation needs their own value, directly or
// through other values and saturated calls of functions (values.cpp, rule
// in docs/typing.md): E0212 once per cycle. Run by Check after inference.
void CheckValueCycles(const CheckedModule& checked, diag::Diagnostics& diags);

// `atoll check --dump=types`: one line `name : type` per top-level binding of
// the main module, as its signature would be written: a signature's variables
// keep their names, inferred ones are named in order of appearance (a b c ...
// for types, s t u ... for regions, d e ... for determinisms).
auto DumpTypes(const CheckedModule& checked) -> std::string;

// Whether `e` is a constant expression placed in read-only data: literals
// (a negated Int literal too), unit, nullary constructors, saturated
// constructor applications, tuples and lists of constants, through
// annotations. Records and `x :: xs` are not (yet). The Core translation
// makes exactly these `Static` data (lower/constants.cpp builds them), and
// the send analysis calls them static, so the two cannot drift apart.
auto IsStaticValue(const CheckedModule& checked, const parse::Expr* e) -> bool;

// Arity of a put primitive (putMVar, pushMVar, tryPutMVar: 2;
// putMVarTimeout: 3; the value put is the second argument), 0 for any
// other builtin.
auto PutArity(Builtin b) -> int;

// The send analysis (sends.cpp): fills `checked.put_sites`. Run by Check;
// meaningful when the program checked without errors. The rules are in
// docs/typing.md, "Send analysis".
void AnalyseSends(CheckedModule& checked);

// `atoll check --dump=puts`: one line per put site, in put_sites order,
// `file:line:col: putMVar: static|donate|copy (reason)`.
auto DumpPuts(const CheckedModule& checked) -> std::string;

// `FlattenApp`: `f a b`, `f a $ b` and `f $ a` as a head and its arguments.
// The checker and the lowering agree on this view, so `$` is application.
// A runIO body written as a one-parameter lambda (`runIO (\c -> ...)`),
// which under --regions=cast receives the parent-to-child cast.
auto IsRunIOCastBody(const parse::Expr* body) -> bool;

struct Spine {
  const parse::Expr* head = nullptr;
  std::vector<const parse::Expr*> args;
};
auto FlattenApp(const parse::Expr* e) -> Spine;

// A `let` binding that is a function value: it has parameters, is an
// action, or is bound to a lambda. Such a binding is a closure, so it may
// refer to itself and to the other function bindings of its run of
// consecutive ones (core/from_ast.cpp BindLet; the gate, subset.cpp). Returns
// its clauses (a lambda's parameters and body for `f = \x -> e`), or
// nothing for a plain value.
struct ClauseView {
  const std::vector<parse::Pattern*>* params;
  const parse::Expr* body;
};
auto LetFunctionClauses(const CheckedModule& checked, const parse::Decl* d)
    -> std::vector<ClauseView>;

// Renders a Builtin's source name.
auto BuiltinName(Builtin b) -> const char*;

}  // namespace atl::check

#endif  // ATOLL_CHECK_CHECK_H
