// The lowering gate: well-typed constructs the back end cannot compile yet
// get an E0901 "not supported yet" at their own location, so `atoll build`
// never reaches the lowering with something it would mis-compile. It runs
// only in `atoll build`/`run`, after a successful check: `atoll check`
// accepts the whole language.
//
// What is left to refuse: function values of more than 8 parameters (the limit of atl_apply), and a
// `let` value that uses itself or a later binding (in a strict language it has no value yet;
// functions and actions, which are closures, may be recursive).
#include <fmt/core.h>

#include <set>

#include "compiler/check/check.h"
#include "compiler/check/walk.h"

namespace atl::check {

using parse::BinaryOp;
using parse::Cast;
using parse::ExprKind;

namespace {

// Must agree with ATL_MAX_CLOSURE_ARITY in runtime/rt/apply.h.
constexpr size_t kMaxClosureArity = 8;

// The primitives the lowering implements (lower/prims.cpp, CallPrim): every
// one with a runtime symbol, the ones it expands inline, and the rank-2 forms.
auto SupportedPrimitive(Builtin b) -> bool {
  const PrimitiveInfo& p = Primitive(b);
  if (p.special) return true;
  if (p.symbol[0] != '\0') return true;
  for (Builtin inl : {Builtin::Pure, Builtin::Exit, Builtin::Not, Builtin::NewRef, Builtin::ReadRef,
                      Builtin::WriteRef, Builtin::NewArray, Builtin::NewIntArray,
                      Builtin::ReadArray, Builtin::Index, Builtin::WriteArray, Builtin::SizeArray,
                      Builtin::ArrayLength, Builtin::Thaw, Builtin::CastRef, Builtin::CastArray})
    if (b == inl) return true;
  return false;
}

// One walk over the program's functions. Invariant: `file_` is the file of
// the function being walked.
class Gate {
 public:
  Gate(const CheckedModule& m, diag::Diagnostics& diags) : m_(m), diags_(diags) {}

  void Function(const check::Function& f) {
    file_ = m_.modules[f.module]->file.get();
    for (const parse::Clause& clause : f.decl->clauses) {
      for (const parse::Pattern* p : clause.params) Pattern(p);
      Expr(clause.body, f.effect);
    }
  }

 private:
  void Unsupported(source::Span span, const std::string& what) {
    diags_.Report(diag::Kind::Unsupported, *file_, span, what);
  }

  auto TypeOf(const parse::Expr* e) -> Type* { return m_.expr_types[e->id]; }

  auto Arity(const Ref& ref) -> int {
    switch (ref.kind) {
      case RefKind::Global:
        return m_.functions[ref.index].arity;
      case RefKind::Builtin:
        return Primitive(ref.builtin).arity;
      case RefKind::Constructor:
        return m_.constructors[ref.index].arity;
      case RefKind::BuiltinConstructor:
      case RefKind::Local:
      case RefKind::None:
        return 0;
    }
    return 0;
  }

  // Walks a pattern (every pattern can be matched now), collecting the
  // locals it binds into `bound` when given.
  void Pattern(const parse::Pattern* p, std::vector<int>* bound = nullptr) {
    switch (p->kind) {
      case parse::PatternKind::Record:
        for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields)
          Pattern(f.pattern, bound);
        return;
      case parse::PatternKind::Annot:
        Pattern(Cast<parse::AnnotPattern>(p)->pattern, bound);
        return;
      case parse::PatternKind::Con:
        for (const parse::Pattern* a : Cast<parse::ConPattern>(p)->args) Pattern(a, bound);
        return;
      case parse::PatternKind::Tuple:
        for (const parse::Pattern* a : Cast<parse::TuplePattern>(p)->elements) Pattern(a, bound);
        return;
      case parse::PatternKind::List:
        for (const parse::Pattern* a : Cast<parse::ListPattern>(p)->elements) Pattern(a, bound);
        return;
      case parse::PatternKind::Cons:
        Pattern(Cast<parse::ConsPattern>(p)->head, bound);
        Pattern(Cast<parse::ConsPattern>(p)->tail, bound);
        return;
      case parse::PatternKind::Var:
        if (bound != nullptr && m_.pattern_locals[p->id] >= 0)
          bound->push_back(m_.pattern_locals[p->id]);
        return;
      case parse::PatternKind::Literal:
      case parse::PatternKind::Wildcard:
      case parse::PatternKind::Unit:
      case parse::PatternKind::Error:
        return;
    }
  }

