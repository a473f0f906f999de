// Array index checks proved unnecessary (README.md, "Bounds checks"). Runs
// once after the optimiser's rounds, before lambda lifting, so a lambda's
// body still reads its captures under the names the enclosing code gave
// them and what is known there is known inside.
//
// An access `readArray a i`, `writeArray a i x` or `index a i` is marked
// `proved_index` (the lowering then emits no compare) when, where it runs,
//   - i >= 0, and
//   - i < m (or i <= m) is a guard that holds there, and the size of `a` is
//     at least m (more than m), known from `newArray m`/`newIntArray m`,
//     `sizeArray a`/`arrayLength a`, m + c with c >= 0 being such a size, or
//     a parameter relation every caller establishes.
// Facts come from the code that dominates the access: lets in scope (an
// array made by newArray has exactly that size), the branches of `if`s on
// Int comparisons (`==` and `/=` too: `i /= n` with `i <= n` is `i < n`),
// through `not` and the blocks `||` and `&&` become, and hypotheses about
// the parameters of functions and lambdas whose every call is known (none
// escapes as a value): `p >= 0`, `p < 2^k`, `size(p_a) >= p_m`,
// `size(p_a) > p_m`, `p <= q` (so `loop i n = if i == n then .. else
// loop (i + 1) n` started at 0 keeps `i <= n`). Hypotheses start true
// and are dropped until every call site establishes them assuming them
// (an inductive invariant, so loops are covered: `go (i + 1)` under
// `i < n` keeps `i >= 0` and `i < 2^31`). Int arithmetic wraps at 63 bits,
// so a sum or product is non-negative only when its operands are and their
// bounds leave no room to wrap; array sizes are below 2^32 (the header's
// size field) and newArray's argument below 2^31 (runtime/value/mutable.cpp,
// CheckedLength), which bounds an index guarded by a size.
//
// The same walk marks Int `+ - *` that cannot wrap (`Rhs::no_wrap`): both
// operands non-negative and their upper bounds leaving room (j + i under
// `j <= n` with n < 2^31). The lowering emits those as `nsw`, so LLVM
// widens the loop counter of a 63-bit loop to a 64-bit register.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/core/util.h"

namespace atl::core {
namespace {

constexpr int kUnknown = 99;  // no upper bound known
constexpr int kMaxDepth = 8;  // how far facts are chained

// Upper bounds are kept as "x < 2^k" on a few steps so hypotheses settle fast.
auto Snap(int k) -> int {
  for (int step : {31, 32, 61, 62})
    if (k <= step) return step;
  return kUnknown;
}

auto BitsOf(int64_t v) -> int {  // v >= 0: the least k with v < 2^k
  int k = 0;
  while (k < 63 && (v >> k) != 0) ++k;
  return k;
}

auto SameAtom(const Atom& a, const Atom& b) -> bool {
  if (a.kind != b.kind) return false;
  if (a.kind == AtomKind::Var) return a.var == b.var;
  if (a.kind == AtomKind::Int) return a.int_value == b.int_value;
  return false;
}

auto IsIntType(check::Type* t) -> bool {
  return t != nullptr && check::IsCon(check::Resolve(t), "Int");
}

// What a callable's every caller establishes about its parameters.
struct Hypotheses {
  std::vector<bool> nonneg;
  std::vector<int> upper;
  std::vector<std::pair<int, int>> size_ge;  // (array param, param): size(a) >= p
  std::vector<std::pair<int, int>> size_gt;  // size(a) > p
  std::vector<std::pair<int, int>> le;       // (Int params) p <= q
  auto operator==(const Hypotheses&) const -> bool = default;
};

struct Callable {
  std::vector<int> params;
  std::vector<bool> int_params;
  bool escapes = false;
  bool called = false;  // seen a call this iteration
  Hypotheses assumed, established;
};

enum class FactKind : uint8_t { Less, LessEq, Size, Ne };
struct Fact {
  FactKind kind;
  Atom a, b;  // Less/LessEq/Ne: a < b / a <= b / a != b; Size: array a has exactly b elements
};

class Prover {
 public:
  explicit Prover(Program& p) : p_(p) {}

