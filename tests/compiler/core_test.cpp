// Core's verifier and optimiser on small programs built by hand: each bad
// program breaks one invariant and the verifier names it; each optimiser
// case checks the rewrite and that the result still verifies.
#include "compiler/core/core.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "compiler/core/optimizer.h"

using namespace atl;
using namespace atl::core;

namespace {

// A program under construction: top-level functions (with their checker
// entries), lambdas, and shorthands for the nodes.
struct Fixture {
  check::CheckedModule checked;
  Program p;

  Fixture() { p.checked = &checked; }

  auto Fn(const std::string& name, int arity, bool effect) -> int {
    check::Function f;
    f.name = name;
    f.arity = arity;
    f.effect = effect;
    checked.functions.push_back(f);
    Function fn;
    for (int i = 0; i < arity; ++i)
      fn.params.push_back(p.NewVar(name + "_p" + std::to_string(i), nullptr));
    if (effect) fn.region = p.NewRegion();
    p.functions.push_back(std::move(fn));
    return static_cast<int>(p.functions.size()) - 1;
  }
  auto Lam(const std::string& name, int params, bool effect) -> int {
    Lambda l;
    l.name = name;
    l.self = p.NewVar(name, nullptr);
    for (int i = 0; i < params; ++i)
      l.params.push_back(p.NewVar(name + "_p" + std::to_string(i), nullptr));
    if (effect) l.region = p.NewRegion();
    p.lambdas.push_back(std::move(l));
    return static_cast<int>(p.lambdas.size()) - 1;
  }
  auto Var(const std::string& name) -> int { return p.NewVar(name, nullptr); }
};

auto V(int v) -> Atom { return Atom::Variable(v); }

auto MakeRhs(RhsKind kind, std::vector<Atom> args = {}) -> Rhs {
  Rhs r;
  r.kind = kind;
  r.args = std::move(args);
  return r;
}
auto AtomRhs(Atom a) -> Rhs { return MakeRhs(RhsKind::Atom, {std::move(a)}); }
auto Call(int f, std::vector<Atom> args, int region = -1) -> Rhs {
  Rhs r = MakeRhs(RhsKind::CallGlobal, std::move(args));
  r.SetFunction(f);
  r.region = region;
  return r;
}
auto Apply(std::vector<Atom> args, int region = -1) -> Rhs {
  Rhs r = MakeRhs(RhsKind::Apply, std::move(args));
  r.region = region;
  return r;
}
auto Closure(int lambda) -> Rhs {
  Rhs r = MakeRhs(RhsKind::Closure);
  r.SetLambda(lambda);
  return r;
}
auto PrimRhs(check::Builtin b, std::vector<Atom> args, int region = -1) -> Rhs {
  Rhs r = MakeRhs(RhsKind::Prim, std::move(args));
  r.prim = b;
  r.region = region;
  return r;
}
auto BinaryRhs(parse::BinaryOp op, Atom a, Atom b) -> Rhs {
  Rhs r = MakeRhs(RhsKind::Binary, {std::move(a), std::move(b)});
  r.op = op;
  return r;
}
auto Ret(Rhs rhs) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Return;
  e->rhs = std::move(rhs);
  return e;
}
auto Let(int var, Rhs rhs, std::unique_ptr<Expr> next) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Let;
  e->var = var;
  e->rhs = std::move(rhs);
  e->next = std::move(next);
  return e;
}
auto If(Atom c, std::unique_ptr<Expr> t, std::unique_ptr<Expr> f) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::If;
  e->cond = std::move(c);
  e->then_branch = std::move(t);
  e->else_branch = std::move(f);
  return e;
}
auto Join(int label, std::vector<int> params, std::unique_ptr<Expr> body,
          std::unique_ptr<Expr> next) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Join;
  e->label = label;
  e->vars = std::move(params);
  e->join_body = std::move(body);
  e->next = std::move(next);
  return e;
}
auto Jump(int label, std::vector<Atom> args) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Jump;
  e->label = label;
  e->args = std::move(args);
  return e;
}
auto Unit() -> Rhs { return AtomRhs(Atom::UnitValue()); }

