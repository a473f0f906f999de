// The lowering gate: well-typed constructs the back end cannot compile yet
// get an E0901 "not supported yet" at their own location, so `atoll build`
// never reaches the lowering with something it would mis-compile.
//
// The rules follow from compiling effects by token passing without closures:
// an Effect value is performed where it appears, so it may only appear in a
// "run position" (a function body whose result is an Effect, a `do`
// statement, or a branch / `let` body of such a position); a function may
// only be called with exactly its number of parameters; a `let` value may
// only use bindings before it.
#include <fmt/core.h>

#include <set>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::BinaryOp;
using parse::Cast;
using parse::ExprKind;

namespace {

auto Arity(const CheckedModule& m, const Ref& ref) -> int {
  switch (ref.kind) {
    case RefKind::Global: return m.functions[ref.index].arity;
    case RefKind::Builtin: return 1;  // every builtin of the subset takes one argument
    case RefKind::Constructor: return m.constructors[ref.index].arity;
    case RefKind::Local:
    case RefKind::None: return 0;
  }
  return 0;
}

// Must agree with ATL_MAX_CLOSURE_ARITY in runtime/rt/apply.h.
constexpr size_t kMaxClosureArity = 8;

}  // namespace

namespace {

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

// Name of a `True`/`False` pattern, else "".
auto BoolName(const parse::Pattern* p) -> std::string {
  const auto* c = parse::DynCast<parse::ConPattern>(p);
  return c != nullptr && c->args.empty() ? c->name.text : "";
}

// Rows of patterns (one per clause or alternative) cover every value when
// some row is all irrefutable, or in a one-column match on Bool both
// constructors appear. (Exact coverage of nested patterns comes with ADTs.)
auto ExhaustiveColumn(const CheckedModule& m, const std::vector<std::vector<const parse::Pattern*>>& rows) -> bool;

// Several columns where only one is ever refutable (`map f []`, `map f (x ::
// xs)`) are as exhaustive as that column alone.
auto Exhaustive(const CheckedModule& m, const std::vector<std::vector<const parse::Pattern*>>& rows) -> bool {
  if (rows.empty() || rows.front().size() <= 1) return ExhaustiveColumn(m, rows);
  int refutable_column = -1;
  for (size_t c = 0; c < rows.front().size(); ++c) {
    for (const auto& row : rows) {
      if (c < row.size() && !Irrefutable(row[c])) {
        if (refutable_column >= 0 && refutable_column != static_cast<int>(c)) return ExhaustiveColumn(m, rows);
        refutable_column = static_cast<int>(c);
      }
    }
  }
  if (refutable_column < 0) return true;
  std::vector<std::vector<const parse::Pattern*>> column;
  for (const auto& row : rows) column.push_back({row[refutable_column]});
  return ExhaustiveColumn(m, column);
}

auto ExhaustiveColumn(const CheckedModule& m, const std::vector<std::vector<const parse::Pattern*>>& rows) -> bool {
  std::set<int> constructors;  // of a user type, each with irrefutable fields
  int needed = -1;
  bool seen_true = false;
  bool seen_false = false;
  bool seen_nil = false;
  bool seen_cons = false;
  for (const auto& row : rows) {
    bool all = true;
    for (const parse::Pattern* p : row) all = all && Irrefutable(p);
    if (all) return true;
    if (row.size() == 1) {
      seen_true = seen_true || BoolName(row[0]) == "True";
      seen_false = seen_false || BoolName(row[0]) == "False";
      if (const auto* l = parse::DynCast<parse::ListPattern>(row[0]); l && l->elements.empty()) seen_nil = true;
      if (const auto* c = parse::DynCast<parse::ConsPattern>(row[0]))
        seen_cons = seen_cons || (Irrefutable(c->head) && Irrefutable(c->tail));
      if (const auto* c = parse::DynCast<parse::ConPattern>(row[0]); c && m.pattern_constructors[c->id] >= 0) {
        bool fields = true;
        for (const parse::Pattern* a : c->args) fields = fields && Irrefutable(a);
        const Constructor& con = m.constructors[m.pattern_constructors[c->id]];
        needed = con.sibling_count;
        if (fields) constructors.insert(con.index);
      }
    }
  }
  return (seen_true && seen_false) || (seen_nil && seen_cons) ||
         static_cast<int>(constructors.size()) == needed;
}

}  // namespace

void Checker::GateFunction(const Function& f) {
  std::vector<std::vector<const parse::Pattern*>> rows;
  for (const parse::Clause& clause : f.decl->clauses)
    rows.emplace_back(clause.params.begin(), clause.params.end());
  if (f.arity > 0 && !Exhaustive(out_, rows)) {
    diags_.Report(diag::Kind::NonExhaustive, file_, f.decl->name.span,
                  fmt::format("the clauses of `{}` do not cover every argument; an uncovered one "
                              "stops the program with a runtime error",
                              f.name));
  }
  for (const parse::Clause& clause : f.decl->clauses) Gate(clause.body, f.effect);
}