  auto Run() -> int {
    Collect();
    // Descending iteration to the greatest inductive set of hypotheses.
    bool settled = false;
    for (int iteration = 0; iteration < 16 && !settled; ++iteration) {
      for (Callable& c : callables_) {
        c.called = false;
        c.established = Top(c);
      }
      WalkProgram(false);
      settled = true;
      for (Callable& c : callables_) {
        Hypotheses next = c.escapes ? Bottom(c) : c.established;
        if (!c.called && !c.escapes) next = c.assumed;  // never called: nothing to refute
        Meet(next, c.assumed);
        if (!(next == c.assumed)) settled = false;
        c.assumed = std::move(next);
      }
    }
    if (!settled) return 0;
    WalkProgram(true);
    return proved_;
  }

 private:
  // Callables, the definitions of let-bound variables, escapes.
  void Collect() {
    reach_ = ReachedFromMain(p_);
    const int nf = static_cast<int>(p_.functions.size());
    for (int f = 0; f < nf; ++f) {
      Callable c;
      c.params = p_.functions[f].params;
      c.escapes = f == p_.checked->main_index;
      function_callable_.push_back(static_cast<int>(callables_.size()));
      callables_.push_back(std::move(c));
    }
    for (const check::Export& e : p_.checked->exports)
      if (e.function >= 0 && e.function < nf)
        callables_[function_callable_[e.function]].escapes = true;
    for (size_t l = 0; l < p_.lambdas.size(); ++l) {
      Callable c;
      c.params = p_.lambdas[l].params;
      lambda_callable_.push_back(static_cast<int>(callables_.size()));
      callables_.push_back(std::move(c));
      if (p_.lambdas[l].self >= 0) closure_of_[p_.lambdas[l].self] = static_cast<int>(l);
    }
    for (size_t c = 0; c < callables_.size(); ++c) {
      for (size_t k = 0; k < callables_[c].params.size(); ++k) {
        param_of_[callables_[c].params[k]] = {static_cast<int>(c), static_cast<int>(k)};
        callables_[c].int_params.push_back(IsIntType(p_.vars[callables_[c].params[k]].type));
      }
      callables_[c].assumed = Top(callables_[c]);
    }
    // Bindings and uses, over every body (lambdas' too).
    std::vector<const Expr*> work;
    for (const Function& f : p_.functions)
      if (f.body) work.push_back(f.body.get());
    for (const Lambda& l : p_.lambdas)
      if (l.body) work.push_back(l.body.get());
    auto rhs_uses = [&](const Rhs& r, std::vector<const Expr*>& more) {
      for (const Atom& a : r.args)
        if (a.IsVar()) used_as_value_.insert(a.var);
      if (r.kind == RhsKind::GlobalValue)
        callables_[function_callable_[r.function()]].escapes = true;
      if (r.kind == RhsKind::CallGlobal &&
          r.args.size() != callables_[function_callable_[r.function()]].params.size())
        callables_[function_callable_[r.function()]].escapes = true;
      if (r.kind == RhsKind::Closure) ++closure_sites_[r.lambda()];
      if (r.body) more.push_back(r.body.get());
    };
    while (!work.empty()) {
      const Expr* x = work.back();
      work.pop_back();
      switch (x->kind) {
        case ExprKind::Let:
          def_[x->var] = &x->rhs;
          if (x->rhs.kind == RhsKind::Closure) closure_of_[x->var] = x->rhs.lambda();
          rhs_uses(x->rhs, work);
          break;
        case ExprKind::Return:
          rhs_uses(x->rhs, work);
          break;
        case ExprKind::LetRec:
          for (size_t i = 0; i < x->group.size(); ++i) {
            if (x->group[i].kind == RhsKind::Closure)
              closure_of_[x->vars[i]] = x->group[i].lambda();
            rhs_uses(x->group[i], work);
          }
          break;
        case ExprKind::If:
        case ExprKind::Switch:
          if (x->cond.IsVar()) used_as_value_.insert(x->cond.var);
          break;
        case ExprKind::Jump:
          for (const Atom& a : x->args)
            if (a.IsVar()) used_as_value_.insert(a.var);
          break;
        case ExprKind::Join:
        case ExprKind::Fail:
          break;
      }
      ForEachChildSlot(*x, nullptr, [&](auto* slot) { work.push_back(slot->get()); });
    }
    // A lambda escapes when a variable holding its closure is used other
    // than as the closure of a CallLocal (CallLocal's closure is not an arg).
    for (auto& [var, lambda] : closure_of_)
      if (used_as_value_.count(var) != 0) callables_[lambda_callable_[lambda]].escapes = true;
  }