// How many rhs of `kind` code reachable from the functions holds (lambda
// bodies through their Closures).
void CountIn(const Program& p, const Expr& e, RhsKind kind, int& n) {
  auto rhs = [&](const Rhs& r) {
    if (r.kind == kind) ++n;
    if (r.body) CountIn(p, *r.body, kind, n);
    if (r.kind == RhsKind::Closure && p.lambdas[r.lambda()].body)
      CountIn(p, *p.lambdas[r.lambda()].body, kind, n);
  };
  switch (e.kind) {
    case ExprKind::Let:
    case ExprKind::Return:
      rhs(e.rhs);
      break;
    case ExprKind::LetRec:
      for (const Rhs& r : e.group) rhs(r);
      break;
    case ExprKind::If:
      CountIn(p, *e.then_branch, kind, n);
      CountIn(p, *e.else_branch, kind, n);
      break;
    case ExprKind::Switch:
      for (const Alt& a : e.alts) CountIn(p, *a.body, kind, n);
      if (e.else_branch) CountIn(p, *e.else_branch, kind, n);
      break;
    case ExprKind::Join:
      CountIn(p, *e.join_body, kind, n);
      break;
    default:
      break;
  }
  if (e.next) CountIn(p, *e.next, kind, n);
}
// In `main` (the last function of each fixture).
auto Count(const Program& p, RhsKind kind) -> int {
  int n = 0;
  CountIn(p, *p.functions.back().body, kind, n);
  return n;
}

}  // namespace

