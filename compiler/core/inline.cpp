// The optimiser's inlining (top-level functions and lambdas, parameters
// substituted) and loop specialisation of self-recursive functions on
// their static arguments (README.md, "Optimiser").
#include <algorithm>
#include <unordered_set>
#include <vector>

#include "compiler/core/optimizer.h"

namespace atl::core::opt {

auto Optimizer::Inline(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
  if (r.kind == RhsKind::CallGlobal) {
    if (r.function() == ctx) return nullptr;
    const Function& f = p_.functions[r.function()];
    if (!f.body || (f.region >= 0) != (r.region >= 0)) return nullptr;
    if (f.inline_candidate) {
      const int limit =
          facts_[r.function()].calls == 1 ? std::max(small_, kCalledOnceLimit) : small_;
      if (!Affordable(*f.body, limit)) return nullptr;
      ++stats_.inlined;
      changed_ = true;
      return InlineFunction(r, ctx);
    }
    if (facts_[r.function()].specialisable) return Specialise(r, ctx);
    return nullptr;
  }
  if (r.kind == RhsKind::CallLocal && (p_.lambdas[r.lambda()].region >= 0) == (r.region >= 0))
    return InlineLambda(r, ctx);
  return nullptr;
}

void Optimizer::BindParameter(Copier& copy, int param, const Atom& arg,
                              std::vector<std::pair<int, Atom>>& lets) {
  if (ReprOfVar(p_, param) == ReprOf(p_, arg)) {
    copy.Substitute(param, arg);
  } else {
    lets.emplace_back(copy.Rename(param), arg);
  }
}

auto Optimizer::WithLets(std::vector<std::pair<int, Atom>>& lets, std::unique_ptr<Expr> body)
    -> std::unique_ptr<Expr> {
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) {
    auto let = std::make_unique<Expr>();
    let->kind = ExprKind::Let;
    let->span = body->span;
    let->var = it->first;
    let->rhs.kind = RhsKind::Atom;
    let->rhs.args = {it->second};
    let->next = std::move(body);
    body = std::move(let);
  }
  return body;
}

auto Optimizer::NewCopier(int ctx) -> Copier {
  Copier copy(p_);
  copy.on_bind = [this, ctx](int v) { SetOwner(v, ctx); };
  return copy;
}

auto Optimizer::FileOfFunction(int f) const -> const source::SourceFile* {
  const size_t module = p_.checked->functions[f].module;
  return module < p_.checked->modules.size() ? p_.checked->modules[module]->file.get() : nullptr;
}

auto Optimizer::FileOfLambda(int l) const -> const source::SourceFile* {
  if (p_.lambdas[l].file != nullptr) return p_.lambdas[l].file;
  return p_.checked->modules.empty() ? nullptr : p_.checked->modules.back()->file.get();
}

auto Optimizer::FileOf(int ctx) const -> const source::SourceFile* {
  return IsLambdaContext(ctx) ? FileOfLambda(ContextLambda(ctx)) : FileOfFunction(ctx);
}

void Optimizer::KeepLocations(Copier& copy, const source::SourceFile* from, const Rhs& r,
                              int ctx) const {
  const source::SourceFile* to = FileOf(ctx);
  if (from != to) copy.OverrideSpans(r.span, to);
}

auto Optimizer::Affordable(const Expr& body, int limit) -> bool {
  const int size = SizeUpTo(p_, body, limit);
  if (size > limit || size > copy_budget_) return false;
  copy_budget_ -= size;
  stats_.copied += size;
  return true;
}

auto Optimizer::InlineFunction(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
  const Function& f = p_.functions[r.function()];
  Copier copy = NewCopier(ctx);
  KeepLocations(copy, FileOfFunction(r.function()), r, ctx);
  std::vector<std::pair<int, Atom>> lets;
  for (size_t i = 0; i < f.params.size(); ++i) BindParameter(copy, f.params[i], r.args[i], lets);
  if (f.region >= 0) copy.Substitute(f.region, Atom::Variable(r.region));
  return WithLets(lets, copy.CopyExpr(*f.body));
}

auto Optimizer::LambdaRecursive(int l) -> bool {
  const Lambda& lam = p_.lambdas[l];
  std::unordered_set<int> names{lam.self};
  if (auto it = group_of_.find(l); it != group_of_.end())
    names.insert(it->second.begin(), it->second.end());
  return CountUses([&](UseCounter& c, int sign) { c.Expr(*lam.body, sign); },
                   [&](const std::vector<int>& uses) {
                     for (int v : names)
                       if (uses[v] != 0) return true;
                     return false;
                   });
}

