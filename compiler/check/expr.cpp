// Inference for expressions and `do` blocks.
#include <fmt/core.h>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::BinaryOp;
using parse::Cast;
using parse::ExprKind;

auto Checker::Lookup(const std::string& name) -> const Binding* {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return &found->second;
  }
  return nullptr;
}

auto Checker::TypeOf(const parse::Expr* e) -> Type* { return out_.expr_types[e->id]; }

auto Checker::Record(const parse::Expr* e, Type* t) -> Type* {
  out_.expr_types[e->id] = t;
  return t;
}

void Checker::Unsupported(source::Span span, const std::string& what) {
  diags_.Report(diag::Kind::Unsupported, file_, span, what);
}

auto Checker::UnifyAt(Type* expected, Type* actual, source::Span span, const std::string& what)
    -> bool {
  UnifyResult r = Unify(expected, actual);
  if (r) return true;
  TypePrinter p;
  const std::string want = p.Print(expected);
  const std::string got = p.Print(actual);
  const std::string inner_left = p.Print(r.left);
  const std::string inner_right = p.Print(r.right);
  const std::string context = what.empty() ? "" : " in " + what;
  auto add_inner = [&](diag::Diagnostic& d) {
    if (inner_left != want || inner_right != got)
      d.AddNote(fmt::format("`{}` and `{}` differ", inner_left, inner_right));
  };
  switch (r.status) {
    case UnifyStatus::Ok:
      return true;
    case UnifyStatus::Mismatch:
      add_inner(diags_.Report(diag::Kind::TypeMismatch, file_, span,
                              fmt::format("type mismatch{}: expected `{}`, found `{}`", context, want, got)));
      break;
    case UnifyStatus::Occurs:
      diags_.Report(diag::Kind::InfiniteType, file_, span,
                    fmt::format("infinite type{}: `{}` would contain itself in `{}`", context,
                                inner_left, inner_right));
      break;
    case UnifyStatus::RigidMismatch:
      add_inner(diags_.Report(diag::Kind::RigidTypeVariable, file_, span,
                              fmt::format("type mismatch{}: expected `{}`, found `{}`", context, want, got))
                    .AddNote("a type variable of a signature stands for any type; it cannot be fixed here"));
      break;
    case UnifyStatus::KindMismatch:
      diags_.Report(diag::Kind::KindMismatch, file_, span,
                    fmt::format("kind mismatch{}: `{}` and `{}` are different kinds of type", context,
                                inner_left, inner_right));
      break;
  }
  return false;
}

void Checker::Expect(const parse::Expr* e, Type* expected) {
  // Push the expectation into branches so an error points at the branch.
  if (const auto* i = parse::DynCast<parse::IfExpr>(e)) {
    Expect(i->cond, arena_.Bool());
    Expect(i->then_branch, expected);
    Expect(i->else_branch, expected);
    Record(e, expected);
    return;
  }
  if (const auto* l = parse::DynCast<parse::LetExpr>(e)) {
    scopes_.emplace_back();
    CheckLetDecls(l->decls);
    Expect(l->body, expected);
    scopes_.pop_back();
    Record(e, expected);
    return;
  }
  if (const auto* c = parse::DynCast<parse::CaseExpr>(e)) {
    Type* scrutinee = Infer(c->scrutinee);
    for (const parse::CaseAlt& alt : c->alts) {
      scopes_.emplace_back();
      BindPattern(alt.pattern, scrutinee);
      Expect(alt.body, expected);
      scopes_.pop_back();
    }
    Record(e, expected);
    return;
  }
  if (const auto* d = parse::DynCast<parse::DoExpr>(e)) {
    InferDo(d, expected);
    return;
  }
  // An error inside `e` already explains why its type may be off; unify
  // silently so one mistake yields one diagnostic.
  const uint32_t errors_before = diags_.error_count();
  Type* actual = Infer(e);
  if (diags_.error_count() != errors_before) {
    Unify(expected, actual);
    return;
  }
  UnifyAt(expected, actual, e->span, "");
}

