// The Core optimiser: see README.md, "Optimiser". Each round analyses the
// whole program (what variables are bound to, who owns them, which
// functions are small, recursive, called once, which parameters are
// static), simplifies every reachable body once (copy propagation, known
// calls, known constructors and Bools, inlining, loop specialisation,
// block flattening), then drops dead code and trims captures. Rounds repeat
// until nothing changes, at most kMaxRounds times.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/core/core.h"
#include "compiler/core/lift.h"
#include "compiler/core/util.h"

namespace atl::core {
namespace {

constexpr int kMaxRounds = 12;
constexpr int kCalledOnceLimit = 200;  // node count up to which a function called once is inlined
constexpr int kSpecialiseLimit =
    120;  // node count up to which a self-recursive function is specialised

// What a variable is bound to, when that helps a use: a closure (lambda
// `index`), a function value, or a constructed value with its fields.
struct Def {
  RhsKind kind = RhsKind::Atom;
  int index = -1;
  std::vector<Atom> args;
};

struct FunctionFacts {
  int size = 0;
  int calls = 0;            // CallGlobal sites and function values referring to it
  bool recursive = false;   // reaches itself through the call graph
  bool self_calls = false;  // calls itself directly (CallGlobal) outside lambdas
  bool specialisable = false;
  std::vector<bool> static_params;  // passed unchanged in every self call
};

class Optimizer {
 public:
  Optimizer(Program& p, int level) : p_(p), small_(level >= 2 ? 40 : 20) {}

  auto Run() -> OptimizeStats {
    stats_.size_before = ProgramSize();
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
    if (const int lifted = LiftLocalFunctions(p_); lifted > 0) {
      stats_.lifted += lifted;
      RemoveDeadCode();
    }
    StubDeadLambdas(p_);
    stats_.size_after = ProgramSize();
    return stats_;
  }

 private:
  // ---- contexts: function f is f, lambda l is F + l --------------------
  auto LambdaContext(int l) const -> int { return static_cast<int>(p_.functions.size()) + l; }
  auto ContextLambda(int ctx) const -> int { return ctx - static_cast<int>(p_.functions.size()); }
  auto IsLambdaContext(int ctx) const -> bool {
    return ctx >= static_cast<int>(p_.functions.size());
  }

  void SetOwner(int v, int ctx) {
    if (static_cast<int>(owner_.size()) <= v) owner_.resize(p_.vars.size(), -1);
    owner_[v] = ctx;
  }
  // Whether code in context `ctx` may mention `v`: it binds it, or it is a
  // lambda that captures it.
  auto Available(int v, int ctx) const -> bool {
    if (v < static_cast<int>(owner_.size()) && owner_[v] == ctx) return true;
    if (!IsLambdaContext(ctx)) return false;
    const auto& caps = p_.lambdas[ContextLambda(ctx)].captures;
    return std::find(caps.begin(), caps.end(), v) != caps.end();
  }

  // Node count of the functions main reaches (all functions without a
  // main), the lambdas they build included.
  auto ProgramSize() const -> int {
    const int main = p_.checked->main_index;
    std::vector<bool> reached(p_.functions.size(), main < 0);
    std::vector<const Expr*> work;
    if (main >= 0 && main < static_cast<int>(p_.functions.size())) {
      reached[main] = true;
      if (p_.functions[main].body) work.push_back(p_.functions[main].body.get());
    }
    std::vector<bool> seen(p_.lambdas.size(), false);
    while (!work.empty()) {
      const Expr* e = work.back();
      work.pop_back();
      ForEachDirectRhs(*e, [&](const Rhs& r) {
        if ((r.kind == RhsKind::CallGlobal || r.kind == RhsKind::GlobalValue) &&
            !reached[r.index]) {
          reached[r.index] = true;
          if (p_.functions[r.index].body) work.push_back(p_.functions[r.index].body.get());
        }
        if (r.kind == RhsKind::Closure && !seen[r.index] && p_.lambdas[r.index].body) {
          seen[r.index] = true;
          work.push_back(p_.lambdas[r.index].body.get());
        }
      });
    }
    int n = 0;
    for (size_t f = 0; f < p_.functions.size(); ++f)
      if (reached[f] && p_.functions[f].body) n += Size(p_, *p_.functions[f].body);
    return n;
  }