  void LocalDecls(const std::vector<parse::Decl*>& decls) {
    // A binding is pending until it is bound, in order (the Core
    // translation's order, core/from_ast.cpp BindLet): a value may only use earlier
    // bindings, a group of functions also each other.
    std::vector<int> bound;
    for (const parse::Decl* d : decls) {
      if (m_.decl_locals[d->id] >= 0) pending_.insert(m_.decl_locals[d->id]);
      if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) Pattern(p->pattern, &bound);
    }
    for (int local : bound) pending_.insert(local);
    for (size_t i = 0; i < decls.size();) {
      const parse::Decl* d = decls[i];
      if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
        Expr(p->body, false);
        std::vector<int> vars;
        Pattern(p->pattern, &vars);
        for (int local : vars) pending_.erase(local);
        ++i;
        continue;
      }
      if (LetFunctionClauses(m_, d).empty()) {
        if (const auto* v = parse::DynCast<parse::ValueDecl>(d);
            v != nullptr && m_.decl_locals[d->id] >= 0) {
          Expr(v->clauses.front().body, false);
          pending_.erase(m_.decl_locals[d->id]);
        }
        ++i;
        continue;
      }
      std::vector<std::pair<const parse::Decl*, std::vector<ClauseView>>> group;
      for (; i < decls.size(); ++i) {
        if (decls[i]->kind == parse::DeclKind::Signature) continue;
        std::vector<ClauseView> clauses = LetFunctionClauses(m_, decls[i]);
        if (clauses.empty()) break;
        pending_.erase(m_.decl_locals[decls[i]->id]);
        group.emplace_back(decls[i], std::move(clauses));
      }
      for (const auto& [decl, clauses] : group) {
        for (const ClauseView& clause : clauses)
          Closure(*clause.params, clause.body, TypeOf(clause.body), decl->span);
      }
    }
  }

  void Closure(const std::vector<parse::Pattern*>& params, const parse::Expr* body, Type* result,
               source::Span span) {
    for (const parse::Pattern* p : params) Pattern(p);
    const bool effect = IsCon(result, "Effect");
    if (params.size() + (effect ? 1 : 0) > kMaxClosureArity) {
      Unsupported(span,
                  fmt::format("function values with more than {} parameters are not supported yet",
                              kMaxClosureArity));
    }
    Expr(body, effect);
  }

  void Expr(const parse::Expr* e, bool run) {
    // An action in a value position becomes a closure that runs it, so its
    // inside is a run position.
    if (IsCon(TypeOf(e), "Effect")) run = true;
    switch (e->kind) {
      case ExprKind::Var: {
        const Ref& ref = m_.refs[e->id];
        if (ref.kind == RefKind::Local && pending_.contains(ref.index)) {
          Unsupported(
              e->span,
              fmt::format("`{}` is used before its binding has a value; only functions (bindings "
                          "with parameters, or actions) can refer to themselves or to later "
                          "bindings of their group",
                          Cast<parse::VarExpr>(e)->name));
        } else if (ref.kind == RefKind::Global) {
          const check::Function& f = m_.functions[ref.index];
          if (f.arity + (f.effect ? 1 : 0) > static_cast<int>(kMaxClosureArity))
            Unsupported(
                e->span,
                fmt::format("`{}` has too many parameters to be used as a value yet", f.name));
        } else if (ref.kind == RefKind::Builtin && !SupportedPrimitive(ref.builtin)) {
          Unsupported(e->span, fmt::format("`{}` is not supported by the code generator yet",
                                           BuiltinName(ref.builtin)));
        }
        return;
      }
      case ExprKind::App:
      case ExprKind::Binary: {
        const auto* bin = parse::DynCast<parse::BinaryExpr>(e);
        if (bin == nullptr || bin->op == BinaryOp::Dollar) {
          Spine spine = FlattenApp(e);
          const Ref& ref = m_.refs[spine.head->id];
          const int arity = Arity(ref);
          if (ref.kind == RefKind::Builtin && !SupportedPrimitive(ref.builtin)) {
            Unsupported(spine.head->span,
                        fmt::format("`{}` is not supported by the code generator yet",
                                    BuiltinName(ref.builtin)));
          } else if (arity == 0 || static_cast<int>(spine.args.size()) < arity) {
            // A saturated call of a known function needs no closure for its head.
            Expr(spine.head, false);
          }
          for (const parse::Expr* arg : spine.args) Expr(arg, false);
          return;
        }
        // `m >>= f` runs m, then f (a function returning an action).
        const bool sequence = bin->op == BinaryOp::Then || bin->op == BinaryOp::Bind;
        Expr(bin->lhs, sequence && run);
        Expr(bin->rhs, bin->op == BinaryOp::Then && run);
        return;
      }
      case ExprKind::Lambda: {
        const auto* lambda = Cast<parse::LambdaExpr>(e);
        auto [params, result] = SplitFun(TypeOf(e), static_cast<int>(lambda->params.size()));
        Closure(lambda->params, lambda->body, result, e->span);
        return;
      }
      case ExprKind::Negate:
        Expr(Cast<parse::NegateExpr>(e)->operand, false);
        return;
      case ExprKind::If: {
        const auto* i = Cast<parse::IfExpr>(e);
        Expr(i->cond, false);
        Expr(i->then_branch, run);
        Expr(i->else_branch, run);
        return;
      }
      case ExprKind::Case: {
        const auto* c = Cast<parse::CaseExpr>(e);
        Expr(c->scrutinee, false);
        for (const parse::CaseAlt& alt : c->alts) {
          Pattern(alt.pattern);
          Expr(alt.body, run);
        }
        return;
      }
      case ExprKind::Let: {
        const auto* l = Cast<parse::LetExpr>(e);
        LocalDecls(l->decls);
        Expr(l->body, run);
        return;
      }
      case ExprKind::Do: {
        for (const parse::DoStmt* stmt : Cast<parse::DoExpr>(e)->stmts) {
          switch (stmt->kind) {
            case parse::DoStmtKind::Bind: {
              const auto* bind = Cast<parse::BindStmt>(stmt);
              Pattern(bind->pattern);
              Expr(bind->expr, true);
              break;
            }
            case parse::DoStmtKind::Let:
              LocalDecls(Cast<parse::LetStmt>(stmt)->decls);
              break;
            case parse::DoStmtKind::Expr:
              Expr(Cast<parse::ExprStmt>(stmt)->expr, true);
              break;
          }
        }
        return;
      }
      case ExprKind::Annot:
        Expr(Cast<parse::AnnotExpr>(e)->expr, run);
        return;
      case ExprKind::Con: {
        const Ref& ref = m_.refs[e->id];
        if (ref.kind == RefKind::Constructor &&
            m_.constructors[ref.index].arity > static_cast<int>(kMaxClosureArity))
          Unsupported(e->span, "constructors with more than 8 fields cannot be used as values yet");
        return;
      }
      case ExprKind::Tuple:
        for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) Expr(x, false);
        return;
      case ExprKind::List:
        for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) Expr(x, false);
        return;
      case ExprKind::OpRef:
        return;
      case ExprKind::RecordLit:
        for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields)
          Expr(f.value, false);
        return;
      case ExprKind::RecordUpdate: {
        const auto* u = Cast<parse::RecordUpdateExpr>(e);
        Expr(u->record, false);
        for (const parse::FieldInit& f : u->fields) Expr(f.value, false);
        return;
      }
      case ExprKind::Field:
        Expr(Cast<parse::FieldExpr>(e)->record, false);
        return;
      case ExprKind::Literal:
      case ExprKind::Unit:
      case ExprKind::Error:
        return;
    }
  }

  const CheckedModule& m_;
  diag::Diagnostics& diags_;
  const source::SourceFile* file_ = nullptr;
  std::set<int> pending_;  // let-bound locals not yet initialised
};

}  // namespace

