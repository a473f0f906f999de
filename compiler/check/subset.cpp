// The lowering gate: well-typed constructs the back end cannot compile yet
// get an E0901 "not supported yet" at their own location, so `atoll build`
// never reaches the lowering with something it would mis-compile. It runs
// only in `atoll build`/`run`, after a successful check: `atoll check`
// accepts the whole language.
//
// The rules follow from compiling effects by token passing without closures:
// an Effect value is performed where it appears, so it may only appear in a
// "run position" (a function body whose result is an Effect, a `do`
// statement, or a branch / `let` body of such a position); a function may
// only be called with exactly its number of parameters; a `let` value may
// only use bindings before it. Primitives, literals and constructs the
// lowering has no case for yet are listed in `Supported*` below.
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
// one with a runtime symbol, the ones it expands inline, runST and runIO.
auto SupportedPrimitive(Builtin b) -> bool {
  const PrimitiveInfo& p = Primitive(b);
  if (p.special) return b == Builtin::RunST || b == Builtin::RunIO;
  if (p.symbol[0] != '\0') return true;
  for (Builtin inl : {Builtin::Pure, Builtin::Exit, Builtin::Not, Builtin::NewRef, Builtin::ReadRef,
                      Builtin::WriteRef, Builtin::NewArray, Builtin::NewIntArray, Builtin::ReadArray,
                      Builtin::Index, Builtin::WriteArray, Builtin::SizeArray, Builtin::ArrayLength,
                      Builtin::Thaw})
    if (b == inl) return true;
  return false;
}

// Parameters of a primitive: arrows at bracket depth 0 of its type text.
auto PrimitiveArity(Builtin b) -> int {
  const PrimitiveInfo& p = Primitive(b);
  if (p.special) return b == Builtin::ParST ? 2 : 1;
  int depth = 0;
  int arity = 0;
  for (const char* c = p.type; *c != '\0'; ++c) {
    if (*c == '(' || *c == '{') ++depth;
    if (*c == ')' || *c == '}') --depth;
    if (depth == 0 && c[0] == '-' && c[1] == '>') ++arity;
  }
  return arity;
}

