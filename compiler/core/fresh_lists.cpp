// Accumulated lists reversed in place (README.md, "Fresh lists"). Runs
// once at the end of the optimiser, on the whole program.
//
// The Prelude's list builders (map, filter, zipWith, take, ...) are loops
// that cons each result onto an accumulator and return `reverse acc`: two
// cells per element, one of them garbage at once. The cells of `acc` were
// consed by the loop itself and nothing else can read them, so the reverse
// may relink them instead of copying: one cell per element.
//
// The rule. A function or lambda f (a loop: its tail self calls are
// jumps) with a List parameter p such that
//   - every call of f from outside f, and every self call of f that is not
//     in tail position, passes `[]` for p, and f is never used as a value
//     (for a lambda: its closure variables are only called; for a function:
//     no GlobalValue, and not exported to a host);
//   - every use of p in f's body (lambdas it builds included) is one of
//       `return f(.., p, ..)`           (a tail self call, p in its place),
//       `let c = h :: p` where c's one use is a tail self call's argument
//                                       in p's place (and h is not p),
//       `return reverse(p)` or `return reverseOnto(p, q)` (q not p);
// is called with p bound to a list of cells f consed itself, each read by
// no one but the next iteration (c has one use, p is used once per path,
// and never after the reverse, which is in tail position). Those reverses
// are marked `reverse_in_place`; the lowering calls
// atl_rt_list_reverse_in_place (runtime/rt/prims.cpp) for them.
//
// A loop whose accumulator a caller passes from elsewhere (a user's own
// `mapOnto f xs acc`) keeps the copying reverse.
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/check/type.h"
#include "compiler/core/util.h"
#include "compiler/parse/ast.h"

namespace atl::core {
namespace {

class FreshLists {
 public:
  explicit FreshLists(Program& p) : p_(p) {}

  auto Run() -> int {
    const check::CheckedModule& c = *p_.checked;
    for (size_t f = 0; f < c.functions.size(); ++f) {
      const check::Function& fn = c.functions[f];
      if (fn.module < 0 || static_cast<size_t>(fn.module) >= c.modules.size() ||
          c.modules[fn.module]->name.text != "Prelude")
        continue;
      if (fn.name == "reverse" && fn.arity == 1) reverse_ = static_cast<int>(f);
      if (fn.name == "reverseOnto" && fn.arity == 2) reverse_onto_ = static_cast<int>(f);
    }
    if (reverse_ < 0 && reverse_onto_ < 0) return 0;
    Analyse();
    const Reach reach = ReachedFromMain(p_);
    int marked = 0;
    for (size_t f = 0; f < p_.functions.size(); ++f) {
      Function& fn = p_.functions[f];
      if (!fn.body || !reach.functions[f] || f == static_cast<size_t>(reverse_) ||
          f == static_cast<size_t>(reverse_onto_))
        continue;
      marked += Loop(*fn.body, fn.params, static_cast<int>(f), -1, -1);
    }
    for (int l : ReachableLambdas(p_)) {
      Lambda& lam = p_.lambdas[l];
      if (!lam.body || lam.self < 0 || !reach.lambdas[l]) continue;
      marked += Loop(*lam.body, lam.params, -1, l, lam.self);
    }
    return marked;
  }

 private:
  struct Call {
    const Rhs* rhs;
    bool tail;  // a Return in tail position of `owner`'s body
    int owner_function, owner_lambda;
  };

  // Use counts, what Let binds, every call of each function and lambda,
  // and whether a function is ever a value.
  void Analyse() {
    uses_.assign(p_.vars.size(), 0);
    std::vector<int> jumps(static_cast<size_t>(p_.labels), 0);
    UseCounter(p_, uses_, jumps).Exprs(p_);
    for (const check::Export& e : p_.checked->exports) as_value_.insert(e.function);
    for (size_t f = 0; f < p_.functions.size(); ++f)
      if (p_.functions[f].body) Body(*p_.functions[f].body, static_cast<int>(f), -1);
    for (int l : ReachableLambdas(p_))
      if (p_.lambdas[l].body) Body(*p_.lambdas[l].body, -1, l);
  }