// Only what `main` reaches is compiled (everything in a library), so only that is gated (a Prelude
// function the back end cannot compile yet does not block other programs).
void GateForLowering(const CheckedModule& checked, diag::Diagnostics& diags) {
  Gate gate(checked, diags);
  std::vector<bool> reached(checked.functions.size(), false);
  std::vector<int> work;
  if (checked.main_index >= 0) {
    work.push_back(checked.main_index);
  } else {  // a library (docs/embedding.md): all of it is compiled
    for (size_t i = 0; i < checked.functions.size(); ++i) work.push_back(static_cast<int>(i));
  }
  while (!work.empty()) {
    const int f = work.back();
    work.pop_back();
    if (reached[f]) continue;
    reached[f] = true;
    for (const parse::Clause& clause : checked.functions[f].decl->clauses) {
      ForEachVar(clause.body, [&](const parse::VarExpr* v) {
        const Ref& r = checked.refs[v->id];
        if (r.kind == RefKind::Global && !reached[r.index]) work.push_back(r.index);
      });
    }
  }
  for (size_t i = 0; i < checked.functions.size(); ++i)
    if (reached[i]) gate.Function(checked.functions[i]);
  // A covariant Effect token (discipline.h): a statement whose region
  // outlives its block's only by a written bound has no runIO nesting the
  // lowering could follow to find that region at run time.
  for (const auto& [module, span] : checked.unresolved_hops)
    if (static_cast<size_t>(module) < checked.modules.size())
      diags.Report(
          diag::Kind::Unsupported, *checked.modules[module]->file, span,
          fmt::format(
              "under --regions={}, this action runs in a region that outlives the block's only "
              "by a bound written in a signature; the compiler can run an action only in a "
              "region opened by an enclosing runIO",
              Rules(checked.discipline).name));
}

}  // namespace atl::check
