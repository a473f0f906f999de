// Types as terms: printing, unification, occurs check, rigid variables,
// kinds, levels and instantiate/generalize.
#include <doctest/doctest.h>

#include "compiler/check/type.h"
#include "compiler/check/unify.h"

using namespace atl::check;

TEST_CASE("printing uses source syntax with minimal parentheses") {
  TypeArena a;
  Type* s = a.NewRigid("s", Kind::Region);
  Type* print = a.Fun(a.String(), a.Effect(s, a.Con("Nondeterministic"), a.Unit()));
  CHECK(ToString(print) == "String -> Effect s Nondeterministic ()");
  Type* higher = a.Fun(a.Fun(a.Int(), a.Int()), a.Fun(a.Int(), a.Bool()));
  CHECK(ToString(higher) == "(Int -> Int) -> Int -> Bool");
  Type* nested = a.Con("List", {a.Con("Maybe", {a.Int()})});
  CHECK(ToString(nested) == "List (Maybe Int)");
  Type* pair = a.Tuple({a.Int(), a.Tuple({a.String(), a.Fun(a.Int(), a.Bool())})});
  CHECK(ToString(pair) == "(Int, (String, Int -> Bool))");
  CHECK(ToString(a.Con("List", {pair})) == "List (Int, (String, Int -> Bool))");
  TypePrinter p;
  Type* v1 = a.NewVar(1);
  Type* v2 = a.NewVar(1);
  CHECK(p.Print(a.Fun(v2, v1)) == "a -> b");
  CHECK(p.Print(v2) == "a");  // same printer, same name
}

TEST_CASE("flexible variables are named by kind, avoiding the rigid names") {
  TypeArena a;
  Type* s = a.NewRigid("s", Kind::Region);
  Type* x = a.NewRigid("a");
  Type* r = a.NewVar(1, Kind::Region);
  Type* d = a.NewVar(1, Kind::Determinism);
  Type* v = a.NewVar(1);
  TypePrinter p;
  // `s` and `a` are the signature's: the flexible region and type variable
  // take the next letters, so no two variables of a message share a name.
  CHECK(p.Print(a.Fun(x, a.Effect(r, d, a.Con("Ref", {s, v})))) == "a -> Effect t d (Ref s b)");
  // A name reserved before printing is not given either.
  TypePrinter q;
  q.Reserve(a.Con("Ref", {s, a.Int()}));
  CHECK(q.Print(a.Con("Ref", {r, a.Int()})) == "Ref t Int");
}

TEST_CASE("unification binds variables through structure") {
  TypeArena a;
  Type* x = a.NewVar(1);
  Type* y = a.NewVar(1);
  REQUIRE(Unify(a.Fun(x, a.Int()), a.Fun(a.String(), y)));
  CHECK(ToString(x) == "String");
  CHECK(ToString(y) == "Int");
  // Chains of variables resolve to one representative.
  Type* z = a.NewVar(1);
  Type* w = a.NewVar(1);
  REQUIRE(Unify(z, w));
  REQUIRE(Unify(w, a.Bool()));
  CHECK(IsCon(z, "Bool"));
}

TEST_CASE("mismatch reports the innermost disagreeing pair") {
  TypeArena a;
  UnifyResult r =
      Unify(a.Fun(a.Int(), a.Con("List", {a.Int()})), a.Fun(a.Int(), a.Con("List", {a.String()})));
  REQUIRE(r.status == UnifyStatus::Mismatch);
  CHECK(ToString(r.left) == "Int");
  CHECK(ToString(r.right) == "String");
  CHECK(Unify(a.Int(), a.Fun(a.Int(), a.Int())).status == UnifyStatus::Mismatch);
  CHECK(Unify(a.Con("List", {a.Int()}), a.Con("List", {})).status == UnifyStatus::Mismatch);
}

TEST_CASE("occurs check refuses infinite types") {
  TypeArena a;
  Type* x = a.NewVar(1);
  CHECK(Unify(x, a.Fun(x, a.Int())).status == UnifyStatus::Occurs);
  CHECK(Resolve(x) == x);  // left unbound
}

TEST_CASE("rigid variables unify only with themselves and flexible ones") {
  TypeArena a;
  Type* s = a.NewRigid("a");
  Type* t = a.NewRigid("b");
  CHECK(Unify(s, s));
  CHECK(Unify(s, t).status == UnifyStatus::RigidMismatch);
  CHECK(Unify(s, a.Int()).status == UnifyStatus::RigidMismatch);
  Type* x = a.NewVar(1);
  CHECK(Unify(x, s));
  CHECK(Resolve(x) == s);
}

TEST_CASE("kinds keep regions, determinisms and types apart") {
  TypeArena a;
  Type* r = a.NewVar(1, Kind::Region);
  CHECK(Unify(r, a.Int()).status == UnifyStatus::KindMismatch);
  Type* d = a.NewVar(1, Kind::Determinism);
  CHECK(Unify(d, a.Con("Nondeterministic")));
  Type* plain = a.NewVar(1);
  CHECK(Unify(plain, a.Con("Deterministic")).status == UnifyStatus::KindMismatch);
}

TEST_CASE("instantiate gives fresh variables; generalize respects levels") {
  TypeArena a;
  Type* v = a.NewVar(2);
  Type* outer = a.NewVar(1);
  Scheme id = Generalize(a.Fun(v, a.Fun(outer, v)), 1);
  REQUIRE(id.vars.size() == 1);
  CHECK(id.vars[0] == v);
  Type* i1 = Instantiate(a, id, 1);
  Type* i2 = Instantiate(a, id, 1);
  REQUIRE(Unify(SplitFun(i1).first[0], a.Int()));
  REQUIRE(Unify(SplitFun(i2).first[0], a.String()));
  CHECK(ToString(i1) == "Int -> a -> Int");
  CHECK(ToString(SplitFun(i2).second) == "String");
  // Binding a deep variable into an outer one's type lowers its level, so it
  // is no longer generalised.
  Type* deep = a.NewVar(3);
  REQUIRE(Unify(outer, a.Fun(deep, a.Int())));
  CHECK(Generalize(deep, 1).vars.empty());
}

TEST_CASE("SplitFun stops after max_params arrows") {
  TypeArena a;
  Type* f = a.Fun({a.Int(), a.Bool(), a.String()}, a.Unit());
  auto [all, res] = SplitFun(f);
  CHECK(all.size() == 3);
  CHECK(ToString(res) == "()");
  auto [two, rest] = SplitFun(f, 2);
  CHECK(two.size() == 2);
  CHECK(ToString(rest) == "String -> ()");
}
