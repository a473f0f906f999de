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
    case RefKind::Local:
    case RefKind::None: return 0;
  }
  return 0;
}

auto IsFunctionOrAction(Type* t) -> bool {
  t = Resolve(t);
  return t->kind == TypeKind::Fun || IsCon(t, "Effect");
}

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
    case parse::PatternKind::Literal:
    case parse::PatternKind::Con:
    case parse::PatternKind::Tuple:
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
auto Exhaustive(const std::vector<std::vector<const parse::Pattern*>>& rows) -> bool {
  bool seen_true = false;
  bool seen_false = false;
  for (const auto& row : rows) {
    bool all = true;
    for (const parse::Pattern* p : row) all = all && Irrefutable(p);
    if (all) return true;
    if (row.size() == 1) {
      seen_true = seen_true || BoolName(row[0]) == "True";
      seen_false = seen_false || BoolName(row[0]) == "False";
    }
  }
  return seen_true && seen_false;
}

}  // namespace

void Checker::GateFunction(const Function& f) {
  std::vector<std::vector<const parse::Pattern*>> rows;
  for (const parse::Clause& clause : f.decl->clauses)
    rows.emplace_back(clause.params.begin(), clause.params.end());
  if (f.arity > 0 && !Exhaustive(rows)) {
    diags_.Report(diag::Kind::NonExhaustive, file_, f.decl->name.span,
                  fmt::format("the clauses of `{}` do not cover every argument; an uncovered one "
                              "stops the program with a runtime error",
                              f.name));
  }
  for (const parse::Clause& clause : f.decl->clauses) Gate(clause.body, f.effect);
}

void Checker::Gate(const parse::Expr* e, bool run) {
  if (!run && IsCon(TypeOf(e), "Effect")) {
    Unsupported(e->span,
                "actions as values are not supported yet: run this action directly in a `do` "
                "block or as the body of a function returning an Effect");
    return;
  }
  switch (e->kind) {
    case ExprKind::Var: {
      const Ref& ref = out_.refs[e->id];
      if (ref.kind == RefKind::Local && pending_locals_.contains(ref.index)) {
        Unsupported(e->span, "recursive `let` values are not supported yet; use a top-level function");
      } else if (Arity(out_, ref) > 0) {
        Unsupported(e->span, fmt::format("functions as values are not supported yet: apply `{}` to "
                                         "all {} of its arguments",
                                         Cast<parse::VarExpr>(e)->name, Arity(out_, ref)));
      }
      return;
    }
    case ExprKind::App:
    case ExprKind::Binary: {
      const auto* bin = parse::DynCast<parse::BinaryExpr>(e);
      if (bin == nullptr || bin->op == BinaryOp::Dollar) {
        Spine spine = FlattenApp(e);
        const auto* head = parse::DynCast<parse::VarExpr>(spine.head);
        const int arity = head ? Arity(out_, out_.refs[head->id]) : 0;
        if (head == nullptr || arity == 0) {
          Unsupported(spine.head->span, "calling a function value is not supported yet");
        } else if (static_cast<int>(spine.args.size()) != arity) {
          Unsupported(e->span, fmt::format("partial application is not supported yet: `{}` takes {} "
                                           "argument{}, here it gets {}",
                                           head->name, arity, arity == 1 ? "" : "s", spine.args.size()));
        }
        for (const parse::Expr* arg : spine.args) Gate(arg, false);
        return;
      }
      const bool sequence = bin->op == BinaryOp::Then;
      if (bin->op >= BinaryOp::Eq && bin->op <= BinaryOp::Ge && IsFunctionOrAction(TypeOf(bin->lhs))) {
        diags_.Report(diag::Kind::UncomparableType, file_, bin->op_span,
                      fmt::format("values of type `{}` cannot be compared", ToString(TypeOf(bin->lhs))));
      }
      Gate(bin->lhs, sequence && run);
      Gate(bin->rhs, sequence && run);
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
      if (!Exhaustive(rows)) {
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
      std::vector<int> group;
      for (const parse::Decl* d : l->decls)
        if (out_.decl_locals[d->id] >= 0) group.push_back(out_.decl_locals[d->id]);
      pending_locals_.insert(group.begin(), group.end());
      for (const parse::Decl* d : l->decls) {
        if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
          Gate(v->clauses.front().body, false);
          pending_locals_.erase(out_.decl_locals[d->id]);
        }
      }
      Gate(l->body, run);
      return;
    }
    case ExprKind::Do: {
      for (const parse::DoStmt* stmt : Cast<parse::DoExpr>(e)->stmts) {
        switch (stmt->kind) {
          case parse::DoStmtKind::Bind: {
            const auto* bind = Cast<parse::BindStmt>(stmt);
            const parse::Pattern* p = bind->pattern;
            if (p->kind != parse::PatternKind::Var && p->kind != parse::PatternKind::Wildcard &&
                p->kind != parse::PatternKind::Unit)
              Unsupported(p->span, "only a variable, `_` or `()` can be bound in a do block yet");
            Gate(bind->expr, true);
            break;
          }
          case parse::DoStmtKind::Let:
            for (const parse::Decl* d : Cast<parse::LetStmt>(stmt)->decls) {
              if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
                pending_locals_.insert(out_.decl_locals[d->id]);
                Gate(v->clauses.front().body, false);
                pending_locals_.erase(out_.decl_locals[d->id]);
              }
            }
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
    case ExprKind::Con:
    case ExprKind::Literal:
    case ExprKind::Unit:
    case ExprKind::Tuple:
    case ExprKind::List:
    case ExprKind::Lambda:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
    case ExprKind::Error:
      return;  // leaves, or already reported by inference
  }
}

}  // namespace atl::check
