// Type checks a parsed module: name resolution, Hindley-Milner inference,
// and the gate that reports constructs the back end cannot compile yet.
#ifndef ATOLL_CHECK_CHECK_H
#define ATOLL_CHECK_CHECK_H

#include <memory>
#include <string>
#include <vector>

#include "compiler/check/type.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/ast.h"

namespace atl::check {

// Functions the runtime or the lowering provides directly.
enum class Builtin {
  Print,   // String -> Effect s Nondeterministic ()
  PutStr,  // String -> Effect s Nondeterministic ()
  Show,    // a -> String
  Not,     // Bool -> Bool
  Pure,    // a -> Effect s d a
  Exit,    // Int -> Effect s Nondeterministic a   (flushes stdout, ends the process)
};

// What a variable occurrence refers to.
enum class RefKind { None, Local, Global, Builtin, Constructor };
struct Ref {
  RefKind kind = RefKind::None;
  int index = -1;  // Local: local id; Global: index into functions; Constructor: into constructors
  Builtin builtin = Builtin::Print;
};

// A top-level definition. Invariants: every clause of `decl` has `arity`
// parameters; `effect` is true when the type after `arity` arrows is an
// Effect, in which case the compiled function takes a region handle.
struct Function {
  const parse::ValueDecl* decl = nullptr;
  std::string name;
  int arity = 0;
  bool effect = false;
  Type* type = nullptr;
};

// A constructor of a user `data` type. Constructors of one type are
// consecutive in CheckedModule::constructors, in declaration order.
struct Constructor {
  std::string name;
  std::string type_name;
  int type_index = 0;    // which data type (0-based, declaration order)
  int index = 0;         // position within its type
  int arity = 0;
  int sibling_count = 0; // constructors of the type
  Scheme scheme;         // forall params. field1 -> ... -> T params
};

// Everything later phases need from the checker, indexed by the AST's dense
// per-family ids. Types are read through Resolve.
struct CheckedModule {
  TypeArena arena;
  std::vector<Type*> expr_types;    // by Expr id; nullptr for unreached nodes
  std::vector<Ref> refs;            // by Expr id; meaningful for VarExpr
  std::vector<int> pattern_locals;  // by Pattern id: local bound by a VarPattern, else -1
  std::vector<int> decl_locals;     // by Decl id: local bound by a let ValueDecl, else -1
  int local_count = 0;
  std::vector<Function> functions;  // top-level definitions in source order
  std::vector<Constructor> constructors;
  std::vector<int> pattern_constructors;  // by Pattern id: constructor of a ConPattern, else -1
  int main_index = -1;              // index of `main` in functions, or -1
};

// Checks `module`, reporting into `diags`. The result is usable for lowering
// only when no error was reported.
auto Check(const parse::Module& module, diag::Diagnostics& diags) -> std::unique_ptr<CheckedModule>;

// `FlattenApp`: `f a b`, `f a $ b` and `f $ a` as a head and its arguments.
// The checker and the lowering agree on this view, so `$` is application.
struct Spine {
  const parse::Expr* head = nullptr;
  std::vector<const parse::Expr*> args;
};
auto FlattenApp(const parse::Expr* e) -> Spine;

// Renders a Builtin's source name.
auto BuiltinName(Builtin b) -> const char*;

}  // namespace atl::check

#endif  // ATOLL_CHECK_CHECK_H
