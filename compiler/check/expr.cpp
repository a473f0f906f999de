// Inference for expressions and `do` blocks.
#include <fmt/core.h>
#include <fmt/format.h>

#include <functional>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::BinaryOp;
using parse::Cast;
using parse::ExprKind;

auto Checker::Lookup(const std::string& name) -> const Binding* {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
    auto found = it->find(name);
    if (found != it->end()) return &found->second;
  }
  return nullptr;
}

auto Checker::TypeOf(const parse::Expr* e) -> Type* { return out_.expr_types[e->id]; }

auto Checker::Record(const parse::Expr* e, Type* t) -> Type* {
  out_.expr_types[e->id] = t;
  return t;
}

auto Shorten(std::string_view source) -> std::string {
  // One line, runs of blanks collapsed, at most 40 characters.
  std::string text;
  for (char c : source) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && !text.empty() && text.back() == ' ') continue;
    text += c;
  }
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

auto Checker::Where(source::Span span) -> std::string {
  const source::LineCol at = file_->LineColOf(span.begin);
  return fmt::format("{}:{}", at.line, at.column);
}

auto Checker::Source(const parse::Expr* e) -> std::string { return Shorten(file_->Slice(e->span)); }

void Checker::ReportUnifyFailure(const UnifyResult& r, Type* expected, Type* actual,
                                 source::Span span, const std::string& what) {
  TypePrinter p;
  p.Reserve(expected);
  p.Reserve(actual);
  const std::string want = p.Print(expected);
  const std::string got = p.Print(actual);
  const std::string inner_left = p.Print(r.left);
  const std::string inner_right = p.Print(r.right);
  const std::string context = what.empty() ? "" : " in " + what;
  auto add_inner = [&](diag::Diagnostic& d) -> diag::Diagnostic& {
    if (inner_left != want || inner_right != got)
      d.AddNote(fmt::format("`{}` and `{}` differ", inner_left, inner_right));
    return d;
  };
  // Where the expected type comes from, when the caller knows.
  auto add_origin = [&](diag::Diagnostic& d) {
    if (report_origin_ == nullptr) return;
    if (report_origin_->file != nullptr)
      d.AddNote(*report_origin_->file, report_origin_->span, report_origin_->text);
    else
      d.AddNote(report_origin_->text);
  };
  switch (r.status) {
    case UnifyStatus::Ok:
      return;
    case UnifyStatus::Mismatch: {
      diag::Diagnostic& d = add_inner(diags_.Report(
          diag::Kind::TypeMismatch, *file_, span,
          fmt::format("type mismatch{}: expected `{}`, found `{}`", context, want, got)));
      // An action where a plain value is wanted: the usual slip is a missing
      // runST or `<-`.
      Type* e = Resolve(expected);
      if (IsCon(Resolve(actual), "Effect") && e->kind == TypeKind::Con && !IsCon(e, "Effect"))
        d.AddNote(
            "this is an action, not its result: run it with `runST` (for a pure result) or bind "
            "its "
            "result with `x <- ...` in a `do` block");
      add_origin(d);
      return;
    }
    case UnifyStatus::Occurs:
      diags_.Report(diag::Kind::InfiniteType, *file_, span,
                    fmt::format("infinite type{}: `{}` would contain itself in `{}`", context,
                                inner_left, inner_right));
      return;
    case UnifyStatus::RigidMismatch:
      if (r.left->kind == TypeKind::Var && r.right->kind == TypeKind::Var &&
          r.left->var_kind == Kind::Region && r.right->var_kind == Kind::Region) {
        // Two different regions where one is needed (an invariant position).
        diags_
            .Report(diag::Kind::RegionMismatch, *file_, span,
                    fmt::format("region mismatch{}: expected `{}`, found `{}`", context, want, got))
            .AddNote(fmt::format(
                "`{}` and `{}` are different regions, and this position is invariant (the region "
                "of an Effect, or inside the element of a Ref, MutableArray or MVar)",
                inner_left, inner_right))
            .AddNote(
                fmt::format("region {}; region {}", RegionOrigin(r.left), RegionOrigin(r.right)));
        return;
      }
      add_origin(add_inner(
          diags_
              .Report(diag::Kind::RigidTypeVariable, *file_, span,
                      fmt::format("type mismatch{}: expected `{}`, found `{}`", context, want, got))
              .AddNote("a type variable of a signature stands for any type; it cannot be fixed "
                       "here")));
      return;
    case UnifyStatus::KindMismatch:
      diags_.Report(diag::Kind::KindMismatch, *file_, span,
                    fmt::format("kind mismatch{}: `{}` and `{}` are different kinds of type",
                                context, inner_left, inner_right));
      return;
    case UnifyStatus::Escape:
      ReportEscape(r.left, r.right, expected, actual, span, context);
      return;
  }
}

