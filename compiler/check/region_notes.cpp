// What region, determinism and sendability errors say (docs/typing.md,
// "What the errors name"). A failed constraint or unification knows two
// types and a span; a person needs the culprit (the print inside the loop,
// not the loop), the container a value is stored into, where each region
// opens and ends, and the fix for this case. This file finds those from the
// AST and the types recorded so far; it decides nothing about typing.
#include <fmt/core.h>

#include <regex>

#include "compiler/check/checker.h"
#include "compiler/check/walk.h"

namespace atl::check {

using parse::Cast;
using parse::ExprKind;

namespace {

auto Contains(source::Span outer, source::Span inner) -> bool {
  return outer.begin <= inner.begin && inner.end <= outer.end;
}

// The result of `t` after all its arrows.
auto FinalResult(Type* t) -> Type* { return SplitFun(t, -1).second; }

auto IsNondeterministicAction(Type* t) -> bool {
  Type* r = Resolve(FinalResult(t));
  return IsCon(r, "Effect") && IsCon(r->args[1], "Nondeterministic");
}

auto KindName(Type* t) -> std::string {
  t = Resolve(t);
  if (t->kind == TypeKind::Fun) return "a function";
  if (IsCon(t, "Ref")) return "a Ref";
  if (IsCon(t, "MutableArray")) return "a MutableArray";
  if (IsCon(t, "MVar")) return "an MVar";
  if (IsCon(t, "Effect")) return "an action";
  return "a value";
}

// The innermost part of `t` that mentions `region` (`Ref s Int` inside
// `Maybe (Ref s Int)`).
auto PartWith(Type* t, Type* region) -> Type* {
  t = Resolve(t);
  if (t->kind == TypeKind::Var) return t;
  if (IsCon(t, "Ref") || IsCon(t, "MutableArray") || IsCon(t, "Effect") || t->kind == TypeKind::Fun)
    return t;
  for (Type* a : t->args)
    for (Type* r : RegionsOf(a))
      if (r == region) return PartWith(a, region);
  return t;
}

auto Mentions(Type* t, Type* v) -> bool {
  std::set<Type*> seen;
  std::function<bool(Type*)> walk = [&](Type* u) {
    u = Resolve(u);
    if (u == v) return true;
    if (!seen.insert(u).second) return false;
    for (Type* a : u->args)
      if (walk(a)) return true;
    return false;
  };
  return walk(t);
}

}  // namespace

auto Checker::FindExpr(source::Span span) -> const parse::Expr* {
  const parse::Expr* found = nullptr;
  for (const parse::Decl* d : module_->decls) {
    const auto* value = parse::DynCast<parse::ValueDecl>(d);
    if (value == nullptr) continue;
    for (const parse::Clause& clause : value->clauses) {
      if (!Contains(clause.span, span) && !Contains(clause.body->span, span)) continue;
      ForEachExpr(clause.body, [&](const parse::Expr* e) {
        if (found == nullptr && e->span.begin == span.begin && e->span.end == span.end) found = e;
      });
      if (found != nullptr) return found;
    }
  }
  return found;
}

auto Checker::NondeterministicCulprit(const parse::Expr* root) -> const parse::Expr* {
  const parse::Expr* culprit = nullptr;
  std::vector<source::Span> skipped;  // bodies of runST/parST: judged on their own
  ForEachExpr(root, [&](const parse::Expr* e) {
    if (culprit != nullptr) return;
    for (source::Span s : skipped)
      if (Contains(s, e->span)) return;
    const bool app =
        e->kind == ExprKind::App ||
        (e->kind == ExprKind::Binary && Cast<parse::BinaryExpr>(e)->op == parse::BinaryOp::Dollar);
    if (!app && e->kind != ExprKind::Var) return;
    const parse::Expr* head = app ? FlattenApp(e).head : e;
    if (head->kind != ExprKind::Var) return;
    const Ref ref = out_.refs[head->id];
    Type* declared = nullptr;
    switch (ref.kind) {
      case RefKind::Builtin: {
        const PrimitiveInfo& info = Primitive(ref.builtin);
        if (info.special) {
          if (ref.builtin == Builtin::ForkIO || ref.builtin == Builtin::RunIO) {
            culprit = e;
          } else {
            skipped.push_back(e->span);
          }
          return;
        }
        if (auto it = scopes_[0].find(info.name); it != scopes_[0].end())
          declared = it->second.scheme.body;
        break;
      }
      case RefKind::Global:
        declared = out_.functions[ref.index].type;
        break;
      case RefKind::Local:
        declared = TypeOf(head);
        break;
      case RefKind::Constructor:
      case RefKind::BuiltinConstructor:
      case RefKind::None:
        break;
    }
    if (declared != nullptr && IsNondeterministicAction(declared)) culprit = e;
  });
  return culprit;
}

auto Checker::RunOf(Type* region) -> const RunContext* {
  region = Resolve(region);
  for (const RunContext& r : run_contexts_)
    if (r.region == region) return &r;
  return nullptr;
}

auto Checker::DescribeRegion(Type* region, TypePrinter& p) -> std::string {
  region = Resolve(region);
  if (auto it = region_origins_.find(region); it != region_origins_.end()) return it->second;
  const std::string name = p.Print(region);
  if (region->kind == TypeKind::Var && !region->rigid && current_decl_ != nullptr)
    return fmt::format("`{}`, a region of `{}`", name, current_decl_->name.text);
  return fmt::format("`{}`", name);
}

auto Checker::BindingSite(const parse::Expr* e) -> std::optional<std::pair<int, source::Span>> {
  const parse::Expr* head = e;
  while (head->kind == ExprKind::App || head->kind == ExprKind::Annot) {
    if (head->kind == ExprKind::Annot) {
      head = Cast<parse::AnnotExpr>(head)->expr;
    } else {
      head = FlattenApp(head).head;
    }
  }
  if (head->kind != ExprKind::Var) return std::nullopt;
  const Ref ref = out_.refs[head->id];
  if (ref.kind == RefKind::Local && ref.index >= 0 &&
      static_cast<size_t>(ref.index) < out_.local_spans.size())
    return std::make_pair(out_.local_modules[ref.index], out_.local_spans[ref.index]);
  if (ref.kind == RefKind::Global) {
    const Function& f = out_.functions[ref.index];
    return std::make_pair(f.module, f.decl->name.span);
  }
  return std::nullopt;
}

auto Checker::ReportNondeterminism(const Constraint& c) -> diag::Diagnostic& {
  Type* upper = Resolve(c.upper);
  const parse::Expr* outer = FindExpr(c.span);
  const parse::Expr* culprit = outer != nullptr ? NondeterministicCulprit(outer) : nullptr;
  const source::Span span = culprit != nullptr ? culprit->span : c.span;
  const std::string what = culprit != nullptr ? Source(culprit) : c.what;
  const RunContext* run = c.context >= 0 ? &run_contexts_[c.context] : nullptr;
  std::string where;
  if (run != nullptr) {
    where = fmt::format("the {} at {}", BuiltinName(run->form), Where(run->span));
  } else {
    where = fmt::format("a context whose type says `{}`", ToString(upper));
  }
  const std::string admits =
      IsCon(upper, "Deterministic") ? "Deterministic" : "`" + ToString(upper) + "`";
  diag::Diagnostic& d = diags_.Report(
      diag::Kind::Nondeterministic, *file_, span,
      fmt::format("`{}` is Nondeterministic, but it runs inside {}, which admits only {} effects",
                  what, where, admits));
  if (culprit != nullptr && outer != nullptr && culprit != outer)
    d.AddNote(*file_, outer->span, fmt::format("it runs as part of `{}`", Source(outer)));
  if (run != nullptr) {
    const source::SourceFile& file = *modules_[run->module]->file;
    switch (run->form) {
      case Builtin::RunST:
        d.AddNote(file, run->span,
                  "the runST is here: its body must give the same result on every run, so it "
                  "admits no input/output, MVar operation, forkIO or clock");
        d.AddNote(fmt::format(
            "to do this here, open the region with `runIO` instead of `runST` at {}: runIO runs "
            "inside an action and gives an action (`Effect s Nondeterministic a`), whose result "
            "you bind with `<-`; or keep the runST pure and do `{}` outside it",
            Where(run->span), what));
        break;
      case Builtin::ParST:
        d.AddNote(file, run->span, "the parST is here: both of its bodies must be Deterministic");
        d.AddNote(fmt::format("do `{}` before or after the parST", what));
        break;
      default:
        break;
    }
    return d;
  }
  // A signature says Deterministic (or a determinism variable, which a
  // caller may make Deterministic): the signature that admits the effect.
  const parse::SignatureDecl* sig = nullptr;
  for (size_t i = 0; i < out_.functions.size(); ++i)
    if (out_.functions[i].decl == current_decl_ && i < function_signatures_.size())
      sig = function_signatures_[i];
  if (sig != nullptr) {
    const std::string text(file_->Slice(sig->type->span));
    const std::string word = IsCon(upper, "Deterministic") ? "Deterministic" : ToString(upper);
    const std::regex whole("\\b" + word + "\\b");
    const auto count = std::distance(std::sregex_iterator(text.begin(), text.end(), whole),
                                     std::sregex_iterator());
    if (count == 1) {
      const std::string fixed = std::regex_replace(text, whole, "Nondeterministic");
      d.AddNote(*file_, sig->span,
                fmt::format("the signature of `{}` says `{}`{}", sig->name.text, word,
                            word == "Deterministic" ? ""
                                                    : ", which a caller may choose to be "
                                                      "Deterministic"));
      d.AddFix(*file_, sig->type->span, fixed,
               fmt::format("if `{}` is meant to do this, its signature is `{} : {}`",
                           sig->name.text, sig->name.text, fixed));
      return d;
    }
  }
  d.AddNote(
      "MVar operations, forkIO, input/output and clocks are Nondeterministic; use runIO, or move "
      "the operation out");
  return d;
}

auto Checker::ReportOuterData(diag::Kind kind, const parse::Expr* e, source::Span span,
                              Type* value_type, Type* outer_region, const RunContext* run)
    -> diag::Diagnostic& {
  const std::string what = e != nullptr ? Source(e) : Shorten(file_->Slice(span));
  // In `a >> b` or a `do` block, blame the first call that runs outside.
  if (e != nullptr && IsCon(Resolve(value_type), "Effect") && e->kind != ExprKind::App &&
      e->kind != ExprKind::Var) {
    const parse::Expr* inner = nullptr;
    ForEachExpr(e, [&](const parse::Expr* x) {
      if (inner != nullptr || (x->kind != ExprKind::App && x->kind != ExprKind::Var)) return;
      Type* t = TypeOf(x);
      if (t == nullptr) return;
      t = Resolve(t);
      if (IsCon(t, "Effect") && Resolve(t->args[0]) == Resolve(outer_region)) inner = x;
    });
    if (inner != nullptr) {
      e = inner;
      value_type = TypeOf(inner);
    }
  }
  const std::string blamed = e != nullptr ? Source(e) : what;
  const source::Span at = e != nullptr ? e->span : span;
  const char* form = BuiltinName(run->form);
  const bool action = value_type != nullptr && IsCon(Resolve(value_type), "Effect");
  const std::string is =
      action ? "runs in the region outside" : "is mutable data of the region outside";
  diag::Diagnostic& d =
      run->form == Builtin::ForkIO
          ? diags_.Report(kind, *file_, at,
                          fmt::format("`{}` {} the thread forked at {}, which cannot use it: "
                                      "threads share no mutable data",
                                      blamed, is, Where(run->span)))
          : diags_.Report(kind, *file_, at,
                          fmt::format("`{}` {} the {} at {}, which its body cannot use: a {} "
                                      "region is unrelated to every other",
                                      blamed, is, form, Where(run->span), form));
  if (e != nullptr) {
    const parse::Expr* head = e->kind == ExprKind::App ? FlattenApp(e).head : e;
    const Ref ref = head->kind == ExprKind::Var ? out_.refs[head->id] : Ref{};
    if (auto site = BindingSite(e); site && site->first == module_index_) {
      if (action && ref.kind == RefKind::Local) {
        d.AddNote(*file_, site->second,
                  fmt::format("`{}` is a local function that uses data of the outer region, so "
                              "it runs only in that region",
                              Source(head)));
      } else if (!action) {
        d.AddNote(*file_, site->second,
                  fmt::format("`{}` is {} of the outer region, made here", blamed,
                              value_type != nullptr ? KindName(value_type) : "data"));
      }
    }
  }
  if (run->form == Builtin::ForkIO) {
    d.AddNote(
        "send values through an MVar instead: make it with `newEmptyMVar` before the forkIO, "
        "`putMVar` the value in one thread and `takeMVar` it in the other (then write the Ref "
        "there)");
  } else {
    d.AddNote(fmt::format(
        "pass the value in instead (read the Ref before the {}), or open the region with "
        "`runIO`, whose child region may use its parent's data",
        form));
  }
  return d;
}

void Checker::ReportEscape(Type* outer, Type* region, Type* expected, Type* actual,
                           source::Span span, const std::string& context) {
  TypePrinter p;
  if (expected != nullptr) p.Reserve(expected);
  if (actual != nullptr) p.Reserve(actual);
  const parse::Expr* e = FindExpr(span);
  const std::string what = e != nullptr ? Source(e) : Shorten(file_->Slice(span));
  const RunContext* run = RunOf(region);
  const std::string region_text = DescribeRegion(region, p);
  Type* value_type = e != nullptr && TypeOf(e) != nullptr ? TypeOf(e) : actual;
  // Outer data used inside a region unrelated to it (runST, forkIO, parST):
  // the value's own type does not mention the inner region.
  if (run != nullptr && run->form != Builtin::RunIO && value_type != nullptr &&
      !Mentions(value_type, region)) {
    ReportOuterData(diag::Kind::RegionEscapesScope, e, span, value_type, outer, run);
    return;
  }
  // Inner data stored into something of an outer scope: name the container
  // (another argument of the same call whose type holds the outer variable).
  const parse::Expr* container = nullptr;
  if (arg_spine_ != nullptr) {
    for (size_t i = 0; i < arg_spine_->args.size() && container == nullptr; ++i) {
      if (i == arg_index_) continue;
      const parse::Expr* a = arg_spine_->args[i];
      if (Type* t = TypeOf(a); t != nullptr && Mentions(t, outer)) container = a;
    }
  }
  const std::string ends =
      run != nullptr ? fmt::format("the region `{}` ends here, when the {} at {} returns",
                                   ToString(region), BuiltinName(run->form), Where(run->span))
                     : "";
  auto add_end = [&](diag::Diagnostic& d) {
    if (run == nullptr) return;
    const source::SourceFile& file = *modules_[run->module]->file;
    const source::Span end{run->body.end > 0 ? run->body.end - 1 : 0, run->body.end};
    d.AddNote(file, end, ends);
  };
  Type* part = value_type != nullptr ? PartWith(value_type, region) : nullptr;
  const std::string part_text = part != nullptr ? p.Print(part) : "";
  if (container != nullptr) {
    Type* ct = Resolve(TypeOf(container));
    const std::string cname = Source(container);
    diag::Diagnostic& d = diags_.Report(
        diag::Kind::RegionEscapesScope, *file_, span,
        fmt::format("`{}` holds {} of region {}, but it is stored into `{}`, which belongs to an "
                    "outer region and outlives it",
                    what, part != nullptr ? KindName(part) : "data", region_text, cname));
    std::string container_text = fmt::format("`{}` is {} (`{}`)", cname, KindName(ct), p.Print(ct));
    if (IsCon(ct, "Ref") || IsCon(ct, "MutableArray"))
      container_text += " of " + DescribeRegion(ct->args[0], p);
    if (auto site = BindingSite(container); site && site->first == module_index_) {
      d.AddNote(*file_, site->second, container_text + ", made here");
    } else {
      d.AddNote(container_text);
    }
    add_end(d);
    if (!ends.empty())
      d.AddNote(fmt::format("after that `{}` would hold a dangling reference", cname));
    d.AddNote(fmt::format(
        "allocate the data in `{}`'s region instead (before the {}), or store an immutable "
        "copy: read the value out of the Ref, or `freeze` the array",
        cname, run != nullptr ? BuiltinName(run->form) : "inner region"));
    return;
  }
  diag::Diagnostic& d = diags_.Report(
      diag::Kind::RegionEscapesScope, *file_, span,
      fmt::format("`{}`{} holds data of region {}, but a value of an outer scope would keep it "
                  "after the region ends",
                  what, context, region_text));
  if (expected != nullptr && actual != nullptr)
    d.AddNote(fmt::format("`{}` has the type `{}`, where `{}` is expected", what, p.Print(actual),
                          p.Print(expected)));
  add_end(d);
  d.AddNote(
      "mutable data cannot outlive the runST/runIO/forkIO that opened its region: return or "
      "store immutable data (read the value out of a Ref, `freeze` an array), or allocate it in "
      "the outer region");
}

auto Checker::ReportUnsendablePut(const parse::Expr* call, const parse::Expr* head,
                                  const parse::Expr* arg, Type* t) -> bool {
  const std::vector<Type*> regions = RegionsOf(t);
  if (regions.empty()) return false;
  TypePrinter p;
  p.Reserve(t);
  Type* part = PartWith(t, regions.front());
  const std::string value = Source(arg);
  // The same call with `v` in place of the value, for the fix.
  std::string call_with_v = Source(head);
  for (const parse::Expr* a : FlattenApp(call).args)
    call_with_v += " " + (a == arg ? std::string("v")
                                   : (a->kind == ExprKind::Var || a->kind == ExprKind::Literal
                                          ? Source(a)
                                          : "(" + Source(a) + ")"));
  diag::Diagnostic& d = diags_.Report(
      diag::Kind::NotSendable, *file_, call->span,
      fmt::format("`{}` cannot be put into an MVar: its type `{}` holds {} of region {}", value,
                  p.Print(t), KindName(part), DescribeRegion(regions.front(), p)));
  d.AddNote(
      "an MVar is shared between threads, which share no mutable data: its contents may mention "
      "no region (no Ref, MutableArray, action or closure over a region)");
  Type* whole = Resolve(t);
  if (IsCon(whole, "Ref")) {
    d.AddNote(
        fmt::format("put the value instead: `v <- readRef {}`, then `{}`", value, call_with_v));
  } else if (IsCon(whole, "MutableArray")) {
    d.AddNote(fmt::format("put an immutable copy instead: `v <- freeze {}`, then `{}`", value,
                          call_with_v));
  } else if (whole->kind == TypeKind::Fun || IsCon(whole, "Effect")) {
    d.AddNote(
        "an action or closure over a region cannot be sent: send the data it needs and build it "
        "in the receiving thread");
  } else {
    d.AddNote("send immutable data: read the values out of Refs and `freeze` arrays first");
  }
  if (current_decl_ != nullptr) unsendable_decls_.insert(current_decl_);
  return true;
}

}  // namespace atl::check
