// The Core optimiser: see README.md, "Optimiser". Each round analyses the
// whole program (what variables are bound to, who owns them, which
// functions are small, recursive, called once, which parameters are
// static), simplifies every reachable body once (simplify.cpp, inline.cpp),
// then drops dead code and trims captures. Rounds repeat until nothing
// changes, at most kMaxRounds times; then lambda lifting (lift.cpp).
#include <algorithm>
#include <unordered_set>
#include <vector>

#include "compiler/check/walk.h"
#include "compiler/core/lift.h"
#include "compiler/core/optimizer.h"
#include "compiler/core/util.h"

namespace atl::core::opt {

auto Optimizer::Run() -> OptimizeStats {
  stats_.size_before = ProgramSize();
  copy_budget_ = int64_t{kGrowthFactor} * stats_.size_before + kGrowthAllowance;
  for (int round = 0; round < kMaxRounds; ++round) {
    changed_ = false;
    Analyse();
    for (size_t f = 0; f < p_.functions.size(); ++f)
      if (p_.functions[f].body && live_[f]) Simplify(p_.functions[f].body, static_cast<int>(f));
    for (int l : reachable_lambdas_) {
      MapCaptures(l);
      // Copies made while simplifying add lambdas: the vector may move,
      // so the body is held outside it meanwhile.
      std::unique_ptr<Expr> body = std::move(p_.lambdas[l].body);
      if (body) Simplify(body, LambdaContext(l));
      p_.lambdas[l].body = std::move(body);
    }
    RemoveDeadCode();
    TrimCaptures();
    ++stats_.rounds;
    if (!changed_) break;
  }
  stats_.proved_indices = ProveIndices(p_);
  // After the prover: its marks are about values, which passing a record
  // as its fields does not change (record_loops.cpp).
  stats_.record_loops = UnboxRecordLoops(p_);
  const int lifted = LiftLocalFunctions(p_);
  stats_.lifted += lifted;
  if (lifted > 0 || stats_.record_loops > 0) RemoveDeadCode();
  // Last: it needs every call of a loop to be where it stays.
  stats_.fresh_lists = ReverseFreshLists(p_);
  StubDeadLambdas(p_);
  stats_.size_after = ProgramSize();
  return stats_;
}

void Optimizer::SetOwner(int v, int ctx) {
  if (static_cast<int>(owner_.size()) <= v) owner_.resize(p_.vars.size(), -1);
  owner_[v] = ctx;
}

auto Optimizer::Available(int v, int ctx) const -> bool {
  if (v < static_cast<int>(owner_.size()) && owner_[v] == ctx) return true;
  if (!IsLambdaContext(ctx)) return false;
  const auto& caps = p_.lambdas[ContextLambda(ctx)].captures;
  return std::find(caps.begin(), caps.end(), v) != caps.end();
}

auto Optimizer::ProgramSize() const -> int {
  const Reach reach = ReachedFromMain(p_);
  int n = 0;
  for (size_t f = 0; f < p_.functions.size(); ++f)
    if (reach.functions[f] && p_.functions[f].body) n += Size(p_, *p_.functions[f].body);
  return n;
}

void Optimizer::Analyse() {
  defs_.clear();
  subst_.clear();
  owner_.assign(p_.vars.size(), -1);
  group_of_.clear();
  reachable_lambdas_.clear();
  facts_.assign(p_.functions.size(), FunctionFacts{});
  uses_.assign(p_.vars.size(), 0);
  jumps_.assign(p_.labels, 0);
  std::vector<bool> seen(p_.lambdas.size(), false);
  callees_.assign(p_.functions.size(), {});
  indirect_self_.assign(p_.functions.size(), false);
  applies_.assign(p_.functions.size(), false);
  address_taken_.assign(p_.functions.size(), false);
  for (size_t f = 0; f < p_.functions.size(); ++f) {
    Function& fn = p_.functions[f];
    if (!fn.body) continue;
    int ctx = static_cast<int>(f);
    current_function_ = ctx;
    for (int v : fn.params) SetOwner(v, ctx);
    if (fn.region >= 0) SetOwner(fn.region, ctx);
    AnalyseExpr(*fn.body, ctx, seen, true);
    facts_[f].size = Size(p_, *fn.body);
  }
  UseCounter(p_, uses_, jumps_).Exprs(p_);
  AnalyseFunctions();
}

void Optimizer::AnalyseLambda(int l, std::vector<bool>& seen) {
  if (seen[l]) return;
  seen[l] = true;
  reachable_lambdas_.push_back(l);
  Lambda& lam = p_.lambdas[l];
  int ctx = LambdaContext(l);
  defs_[lam.self] = Def{RhsKind::Closure, l, {}};
  SetOwner(lam.self, ctx);
  for (int v : lam.params) SetOwner(v, ctx);
  if (lam.region >= 0) SetOwner(lam.region, ctx);
  if (lam.body) AnalyseExpr(*lam.body, ctx, seen, false);
}

void Optimizer::AnalyseRhs(const Rhs& r, int ctx, std::vector<bool>& seen, bool direct) {
  switch (r.kind) {
    case RhsKind::CallGlobal:
    case RhsKind::GlobalValue:
      callees_[current_function_].push_back(r.function());
      if (r.kind == RhsKind::CallGlobal && r.function() == current_function_ && direct)
        facts_[current_function_].self_calls = true;
      // A self call inside a lambda, or f as a value: not a loop of f's own.
      if (r.function() == current_function_ && (!direct || r.kind == RhsKind::GlobalValue))
        indirect_self_[current_function_] = true;
      ++facts_[r.function()].calls;
      if (r.kind == RhsKind::GlobalValue) address_taken_[r.function()] = true;
      break;
    case RhsKind::Closure:
      AnalyseLambda(r.lambda(), seen);
      break;
    case RhsKind::Apply:
      applies_[current_function_] = true;
      break;
    case RhsKind::Region:
      SetOwner(r.bound_region(), ctx);
      break;
    default:
      break;
  }
}

void Optimizer::AnalyseExpr(const Expr& e, int ctx, std::vector<bool>& seen, bool direct) {
  // Lambdas are analysed where their Closures are (AnalyseRhs), in their
  // own context.
  ForEachNode(e, [&](const Expr& x) {
    switch (x.kind) {
      case ExprKind::Let:
        AnalyseRhs(x.rhs, ctx, seen, direct);
        SetOwner(x.var, ctx);
        Record(x.var, x.rhs);
        break;
      case ExprKind::LetRec:
        for (size_t i = 0; i < x.vars.size(); ++i) {
          SetOwner(x.vars[i], ctx);
          defs_[x.vars[i]] = Def{RhsKind::Closure, x.group[i].lambda(), {}};
          group_of_[x.group[i].lambda()] = x.vars;
        }
        for (const Rhs& r : x.group) AnalyseRhs(r, ctx, seen, direct);
        break;
      case ExprKind::Return:
        AnalyseRhs(x.rhs, ctx, seen, direct);
        break;
      case ExprKind::Join:
        for (int v : x.vars) SetOwner(v, ctx);
        break;
      case ExprKind::If:
      case ExprKind::Switch:
      case ExprKind::Jump:
      case ExprKind::Fail:
        break;
    }
  });
}

void Optimizer::Record(int var, const Rhs& r) {
  switch (r.kind) {
    case RhsKind::Atom:
      // Copy propagation, when the representations agree (else the let
      // is where the lowering converts).
      if (ReprOfVar(p_, var) == ReprOf(p_, r.args[0])) subst_[var] = r.args[0];
      break;
    case RhsKind::Closure:
      defs_[var] = Def{r.kind, r.lambda(), r.args};
      break;
    case RhsKind::GlobalValue:
      defs_[var] = Def{r.kind, r.function(), r.args};
      break;
    case RhsKind::Construct:
      defs_[var] = Def{r.kind, r.constructor(), r.args};
      break;
    case RhsKind::Tuple:
    case RhsKind::Cons:
    case RhsKind::Nil:
      defs_[var] = Def{r.kind, -1, r.args};
      break;
    default:
      break;
  }
}

void Optimizer::AnalyseFunctions() {
  const int n = static_cast<int>(p_.functions.size());
  // The call graph with one more node, `unknown`, for the unknown calls:
  // every function that makes one reaches it, and it reaches every
  // function used as a value (`hop` stored in a constructor and applied by
  // itself is recursive). Linear in the program, not in functions squared.
  const int unknown = n;
  std::vector<std::vector<int>> edges(n + 1);
  for (int f = 0; f < n; ++f) {
    edges[f] = callees_[f];
    if (applies_[f]) edges[f].push_back(unknown);
    if (address_taken_[f]) edges[unknown].push_back(f);
  }
  // Recursive: f reaches itself, so it is in a cycle of the graph.
  for (const std::vector<int>& component : check::StronglyConnected(edges)) {
    for (int f : component) {
      if (f == unknown) continue;
      facts_[f].recursive =
          component.size() > 1 ||
          std::find(callees_[f].begin(), callees_[f].end(), f) != callees_[f].end();
    }
  }
  for (int f = 0; f < n; ++f) {
    p_.functions[f].inline_candidate =
        p_.functions[f].body && !facts_[f].recursive &&
        (facts_[f].size <= small_ || (facts_[f].calls == 1 && facts_[f].size <= kCalledOnceLimit));
  }
  for (int f = 0; f < n; ++f) FindStaticParams(f);
  // Only what main reaches is worth simplifying (all of it in a program
  // without main).
  const int main = p_.checked->main_index;
  live_.assign(n, main < 0);
  if (main >= 0 && main < n) {
    std::vector<bool> reached(n + 1, false);
    std::vector<int> stack{main};
    reached[main] = true;
    while (!stack.empty()) {
      const int g = stack.back();
      stack.pop_back();
      for (int h : edges[g])
        if (!reached[h]) {
          reached[h] = true;
          stack.push_back(h);
        }
    }
    for (int f = 0; f < n; ++f) live_[f] = reached[f];
  }
}

void Optimizer::FindStaticParams(int f) {
  FunctionFacts& facts = facts_[f];
  const Function& fn = p_.functions[f];
  facts.static_params.assign(fn.params.size(), true);
  if (!fn.body || !facts.self_calls || facts.size > kSpecialiseLimit) {
    facts.specialisable = false;
    return;
  }
  bool ok = true;
  ForEachDirectRhs(*fn.body, [&](const Rhs& r) {
    if (r.kind == RhsKind::GlobalValue && r.function() == f) ok = false;
    if (r.kind != RhsKind::CallGlobal || r.function() != f) return;
    if (r.region != fn.region) ok = false;  // a self call in another region
    for (size_t i = 0; i < fn.params.size() && i < r.args.size(); ++i)
      if (!r.args[i].IsVar() || r.args[i].var != fn.params[i]) facts.static_params[i] = false;
  });
  bool any = std::find(facts.static_params.begin(), facts.static_params.end(), true) !=
             facts.static_params.end();
  facts.specialisable = ok && any && !indirect_self_[f];
}

void Optimizer::RemoveDeadCode() {
  uses_.assign(p_.vars.size(), 0);
  jumps_.assign(p_.labels, 0);
  UseCounter counter(p_, uses_, jumps_);
  counter.Exprs(p_);
  // Lambdas reachable now (copies made this round included).
  std::vector<int> lambdas = ReachableLambdas(p_);
  // Inner lambdas before the ones that build them, all before the
  // functions: a Closure dropped later takes away a body already cleaned.
  for (auto it = lambdas.rbegin(); it != lambdas.rend(); ++it) Dead(p_.lambdas[*it].body, counter);
  for (Function& f : p_.functions)
    if (f.body) Dead(f.body, counter);
}

void Optimizer::Dead(std::unique_ptr<Expr>& top, UseCounter& counter) {
  // Every node after everything below it (its uses are counted down by
  // then): down the continuations in a loop, recursion into the other
  // children, then back up the path (util.h).
  struct Step {
    std::unique_ptr<Expr>* slot;
    bool join_scope_below;  // a Join whose scope is below: its body waits for the jumps
  };
  std::vector<Step> path;
  for (std::unique_ptr<Expr>* slot = &top; slot != nullptr && *slot;) {
    Expr& e = **slot;
    std::unique_ptr<Expr>* continuation = ContinuationSlot(e);
    if (e.kind == ExprKind::Join && continuation != &e.next) {
      // The scope is a leaf: its jumps decide now whether the body stays.
      Dead(e.next, counter);
      if (jumps_[e.label] == 0) {
        counter.Expr(*e.join_body, -1);
        *slot = std::move(e.next);
        ++stats_.dead;
        changed_ = true;
        break;
      }
      path.push_back(Step{slot, false});
      slot = continuation;
      continue;
    }
    path.push_back(Step{slot, e.kind == ExprKind::Join});
    if (e.kind != ExprKind::Join)
      ForEachChildSlot(e, continuation,
                       [&](std::unique_ptr<Expr>* child) { Dead(*child, counter); });
    slot = continuation;
  }
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    std::unique_ptr<Expr>& slot = *it->slot;
    Expr& e = *slot;
    switch (e.kind) {
      case ExprKind::Let:
        if (e.rhs.body) Dead(e.rhs.body, counter);
        if (uses_[e.var] == 0 && IsPure(p_, e.rhs)) {
          counter.Rhs(e.rhs, -1);
          slot = std::move(e.next);
          ++stats_.dead;
          changed_ = true;
        }
        break;
      case ExprKind::LetRec: {
        // Dead when nothing outside the group uses its variables.
        const bool used_outside = CountUses(
            [&](UseCounter& c, int sign) {
              for (const Rhs& r : e.group) c.Rhs(r, sign);
            },
            [&](const std::vector<int>& inner) {
              return std::any_of(e.vars.begin(), e.vars.end(),
                                 [&](int v) { return uses_[v] != inner[v]; });
            });
        if (used_outside) break;
        for (const Rhs& r : e.group) counter.Rhs(r, -1);
        slot = std::move(e.next);
        ++stats_.dead;
        changed_ = true;
        break;
      }
      case ExprKind::Return:
        if (e.rhs.body) Dead(e.rhs.body, counter);
        break;
      case ExprKind::Join:
        if (!it->join_scope_below) break;
        if (jumps_[e.label] == 0) {
          counter.Expr(*e.join_body, -1);
          slot = std::move(e.next);
          ++stats_.dead;
          changed_ = true;
          break;
        }
        Dead(e.join_body, counter);
        break;
      case ExprKind::If:
      case ExprKind::Switch:
      case ExprKind::Jump:
      case ExprKind::Fail:
        break;
    }
  }
}