auto Checker::UnifyAt(Type* expected, Type* actual, source::Span span, const std::string& what,
                      const Origin* origin) -> bool {
  UnifyResult r = Unify(expected, actual);
  if (r) return true;
  report_origin_ = origin;
  ReportUnifyFailure(r, expected, actual, span, what);
  report_origin_ = nullptr;
  return false;
}

auto Checker::SubFrom(Type* actual, Type* expected, source::Span span, const Origin* origin)
    -> bool {
  report_origin_ = origin;
  const bool ok = SubAt(actual, expected, span, "");
  report_origin_ = nullptr;
  return ok;
}

namespace {

// Does `t` mention an ordinary type variable (one a use instantiates)?
auto HasTypeVar(Type* t) -> bool {
  t = Resolve(t);
  if (t->kind == TypeKind::Var) return t->var_kind == Kind::Type;
  for (Type* a : t->args)
    if (HasTypeVar(a)) return true;
  return false;
}

auto Ordinal(size_t index) -> std::string {
  static const char* const kWords[] = {"first", "second", "third", "fourth", "fifth", "sixth"};
  return index < 6 ? kWords[index] : fmt::format("parameter {}", index + 1);
}

}  // namespace

// A parameter whose declared type mentions a type variable gets its
// expected type from the other arguments or the context as much as from the
// declaration, so only a signature is named then (with the variable); an
// inferred or builtin type is named only when the parameter's type is fixed.
auto Checker::ParamOrigin(const parse::Expr* head, size_t index) -> std::optional<Origin> {
  std::string name;
  if (const auto* v = parse::DynCast<parse::VarExpr>(head))
    name = v->name;
  else if (const auto* c = parse::DynCast<parse::ConExpr>(head))
    name = c->name;
  else
    return std::nullopt;
  const Ref ref = out_.refs[head->id];
  Type* declared = nullptr;
  switch (ref.kind) {
    case RefKind::Global:
      declared = out_.functions[ref.index].type;
      break;
    case RefKind::Builtin: {
      auto it = scopes_[0].find(name);
      if (it != scopes_[0].end()) declared = it->second.scheme.body;
      break;
    }
    case RefKind::Constructor:
      declared = out_.constructors[ref.index].scheme.body;
      break;
    case RefKind::BuiltinConstructor:
    case RefKind::Local:
    case RefKind::None:
      break;
  }
  if (declared == nullptr) return std::nullopt;
  auto [params, result] = SplitFun(declared, static_cast<int>(index) + 1);
  if (params.size() <= index) return std::nullopt;  // an argument of the function's result
  Type* param = params[index];
  const bool fixed = !HasTypeVar(param);
  const std::string param_text = ToString(param);
  if (ref.kind == RefKind::Global) {
    const Function& f = out_.functions[ref.index];
    const source::SourceFile* file = modules_[f.module]->file.get();
    if (const parse::SignatureDecl* sig = function_signatures_[ref.index]) {
      if (fixed)
        return Origin{
            file, sig->span,
            fmt::format("expected because of this signature of `{}`: its {} parameter is `{}`",
                        name, Ordinal(index), param_text)};
      return Origin{
          file, sig->span,
          fmt::format(
              "this signature of `{}` gives its {} parameter the type `{}`, which the other "
              "arguments or the context fixed as expected here",
              name, Ordinal(index), param_text)};
    }
    if (!fixed || group_functions_.contains(ref.index)) return std::nullopt;  // not final yet
    return Origin{
        file, f.decl->name.span,
        fmt::format("expected because the {} parameter of `{}` is `{}`, as inferred from its "
                    "definition here",
                    Ordinal(index), name, param_text)};
  }
  if (!fixed) return std::nullopt;
  if (ref.kind == RefKind::Builtin)
    return Origin{
        nullptr,
        {},
        fmt::format("expected because `{}` has the type `{}`", name, Primitive(ref.builtin).type)};
  return Origin{nullptr,
                {},
                fmt::format("expected because the constructor `{}` has the type `{}`", name,
                            ToString(declared))};
}