auto Checker::Infer(const parse::Expr* e) -> Type* {
  switch (e->kind) {
    case ExprKind::Var: {
      const auto* v = Cast<parse::VarExpr>(e);
      if (!v->qualifier.empty()) {
        Unsupported(e->span, "qualified names are not supported yet");
        return Record(e, arena_.NewVar(level_));
      }
      const Binding* b = Lookup(v->name);
      if (b == nullptr) {
        diags_.Report(diag::Kind::UnknownName, file_, e->span, fmt::format("unknown name `{}`", v->name));
        return Record(e, arena_.NewVar(level_));
      }
      out_.refs[e->id] = b->ref;
      return Record(e, Instantiate(arena_, b->scheme, level_));
    }
    case ExprKind::Con: {
      const auto* c = Cast<parse::ConExpr>(e);
      if (c->qualifier.empty() && (c->name == "True" || c->name == "False"))
        return Record(e, arena_.Bool());
      if (auto it = constructor_ids_.find(c->name); it != constructor_ids_.end() && c->qualifier.empty()) {
        out_.refs[e->id] = Ref{RefKind::Constructor, it->second, Builtin::Print};
        return Record(e, Instantiate(arena_, out_.constructors[it->second].scheme, level_));
      }
      diags_.Report(diag::Kind::UnknownConstructor, file_, e->span,
                    fmt::format("unknown constructor `{}`", c->name));
      return Record(e, arena_.NewVar(level_));
    }
    case ExprKind::Literal: {
      const auto* l = Cast<parse::LiteralExpr>(e);
      switch (l->literal.kind) {
        case parse::LiteralKind::Int: return Record(e, arena_.Int());
        case parse::LiteralKind::String: return Record(e, arena_.String());
        case parse::LiteralKind::Float:
          Unsupported(e->span, "Float literals are not supported yet");
          return Record(e, arena_.NewVar(level_));
        case parse::LiteralKind::Char:
          Unsupported(e->span, "Char literals are not supported yet");
          return Record(e, arena_.NewVar(level_));
      }
      return Record(e, arena_.NewVar(level_));
    }
    case ExprKind::Unit:
      return Record(e, arena_.Unit());
    case ExprKind::App:
      return InferApp(e, FlattenApp(e));
    case ExprKind::Binary:
      return InferBinary(Cast<parse::BinaryExpr>(e));
    case ExprKind::Negate:
      Expect(Cast<parse::NegateExpr>(e)->operand, arena_.Int());
      return Record(e, arena_.Int());
    case ExprKind::If:
    case ExprKind::Let:
    case ExprKind::Case:
    case ExprKind::Do: {
      Type* t = arena_.NewVar(level_);
      Expect(e, t);
      return t;
    }
    case ExprKind::Annot: {
      const auto* a = Cast<parse::AnnotExpr>(e);
      std::map<std::string, Type*> vars;
      Type* t = TypeFromSyntax(a->type, vars, Kind::Type);
      Expect(a->expr, t);
      return Record(e, t);
    }
    case ExprKind::Tuple: {
      std::vector<Type*> elements;
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) elements.push_back(Infer(x));
      return Record(e, arena_.Tuple(std::move(elements)));
    }
    case ExprKind::List: {
      Type* element = arena_.NewVar(level_);
      for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) Expect(x, element);
      return Record(e, arena_.List(element));
    }
    case ExprKind::Lambda: {
      const auto* lambda = Cast<parse::LambdaExpr>(e);
      scopes_.emplace_back();
      std::vector<Type*> params;
      for (const parse::Pattern* p : lambda->params) {
        params.push_back(arena_.NewVar(level_));
        BindPattern(p, params.back());
      }
      Type* body = Infer(lambda->body);
      scopes_.pop_back();
      return Record(e, arena_.Fun(params, body));
    }
    case ExprKind::OpRef:
      Unsupported(e->span, "operators as function values are not supported yet");
      return Record(e, arena_.NewVar(level_));
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
      Unsupported(e->span, "records are not supported yet");
      return Record(e, arena_.NewVar(level_));
    case ExprKind::Error:
      return Record(e, arena_.NewVar(level_));
  }
  return Record(e, arena_.NewVar(level_));
}

