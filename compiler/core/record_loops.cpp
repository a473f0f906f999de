// Records passed around a loop as their fields (README.md, "Record
// loops"). Runs once after the optimiser's rounds and the bounds prover.
//
// The rule. A function or lambda f whose parameter p has a record type, and
// one of whose tail self calls passes for p a record built in f's body just
// for that call (a `Record` or `Update` rhs whose variable has no other use),
// allocates that record on every iteration only for the next iteration to
// read its fields. When no use of p as a whole value (anything but `p.f`,
// `{p | ...}` and passing p along to the next iteration) lies on a path that
// goes round the loop again, f becomes
//
//   f(ps) = joinrec loop(ps', p.f1 .. p.fn) = body' in jump loop(ps, p.f1 .. p.fn)
//
// where body' reads p's fields from the join's parameters (`p.f` is the
// parameter, `{p | g = x}` is a record of the parameters and x), every tail
// self call is a jump that passes the fields of its argument (the atoms the
// record was built from, or field reads of any other record), and a use of
// p as a whole, on a path that leaves the loop, reads a record rebuilt from
// the fields at the start of that path. The record the self call built is
// then dead and goes. So the loop allocates no record per iteration, at
// most one when it leaves, and nothing changes for its callers (f keeps
// its parameters; a non-tail self call still passes the record). The join
// point's Float parameters are doubles and its Int parameters raw words in
// the lowering (compiler/lower/README.md), as a function's loop slots are.
//
// Not done: a record whose type is a type variable in f (a specialised
// Prelude loop such as foldl's keeps the polymorphic type of its
// accumulator), records returned by the loop (they are built once, on
// exit), records in data constructors or tuples.
#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/check/type.h"
#include "compiler/core/util.h"

namespace atl::core {
namespace {

auto RecordTypeOf(const Program& p, int var) -> check::Type* {
  check::Type* t = p.vars[var].type;
  if (t == nullptr) return nullptr;
  t = check::Resolve(t);
  if (t->kind != check::TypeKind::Con || !check::IsRecordName(t->name) || t->args.empty())
    return nullptr;
  return t;
}

class RecordLoops {
 public:
  explicit RecordLoops(Program& p) : p_(p) {}

  auto Run() -> int {
    uses_.assign(p_.vars.size(), 0);
    jumps_.assign(static_cast<size_t>(p_.labels), 0);
    UseCounter(p_, uses_, jumps_).Exprs(p_);
    const Reach reach = ReachedFromMain(p_);
    int changed = 0;
    for (size_t f = 0; f < p_.functions.size(); ++f) {
      Function& fn = p_.functions[f];
      if (!fn.body || !reach.functions[f]) continue;
      Loop loop{&fn.body, fn.params, static_cast<int>(f), -1, -1, fn.region};
      changed += Transform(loop) ? 1 : 0;
    }
    for (int l : ReachableLambdas(p_)) {
      Lambda& lam = p_.lambdas[l];
      if (!lam.body || lam.self < 0) continue;
      Loop loop{&lam.body, lam.params, -1, l, lam.self, lam.region};
      changed += Transform(loop) ? 1 : 0;
    }
    return changed;
  }

 private:
  struct Loop {
    std::unique_ptr<Expr>* body;
    std::vector<int> params;
    int function;  // or -1
    int lambda;    // or -1
    int self;      // the lambda's self
    int region;
  };

  auto IsSelfCall(const Loop& loop, const Rhs& r) const -> bool {
    if (r.args.size() != loop.params.size() || r.region != loop.region) return false;
    if (loop.function >= 0) return r.kind == RhsKind::CallGlobal && r.function() == loop.function;
    return r.kind == RhsKind::CallLocal && r.lambda() == loop.lambda && r.closure() == loop.self;
  }

  // Whether a self call is reached from `e` (through the jumps to the
  // joins declared in the body too).
  auto Loops(const Loop& loop, const Expr& e) -> bool {
    if (auto it = loops_.find(&e); it != loops_.end()) return it->second;
    bool result = false;
    switch (e.kind) {
      case ExprKind::Return:
        result = IsSelfCall(loop, e.rhs);
        break;
      case ExprKind::Jump: {
        auto it = join_loops_.find(e.label);
        result = it != join_loops_.end() && it->second;
        break;
      }
      case ExprKind::Join:
        join_loops_[e.label] = Loops(loop, *e.join_body);
        result = Loops(loop, *e.next);
        break;
      default:
        ForEachChildSlot(e, nullptr, [&](const std::unique_ptr<Expr>* child) {
          if (Loops(loop, **child)) result = true;
        });
        break;
    }
    loops_[&e] = result;
    return result;
  }