void Checker::Expect(const parse::Expr* e, Type* expected, const Origin* origin) {
  // Push the expectation (and where it comes from) into branches so an
  // error points at the branch.
  if (const auto* i = parse::DynCast<parse::IfExpr>(e)) {
    Expect(i->cond, arena_.Bool());
    Expect(i->then_branch, expected, origin);
    Expect(i->else_branch, expected, origin);
    Record(e, expected);
    return;
  }
  if (const auto* l = parse::DynCast<parse::LetExpr>(e)) {
    scopes_.emplace_back();
    CheckLetDecls(l->decls);
    Expect(l->body, expected, origin);
    scopes_.pop_back();
    Record(e, expected);
    return;
  }
  if (const auto* c = parse::DynCast<parse::CaseExpr>(e)) {
    Type* scrutinee = Infer(c->scrutinee);
    std::vector<std::vector<const parse::Pattern*>> rows;
    std::vector<source::Span> spans;
    for (const parse::CaseAlt& alt : c->alts) {
      scopes_.emplace_back();
      BindPattern(alt.pattern, scrutinee);
      Expect(alt.body, expected, origin);
      scopes_.pop_back();
      rows.push_back({alt.pattern});
      spans.push_back(alt.pattern->span);
    }
    CheckCoverage(rows, spans, {scrutinee}, e->span, "the alternatives of this `case`");
    Record(e, expected);
    return;
  }
  if (const auto* d = parse::DynCast<parse::DoExpr>(e)) {
    InferDo(d, expected, origin);
    return;
  }
  // Rank-2 forms look at the expected type (the region of the enclosing block).
  if (e->kind == ExprKind::App ||
      (e->kind == ExprKind::Binary && Cast<parse::BinaryExpr>(e)->op == BinaryOp::Dollar)) {
    const uint32_t errors_before = diags_.error_count();
    Type* actual = InferApp(e, FlattenApp(e), expected);
    if (diags_.error_count() != errors_before) {
      Sub(actual, expected, e->span, "", false);
      return;
    }
    SubFrom(actual, expected, e->span, origin);
    return;
  }
  // An error inside `e` already explains why its type may be off; unify
  // silently so one mistake yields one diagnostic.
  const uint32_t errors_before = diags_.error_count();
  Type* actual = Infer(e);
  if (diags_.error_count() != errors_before) {
    Sub(actual, expected, e->span, "", false);
    return;
  }
  SubFrom(actual, expected, e->span, origin);
}