  static auto Top(const Callable& c) -> Hypotheses {
    Hypotheses h;
    const int n = static_cast<int>(c.params.size());
    h.nonneg.assign(n, true);
    h.upper.assign(n, 0);
    if (n <= 8) {
      for (int a = 0; a < n; ++a)
        for (int m = 0; m < n; ++m)
          if (a != m) {
            h.size_ge.emplace_back(a, m);
            h.size_gt.emplace_back(a, m);
            if (c.int_params[a] && c.int_params[m]) h.le.emplace_back(a, m);
          }
    }
    return h;
  }

  static auto Bottom(const Callable& c) -> Hypotheses {
    Hypotheses h;
    h.nonneg.assign(c.params.size(), false);
    h.upper.assign(c.params.size(), kUnknown);
    return h;
  }

  // next := next ∧ other
  static void Meet(Hypotheses& next, const Hypotheses& other) {
    for (size_t k = 0; k < next.nonneg.size(); ++k) {
      next.nonneg[k] = next.nonneg[k] && other.nonneg[k];
      next.upper[k] = std::max(next.upper[k], other.upper[k]);
    }
    auto keep = [](std::vector<std::pair<int, int>>& mine,
                   const std::vector<std::pair<int, int>>& theirs) {
      std::erase_if(mine, [&](const std::pair<int, int>& x) {
        return std::find(theirs.begin(), theirs.end(), x) == theirs.end();
      });
    };
    keep(next.size_ge, other.size_ge);
    keep(next.size_gt, other.size_gt);
    keep(next.le, other.le);
  }

  // Only the calls of code main reaches count: the rest is not emitted
  // (the lambdas specialisation leaves behind call with what they do not
  // know). It is marked all the same, for the dump.
  void WalkProgram(bool mark) {
    mark_ = mark;
    for (const bool reached : {true, false}) {
      if (!reached && !mark) break;
      counting_ = reached;
      for (size_t f = 0; f < p_.functions.size(); ++f)
        if (p_.functions[f].body && reach_.functions[f] == reached) {
          facts_.clear();
          Walk(*p_.functions[f].body);
        }
      // Lambdas built at one place are walked there, with what is known
      // where their closure is made; any other on its own.
      for (size_t l = 0; l < p_.lambdas.size(); ++l) {
        auto it = closure_sites_.find(static_cast<int>(l));
        if (p_.lambdas[l].body && reach_.lambdas[l] == reached &&
            (it == closure_sites_.end() || it->second != 1)) {
          facts_.clear();
          Walk(*p_.lambdas[l].body);
        }
      }
    }
  }

  void Walk(Expr& body) {
    const size_t depth = facts_.size();
    Expr* e = &body;
    while (e != nullptr) {
      switch (e->kind) {
        case ExprKind::Let:
          Visit(e->rhs);
          LetFacts(e->var, e->rhs);
          e = e->next.get();
          break;
        case ExprKind::LetRec:
          for (Rhs& r : e->group) Visit(r);
          e = e->next.get();
          break;
        case ExprKind::Return:
          Visit(e->rhs);
          e = nullptr;
          break;
        case ExprKind::If: {
          Expr* cont = ContinuationSlot(*e)->get();
          Expr* other = cont == e->then_branch.get() ? e->else_branch.get() : e->then_branch.get();
          const bool other_then = other == e->then_branch.get();
          const size_t before = facts_.size();
          GuardFacts(e->cond, other_then);
          Walk(*other);
          facts_.resize(before);
          GuardFacts(e->cond, !other_then);
          e = cont;
          break;
        }
        case ExprKind::Switch:
        case ExprKind::Join: {
          // A join's body runs with what holds where it is declared.
          auto* slot = ContinuationSlot(*e);
          ForEachChildSlot(*e, slot, [&](auto* child) { Walk(**child); });
          e = slot != nullptr ? slot->get() : nullptr;
          break;
        }
        case ExprKind::Jump:
        case ExprKind::Fail:
          e = nullptr;
          break;
      }
    }
    facts_.resize(depth);
  }

