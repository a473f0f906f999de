// The checker on parsed source: inferred types, effect flags, name
// resolution and the diagnostics it reports (codes and messages).
#include "compiler/check/check.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "compiler/parse/parse.h"

using namespace atl;

namespace {

struct Checked {
  std::unique_ptr<diag::Diagnostics> diags = std::make_unique<diag::Diagnostics>();
  parse::Module module;
  std::unique_ptr<check::CheckedModule> result;

  auto TypeOf(const std::string& name) const -> std::string {
    for (const check::Function& f : result->functions)
      if (f.name == name) return check::ToString(f.type);
    return "<missing>";
  }
  auto Fn(const std::string& name) const -> const check::Function* {
    for (const check::Function& f : result->functions)
      if (f.name == name) return &f;
    return nullptr;
  }
  auto Codes() const -> std::string {
    std::string codes;
    for (const diag::Diagnostic& d : diags->all()) codes += std::string(d.code()) + " ";
    return codes;
  }
  auto Messages() const -> std::string {
    std::string text;
    for (const diag::Diagnostic& d : diags->all()) text += d.message + "\n";
    return text;
  }
};

auto CheckSource(const std::string& text) -> Checked {
  Checked c;
  auto file = std::make_shared<source::SourceFile>("test.atl", text);
  c.module = parse::Parse(file, *c.diags);
  REQUIRE_MESSAGE(!c.diags->has_errors(), c.diags->RenderAll());
  c.result = check::Check(c.module, *c.diags);
  return c;
}

}  // namespace

TEST_CASE("types of unannotated definitions are inferred") {
  Checked c = CheckSource(
      "double x = x + x\n"
      "greet name = \"hi \" ++ name\n"
      "positive n = n > 0\n"
      "both a b = a && b\n"
      "answer = double 21\n");
  CHECK(c.Codes() == "");
  CHECK(c.TypeOf("double") == "Int -> Int");
  CHECK(c.TypeOf("greet") == "String -> String");
  CHECK(c.TypeOf("positive") == "Int -> Bool");
  CHECK(c.TypeOf("both") == "Bool -> Bool -> Bool");
  CHECK(c.TypeOf("answer") == "Int");
}

TEST_CASE("actions get the effect flag and a region-polymorphic type") {
  Checked c = CheckSource(
      "say s = print s\n"
      "main : Effect s Nondeterministic ()\n"
      "main = do\n  say \"a\"\n  x <- pure 3\n  print (show x)\n"
      "pureShow n = show n\n");
  CHECK(c.Codes() == "");
  REQUIRE(c.Fn("say") != nullptr);
  CHECK(c.Fn("say")->effect);
  CHECK(c.Fn("say")->arity == 1);
  CHECK(c.TypeOf("say") == "String -> Effect s Nondeterministic ()");
  CHECK(c.Fn("main")->effect);
  CHECK(c.result->main_index >= 0);
  CHECK_FALSE(c.Fn("pureShow")->effect);
}

TEST_CASE("signatures with type variables are polymorphic at each use") {
  Checked c = CheckSource(
      "ident : a -> a\n"
      "ident x = x\n"
      "n = ident 1 + 1\n"
      "s = ident \"x\" ++ \"y\"\n");
  CHECK(c.Codes() == "");
  CHECK(c.TypeOf("n") == "Int");
}

TEST_CASE("unannotated definitions are generalised after their group") {
  Checked c = CheckSource(
      "n = idm 1 + 1\n"
      "idm x = x\n"
      "s = idm \"x\" ++ \"y\"\n"
      "konst a b = a\n");
  CHECK(c.Codes() == "");
  CHECK(c.TypeOf("idm") == "a -> a");
  CHECK(c.TypeOf("konst") == "a -> b -> a");
  // Inside one recursive group a definition is still monomorphic.
  Checked group = CheckSource(
      "f x = g x\n"
      "g y = if True then y else f y\n"
      "use = f 1 + 1\n"
      "use2 = f \"a\" ++ \"b\"\n");
  CHECK(group.Codes() == "");
  CHECK(group.TypeOf("f") == "a -> a");
}

TEST_CASE("mismatches show expected and actual types") {
  Checked c = CheckSource("f : Int -> String\nf n = n + 1\n");
  CHECK(c.Codes() == "E0301 ");
  CHECK(c.Messages().find("expected `String`, found `Int`") != std::string::npos);
}