auto Optimizer::InlineLambda(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
  const int l = r.lambda();
  if (IsLambdaContext(ctx) && ContextLambda(ctx) == l) return nullptr;
  const Lambda& lam = p_.lambdas[l];
  if (!lam.body) return nullptr;
  const bool once = r.closure() < static_cast<int>(uses_.size()) && uses_[r.closure()] == 1;
  const int limit = once ? std::max(small_, kCalledOnceLimit) : small_;
  if (SizeUpTo(p_, *lam.body, limit) > limit) return nullptr;
  for (int c : lam.captures)
    if (!Available(c, ctx)) return nullptr;
  if (LambdaRecursive(l) || !Affordable(*lam.body, limit)) return nullptr;
  Copier copy = NewCopier(ctx);
  KeepLocations(copy, FileOfLambda(l), r, ctx);
  std::vector<std::pair<int, Atom>> lets;
  copy.Substitute(lam.self, Atom::Variable(r.closure()));
  for (size_t i = 0; i < lam.params.size(); ++i)
    BindParameter(copy, lam.params[i], r.args[i], lets);
  if (lam.region >= 0) copy.Substitute(lam.region, Atom::Variable(r.region));
  ++stats_.inlined;
  changed_ = true;
  const Expr* body = p_.lambdas[l].body.get();
  return WithLets(lets, copy.CopyExpr(*body));
}

auto Optimizer::Specialise(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
  const int f = r.function();
  const Function& fn = p_.functions[f];
  const FunctionFacts& facts = facts_[f];
  std::vector<bool> fixed(fn.params.size(), false);
  bool known = false;
  for (size_t i = 0; i < fn.params.size(); ++i) {
    if (!facts.static_params[i] || ReprOfVar(p_, fn.params[i]) != ReprOf(p_, r.args[i])) continue;
    fixed[i] = true;
    const Def* d = DefOf(r.args[i]);
    if (d != nullptr && (d->kind == RhsKind::Closure || d->kind == RhsKind::GlobalValue))
      known = true;
  }
  if (!known || !Affordable(*fn.body, kSpecialiseLimit)) return nullptr;

  const int lambda = static_cast<int>(p_.lambdas.size());
  p_.lambdas.emplace_back();
  Copier copy = NewCopier(LambdaContext(lambda));
  // The loop belongs to the caller's file (the known function inlined
  // into it later keeps its locations); f's code reports the call.
  Lambda loop;
  loop.name = p_.checked->functions[f].name;
  loop.span = r.span;
  loop.file = FileOf(ctx);
  KeepLocations(copy, FileOfFunction(f), r, ctx);
  check::Type* type = p_.checked->functions[f].type;
  loop.result = type ? check::SplitFun(type, static_cast<int>(fn.params.size())).second : nullptr;
  loop.self = p_.NewVar(loop.name, type);
  SetOwner(loop.self, LambdaContext(lambda));
  auto capture = [&](int v) {
    if (std::find(loop.captures.begin(), loop.captures.end(), v) == loop.captures.end())
      loop.captures.push_back(v);
  };
  std::vector<Atom> dynamic_args;
  for (size_t i = 0; i < fn.params.size(); ++i) {
    if (fixed[i]) {
      copy.Substitute(fn.params[i], r.args[i]);
      if (!r.args[i].IsVar()) continue;
      capture(r.args[i].var);
      // What the known closure captures comes along, so it can be
      // inlined into the loop.
      const Def* d = DefOf(r.args[i]);
      if (d != nullptr && d->kind == RhsKind::Closure) {
        const auto& caps = p_.lambdas[d->index].captures;
        if (std::all_of(caps.begin(), caps.end(), [&](int c) { return Available(c, ctx); }))
          for (int c : caps) capture(c);
      }
    } else {
      loop.params.push_back(copy.Rename(fn.params[i]));
      dynamic_args.push_back(r.args[i]);
    }
  }
  if (fn.region >= 0) loop.region = copy.Rename(fn.region);
  loop.body = copy.CopyExpr(*fn.body);
  RedirectSelfCalls(*loop.body, f, fixed, lambda, loop.self);
  p_.lambdas[lambda] = std::move(loop);

  // let g = Closure{loop} in return CallLocal g dynamic_args
  int closure = p_.NewVar(p_.checked->functions[f].name, type);
  SetOwner(closure, ctx);
  auto call = std::make_unique<Expr>();
  call->kind = ExprKind::Return;
  call->span = r.span;
  call->rhs.kind = RhsKind::CallLocal;
  call->rhs.span = r.span;
  call->rhs.SetLambda(lambda);
  call->rhs.SetClosure(closure);
  call->rhs.args = std::move(dynamic_args);
  call->rhs.region = r.region;
  auto let = std::make_unique<Expr>();
  let->kind = ExprKind::Let;
  let->span = r.span;
  let->var = closure;
  let->rhs.kind = RhsKind::Closure;
  let->rhs.span = r.span;
  let->rhs.SetLambda(lambda);
  let->next = std::move(call);
  ++stats_.specialised;
  changed_ = true;
  return let;
}

void Optimizer::RedirectSelfCalls(Expr& e, int f, const std::vector<bool>& fixed, int lambda,
                                  int self) {
  ForEachDirectRhs(e, [&](Rhs& r) {
    if (r.kind != RhsKind::CallGlobal || r.function() != f) return;
    std::vector<Atom> args;
    for (size_t i = 0; i < r.args.size(); ++i)
      if (!fixed[i]) args.push_back(r.args[i]);
    r.kind = RhsKind::CallLocal;
    r.SetLambda(lambda);
    r.SetClosure(self);
    r.args = std::move(args);
  });
}

}  // namespace atl::core::opt