auto Checker::InferVar(const parse::Expr* e, const std::string& qualifier, const std::string& name)
    -> Type* {
  const Binding* b = nullptr;
  if (!qualifier.empty()) {
    auto m = module_ids_.find(qualifier);
    if ((m == module_ids_.end() || m->second >= module_index_) && qualifier != "Prelude") {
      diags_.Report(diag::Kind::UnknownModule, *file_, e->span,
                    fmt::format("unknown module `{}` (qualified names need `import {}`)", qualifier,
                                qualifier));
      return Record(e, arena_.NewVar(level_));
    }
    if (m != module_ids_.end() && m->second < module_index_) {
      auto it = exports_[m->second].values.find(name);
      if (it != exports_[m->second].values.end()) b = &it->second;
    }
    if (b == nullptr) b = PreludePrimitive(qualifier, name);
    if (b == nullptr) {
      auto& d = diags_.Report(diag::Kind::UnknownName, *file_, e->span,
                              fmt::format("the module `{}` defines no `{}`", qualifier, name));
      if (m != module_ids_.end() && m->second < module_index_) {
        std::vector<std::string_view> candidates;
        for (const auto& [n, binding] : exports_[m->second].values) candidates.push_back(n);
        if (auto near = ClosestName(name, candidates))
          d.AddFix(*file_, e->span, fmt::format("{}.{}", qualifier, *near),
                   fmt::format("did you mean `{}.{}`?", qualifier, *near));
      }
      return Record(e, arena_.NewVar(level_));
    }
  } else {
    b = Lookup(name);
  }
  if (b == nullptr) {
    auto& d = diags_.Report(diag::Kind::UnknownName, *file_, e->span,
                            fmt::format("unknown name `{}`", name));
    if (const HaskellName* h = HaskellNameHint(name)) {
      if (!h->replacement.empty()) {
        d.AddFix(*file_, e->span, std::string(h->replacement),
                 fmt::format("did you mean `{}`?", h->replacement));
      }
      d.AddNote(std::string(h->note));
    } else if (auto near = SuggestValue(name)) {
      d.AddFix(*file_, e->span, *near, fmt::format("did you mean `{}`?", *near));
    }
    return Record(e, arena_.NewVar(level_));
  }
  if (!b->clash.empty()) {
    diags_
        .Report(diag::Kind::AmbiguousName, *file_, e->span,
                fmt::format("`{}` is defined by several imported modules: {}", name,
                            fmt::join(b->clash, ", ")))
        .AddNote(fmt::format("write `{}.{}` to choose one", b->clash.front(), name));
    return Record(e, arena_.NewVar(level_));
  }
  out_.refs[e->id] = b->ref;
  if (b->ref.kind == RefKind::Builtin && Primitive(b->ref.builtin).special) {
    diags_.Report(
        diag::Kind::RankTwoNotApplied, *file_, e->span,
        fmt::format("`{}` must be applied to its body here (`{} $ do ...`): its argument has a "
                    "rank-2 type, which cannot be inferred for a bare `{}`",
                    name, name, name));
    return Record(e, arena_.NewVar(level_));
  }
  if (b->scheme.vars.empty()) return Record(e, b->scheme.body);
  // Instantiate, carrying the bounds `t <= s` of the scheme's regions over
  // to the fresh variables as constraints the call site must satisfy.
  std::map<Type*, Type*> fresh;
  for (Type* v : b->scheme.vars) fresh[v] = arena_.NewVar(level_, v->var_kind);
  Type* t = Substitute(arena_, b->scheme.body, fresh);
  for (Type* v : b->scheme.vars) {
    auto it = parents_.find(v);
    if (it == parents_.end()) continue;
    for (Type* p : it->second) {
      auto fp = fresh.find(Resolve(p));
      if (fp != fresh.end()) AddConstraint(fp->second, fresh[v], e->span, name);
    }
  }
  if (b->ref.kind == RefKind::Global || b->ref.kind == RefKind::Local)
    for (Type* v : b->scheme.vars) AddSendObligation(v, fresh[v], e, name);
  if (b->ref.kind == RefKind::Builtin && b->ref.builtin == Builtin::Compare)
    CheckComparable(SplitFun(t, 1).first.front(),
                    e->span);  // `compare : a -> a -> Int` is structural too
  return Record(e, t);
}