// Runs `f` in a child process and returns its exit status (-1 if it did
// not exit): how a test sees an ATL_CHECK stop the compiler.
template <typename F>
auto ExitStatusOf(F f) -> int {
  const pid_t pid = fork();
  if (pid == 0) {
    (void)!freopen("/dev/null", "w", stderr);
    f();
    std::_Exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("typed Rhs access: each number is read and written only by the kinds that have it") {
  Rhs call = MakeRhs(RhsKind::CallLocal);
  call.SetLambda(4);
  call.SetClosure(7);
  CHECK(call.lambda() == 4);
  CHECK(call.closure() == 7);
  Rhs region = MakeRhs(RhsKind::Region);
  region.SetBoundRegion(3);
  CHECK(region.ancestor() == -1);  // unset: opens a region of its own
  CHECK(region.bound_region() == 3);
  // A lambda index read as a function, a constructor set on a call: an
  // internal error (status 3), never a silently wrong table index.
  CHECK(ExitStatusOf([&] { (void)call.function(); }) == 3);
  CHECK(ExitStatusOf([&] { call.SetConstructor(1); }) == 3);
  CHECK(ExitStatusOf([&] { (void)region.closure(); }) == 3);
  CHECK(ExitStatusOf([&] { (void)call.lambda(); }) == 0);
}

TEST_CASE("a well-formed program verifies") {
  Fixture fx;
  int f = fx.Fn("f", 1, false);
  int x = fx.Var("x");
  fx.p.functions[f].body = Let(x, AtomRhs(V(fx.p.functions[f].params[0])), Ret(AtomRhs(V(x))));
  CHECK(Verify(fx.p) == "");
}

TEST_CASE("verifier: a variable bound twice and a use out of scope") {
  Fixture fx;
  int f = fx.Fn("f", 0, false);
  int x = fx.Var("x");
  int y = fx.Var("y");
  fx.p.functions[f].body = Let(x, Unit(), Let(x, Unit(), Ret(AtomRhs(V(y)))));
  CHECK(Verify(fx.p) ==
        "function `f`: v0 (x) is bound more than once\n"
        "function `f`: operand v1 (y) is not in scope\n");
}

TEST_CASE("verifier: a lambda uses what it does not capture; a capture out of scope") {
  Fixture fx;
  int f = fx.Fn("f", 1, false);
  int a = fx.p.functions[f].params[0];
  int l = fx.Lam("g", 0, false);
  int late = fx.Var("late");
  fx.p.lambdas[l].captures = {late};
  fx.p.lambdas[l].body = Ret(AtomRhs(V(a)));  // `a` is not captured
  int c = fx.Var("c");
  fx.p.functions[f].body = Let(c, Closure(l), Let(late, Unit(), Ret(AtomRhs(V(c)))));
  CHECK(Verify(fx.p) ==
        "function `f`: captured variable v2 (late) is not in scope\n"
        "lambda #0 `g`: operand v0 (f_p0) is not in scope (nor captured)\n");
}

TEST_CASE("verifier: jumps") {
  Fixture fx;
  int f = fx.Fn("f", 0, false);
  fx.p.labels = 2;
  int j = fx.Var("j");
  int b = fx.Var("b");
  // join 0(j) = return j in jump 0(1, 2)
  // join 1() = return () in let b = block { jump 1() } in return b
  Rhs block = MakeRhs(RhsKind::Block);
  block.body = Jump(1, {});
  fx.p.functions[f].body =
      Join(0, {j}, Ret(AtomRhs(V(j))),
           Join(1, {}, Ret(Unit()),
                Let(b, std::move(block),
                    If(Atom::Bool(true), Jump(0, {Atom::Int(1), Atom::Int(2)}), Jump(3, {})))));
  CHECK(Verify(fx.p) ==
        "function `f`: jump to join label 1 leaves a block or region\n"
        "function `f`: jump to join label 0 with 2 arguments, it has 1 parameters\n"
        "function `f`: jump to join label 3, which does not enclose it\n");
}

TEST_CASE("verifier: a jump from a join's own body does not see the join") {
  Fixture fx;
  int f = fx.Fn("f", 0, false);
  fx.p.labels = 1;
  fx.p.functions[f].body = Join(0, {}, Jump(0, {}), Jump(0, {}));
  CHECK(Verify(fx.p) == "function `f`: jump to join label 0, which does not enclose it\n");
}

TEST_CASE("verifier: call arity and regions") {
  Fixture fx;
  int act = fx.Fn("act", 1, true);
  fx.p.functions[act].body = Ret(Unit());
  int pure = fx.Fn("pureFn", 1, false);
  fx.p.functions[pure].body = Ret(Unit());
  int m = fx.Fn("main", 0, true);
  int r = fx.p.functions[m].region;
  int x = fx.Var("x"), y = fx.Var("y"), z = fx.Var("z"), w = fx.Var("w");
  fx.p.functions[m].body =
      Let(x, Call(act, {Atom::Int(1), Atom::Int(2)}, r),
          Let(y, Call(act, {Atom::Int(1)}),
              Let(z, Call(pure, {Atom::Int(1)}, r),
                  Let(w, PrimRhs(check::Builtin::Print, {Atom::Int(1)}),
                      Ret(PrimRhs(check::Builtin::StringLength, {Atom::Int(1)}, r))))));
  CHECK(Verify(fx.p) ==
        "function `main`: call of `act` with 2 arguments, its arity is 1\n"
        "function `main`: call of action `act` passes no region\n"
        "function `main`: call of `pureFn` passes a region, but it is not an action\n"
        "function `main`: call of action primitive `print` passes no region\n"
        "function `main`: call of primitive `stringLength` passes a region, but it is not an "
        "action\n");
}

TEST_CASE("verifier: local calls, blocks and regions need their parts") {
  Fixture fx;
  int l = fx.Lam("k", 1, true);
  fx.p.lambdas[l].body = Ret(Unit());
  int m = fx.Fn("main", 0, true);
  int r = fx.p.functions[m].region;
  int k = fx.Var("k"), a = fx.Var("a"), b = fx.Var("b"), c = fx.Var("c");
  Rhs call = MakeRhs(RhsKind::CallLocal, {});
  call.SetLambda(l);
  call.SetClosure(k);
  Rhs block = MakeRhs(RhsKind::Block);
  Rhs region = MakeRhs(RhsKind::Region);
  region.prim = check::Builtin::RunST;
  region.SetBoundRegion(fx.p.NewRegion());
  fx.p.functions[m].body =
      Let(k, Closure(l),
          Let(a, std::move(call),
              Let(b, std::move(block), Let(c, std::move(region), Ret(AtomRhs(V(r)))))));
  CHECK(Verify(fx.p) ==
        "function `main`: call of lambda #0 `k` with 0 arguments, it has 1 parameters\n"
        "function `main`: call of action lambda #0 `k` passes no region\n"
        "function `main`: block without a body\n"
        "function `main`: region without a body\n"
        "function `main`: operand v3 (r) is a region variable\n");
}

TEST_CASE("optimiser: level 0 does nothing; a dead pure let disappears, an effect stays") {
  Fixture fx;
  int m = fx.Fn("main", 0, true);
  int r = fx.p.functions[m].region;
  int x = fx.Var("x"), y = fx.Var("y"), q = fx.Var("q");
  // let q = 7; let x = q + 1 (dead); let y = q / 0 (dead but may fail); print
  fx.p.functions[m].body = Let(q, AtomRhs(Atom::Int(7)),
                               Let(x, BinaryRhs(parse::BinaryOp::Add, V(q), Atom::Int(1)),
                                   Let(y, BinaryRhs(parse::BinaryOp::Div, V(q), Atom::Int(0)),
                                       Ret(PrimRhs(check::Builtin::Print, {Atom::Int(1)}, r)))));
  CHECK(Optimize(fx.p, 0).dead == 0);
  CHECK(Count(fx.p, RhsKind::Binary) == 2);
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.dead >= 2);  // x, then q (propagated into y)
  CHECK(Count(fx.p, RhsKind::Binary) == 1);
  const Expr& body = *fx.p.functions[m].body;
  REQUIRE(body.kind == ExprKind::Let);
  CHECK(body.var == y);
  CHECK(body.rhs.args[0].kind == AtomKind::Int);  // 7, propagated
}

TEST_CASE("optimiser: a known closure call becomes a direct call, then is inlined") {
  Fixture fx;
  int l = fx.Lam("k", 1, true);
  int m = fx.Fn("main", 1, true);
  int r = fx.p.functions[m].region;
  int n = fx.p.functions[m].params[0];
  // k = \i -> print i   (capturing nothing)
  fx.p.lambdas[l].body =
      Ret(PrimRhs(check::Builtin::Print, {V(fx.p.lambdas[l].params[0])}, fx.p.lambdas[l].region));
  int k = fx.Var("k"), u = fx.Var("u");
  fx.p.functions[m].body = Let(k, Closure(l), Let(u, Apply({V(k), V(n)}, r), Ret(AtomRhs(V(u)))));
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.known_calls == 1);
  CHECK(stats.inlined == 1);
  CHECK(Count(fx.p, RhsKind::Apply) == 0);
  CHECK(Count(fx.p, RhsKind::Closure) == 0);
  const Expr& body = *fx.p.functions[m].body;
  REQUIRE(body.kind == ExprKind::Return);
  CHECK(body.rhs.kind == RhsKind::Prim);
  CHECK(body.rhs.args[0].var == n);
  CHECK(body.rhs.region == r);
}