  void Visit(Rhs& r) {
    switch (r.kind) {
      case RhsKind::CallGlobal:
        Call(function_callable_[r.function()], r.args);
        break;
      case RhsKind::CallLocal:
        Call(lambda_callable_[r.lambda()], r.args);
        break;
      case RhsKind::Prim:
        if (r.prim == check::Builtin::ReadArray || r.prim == check::Builtin::WriteArray ||
            r.prim == check::Builtin::Index) {
          if (mark_ && r.args.size() >= 2 && Proved(r.args[0], r.args[1])) {
            r.proved_index = true;
            ++proved_;
          }
        }
        break;
      case RhsKind::Binary:
        if (mark_ && NoWrap(r)) r.no_wrap = true;
        break;
      case RhsKind::Closure:
        if (closure_sites_[r.lambda()] == 1 && p_.lambdas[r.lambda()].body)
          Walk(*p_.lambdas[r.lambda()].body);
        break;
      default:
        break;
    }
    if (r.body) Walk(*r.body);
  }

  // A call site: which of the callee's hypotheses its arguments establish.
  void Call(int callable, const std::vector<Atom>& args) {
    Callable& c = callables_[callable];
    if (!counting_ || c.escapes || args.size() != c.params.size()) return;
    c.called = true;
    Hypotheses here;
    for (const Atom& a : args) {
      here.nonneg.push_back(Nonneg(a, 0));
      here.upper.push_back(Snap(Upper(a, 0)));
    }
    for (auto [x, m] : c.assumed.size_ge)
      if (SizeAtLeast(args[x], args[m], false)) here.size_ge.emplace_back(x, m);
    for (auto [x, m] : c.assumed.size_gt)
      if (SizeAtLeast(args[x], args[m], true)) here.size_gt.emplace_back(x, m);
    for (auto [x, m] : c.assumed.le)
      if (AtMost(args[x], args[m], 0)) here.le.emplace_back(x, m);
    Meet(c.established, here);
  }

  void LetFacts(int var, const Rhs& r) {
    if (r.kind != RhsKind::Prim || r.args.empty()) return;
    if (r.prim == check::Builtin::NewArray || r.prim == check::Builtin::NewIntArray) {
      facts_.push_back({FactKind::Size, Atom::Variable(var), r.args[0]});
    } else if (r.prim == check::Builtin::SizeArray || r.prim == check::Builtin::ArrayLength) {
      facts_.push_back({FactKind::Size, r.args[0], Atom::Variable(var)});
    }
  }

  // The facts an `if` on `cond` gives its then (`taken`) or else branch.
  void GuardFacts(const Atom& cond, bool taken, int depth = 0) {
    if (!cond.IsVar() || depth > kMaxDepth) return;
    GuardRhs(Def(cond.var), taken, depth + 1);
  }

  // The facts that `r` evaluating to `taken` gives: through copies and
  // `not`, Int comparisons, and the blocks `a || b` and `a && b` become
  // (`if a then True else b`, `if a then b else False`): when such a
  // block's value rules out one arm's literal, the test went the other
  // way and that arm's value is `taken`.
  void GuardRhs(const Rhs* r, bool taken, int depth) {
    if (r == nullptr || depth > kMaxDepth) return;
    if (r->kind == RhsKind::Atom && !r->args.empty()) {
      GuardFacts(r->args[0], taken, depth);
      return;
    }
    if (r->kind == RhsKind::Prim && r->prim == check::Builtin::Not && !r->args.empty()) {
      GuardFacts(r->args[0], !taken, depth);
      return;
    }
    if (r->kind == RhsKind::Block && r->body) {
      const Expr* x = r->body.get();
      while (x != nullptr && x->kind == ExprKind::Let) x = x->next.get();
      if (x == nullptr || x->kind != ExprKind::If) return;
      const Rhs* yes = ArmValue(x->then_branch.get());
      const Rhs* no = ArmValue(x->else_branch.get());
      if (IsBoolLiteral(yes, !taken)) {
        GuardFacts(x->cond, false, depth);
        GuardRhs(no, taken, depth + 1);
      } else if (IsBoolLiteral(no, !taken)) {
        GuardFacts(x->cond, true, depth);
        GuardRhs(yes, taken, depth + 1);
      }
      return;
    }
    if (r->kind != RhsKind::Binary || r->args.size() != 2 || !IsIntType(r->type)) return;
    const Atom& x = r->args[0];
    const Atom& y = r->args[1];
    using parse::BinaryOp;
    switch (r->op) {
      case BinaryOp::Lt:  // x < y, else y <= x
        facts_.push_back(taken ? Fact{FactKind::Less, x, y} : Fact{FactKind::LessEq, y, x});
        break;
      case BinaryOp::Le:
        facts_.push_back(taken ? Fact{FactKind::LessEq, x, y} : Fact{FactKind::Less, y, x});
        break;
      case BinaryOp::Gt:
        facts_.push_back(taken ? Fact{FactKind::Less, y, x} : Fact{FactKind::LessEq, x, y});
        break;
      case BinaryOp::Ge:
        facts_.push_back(taken ? Fact{FactKind::LessEq, y, x} : Fact{FactKind::Less, x, y});
        break;
      case BinaryOp::Eq:
      case BinaryOp::Ne:
        if (taken == (r->op == BinaryOp::Eq)) {
          facts_.push_back(Fact{FactKind::LessEq, x, y});
          facts_.push_back(Fact{FactKind::LessEq, y, x});
        } else {
          facts_.push_back(Fact{FactKind::Ne, x, y});
        }
        break;
      default:
        break;
    }
  }