TEST_CASE("mismatches say where the expected type comes from") {
  // An argument against a signature's parameter: a note at the signature.
  Checked arg = CheckSource(
      "addOne : Int -> Int\naddOne x = x + 1\n"
      "bad = addOne \"one\"\n");
  CHECK(arg.Codes() == "E0301 ");
  std::string text = arg.diags->RenderAll();
  CHECK(text.find("test.atl:3:14: error[E0301]: type mismatch: expected `Int`, found `String`") !=
        std::string::npos);
  CHECK(text.find("test.atl:1:1: note: expected because of this signature of `addOne`: its first "
                  "parameter is "
                  "`Int`") != std::string::npos);
  // Also through a branch of the argument, and for a body against its signature.
  Checked branch = CheckSource(
      "addOne : Int -> Int\naddOne x = x + 1\n"
      "bad b = addOne (if b then 1 else \"two\")\n"
      "name : Int -> String\nname n = if n == 0 then \"zero\" else n\n");
  CHECK(branch.Codes() == "E0301 E0301 ");
  text = branch.diags->RenderAll();
  CHECK(text.find("test.atl:1:1: note: expected because of this signature of `addOne`") !=
        std::string::npos);
  CHECK(text.find("test.atl:4:1: note: expected because of this signature of `name`") !=
        std::string::npos);
  // A signature's type variable: the note says the signature only gave `a`.
  Checked poly = CheckSource(
      "apply : (a -> b) -> a -> b\napply f x = f x\n"
      "inc : Int -> Int\ninc x = x + 1\n"
      "bad = apply inc \"x\"\n");
  CHECK(poly.diags->RenderAll().find("gives its second parameter the type `a`") !=
        std::string::npos);
  // Inferred definitions (once generalised), primitives, constructors, annotations.
  Checked other = CheckSource(
      "double x = x + x\ndata Shape = Square Int\n"
      "a = double \"x\"\nb = Square \"s\"\nc = (\"c\" : Int)\nd = not 1\n");
  CHECK(other.Codes() == "E0301 E0301 E0301 E0301 ");
  text = other.diags->RenderAll();
  CHECK(text.find("test.atl:1:1: note: expected because the first parameter of `double` is `Int`, "
                  "as inferred "
                  "from its definition here") != std::string::npos);
  CHECK(text.find("note: expected because the constructor `Square` has the type `Int -> Shape`") !=
        std::string::npos);
  CHECK(text.find("test.atl:5:12: note: expected because of this annotation") != std::string::npos);
  CHECK(text.find("note: expected because `not` has the type `Bool -> Bool`") != std::string::npos);
  // A mismatch inside an argument is not blamed on the outer signature.
  Checked inner = CheckSource(
      "addOne : Int -> Int\naddOne x = x + 1\n"
      "bad = addOne (1 + \"x\")\n");
  CHECK(inner.Codes() == "E0301 ");
  CHECK(inner.diags->RenderAll().find("signature of `addOne`") == std::string::npos);
  // A `do` body against a non-Effect signature: the signature explains the
  // block's error, not the last statement's (whose expected Effect comes
  // from the block itself).
  Checked action =
      CheckSource("double : Int -> Int\ndouble x = do\n  print \"doubling\"\n  x * 2\n");
  CHECK(action.Codes() == "E0301 E0301 ");
  text = action.diags->RenderAll();
  const size_t first_note = text.find("note: expected because of this signature of `double`");
  CHECK(first_note != std::string::npos);
  CHECK(first_note == text.rfind("note: expected because of this signature of `double`"));
  // An action where a plain value is wanted suggests runST or `<-`.
  CHECK(text.find("note: this is an action, not its result: run it with `runST`") !=
        std::string::npos);
  Checked value = CheckSource("n : Int\nn = 1 + \"x\"\n");
  CHECK(value.diags->RenderAll().find("this is an action") == std::string::npos);
}

TEST_CASE("occurs check and rigid variables") {
  CHECK(CheckSource("loop f = f f\n").Codes() == "E0303 ");
  Checked rigid = CheckSource("swap : a -> b\nswap x = x\n");
  CHECK(rigid.Codes() == "E0304 ");
}

TEST_CASE("kinds of Effect's arguments are checked") {
  CHECK(CheckSource("m : Effect Int Nondeterministic ()\nm = pure ()\n").Codes() == "E0306 ");
  CHECK(CheckSource("m : Effect s Int ()\nm = pure ()\n").Codes() == "E0306 ");
  CHECK(CheckSource("m : Effect s Nondeterministic\nm = pure ()\n").Codes() == "E0306 ");
}

TEST_CASE("unknown names and types, duplicates, orphan signatures") {
  CHECK(CheckSource("x = y\n").Codes() == "E0201 ");
  CHECK(CheckSource("x : Widget\nx = 1\n").Codes() == "E0202 ");
  CHECK(CheckSource("x = 1\nx = 2\n").Codes() == "E0203 ");
  CHECK(CheckSource("x : Int\n").Codes() == "E0204 ");
}

