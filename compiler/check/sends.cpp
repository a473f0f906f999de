// Send analysis (docs/typing.md section 9): for every put site (putMVar, pushMVar,
// tryPutMVar, putMVarTimeout) decide whether the value put is
//
//   static  — a constant expression the lowering places in read-only data
//             (IsStaticValue, the same predicate as lower/constants.cpp);
//   donate  — the put is the last act of its thread, judged over the whole
//             continuation, so its data can be handed over without a copy;
//   copy    — everything else: the runtime deep-copies the value.
//
// "Last act" is syntactic tail position, followed through `do` (last
// statement), `>>`, `>>= \x -> body`, `if`/`case` branches, `let` bodies,
// annotations and `$`, starting at a thread body (the argument of forkIO, or
// the body of `main`: the program ends when main returns). Through calls it
// is a greatest fixpoint over the top-level functions: `f` runs only as a
// thread's last act when every call of `f` (from code reachable from main)
// is saturated and in tail position of a thread body or of a function that
// itself runs only as a last act. The fixpoint is sound because every
// activation chain at run time is finite and starts at a thread body.
// Everything the walk cannot follow is `copy`: arguments of calls (`when c
// (putMVar ...)`, `forEach xs (\x -> ...)`), lambda bodies and local
// definitions (where and how often they run is unknown), partial
// applications, and the body of runIO (the child region is closed after the
// put, so the put is not the thread's last act).
#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/check/walk.h"

namespace atl::check {

using parse::Cast;
using parse::ExprKind;

auto IsStaticValue(const CheckedModule& checked, const parse::Expr* e) -> bool {
  switch (e->kind) {
    case ExprKind::Literal:
    case ExprKind::Unit:
      return true;
    case ExprKind::Negate: {
      const auto* lit = parse::DynCast<parse::LiteralExpr>(Cast<parse::NegateExpr>(e)->operand);
      return lit != nullptr && lit->literal.kind == parse::LiteralKind::Int;
    }
    case ExprKind::Annot:
      return IsStaticValue(checked, Cast<parse::AnnotExpr>(e)->expr);
    case ExprKind::Con: {
      // Built-in nullary constructors (True, False, Nil) are constants too.
      const Ref& ref = checked.refs[e->id];
      return ref.kind != RefKind::Constructor || checked.constructors[ref.index].arity == 0;
    }
    case ExprKind::App: {
      const Spine spine = FlattenApp(e);
      if (spine.head->kind != ExprKind::Con) return false;
      const Ref& ref = checked.refs[spine.head->id];
      if (ref.kind != RefKind::Constructor ||
          checked.constructors[ref.index].arity != static_cast<int>(spine.args.size()))
        return false;
      return std::all_of(spine.args.begin(), spine.args.end(),
                         [&](const parse::Expr* a) { return IsStaticValue(checked, a); });
    }
    case ExprKind::Tuple: {
      const auto& xs = Cast<parse::TupleExpr>(e)->elements;
      return std::all_of(xs.begin(), xs.end(),
                         [&](const parse::Expr* x) { return IsStaticValue(checked, x); });
    }
    case ExprKind::List: {
      const auto& xs = Cast<parse::ListExpr>(e)->elements;
      return std::all_of(xs.begin(), xs.end(),
                         [&](const parse::Expr* x) { return IsStaticValue(checked, x); });
    }
    // Not constants for the lowering (yet): records, `x :: xs`, variables,
    // and everything computed.
    case ExprKind::Var:
    case ExprKind::Binary:
    case ExprKind::If:
    case ExprKind::Case:
    case ExprKind::Let:
    case ExprKind::Lambda:
    case ExprKind::Do:
    case ExprKind::OpRef:
    case ExprKind::RecordLit:
    case ExprKind::RecordUpdate:
    case ExprKind::Field:
    case ExprKind::Error:
      return false;
  }
  return false;
}

auto PutArity(Builtin b) -> int {
  switch (b) {
    case Builtin::PutMVar:
    case Builtin::PushMVar:
    case Builtin::TryPutMVar:
      return 2;
    case Builtin::PutMVarTimeout:
      return 3;
    default:
      return 0;
  }
}

namespace {

// Where an expression runs relative to the end of its thread.
struct Ctx {
  enum class Kind { NotLast, Thread, Function };
  Kind kind = Kind::NotLast;
  std::string why;     // NotLast: why it is not the last act
  int function = -1;   // Function: in tail position of this top-level function
  std::string thread;  // Thread: which thread body, for the reason text
};

struct Call {
  int callee;
  int caller;
  Ctx ctx;
  int module;
  uint32_t offset;
};

struct PendingPut {
  const parse::Expr* call;
  const parse::VarExpr* head;
  Builtin builtin;
  int module;
  Ctx ctx;
  bool saturated;
  const parse::Expr* value;  // nullptr when not saturated
};

class SendAnalysis {
 public:
  explicit SendAnalysis(CheckedModule& checked) : checked_(checked) {}