auto Checker::Infer(const parse::Expr* e) -> Type* {
  switch (e->kind) {
    case ExprKind::Var: {
      const auto* v = Cast<parse::VarExpr>(e);
      return InferVar(e, v->qualifier, v->name);
    }
    case ExprKind::Con: {
      const auto* c = Cast<parse::ConExpr>(e);
      const int id = ResolveConstructor(c->qualifier, c->name, e->span);
      if (id == kNoConstructor) return Record(e, arena_.NewVar(level_));
      if (id < 0) {
        out_.refs[e->id] = Ref{RefKind::BuiltinConstructor, id, Builtin::Print};
        return Record(e, BuiltinConstructorType(id));
      }
      out_.refs[e->id] = Ref{RefKind::Constructor, id, Builtin::Print};
      return Record(e, Instantiate(arena_, out_.constructors[id].scheme, level_));
    }
    case ExprKind::Literal: {
      const auto* l = Cast<parse::LiteralExpr>(e);
      switch (l->literal.kind) {
        case parse::LiteralKind::Int:
          return Record(e, arena_.Int());
        case parse::LiteralKind::String:
          return Record(e, arena_.String());
        case parse::LiteralKind::Float:
          return Record(e, arena_.Float());
        case parse::LiteralKind::Char:
          return Record(e, arena_.Char());
      }
      return Record(e, arena_.NewVar(level_));
    }
    case ExprKind::Unit:
      return Record(e, arena_.Unit());
    case ExprKind::App:
      return InferApp(e, FlattenApp(e), nullptr);
    case ExprKind::Binary:
      return InferBinary(Cast<parse::BinaryExpr>(e));
    case ExprKind::Negate: {
      // `-x` negates an Int or a Float.
      Type* t = Infer(Cast<parse::NegateExpr>(e)->operand);
      if (!IsCon(t, "Float")) UnifyAt(arena_.Int(), t, e->span, "the negation");
      return Record(e, t);
    }
    case ExprKind::If:
    case ExprKind::Let:
    case ExprKind::Case:
    case ExprKind::Do: {
      Type* t = arena_.NewVar(level_);
      Expect(e, t);
      return t;
    }
    case ExprKind::Annot: {
      const auto* a = Cast<parse::AnnotExpr>(e);
      Type* t = SignatureType(a->type, "the annotation");
      const Origin origin{file_, a->type->span, "expected because of this annotation"};
      Expect(a->expr, t, &origin);
      return Record(e, t);
    }
    case ExprKind::Tuple: {
      std::vector<Type*> elements;
      for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements) elements.push_back(Infer(x));
      return Record(e, arena_.Tuple(std::move(elements)));
    }
    case ExprKind::List: {
      Type* element = arena_.NewVar(level_);
      for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) Expect(x, element);
      return Record(e, arena_.List(element));
    }
    case ExprKind::Lambda: {
      const auto* lambda = Cast<parse::LambdaExpr>(e);
      scopes_.emplace_back();
      std::vector<Type*> params;
      for (const parse::Pattern* p : lambda->params) {
        params.push_back(arena_.NewVar(level_));
        BindPattern(p, params.back());
      }
      Type* body = Infer(lambda->body);
      scopes_.pop_back();
      CheckCoverage(
          {std::vector<const parse::Pattern*>(lambda->params.begin(), lambda->params.end())},
          {e->span}, params, e->span, "the parameters of this lambda");
      return Record(e, arena_.Fun(params, body));
    }
    case ExprKind::OpRef: {
      const auto* op = Cast<parse::OpRefExpr>(e);
      auto binary = [&](Type* a, Type* b, Type* r) { return arena_.Fun({a, b}, r); };
      switch (op->op) {
        case BinaryOp::Mul:
        case BinaryOp::Div:
        case BinaryOp::Mod:
        case BinaryOp::Add:
        case BinaryOp::Sub:
          return Record(e, binary(arena_.Int(), arena_.Int(), arena_.Int()));
        case BinaryOp::FMul:
        case BinaryOp::FDiv:
        case BinaryOp::FAdd:
        case BinaryOp::FSub:
          return Record(e, binary(arena_.Float(), arena_.Float(), arena_.Float()));
        case BinaryOp::Append: {
          // `t -> t -> t` with t a String or a List, checked (and defaulted
          // to String) when the group is solved, as for the operator.
          Type* t = arena_.NewVar(level_);
          pending_appends_.push_back({e->span, t});
          return Record(e, binary(t, t, t));
        }
        case BinaryOp::Cons: {
          Type* a = arena_.NewVar(level_);
          return Record(e, binary(a, arena_.List(a), arena_.List(a)));
        }
        case BinaryOp::Eq:
        case BinaryOp::Ne:
        case BinaryOp::Lt:
        case BinaryOp::Le:
        case BinaryOp::Gt:
        case BinaryOp::Ge: {
          Type* a = arena_.NewVar(level_);
          CheckComparable(a, e->span);
          return Record(e, binary(a, a, arena_.Bool()));
        }
        case BinaryOp::And:
        case BinaryOp::Or:
          return Record(e, binary(arena_.Bool(), arena_.Bool(), arena_.Bool()));
        case BinaryOp::Bind: {
          Type* s = arena_.NewVar(level_, Kind::Region);
          Type* d = arena_.NewVar(level_, Kind::Determinism);
          Type* a = arena_.NewVar(level_);
          Type* b = arena_.NewVar(level_);
          return Record(e, binary(arena_.Effect(s, d, a), arena_.Fun(a, arena_.Effect(s, d, b)),
                                  arena_.Effect(s, d, b)));
        }
        case BinaryOp::Then: {
          Type* s = arena_.NewVar(level_, Kind::Region);
          Type* d = arena_.NewVar(level_, Kind::Determinism);
          Type* a = arena_.NewVar(level_);
          Type* b = arena_.NewVar(level_);
          return Record(
              e, binary(arena_.Effect(s, d, a), arena_.Effect(s, d, b), arena_.Effect(s, d, b)));
        }
        case BinaryOp::Dollar: {
          Type* a = arena_.NewVar(level_);
          Type* b = arena_.NewVar(level_);
          return Record(e, binary(arena_.Fun(a, b), a, b));
        }
      }
      return Record(e, arena_.NewVar(level_));
    }
    case ExprKind::RecordLit:
      return InferRecordLit(Cast<parse::RecordLitExpr>(e));
    case ExprKind::RecordUpdate:
      return InferRecordUpdate(Cast<parse::RecordUpdateExpr>(e));
    case ExprKind::Field:
      return InferField(Cast<parse::FieldExpr>(e));
    case ExprKind::Error:
      return Record(e, arena_.NewVar(level_));
  }
  return Record(e, arena_.NewVar(level_));
}