TEST_CASE("a value that needs itself names the cycle in order, at its first value") {
  Checked c = CheckSource(
      "helper k = k + late\n"
      "early = helper 1\n"
      "late = early * 2\n"
      "loop n = loop n\n"
      "fine = loop 1\n");
  CHECK(c.Codes() == "E0212 ");
  CHECK(c.Messages() ==
        "the value `early` needs itself to be computed: `early` calls `helper`, `helper` uses "
        "`late`, `late` uses `early`\n");
  REQUIRE(c.diags->all().size() == 1);
  CHECK(c.diags->all()[0].location.start.line == 2);
  CHECK(c.diags->all()[0].notes.size() == 2);
}

TEST_CASE("an unknown name, constructor or type suggests a close one in scope") {
  // Top level, one deletion; the first line keeps its format.
  std::string text = CheckSource("total = 5\nmain = print (show (totl + 1))\n").diags->RenderAll();
  CHECK(text.find("error[E0201]: unknown name `totl`\n") != std::string::npos);
  CHECK(text.find("help: did you mean `total`?") != std::string::npos);
  // A primitive, transposition.
  text = CheckSource("n = stringLenght \"ab\"\n").diags->RenderAll();
  CHECK(text.find("did you mean `stringLength`?") != std::string::npos);
  // Ties go to the innermost scope: the local `totel` before the top-level `total`.
  text = CheckSource("total = 5\nf x = let totel = x in totl\n").diags->RenderAll();
  CHECK(text.find("did you mean `totel`?") != std::string::npos);
  // Nothing close, or a name too short to guess from: no note.
  CHECK(CheckSource("x = zzzzq\n").diags->RenderAll().find("did you mean") == std::string::npos);
  CHECK(CheckSource("ab = 1\nx = q\n").diags->RenderAll().find("did you mean") ==
        std::string::npos);
  // Short names allow one edit only.
  CHECK(CheckSource("abcd = 1\nx = bacx\n").diags->RenderAll().find("did you mean") ==
        std::string::npos);
  // Constructors and types.
  text = CheckSource("data Shape = Circle Int\nx = Circel 1\n").diags->RenderAll();
  CHECK(text.find("error[E0205]: unknown constructor `Circel`") != std::string::npos);
  CHECK(text.find("did you mean `Circle`?") != std::string::npos);
  text = CheckSource("x : Strng\nx = \"a\"\n").diags->RenderAll();
  CHECK(text.find("error[E0202]: unknown type `Strng`") != std::string::npos);
  CHECK(text.find("did you mean `String`?") != std::string::npos);
}

TEST_CASE("local variables resolve to the innermost binding") {
  Checked c = CheckSource("f x = let y = x + 1 in case y of\n  0 -> x\n  z -> z + y\n");
  CHECK(c.Codes() == "");
  CHECK(c.result->local_count == 3);  // x, y, z
  int locals = 0;
  int globals = 0;
  for (const check::Ref& r : c.result->refs) {
    locals += r.kind == check::RefKind::Local;
    globals += r.kind == check::RefKind::Global;
  }
  CHECK(locals == 5);
  CHECK(globals == 0);
}

// The gate runs only for `atoll build`: Check accepts these programs, and
// GateForLowering then reports what main reaches that cannot be compiled.
auto GateCodes(const std::string& text) -> std::string {
  Checked c = CheckSource(text);
  if (c.diags->has_errors()) return "check failed: " + c.Codes();
  check::GateForLowering(*c.result, *c.diags);
  std::string codes;
  for (const diag::Diagnostic& d : c.diags->all())
    if (d.code()[0] == 'E') codes += std::string(d.code()) + " ";
  return codes;
}

