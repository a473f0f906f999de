// Subtyping on region tokens and determinisms (docs/typing.md section 5), its
// constraints and their solution, and well-formedness (sendability is in
// sendable.cpp).
//
// Sub(actual, expected) walks both types by the variance table:
//   Ref s a, MutableArray s a   covariant in s, invariant in a
//   Effect s d a                invariant in s, covariant in d and a
//   a -> b                      contravariant in a, covariant in b
//   MVar a                      invariant
//   everything else             covariant (immutable)
// Invariant positions unify. A covariant region or determinism position
// between two known values is decided at once (Deterministic <= anything;
// t <= s when the region tree says s was opened inside t); otherwise it
// becomes a constraint, solved at the end of each rank-2 body (what is
// forced, and anything mentioning the body's variables) and when a
// top-level group is generalised (everything: a flexible variable left with
// bounds is unified with its bound). Facts only come from runIO nesting and
// written bounds, never from argument types (docs/typing.md section 5).
#include <fmt/core.h>

#include <functional>

#include "compiler/check/checker.h"
#include "compiler/check/walk.h"

namespace atl::check {

namespace {

auto KindOfTerm(Type* t) -> Kind {
  t = Resolve(t);
  if (t->kind == TypeKind::Var) return t->var_kind;
  if (IsCon(t, "Deterministic") || IsCon(t, "Nondeterministic")) return Kind::Determinism;
  return Kind::Type;
}

auto IsFlex(Type* t) -> bool {
  t = Resolve(t);
  return t->kind == TypeKind::Var && !t->rigid;
}

// Why a subtyping check failed.
struct SubFailure {
  enum class What { None, Unify, Determinism, Region } what = What::None;
  UnifyResult unify;
  Type* lower = nullptr;
  Type* upper = nullptr;
};

}  // namespace

auto Checker::Outlives(Type* parent, Type* child, bool* unknown) -> bool {
  parent = Resolve(parent);
  std::vector<Type*> work = {Resolve(child)};
  std::set<Type*> seen;
  while (!work.empty()) {
    Type* c = work.back();
    work.pop_back();
    if (c == parent) return true;
    if (!seen.insert(c).second) continue;
    if (IsFlex(c)) {
      *unknown = true;
      continue;
    }
    auto it = parents_.find(c);
    if (it == parents_.end()) continue;
    for (Type* p : it->second) work.push_back(Resolve(p));
  }
  return false;
}

void Checker::AddConstraint(Type* lower, Type* upper, source::Span span, const std::string& what) {
  Constraint c;
  c.lower = lower;
  c.upper = upper;
  c.span = span;
  c.module = module_index_;
  c.context = run_stack_.empty() ? -1 : run_stack_.back();
  c.what = what;
  constraints_.push_back(c);
}

namespace {

// Decides lower <= upper on atoms (regions or determinisms) when possible.
enum class Decision { Holds, Fails, Unknown };

}  // namespace

auto Checker::SubAt(Type* actual, Type* expected, source::Span span, const std::string& what)
    -> bool {
  return Sub(actual, expected, span, what, true);
}

auto Checker::Sub(Type* actual, Type* expected, source::Span span, const std::string& what,
                  bool report) -> bool {
  SubFailure failure;
  const std::string source_text = Shorten(file_->Slice(span));
  auto decide = [&](Type* lower, Type* upper) -> Decision {
    lower = Resolve(lower);
    upper = Resolve(upper);
    if (lower == upper) return Decision::Holds;
    if (KindOfTerm(lower) == Kind::Determinism) {
      if (IsCon(lower, "Deterministic") || IsCon(upper, "Nondeterministic")) return Decision::Holds;
      if (IsFlex(lower) || IsFlex(upper)) return Decision::Unknown;
      return Decision::Fails;
    }
    if (upper->kind == TypeKind::Var && upper->rigid) {
      bool unknown = false;
      if (Outlives(lower, upper, &unknown)) return Decision::Holds;
      if (unknown || IsFlex(lower)) return Decision::Unknown;
      return Decision::Fails;
    }
    if (IsFlex(lower) || IsFlex(upper)) return Decision::Unknown;
    return Decision::Fails;
  };
  auto atom = [&](Type* lower, Type* upper) -> bool {
    if (KindOfTerm(lower) != KindOfTerm(upper)) {
      failure.what = SubFailure::What::Unify;
      failure.unify = {UnifyStatus::KindMismatch, Resolve(lower), Resolve(upper)};
      return false;
    }
    switch (decide(lower, upper)) {
      case Decision::Holds:
        return true;
      case Decision::Unknown:
        AddConstraint(lower, upper, span, source_text);
        return true;
      case Decision::Fails:
        failure.what = KindOfTerm(lower) == Kind::Determinism ? SubFailure::What::Determinism
                                                              : SubFailure::What::Region;
        failure.lower = Resolve(lower);
        failure.upper = Resolve(upper);
        return false;
    }
    return false;
  };
  auto unify = [&](Type* a, Type* b) -> bool {
    UnifyResult r = Unify(a, b);
    if (r) return true;
    failure.what = SubFailure::What::Unify;
    failure.unify = r;
    return false;
  };
  std::function<bool(Type*, Type*)> walk = [&](Type* a, Type* e) -> bool {
    a = Resolve(a);
    e = Resolve(e);
    if (a == e) return true;
    const Kind ka = KindOfTerm(a);
    if (ka != Kind::Type || KindOfTerm(e) != Kind::Type) return atom(a, e);
    if (a->kind == TypeKind::Var || e->kind == TypeKind::Var) return unify(e, a);
    if (a->kind != e->kind || a->name != e->name || a->args.size() != e->args.size()) {
      failure.what = SubFailure::What::Unify;
      failure.unify = {UnifyStatus::Mismatch, e, a};
      return false;
    }
    if (a->kind == TypeKind::Fun)
      return walk(e->args[0], a->args[0]) && walk(a->args[1], e->args[1]);
    if (a->name == "Ref" || a->name == "MutableArray") {
      // The discipline decides the variance in the token; the element is
      // always invariant.
      const bool token = rules_.mutable_token_covariant ? atom(a->args[0], e->args[0])
                                                        : unify(e->args[0], a->args[0]);
      return token && unify(e->args[1], a->args[1]);
    }
    if (a->name == "Effect")
      return unify(e->args[0], a->args[0]) && walk(a->args[1], e->args[1]) &&
             walk(a->args[2], e->args[2]);
    if (a->name == "MVar") return unify(e->args[0], a->args[0]);
    for (size_t i = 0; i < a->args.size(); ++i)
      if (!walk(a->args[i], e->args[i])) return false;
    return true;
  };
  if (walk(actual, expected)) return true;
  if (!report) return false;
  switch (failure.what) {
    case SubFailure::What::None:
      return false;
    case SubFailure::What::Unify:
      ReportUnifyFailure(failure.unify, expected, actual, span, what);
      return false;
    case SubFailure::What::Determinism:
    case SubFailure::What::Region: {
      Constraint c;
      c.lower = failure.lower;
      c.upper = failure.upper;
      c.span = span;
      c.module = module_index_;
      c.context = run_stack_.empty() ? -1 : run_stack_.back();
      c.what = source_text;
      if (failure.what == SubFailure::What::Determinism) {
        ReportConstraint(c);  // names the culprit and the context itself
        return false;
      }
      TypePrinter p;
      p.Reserve(expected);
      p.Reserve(actual);
      ReportConstraint(c).AddNote(
          fmt::format("expected `{}`, found `{}`", p.Print(expected), p.Print(actual)));
      return false;
    }
  }
  return false;
}

auto Checker::ReportConstraint(const Constraint& c) -> diag::Diagnostic& {
  Type* lower = Resolve(c.lower);
  Type* upper = Resolve(c.upper);
  if (KindOfTerm(lower) == Kind::Determinism) return ReportNondeterminism(c);
  // Data of an outer region used inside a runST, forkIO or parST body.
  if (const RunContext* run = RunOf(upper);
      run != nullptr && run->form != Builtin::RunIO && c.module == module_index_) {
    const parse::Expr* e = FindExpr(c.span);
    Type* value_type = e != nullptr ? TypeOf(e) : nullptr;
    if (value_type != nullptr)
      return ReportOuterData(diag::Kind::RegionMismatch, e, c.span, value_type, lower, run);
  }
  diag::Diagnostic& d =
      diags_
          .Report(
              diag::Kind::RegionMismatch, *file_, c.span,
              fmt::format(
                  "`{}` has data of region `{}` where region `{}` is expected, and `{}` does not "
                  "outlive `{}`",
                  c.what, ToString(lower), ToString(upper), ToString(lower), ToString(upper)))
          .AddNote(fmt::format("region {}; region {}", RegionOrigin(lower), RegionOrigin(upper)));
  // Two regions of the signature being checked: the signature with the
  // bound is the one that checks (unless it already has a `forall`).
  const parse::SignatureDecl* sig = nullptr;
  Type* declared = nullptr;
  for (size_t i = 0; i < out_.functions.size(); ++i)
    if (out_.functions[i].decl == current_decl_ && i < function_signatures_.size()) {
      sig = function_signatures_[i];
      declared = out_.functions[i].type;
    }
  auto in_declared = [&](Type* v) {
    for (Type* r : RegionsOf(declared))
      if (r == v) return true;
    return false;
  };
  if (sig != nullptr && c.module == module_index_ && lower->rigid && upper->rigid &&
      in_declared(lower) && in_declared(upper)) {
    const std::string text(file_->Slice(sig->type->span));
    const std::string l = ToString(lower);
    const std::string u = ToString(upper);
    if (text.rfind("forall", 0) != 0) {
      const std::string fixed = fmt::format("forall {} ({} | {} <= {}). {}", l, u, l, u, text);
      d.AddNote(*file_, sig->span,
                fmt::format("the signature of `{}` does not say that `{}` outlives `{}` (a bound "
                            "is never inferred from the arguments)",
                            sig->name.text, l, u));
      d.AddFix(*file_, sig->type->span, fixed,
               fmt::format("state the bound: `{} : {}`", sig->name.text, fixed));
    } else {
      d.AddNote(*file_, sig->span,
                fmt::format("the signature of `{}` does not say that `{}` outlives `{}`: add `({} "
                            "| {} <= {})` to "
                            "its forall",
                            sig->name.text, l, u, u, l, u));
    }
    return d;
  }
  return d
      .AddNote(
          "regions are related only by runIO nesting (a parent's data may be used inside its "
          "child) or by "
          "a bound written in a signature; runST, forkIO and parST open regions unrelated to all "
          "others. "
          "The elements of Ref, MutableArray and MVar are invariant, so child data can never be "
          "stored in "
          "a parent object (it would dangle when the child ends)")
      .AddNote(
          "store immutable data instead (`freeze`, or read the value out), allocate the object in "
          "the "
          "child region, or allocate the data in the parent region");
}

void Checker::Solve(bool final, int level) {
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<Constraint> pending;
    std::vector<Constraint> work;
    work.swap(constraints_);
    for (const Constraint& c : work) {
      Type* l = Resolve(c.lower);
      Type* u = Resolve(c.upper);
      if (l == u) continue;
      if (KindOfTerm(l) == Kind::Determinism) {
        if (IsCon(l, "Deterministic") || IsCon(u, "Nondeterministic")) continue;
        if (IsCon(l, "Nondeterministic") && IsFlex(u)) {
          Unify(u, l);  // forced: nothing is above Nondeterministic
          changed = true;
          continue;
        }
        if (IsCon(u, "Deterministic") && IsFlex(l)) {
          Unify(l, u);  // forced: nothing is below Deterministic
          changed = true;
          continue;
        }
        if (!IsFlex(l) && !IsFlex(u)) {
          ReportConstraint(c);
          continue;
        }
        pending.push_back(c);
        continue;
      }
      // Regions.
      bool unknown = false;
      if (u->kind == TypeKind::Var && u->rigid && Outlives(l, u, &unknown)) continue;
      if (!IsFlex(l) && !IsFlex(u) && !unknown) {
        ReportConstraint(c);
        continue;
      }
      pending.push_back(c);
    }
    // Settle flexible variables: every one at the end of a group, and the
    // rank-2 body's own ones at its end (they cannot be constrained later).
    std::vector<Constraint> kept;
    for (const Constraint& c : pending) {
      Type* l = Resolve(c.lower);
      Type* u = Resolve(c.upper);
      if (l == u) continue;
      const bool inner = (IsFlex(l) && l->level > level) || (IsFlex(u) && u->level > level);
      if (rules_.effect_token_covariant && IsFlex(l) && u->kind == TypeKind::Var &&
          KindOfTerm(l) == Kind::Region && (u->rigid || inner)) {
        // A covariant Effect token gives a statement's region upper bounds
        // of its own; settle it to the outermost of its upper bounds
        // (the lowest level: nested scopes are a chain, so only it can
        // outlive the others; whether it does is decided by the next
        // rounds), and when it must outlive the rank-2 body whose region
        // bounds it (its level is outside), to the region that body's
        // runIO runs in: what it allocates is a parent's.
        Type* best = u;
        for (const Constraint& o : pending) {
          Type* ol = Resolve(o.lower);
          Type* ou = Resolve(o.upper);
          if (ol == l && ou->kind == TypeKind::Var && ou != l && ou->level < best->level) best = ou;
        }
        if (!inner && best->rigid && best->level > level) {
          if (auto it = runio_parent_.find(best); it != runio_parent_.end())
            best = Resolve(it->second);
        }
        if ((inner || final || best != u) && Unify(l, best)) {
          if (best != u) kept.push_back(c);  // best <= u is decided by the next round
          changed = true;
          continue;
        }
      }
      if (!final && !inner) {
        kept.push_back(c);
        continue;
      }
      if (IsFlex(l) || IsFlex(u)) {
        UnifyResult r = IsFlex(l) ? Unify(l, u) : Unify(u, l);
        if (!r) {
          if (r.status == UnifyStatus::Escape) {
            ReportEscape(r.left, r.right, nullptr, nullptr, c.span, "");
          } else {
            ReportConstraint(c);
          }
        }
        changed = true;
        continue;
      }
      if (KindOfTerm(l) == Kind::Determinism) {
        kept.push_back(c);  // both known now: decided by the next round
        changed = true;
        continue;
      }
      // Two rigid regions whose relation depends on a flexible parent:
      // choose that parent so the fact holds.
      bool unknown = false;
      if (Outlives(l, u, &unknown)) continue;
      std::vector<Type*> work2 = {u};
      std::set<Type*> seen;
      Type* flex_parent = nullptr;
      while (!work2.empty() && flex_parent == nullptr) {
        Type* x = Resolve(work2.back());
        work2.pop_back();
        if (!seen.insert(x).second) continue;
        if (IsFlex(x)) {
          flex_parent = x;
          break;
        }
        if (auto it = parents_.find(x); it != parents_.end())
          for (Type* p : it->second) work2.push_back(p);
      }
      if (flex_parent != nullptr && Unify(flex_parent, l)) {
        changed = true;
        continue;
      }
      ReportConstraint(c);
    }
    for (const Constraint& c : kept) constraints_.push_back(c);
    if (!changed) break;
  }
}