  // ---- analysis ---------------------------------------------------------
  void Analyse() {
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

  void AnalyseLambda(int l, std::vector<bool>& seen) {
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

  void AnalyseRhs(const Rhs& r, int ctx, std::vector<bool>& seen, bool direct) {
    switch (r.kind) {
      case RhsKind::CallGlobal:
      case RhsKind::GlobalValue:
        callees_[current_function_].push_back(r.index);
        if (r.kind == RhsKind::CallGlobal && r.index == current_function_ && direct)
          facts_[current_function_].self_calls = true;
        // A self call inside a lambda, or f as a value: not a loop of f's own.
        if (r.index == current_function_ && (!direct || r.kind == RhsKind::GlobalValue))
          indirect_self_[current_function_] = true;
        ++facts_[r.index].calls;
        if (r.kind == RhsKind::GlobalValue) address_taken_[r.index] = true;
        break;
      case RhsKind::Closure:
        AnalyseLambda(r.index, seen);
        break;
      case RhsKind::Apply:
        applies_[current_function_] = true;
        break;
      case RhsKind::Region:
        SetOwner(r.var, ctx);
        break;
      default:
        break;
    }
    if (r.body) AnalyseExpr(*r.body, ctx, seen, direct);
  }

  void AnalyseExpr(const Expr& e, int ctx, std::vector<bool>& seen, bool direct) {
    for (const Expr* x = &e; x != nullptr; x = x->next.get()) {
      switch (x->kind) {
        case ExprKind::Let:
          AnalyseRhs(x->rhs, ctx, seen, direct);
          SetOwner(x->var, ctx);
          Record(x->var, x->rhs);
          break;
        case ExprKind::LetRec:
          for (size_t i = 0; i < x->vars.size(); ++i) {
            SetOwner(x->vars[i], ctx);
            defs_[x->vars[i]] = Def{RhsKind::Closure, x->group[i].index, {}};
            group_of_[x->group[i].index] = x->vars;
          }
          for (const Rhs& r : x->group) AnalyseRhs(r, ctx, seen, direct);
          break;
        case ExprKind::Return:
          AnalyseRhs(x->rhs, ctx, seen, direct);
          break;
        case ExprKind::If:
          AnalyseExpr(*x->then_branch, ctx, seen, direct);
          AnalyseExpr(*x->else_branch, ctx, seen, direct);
          break;
        case ExprKind::Switch:
          for (const Alt& alt : x->alts) AnalyseExpr(*alt.body, ctx, seen, direct);
          if (x->else_branch) AnalyseExpr(*x->else_branch, ctx, seen, direct);
          break;
        case ExprKind::Join:
          for (int v : x->vars) SetOwner(v, ctx);
          AnalyseExpr(*x->join_body, ctx, seen, direct);
          break;
        case ExprKind::Jump:
        case ExprKind::Fail:
          break;
      }
    }
  }

  void Record(int var, const Rhs& r) {
    switch (r.kind) {
      case RhsKind::Atom:
        // Copy propagation, when the representations agree (else the let
        // is where the lowering converts).
        if (ReprOfVar(p_, var) == ReprOf(p_, r.args[0])) subst_[var] = r.args[0];
        break;
      case RhsKind::Closure:
      case RhsKind::GlobalValue:
      case RhsKind::Construct:
      case RhsKind::Tuple:
      case RhsKind::Cons:
      case RhsKind::Nil:
        defs_[var] = Def{r.kind, r.index, r.args};
        break;
      default:
        break;
    }
  }

  void AnalyseFunctions() {
    const size_t n = p_.functions.size();
    // An unknown call may call any function used as a value (`hop` stored
    // in a constructor and applied by itself is recursive).
    std::vector<int> taken;
    for (size_t f = 0; f < n; ++f)
      if (address_taken_[f]) taken.push_back(static_cast<int>(f));
    for (size_t f = 0; f < n; ++f)
      if (applies_[f]) callees_[f].insert(callees_[f].end(), taken.begin(), taken.end());
    for (size_t f = 0; f < n; ++f) {
      // Recursive: f reaches itself through calls and function values.
      std::vector<bool> visited(n, false);
      std::vector<int> stack(callees_[f].begin(), callees_[f].end());
      while (!stack.empty() && !facts_[f].recursive) {
        int g = stack.back();
        stack.pop_back();
        if (g == static_cast<int>(f)) facts_[f].recursive = true;
        if (visited[g]) continue;
        visited[g] = true;
        stack.insert(stack.end(), callees_[g].begin(), callees_[g].end());
      }
      p_.functions[f].inline_candidate =
          p_.functions[f].body && !facts_[f].recursive &&
          (facts_[f].size <= small_ ||
           (facts_[f].calls == 1 && facts_[f].size <= kCalledOnceLimit));
    }
    for (size_t f = 0; f < n; ++f) FindStaticParams(static_cast<int>(f));
    // Only what main reaches is worth simplifying (all of it in a program
    // without main).
    const int main = p_.checked->main_index;
    live_.assign(n, main < 0);
    if (main >= 0 && main < static_cast<int>(n)) {
      std::vector<int> stack{main};
      live_[main] = true;
      while (!stack.empty()) {
        int g = stack.back();
        stack.pop_back();
        for (int h : callees_[g])
          if (!live_[h]) {
            live_[h] = true;
            stack.push_back(h);
          }
      }
    }
  }

  // A parameter is static when every self call passes it unchanged.
  void FindStaticParams(int f) {
    FunctionFacts& facts = facts_[f];
    const Function& fn = p_.functions[f];
    facts.static_params.assign(fn.params.size(), true);
    if (!fn.body || !facts.self_calls || facts.size > kSpecialiseLimit) {
      facts.specialisable = false;
      return;
    }
    bool ok = true;
    ForEachDirectRhs(*fn.body, [&](const Rhs& r) {
      if (r.kind == RhsKind::GlobalValue && r.index == f) ok = false;
      if (r.kind != RhsKind::CallGlobal || r.index != f) return;
      if (r.region != fn.region) ok = false;  // a self call in another region
      for (size_t i = 0; i < fn.params.size() && i < r.args.size(); ++i)
        if (!r.args[i].IsVar() || r.args[i].var != fn.params[i]) facts.static_params[i] = false;
    });
    bool any = std::find(facts.static_params.begin(), facts.static_params.end(), true) !=
               facts.static_params.end();
    facts.specialisable = ok && any && !indirect_self_[f];
  }

  // ---- simplification ---------------------------------------------------
  // Copy propagation reaches captures too: a captured `x` with `let x = y`
  // captures `y`, a constant is no longer captured (the body reads it).
  void MapCaptures(int l) {
    std::vector<int> mapped;
    for (int c : p_.lambdas[l].captures) {
      Atom a = Resolved(Atom::Variable(c));
      if (a.IsVar() && std::find(mapped.begin(), mapped.end(), a.var) == mapped.end())
        mapped.push_back(a.var);
    }
    if (mapped != p_.lambdas[l].captures) {
      p_.lambdas[l].captures = std::move(mapped);
      changed_ = true;
    }
  }

  auto Resolved(const Atom& a) const -> Atom {
    Atom out = a;
    for (int guard = 0; out.IsVar() && guard < 64; ++guard) {
      auto it = subst_.find(out.var);
      if (it == subst_.end()) break;
      out = it->second;
    }
    return out;
  }
  auto ResolvedVar(int v) const -> int {
    if (v < 0) return v;
    Atom a = Resolved(Atom::Variable(v));
    return a.IsVar() ? a.var : v;
  }
  void Substitute(Atom& a) {
    Atom r = Resolved(a);
    if (r.IsVar() != a.IsVar() || (r.IsVar() && r.var != a.var) || (!r.IsVar() && !a.IsVar())) {
      if (a.IsVar()) changed_ = true;
      a = std::move(r);
    }
  }
  auto DefOf(const Atom& a) const -> const Def* {
    if (!a.IsVar()) return nullptr;
    auto it = defs_.find(a.var);
    return it == defs_.end() ? nullptr : &it->second;
  }

  void SimplifyRhs(Rhs& r, int ctx) {
    for (Atom& a : r.args) Substitute(a);
    if (r.kind == RhsKind::CallLocal) r.var = ResolvedVar(r.var);
    OwnSelf(r, ctx);
    switch (r.kind) {
      case RhsKind::Prim:
        if (r.prim == check::Builtin::Pure) {  // running `pure a` is a
          Rhs atom;
          atom.kind = RhsKind::Atom;
          atom.span = r.span;
          atom.args = {r.args[0]};
          r = std::move(atom);
          changed_ = true;
        }
        break;
      case RhsKind::Apply:
        KnownCall(r);
        OwnSelf(r, ctx);
        break;
      case RhsKind::Project: {
        const Def* d = DefOf(r.args[0]);
        if (d == nullptr) break;
        bool known = (d->kind == RhsKind::Tuple || d->kind == RhsKind::Construct ||
                      d->kind == RhsKind::Cons) &&
                     r.index >= 0 && r.index < static_cast<int>(d->args.size());
        if (!known) break;
        Atom field = d->args[r.index];
        r.kind = RhsKind::Atom;
        r.args = {field};
        r.index = -1;
        changed_ = true;
        break;
      }
      case RhsKind::Binary:
        FoldBinary(r);
        break;
      default:
        break;
    }
    if (r.body) Simplify(r.body, ctx);
  }

  // A lambda calling its own code through a captured name (a letrec
  // variable) calls it through its self, so the lowering sees the loop.
  void OwnSelf(Rhs& r, int ctx) {
    if (r.kind != RhsKind::CallLocal || !IsLambdaContext(ctx) || ContextLambda(ctx) != r.index)
      return;
    int self = p_.lambdas[r.index].self;
    if (r.var != self) {
      r.var = self;
      changed_ = true;
    }
  }

  void FoldBinary(Rhs& r) {
    using parse::BinaryOp;
    if (r.args[0].kind != AtomKind::Int || r.args[1].kind != AtomKind::Int) return;
    int64_t a = r.args[0].int_value, b = r.args[1].int_value;
    constexpr int64_t kLimit = int64_t{1} << 60;  // tagged Ints: stay far from the 63-bit edge
    std::optional<Atom> out;
    switch (r.op) {
      case BinaryOp::Eq:
        out = Atom::Bool(a == b);
        break;
      case BinaryOp::Ne:
        out = Atom::Bool(a != b);
        break;
      case BinaryOp::Lt:
        out = Atom::Bool(a < b);
        break;
      case BinaryOp::Le:
        out = Atom::Bool(a <= b);
        break;
      case BinaryOp::Gt:
        out = Atom::Bool(a > b);
        break;
      case BinaryOp::Ge:
        out = Atom::Bool(a >= b);
        break;
      case BinaryOp::Add:
        if (a > -kLimit && a < kLimit && b > -kLimit && b < kLimit) out = Atom::Int(a + b);
        break;
      case BinaryOp::Sub:
        if (a > -kLimit && a < kLimit && b > -kLimit && b < kLimit) out = Atom::Int(a - b);
        break;
      default:
        break;
    }
    if (!out) return;
    r.kind = RhsKind::Atom;
    r.args = {*out};
    changed_ = true;
  }

  // Apply of a known closure or function value with exactly its arity
  // (and a region exactly when it is an action) is a direct call.
  void KnownCall(Rhs& r) {
    const Def* d = DefOf(r.args[0]);
    if (d == nullptr) return;
    int argc = static_cast<int>(r.args.size()) - 1;
    if (d->kind == RhsKind::Closure) {
      const Lambda& l = p_.lambdas[d->index];
      if (static_cast<int>(l.params.size()) != argc || (l.region >= 0) != (r.region >= 0)) return;
      r.kind = RhsKind::CallLocal;
      r.var = r.args[0].var;
      r.index = d->index;
      r.args.erase(r.args.begin());
    } else if (d->kind == RhsKind::GlobalValue) {
      const check::Function& f = p_.checked->functions[d->index];
      if (f.arity != argc || (p_.functions[d->index].region >= 0) != (r.region >= 0)) return;
      r.kind = RhsKind::CallGlobal;
      r.index = d->index;
      r.args.erase(r.args.begin());
    } else {
      return;
    }
    ++stats_.known_calls;
    changed_ = true;
  }

  void Simplify(std::unique_ptr<Expr>& slot, int ctx) {
    // Iterative along `next` chains (they can be long), recursive into branches.
    std::unique_ptr<Expr>* at = &slot;
    while (*at) {
      Expr& e = **at;
      switch (e.kind) {
        case ExprKind::Let: {
          SimplifyRhs(e.rhs, ctx);
          if (auto inlined = Inline(e.rhs, ctx)) {
            e.rhs = BlockOf(std::move(inlined), e.rhs.span);
          }
          if (e.rhs.kind == RhsKind::Block && e.next->kind == ExprKind::Return &&
              e.next->rhs.kind == RhsKind::Atom && e.next->rhs.args[0].IsVar() &&
              e.next->rhs.args[0].var == e.var) {
            // let x = block in x: the block's body is the tail.
            *at = std::move(e.rhs.body);
            changed_ = true;
            return;
          }
          if (e.rhs.kind == RhsKind::Block && FlattenBlock(*at)) {
            changed_ = true;
            // *at now starts the spliced chain; continue after the original let.
            while ((*at)->kind != ExprKind::Let || (*at)->var != e.var) at = &(*at)->next;
          }
          at = &(*at)->next;
          break;
        }
        case ExprKind::LetRec:
          for (Rhs& r : e.group) SimplifyRhs(r, ctx);
          at = &e.next;
          break;
        case ExprKind::Return: {
          SimplifyRhs(e.rhs, ctx);
          if (auto inlined = Inline(e.rhs, ctx)) {
            *at = std::move(inlined);
            return;
          }
          if (e.rhs.kind == RhsKind::Block) {
            *at = std::move(e.rhs.body);
            changed_ = true;
            return;
          }
          return;
        }
        case ExprKind::If: {
          Substitute(e.cond);
          if (e.cond.kind == AtomKind::Bool) {
            std::unique_ptr<Expr> taken =
                std::move(e.cond.int_value != 0 ? e.then_branch : e.else_branch);
            *at = std::move(taken);
            changed_ = true;
            continue;  // simplify the branch taken in its place
          }
          Simplify(e.then_branch, ctx);
          Simplify(e.else_branch, ctx);
          return;
        }
        case ExprKind::Switch: {
          Substitute(e.cond);
          if (std::unique_ptr<Expr> taken = KnownAlternative(e)) {
            *at = std::move(taken);
            changed_ = true;
            continue;
          }
          // In an arm the scrutinee's constructor is known (in the default
          // arm too when the alternatives leave only one).
          const int v = e.cond.IsVar() ? e.cond.var : -1;
          for (Alt& alt : e.alts) {
            KnownScope scope(known_con_, v, alt.constructor);
            Simplify(alt.body, ctx);
          }
          if (e.else_branch) {
            KnownScope scope(known_con_, v, RemainingConstructor(e));
            Simplify(e.else_branch, ctx);
          }
          return;
        }
        case ExprKind::Join: {
          // A join point jumped to once is its jump's target in place.
          std::vector<std::unique_ptr<Expr>*> jumps;
          FindJumps(e.next, e.label, jumps);
          if (jumps.size() == 1 && (*jumps[0])->args.size() == e.vars.size()) {
            std::unique_ptr<Expr> body = std::move(e.join_body);
            std::vector<Atom> args = std::move((*jumps[0])->args);
            for (size_t i = e.vars.size(); i-- > 0;) {
              auto let = std::make_unique<Expr>();
              let->kind = ExprKind::Let;
              let->span = body->span;
              let->var = e.vars[i];
              let->rhs.kind = RhsKind::Atom;
              let->rhs.args = {args[i]};
              let->next = std::move(body);
              body = std::move(let);
            }
            *jumps[0] = std::move(body);
            *at = std::move(e.next);
            changed_ = true;
            continue;
          }
          Simplify(e.join_body, ctx);
          at = &e.next;
          break;
        }
        case ExprKind::Jump:
          for (Atom& a : e.args) Substitute(a);
          return;
        case ExprKind::Fail:
          return;
      }
    }
  }

  // The jumps to `label` in `e` (jumps never leave a Block, Region or
  // lambda, so those are not searched).
  static void FindJumps(std::unique_ptr<Expr>& slot, int label,
                        std::vector<std::unique_ptr<Expr>*>& out) {
    for (std::unique_ptr<Expr>* at = &slot; *at; at = &(*at)->next) {
      Expr& x = **at;
      switch (x.kind) {
        case ExprKind::Jump:
          if (x.label == label) out.push_back(at);
          return;
        case ExprKind::If:
          FindJumps(x.then_branch, label, out);
          FindJumps(x.else_branch, label, out);
          return;
        case ExprKind::Switch:
          for (Alt& alt : x.alts) FindJumps(alt.body, label, out);
          if (x.else_branch) FindJumps(x.else_branch, label, out);
          return;
        case ExprKind::Join:
          FindJumps(x.join_body, label, out);
          break;
        default:
          break;
      }
    }
  }

  // Sets what a variable is known to be (a constructor, kNilAlt or
  // kConsAlt) for the extent of a switch arm.
  class KnownScope {
   public:
    KnownScope(std::unordered_map<int, int>& known, int var, std::optional<int> con)
        : known_(known), var_(var) {
      if (var < 0) return;  // a switch on a literal: nothing to know
      if (auto it = known.find(var); it != known.end()) saved_ = it->second;
      if (con) {
        known[var] = *con;
      } else {
        known.erase(var);
      }
    }
    ~KnownScope() {
      if (var_ < 0) return;
      if (saved_) {
        known_[var_] = *saved_;
      } else {
        known_.erase(var_);
      }
    }
    KnownScope(const KnownScope&) = delete;
    auto operator=(const KnownScope&) -> KnownScope& = delete;

   private:
    std::unordered_map<int, int>& known_;
    int var_;
    std::optional<int> saved_;
  };

  // The one constructor a switch's default arm can see, if its
  // alternatives cover all the others.
  auto RemainingConstructor(const Expr& e) const -> std::optional<int> {
    if (e.alts.empty()) return std::nullopt;
    const int first = e.alts[0].constructor;
    if (first == kNilAlt || first == kConsAlt) {
      if (e.alts.size() != 1) return std::nullopt;
      return first == kNilAlt ? kConsAlt : kNilAlt;
    }
    const auto& cons = p_.checked->constructors;
    const check::Constructor& c = cons[first];
    if (static_cast<int>(e.alts.size()) != c.sibling_count - 1) return std::nullopt;
    const int base = first - c.index;
    for (int k = base; k < base + c.sibling_count; ++k) {
      bool present = false;
      for (const Alt& alt : e.alts) present = present || alt.constructor == k;
      if (!present) return k;
    }
    return std::nullopt;
  }

  // Switch on a variable bound to a known constructor, or inside an arm of
  // a switch on it: the matching arm.
  auto KnownAlternative(Expr& e) -> std::unique_ptr<Expr> {
    int want;
    if (auto it = e.cond.IsVar() ? known_con_.find(e.cond.var) : known_con_.end();
        it != known_con_.end()) {
      want = it->second;
    } else {
      const Def* d = DefOf(e.cond);
      if (d == nullptr) return nullptr;
      switch (d->kind) {
        case RhsKind::Construct:
          want = d->index;
          break;
        case RhsKind::Nil:
          want = kNilAlt;
          break;
        case RhsKind::Cons:
          want = kConsAlt;
          break;
        default:
          return nullptr;
      }
    }
    for (Alt& alt : e.alts)
      if (alt.constructor == want) return std::move(alt.body);
    if (e.else_branch) return std::move(e.else_branch);
    return nullptr;
  }

  static auto BlockOf(std::unique_ptr<Expr> body, source::Span span) -> Rhs {
    Rhs r;
    r.kind = RhsKind::Block;
    r.span = span;
    r.body = std::move(body);
    return r;
  }

  // `let x = Block{lets; return rhs} in next` with a straight-line body
  // becomes `lets; let x = rhs in next`.
  auto FlattenBlock(std::unique_ptr<Expr>& slot) -> bool {
    Expr& let = *slot;
    Expr* prev = nullptr;
    Expr* last = let.rhs.body.get();
    while (last->kind == ExprKind::Let || last->kind == ExprKind::LetRec) {
      prev = last;
      last = last->next.get();
    }
    if (last->kind != ExprKind::Return) return false;
    std::unique_ptr<Expr> body = std::move(let.rhs.body);
    Rhs final_rhs = std::move(last->rhs);
    let.rhs = std::move(final_rhs);
    if (prev == nullptr) return true;  // the block was just `return rhs`
    prev->next = std::move(slot);      // drops the old Return node
    slot = std::move(body);
    return true;
  }

  // ---- inlining -----------------------------------------------------------
  // The body that replaces call `r` in context `ctx`, or null.
  auto Inline(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
    if (r.kind == RhsKind::CallGlobal) {
      if (r.index == ctx) return nullptr;
      const Function& f = p_.functions[r.index];
      if (!f.body || (f.region >= 0) != (r.region >= 0)) return nullptr;
      if (f.inline_candidate) {
        ++stats_.inlined;
        changed_ = true;
        return InlineFunction(r, ctx);
      }
      if (facts_[r.index].specialisable) return Specialise(r, ctx);
      return nullptr;
    }
    if (r.kind == RhsKind::CallLocal && (p_.lambdas[r.index].region >= 0) == (r.region >= 0))
      return InlineLambda(r, ctx);
    return nullptr;
  }

  // Parameters are substituted by the arguments (atoms), unless the
  // representations differ: then a let converts once.
  void BindParameter(Copier& copy, int param, const Atom& arg,
                     std::vector<std::pair<int, Atom>>& lets) {
    if (ReprOfVar(p_, param) == ReprOf(p_, arg)) {
      copy.Substitute(param, arg);
    } else {
      lets.emplace_back(copy.Rename(param), arg);
    }
  }

  static auto WithLets(std::vector<std::pair<int, Atom>>& lets, std::unique_ptr<Expr> body)
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

  auto NewCopier(int ctx) -> Copier {
    Copier copy(p_);
    copy.on_bind = [this, ctx](int v) { SetOwner(v, ctx); };
    return copy;
  }

  // The source file whose byte offsets a context's spans are (as the
  // lowering reads them: a lambda without a file is the main module's).
  auto FileOfFunction(int f) const -> const source::SourceFile* {
    const size_t module = p_.checked->functions[f].module;
    return module < p_.checked->modules.size() ? p_.checked->modules[module]->file.get() : nullptr;
  }
  auto FileOfLambda(int l) const -> const source::SourceFile* {
    if (p_.lambdas[l].file != nullptr) return p_.lambdas[l].file;
    return p_.checked->modules.empty() ? nullptr : p_.checked->modules.back()->file.get();
  }
  auto FileOf(int ctx) const -> const source::SourceFile* {
    return IsLambdaContext(ctx) ? FileOfLambda(ContextLambda(ctx)) : FileOfFunction(ctx);
  }
  // Code from another file placed at call `r` in `ctx` reports the call.
  void KeepLocations(Copier& copy, const source::SourceFile* from, const Rhs& r, int ctx) const {
    const source::SourceFile* to = FileOf(ctx);
    if (from != to) copy.OverrideSpans(r.span, to);
  }

  auto InlineFunction(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
    const Function& f = p_.functions[r.index];
    Copier copy = NewCopier(ctx);
    KeepLocations(copy, FileOfFunction(r.index), r, ctx);
    std::vector<std::pair<int, Atom>> lets;
    for (size_t i = 0; i < f.params.size(); ++i) BindParameter(copy, f.params[i], r.args[i], lets);
    if (f.region >= 0) copy.Substitute(f.region, Atom::Variable(r.region));
    return WithLets(lets, copy.CopyExpr(*f.body));
  }

  // A lambda is recursive when its body mentions its self or its letrec
  // group (a sibling may call back).
  auto LambdaRecursive(int l) -> bool {
    const Lambda& lam = p_.lambdas[l];
    std::unordered_set<int> names{lam.self};
    if (auto it = group_of_.find(l); it != group_of_.end())
      names.insert(it->second.begin(), it->second.end());
    std::vector<int> uses(p_.vars.size(), 0), jumps(p_.labels, 0);
    UseCounter(p_, uses, jumps).Expr(*lam.body, 1);
    for (int v : names)
      if (uses[v] != 0) return true;
    return false;
  }

  auto InlineLambda(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
    const int l = r.index;
    if (IsLambdaContext(ctx) && ContextLambda(ctx) == l) return nullptr;
    const Lambda& lam = p_.lambdas[l];
    if (!lam.body) return nullptr;
    int size = Size(p_, *lam.body);
    bool once = r.var < static_cast<int>(uses_.size()) && uses_[r.var] == 1;
    if (size > small_ && !(once && size <= kCalledOnceLimit)) return nullptr;
    for (int c : lam.captures)
      if (!Available(c, ctx)) return nullptr;
    if (LambdaRecursive(l)) return nullptr;
    Copier copy = NewCopier(ctx);
    KeepLocations(copy, FileOfLambda(l), r, ctx);
    std::vector<std::pair<int, Atom>> lets;
    copy.Substitute(lam.self, Atom::Variable(r.var));
    for (size_t i = 0; i < lam.params.size(); ++i)
      BindParameter(copy, lam.params[i], r.args[i], lets);
    if (lam.region >= 0) copy.Substitute(lam.region, Atom::Variable(r.region));
    ++stats_.inlined;
    changed_ = true;
    const Expr* body = p_.lambdas[l].body.get();
    return WithLets(lets, copy.CopyExpr(*body));
  }

  // ---- loop specialisation ---------------------------------------------
  // A self-recursive function called with a known function for one of its
  // static parameters becomes a local loop: a lambda with the static
  // parameters fixed to the call's atoms (captured), its self calls direct
  // tail calls of itself, so the known function can be inlined into it.
  auto Specialise(const Rhs& r, int ctx) -> std::unique_ptr<Expr> {
    const int f = r.index;
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
    if (!known) return nullptr;

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
    call->rhs.index = lambda;
    call->rhs.var = closure;
    call->rhs.args = std::move(dynamic_args);
    call->rhs.region = r.region;
    auto let = std::make_unique<Expr>();
    let->kind = ExprKind::Let;
    let->span = r.span;
    let->var = closure;
    let->rhs.kind = RhsKind::Closure;
    let->rhs.span = r.span;
    let->rhs.index = lambda;
    let->next = std::move(call);
    ++stats_.specialised;
    changed_ = true;
    return let;
  }

  void RedirectSelfCalls(Expr& e, int f, const std::vector<bool>& fixed, int lambda, int self) {
    for (Expr* x = &e; x != nullptr; x = x->next.get()) {
      auto rhs = [&](Rhs& r) {
        if (r.kind == RhsKind::CallGlobal && r.index == f) {
          std::vector<Atom> args;
          for (size_t i = 0; i < r.args.size(); ++i)
            if (!fixed[i]) args.push_back(r.args[i]);
          r.kind = RhsKind::CallLocal;
          r.index = lambda;
          r.var = self;
          r.args = std::move(args);
        }
        if (r.body) RedirectSelfCalls(*r.body, f, fixed, lambda, self);
      };
      switch (x->kind) {
        case ExprKind::Let:
        case ExprKind::Return:
          rhs(x->rhs);
          break;
        case ExprKind::LetRec:
          for (Rhs& r : x->group) rhs(r);
          break;
        case ExprKind::If:
          RedirectSelfCalls(*x->then_branch, f, fixed, lambda, self);
          RedirectSelfCalls(*x->else_branch, f, fixed, lambda, self);
          break;
        case ExprKind::Switch:
          for (Alt& alt : x->alts) RedirectSelfCalls(*alt.body, f, fixed, lambda, self);
          if (x->else_branch) RedirectSelfCalls(*x->else_branch, f, fixed, lambda, self);
          break;
        case ExprKind::Join:
          RedirectSelfCalls(*x->join_body, f, fixed, lambda, self);
          break;
        case ExprKind::Jump:
        case ExprKind::Fail:
          break;
      }
    }
  }

  // ---- dead code ----------------------------------------------------------
  void RemoveDeadCode() {
    uses_.assign(p_.vars.size(), 0);
    jumps_.assign(p_.labels, 0);
    UseCounter counter(p_, uses_, jumps_);
    counter.Exprs(p_);
    // Lambdas reachable now (copies made this round included).
    std::vector<int> lambdas = ReachableLambdas(p_);
    // Inner lambdas before the ones that build them, all before the
    // functions: a Closure dropped later takes away a body already cleaned.
    for (auto it = lambdas.rbegin(); it != lambdas.rend(); ++it)
      Dead(p_.lambdas[*it].body, counter);
    for (Function& f : p_.functions)
      if (f.body) Dead(f.body, counter);
  }

  void Dead(std::unique_ptr<Expr>& slot, UseCounter& counter) {
    Expr& e = *slot;
    switch (e.kind) {
      case ExprKind::Let:
        Dead(e.next, counter);
        if (e.rhs.body) Dead(e.rhs.body, counter);
        if (uses_[e.var] == 0 && IsPure(p_, e.rhs)) {
          counter.Rhs(e.rhs, -1);
          slot = std::move(e.next);
          ++stats_.dead;
          changed_ = true;
        }
        return;
      case ExprKind::LetRec: {
        Dead(e.next, counter);
        // Dead when nothing outside the group uses its variables.
        std::vector<int> inner(p_.vars.size(), 0), jumps(p_.labels, 0);
        UseCounter inside(p_, inner, jumps);
        for (const Rhs& r : e.group) inside.Rhs(r, 1);
        for (int v : e.vars)
          if (uses_[v] != inner[v]) return;
        for (const Rhs& r : e.group) counter.Rhs(r, -1);
        slot = std::move(e.next);
        ++stats_.dead;
        changed_ = true;
        return;
      }
      case ExprKind::Return:
        if (e.rhs.body) Dead(e.rhs.body, counter);
        return;
      case ExprKind::If:
        Dead(e.then_branch, counter);
        Dead(e.else_branch, counter);
        return;
      case ExprKind::Switch:
        for (Alt& alt : e.alts) Dead(alt.body, counter);
        if (e.else_branch) Dead(e.else_branch, counter);
        return;
      case ExprKind::Join:
        Dead(e.next, counter);
        if (jumps_[e.label] == 0) {
          counter.Expr(*e.join_body, -1);
          slot = std::move(e.next);
          ++stats_.dead;
          changed_ = true;
          return;
        }
        Dead(e.join_body, counter);
        return;
      case ExprKind::Jump:
      case ExprKind::Fail:
        return;
    }
  }

  // ---- captures -----------------------------------------------------------
  // A lambda keeps only the captures its body still mentions (after
  // substitution and dead code), so dead closures free what they held.
  void TrimCaptures() {
    std::vector<int> lambdas = ReachableLambdas(p_);
    // What each variable is a closure of, now (copies made this round
    // included).
    closure_of_.clear();
    auto record = [&](int var, const Rhs& r) {
      if (r.kind == RhsKind::Closure) closure_of_[var] = r.index;
    };
    for (const Function& f : p_.functions)
      if (f.body) ForEachBinding(*f.body, record);
    for (int l : lambdas)
      if (p_.lambdas[l].body) ForEachBinding(*p_.lambdas[l].body, record);
    std::vector<bool> done(p_.lambdas.size(), false);
    for (int l : lambdas) Trim(l, done);
  }

  void Trim(int l, std::vector<bool>& done) {
    if (done[l]) return;
    done[l] = true;
    Lambda& lam = p_.lambdas[l];
    if (!lam.body) return;
    // Nested lambdas first: their captures are uses here.
    ForEachDirectRhs(*lam.body, [&](const Rhs& r) {
      if (r.kind == RhsKind::Closure) Trim(r.index, done);
    });
    std::vector<int> uses(p_.vars.size(), 0), jumps(p_.labels, 0);
    UseCounter(p_, uses, jumps).Expr(*lam.body, 1);
    // A known closure used here keeps what it captures captured, so a
    // later round can inline it here (a specialised loop's body).
    std::unordered_set<int> pinned;
    for (int c : lam.captures) {
      auto it = closure_of_.find(c);
      if (uses[c] > 0 && it != closure_of_.end())
        pinned.insert(p_.lambdas[it->second].captures.begin(),
                      p_.lambdas[it->second].captures.end());
    }
    std::vector<int> kept;
    for (int c : lam.captures)
      if (uses[c] > 0 || pinned.count(c) != 0) kept.push_back(c);
    if (kept != lam.captures) {
      lam.captures = std::move(kept);
      changed_ = true;
    }
  }

  Program& p_;
  int small_;
  OptimizeStats stats_;
  bool changed_ = false;
  std::unordered_map<int, Def> defs_;
  std::unordered_map<int, Atom> subst_;
  std::vector<int> owner_;
  std::unordered_map<int, std::vector<int>> group_of_;  // lambda -> its letrec's variables
  std::vector<int> reachable_lambdas_;
  std::vector<FunctionFacts> facts_;
  std::vector<std::vector<int>> callees_;
  std::vector<bool> indirect_self_;
  std::vector<bool> applies_;                // functions (with their lambdas) making unknown calls
  std::vector<bool> address_taken_;          // functions used as values
  std::vector<bool> live_;                   // functions main reaches
  std::unordered_map<int, int> known_con_;   // variable -> its constructor, inside switch arms
  std::unordered_map<int, int> closure_of_;  // variable -> the lambda of its Closure (TrimCaptures)
  std::vector<int> uses_;
  std::vector<int> jumps_;
  int current_function_ = -1;
};

}  // namespace

auto Optimize(Program& program, int level) -> OptimizeStats {
  if (level <= 0) return {};
  return Optimizer(program, level).Run();
}

}  // namespace atl::core