auto Irrefutable(const parse::Pattern* p) -> bool {
  switch (p->kind) {
    case parse::PatternKind::Var:
    case parse::PatternKind::Wildcard:
    case parse::PatternKind::Unit:
      return true;
    case parse::PatternKind::Annot:
      return Irrefutable(Cast<parse::AnnotPattern>(p)->pattern);
    case parse::PatternKind::Tuple:
      for (const parse::Pattern* e : Cast<parse::TuplePattern>(p)->elements)
        if (!Irrefutable(e)) return false;
      return true;
    case parse::PatternKind::Literal:
    case parse::PatternKind::Con:
    case parse::PatternKind::List:
    case parse::PatternKind::Cons:
    case parse::PatternKind::Record:
    case parse::PatternKind::Error:
      return false;
  }
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
      case RefKind::Global: return m_.functions[ref.index].arity;
      case RefKind::Builtin: return PrimitiveArity(ref.builtin);
      case RefKind::Constructor: return m_.constructors[ref.index].arity;
      case RefKind::Local:
      case RefKind::None: return 0;
    }
    return 0;
  }

  // Patterns the lowering cannot match on yet.
  void Pattern(const parse::Pattern* p) {
    switch (p->kind) {
      case parse::PatternKind::Literal:
        return;
      case parse::PatternKind::Record:
        for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields) Pattern(f.pattern);
        return;
      case parse::PatternKind::Annot:
        Pattern(Cast<parse::AnnotPattern>(p)->pattern);
        return;
      case parse::PatternKind::Con:
        for (const parse::Pattern* a : Cast<parse::ConPattern>(p)->args) Pattern(a);
        return;
      case parse::PatternKind::Tuple:
        for (const parse::Pattern* a : Cast<parse::TuplePattern>(p)->elements) Pattern(a);
        return;
      case parse::PatternKind::List:
        for (const parse::Pattern* a : Cast<parse::ListPattern>(p)->elements) Pattern(a);
        return;
      case parse::PatternKind::Cons:
        Pattern(Cast<parse::ConsPattern>(p)->head);
        Pattern(Cast<parse::ConsPattern>(p)->tail);
        return;
      case parse::PatternKind::Var:
      case parse::PatternKind::Wildcard:
      case parse::PatternKind::Unit:
      case parse::PatternKind::Error:
        return;
    }
  }

  void LocalDecls(const std::vector<parse::Decl*>& decls) {
    // Bindings may only use earlier ones: a binding is pending until its body
    // has been gated (so recursion, also of local functions, is reported).
    for (const parse::Decl* d : decls) {
      if (d->kind == parse::DeclKind::PatternBind)
        Unsupported(d->span, "pattern bindings in `let` are not supported by the code generator yet");
      if (m_.decl_locals[d->id] >= 0) pending_.insert(m_.decl_locals[d->id]);
    }
    for (const parse::Decl* d : decls) {
      const auto* v = parse::DynCast<parse::ValueDecl>(d);
      if (v == nullptr || m_.decl_locals[d->id] < 0) continue;
      if (v->clauses.size() > 1)
        Unsupported(v->span, "local functions with several clauses are not supported yet; "
                             "use `case` or define it at top level");
      const parse::Clause& clause = v->clauses.front();
      if (clause.params.empty()) {
        Expr(clause.body, false);
      } else {
        Closure(clause.params, clause.body, TypeOf(clause.body), v->span);
      }
      pending_.erase(m_.decl_locals[d->id]);
    }
  }

  void Closure(const std::vector<parse::Pattern*>& params, const parse::Expr* body, Type* result,
               source::Span span) {
    for (const parse::Pattern* p : params) {
      if (!Irrefutable(p))
        Unsupported(p->span, "only variables, `_` and `()` can be parameters of a lambda or local function yet");
    }
    const bool effect = IsCon(result, "Effect");
    if (params.size() + (effect ? 1 : 0) > kMaxClosureArity) {
      Unsupported(span, fmt::format("function values with more than {} parameters are not supported yet",
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
          Unsupported(e->span, "recursive `let` bindings are not supported yet; use a top-level function");
        } else if (ref.kind == RefKind::Global) {
          const check::Function& f = m_.functions[ref.index];
          if (f.arity + (f.effect ? 1 : 0) > static_cast<int>(kMaxClosureArity))
            Unsupported(e->span, fmt::format("`{}` has too many parameters to be used as a value yet", f.name));
        } else if (ref.kind == RefKind::Builtin && !SupportedPrimitive(ref.builtin)) {
          Unsupported(e->span, fmt::format("`{}` is not supported by the code generator yet", BuiltinName(ref.builtin)));
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
                        fmt::format("`{}` is not supported by the code generator yet", BuiltinName(ref.builtin)));
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
              const parse::Pattern* p = bind->pattern;
              if (!Irrefutable(p))
                Unsupported(p->span, "only irrefutable patterns (variables, `_`, `()`, tuples of them) "
                                     "can be bound in a do block yet");
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
        if (ref.kind == RefKind::Constructor && m_.constructors[ref.index].arity > static_cast<int>(kMaxClosureArity))
          Unsupported(e->span, "constructors with more than 8 fields cannot be used as values yet");
        return;
      }
      case ExprKind::Tuple:
        for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) Expr(x, false);
        return;
      case ExprKind::List:
        for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) Expr(x, false);
        return;
      case ExprKind::OpRef: {
        const BinaryOp op = Cast<parse::OpRefExpr>(e)->op;
        if (op == BinaryOp::Bind || op == BinaryOp::Then || op == BinaryOp::Dollar)
          Unsupported(e->span, "`(>>=)`, `(>>)` and `($)` as function values are not supported by the code "
                               "generator yet");
        return;
      }
      case ExprKind::RecordLit:
        for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields) Expr(f.value, false);
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

// Only what `main` reaches is compiled, so only that is gated (a Prelude
// function the back end cannot compile yet does not block other programs).
void GateForLowering(const CheckedModule& checked, diag::Diagnostics& diags) {
  Gate gate(checked, diags);
  std::vector<bool> reached(checked.functions.size(), false);
  std::vector<int> work;
  if (checked.main_index >= 0) work.push_back(checked.main_index);
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
}

}  // namespace atl::check