TEST_CASE("optimiser: a small function is inlined; if on a known Bool picks its branch") {
  Fixture fx;
  // when c act = if c then act else pure ()
  int when = fx.Fn("when", 2, true);
  int c = fx.p.functions[when].params[0], act = fx.p.functions[when].params[1];
  int wr = fx.p.functions[when].region;
  fx.p.functions[when].body = If(V(c), Ret(Apply({V(act)}, wr)),
                                 Ret(PrimRhs(check::Builtin::Pure, {Atom::UnitValue()}, wr)));
  int m = fx.Fn("main", 0, true);
  int r = fx.p.functions[m].region;
  int l = fx.Lam("act", 0, true);
  fx.p.lambdas[l].body =
      Ret(PrimRhs(check::Builtin::Print, {Atom::Int(1)}, fx.p.lambdas[l].region));
  int a = fx.Var("a"), t = fx.Var("t");
  fx.p.functions[m].body = Let(a, Closure(l),
                               Let(t, Call(when, {Atom::Bool(false), V(a)}, r),
                                   Ret(Call(when, {Atom::Bool(true), V(a)}, r))));
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.inlined >= 3);  // when twice, the action once
  CHECK(Count(fx.p, RhsKind::CallGlobal) == 0);
  CHECK(Count(fx.p, RhsKind::Closure) == 0);
  const Expr& body = *fx.p.functions[m].body;
  REQUIRE(body.kind == ExprKind::Return);
  CHECK(body.rhs.kind == RhsKind::Prim);
  CHECK(body.rhs.prim == check::Builtin::Print);
}