  // The value an arm of a block's `if` returns (after its lets), if it is
  // a `return`.
  static auto ArmValue(const Expr* e) -> const Rhs* {
    while (e != nullptr && e->kind == ExprKind::Let) e = e->next.get();
    return e != nullptr && e->kind == ExprKind::Return ? &e->rhs : nullptr;
  }

  static auto IsBoolLiteral(const Rhs* r, bool value) -> bool {
    return r != nullptr && r->kind == RhsKind::Atom && r->args.size() == 1 &&
           r->args[0].kind == AtomKind::Bool && (r->args[0].int_value != 0) == value;
  }

  // x <= y + slack where the walk is (slack 0 or -1: x < y).
  auto AtMost(const Atom& x, const Atom& y, int slack) const -> bool {
    if (x.kind == AtomKind::Int && y.kind == AtomKind::Int)
      return x.int_value <= y.int_value + slack;
    if (slack == 0 && SameAtom(x, y)) return true;
    if (x.kind == AtomKind::Int && x.int_value - slack <= 0 && Nonneg(y, 0)) return true;
    bool le = false, ne = false;
    for (const Fact& f : facts_) {
      if (!SameAtom(f.a, x) && !(f.kind == FactKind::Ne && SameAtom(f.b, x))) continue;
      const Atom& other = SameAtom(f.a, x) ? f.b : f.a;
      if (!SameAtom(other, y)) continue;
      if (f.kind == FactKind::Less && SameAtom(f.a, x)) return true;
      if (f.kind == FactKind::LessEq && SameAtom(f.a, x)) le = true;
      if (f.kind == FactKind::Ne) ne = true;
    }
    if (x.IsVar() && y.IsVar()) {
      auto [cx, kx] = ParamHyp(x.var);
      auto [cy, ky] = ParamHyp(y.var);
      if (cx != nullptr && cx == cy &&
          std::find(cx->assumed.le.begin(), cx->assumed.le.end(), std::pair<int, int>(kx, ky)) !=
              cx->assumed.le.end())
        le = true;
    }
    if (le && (slack == 0 || ne)) return true;
    // x = u + c with a literal c >= 0: u <= y - c (+ slack).
    if (x.IsVar() && slack == 0) {
      const Rhs* r = Def(x.var);
      if (r != nullptr && r->kind == RhsKind::Binary && r->op == parse::BinaryOp::Add &&
          r->args.size() == 2 && IsIntType(r->type) && r->args[1].kind == AtomKind::Int) {
        if (r->args[1].int_value == 0) return AtMost(r->args[0], y, 0);
        if (r->args[1].int_value == 1) return AtMost(r->args[0], y, -1);
      }
    }
    return false;
  }

  auto Def(int var) const -> const Rhs* {
    auto it = def_.find(var);
    return it == def_.end() ? nullptr : it->second;
  }

  auto ParamHyp(int var) const -> std::pair<const Callable*, int> {
    auto it = param_of_.find(var);
    if (it == param_of_.end()) return {nullptr, -1};
    const Callable& c = callables_[it->second.first];
    if (c.escapes) return {nullptr, -1};
    return {&c, it->second.second};
  }

