// Core: the typed, A-normal-form intermediate language between the checker
// and the LLVM lowering (see README.md in this folder).
//
// Shape. A function body is an `Expr` in tail position: a chain of `Let`s
// ending in a `Return`, a branch (`If`, `Switch`) whose arms are again tail
// expressions, a `Jump` to a join point, or a `Fail`. Every operand is an
// `Atom` (a variable or a literal); everything that computes is a `Rhs`
// bound by a `Let` (or returned by `Return`, which makes a call a tail call).
// A `Rhs` of kind `Block` holds a nested tail expression evaluated for its
// value (a non-tail `if`/`case`), so the lowering joins its arms in one
// place.
//
// Explicit closures: every lambda and local function is a `Lambda` of the
// program with its captured variables listed; a `Closure` rhs builds its
// function value from the current values of those variables. A `LetRec`
// binds a group of closures that may refer to each other and to themselves.
//
// Explicit effects: a function whose type ends in `Effect s d a` has a
// region parameter (the effect token); running an action is a call that
// passes a region variable. `Region` opens a new region (runST/runIO), binds
// it to a fresh region variable for its body and closes it after.
//
// Scoping: every variable is bound exactly once in the whole program (a
// parameter, a Let/LetRec/Join binding, a lambda's self, a Region's
// variable), so passes can key tables on variable ids. A lambda's body uses
// only its self, parameters, region, captures and what it binds itself;
// code copied by the optimiser is renamed to keep this. Join labels are
// unique too; a Jump targets a Join enclosing it in the same function body
// (never across a lambda or a Block).
//
// Typed: every variable carries its (checker) type; the lowering picks
// representations from it (unboxed Float, packed Bool arrays, pointer-free
// chunks).
#ifndef ATOLL_CORE_CORE_H
#define ATOLL_CORE_CORE_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/parse/ast.h"
#include "compiler/source/internal_check.h"
#include "compiler/source/source_file.h"

namespace atl::core {

// A variable of the program (ids index Program::vars). Region variables
// have `region` set and a null type.
struct VarInfo {
  std::string name;             // source name, or a made-up one ("t", "r")
  check::Type* type = nullptr;  // resolved checker type
  bool region = false;
};

enum class AtomKind : uint8_t { Var, Int, Char, String, Float, Unit, Bool };

struct Atom {
  AtomKind kind = AtomKind::Unit;
  int var = -1;              // Var
  int64_t int_value = 0;     // Int; Char (code point); Bool (0/1)
  double float_value = 0;    // Float
  std::string string_value;  // String (UTF-8)

  static auto Variable(int v) -> Atom {
    Atom a;
    a.kind = AtomKind::Var;
    a.var = v;
    return a;
  }
  static auto Int(int64_t n) -> Atom {
    Atom a;
    a.kind = AtomKind::Int;
    a.int_value = n;
    return a;
  }
  static auto Bool(bool b) -> Atom {
    Atom a;
    a.kind = AtomKind::Bool;
    a.int_value = b ? 1 : 0;
    return a;
  }
  static auto UnitValue() -> Atom { return Atom{}; }
  auto IsVar() const -> bool { return kind == AtomKind::Var; }
};

struct Expr;

// What a `Rhs` computes. Operand atoms are in `args` unless said otherwise.
// The numbers a kind names (a function, a lambda, a constructor, a field
// position, a closure or region variable) are read and written through
// Rhs's typed accessors, which check the kind.
enum class RhsKind : uint8_t {
  Atom,         // args[0]
  CallGlobal,   // direct call of top-level function `function()` with args; `region` when it
                // is an action
  CallLocal,    // direct call of lambda `lambda()`'s code with the closure variable
                // `closure()` as self, args, `region`
  Apply,        // unknown call: function value args[0] applied to args[1..] (running an
                // action value passes the region as a last argument: `region` is set
                // and the lowering appends it as a word)
  Prim,         // primitive `prim` with args (and `region` when it is an action); `types`
                // holds each argument's type (element types decide array layouts)
  Construct,    // constructor `constructor()` of CheckedModule::constructors with args (any
                // arity)
  Nil,          // []
  Cons,         // args[0] :: args[1]
  Tuple,        // (args...)
  Record,       // record of type `type` with fields `names` = args
  Project,      // field `position()` of the tuple / constructor / cons cell args[0] (cons: 0
                // head, 1 tail)
  Field,        // field `names[0]` of the record args[0] (of type `type`)
  Update,       // { args[0] | names = args[1..] }, record type `type`
  Binary,       // args[0] `op` args[1], operands of type `type`; And/Or never appear
  Negate,       // -args[0] of type `type` (Int or Float)
  Closure,      // function value of lambda `lambda()` capturing its `captures` (current values)
  GlobalValue,  // function value of top-level function `function()` (a constant)
  PrimValue,    // function value of primitive `prim`
  ConValue,     // function value of constructor `constructor()` (arity > 0)
  OpValue,      // function value of operator `op` on operands of type `type`
  Static,       // the constant expression `expr` (check::IsStaticValue) as static data
  Region,       // binds the region variable `bound_region()` for `body` and evaluates it;
                // `prim` is RunST or RunIO. `ancestor()` 0: opens a new region and closes
                // it after; n > 0: the region n runIO levels above `region` (nothing is
                // opened or closed)
  Block,        // evaluates the tail expression `body` (non-tail if/case/let)
};

struct Rhs {
  RhsKind kind = RhsKind::Atom;
  source::Span span;
  std::vector<Atom> args;
  int region = -1;  // region variable passed to an action, or -1
  check::Builtin prim = check::Builtin::Print;
  // Prim of a put primitive: how its value reaches the other thread, as the
  // checker's send analysis decided for this call site (Copy when unknown).
  check::SendKind send = check::SendKind::Copy;
  parse::BinaryOp op = parse::BinaryOp::Add;
  check::Type* type = nullptr;
  std::vector<check::Type*> types;
  std::vector<std::string> names;
  const parse::Expr* expr = nullptr;  // Static
  std::unique_ptr<Expr> body;         // Region, Block
  // readArray/writeArray/index whose index is proved in bounds (bounds.cpp):
  // the lowering emits no check.
  bool proved_index = false;
  // Int + - * that cannot wrap at 63 bits where it runs (bounds.cpp): the
  // lowering tells LLVM (nsw), which then widens a loop counter to a
  // machine word with no sign extension per iteration.
  bool no_wrap = false;
  // A call of the Prelude's `reverse`/`reverseOnto` whose list only this
  // call reads, its cells consed by the loop that makes the call
  // (fresh_lists.cpp): the lowering relinks the cells in place.
  bool reverse_in_place = false;