TEST_CASE("optimiser: a loop helper with a known lambda becomes a loop with the lambda inlined") {
  Fixture fx;
  // forRange a b f = if a >= b then pure () else do f a; forRange (a + 1) b f
  int fr = fx.Fn("forRange", 3, true);
  const auto ps = fx.p.functions[fr].params;
  int fr_r = fx.p.functions[fr].region;
  int c = fx.Var("c"), u = fx.Var("u"), a1 = fx.Var("a1");
  fx.p.functions[fr].body =
      Let(c, BinaryRhs(parse::BinaryOp::Ge, V(ps[0]), V(ps[1])),
          If(V(c), Ret(PrimRhs(check::Builtin::Pure, {Atom::UnitValue()}, fr_r)),
             Let(u, Apply({V(ps[2]), V(ps[0])}, fr_r),
                 Let(a1, BinaryRhs(parse::BinaryOp::Add, V(ps[0]), Atom::Int(1)),
                     Ret(Call(fr, {V(a1), V(ps[1]), V(ps[2])}, fr_r))))));
  // main n = let k = \i -> print (i + n) in forRange 0 n k
  int m = fx.Fn("main", 1, true);
  int n = fx.p.functions[m].params[0];
  int r = fx.p.functions[m].region;
  int l = fx.Lam("body", 1, true);
  int s = fx.Var("s");
  fx.p.lambdas[l].captures = {n};
  fx.p.lambdas[l].body = Let(s, BinaryRhs(parse::BinaryOp::Add, V(fx.p.lambdas[l].params[0]), V(n)),
                             Ret(PrimRhs(check::Builtin::Print, {V(s)}, fx.p.lambdas[l].region)));
  int k = fx.Var("k");
  fx.p.functions[m].body = Let(k, Closure(l), Ret(Call(fr, {Atom::Int(0), V(n), V(k)}, r)));
  REQUIRE(Verify(fx.p) == "");
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.specialised == 1);
  CHECK(Count(fx.p, RhsKind::Apply) == 0);
  CHECK(Count(fx.p, RhsKind::CallGlobal) == 0);
  CHECK(Count(fx.p, RhsKind::Closure) == 1);  // the loop itself, a constant
  CHECK(stats.lifted == 1);
  // main: let g = Closure{loop} in return CallLocal g [0, n]
  const Expr& body = *fx.p.functions[m].body;
  REQUIRE(body.kind == ExprKind::Let);
  REQUIRE(body.rhs.kind == RhsKind::Closure);
  const Lambda& loop = fx.p.lambdas[body.rhs.lambda()];
  CHECK(loop.params.size() == 2);  // the counter, then `n` (was captured)
  CHECK(loop.captures.empty());
  REQUIRE(body.next->kind == ExprKind::Return);
  CHECK(body.next->rhs.kind == RhsKind::CallLocal);
  // The loop's self call is a direct tail call of itself, the body inline.
  int self_calls = 0, prints = 0;
  CountIn(fx.p, *loop.body, RhsKind::CallLocal, self_calls);
  CountIn(fx.p, *loop.body, RhsKind::Prim, prints);
  CHECK(self_calls == 1);
  CHECK(prints == 1);
}

TEST_CASE("optimiser: copies are renamed, so inlining twice keeps every variable bound once") {
  Fixture fx;
  int g = fx.Fn("g", 1, false);
  int x = fx.Var("x");
  int gl = fx.Lam("inner", 0, false);
  fx.p.lambdas[gl].captures = {x};
  fx.p.lambdas[gl].body = Ret(AtomRhs(V(x)));
  int cl = fx.Var("cl");
  fx.p.labels = 1;
  int jp = fx.Var("jp");
  // g p = join 0(jp) = return jp in let x = p * 2; let cl = closure; jump 0(cl)
  fx.p.functions[g].body =
      Join(0, {jp}, Ret(AtomRhs(V(jp))),
           Let(x, BinaryRhs(parse::BinaryOp::Mul, V(fx.p.functions[g].params[0]), Atom::Int(2)),
               Let(cl, Closure(gl), Jump(0, {V(cl)}))));
  int m = fx.Fn("main", 1, false);
  int a = fx.Var("a"), b = fx.Var("b"), t = fx.Var("t");
  int pm = fx.p.functions[m].params[0];
  Rhs tuple = MakeRhs(RhsKind::Tuple, {V(a), V(b)});
  fx.p.functions[m].body =
      Let(a, Call(g, {V(pm)}),
          Let(b, Call(g, {Atom::Int(3)}), Let(t, std::move(tuple), Ret(AtomRhs(V(t))))));
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.inlined == 2);
  CHECK(Count(fx.p, RhsKind::Closure) == 2);
  CHECK(Count(fx.p, RhsKind::CallGlobal) == 0);
}