TEST_CASE("the gate reports what the back end cannot compile yet, and only in builds") {
  const std::string main = "main : Effect s Nondeterministic ()\nmain = print (show (f 1))\n";
  CHECK(CheckSource("f x = let y = y + x in y\n").Codes() == "");
  CHECK(GateCodes("f x = let y = y + x in y\n" + main) == "E0901 ");
  // Local functions are closures: they may be recursive, and lambdas take
  // refutable patterns (a mismatch is a runtime error).
  CHECK(GateCodes("f x = let g y = g y in g x\n" + main) == "");
  CHECK(GateCodes("f x = let g y = h y\n          h y = g y\n      in g x\n" + main) == "");
  CHECK(GateCodes("f x = let a = g x\n          g y = y\n      in a\n" + main) == "E0901 ");
  CHECK(GateCodes("f = \\1 -> 2\n" + main) == "");
  CHECK(GateCodes("f x = { a = x }\n" + main) == "");  // records are lowered
  CHECK(GateCodes("f x = (+)\n" + main) == "");        // so are operators as values
  CHECK(GateCodes("f x = ($)\n" + main) == "");
  CHECK(GateCodes("f x = runST (newRef x)\n" + main) == "check failed: E0401 ");
  CHECK(GateCodes("f x = runST (do\n  r <- newRef x\n  readRef r)\n" + main) == "");
  CHECK(GateCodes("f x = parST (pure x) (pure 2)\n" + main) == "");  // parST is compiled
  CHECK(GateCodes("f x = runST (do\n  m <- newMVar x\n  pure x)\n" + main) ==
        "check failed: E0501 ");
  CHECK(GateCodes("g a b c d e h i j k = a\nv = g\nf x = v\n" + main) == "E0901 ");
  // Only what main reaches is gated.
  CHECK(GateCodes("unused = 1.5\nf x = x\n" + main) == "");
  // Function values, partial application and actions as values are fine.
  CHECK(GateCodes("add a b = a + b\ninc = add 1\nf x = inc x\n" + main) == "");
  CHECK(GateCodes("main = do\n  let a = print \"x\"\n  a\n") == "");
}

TEST_CASE("lambdas and local functions are inferred") {
  Checked c = CheckSource(
      "apply f x = f x\n"
      "inc = \\n -> n + 1\n"
      "scale k = let times x = x * k in times\n"
      "later = \\s -> print s\n");
  CHECK(c.Codes() == "");
  CHECK(c.TypeOf("apply") == "(a -> b) -> a -> b");
  CHECK(c.TypeOf("inc") == "Int -> Int");
  CHECK(c.TypeOf("scale") == "Int -> Int -> Int");
  CHECK(c.TypeOf("later") == "String -> Effect s Nondeterministic ()");
  CHECK_FALSE(c.Fn("later")->effect);  // arity 0: its value is a function
}

TEST_CASE("lists and tuples are inferred") {
  Checked c = CheckSource(
      "len [] = 0\nlen (_ :: xs) = 1 + len xs\n"
      "pairs = [(1, \"a\"), (2, \"b\")]\n"
      "firstTwo (a :: b :: _) = (a, b)\nfirstTwo _ = (0, 0)\n");
  CHECK(c.Codes() == "");
  CHECK(c.TypeOf("len") == "List a -> Int");
  CHECK(c.TypeOf("pairs") == "List (Int, String)");
  CHECK(c.TypeOf("firstTwo") == "List Int -> (Int, Int)");
  CHECK(CheckSource("bad = [1, \"a\"]\n").Codes() == "E0301 ");
  CHECK(CheckSource("bad = 1 :: 2\n").Codes() == "E0301 ");
}

TEST_CASE("non-exhaustive clauses and cases are warnings") {
  Checked partial = CheckSource("f 0 = 1\nf 1 = 2\ng b = case b of\n  True -> 1\n");
  CHECK(partial.Codes() == "W0301 W0301 ");
  CHECK_FALSE(partial.diags->has_errors());
  Checked total = CheckSource(
      "f 0 = 1\nf n = n\n"
      "g b = case b of\n  True -> 1\n  False -> 0\n"
      "h True = 1\nh False = 0\n"
      "k x = case x of\n  0 -> 1\n  _ -> 2\n"
      "len [] = 0\nlen (_ :: xs) = 1 + len xs\n");
  CHECK(total.Codes() == "");
  CHECK(CheckSource("hd (x :: _) = x\n").Codes() == "W0301 ");
}

TEST_CASE("put sites carry their send kind and expression id for the lowering") {
  Checked c = CheckSource(
      "main : Effect s Nondeterministic ()\n"
      "main = do\n"
      "  m <- newEmptyMVar\n"
      "  j <- newEmptyMVar\n"
      "  forkIO $ do\n"
      "    x <- takeMVar m\n"
      "    putMVar m (x + 1)\n"
      "  putMVar j (Just [1, -2])\n"
      "  y <- takeMVar m\n"
      "  putMVar m (y * 2)\n"
      "  pure ()\n");
  CHECK(c.Codes() == "");
  const auto& sites = c.result->put_sites;
  REQUIRE(sites.size() == 3);
  CHECK(sites[0].kind == check::SendKind::Donate);
  CHECK(sites[1].kind == check::SendKind::Static);
  CHECK(sites[2].kind == check::SendKind::Copy);
  for (const check::PutSite& s : sites) {
    CHECK(s.expr_id == s.call->id);
    CHECK(c.result->expr_types[s.expr_id] != nullptr);
  }
  CHECK(check::IsStaticValue(*c.result, check::FlattenApp(sites[1].call).args[1]));
}