  // x >= 0 where the walk is.
  auto Nonneg(const Atom& x, int depth) const -> bool {
    if (x.kind == AtomKind::Int) return x.int_value >= 0;
    if (!x.IsVar() || depth > kMaxDepth) return false;
    if (auto [c, k] = ParamHyp(x.var); c != nullptr && c->assumed.nonneg[k]) return true;
    for (const Fact& f : facts_) {
      if (f.kind == FactKind::Size && SameAtom(f.b, x)) return true;  // a size that was allocated
      if ((f.kind == FactKind::Less || f.kind == FactKind::LessEq) && SameAtom(f.b, x) &&
          Nonneg(f.a, depth + 1))
        return true;
    }
    const Rhs* r = Def(x.var);
    if (r == nullptr) return false;
    if (r->kind == RhsKind::Atom) return Nonneg(r->args[0], depth + 1);
    if (r->kind == RhsKind::Prim)
      return r->prim == check::Builtin::SizeArray || r->prim == check::Builtin::ArrayLength;
    if (r->kind == RhsKind::Binary && r->args.size() == 2 && IsIntType(r->type)) {
      const Atom& a = r->args[0];
      const Atom& b = r->args[1];
      if (!Nonneg(a, depth + 1) || !Nonneg(b, depth + 1)) return false;
      if (r->op == parse::BinaryOp::Add)
        return Upper(a, depth + 1) <= 61 && Upper(b, depth + 1) <= 61;
      if (r->op == parse::BinaryOp::Mul) return Upper(a, depth + 1) + Upper(b, depth + 1) <= 62;
      if (r->op == parse::BinaryOp::Div) return true;  // truncates toward zero
      if (r->op == parse::BinaryOp::Mod) return true;  // the sign of the dividend
    }
    return false;
  }

  // The least k known with x < 2^k (kUnknown when none is).
  auto Upper(const Atom& x, int depth) const -> int {
    if (x.kind == AtomKind::Int) return x.int_value < 0 ? 0 : BitsOf(x.int_value);
    if (!x.IsVar() || depth > kMaxDepth) return kUnknown;
    int best = kUnknown;
    if (auto [c, k] = ParamHyp(x.var); c != nullptr) best = c->assumed.upper[k];
    for (const Fact& f : facts_) {
      if (f.kind == FactKind::Size) {
        // newArray's argument is below 2^31, any size below 2^32.
        if (SameAtom(f.b, x))
          best = std::min(best, Def(x.var) != nullptr && IsSizeRead(*Def(x.var)) ? 32 : 31);
      } else if (f.kind != FactKind::Ne && SameAtom(f.a, x)) {
        best = std::min(best, Upper(f.b, depth + 1));
      }
    }
    // A parameter at most another: bounded by it (not chained far: the
    // pairs could send this round a cycle).
    if (auto [c, k] = ParamHyp(x.var); c != nullptr && depth < 2) {
      for (auto [a, m] : c->assumed.le)
        if (a == k) best = std::min(best, Upper(Atom::Variable(c->params[m]), depth + 1));
    }
    const Rhs* r = Def(x.var);
    if (r == nullptr) return best;
    if (r->kind == RhsKind::Atom) return std::min(best, Upper(r->args[0], depth + 1));
    if (IsSizeRead(*r)) return std::min(best, 32);
    if (r->kind == RhsKind::Binary && r->args.size() == 2 && IsIntType(r->type)) {
      const Atom& a = r->args[0];
      const Atom& b = r->args[1];
      if (Nonneg(a, depth + 1) && Nonneg(b, depth + 1)) {
        const int ua = Upper(a, depth + 1);
        const int ub = Upper(b, depth + 1);
        if (r->op == parse::BinaryOp::Add && ua <= 61 && ub <= 61)
          best = std::min(best, std::max(ua, ub) + 1);
        if (r->op == parse::BinaryOp::Mul && ua + ub <= 62) best = std::min(best, ua + ub);
        if (r->op == parse::BinaryOp::Div) best = std::min(best, ua);
        // 0 <= a % b < b (b = 0 stops the program).
        if (r->op == parse::BinaryOp::Mod) best = std::min(best, std::min(ua, ub));
      }
    }
    return best;
  }