TEST_CASE("optimiser: forEach over a list with a capturing lambda is a loop over the cells") {
  Fixture fx;
  // forEach xs f = case xs of [] -> pure (); x :: rest -> do f x; forEach rest f
  int fe = fx.Fn("forEach", 2, true);
  const auto ps = fx.p.functions[fe].params;
  int fr = fx.p.functions[fe].region;
  int x = fx.Var("x"), rest = fx.Var("rest"), u = fx.Var("u");
  auto sw = std::make_unique<Expr>();
  sw->kind = ExprKind::Switch;
  sw->cond = V(ps[0]);
  Rhs head = MakeRhs(RhsKind::Project, {V(ps[0])});
  head.SetPosition(0);
  Rhs tail = MakeRhs(RhsKind::Project, {V(ps[0])});
  tail.SetPosition(1);
  sw->alts.push_back(Alt{kNilAlt, Ret(PrimRhs(check::Builtin::Pure, {Atom::UnitValue()}, fr))});
  sw->alts.push_back(Alt{kConsAlt, Let(x, std::move(head),
                                       Let(rest, std::move(tail),
                                           Let(u, Apply({V(ps[1]), V(x)}, fr),
                                               Ret(Call(fe, {V(rest), V(ps[1])}, fr)))))});
  fx.p.functions[fe].body = std::move(sw);
  // main xs = do acc <- newRef 0; forEach xs (\i -> writeRef acc i); readRef acc
  int m = fx.Fn("main", 1, true);
  int r = fx.p.functions[m].region;
  int l = fx.Lam("lambda", 1, true);
  int acc = fx.Var("acc"), k = fx.Var("k"), done = fx.Var("done");
  fx.p.lambdas[l].captures = {acc};
  fx.p.lambdas[l].body = Ret(PrimRhs(
      check::Builtin::WriteRef, {V(acc), V(fx.p.lambdas[l].params[0])}, fx.p.lambdas[l].region));
  fx.p.functions[m].body = Let(acc, PrimRhs(check::Builtin::NewRef, {Atom::Int(0)}, r),
                               Let(k, Closure(l),
                                   Let(done, Call(fe, {V(fx.p.functions[m].params[0]), V(k)}, r),
                                       Ret(PrimRhs(check::Builtin::ReadRef, {V(acc)}, r)))));
  REQUIRE(Verify(fx.p) == "");
  OptimizeStats stats = Optimize(fx.p, 2);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.specialised == 1);
  CHECK(stats.lifted == 1);
  CHECK(Count(fx.p, RhsKind::Apply) == 0);
  CHECK(Count(fx.p, RhsKind::CallGlobal) == 0);
  CHECK(Count(fx.p, RhsKind::Closure) == 1);
  int writes = 0;
  CountIn(fx.p, *fx.p.functions[m].body, RhsKind::Prim, writes);
  CHECK(writes == 3);  // newRef, writeRef in the loop, readRef (`pure ()` is `()`)
}

TEST_CASE("optimiser: what inlining copies over a whole run is bounded") {
  // main calls a 30-node function 400 times: inlining each call would copy
  // 12,000 nodes, more than the growth factor times the program (about 830
  // nodes) plus the allowance.
  Fixture fx;
  int f = fx.Fn("small", 1, false);
  int m = fx.Fn("main", 0, false);
  std::unique_ptr<Expr> body = Ret(AtomRhs(V(fx.p.functions[f].params[0])));
  for (int i = 0; i < 14; ++i) {
    int v = fx.Var("a");
    body = Let(v, BinaryRhs(parse::BinaryOp::Add, V(fx.p.functions[f].params[0]), Atom::Int(i)),
               std::move(body));
  }
  fx.p.functions[f].body = std::move(body);
  std::unique_ptr<Expr> main_body = Ret(Unit());
  for (int i = 0; i < 400; ++i)
    main_body = Let(fx.Var("r"), Call(f, {Atom::Int(i)}), std::move(main_body));
  fx.p.functions[m].body = std::move(main_body);
  fx.checked.main_index = m;
  REQUIRE(Verify(fx.p) == "");
  OptimizeStats stats = Optimize(fx.p, 2);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.copied <= opt::kGrowthFactor * stats.size_before + opt::kGrowthAllowance);
  CHECK(stats.inlined > 0);
  CHECK(stats.inlined < 400);
  CHECK(Count(fx.p, RhsKind::CallGlobal) == 400 - stats.inlined);
}