  // Whether `r` (with the bodies it holds and the lambdas it builds) uses
  // `p` as a whole value: not `p.f`, not `{p | ...}`'s base, not position
  // `pass` of a self call (-1: none).
  auto RhsUsesWhole(const Loop& loop, const Rhs& r, int p, bool tail) -> bool {
    if (r.kind == RhsKind::Field) return false;  // its one operand is the record
    for (size_t i = 0; i < r.args.size(); ++i) {
      if (!r.args[i].IsVar() || r.args[i].var != p) continue;
      if (r.kind == RhsKind::Update && i == 0) continue;
      if (tail && IsSelfCall(loop, r) && loop.params[i] == p) continue;
      return true;
    }
    if (r.kind == RhsKind::Closure) {
      const auto& caps = p_.lambdas[r.lambda()].captures;
      if (std::find(caps.begin(), caps.end(), p) != caps.end()) return true;
    }
    if (r.body && ExprUsesWhole(loop, *r.body, p, false)) return true;
    return false;
  }

  auto ExprUsesWhole(const Loop& loop, const Expr& e, int p, bool tail) -> bool {
    bool found = false;
    switch (e.kind) {
      case ExprKind::Let:
      case ExprKind::Return:
        found = RhsUsesWhole(loop, e.rhs, p, tail && e.kind == ExprKind::Return);
        break;
      case ExprKind::LetRec:
        for (const Rhs& r : e.group) found = found || RhsUsesWhole(loop, r, p, false);
        break;
      case ExprKind::If:
      case ExprKind::Switch:
        found = e.cond.IsVar() && e.cond.var == p;
        break;
      case ExprKind::Jump:
        for (const Atom& a : e.args) found = found || (a.IsVar() && a.var == p);
        break;
      case ExprKind::Join:
      case ExprKind::Fail:
        break;
    }
    ForEachChildSlot(e, nullptr, [&](const std::unique_ptr<Expr>* child) {
      if (!found && ExprUsesWhole(loop, **child, p, tail)) found = true;
    });
    return found;
  }

  // No use of p as a whole on a path that goes round the loop again.
  auto WholeOnlyOnExits(const Loop& loop, const Expr& e, int p) -> bool {
    if (!Loops(loop, e)) return true;
    switch (e.kind) {
      case ExprKind::Let:
        if (RhsUsesWhole(loop, e.rhs, p, false)) return false;
        break;
      case ExprKind::LetRec:
        for (const Rhs& r : e.group)
          if (RhsUsesWhole(loop, r, p, false)) return false;
        break;
      case ExprKind::Return:
        return !RhsUsesWhole(loop, e.rhs, p, true);
      case ExprKind::If:
      case ExprKind::Switch:
        if (e.cond.IsVar() && e.cond.var == p) return false;
        break;
      case ExprKind::Jump:
        for (const Atom& a : e.args)
          if (a.IsVar() && a.var == p) return false;
        return true;
      case ExprKind::Join:
      case ExprKind::Fail:
        break;
    }
    bool ok = true;
    ForEachChildSlot(e, nullptr, [&](const std::unique_ptr<Expr>* child) {
      if (ok && !WholeOnlyOnExits(loop, **child, p)) ok = false;
    });
    return ok;
  }

  // The tail self calls of the body (not inside blocks or lambdas).
  void SelfCalls(const Loop& loop, Expr& e, std::vector<Expr*>& out) {
    std::vector<Expr*> work{&e};
    while (!work.empty()) {
      Expr* x = work.back();
      work.pop_back();
      if (x->kind == ExprKind::Return && IsSelfCall(loop, x->rhs)) out.push_back(x);
      ForEachChildSlot(*x, nullptr,
                       [&](std::unique_ptr<Expr>* child) { work.push_back(child->get()); });
    }
  }

  auto Transform(Loop& loop) -> bool {
    loops_.clear();
    join_loops_.clear();
    defs_.clear();
    std::vector<Expr*> calls;
    SelfCalls(loop, **loop.body, calls);
    if (calls.empty()) return false;
    ForEachBinding(**loop.body, [&](int var, const Rhs& r) { defs_[var] = &r; });
    // The record parameters a self call passes a record built for it.
    std::vector<int> split;  // positions
    for (size_t k = 0; k < loop.params.size(); ++k) {
      const int p = loop.params[k];
      if (RecordTypeOf(p_, p) == nullptr) continue;
      bool fresh = false;
      for (Expr* call : calls) {
        const Atom& a = call->rhs.args[k];
        if (!a.IsVar() || uses_[a.var] != 1) continue;
        auto it = defs_.find(a.var);
        if (it != defs_.end() &&
            (it->second->kind == RhsKind::Record || it->second->kind == RhsKind::Update))
          fresh = true;
      }
      if (fresh && WholeOnlyOnExits(loop, **loop.body, p)) split.push_back(static_cast<int>(k));
    }
    if (split.empty()) return false;
    Rewrite(loop, split, calls);
    return true;
  }