  void Body(const Expr& body, int function, int lambda) {
    std::unordered_set<const Expr*> tails;
    TailReturns(body, tails);
    // Every node of this body, Block and Region bodies included, lambdas not.
    ForEachNode(body, [&](const Expr& x) {
      auto rhs = [&](const Rhs& r, bool tail) {
        if (r.kind == RhsKind::CallGlobal)
          calls_[r.function()].push_back({&r, tail, function, lambda});
        if (r.kind == RhsKind::GlobalValue) as_value_.insert(r.function());
        if (r.kind == RhsKind::CallLocal)
          local_calls_[r.closure()].push_back({&r, tail, function, lambda});
        if (r.kind == RhsKind::Closure) closure_of_.emplace_back(-1, r.lambda());
      };
      if (x.kind == ExprKind::Let) {
        bound_[x.var] = &x.rhs;
        rhs(x.rhs, false);
        if (x.rhs.kind == RhsKind::Closure) closure_of_.back().first = x.var;
      }
      if (x.kind == ExprKind::Return) rhs(x.rhs, tails.count(&x) > 0);
      if (x.kind == ExprKind::LetRec)
        for (size_t i = 0; i < x.group.size(); ++i) {
          rhs(x.group[i], false);
          closure_of_.back().first = x.vars[i];
        }
    });
    // Block and Region rhs are walked by ForEachNode; their Returns are not
    // in `tails`. Uses inside Closure bodies are analysed with their lambda.
  }

  // The Return nodes in tail position of a body (not in Blocks).
  static void TailReturns(const Expr& body, std::unordered_set<const Expr*>& out) {
    std::vector<const Expr*> work{&body};
    while (!work.empty()) {
      const Expr* x = work.back();
      work.pop_back();
      switch (x->kind) {
        case ExprKind::Return:
          out.insert(x);
          break;
        case ExprKind::Let:
        case ExprKind::LetRec:
          work.push_back(x->next.get());
          break;
        case ExprKind::If:
          work.push_back(x->then_branch.get());
          work.push_back(x->else_branch.get());
          break;
        case ExprKind::Switch:
          for (const Alt& a : x->alts) work.push_back(a.body.get());
          if (x->else_branch) work.push_back(x->else_branch.get());
          break;
        case ExprKind::Join:
          work.push_back(x->next.get());
          work.push_back(x->join_body.get());
          break;
        case ExprKind::Jump:
        case ExprKind::Fail:
          break;
      }
    }
  }

  auto IsNil(const Atom& a) const -> bool {
    if (!a.IsVar()) return false;
    auto it = bound_.find(a.var);
    if (it == bound_.end()) return false;
    const Rhs& r = *it->second;
    if (r.kind == RhsKind::Nil) return true;
    if (r.kind != RhsKind::Static || r.expr == nullptr) return false;  // `[]` as static data
    const parse::Expr* e = r.expr;
    while (e->kind == parse::ExprKind::Annot) e = parse::Cast<parse::AnnotExpr>(e)->expr;
    return e->kind == parse::ExprKind::List && parse::Cast<parse::ListExpr>(e)->elements.empty();
  }

  auto IsList(int var) const -> bool {
    check::Type* t = p_.vars[var].type;
    if (t == nullptr) return false;
    t = check::Resolve(t);
    return t->kind == check::TypeKind::Con && check::IsCon(t, "List");
  }