auto Checker::PreludePrimitive(const std::string& qualifier, const std::string& name)
    -> const Binding* {
  if (qualifier != "Prelude") return nullptr;
  if (auto m = module_ids_.find(qualifier); m != module_ids_.end()) {
    if (m->second >= module_index_ || exports_[m->second].values.contains(name)) return nullptr;
  }
  auto it = scopes_[0].find(name);
  return it == scopes_[0].end() ? nullptr : &it->second;
}

auto Checker::PutValueIndex(const parse::Expr* head) -> int {
  if (head->kind != ExprKind::Var) return -1;
  const Ref ref = out_.refs[head->id];
  if (ref.kind != RefKind::Builtin) return -1;
  if (ref.builtin == Builtin::NewMVar) return 0;
  return PutArity(ref.builtin) > 0 ? 1 : -1;
}

auto Checker::InferApp(const parse::Expr* e, const Spine& spine, Type* expected) -> Type* {
  if (const auto* v = parse::DynCast<parse::VarExpr>(spine.head); v != nullptr) {
    const Binding* b =
        v->qualifier.empty() ? Lookup(v->name) : PreludePrimitive(v->qualifier, v->name);
    if (b != nullptr && b->ref.kind == RefKind::Builtin && b->clash.empty() &&
        Primitive(b->ref.builtin).special) {
      out_.refs[spine.head->id] = b->ref;
      return InferRunForm(e, spine, b->ref.builtin, expected);
    }
  }
  Type* fn = Infer(spine.head);
  for (size_t i = 0; i < spine.args.size(); ++i) {
    const parse::Expr* arg = spine.args[i];
    Type* r = Resolve(fn);
    if (r->kind == TypeKind::Var && !r->rigid) {
      Type* fun = arena_.Fun(arena_.NewVar(level_), arena_.NewVar(level_));
      Unify(r, fun);
      r = fun;
    }
    if (r->kind != TypeKind::Fun) {
      diags_.Report(diag::Kind::NotAFunction, *file_, arg->span,
                    fmt::format("too many arguments: the function's type is `{}`",
                                ToString(TypeOf(spine.head))));
      Infer(arg);
      return Record(e, arena_.NewVar(level_));
    }
    const std::optional<Origin> origin = ParamOrigin(spine.head, i);
    const Spine* saved_spine = arg_spine_;
    const size_t saved_index = arg_index_;
    arg_spine_ = &spine;
    arg_index_ = i;
    if (PutValueIndex(spine.head) == static_cast<int>(i)) {
      // The value of a put: an unsendable one is reported here, at the put,
      // and the argument is then matched silently (no cascade, and no second
      // report at the MVar's creation).
      const uint32_t errors_before = diags_.error_count();
      Type* actual = Infer(arg);
      if (diags_.error_count() != errors_before ||
          ReportUnsendablePut(e, spine.head, arg, actual)) {
        Sub(actual, r->args[0], arg->span, "", false);
      } else {
        SubFrom(actual, r->args[0], arg->span, origin ? &*origin : nullptr);
      }
    } else {
      Expect(arg, r->args[0], origin ? &*origin : nullptr);
    }
    arg_spine_ = saved_spine;
    arg_index_ = saved_index;
    fn = r->args[1];
  }
  return Record(e, fn);
}

