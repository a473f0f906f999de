// The checker's working state, shared by check/*.cpp (internal header).
#ifndef ATOLL_CHECK_CHECKER_H
#define ATOLL_CHECK_CHECKER_H

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/check/unify.h"

namespace atl::check {

// One pass of inference over a module, then the lowering gate.
//
// Scopes are a stack of maps (builtins at the bottom, then top-level
// definitions, then one map per clause/let/case alternative/do block).
// Invariants: every Expr reached gets an entry in out.expr_types; every
// VarPattern reached gets a local id; after a reported error, inference
// continues with fresh variables so one mistake yields one diagnostic.
class Checker {
 public:
  Checker(const parse::Module& module, diag::Diagnostics& diags, CheckedModule& out);
  void Run();

 private:
  struct Binding {
    Ref ref;
    Scheme scheme;
  };
  using Scope = std::map<std::string, Binding>;

  // decl.cpp
  void AddBuiltins();
  void CollectTopLevel();
  void CheckAllFunctions();
  void CheckFunction(int index);
  void CheckMain();
  auto SplitParams(Type* type, int arity, const parse::ValueDecl* decl)
      -> std::pair<std::vector<Type*>, Type*>;
  void CheckLetDecls(const std::vector<parse::Decl*>& decls);

  // type_syntax.cpp: signature and annotation types. `vars` maps the type
  // variables seen so far to their (rigid) variables.
  auto TypeFromSyntax(const parse::Type* t, std::map<std::string, Type*>& vars, Kind kind)
      -> Type*;

  // expr.cpp
  auto Infer(const parse::Expr* e) -> Type*;
  void Expect(const parse::Expr* e, Type* expected);
  auto InferApp(const parse::Expr* e, const Spine& spine) -> Type*;
  auto InferBinary(const parse::BinaryExpr* e) -> Type*;
  auto InferDo(const parse::DoExpr* e, Type* expected) -> Type*;
  auto Record(const parse::Expr* e, Type* t) -> Type*;

  // pattern.cpp
  void BindPattern(const parse::Pattern* p, Type* t);
  void BindFresh(const std::vector<parse::Pattern*>& args);
  auto NewLocal(const std::string& name, Type* t) -> int;

  // subset.cpp: constructs inference accepts but the back end cannot lower.
  void Gate(const parse::Expr* e, bool run);
  void GateFunction(const Function& f);
  void GateLocalDecls(const std::vector<parse::Decl*>& decls);
  void GateClosure(const std::vector<parse::Pattern*>& params, const parse::Expr* body, Type* result,
                   source::Span span);

  // Reporting helpers.
  // Unifies and, on failure, reports "expected X, found Y" at `span`;
  // `what` names the thing checked ("the condition of `if`").
  auto UnifyAt(Type* expected, Type* actual, source::Span span, const std::string& what) -> bool;
  void Unsupported(source::Span span, const std::string& what);
  auto Lookup(const std::string& name) -> const Binding*;
  auto TypeOf(const parse::Expr* e) -> Type*;

  const parse::Module& module_;
  const source::SourceFile& file_;
  diag::Diagnostics& diags_;
  CheckedModule& out_;
  TypeArena& arena_;
  std::vector<Scope> scopes_;
  std::map<std::string, const parse::SignatureDecl*> signatures_;
  std::map<std::string, int> data_types_;    // name -> number of parameters
  std::map<std::string, int> constructor_ids_;  // name -> index in out_.constructors
  void CollectDataTypes();
  std::set<int> pending_locals_;  // let-bound locals not yet initialised (gate)
  int level_ = 1;
};

}  // namespace atl::check

#endif  // ATOLL_CHECK_CHECKER_H