  static auto IsSizeRead(const Rhs& r) -> bool {
    return r.kind == RhsKind::Prim &&
           (r.prim == check::Builtin::SizeArray || r.prim == check::Builtin::ArrayLength);
  }

  // size(a) >= m (strict: size(a) > m) where the walk is.
  auto SizeAtLeast(const Atom& a, const Atom& m, bool strict) const -> bool {
    if (!a.IsVar()) return false;
    for (const Fact& f : facts_) {
      if (f.kind != FactKind::Size || !SameAtom(f.a, a)) continue;
      if (!strict && SameAtom(f.b, m)) return true;
      // The size is m + c (c >= 0; > 0 when strict); it did not wrap, a size is >= 0.
      if (f.b.IsVar()) {
        const Rhs* r = Def(f.b.var);
        if (r != nullptr && r->kind == RhsKind::Binary && r->op == parse::BinaryOp::Add &&
            r->args.size() == 2 && IsIntType(r->type) && r->args[1].kind == AtomKind::Int &&
            SameAtom(r->args[0], m) && r->args[1].int_value >= (strict ? 1 : 0))
          return true;
      }
      if (m.kind == AtomKind::Int && f.b.kind == AtomKind::Int &&
          (strict ? f.b.int_value > m.int_value : f.b.int_value >= m.int_value))
        return true;
    }
    auto [ca, ka] = ParamHyp(a.var);
    if (ca != nullptr && m.IsVar()) {
      auto [cm, km] = ParamHyp(m.var);
      if (cm == ca) {
        const auto& pairs = strict ? ca->assumed.size_gt : ca->assumed.size_ge;
        if (std::find(pairs.begin(), pairs.end(), std::pair<int, int>(ka, km)) != pairs.end())
          return true;
      }
    }
    if (!strict) return SizeAtLeast(a, m, true);
    return false;
  }

  // An Int + - * whose operands' bounds here leave no room to wrap: both
  // are >= 0, and a sum stays below 2^62, a product below 2^62 (a
  // difference of two such values always fits).
  auto NoWrap(const Rhs& r) const -> bool {
    using parse::BinaryOp;
    if (r.args.size() != 2 || !IsIntType(r.type) ||
        (r.op != BinaryOp::Add && r.op != BinaryOp::Sub && r.op != BinaryOp::Mul))
      return false;
    const Atom& a = r.args[0];
    const Atom& b = r.args[1];
    if (!Nonneg(a, 0) || !Nonneg(b, 0)) return false;
    if (r.op == BinaryOp::Sub) return true;
    const int ua = Upper(a, 0);
    const int ub = Upper(b, 0);
    if (r.op == BinaryOp::Add) return ua <= 61 && ub <= 61;
    return ua + ub <= 62;
  }

  // i is a valid index of a here.
  auto Proved(const Atom& a, const Atom& i) const -> bool {
    if (!Nonneg(i, 0)) return false;
    for (const Fact& f : facts_) {
      if (f.kind == FactKind::Size || f.kind == FactKind::Ne || !SameAtom(f.a, i)) continue;
      if (SizeAtLeast(a, f.b, f.kind == FactKind::LessEq)) return true;
    }
    // i <= m (a hypothesis) and i /= m (a guard): i < m.
    if (auto [c, k] = i.IsVar() ? ParamHyp(i.var) : std::pair<const Callable*, int>{}; c != nullptr)
      for (auto [x, m] : c->assumed.le) {
        const Atom bound = Atom::Variable(c->params[m]);
        if (x == k && AtMost(i, bound, -1) && SizeAtLeast(a, bound, false)) return true;
      }
    return false;
  }

  Program& p_;
  Reach reach_;
  std::vector<Callable> callables_;
  std::vector<int> function_callable_, lambda_callable_;
  std::unordered_map<int, std::pair<int, int>> param_of_;  // param var -> (callable, position)
  std::unordered_map<int, const Rhs*> def_;
  std::unordered_map<int, int> closure_of_;     // variable -> lambda whose closure it holds
  std::unordered_map<int, int> closure_sites_;  // lambda -> Closure rhs building it
  std::unordered_set<int> used_as_value_;
  std::vector<Fact> facts_;
  bool mark_ = false;
  bool counting_ = true;  // calls establish hypotheses
  int proved_ = 0;
};

}  // namespace

auto ProveIndices(Program& program) -> int { return Prover(program).Run(); }

}  // namespace atl::core