  // The calls of f (function or lambda) and whether f is only ever called.
  auto CallsOf(int function, int lambda, int self, std::vector<Call>& out) const -> bool {
    if (function >= 0) {
      if (as_value_.count(function) > 0) return false;
      auto it = calls_.find(function);
      if (it != calls_.end()) out = it->second;
      return true;
    }
    // Every variable bound to a closure of the lambda, and its self, is used
    // only as the closure of a CallLocal of this lambda.
    std::vector<int> closures{self};
    for (const auto& [var, l] : closure_of_)
      if (l == lambda) {
        if (var < 0) return false;
        closures.push_back(var);
      }
    for (int v : closures) {
      auto it = local_calls_.find(v);
      const size_t n = it == local_calls_.end() ? 0 : it->second.size();
      if (static_cast<size_t>(uses_[v]) != n) return false;
      if (it == local_calls_.end()) continue;
      for (const Call& c : it->second) {
        if (c.rhs->lambda() != lambda) return false;
        out.push_back(c);
      }
    }
    return true;
  }

  auto IsSelf(const Call& c, int function, int lambda) const -> bool {
    return function >= 0 ? c.owner_function == function && c.owner_lambda < 0
                         : c.owner_lambda == lambda;
  }

  // Marks the reverses of f's accumulator parameters; returns how many
  // parameters qualified.
  auto Loop(Expr& body, const std::vector<int>& params, int function, int lambda, int self) -> int {
    std::vector<Call> calls;
    if (!CallsOf(function, lambda, self, calls)) return 0;
    int marked = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      const int p = params[i];
      if (!IsList(p)) continue;
      // The cells c = h :: p whose one use is a tail self call's argument i.
      std::unordered_set<int> cells;
      for (const auto& [var, r] : bound_)
        if (r->kind == RhsKind::Cons && r->args[1].IsVar() && r->args[1].var == p &&
            !(r->args[0].IsVar() && r->args[0].var == p) && uses_[var] == 1)
          cells.insert(var);
      bool ok = true;
      int accounted = 0;
      std::unordered_set<int> cells_passed;
      for (const Call& c : calls) {
        const Rhs& r = *c.rhs;
        if (r.args.size() != params.size()) {
          ok = false;
          break;
        }
        const Atom& a = r.args[i];
        if (IsSelf(c, function, lambda) && c.tail) {
          if (a.IsVar() && a.var == p) {
            ++accounted;
          } else if (a.IsVar() && cells.count(a.var) > 0) {
            cells_passed.insert(a.var);
          } else if (!IsNil(a)) {
            ok = false;
          }
        } else if (!IsNil(a)) {
          ok = false;  // an entry with an accumulator from elsewhere
        }
        if (!ok) break;
      }
      if (!ok) continue;
      // Each cell passed once: its Let is a use of p.
      accounted += static_cast<int>(cells_passed.size());
      // The reverses of p in tail position.
      std::vector<Rhs*> reverses;
      std::unordered_set<const Expr*> tails;
      TailReturns(body, tails);
      for (const Expr* t : tails) {
        auto* x = const_cast<Expr*>(t);
        Rhs& r = x->rhs;
        if (r.kind != RhsKind::CallGlobal || r.args.empty() || !r.args[0].IsVar() ||
            r.args[0].var != p)
          continue;
        const bool one = r.function() == reverse_ && r.args.size() == 1;
        const bool onto = r.function() == reverse_onto_ && r.args.size() == 2 &&
                          !(r.args[1].IsVar() && r.args[1].var == p);
        if (one || onto) reverses.push_back(&r);
      }
      accounted += static_cast<int>(reverses.size());
      // Nothing else uses p: no other call, capture, field or jump.
      if (reverses.empty() || accounted != uses_[p]) continue;
      for (Rhs* r : reverses) r->reverse_in_place = true;
      ++marked;
    }
    return marked;
  }

  Program& p_;
  int reverse_ = -1, reverse_onto_ = -1;
  std::vector<int> uses_;
  std::unordered_map<int, const Rhs*> bound_;
  std::unordered_map<int, std::vector<Call>> calls_;        // by function
  std::unordered_map<int, std::vector<Call>> local_calls_;  // by closure variable
  std::vector<std::pair<int, int>> closure_of_;             // (variable or -1, lambda)
  std::unordered_set<int> as_value_;                        // functions used as values
};

}  // namespace

auto ReverseFreshLists(Program& program) -> int { return FreshLists(program).Run(); }

}  // namespace atl::core
