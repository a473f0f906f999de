#include "compiler/check/walk.h"

#include <algorithm>

namespace atl::check {

using parse::Cast;
using parse::ExprKind;

namespace {

void WalkDecls(const std::vector<parse::Decl*>& decls,
               const std::function<void(const parse::Expr*)>& visit) {
  for (const parse::Decl* d : decls) {
    if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
      for (const parse::Clause& c : v->clauses) ForEachExpr(c.body, visit);
    } else if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
      ForEachExpr(p->body, visit);
    }
  }
}

}  // namespace

void ForEachVar(const parse::Expr* e, const std::function<void(const parse::VarExpr*)>& visit) {
  ForEachExpr(e, [&](const parse::Expr* x) {
    if (x->kind == ExprKind::Var) visit(Cast<parse::VarExpr>(x));
  });
}

void ForEachChild(const parse::Expr* e, const std::function<void(const parse::Expr*)>& walk,
                  const std::function<void(const std::vector<parse::Decl*>&)>& decls) {
  switch (e->kind) {
    case ExprKind::Var:
      return;
    case ExprKind::Con:
    case ExprKind::Literal:
    case ExprKind::Unit:
    case ExprKind::OpRef:
    case ExprKind::Error:
      return;
    case ExprKind::Tuple:
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) walk(x);
      return;
    case ExprKind::List:
      for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) walk(x);
      return;
    case ExprKind::App: {
      const auto* app = Cast<parse::AppExpr>(e);
      walk(app->fn);
      for (const parse::Expr* x : app->args) walk(x);
      return;
    }
    case ExprKind::Lambda:
      walk(Cast<parse::LambdaExpr>(e)->body);
      return;
    case ExprKind::Let: {
      const auto* let = Cast<parse::LetExpr>(e);
      decls(let->decls);
      walk(let->body);
      return;
    }
    case ExprKind::If: {
      const auto* i = Cast<parse::IfExpr>(e);
      walk(i->cond);
      walk(i->then_branch);
      walk(i->else_branch);
      return;
    }
    case ExprKind::Case: {
      const auto* c = Cast<parse::CaseExpr>(e);
      walk(c->scrutinee);
      for (const parse::CaseAlt& alt : c->alts) walk(alt.body);
      return;
    }
    case ExprKind::Annot:
      walk(Cast<parse::AnnotExpr>(e)->expr);
      return;
    case ExprKind::Binary: {
      const auto* b = Cast<parse::BinaryExpr>(e);
      walk(b->lhs);
      walk(b->rhs);
      return;
    }
    case ExprKind::Negate:
      walk(Cast<parse::NegateExpr>(e)->operand);
      return;
    case ExprKind::RecordLit:
      for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields) walk(f.value);
      return;
    case ExprKind::RecordUpdate: {
      const auto* u = Cast<parse::RecordUpdateExpr>(e);
      walk(u->record);
      for (const parse::FieldInit& f : u->fields) walk(f.value);
      return;
    }
    case ExprKind::Field:
      walk(Cast<parse::FieldExpr>(e)->record);
      return;
    case ExprKind::Do:
      for (const parse::DoStmt* s : Cast<parse::DoExpr>(e)->stmts) {
        switch (s->kind) {
          case parse::DoStmtKind::Bind:
            walk(Cast<parse::BindStmt>(s)->expr);
            break;
          case parse::DoStmtKind::Let:
            decls(Cast<parse::LetStmt>(s)->decls);
            break;
          case parse::DoStmtKind::Expr:
            walk(Cast<parse::ExprStmt>(s)->expr);
            break;
        }
      }
      return;
  }
}

void ForEachExpr(const parse::Expr* e, const std::function<void(const parse::Expr*)>& visit) {
  visit(e);
  ForEachChild(
      e, [&](const parse::Expr* x) { ForEachExpr(x, visit); },
      [&](const std::vector<parse::Decl*>& decls) { WalkDecls(decls, visit); });
}

auto StronglyConnected(const std::vector<std::vector<int>>& edges)
    -> std::vector<std::vector<int>> {
  // Tarjan's algorithm, iterative so deep dependency chains cannot overflow
  // the stack.
  const int n = static_cast<int>(edges.size());
  std::vector<int> index(n, -1), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int counter = 0;
  for (int root = 0; root < n; ++root) {
    if (index[root] >= 0) continue;
    std::vector<std::pair<int, size_t>> work = {{root, 0}};
    index[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!work.empty()) {
      auto& [v, next] = work.back();
      if (next < edges[v].size()) {
        const int w = edges[v][next++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          work.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<int> component;
        int w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component.push_back(w);
        } while (w != v);
        std::sort(component.begin(), component.end());
        components.push_back(std::move(component));
      }
      const int done = v;
      work.pop_back();
      if (!work.empty()) low[work.back().first] = std::min(low[work.back().first], low[done]);
    }
  }
  return components;
}

}  // namespace atl::check