TEST_CASE(
    "optimiser: a local recursive function calls itself through its self and captures nothing") {
  Fixture fx;
  int m = fx.Fn("main", 0, false);
  int l = fx.Lam("go", 1, false);
  int go = fx.Var("go"), c = fx.Var("c"), j = fx.Var("j"), res = fx.Var("res");
  int i = fx.p.lambdas[l].params[0];
  fx.p.lambdas[l].captures = {go};
  fx.p.lambdas[l].body = Let(
      c, BinaryRhs(parse::BinaryOp::Eq, V(i), Atom::Int(0)),
      If(V(c), Ret(Unit()),
         Let(j, BinaryRhs(parse::BinaryOp::Sub, V(i), Atom::Int(1)), Ret(Apply({V(go), V(j)})))));
  auto letrec = std::make_unique<Expr>();
  letrec->kind = ExprKind::LetRec;
  letrec->vars = {go};
  letrec->group.push_back(Closure(l));
  letrec->next = Let(res, Apply({V(go), Atom::Int(10)}), Ret(AtomRhs(V(res))));
  fx.p.functions[m].body = std::move(letrec);
  REQUIRE(Verify(fx.p) == "");
  OptimizeStats stats = Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  CHECK(stats.known_calls == 2);
  CHECK(stats.inlined == 0);  // recursive
  CHECK(fx.p.lambdas[l].captures.empty());
  int calls = 0;
  CountIn(fx.p, *fx.p.lambdas[l].body, RhsKind::CallLocal, calls);
  CHECK(calls == 1);
  const Expr* tail = fx.p.lambdas[l].body->next->else_branch->next.get();
  REQUIRE(tail->kind == ExprKind::Return);
  CHECK(tail->rhs.kind == RhsKind::CallLocal);
  CHECK(tail->rhs.closure() == fx.p.lambdas[l].self);
}

TEST_CASE(
    "optimiser: a join jumped to once is inlined; a switch on what an arm already knows folds") {
  Fixture fx;
  int f = fx.Fn("head0", 1, false);
  int xs = fx.p.functions[f].params[0];
  int jh = fx.Var("jh"), h = fx.Var("h");
  fx.p.labels = 1;
  Rhs head = MakeRhs(RhsKind::Project, {V(xs)});
  head.SetPosition(0);
  auto inner = std::make_unique<Expr>();
  inner->kind = ExprKind::Switch;
  inner->cond = V(xs);
  inner->alts.push_back(Alt{kConsAlt, Let(h, std::move(head), Jump(0, {V(h)}))});
  inner->else_branch = std::make_unique<Expr>();
  inner->else_branch->kind = ExprKind::Fail;
  auto outer = std::make_unique<Expr>();
  outer->kind = ExprKind::Switch;
  outer->cond = V(xs);
  outer->alts.push_back(Alt{kNilAlt, Ret(AtomRhs(Atom::Int(0)))});
  outer->else_branch = std::move(inner);
  // join 0(jh) = return jh in switch xs { [] -> 0; _ -> switch xs { :: -> jump 0(xs#0); _ -> fail }
  // }
  fx.p.functions[f].body = Join(0, {jh}, Ret(AtomRhs(V(jh))), std::move(outer));
  REQUIRE(Verify(fx.p) == "");
  Optimize(fx.p, 1);
  CHECK(Verify(fx.p) == "");
  const Expr& body = *fx.p.functions[f].body;
  REQUIRE(body.kind == ExprKind::Switch);
  REQUIRE(body.else_branch != nullptr);
  const Expr& arm = *body.else_branch;  // the cons arm, unswitched: let h = xs#0 in return h
  REQUIRE(arm.kind == ExprKind::Let);
  CHECK(arm.rhs.kind == RhsKind::Project);
  REQUIRE(arm.next->kind == ExprKind::Return);
  CHECK(arm.next->rhs.args[0].var == arm.var);
}