  auto NewVar(const std::string& name, check::Type* type) -> int {
    const int v = p_.NewVar(name, type);
    uses_.push_back(0);
    return v;
  }

  // One record parameter being split: its fields (sorted, the record
  // type's order) and the join's parameters for them.
  struct Split {
    int param;
    check::Type* type;
    std::vector<std::string> names;
    std::vector<int> fields;
  };

  auto FieldIndex(const Split& s, const std::string& name) const -> int {
    for (size_t i = 0; i < s.names.size(); ++i)
      if (s.names[i] == name) return static_cast<int>(i);
    return -1;
  }

  // `let v = Field record f` before `next`.
  auto FieldLet(int v, const Atom& record, check::Type* type, const std::string& name,
                source::Span span, std::unique_ptr<Expr> next) -> std::unique_ptr<Expr> {
    auto let = std::make_unique<Expr>();
    let->kind = ExprKind::Let;
    let->span = span;
    let->var = v;
    let->rhs.kind = RhsKind::Field;
    let->rhs.span = span;
    let->rhs.type = type;
    let->rhs.args = {record};
    let->rhs.names = {name};
    let->next = std::move(next);
    return let;
  }

  void Rewrite(Loop& loop, const std::vector<int>& positions, const std::vector<Expr*>& calls) {
    std::vector<Split> splits;
    std::unordered_map<int, int> renamed;  // other parameters -> the join's
    std::vector<int> join_params;
    std::vector<int> split_of(loop.params.size(), -1);
    for (size_t k = 0; k < loop.params.size(); ++k) {
      const int p = loop.params[k];
      if (std::find(positions.begin(), positions.end(), static_cast<int>(k)) == positions.end()) {
        const int v = NewVar(p_.vars[p].name, p_.vars[p].type);
        renamed[p] = v;
        join_params.push_back(v);
        continue;
      }
      Split s;
      s.param = p;
      s.type = RecordTypeOf(p_, p);
      s.names = check::RecordFields(s.type->name);
      for (size_t i = 0; i < s.names.size(); ++i) {
        const int v = NewVar(p_.vars[p].name + "." + s.names[i], s.type->args[i]);
        s.fields.push_back(v);
        join_params.push_back(v);
      }
      split_of[k] = static_cast<int>(splits.size());
      splits.push_back(std::move(s));
    }
    const int label = p_.labels++;
    join_loops_[label] = true;
    // The self calls become jumps (their arguments read before the body's
    // atoms are renamed, so `p` is still `p` here).
    for (Expr* call : calls) CallToJump(loop, *call, label, splits, split_of);
    RewriteTail(loop, *loop.body, splits, std::vector<int>(splits.size(), -1));
    RenameUses(p_, **loop.body, renamed);

    // f(ps) = joinrec loop(...) = body in let fields = p.f ... in jump loop(...)
    const source::Span span = (*loop.body)->span;
    auto jump = std::make_unique<Expr>();
    jump->kind = ExprKind::Jump;
    jump->span = span;
    jump->label = label;
    struct Read {
      int var;
      const Split* split;
      size_t field;
    };
    std::vector<Read> reads;
    for (size_t k = 0; k < loop.params.size(); ++k) {
      if (split_of[k] < 0) {
        jump->args.push_back(Atom::Variable(loop.params[k]));
        continue;
      }
      const Split& s = splits[split_of[k]];
      for (size_t i = 0; i < s.names.size(); ++i) {
        const int v = NewVar(p_.vars[s.param].name + "." + s.names[i], s.type->args[i]);
        jump->args.push_back(Atom::Variable(v));
        reads.push_back(Read{v, &s, i});
      }
    }
    std::unique_ptr<Expr> entry = std::move(jump);
    for (auto it = reads.rbegin(); it != reads.rend(); ++it)
      entry = FieldLet(it->var, Atom::Variable(it->split->param), it->split->type,
                       it->split->names[it->field], span, std::move(entry));
    auto join = std::make_unique<Expr>();
    join->kind = ExprKind::Join;
    join->span = span;
    join->label = label;
    join->recursive = true;
    join->vars = std::move(join_params);
    join->join_body = std::move(*loop.body);
    join->next = std::move(entry);
    *loop.body = std::move(join);
  }