auto Checker::InferApp(const parse::Expr* e, const Spine& spine) -> Type* {
  Type* fn = Infer(spine.head);
  for (const parse::Expr* arg : spine.args) {
    Type* r = Resolve(fn);
    if (r->kind == TypeKind::Var && !r->rigid) {
      Type* fun = arena_.Fun(arena_.NewVar(level_), arena_.NewVar(level_));
      Unify(r, fun);
      r = fun;
    }
    if (r->kind != TypeKind::Fun) {
      diags_.Report(diag::Kind::NotAFunction, file_, arg->span,
                    fmt::format("too many arguments: the function's type is `{}`", ToString(TypeOf(spine.head))));
      Infer(arg);
      return Record(e, arena_.NewVar(level_));
    }
    Expect(arg, r->args[0]);
    fn = r->args[1];
  }
  return Record(e, fn);
}

auto Checker::InferBinary(const parse::BinaryExpr* e) -> Type* {
  auto both = [&](Type* t) {
    Expect(e->lhs, t);
    Expect(e->rhs, t);
  };
  switch (e->op) {
    case BinaryOp::Dollar:
      return InferApp(e, FlattenApp(e));
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::Add:
    case BinaryOp::Sub:
      both(arena_.Int());
      return Record(e, arena_.Int());
    case BinaryOp::Append:
      both(arena_.String());
      return Record(e, arena_.String());
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge: {
      Type* t = Infer(e->lhs);
      Expect(e->rhs, t);
      if (Type* r = Resolve(t); r->kind == TypeKind::Fun || IsCon(r, "Effect")) {
        diags_.Report(diag::Kind::UncomparableType, file_, e->op_span,
                      fmt::format("values of type `{}` cannot be compared", ToString(r)));
      }
      return Record(e, arena_.Bool());
    }
    case BinaryOp::And:
    case BinaryOp::Or:
      both(arena_.Bool());
      return Record(e, arena_.Bool());
    case BinaryOp::Then: {
      Type* s = arena_.NewVar(level_, Kind::Region);
      Type* d = arena_.NewVar(level_, Kind::Determinism);
      Expect(e->lhs, arena_.Effect(s, d, arena_.NewVar(level_)));
      Type* result = arena_.Effect(s, d, arena_.NewVar(level_));
      Expect(e->rhs, result);
      return Record(e, result);
    }
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
      Unsupported(e->op_span, "Float arithmetic is not supported yet");
      return Record(e, arena_.NewVar(level_));
    case BinaryOp::Cons: {
      Type* list = arena_.List(Infer(e->lhs));
      Expect(e->rhs, list);
      return Record(e, list);
    }
    case BinaryOp::Bind:
      Unsupported(e->op_span, "`>>=` is not supported yet; use `x <- e` in a do block");
      return Record(e, arena_.NewVar(level_));
  }
  return Record(e, arena_.NewVar(level_));
}

auto Checker::InferDo(const parse::DoExpr* e, Type* expected) -> Type* {
  // Every statement shares the block's region and determinism (plain
  // equality for now; the subtyping of issue 3 will relax determinism).
  Type* s = arena_.NewVar(level_, Kind::Region);
  Type* d = arena_.NewVar(level_, Kind::Determinism);
  Type* result = arena_.Effect(s, d, arena_.NewVar(level_));
  UnifyAt(expected, result, e->span, "the `do` block");
  scopes_.emplace_back();
  for (size_t i = 0; i < e->stmts.size(); ++i) {
    const parse::DoStmt* stmt = e->stmts[i];
    const bool last = i + 1 == e->stmts.size();
    switch (stmt->kind) {
      case parse::DoStmtKind::Bind: {
        const auto* bind = Cast<parse::BindStmt>(stmt);
        Type* t = arena_.NewVar(level_);
        Expect(bind->expr, arena_.Effect(s, d, t));
        BindPattern(bind->pattern, t);
        break;
      }
      case parse::DoStmtKind::Let:
        CheckLetDecls(Cast<parse::LetStmt>(stmt)->decls);
        break;
      case parse::DoStmtKind::Expr: {
        const auto* x = Cast<parse::ExprStmt>(stmt);
        Expect(x->expr, last ? result : arena_.Effect(s, d, arena_.NewVar(level_)));
        break;
      }
    }
  }
  scopes_.pop_back();
  return Record(e, result);
}

}  // namespace atl::check