void Optimizer::TrimCaptures() {
  std::vector<int> lambdas = ReachableLambdas(p_);
  // What each variable is a closure of, now (copies made this round
  // included).
  closure_of_.clear();
  auto record = [&](int var, const Rhs& r) {
    if (r.kind == RhsKind::Closure) closure_of_[var] = r.lambda();
  };
  for (const Function& f : p_.functions)
    if (f.body) ForEachBinding(*f.body, record);
  for (int l : lambdas)
    if (p_.lambdas[l].body) ForEachBinding(*p_.lambdas[l].body, record);
  std::vector<bool> done(p_.lambdas.size(), false);
  for (int l : lambdas) Trim(l, done);
}

void Optimizer::Trim(int l, std::vector<bool>& done) {
  if (done[l]) return;
  done[l] = true;
  Lambda& lam = p_.lambdas[l];
  if (!lam.body) return;
  // Nested lambdas first: their captures are uses here.
  ForEachDirectRhs(*lam.body, [&](const Rhs& r) {
    if (r.kind == RhsKind::Closure) Trim(r.lambda(), done);
  });
  std::vector<int> kept = CountUses([&](UseCounter& c, int sign) { c.Expr(*lam.body, sign); },
                                    [&](const std::vector<int>& uses) {
                                      // A known closure used here keeps what it captures captured,
                                      // so a later round can inline it here (a specialised loop's
                                      // body).
                                      std::unordered_set<int> pinned;
                                      for (int c : lam.captures) {
                                        auto it = closure_of_.find(c);
                                        if (uses[c] > 0 && it != closure_of_.end())
                                          pinned.insert(p_.lambdas[it->second].captures.begin(),
                                                        p_.lambdas[it->second].captures.end());
                                      }
                                      std::vector<int> out;
                                      for (int c : lam.captures)
                                        if (uses[c] > 0 || pinned.count(c) != 0) out.push_back(c);
                                      return out;
                                    });
  if (kept != lam.captures) {
    lam.captures = std::move(kept);
    changed_ = true;
  }
}

}  // namespace atl::core::opt

namespace atl::core {

auto Optimize(Program& program, int level) -> OptimizeStats {
  if (level <= 0) return {};
  return opt::Optimizer(program, level).Run();
}

}  // namespace atl::core