  // The atoms of the fields of record `a` passed for split `s` at a jump;
  // field reads that need a variable are added to `lets`.
  auto FieldsOf(const Atom& a, const Split& s, source::Span span,
                std::vector<std::pair<int, Rhs>>& lets) -> std::vector<Atom> {
    std::vector<Atom> out(s.names.size());
    if (a.IsVar() && a.var == s.param) {
      for (size_t i = 0; i < s.fields.size(); ++i) out[i] = Atom::Variable(s.fields[i]);
      return out;
    }
    std::vector<bool> known(s.names.size(), false);
    const Rhs* def = nullptr;
    if (a.IsVar())
      if (auto it = defs_.find(a.var); it != defs_.end()) def = it->second;
    if (def != nullptr && (def->kind == RhsKind::Record || def->kind == RhsKind::Update)) {
      const size_t first = def->kind == RhsKind::Update ? 1 : 0;
      for (size_t k = 0; k < def->names.size(); ++k) {
        const int i = FieldIndex(s, def->names[k]);
        if (i < 0) continue;
        out[i] = def->args[first + k];
        known[i] = true;
      }
      // An update of p itself: the other fields are the parameters.
      if (def->kind == RhsKind::Update && def->args[0].IsVar() && def->args[0].var == s.param) {
        for (size_t i = 0; i < s.fields.size(); ++i)
          if (!known[i]) {
            out[i] = Atom::Variable(s.fields[i]);
            known[i] = true;
          }
      }
    }
    for (size_t i = 0; i < s.names.size(); ++i) {
      if (known[i]) continue;
      const int v = NewVar(p_.vars[s.param].name + "." + s.names[i], s.type->args[i]);
      Rhs r;
      r.kind = RhsKind::Field;
      r.span = span;
      r.type = s.type;
      r.args = {a};
      r.names = {s.names[i]};
      lets.emplace_back(v, std::move(r));
      out[i] = Atom::Variable(v);
    }
    return out;
  }

  void CallToJump(const Loop& loop, Expr& call, int label, const std::vector<Split>& splits,
                  const std::vector<int>& split_of) {
    const source::Span span = call.span;
    std::vector<Atom> args;
    std::vector<std::pair<int, Rhs>> lets;
    for (size_t k = 0; k < loop.params.size(); ++k) {
      if (split_of[k] < 0) {
        args.push_back(call.rhs.args[k]);
        continue;
      }
      for (Atom& a : FieldsOf(call.rhs.args[k], splits[split_of[k]], span, lets))
        args.push_back(std::move(a));
    }
    auto jump = std::make_unique<Expr>();
    jump->kind = ExprKind::Jump;
    jump->span = span;
    jump->label = label;
    jump->args = std::move(args);
    std::unique_ptr<Expr> out = std::move(jump);
    for (auto it = lets.rbegin(); it != lets.rend(); ++it) {
      auto let = std::make_unique<Expr>();
      let->kind = ExprKind::Let;
      let->span = span;
      let->var = it->first;
      let->rhs = std::move(it->second);
      let->next = std::move(out);
      out = std::move(let);
    }
    call = std::move(*out);
  }

  // Field reads and updates of a split parameter read the join's
  // parameters; other uses read the record rebuilt for them (`rebuilt`,
  // by split; -1 where none is, which WholeOnlyOnExits rules out).
  void RewriteRhs(Rhs& r, const std::vector<Split>& splits, const std::vector<int>& rebuilt) {
    for (size_t s = 0; s < splits.size(); ++s) {
      const Split& sp = splits[s];
      if (r.kind == RhsKind::Field && r.args[0].IsVar() && r.args[0].var == sp.param) {
        const int i = FieldIndex(sp, r.names[0]);
        if (i >= 0) {
          r.kind = RhsKind::Atom;
          r.args = {Atom::Variable(sp.fields[i])};
          r.names.clear();
          r.type = nullptr;
          continue;
        }
      }
      if (r.kind == RhsKind::Update && r.args[0].IsVar() && r.args[0].var == sp.param) {
        std::vector<Atom> args;
        for (size_t i = 0; i < sp.names.size(); ++i) {
          Atom a = Atom::Variable(sp.fields[i]);
          for (size_t k = 0; k < r.names.size(); ++k)
            if (r.names[k] == sp.names[i]) a = r.args[1 + k];
          args.push_back(std::move(a));
        }
        r.kind = RhsKind::Record;
        r.args = std::move(args);
        r.names = sp.names;
      }
      std::unordered_map<int, int> whole;
      if (rebuilt[s] >= 0) whole[sp.param] = rebuilt[s];
      for (Atom& a : r.args)
        if (a.IsVar() && a.var == sp.param && rebuilt[s] >= 0) a.var = rebuilt[s];
      if (r.kind == RhsKind::Closure && !whole.empty()) {
        Lambda& l = p_.lambdas[r.lambda()];
        for (int& c : l.captures)
          if (c == sp.param) c = rebuilt[s];
        if (l.body) RenameUses(p_, *l.body, whole);
      }
    }
    if (r.body) RewriteNested(*r.body, splits, rebuilt);
  }

