// The rank-2 forms of docs/typing.md section 5, with built-in typing rules (they also
// apply through `$`, since FlattenApp makes `runST $ e` an application):
//
//   runST  : (forall s. Effect s Deterministic a) -> a
//   runIO  : (forall (s | t <= s). Effect s Nondeterministic a) -> Effect t Nondeterministic a
//   forkIO : (forall s. Effect s Nondeterministic ()) -> Effect t Nondeterministic ()
//   parST  : (forall s. Effect s Deterministic a) -> (forall s. Effect s Deterministic b) -> (a, b)
//
// The body is checked at a fresh rigid region one level deeper; the result
// must not mention it (escape, E0401), and no variable of an outer level may
// be bound to it (E0404, caught by unification).
#include <fmt/core.h>

#include "compiler/check/checker.h"

namespace atl::check {

namespace {

// A description of where `region` occurs in `t` ("inside `Ref s Int`", "in
// the result of a function", "in the field `x`"), or "" when it does not.
auto PathTo(Type* t, Type* region) -> std::string {
  t = Resolve(t);
  switch (t->kind) {
    case TypeKind::Var:
      return t == region ? "directly" : "";
    case TypeKind::Fun: {
      std::string p = PathTo(t->args[0], region);
      if (!p.empty()) return "in a parameter of a function (a closure that captures it)";
      p = PathTo(t->args[1], region);
      if (!p.empty()) return "in the result of a function (a closure that captures it)";
      return "";
    }
    case TypeKind::Con: {
      for (size_t i = 0; i < t->args.size(); ++i) {
        const std::string inner = PathTo(t->args[i], region);
        if (inner.empty()) continue;
        if (t->name == "Ref" || t->name == "MutableArray")
          return fmt::format("as the region of `{}`", ToString(t));
        if (t->name == "Effect") return fmt::format("in an action of type `{}`", ToString(t));
        if (IsRecordName(t->name))
          return fmt::format("in the field `{}` of a record, {}", RecordFields(t->name)[i], inner);
        if (IsTupleName(t->name)) return fmt::format("in element {} of a tuple, {}", i + 1, inner);
        return fmt::format("in argument {} of the type `{}`, {}", i + 1, t->name, inner);
      }
      return "";
    }
  }
  return "";
}

}  // namespace

auto Checker::RegionOrigin(Type* region) -> std::string {
  region = Resolve(region);
  if (auto it = region_origins_.find(region); it != region_origins_.end()) return it->second;
  if (region->kind == TypeKind::Var && region->rigid) return fmt::format("`{}`", region->name);
  return "a region";
}

auto Checker::InferRunForm(const parse::Expr* e, const Spine& spine, Builtin form, Type* expected)
    -> Type* {
  const char* name = BuiltinName(form);
  const size_t needed = form == Builtin::ParST ? 2 : 1;
  if (spine.args.size() < needed) {
    diags_.Report(
        diag::Kind::RankTwoNotApplied, *file_, e->span,
        fmt::format(
            "`{}` needs {} argument{} here: its argument{} rank-2 type{} cannot be inferred "
            "for a partial application",
            name, needed, needed == 1 ? "" : "s", needed == 1 ? " has a" : "s have",
            needed == 1 ? "" : "s"));
    for (const parse::Expr* a : spine.args) Infer(a);
    return Record(e, arena_.NewVar(level_));
  }
  Type* result = nullptr;
  switch (form) {
    case Builtin::RunST:
      result = CheckRunBody(spine.args[0], form, spine.head->span, nullptr, true);
      break;
    case Builtin::ParST: {
      Type* a = CheckRunBody(spine.args[0], form, spine.head->span, nullptr, true);
      Type* b = CheckRunBody(spine.args[1], form, spine.head->span, nullptr, true);
      result = arena_.Tuple({a, b});
      break;
    }
    case Builtin::RunIO: {
      // The child's parent is the region of the block it runs in.
      Type* t = nullptr;
      if (expected != nullptr) {
        Type* x = Resolve(expected);
        if (IsCon(x, "Effect")) t = x->args[0];
      }
      if (t == nullptr) t = arena_.NewVar(level_, Kind::Region);
      Type* a = CheckRunBody(spine.args[0], form, spine.head->span, t, false);
      result = arena_.Effect(t, arena_.Con("Nondeterministic"), a);
      break;
    }
    case Builtin::ForkIO: {
      Type* a = CheckRunBody(spine.args[0], form, spine.head->span, nullptr, false);
      UnifyAt(arena_.Unit(), a, spine.args[0]->span, "the result of the forked thread");
      result = arena_.Effect(arena_.NewVar(level_, Kind::Region), arena_.Con("Nondeterministic"),
                             arena_.Unit());
      break;
    }
    default:
      result = arena_.NewVar(level_);
      break;
  }
  // Further arguments apply the result (e.g. a runST that computes a function).
  for (size_t i = needed; i < spine.args.size(); ++i) {
    Type* r = Resolve(result);
    if (r->kind == TypeKind::Var && !r->rigid) {
      Type* fun = arena_.Fun(arena_.NewVar(level_), arena_.NewVar(level_));
      Unify(r, fun);
      r = fun;
    }
    if (r->kind != TypeKind::Fun) {
      diags_.Report(diag::Kind::NotAFunction, *file_, spine.args[i]->span,
                    fmt::format("too many arguments: `{}` returns `{}`", name, ToString(r)));
      Infer(spine.args[i]);
      return Record(e, arena_.NewVar(level_));
    }
    Expect(spine.args[i], r->args[0]);
    result = r->args[1];
  }
  return Record(e, result);
}

auto Checker::CheckRunBody(const parse::Expr* body, Builtin form, source::Span at, Type* parent,
                           bool deterministic) -> Type* {
  const char* name = BuiltinName(form);
  ++level_;
  // Named after its line so messages can tell nested regions apart.
  const std::string region_name = fmt::format("s{}", file_->LineColOf(at.begin).line);
  Type* region = arena_.NewRigid(region_name, Kind::Region);
  region->level = level_;
  region_origins_[region] =
      fmt::format("`{}`, the region opened by {} at {}", region_name, name, Where(at));
  // The discipline decides whether runIO relates the child to its parent.
  if (parent != nullptr && rules_.runio_parent_fact) {
    parents_[region].push_back(parent);
    runio_parent_[region] = parent;
  }
  run_contexts_.push_back(RunContext{form, at, body->span, module_index_, region});
  run_stack_.push_back(static_cast<int>(run_contexts_.size()) - 1);
  Type* inner = arena_.NewVar(level_);
  Type* det = arena_.Con(deterministic ? "Deterministic" : "Nondeterministic");
  if (form == Builtin::RunIO && parent != nullptr && IsCastBody(body)) {
    // --regions=cast: the body takes the no-op cast `Cast t s` from the
    // parent's mutable types to the child's (castRef, castArray).
    Expect(body,
           arena_.Fun(arena_.Con("Cast", {parent, region}), arena_.Effect(region, det, inner)));
  } else {
    Expect(body, arena_.Effect(region, det, inner));
  }
  ResolveFields(false);  // before the escape check looks at the result
  Solve(false, level_ - 1);
  run_stack_.pop_back();
  --level_;
  const std::string path = PathTo(inner, region);
  if (!path.empty()) {
    TypePrinter p;
    const std::string type = p.Print(inner);
    diags_
        .Report(diag::Kind::RegionEscape, *file_, body->span,
                fmt::format("{} escapes through the result of this {}", RegionOrigin(region), name))
        .AddNote(fmt::format(
            "the value `{}` produces a result of type `{}`, which mentions the region {}",
            Source(body), type, path))
        .AddNote(fmt::format(
            "the region is freed when {} returns; return immutable data instead: `freeze` an "
            "array, read a Ref's value out, or open the region further out so it outlives "
            "the use",
            name));
    return arena_.NewVar(level_);
  }
  Type* outer = arena_.NewVar(level_);
  UnifyAt(outer, inner, body->span, fmt::format("the result of {}", name));
  return outer;
}

auto Checker::IsCastBody(const parse::Expr* body) const -> bool {
  return rules_.runio_cast && IsRunIOCastBody(body);
}

auto Checker::StatementRegionFor(const parse::Expr* stmt, Type* block) -> Type* {
  if (!rules_.effect_token_covariant) return block;
  // Effect covariant in its token: the statement may be an action of any
  // region that outlives the block's (`region <= block`); a region left
  // free is settled to the block's own by the solver.
  Type* region = arena_.NewVar(level_, Kind::Region);
  AddConstraint(region, block, stmt->span, Source(stmt));
  statement_regions_.push_back(StatementRegion{stmt->id, module_index_, stmt->span, region, block});
  return region;
}

void Checker::ComputeRegionHops() {
  if (!rules_.parent_actions_in_parent)
    return;  // union-naive: every action in the innermost region
  for (const StatementRegion& st : statement_regions_) {
    Type* region = Resolve(st.region);
    Type* block = Resolve(st.block);
    if (region == block) continue;
    // Count the runIO levels from the block's region up to the statement's
    // (only runIO nesting: a written bound says nothing of where the
    // region is at run time).
    int hops = 0;
    Type* at = block;
    while (at != region) {
      auto it = runio_parent_.find(at);
      if (it == runio_parent_.end()) break;
      at = Resolve(it->second);
      ++hops;
    }
    if (at == region) {
      out_.region_hops[st.expr] = hops;
    } else {
      out_.unresolved_hops.emplace_back(st.module, st.span);
    }
  }
}

}  // namespace atl::check