auto Checker::InferBinary(const parse::BinaryExpr* e) -> Type* {
  auto both = [&](Type* t) {
    Expect(e->lhs, t);
    Expect(e->rhs, t);
  };
  switch (e->op) {
    case BinaryOp::Dollar:
      return InferApp(e, FlattenApp(e), nullptr);
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::Add:
    case BinaryOp::Sub:
      both(arena_.Int());
      return Record(e, arena_.Int());
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
      both(arena_.Float());
      return Record(e, arena_.Float());
    case BinaryOp::Append: {
      // `++` joins two Strings or two Lists: `t -> t -> t`, with t checked
      // (and defaulted to String if still unknown) when the group is solved.
      const uint32_t errors_before = diags_.error_count();
      Type* t = Infer(e->lhs);
      Type* r = Resolve(t);
      const bool known = r->kind != TypeKind::Var || r->rigid;
      if (known && !IsCon(r, "String") && !IsCon(r, "List")) {
        if (diags_.error_count() == errors_before)
          diags_.Report(diag::Kind::TypeMismatch, *file_, e->lhs->span,
                        fmt::format("`++` joins two Strings or two Lists, not values of type `{}`",
                                    ToString(r)));
        Infer(e->rhs);
        return Record(e, arena_.NewVar(level_));
      }
      if (!known) pending_appends_.push_back({e->op_span, t});
      Expect(e->rhs, t);
      return Record(e, t);
    }
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge: {
      Type* t = Infer(e->lhs);
      Expect(e->rhs, t);
      CheckComparable(t, e->op_span);
      return Record(e, arena_.Bool());
    }
    case BinaryOp::And:
    case BinaryOp::Or:
      both(arena_.Bool());
      return Record(e, arena_.Bool());
    case BinaryOp::Then: {
      Type* s = arena_.NewVar(level_, Kind::Region);
      Type* d = arena_.NewVar(level_, Kind::Determinism);
      Expect(e->lhs, arena_.Effect(StatementRegionFor(e->lhs, s), d, arena_.NewVar(level_)));
      Type* a = arena_.NewVar(level_);
      Type* result = arena_.Effect(s, d, a);
      Expect(e->rhs, arena_.Effect(StatementRegionFor(e->rhs, s), d, a));
      return Record(e, result);
    }
    case BinaryOp::Bind: {
      Type* s = arena_.NewVar(level_, Kind::Region);
      Type* d = arena_.NewVar(level_, Kind::Determinism);
      Type* a = arena_.NewVar(level_);
      Type* result = arena_.Effect(s, d, arena_.NewVar(level_));
      Expect(e->lhs, arena_.Effect(StatementRegionFor(e->lhs, s), d, a));
      Expect(e->rhs, arena_.Fun(a, result));
      return Record(e, result);
    }
    case BinaryOp::Cons: {
      Type* list = arena_.List(Infer(e->lhs));
      Expect(e->rhs, list);
      return Record(e, list);
    }
  }
  return Record(e, arena_.NewVar(level_));
}

auto Checker::UncomparablePart(Type* t) -> Type* {
  std::set<std::string> seen;  // data type instances already walked (recursive types)
  std::function<Type*(Type*, int)> walk = [&](Type* u, int depth) -> Type* {
    u = Resolve(u);
    if (u->kind == TypeKind::Var) return nullptr;
    if (u->kind == TypeKind::Fun) return u;
    if (u->name == "Effect" || u->name == "Ref" || u->name == "MutableArray" || u->name == "MVar" ||
        u->name == "Promise")
      return u;
    auto data = data_constructors_.find(u->name);
    if (data == data_constructors_.end()) {  // tuples, records, List, Array, scalars
      for (Type* a : u->args)
        if (Type* part = walk(a, depth)) return part;
      return nullptr;
    }
    // A data type: its constructors' fields under this instantiation. A
    // non-regular type could grow without end: give up (allow) when deep.
    if (depth > 32 || !seen.insert(ToString(u)).second) return nullptr;
    for (int id : data->second) {
      const Scheme& scheme = out_.constructors[id].scheme;  // forall params. fields -> T params
      std::map<Type*, Type*> instance;
      for (size_t i = 0; i < scheme.vars.size() && i < u->args.size(); ++i)
        instance[scheme.vars[i]] = u->args[i];
      auto [fields, result] = SplitFun(scheme.body, out_.constructors[id].arity);
      for (Type* field : fields)
        if (Type* part = walk(Substitute(arena_, field, instance), depth + 1)) return part;
    }
    return nullptr;
  };
  return walk(t, 0);
}

