#include "compiler/core/util.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>

namespace atl::core {

namespace {

auto ReprOfType(check::Type* t) -> Repr {
  if (t == nullptr) return Repr::Word;
  t = check::Resolve(t);
  return t->kind == check::TypeKind::Con && t->name == "Float" && t->args.empty() ? Repr::Float
                                                                                  : Repr::Word;
}

auto IsBaseType(check::Type* t) -> bool {
  if (t == nullptr) return false;
  t = check::Resolve(t);
  if (t->kind != check::TypeKind::Con || !t->args.empty()) return false;
  return t->name == "Int" || t->name == "Float" || t->name == "Char" || t->name == "Bool" ||
         t->name == "String";
}

}  // namespace

auto ReprOfVar(const Program& program, int var) -> Repr {
  const VarInfo& info = program.vars[var];
  return info.region ? Repr::Region : ReprOfType(info.type);
}

auto ReprOf(const Program& program, const Atom& atom) -> Repr {
  if (atom.IsVar()) return ReprOfVar(program, atom.var);
  return atom.kind == AtomKind::Float ? Repr::Float : Repr::Word;
}

auto IsPure(const Program& /*program*/, const Rhs& rhs) -> bool {
  using parse::BinaryOp;
  switch (rhs.kind) {
    case RhsKind::Atom:
    case RhsKind::Construct:
    case RhsKind::Nil:
    case RhsKind::Cons:
    case RhsKind::Tuple:
    case RhsKind::Record:
    case RhsKind::Project:
    case RhsKind::Field:
    case RhsKind::Update:
    case RhsKind::Negate:
    case RhsKind::Closure:
    case RhsKind::GlobalValue:
    case RhsKind::PrimValue:
    case RhsKind::ConValue:
    case RhsKind::OpValue:
    case RhsKind::Static:
      return true;
    case RhsKind::Binary:
      switch (rhs.op) {
        case BinaryOp::Mul:
        case BinaryOp::FMul:
        case BinaryOp::FDiv:
        case BinaryOp::Add:
        case BinaryOp::Sub:
        case BinaryOp::FAdd:
        case BinaryOp::FSub:
        case BinaryOp::Append:
        case BinaryOp::Cons:
          return true;
        case BinaryOp::Eq:
        case BinaryOp::Ne:
        case BinaryOp::Lt:
        case BinaryOp::Le:
        case BinaryOp::Gt:
        case BinaryOp::Ge:
          return IsBaseType(rhs.type);
        default:
          return false;  // Div, Mod (division by zero stops the thread), the rest never appear
      }
    case RhsKind::Prim:
      switch (rhs.prim) {
        case check::Builtin::Pure:
        case check::Builtin::Not:
        case check::Builtin::IntToFloat:
        case check::Builtin::Sqrt:
        case check::Builtin::Floor:
        case check::Builtin::Ord:
        case check::Builtin::StringLength:
        case check::Builtin::StringToList:
        case check::Builtin::StringFromList:
        case check::Builtin::StringHash:
        case check::Builtin::Words:
        case check::Builtin::Lines:
        case check::Builtin::Unwords:
        case check::Builtin::Unlines:
        case check::Builtin::ArrayFromList:
        case check::Builtin::ArrayToList:
        case check::Builtin::ArrayLength:
        case check::Builtin::SizeArray:
          return true;
        default:
          return false;
      }
    case RhsKind::CallGlobal:
    case RhsKind::CallLocal:
    case RhsKind::Apply:
    case RhsKind::Region:
    case RhsKind::Block:
      return false;
  }
  return false;
}

auto SizeUpTo(const Program& program, const Expr& e, int limit) -> int {
  int n = 0;
  ForEachNodeWithLambdas(program, e, [&](const Expr& x) {
    n += 1 + (x.kind == ExprKind::Let || x.kind == ExprKind::Return ? 1 : 0) +
         (x.kind == ExprKind::LetRec ? static_cast<int>(x.group.size()) : 0);
    return n <= limit;
  });
  return n;
}

auto Size(const Program& program, const Expr& e) -> int {
  return SizeUpTo(program, e, std::numeric_limits<int>::max());
}

auto ReachedFromMain(const Program& program) -> Reach {
  const int main = program.checked->main_index;
  const bool all = main < 0 || main >= static_cast<int>(program.functions.size());
  Reach reach{std::vector<bool>(program.functions.size(), all),
              std::vector<bool>(program.lambdas.size(), false)};
  std::vector<const Expr*> work;
  if (all) {
    for (const Function& f : program.functions)
      if (f.body) work.push_back(f.body.get());
  } else {
    reach.functions[main] = true;
    if (program.functions[main].body) work.push_back(program.functions[main].body.get());
  }
  while (!work.empty()) {
    const Expr* e = work.back();
    work.pop_back();
    ForEachDirectRhs(*e, [&](const Rhs& r) {
      if ((r.kind == RhsKind::CallGlobal || r.kind == RhsKind::GlobalValue) &&
          !reach.functions[r.function()]) {
        reach.functions[r.function()] = true;
        if (const Function& f = program.functions[r.function()]; f.body)
          work.push_back(f.body.get());
      }
      if (r.kind == RhsKind::Closure && !reach.lambdas[r.lambda()]) {
        reach.lambdas[r.lambda()] = true;
        if (const Lambda& l = program.lambdas[r.lambda()]; l.body) work.push_back(l.body.get());
      }
    });
  }
  return reach;
}

auto ReachableLambdas(const Program& program) -> std::vector<int> {
  std::vector<int> out;
  std::vector<bool> seen(program.lambdas.size(), false);
  std::vector<const Expr*> work;
  for (const Function& f : program.functions)
    if (f.body) work.push_back(f.body.get());
  while (!work.empty()) {
    const Expr* e = work.back();
    work.pop_back();
    ForEachDirectRhs(*e, [&](const Rhs& r) {
      if (r.kind != RhsKind::Closure || seen[r.lambda()]) return;
      seen[r.lambda()] = true;
      out.push_back(r.lambda());
      if (program.lambdas[r.lambda()].body) work.push_back(program.lambdas[r.lambda()].body.get());
    });
  }
  return out;
}

Expr::~Expr() {
  std::vector<std::unique_ptr<Expr>> work;
  auto detach = [&](Expr& e) {
    auto take = [&](std::unique_ptr<Expr>& child) {
      if (child) work.push_back(std::move(child));
    };
    take(e.next);
    take(e.then_branch);
    take(e.else_branch);
    take(e.join_body);
    take(e.rhs.body);
    for (Alt& alt : e.alts) take(alt.body);
    for (Rhs& r : e.group) take(r.body);
  };
  detach(*this);
  while (!work.empty()) {
    std::unique_ptr<Expr> x = std::move(work.back());
    work.pop_back();
    detach(*x);
  }  // each node is destroyed with no children left
}

// ---- Copier ----------------------------------------------------------------

auto Copier::Rename(int v) -> int {
  VarInfo info = program_.vars[v];
  program_.vars.push_back(std::move(info));
  int fresh = static_cast<int>(program_.vars.size()) - 1;
  subst_[v] = Atom::Variable(fresh);
  if (on_bind) on_bind(fresh);
  return fresh;
}

auto Copier::MapVar(int v) const -> int {
  if (v < 0) return v;
  auto it = subst_.find(v);
  if (it == subst_.end()) return v;
  // Region and closure positions hold variables; a substitution there is
  // always variable for variable.
  return it->second.IsVar() ? it->second.var : v;
}

auto Copier::CopyAtom(const Atom& a) const -> Atom {
  if (!a.IsVar()) return a;
  auto it = subst_.find(a.var);
  return it == subst_.end() ? a : it->second;
}

auto Copier::Label(int l) -> int {
  auto it = labels_.find(l);
  if (it != labels_.end()) return it->second;
  int fresh = program_.labels++;
  labels_[l] = fresh;
  return fresh;
}

auto Copier::ReserveLambda(int index) -> int {
  auto it = lambdas_.find(index);
  if (it != lambdas_.end()) return it->second;
  program_.lambdas.emplace_back();
  int slot = static_cast<int>(program_.lambdas.size()) - 1;
  lambdas_[index] = slot;
  return slot;
}

auto Copier::CopyLambda(int index) -> int {
  int slot = ReserveLambda(index);
  if (filled_[slot]) return slot;
  filled_[slot] = true;
  // program_.lambdas grows while the body is copied: read through the
  // (stable) heap objects, never through a reference into the vector.
  const Lambda& from = program_.lambdas[index];
  Lambda to;
  to.name = from.name;
  to.span = override_ ? span_ : from.span;
  to.file = override_ ? file_ : from.file;
  to.result = from.result;
  const Expr* body = from.body.get();
  std::vector<int> params = from.params;
  std::vector<int> captures = from.captures;
  int self = from.self, region = from.region;
  for (int c : captures) {
    Atom a = CopyAtom(Atom::Variable(c));
    if (!a.IsVar()) continue;  // a constant now: the body reads it directly
    bool seen = false;
    for (int d : to.captures) seen = seen || d == a.var;
    if (!seen) to.captures.push_back(a.var);
  }
  to.self = self >= 0 ? Rename(self) : -1;
  for (int p : params) to.params.push_back(Rename(p));
  to.region = region >= 0 ? Rename(region) : -1;
  if (body != nullptr) to.body = CopyExpr(*body);
  program_.lambdas[slot] = std::move(to);
  return slot;
}

auto Copier::CopyRhs(const Rhs& rhs) -> Rhs {
  Rhs out;
  out.kind = rhs.kind;
  out.span = override_ ? span_ : rhs.span;
  for (const Atom& a : rhs.args) out.args.push_back(CopyAtom(a));
  out.CopyNumbersFrom(rhs);
  out.region = MapVar(rhs.region);
  out.prim = rhs.prim;
  out.send = rhs.send;
  out.proved_index = rhs.proved_index;
  out.no_wrap = rhs.no_wrap;
  out.reverse_in_place = rhs.reverse_in_place;
  out.op = rhs.op;
  out.type = rhs.type;
  out.types = rhs.types;
  out.names = rhs.names;
  out.expr = rhs.expr;
  switch (rhs.kind) {
    case RhsKind::CallLocal: {
      out.SetClosure(MapVar(rhs.closure()));
      auto it = lambdas_.find(rhs.lambda());
      if (it != lambdas_.end()) out.SetLambda(it->second);
      break;
    }
    case RhsKind::Closure:
      out.SetLambda(CopyLambda(rhs.lambda()));
      break;
    case RhsKind::Region:
      out.SetBoundRegion(rhs.bound_region() >= 0 ? Rename(rhs.bound_region()) : -1);
      break;
    default:
      break;
  }
  if (rhs.body) out.body = CopyExpr(*rhs.body);
  return out;
}

namespace {

// The slot of `to` that corresponds to `slot`, a child slot of `from`
// (`to` is a copy of `from` with the same alternatives).
auto CorrespondingSlot(const Expr& from, const std::unique_ptr<Expr>* slot, Expr& to)
    -> std::unique_ptr<Expr>* {
  if (slot == &from.next) return &to.next;
  if (slot == &from.then_branch) return &to.then_branch;
  if (slot == &from.else_branch) return &to.else_branch;
  if (slot == &from.join_body) return &to.join_body;
  for (size_t i = 0; i < from.alts.size(); ++i)
    if (slot == &from.alts[i].body) return &to.alts[i].body;
  return nullptr;
}

}  // namespace

auto Copier::CopyExpr(const Expr& e) -> std::unique_ptr<Expr> {
  // Along continuations in a loop, other children by recursion (util.h).
  std::unique_ptr<Expr> result;
  std::unique_ptr<Expr>* out_slot = &result;
  for (const Expr* x = &e; x != nullptr;) {
    *out_slot = std::make_unique<Expr>();
    Expr& out = **out_slot;
    out.kind = x->kind;
    out.span = override_ ? span_ : x->span;
    switch (x->kind) {
      case ExprKind::Let:
        out.rhs = CopyRhs(x->rhs);
        out.var = Rename(x->var);
        break;
      case ExprKind::LetRec:
        for (int v : x->vars) out.vars.push_back(Rename(v));
        // The group's lambdas call each other: reserve every copy first so
        // CallLocals in any of them find the new index.
        for (const Rhs& r : x->group)
          if (r.kind == RhsKind::Closure) ReserveLambda(r.lambda());
        for (const Rhs& r : x->group) out.group.push_back(CopyRhs(r));
        break;
      case ExprKind::Return:
        out.rhs = CopyRhs(x->rhs);
        break;
      case ExprKind::If:
        out.cond = CopyAtom(x->cond);
        break;
      case ExprKind::Switch:
        out.cond = CopyAtom(x->cond);
        for (const Alt& alt : x->alts) out.alts.push_back(Alt{alt.constructor, nullptr});
        break;
      case ExprKind::Join:
        out.label = Label(x->label);
        for (int v : x->vars) out.vars.push_back(Rename(v));
        out.recursive = x->recursive;
        break;
      case ExprKind::Jump:
        out.label = Label(x->label);
        for (const Atom& a : x->args) out.args.push_back(CopyAtom(a));
        break;
      case ExprKind::Fail:
        out.message = x->message;
        break;
    }
    const std::unique_ptr<Expr>* continuation = ContinuationSlot(*x);
    ForEachChildSlot(*x, continuation, [&](const std::unique_ptr<Expr>* slot) {
      *CorrespondingSlot(*x, slot, out) = CopyExpr(**slot);
    });
    if (continuation == nullptr || !*continuation) break;
    out_slot = CorrespondingSlot(*x, continuation, out);
    x = continuation->get();
  }
  return result;
}

void RenameUses(Program& program, Expr& body, const std::unordered_map<int, int>& to) {
  ForEachNodeWithLambdas(program, body, [&](Expr& x) {
    ForEachNodeUse(program, x, [&](int& v) {
      if (auto it = to.find(v); it != to.end()) v = it->second;
    });
  });
}

// Free variables (util.h). Every variable is bound once and before its
// uses in walk order, so one in-order walk tells bound from free.
auto FreeVariables(const Program& program, const Lambda& lambda) -> std::vector<int> {
  std::set<int> bound{lambda.self};
  bound.insert(lambda.params.begin(), lambda.params.end());
  if (lambda.region >= 0) bound.insert(lambda.region);
  std::vector<int> free;
  std::set<int> seen;
  ForEachNode(*lambda.body, [&](const Expr& x) {
    if (x.kind == ExprKind::Let) bound.insert(x.var);
    if (x.kind == ExprKind::LetRec || x.kind == ExprKind::Join)
      bound.insert(x.vars.begin(), x.vars.end());
    auto region_bound = [&](const Rhs& r) {
      if (r.kind == RhsKind::Region) bound.insert(r.bound_region());
    };
    if (x.kind == ExprKind::Let || x.kind == ExprKind::Return) region_bound(x.rhs);
    ForEachNodeUse(program, x, [&](int v) {
      if (!bound.contains(v) && seen.insert(v).second) free.push_back(v);
    });
  });
  return free;
}

}  // namespace atl::core