  void Run() {
    const int n = static_cast<int>(checked_.functions.size());
    for (int f = 0; f < n; ++f) {
      const Function& fn = checked_.functions[f];
      if (fn.decl == nullptr || fn.module < 0 ||
          fn.module >= static_cast<int>(checked_.modules.size()))
        continue;
      module_ = fn.module;
      caller_ = f;
      Ctx tail{Ctx::Kind::Function, "", f, ""};
      for (const parse::Clause& c : fn.decl->clauses) Walk(c.body, tail);
    }
    SolveFunctions();
    Record();
  }

 private:
  auto Pos(uint32_t offset) const -> std::string {
    const source::LineCol lc = checked_.modules[module_]->file->LineColOf(offset);
    return fmt::format("{}:{}", lc.line, lc.column);
  }
  static auto NotLast(std::string why) -> Ctx {
    return Ctx{Ctx::Kind::NotLast, std::move(why), -1, ""};
  }

  void WalkDecls(const std::vector<parse::Decl*>& decls) {
    for (const parse::Decl* d : decls) {
      const Ctx local = NotLast(fmt::format(
          "inside the local definition at {}: where and how often it runs is not followed",
          Pos(d->span.begin)));
      if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
        for (const parse::Clause& c : v->clauses) Walk(c.body, local);
      } else if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
        Walk(p->body, local);
      }
    }
  }

  void WalkSpine(const parse::Expr* e, const Spine& spine, const Ctx& ctx) {
    const parse::Expr* head = spine.head;
    const size_t argc = spine.args.size();
    std::string callee = "a computed function";
    if (const auto* var = parse::DynCast<parse::VarExpr>(head)) {
      const Ref& ref = checked_.refs[head->id];
      callee = "`" + var->name + "`";
      if (ref.kind == RefKind::Builtin) {
        if (const int arity = PutArity(ref.builtin); arity > 0) {
          const bool saturated = static_cast<int>(argc) == arity;
          puts_.push_back(PendingPut{e, var, ref.builtin, module_, ctx, saturated,
                                     saturated ? spine.args[1] : nullptr});
          for (const parse::Expr* a : spine.args)
            Walk(a, NotLast(fmt::format("inside an argument of `{}` at {}", var->name,
                                        Pos(head->span.begin))));
          return;
        }
        if (ref.builtin == Builtin::ForkIO && argc == 1) {
          Walk(spine.args[0], Ctx{Ctx::Kind::Thread, "", -1,
                                  fmt::format("the thread forked at {}", Pos(head->span.begin))});
          return;
        }
        if (ref.builtin == Builtin::RunIO) {
          for (const parse::Expr* a : spine.args)
            Walk(a, NotLast(fmt::format("inside the runIO at {}: its region is closed after the "
                                        "body, so the body's last act is not the thread's",
                                        Pos(head->span.begin))));
          return;
        }
      } else if (ref.kind == RefKind::Global) {
        const bool saturated = static_cast<int>(argc) == checked_.functions[ref.index].arity;
        calls_.push_back(Call{ref.index, caller_, saturated ? ctx : NotLast("partial application"),
                              module_, head->span.begin});
        for (const parse::Expr* a : spine.args)
          Walk(a, NotLast(fmt::format("passed to {} at {}: where it runs is not followed", callee,
                                      Pos(head->span.begin))));
        return;
      }
    }
    Walk(head, NotLast(fmt::format("a function computed at {}", Pos(head->span.begin))));
    for (const parse::Expr* a : spine.args)
      Walk(a, NotLast(fmt::format("passed to {} at {}: where it runs is not followed", callee,
                                  Pos(head->span.begin))));
  }