void Checker::CheckComparable(Type* t, source::Span span) {
  if (Type* part = UncomparablePart(t)) {
    Type* whole = Resolve(t);
    auto& d = diags_.Report(diag::Kind::UncomparableType, *file_, span,
                            fmt::format("values of type `{}` cannot be compared", ToString(whole)));
    if (part != whole) d.AddNote(fmt::format("they contain values of type `{}`", ToString(part)));
    d.AddNote(
        "comparison is structural on immutable data; functions, actions and mutable cells "
        "have no structure to compare");
    return;
  }
  if (HasTypeVar(t)) pending_comparisons_.push_back({span, t});
}

void Checker::CheckComparisons() {
  std::vector<std::pair<source::Span, Type*>> pending = std::move(pending_comparisons_);
  pending_comparisons_.clear();
  for (const auto& [span, t] : pending)
    if (UncomparablePart(t) != nullptr) CheckComparable(t, span);
  pending_comparisons_.clear();
}

void Checker::CheckAppends() {
  for (const auto& [span, t] : pending_appends_) {
    Type* r = Resolve(t);
    if (r->kind == TypeKind::Var && !r->rigid) {
      Unify(r, arena_.String());
      continue;
    }
    if (IsCon(r, "String") || IsCon(r, "List")) continue;
    diags_.Report(
        diag::Kind::TypeMismatch, *file_, span,
        fmt::format("`++` joins two Strings or two Lists, not values of type `{}`", ToString(r)));
  }
  pending_appends_.clear();
}

auto Checker::InferDo(const parse::DoExpr* e, Type* expected, const Origin* origin) -> Type* {
  // Every statement runs in the block's region (Effect is invariant in it);
  // each statement's determinism is at most the block's (subtyping).
  Type* s = arena_.NewVar(level_, Kind::Region);
  Type* d = arena_.NewVar(level_, Kind::Determinism);
  Type* result = arena_.Effect(s, d, arena_.NewVar(level_));
  // The signature explains the last statement's expected type only when the
  // block itself fits it (else the expected Effect comes from the block).
  const bool fits = UnifyAt(expected, result, e->span, "the `do` block", origin);
  // Each `let` statement is its own binding group whose scope is the rest of
  // the block, so a later `let x` shadows an earlier `x` (as a later `x <- e`
  // does); two bindings of one name inside one `let` remain E0203.
  const size_t outer_scopes = scopes_.size();
  scopes_.emplace_back();
  for (size_t i = 0; i < e->stmts.size(); ++i) {
    const parse::DoStmt* stmt = e->stmts[i];
    const bool last = i + 1 == e->stmts.size();
    switch (stmt->kind) {
      case parse::DoStmtKind::Bind: {
        const auto* bind = Cast<parse::BindStmt>(stmt);
        Type* t = arena_.NewVar(level_);
        Expect(bind->expr, arena_.Effect(StatementRegionFor(bind->expr, s), d, t));
        BindPattern(bind->pattern, t);
        CheckCoverage({{bind->pattern}}, {bind->pattern->span}, {t}, bind->pattern->span,
                      "this pattern of a `<-` bind");
        break;
      }
      case parse::DoStmtKind::Let: {
        // A `let` whose names are all new in the innermost scope joins it;
        // one that rebinds a name (or binds a pattern) opens its own scope.
        // A scope per `let` made every lookup walk them all: quadratic in a
        // long block.
        const auto& decls = Cast<parse::LetStmt>(stmt)->decls;
        bool own_scope = false;
        for (const parse::Decl* d : decls) {
          if (const auto* v = parse::DynCast<parse::ValueDecl>(d))
            own_scope = own_scope || scopes_.back().contains(v->name.text);
          own_scope = own_scope || d->kind == parse::DeclKind::PatternBind;
        }
        if (own_scope) scopes_.emplace_back();
        CheckLetDecls(decls);
        break;
      }
      case parse::DoStmtKind::Expr: {
        const auto* x = Cast<parse::ExprStmt>(stmt);
        if (last && !rules_.effect_token_covariant)
          Expect(x->expr, result, fits ? origin : nullptr);
        else if (last)
          Expect(x->expr, arena_.Effect(StatementRegionFor(x->expr, s), d, result->args[2]),
                 fits ? origin : nullptr);
        else
          Expect(x->expr, arena_.Effect(StatementRegionFor(x->expr, s), d, arena_.NewVar(level_)));
        break;
      }
    }
  }
  scopes_.resize(outer_scopes);
  return Record(e, result);
}

}  // namespace atl::check
