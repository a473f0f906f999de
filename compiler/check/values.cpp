// Top-level values that need themselves (E0212). A top-level value (no
// parameters, not an action) is evaluated where it is used, so a value
// whose evaluation needs its own value never finishes. The rule, in
// docs/typing.md ("Values that need themselves"):
//
// Evaluating a top-level definition *needs* the top-level definitions its
// body uses in evaluated positions: everywhere except inside lambdas and
// local function definitions (whose bodies run later, if ever). A use
// counts when it names a value or an action without parameters, or when it
// is a call of a function with at least as many arguments as its
// parameters (`f x`, `f $ x`); a function passed or stored as a value
// does not count (it is not called there). A saturated call needs what the
// function's body needs, so needs are followed through functions. Branches
// count, whichever is taken: the rule is syntactic, like the restrictions
// strict languages put on recursive value definitions. A cycle of needs
// through at least one value is an error, reported once per strongly
// connected group at its first value in source order, with the cycle from
// that value back to itself. Cycles of functions and actions alone are
// ordinary recursion.
#include <fmt/core.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/check/walk.h"

namespace atl::check {
namespace {

using parse::Cast;
using parse::ExprKind;

class ValueCycles {
 public:
  ValueCycles(const CheckedModule& checked, diag::Diagnostics& diags)
      : c_(checked), diags_(diags), needs_(checked.functions.size()) {}

  void Run() {
    for (size_t f = 0; f < c_.functions.size(); ++f) {
      const Function& fn = c_.functions[f];
      if (fn.decl == nullptr || fn.module >= static_cast<int>(c_.modules.size())) continue;
      for (const parse::Clause& clause : fn.decl->clauses) Needs(clause.body, needs_[f]);
      std::sort(needs_[f].begin(), needs_[f].end());
      needs_[f].erase(std::unique(needs_[f].begin(), needs_[f].end()), needs_[f].end());
    }
    for (const std::vector<int>& group : StronglyConnected(needs_)) {
      const bool cyclic = group.size() > 1 || std::binary_search(needs_[group[0]].begin(),
                                                                 needs_[group[0]].end(), group[0]);
      if (!cyclic) continue;
      // The group is sorted: its first value is the first in source order
      // (functions are numbered module by module, in source order).
      auto first = std::find_if(group.begin(), group.end(), [&](int f) { return IsValue(f); });
      if (first != group.end()) Report(*first, group);
    }
  }

 private:
  auto IsValue(int f) const -> bool {
    return c_.functions[f].arity == 0 && !c_.functions[f].effect;
  }