  // Typed access to the numbers whose meaning depends on the kind. Each
  // checks the kind first: a pass that reads a lambda index from a call of
  // a top-level function stops with an internal error instead of reading
  // the wrong table. Set `kind` before calling a setter.
  auto function() const -> int { return Read(Is(RhsKind::CallGlobal, RhsKind::GlobalValue), id_); }
  auto lambda() const -> int { return Read(Is(RhsKind::CallLocal, RhsKind::Closure), id_); }
  auto constructor() const -> int { return Read(Is(RhsKind::Construct, RhsKind::ConValue), id_); }
  auto position() const -> int { return Read(Is(RhsKind::Project), id_); }
  auto ancestor() const -> int { return Read(Is(RhsKind::Region), id_); }
  auto closure() const -> int { return Read(Is(RhsKind::CallLocal), var_); }
  auto bound_region() const -> int { return Read(Is(RhsKind::Region), var_); }
  void SetFunction(int f) { Write(Is(RhsKind::CallGlobal, RhsKind::GlobalValue), id_, f); }
  void SetLambda(int l) { Write(Is(RhsKind::CallLocal, RhsKind::Closure), id_, l); }
  void SetConstructor(int c) { Write(Is(RhsKind::Construct, RhsKind::ConValue), id_, c); }
  void SetPosition(int i) { Write(Is(RhsKind::Project), id_, i); }
  void SetAncestor(int hops) { Write(Is(RhsKind::Region), id_, hops); }
  void SetClosure(int v) { Write(Is(RhsKind::CallLocal), var_, v); }
  void SetBoundRegion(int v) { Write(Is(RhsKind::Region), var_, v); }
  // Copies those numbers from an Rhs of the same kind (Copier).
  void CopyNumbersFrom(const Rhs& other) {
    ATL_CHECK(kind == other.kind, "copying the numbers of an Rhs of another kind");
    id_ = other.id_;
    var_ = other.var_;
  }

 private:
  auto Is(RhsKind a) const -> bool { return kind == a; }
  auto Is(RhsKind a, RhsKind b) const -> bool { return kind == a || kind == b; }
  static auto Read(bool kind_ok, int value) -> int {
    ATL_CHECK(kind_ok, "an Rhs field read for a kind that does not have it");
    return value;
  }
  static void Write(bool kind_ok, int& field, int value) {
    ATL_CHECK(kind_ok, "an Rhs field written for a kind that does not have it");
    field = value;
  }

  int id_ = -1;   // function / lambda / constructor / field position / ancestor hops
  int var_ = -1;  // CallLocal: the closure variable; Region: the region variable bound
};

enum class ExprKind : uint8_t {
  Let,     // let var = rhs in next
  LetRec,  // letrec vars[i] = rhs_group[i] (all Closure) in next
  Return,  // the value of rhs, in tail position
  If,      // if cond then then_branch else else_branch
  Switch,  // on the constructor of scrutinee: alts, then default (may be null)
  Join,    // join label(params) = join_body in next; `Jump` to it from inside next (and,
           // when `recursive`, from inside join_body: a loop)
  Jump,    // jump label(args)
  Fail,    // runtime error `message` at span (a failed match)
};

// One arm of a Switch: the scrutinee is constructor `constructor`, a
// constructor id of the checker (check.h): an index into
// CheckedModule::constructors, or `[]` (kNilAlt) or `::` (kConsAlt). Bools
// are tested by If, and `()` never is.
inline constexpr int kNilAlt = check::kConNil;
inline constexpr int kConsAlt = check::kConCons;
struct Alt {
  int constructor = 0;
  std::unique_ptr<Expr> body;
};

struct Expr {
  Expr() = default;
  Expr(Expr&&) = default;
  auto operator=(Expr&&) -> Expr& = default;
  // Takes the children apart one by one (util.cpp): a body can be a chain
  // or a nest as long as the program, too long for destruction by
  // recursion.
  ~Expr();