// Types are DAGs (unification shares nodes), so every walk below visits a
// node once: a tree walk can be exponential (`f f f ... f`).

namespace {

void RegionsOf(Type* t, std::vector<Type*>& out, std::set<Type*>& seen) {
  t = Resolve(t);
  if (!seen.insert(t).second) return;
  switch (t->kind) {
    case TypeKind::Var:
      if (t->var_kind == Kind::Region) out.push_back(t);
      return;
    case TypeKind::Fun:
    case TypeKind::Con:
      for (Type* a : t->args) RegionsOf(a, out, seen);
      return;
  }
}

}  // namespace

auto RegionsOf(Type* t) -> std::vector<Type*> {
  std::vector<Type*> out;
  std::set<Type*> seen;
  RegionsOf(t, out, seen);
  return out;
}

void Checker::CheckWellFormed(Type* t, source::Span span, const std::string& what,
                              std::set<Type*>* seen) {
  std::set<Type*> local;
  if (seen == nullptr) seen = &local;
  t = Resolve(t);
  if (t->kind == TypeKind::Var || !seen->insert(t).second) return;
  if (t->kind == TypeKind::Con && (t->name == "Ref" || t->name == "MutableArray")) {
    Type* owner = Resolve(t->args[0]);
    for (Type* r : RegionsOf(t->args[1])) {
      bool unknown = false;
      if (IsFlex(r) || IsFlex(owner) || Outlives(r, owner, &unknown) || unknown) continue;
      diags_
          .Report(diag::Kind::IllFormed, *file_, span,
                  fmt::format(
                      "the type `{}` in {} is ill-formed: an object of {} holds data of {}, which "
                      "does not outlive it",
                      ToString(t), what, RegionOrigin(owner), RegionOrigin(r)))
          .AddNote(fmt::format(
              "a mutable object may only hold values whose regions outlive its own; add the "
              "bound with `forall {} ({} | {} <= {}). ...` if that is what you mean",
              ToString(r), ToString(owner), ToString(r), ToString(owner)));
      return;
    }
  }
  for (Type* a : t->args) CheckWellFormed(a, span, what, seen);
}

// After a group is solved: every expression type of a definition must be
// sendable (MVar contents) and well-formed, however it was instantiated.
// Then the type variables this definition keeps in an MVar are marked: its
// scheme requires them to be instantiated with sendable types (sendable.cpp).
void Checker::CheckBodyTypes(const parse::ValueDecl* decl) {
  if (bad_signatures_.contains(decl->name.text) || unsendable_decls_.contains(decl)) return;
  const uint32_t before = diags_.error_count();
  std::set<Type*> sendable_seen;
  std::set<Type*> formed_seen;
  for (const parse::Clause& clause : decl->clauses) {
    ForEachExpr(clause.body, [&](const parse::Expr* e) {
      if (diags_.error_count() != before) return;
      Type* t = out_.expr_types[e->id];
      if (t == nullptr) return;
      CheckSendable(t, e->span, fmt::format("`{}`", Source(e)), &sendable_seen);
      if (diags_.error_count() == before)
        CheckWellFormed(t, e->span, fmt::format("`{}`", Source(e)), &formed_seen);
    });
  }
  if (diags_.error_count() != before) {
    unsendable_decls_.insert(decl);
    return;
  }
  MarkMVarContents(decl);
}

}  // namespace atl::check