  void Walk(const parse::Expr* e, const Ctx& ctx) {
    const auto sub = [&](const parse::Expr* x) {
      Walk(x, NotLast(fmt::format("part of the value computed at {}", Pos(e->span.begin))));
    };
    switch (e->kind) {
      case ExprKind::Var: {
        const Ref& ref = checked_.refs[e->id];
        if (ref.kind == RefKind::Global) {
          const bool saturated = checked_.functions[ref.index].arity == 0;
          calls_.push_back(Call{ref.index, caller_,
                                saturated ? ctx : NotLast("used as a function value"), module_,
                                e->span.begin});
        } else if (ref.kind == RefKind::Builtin && PutArity(ref.builtin) > 0) {
          puts_.push_back(
              PendingPut{e, Cast<parse::VarExpr>(e), ref.builtin, module_, ctx, false, nullptr});
        }
        return;
      }
      case ExprKind::Con:
      case ExprKind::Literal:
      case ExprKind::Unit:
      case ExprKind::OpRef:
      case ExprKind::Error:
        return;
      case ExprKind::Tuple:
      case ExprKind::List:
      case ExprKind::Negate:
      case ExprKind::RecordLit:
      case ExprKind::RecordUpdate:
      case ExprKind::Field:  // parts of a value: none is the last act
        ForEachChild(e, sub, [](const std::vector<parse::Decl*>&) {});
        return;
      case ExprKind::App:
        WalkSpine(e, FlattenApp(e), ctx);
        return;
      case ExprKind::Lambda:
        Walk(
            Cast<parse::LambdaExpr>(e)->body,
            NotLast(fmt::format("inside the lambda at {}: where and how often it runs is not known",
                                Pos(e->span.begin))));
        return;
      case ExprKind::Let: {
        const auto* let = Cast<parse::LetExpr>(e);
        WalkDecls(let->decls);
        Walk(let->body, ctx);
        return;
      }
      case ExprKind::If: {
        const auto* i = Cast<parse::IfExpr>(e);
        sub(i->cond);
        Walk(i->then_branch, ctx);
        Walk(i->else_branch, ctx);
        return;
      }
      case ExprKind::Case: {
        const auto* c = Cast<parse::CaseExpr>(e);
        sub(c->scrutinee);
        for (const parse::CaseAlt& alt : c->alts) Walk(alt.body, ctx);
        return;
      }
      case ExprKind::Annot:
        Walk(Cast<parse::AnnotExpr>(e)->expr, ctx);
        return;
      case ExprKind::Binary: {
        const auto* b = Cast<parse::BinaryExpr>(e);
        const std::string op_pos = Pos(b->op_span.begin);
        switch (b->op) {
          case parse::BinaryOp::Dollar:
            WalkSpine(e, FlattenApp(e), ctx);
            return;
          case parse::BinaryOp::Then:
            Walk(b->lhs,
                 NotLast(fmt::format("followed by the right operand of `>>` at {}", op_pos)));
            Walk(b->rhs, ctx);
            return;
          case parse::BinaryOp::Bind:
            Walk(b->lhs,
                 NotLast(fmt::format("followed by the right operand of `>>=` at {}", op_pos)));
            if (const auto* lambda = parse::DynCast<parse::LambdaExpr>(b->rhs)) {
              Walk(lambda->body, ctx);
            } else {
              Walk(b->rhs, NotLast(fmt::format("a function passed to `>>=` at {}", op_pos)));
            }
            return;
          default:
            sub(b->lhs);
            sub(b->rhs);
            return;
        }
      }
      case ExprKind::Do: {
        const auto& stmts = Cast<parse::DoExpr>(e)->stmts;
        for (size_t i = 0; i < stmts.size(); ++i) {
          const parse::DoStmt* s = stmts[i];
          const bool last = i + 1 == stmts.size();
          const Ctx here = last ? ctx
                                : NotLast(fmt::format("followed by the statement at {}",
                                                      Pos(stmts[i + 1]->span.begin)));
          switch (s->kind) {
            case parse::DoStmtKind::Bind:
              Walk(Cast<parse::BindStmt>(s)->expr, last ? NotLast("a bind") : here);
              break;
            case parse::DoStmtKind::Let:
              WalkDecls(Cast<parse::LetStmt>(s)->decls);
              break;
            case parse::DoStmtKind::Expr:
              Walk(Cast<parse::ExprStmt>(s)->expr, here);
              break;
          }
        }
        return;
      }
    }
  }