void Checker::GateLocalDecls(const std::vector<parse::Decl*>& decls) {
  // Bindings may only use earlier ones: a binding is pending until its body
  // has been gated (so recursion, also of local functions, is reported).
  for (const parse::Decl* d : decls)
    if (out_.decl_locals[d->id] >= 0) pending_locals_.insert(out_.decl_locals[d->id]);
  for (const parse::Decl* d : decls) {
    const auto* v = parse::DynCast<parse::ValueDecl>(d);
    if (v == nullptr || out_.decl_locals[d->id] < 0) continue;
    const parse::Clause& clause = v->clauses.front();
    if (clause.params.empty()) {
      Gate(clause.body, false);
    } else {
      GateClosure(clause.params, clause.body, TypeOf(clause.body), v->span);
    }
    pending_locals_.erase(out_.decl_locals[d->id]);
  }
}

void Checker::GateClosure(const std::vector<parse::Pattern*>& params, const parse::Expr* body,
                          Type* result, source::Span span) {
  for (const parse::Pattern* p : params) {
    if (!Irrefutable(p))
      Unsupported(p->span, "only variables, `_` and `()` can be parameters of a lambda or local function yet");
  }
  const bool effect = IsCon(result, "Effect");
  if (params.size() + (effect ? 1 : 0) > kMaxClosureArity) {
    Unsupported(span, fmt::format("function values with more than {} parameters are not supported yet",
                                  kMaxClosureArity));
  }
  Gate(body, effect);
}

void Checker::Gate(const parse::Expr* e, bool run) {
  // An action in a value position becomes a closure that runs it, so its
  // inside is a run position.
  if (IsCon(TypeOf(e), "Effect")) run = true;
  switch (e->kind) {
    case ExprKind::Var: {
      const Ref& ref = out_.refs[e->id];
      if (ref.kind == RefKind::Local && pending_locals_.contains(ref.index)) {
        Unsupported(e->span, "recursive `let` bindings are not supported yet; use a top-level function");
      } else if (ref.kind == RefKind::Global) {
        const Function& f = out_.functions[ref.index];
        if (f.arity + (f.effect ? 1 : 0) > static_cast<int>(kMaxClosureArity))
          Unsupported(e->span, fmt::format("`{}` has too many parameters to be used as a value yet", f.name));
      }
      return;
    }
    case ExprKind::App:
    case ExprKind::Binary: {
      const auto* bin = parse::DynCast<parse::BinaryExpr>(e);
      if (bin == nullptr || bin->op == BinaryOp::Dollar) {
        Spine spine = FlattenApp(e);
        const int arity = Arity(out_, out_.refs[spine.head->id]);
        // A saturated call of a known function needs no closure for its head.
        if (arity == 0 || static_cast<int>(spine.args.size()) < arity) Gate(spine.head, false);
        for (const parse::Expr* arg : spine.args) Gate(arg, false);
        return;
      }
      const bool sequence = bin->op == BinaryOp::Then;
      Gate(bin->lhs, sequence && run);
      Gate(bin->rhs, sequence && run);
      return;
    }
    case ExprKind::Lambda: {
      const auto* lambda = Cast<parse::LambdaExpr>(e);
      auto [params, result] = SplitFun(TypeOf(e), static_cast<int>(lambda->params.size()));
      GateClosure(lambda->params, lambda->body, result, e->span);
      return;
    }
    case ExprKind::Negate:
      Gate(Cast<parse::NegateExpr>(e)->operand, false);
      return;
    case ExprKind::If: {
      const auto* i = Cast<parse::IfExpr>(e);
      Gate(i->cond, false);
      Gate(i->then_branch, run);
      Gate(i->else_branch, run);
      return;
    }
    case ExprKind::Case: {
      const auto* c = Cast<parse::CaseExpr>(e);
      std::vector<std::vector<const parse::Pattern*>> rows;
      for (const parse::CaseAlt& alt : c->alts) rows.push_back({alt.pattern});
      if (!Exhaustive(out_, rows)) {
        diags_.Report(diag::Kind::NonExhaustive, file_, e->span,
                      "the alternatives of this `case` do not cover every value; an uncovered one "
                      "stops the program with a runtime error");
      }
      Gate(c->scrutinee, false);
      for (const parse::CaseAlt& alt : c->alts) Gate(alt.body, run);
      return;
    }
    case ExprKind::Let: {
      const auto* l = Cast<parse::LetExpr>(e);
      GateLocalDecls(l->decls);
      Gate(l->body, run);
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
            Gate(bind->expr, true);
            break;
          }
          case parse::DoStmtKind::Let:
            GateLocalDecls(Cast<parse::LetStmt>(stmt)->decls);
            break;
          case parse::DoStmtKind::Expr:
            Gate(Cast<parse::ExprStmt>(stmt)->expr, true);
            break;
        }
      }
      return;
    }
    case ExprKind::Annot:
      Gate(Cast<parse::AnnotExpr>(e)->expr, run);
      return;
    case ExprKind::Con: {
      const Ref& ref = out_.refs[e->id];
      if (ref.kind == RefKind::Constructor && out_.constructors[ref.index].arity > static_cast<int>(kMaxClosureArity))
        Unsupported(e->span, "constructors with more than 8 fields cannot be used as values yet");
      return;
    }
    case ExprKind::Tuple:
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) Gate(x, false);
      return;
    case ExprKind::List:
      for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) Gate(x, false);
      return;
    case ExprKind::Literal:
    case ExprKind::Unit:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
    case ExprKind::Error:
      return;  // leaves, or already reported by inference
  }
}

}  // namespace atl::check