  // The top-level definitions `body` needs (see the comment at the top),
  // appended to `out`. Iterative: operator chains may be long.
  void Needs(const parse::Expr* body, std::vector<int>& out) const {
    std::vector<const parse::Expr*> work{body};
    auto decls = [&](const std::vector<parse::Decl*>& ds) {
      for (const parse::Decl* d : ds) {
        if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
          if (!LetFunctionClauses(c_, d).empty()) continue;  // a local function: runs later
          for (const parse::Clause& clause : v->clauses) work.push_back(clause.body);
        } else if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
          work.push_back(p->body);
        }
      }
    };
    while (!work.empty()) {
      const parse::Expr* e = work.back();
      work.pop_back();
      switch (e->kind) {
        case ExprKind::Var: {
          const Ref& ref = c_.refs[e->id];
          if (ref.kind == RefKind::Global && c_.functions[ref.index].arity == 0)
            out.push_back(ref.index);
          break;
        }
        case ExprKind::Con:
        case ExprKind::Literal:
        case ExprKind::Unit:
        case ExprKind::OpRef:
        case ExprKind::Error:
        case ExprKind::Lambda:  // its body runs when it is called
          break;
        case ExprKind::App: {
          const auto* app = Cast<parse::AppExpr>(e);
          Call(e, out);
          work.push_back(app->fn);
          work.insert(work.end(), app->args.begin(), app->args.end());
          break;
        }
        case ExprKind::Binary: {
          const auto* b = Cast<parse::BinaryExpr>(e);
          if (b->op == parse::BinaryOp::Dollar) Call(e, out);
          work.push_back(b->lhs);
          work.push_back(b->rhs);
          break;
        }
        case ExprKind::Tuple:
          for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) work.push_back(x);
          break;
        case ExprKind::List:
          for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) work.push_back(x);
          break;
        case ExprKind::Let: {
          const auto* let = Cast<parse::LetExpr>(e);
          decls(let->decls);
          work.push_back(let->body);
          break;
        }
        case ExprKind::If: {
          const auto* i = Cast<parse::IfExpr>(e);
          work.push_back(i->cond);
          work.push_back(i->then_branch);
          work.push_back(i->else_branch);
          break;
        }
        case ExprKind::Case: {
          const auto* c = Cast<parse::CaseExpr>(e);
          work.push_back(c->scrutinee);
          for (const parse::CaseAlt& alt : c->alts) work.push_back(alt.body);
          break;
        }
        case ExprKind::Annot:
          work.push_back(Cast<parse::AnnotExpr>(e)->expr);
          break;
        case ExprKind::Negate:
          work.push_back(Cast<parse::NegateExpr>(e)->operand);
          break;
        case ExprKind::RecordLit:
          for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields)
            work.push_back(f.value);
          break;
        case ExprKind::RecordUpdate: {
          const auto* u = Cast<parse::RecordUpdateExpr>(e);
          work.push_back(u->record);
          for (const parse::FieldInit& f : u->fields) work.push_back(f.value);
          break;
        }
        case ExprKind::Field:
          work.push_back(Cast<parse::FieldExpr>(e)->record);
          break;
        case ExprKind::Do:
          // Statements count as run: a `do` block inside a value is almost
          // always the body of runST.
          for (const parse::DoStmt* s : Cast<parse::DoExpr>(e)->stmts) {
            switch (s->kind) {
              case parse::DoStmtKind::Bind:
                work.push_back(Cast<parse::BindStmt>(s)->expr);
                break;
              case parse::DoStmtKind::Let:
                decls(Cast<parse::LetStmt>(s)->decls);
                break;
              case parse::DoStmtKind::Expr:
                work.push_back(Cast<parse::ExprStmt>(s)->expr);
                break;
            }
          }
          break;
      }
    }
  }

  // A call of a top-level function with all its arguments needs it.
  void Call(const parse::Expr* e, std::vector<int>& out) const {
    const Spine spine = FlattenApp(e);
    if (spine.head->kind != ExprKind::Var) return;
    const Ref& ref = c_.refs[spine.head->id];
    if (ref.kind != RefKind::Global) return;
    const int arity = c_.functions[ref.index].arity;
    if (arity > 0 && spine.args.size() >= static_cast<size_t>(arity)) out.push_back(ref.index);
  }

  // The shortest cycle from `value` back to itself inside its group.
  void Report(int value, const std::vector<int>& group) {
    std::vector<int> parent(c_.functions.size(), -1);
    std::vector<bool> in_group(c_.functions.size(), false);
    for (int f : group) in_group[f] = true;
    std::deque<int> queue{value};
    std::vector<bool> seen(c_.functions.size(), false);
    int last = -1;  // the node whose need closes the cycle
    while (!queue.empty() && last < 0) {
      const int f = queue.front();
      queue.pop_front();
      for (int g : needs_[f]) {
        if (!in_group[g]) continue;
        if (g == value) {
          last = f;
          break;
        }
        if (seen[g]) continue;
        seen[g] = true;
        parent[g] = f;
        queue.push_back(g);
      }
    }
    std::vector<int> path{value};
    for (int f = last; f != value && f >= 0; f = parent[f]) path.push_back(f);
    std::reverse(path.begin() + 1, path.end());
    path.push_back(value);
    std::string steps;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      const int to = path[i + 1];
      steps += fmt::format("{}`{}` {} `{}`", i > 0 ? ", " : "", c_.functions[path[i]].name,
                           c_.functions[to].arity == 0 ? "uses" : "calls", c_.functions[to].name);
    }
    const Function& fn = c_.functions[value];
    diag::Diagnostic& d = diags_.Report(
        diag::Kind::RecursiveValue, *c_.modules[fn.module]->file, fn.decl->name.span,
        fmt::format("the value `{}` needs itself to be computed: {}", fn.name, steps));
    for (size_t i = 1; i + 1 < path.size(); ++i) {
      const Function& g = c_.functions[path[i]];
      d.AddNote(*c_.modules[g.module]->file, g.decl->name.span,
                fmt::format("`{}` is defined here", g.name));
    }
  }

  const CheckedModule& c_;
  diag::Diagnostics& diags_;
  std::vector<std::vector<int>> needs_;  // by function: the functions it needs
};

}  // namespace

void CheckValueCycles(const CheckedModule& checked, diag::Diagnostics& diags) {
  ValueCycles(checked, diags).Run();
}

}  // namespace atl::check