  // Greatest fixpoint: a function runs only as a last act until some call
  // (from code reachable from main) shows otherwise.
  void SolveFunctions() {
    const int n = static_cast<int>(checked_.functions.size());
    std::vector<std::vector<int>> callees(n);
    for (const Call& c : calls_) callees[c.caller].push_back(c.callee);
    reachable_.assign(n, checked_.main_index < 0);
    std::vector<int> work;
    if (checked_.main_index >= 0) {
      reachable_[checked_.main_index] = true;
      work.push_back(checked_.main_index);
    }
    while (!work.empty()) {
      const int f = work.back();
      work.pop_back();
      for (int g : callees[f])
        if (!reachable_[g]) {
          reachable_[g] = true;
          work.push_back(g);
        }
    }
    last_only_ = reachable_;
    why_not_.assign(n, "");
    for (int f = 0; f < n; ++f)
      if (!reachable_[f])
        why_not_[f] =
            fmt::format("`{}` is never run: main does not reach it", checked_.functions[f].name);
    // A worklist, so a long chain of calls in tail position is linear (one
    // pass over every call per function taken off, as before, was
    // quadratic: 50,000 functions calling the previous one took 10 s).
    std::vector<std::vector<size_t>> in_tail_of(n);  // calls made as the last act of a function
    std::vector<int> taken_off;
    auto take_off = [&](int f) {
      last_only_[f] = false;
      taken_off.push_back(f);
    };
    for (size_t i = 0; i < calls_.size(); ++i) {
      const Call& c = calls_[i];
      if (c.ctx.kind == Ctx::Kind::Function) in_tail_of[c.ctx.function].push_back(i);
      if (reachable_[c.caller] && c.ctx.kind == Ctx::Kind::NotLast && last_only_[c.callee])
        take_off(c.callee);
    }
    while (!taken_off.empty()) {
      const int f = taken_off.back();
      taken_off.pop_back();
      for (size_t i : in_tail_of[f]) {
        const Call& c = calls_[i];
        if (reachable_[c.caller] && last_only_[c.callee]) take_off(c.callee);
      }
    }
    // The reason names the first call, in source order, that is not a last act.
    for (const Call& c : calls_) {
      if (!reachable_[c.caller] || last_only_[c.callee] || !why_not_[c.callee].empty()) continue;
      const bool bad = c.ctx.kind == Ctx::Kind::NotLast ||
                       (c.ctx.kind == Ctx::Kind::Function && !last_only_[c.ctx.function]);
      if (!bad) continue;
      module_ = c.module;
      why_not_[c.callee] =
          fmt::format("`{}` is also called at {}, which is not the last act of its thread",
                      checked_.functions[c.callee].name, Pos(c.offset));
    }
  }

  void Record() {
    for (const PendingPut& p : puts_) {
      PutSite site;
      site.call = p.call;
      site.expr_id = p.call->id;
      site.builtin = p.builtin;
      site.module = p.module;
      site.offset = p.head->span.begin;
      if (!p.saturated) {
        site.kind = SendKind::Copy;
        site.reason = "not applied to all its arguments: where it runs is not followed";
      } else if (IsStaticValue(checked_, p.value)) {
        site.kind = SendKind::Static;
        site.reason = "constant value in read-only data";
      } else if (p.ctx.kind == Ctx::Kind::Thread) {
        site.kind = SendKind::Donate;
        site.reason = "last act of " + p.ctx.thread;
      } else if (p.ctx.kind == Ctx::Kind::Function) {
        const int f = p.ctx.function;
        const std::string& name = checked_.functions[f].name;
        if (last_only_[f]) {
          site.kind = SendKind::Donate;
          site.reason =
              f == checked_.main_index
                  ? "last act of `main`: the program ends after it"
                  : fmt::format(
                        "last act of `{}`, which every call runs as the last act of its thread",
                        name);
        } else {
          site.kind = SendKind::Copy;
          site.reason = fmt::format("last act of `{}`, but {}", name, why_not_[f]);
        }
      } else {
        site.kind = SendKind::Copy;
        site.reason = p.ctx.why;
      }
      checked_.put_sites.push_back(std::move(site));
    }
    std::stable_sort(checked_.put_sites.begin(), checked_.put_sites.end(),
                     [](const PutSite& a, const PutSite& b) {
                       return a.module != b.module ? a.module < b.module : a.offset < b.offset;
                     });
  }

  CheckedModule& checked_;
  int module_ = 0;
  int caller_ = -1;
  std::vector<Call> calls_;
  std::vector<PendingPut> puts_;
  std::vector<bool> reachable_;
  std::vector<bool> last_only_;
  std::vector<std::string> why_not_;
};

auto KindName(SendKind k) -> const char* {
  switch (k) {
    case SendKind::Static:
      return "static";
    case SendKind::Donate:
      return "donate";
    case SendKind::Copy:
      return "copy";
  }
  return "?";
}

}  // namespace

void AnalyseSends(CheckedModule& checked) {
  checked.put_sites.clear();
  SendAnalysis(checked).Run();
}

auto DumpPuts(const CheckedModule& checked) -> std::string {
  std::string out;
  for (const PutSite& s : checked.put_sites) {
    const source::SourceFile& file = *checked.modules[s.module]->file;
    const source::LineCol lc = file.LineColOf(s.offset);
    out += fmt::format("{}:{}:{}: {}: {} ({})\n", file.path(), lc.line, lc.column,
                       BuiltinName(s.builtin), KindName(s.kind), s.reason);
  }
  return out;
}

}  // namespace atl::check