  ExprKind kind = ExprKind::Return;
  source::Span span;
  int var = -1;                       // Let
  std::vector<int> vars;              // LetRec: the closures bound; Join: parameters
  Rhs rhs;                            // Let, Return
  std::vector<Rhs> group;             // LetRec
  std::unique_ptr<Expr> next;         // Let, LetRec, Join (the scope)
  Atom cond;                          // If; Switch: the scrutinee
  std::unique_ptr<Expr> then_branch;  // If
  std::unique_ptr<Expr> else_branch;  // If; Switch: default (null when the alts are exhaustive)
  std::vector<Alt> alts;              // Switch
  int label = -1;                     // Join, Jump
  bool recursive = false;             // Join: join_body may jump to it (record_loops.cpp)
  std::unique_ptr<Expr> join_body;    // Join
  std::vector<Atom> args;             // Jump
  std::string message;                // Fail
};

// A lambda or local function, lifted: `self` is the closure itself
// (captures are read from it), `params` the parameters, `region` the region
// parameter when it is an action (-1 otherwise).
struct Lambda {
  std::string name;  // the local function's name, or "lambda"
  source::Span span;
  const source::SourceFile* file = nullptr;
  int self = -1;
  std::vector<int> params;
  int region = -1;
  std::vector<int> captures;  // free variables, stored after the code pointer
  check::Type* result = nullptr;
  std::unique_ptr<Expr> body;
};

// A top-level definition (index = check::Function index).
struct Function {
  std::vector<int> params;
  int region = -1;  // the effect token of an action, else -1
  std::unique_ptr<Expr> body;
  bool inline_candidate = false;  // set by the optimiser's analysis
};

struct Program {
  const check::CheckedModule* checked = nullptr;
  std::vector<VarInfo> vars;
  std::vector<Function> functions;  // parallel to checked->functions
  std::vector<Lambda> lambdas;
  int labels = 0;          // join labels are 0..labels-1
  check::TypeArena types;  // types Core makes up (Bool tests, local function types)

  auto NewVar(std::string name, check::Type* type) -> int {
    vars.push_back(VarInfo{std::move(name), type, false});
    return static_cast<int>(vars.size()) - 1;
  }
  auto NewRegion() -> int {
    vars.push_back(VarInfo{"r", nullptr, true});
    return static_cast<int>(vars.size()) - 1;
  }
};

// Translates a checked program (no errors, the gate passed) to Core.
auto FromChecked(const check::CheckedModule& checked) -> std::unique_ptr<Program>;

// Checks Core's invariants (every variable bound before use and in scope,
// jumps to enclosing join points with the right arity, captures complete,
// region arguments exactly for actions). Returns the problems, one per line;
// empty when the program is well formed.
auto Verify(const Program& program) -> std::string;

// The optimiser (optimize.cpp): inlining, known calls, dead code.
struct OptimizeStats {
  int inlined = 0, known_calls = 0, dead = 0, specialised = 0;
  int lifted = 0;                       // local functions whose captures became parameters
  int rounds = 0;                       // simplification rounds run (at most 12)
  int size_before = 0, size_after = 0;  // node counts of the code main reaches
  int copied = 0;                       // nodes inlining and specialisation copied (bounded)
  int proved_indices = 0;               // array accesses whose bounds check is proved away
  int record_loops = 0;                 // loops whose record parameters became their fields
  int fresh_lists = 0;                  // accumulators reversed in place
};
auto Optimize(Program& program, int level) -> OptimizeStats;

// The code `main` reaches (all of it in a program without main): the
// functions it calls or uses as values and the lambdas whose Closures that
// code builds, transitively. The optimiser simplifies and measures only
// this code; the lowering emits only this code.
struct Reach {
  std::vector<bool> functions;  // by function index
  std::vector<bool> lambdas;    // by lambda index
};
auto ReachedFromMain(const Program& program) -> Reach;

// Marks the array accesses whose index is proved in bounds (bounds.cpp;
// the optimiser runs it after its rounds). Returns how many it marked.
auto ProveIndices(Program& program) -> int;

// Loops that pass records to their next iteration pass the fields instead
// (record_loops.cpp; the optimiser runs it after ProveIndices). Returns how many
// functions and lambdas it changed.
auto UnboxRecordLoops(Program& program) -> int;

// Marks the `reverse acc` of loops that cons their own accumulator, for
// reversal in place (fresh_lists.cpp; the optimiser runs it last). Returns
// how many accumulators it found.
auto ReverseFreshLists(Program& program) -> int;

// `atoll build --dump=core`: the program as text, functions of the main
// module (all modules when `all`) and the lambdas they use.
auto Dump(const Program& program, bool all) -> std::string;

}  // namespace atl::core

#endif  // ATOLL_CORE_CORE_H