  // A block's or region's body: no tail calls of the loop here.
  void RewriteNested(Expr& e, const std::vector<Split>& splits, const std::vector<int>& rebuilt) {
    std::vector<Expr*> work{&e};
    while (!work.empty()) {
      Expr* x = work.back();
      work.pop_back();
      Atoms(*x, splits, rebuilt);
      ForEachChildSlot(*x, nullptr,
                       [&](std::unique_ptr<Expr>* child) { work.push_back(child->get()); });
    }
  }

  void Atoms(Expr& x, const std::vector<Split>& splits, const std::vector<int>& rebuilt) {
    auto atom = [&](Atom& a) {
      for (size_t s = 0; s < splits.size(); ++s)
        if (a.IsVar() && a.var == splits[s].param && rebuilt[s] >= 0) a.var = rebuilt[s];
    };
    switch (x.kind) {
      case ExprKind::Let:
      case ExprKind::Return:
        RewriteRhs(x.rhs, splits, rebuilt);
        break;
      case ExprKind::LetRec:
        for (Rhs& r : x.group) RewriteRhs(r, splits, rebuilt);
        break;
      case ExprKind::If:
      case ExprKind::Switch:
        atom(x.cond);
        break;
      case ExprKind::Jump:
        for (Atom& a : x.args) atom(a);
        break;
      case ExprKind::Join:
      case ExprKind::Fail:
        break;
    }
  }

  // The tail tree: where a path leaves the loop and p is used as a whole
  // below, the record is rebuilt from the fields first.
  void RewriteTail(const Loop& loop, std::unique_ptr<Expr>& slot, const std::vector<Split>& splits,
                   std::vector<int> rebuilt) {
    Expr& e = *slot;
    const bool loops = LoopsAfter(loop, e);
    if (!loops) {
      for (size_t s = 0; s < splits.size(); ++s) {
        if (rebuilt[s] >= 0 || !ExprUsesWhole(loop, e, splits[s].param, false)) continue;
        const Split& sp = splits[s];
        const int v = NewVar(p_.vars[sp.param].name, p_.vars[sp.param].type);
        auto let = std::make_unique<Expr>();
        let->kind = ExprKind::Let;
        let->span = e.span;
        let->var = v;
        let->rhs.kind = RhsKind::Record;
        let->rhs.span = e.span;
        let->rhs.type = sp.type;
        let->rhs.names = sp.names;
        for (int f : sp.fields) let->rhs.args.push_back(Atom::Variable(f));
        let->next = std::move(slot);
        slot = std::move(let);
        rebuilt[s] = v;
      }
    }
    Expr& x = *slot;
    if (&x != &e) {  // rebuilt above: go on with e, under the lets
      std::unique_ptr<Expr>* at = &x.next;
      while (at->get() != &e) at = &(*at)->next;
      RewriteTail(loop, *at, splits, rebuilt);
      return;
    }
    Atoms(e, splits, rebuilt);
    ForEachChildSlot(e, nullptr, [&](std::unique_ptr<Expr>* child) {
      RewriteTail(loop, *child, splits, rebuilt);
    });
  }

  // Loops, for a node whose self calls may already be jumps to the new
  // join (computed on the original body before they were).
  auto LoopsAfter(const Loop& loop, const Expr& e) -> bool {
    auto it = loops_.find(&e);
    return it == loops_.end() ? Loops(loop, e) : it->second;
  }

  Program& p_;
  std::vector<int> uses_, jumps_;
  std::unordered_map<const Expr*, bool> loops_;
  std::unordered_map<int, bool> join_loops_;
  std::unordered_map<int, const Rhs*> defs_;
};

}  // namespace

auto UnboxRecordLoops(Program& program) -> int { return RecordLoops(program).Run(); }

}  // namespace atl::core
