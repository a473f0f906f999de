// The optimiser's simplification of one body (README.md, "Optimiser"):
// copy propagation, known calls, known constructors and Bools, constant
// folding, join points jumped to once, block flattening.
#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

#include "compiler/core/optimizer.h"

namespace atl::core::opt {

void Optimizer::MapCaptures(int l) {
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

auto Optimizer::Resolved(const Atom& a) const -> Atom {
  Atom out = a;
  for (int guard = 0; out.IsVar() && guard < 64; ++guard) {
    auto it = subst_.find(out.var);
    if (it == subst_.end()) break;
    out = it->second;
  }
  return out;
}

auto Optimizer::ResolvedVar(int v) const -> int {
  if (v < 0) return v;
  Atom a = Resolved(Atom::Variable(v));
  return a.IsVar() ? a.var : v;
}

void Optimizer::Substitute(Atom& a) {
  Atom r = Resolved(a);
  if (r.IsVar() != a.IsVar() || (r.IsVar() && r.var != a.var) || (!r.IsVar() && !a.IsVar())) {
    if (a.IsVar()) changed_ = true;
    a = std::move(r);
  }
}

auto Optimizer::DefOf(const Atom& a) const -> const Def* {
  if (!a.IsVar()) return nullptr;
  auto it = defs_.find(a.var);
  return it == defs_.end() ? nullptr : &it->second;
}

void Optimizer::SimplifyRhs(Rhs& r, int ctx) {
  for (Atom& a : r.args) Substitute(a);
  if (r.kind == RhsKind::CallLocal) r.SetClosure(ResolvedVar(r.closure()));
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
                   r.position() >= 0 && r.position() < static_cast<int>(d->args.size());
      if (!known) break;
      Atom field = d->args[r.position()];
      // The field's variable may belong to an enclosing context that this
      // lambda does not capture (it captured the whole constructor).
      if (field.IsVar() && !Available(field.var, ctx)) break;
      r.kind = RhsKind::Atom;
      r.args = {field};
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

void Optimizer::OwnSelf(Rhs& r, int ctx) {
  if (r.kind != RhsKind::CallLocal || !IsLambdaContext(ctx) || ContextLambda(ctx) != r.lambda())
    return;
  int self = p_.lambdas[r.lambda()].self;
  if (r.closure() != self) {
    r.SetClosure(self);
    changed_ = true;
  }
}

void Optimizer::FoldBinary(Rhs& r) {
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

void Optimizer::KnownCall(Rhs& r) {
  const Def* d = DefOf(r.args[0]);
  if (d == nullptr) return;
  int argc = static_cast<int>(r.args.size()) - 1;
  if (d->kind == RhsKind::Closure) {
    const Lambda& l = p_.lambdas[d->index];
    if (static_cast<int>(l.params.size()) != argc || (l.region >= 0) != (r.region >= 0)) return;
    r.kind = RhsKind::CallLocal;
    r.SetClosure(r.args[0].var);
    r.SetLambda(d->index);
    r.args.erase(r.args.begin());
  } else if (d->kind == RhsKind::GlobalValue) {
    const check::Function& f = p_.checked->functions[d->index];
    if (f.arity != argc || (p_.functions[d->index].region >= 0) != (r.region >= 0)) return;
    r.kind = RhsKind::CallGlobal;
    r.SetFunction(d->index);
    r.args.erase(r.args.begin());
  } else {
    return;
  }
  ++stats_.known_calls;
  changed_ = true;
}

void Optimizer::Simplify(std::unique_ptr<Expr>& slot, int ctx) {
  // Along continuations in a loop, other children by recursion (util.h).
  // Going on into a switch arm keeps what the arm knows until the end of
  // the chain; the scopes are left in reverse order.
  struct Scopes {
    std::deque<KnownScope> open;
    ~Scopes() {
      while (!open.empty()) open.pop_back();
    }
  } scopes;
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
        std::unique_ptr<Expr>* continuation = ContinuationSlot(e);
        ForEachChildSlot(e, continuation,
                         [&](std::unique_ptr<Expr>* child) { Simplify(*child, ctx); });
        at = continuation;
        break;
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
        std::unique_ptr<Expr>* continuation = ContinuationSlot(e);
        std::optional<int> continuation_known;
        for (Alt& alt : e.alts) {
          if (&alt.body == continuation) {
            continuation_known = alt.constructor;
            continue;
          }
          KnownScope scope(known_con_, v, alt.constructor);
          Simplify(alt.body, ctx);
        }
        if (e.else_branch) {
          if (&e.else_branch == continuation) {
            continuation_known = RemainingConstructor(e);
          } else {
            KnownScope scope(known_con_, v, RemainingConstructor(e));
            Simplify(e.else_branch, ctx);
          }
        }
        scopes.open.emplace_back(known_con_, v, continuation_known);
        at = continuation;
        break;
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
        if (ContinuationSlot(e) == &e.next) {
          Simplify(e.join_body, ctx);
          at = &e.next;
        } else {
          Simplify(e.next, ctx);
          at = &e.join_body;
        }
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

void Optimizer::FindJumps(std::unique_ptr<Expr>& slot, int label,
                          std::vector<std::unique_ptr<Expr>*>& out) {
  // Not into Blocks, Regions or lambdas: jumps never leave them.
  std::vector<std::unique_ptr<Expr>*> work{&slot};
  while (!work.empty()) {
    std::unique_ptr<Expr>* at = work.back();
    work.pop_back();
    Expr& x = **at;
    if (x.kind == ExprKind::Jump && x.label == label) out.push_back(at);
    ForEachChildSlot(x, nullptr, [&](std::unique_ptr<Expr>* child) { work.push_back(child); });
  }
}

auto Optimizer::RemainingConstructor(const Expr& e) const -> std::optional<int> {
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

auto Optimizer::KnownAlternative(Expr& e) -> std::unique_ptr<Expr> {
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

auto Optimizer::BlockOf(std::unique_ptr<Expr> body, source::Span span) -> Rhs {
  Rhs r;
  r.kind = RhsKind::Block;
  r.span = span;
  r.body = std::move(body);
  return r;
}

auto Optimizer::FlattenBlock(std::unique_ptr<Expr>& slot) -> bool {
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

}  // namespace atl::core::opt
