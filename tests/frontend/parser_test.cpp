// Parser: every construct of docs/language.md sections 1-5 (checked through the stable
// S-expression dump), precedence, recovery and the nesting limit.
#include <doctest/doctest.h>

#include <string>

#include "compiler/parse/dump.h"
#include "compiler/parse/parse.h"
#include "tests/frontend/test_util.h"

namespace atl {
namespace {

// Dump of a whole module, requiring no diagnostics.
auto DumpOk(std::string text) -> std::string {
  diag::Diagnostics diags;
  parse::Module module = parse::Parse(test::File(std::move(text)), diags);
  INFO(diags.RenderAll());
  CHECK(diags.error_count() == 0);
  return parse::DumpModule(module);
}

// Dump of the body of `x = <expr>`.
auto Expr(const std::string& text) -> std::string {
  diag::Diagnostics diags;
  parse::Module module = parse::Parse(test::File("x = " + text), diags);
  INFO(diags.RenderAll());
  CHECK(diags.error_count() == 0);
  REQUIRE(module.decls.size() == 1);
  const auto* value = parse::Cast<parse::ValueDecl>(module.decls[0]);
  return parse::DumpExpr(value->clauses[0].body);
}

auto CodesOf(std::string text) -> std::multiset<std::string> {
  diag::Diagnostics diags;
  parse::Parse(test::File(std::move(text)), diags);
  return test::Codes(diags);
}

TEST_CASE("precedence follows docs/language.md section 3, tightest first") {
  CHECK(Expr("f x.a y") == "(app f (. x a) y)");
  CHECK(Expr("a + b * c") == "(+ a (* b c))");
  CHECK(Expr("a - b - c") == "(- (- a b) c)");
  CHECK(Expr("a *. b +. c /. d") == "(+. (*. a b) (/. c d))");
  CHECK(Expr("x :: y :: zs ++ ws") == "(:: x (:: y (++ zs ws)))");
  CHECK(Expr("a + 1 :: xs") == "(:: (+ a 1) xs)");
  CHECK(Expr("a :: b == c") == "(== (:: a b) c)");
  CHECK(Expr("a == b && c /= d || e") == "(|| (&& (== a b) (/= c d)) e)");
  CHECK(Expr("a >>= f >> g") == "(>> (>>= a f) g)");
  CHECK(Expr("f $ g $ h x") == "($ f ($ g (app h x)))");
  CHECK(Expr("m >>= k $ z") == "($ (>>= m k) z)");
  CHECK(Expr("a % b / c") == "(/ (% a b) c)");
}

TEST_CASE("prefix minus") {
  CHECK(Expr("-x") == "(neg x)");
  CHECK(Expr("- f x") == "(neg (app f x))");
  CHECK(Expr("a - -1") == "(- a (neg 1))");
  CHECK(Expr("-a * b") == "(* (neg a) b)");
  CHECK(Expr("(-)") == "(op -)");
}

TEST_CASE("atoms: literals, unit, tuples, lists, operators as values") {
  CHECK(Expr("(1, 'c', \"s\", 1.5)") == "(tuple 1 'c' \"s\" 1.5f)");
  CHECK(Expr("()") == "()");
  CHECK(Expr("[]") == "(list)");
  CHECK(Expr("[1, 2, 3]") == "(list 1 2 3)");
  CHECK(Expr("(++)") == "(op ++)");
  CHECK(Expr("((a))") == "a");
  CHECK(Expr("M.f M.C") == "(app M.f M.C)");
}

TEST_CASE("records: literal, access, update, record argument") {
  CHECK(Expr("{ f = 1, g = x }") == "(record (f 1) (g x))");
  CHECK(Expr("{}") == "(record)");
  CHECK(Expr("r.f.g") == "(. (. r f) g)");
  CHECK(Expr("{ r | f = 1 }") == "(update r (f 1))");
  CHECK(Expr("putMVar cmd { request = q, response = resp }") ==
        "(app putMVar cmd (record (request q) (response resp)))");
  CHECK(Expr("{ request = q\n  , response = r\n  }") == "(record (request q) (response r))");
}

TEST_CASE("lambda, let, if, case, annotation") {
  CHECK(Expr("\\x y -> x") == "(lambda (x y) x)");
  CHECK(Expr("\\(a, b) _ -> a + b") == "(lambda ((tuple a b) _) (+ a b))");
  CHECK(Expr("let y = 1 in y") == "(let ((fun y (clause y () 1))) y)");
  CHECK(Expr("let f a = a\n        g = 2\n  in f g") ==
        "(let ((fun f (clause f (a) a)) (fun g (clause g () 2))) (app f g))");
  CHECK(Expr("if a then b else c") == "(if a b c)");
  CHECK(Expr("case m of\n  Just (x :: _) -> x\n  _ -> 0") ==
        "(case m (alt (Just (:: x _)) x) (alt _ 0))");
  CHECK(Expr("(e : Int)") == "(: e Int)");
  CHECK(Expr("(e : List a, 2)") == "(tuple (: e (List a)) 2)");
  CHECK(Expr("f \\x -> x") == "(app f (lambda (x) x))");
}

TEST_CASE("do blocks: bind, let, expression statements") {
  CHECK(Expr("do\n  r <- newRef 0\n  let y = 1\n  (a, b) <- pure (1, 2)\n  writeRef r y") ==
        "(do (<- r (app newRef 0)) (let ((fun y (clause y () 1)))) "
        "(<- (tuple a b) (app pure (tuple 1 2))) (app writeRef r y))");
  CHECK(Expr("do { a; b }") == "(do a b)");
  CHECK(Expr("runST $ do\n  pure 1") == "($ runST (do (app pure 1)))");
  CHECK(Expr("do\n  if c\n  then a\n  else b") == "(do (if c a b))");
}

TEST_CASE("patterns") {
  CHECK(DumpOk("f (x :: xs) [] [a, b] (Just _) (1, -2) () 'c' \"s\" { a = p, b } = 0") ==
        "(module -)\n(fun f (clause f ((:: x xs) (list) (list a b) (Just _) (tuple 1 -2) () 'c' "
        "\"s\" (record (a p) (b b))) 0))\n");
  CHECK(Expr("\\(x : Int) -> x") == "(lambda ((: x Int)) x)");
}

TEST_CASE("declarations: module, imports, data, type, signatures, clauses") {
  std::string text =
      "module Main where\n"
      "import Chan\n"
      "data Maybe a = Nothing | Just a\n"
      "type Pair a b = (a, b)\n"
      "type Command =\n  { request : Int\n  , response : MVar String\n  }\n"
      "length : List a -> Int\n"
      "length Nil = 0\n"
      "length (x :: xs) = 1 + length xs\n"
      "main : Effect s Nondeterministic ()\n"
      "main = print \"hello\"\n";
  CHECK(DumpOk(text) ==
        "(module Main)\n"
        "(import Chan)\n"
        "(data Maybe (a) (Nothing) (Just a))\n"
        "(type Pair (a b) (tuple a b))\n"
        "(type Command () (record (request Int) (response (MVar String))))\n"
        "(sig length (-> (List a) Int))\n"
        "(fun length (clause length (Nil) 0) (clause length ((:: x xs)) (+ 1 (app length xs))))\n"
        "(sig main (Effect s Nondeterministic ()))\n"
        "(fun main (clause main () (app print \"hello\")))\n");
}

TEST_CASE("types: functions, forall with region bounds, records") {
  CHECK(DumpOk("runIO : (forall (s | t <= s). Effect s Nondeterministic a) -> Effect t d a") ==
        "(module -)\n(sig runIO (-> (forall (s) ((<= t s)) (Effect s Nondeterministic a)) "
        "(Effect t d a)))\n");
  CHECK(DumpOk("f : forall t (s | t <= s, u <= s). a -> b -> { x : Int }") ==
        "(module -)\n(sig f (forall (t s) ((<= t s) (<= u s)) (-> a (-> b (record (x Int))))))\n");
}

TEST_CASE("adjacent clauses group; separated ones do not") {
  diag::Diagnostics diags;
  parse::Module m = parse::Parse(test::File("f 0 = 1\nf n = n\ng = 2\nf x = 3"), diags);
  REQUIRE(m.decls.size() == 3);
  CHECK(parse::Cast<parse::ValueDecl>(m.decls[0])->clauses.size() == 2);
  CHECK(parse::Cast<parse::ValueDecl>(m.decls[2])->clauses.size() == 1);
}

TEST_CASE("spans and ids") {
  diag::Diagnostics diags;
  auto file = test::File("x = f (a + b)");
  parse::Module m = parse::Parse(file, diags);
  const auto* body = parse::Cast<parse::ValueDecl>(m.decls[0])->clauses[0].body;
  CHECK(file->Slice(body->span) == "f (a + b)");
  const auto* app = parse::Cast<parse::AppExpr>(body);
  CHECK(file->Slice(app->args[0]->span) == "a + b");
  CHECK(m.expr_count == 5);  // f a b (+) (app)
  CHECK(body->id < m.expr_count);
}

TEST_CASE("several syntax errors are reported in one run") {
  std::string text =
      "f x = x +\n"
      "g = 1\n"
      "h = (1, )\n"
      "k = 2\n"
      "data = 3\n"
      "ok = 4\n";
  diag::Diagnostics diags;
  parse::Module m = parse::Parse(test::File(text), diags);
  INFO(diags.RenderAll());
  CHECK(diags.error_count() == 3);
  std::vector<uint32_t> lines;
  for (const auto& d : diags.all()) lines.push_back(d.location.start.line);
  CHECK(lines == std::vector<uint32_t>{1, 3, 5});
  // The good declarations around the errors survive.
  bool has_ok = false;
  for (const parse::Decl* d : m.decls) {
    if (const auto* v = parse::DynCast<parse::ValueDecl>(d))
      has_ok = has_ok || v->name.text == "ok";
  }
  CHECK(has_ok);
}

TEST_CASE("specific syntax errors") {
  CHECK(CodesOf("main = do\nx = 1") == std::multiset<std::string>{"E0104"});
  CHECK(CodesOf("main = do\n  x <- a") == std::multiset<std::string>{"E0105"});
  CHECK(CodesOf("x = a < b < c") == std::multiset<std::string>{"E0101"});
  CHECK(CodesOf("f (x + 1) = 2") == std::multiset<std::string>{"E0101"});
  CHECK(CodesOf("x = 1\nimport M") == std::multiset<std::string>{"E0109"});
  CHECK(CodesOf("x = \\ -> 1") == std::multiset<std::string>{"E0106"});
  CHECK(CodesOf("x = if a then b") == std::multiset<std::string>{"E0101"});
  CHECK(CodesOf("-> = 1") == std::multiset<std::string>{"E0108"});
  CHECK(CodesOf("x = f . g") == std::multiset<std::string>{"E0101"});
  // Habits from Haskell get a targeted message.
  diag::Diagnostics diags;
  parse::Parse(test::File("f :: Int\nf = 1"), diags);
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].message.find("one colon") != std::string::npos);
  diag::Diagnostics diags2;
  parse::Parse(test::File("f = y\n  where y = 1"), diags2);
  REQUIRE(diags2.all().size() == 1);
  CHECK(diags2.all()[0].message.find("let ... in") != std::string::npos);
  // `name = expr` as a do statement: one error, at the `=`, with both fixes.
  diag::Diagnostics diags3;
  parse::Parse(test::File("main = do\n  line = getLine\n  print line\n"), diags3);
  REQUIRE(diags3.all().size() == 1);
  CHECK(test::Codes(diags3) == std::multiset<std::string>{"E0101"});
  CHECK(diags3.all()[0].message ==
        "`=` does not bind in a do block: write `line <- getLine` to run an action, or `let line = "
        "...` for a value");
  CHECK(diags3.all()[0].location.span.begin == 17);
  diag::Diagnostics diags4;
  parse::Parse(test::File("main = do\n  f x = x + 1\n  print (f 1)\n"), diags4);
  REQUIRE(diags4.all().size() == 1);
  CHECK(diags4.all()[0].message == "`=` does not define in a do block: write `let f x = ...`");
}

TEST_CASE("deep nesting is a diagnostic, not a crash") {
  std::string deep = "x = " + std::string(100000, '(') + "1" + std::string(100000, ')');
  CHECK(CodesOf(deep) == std::multiset<std::string>{"E0107"});
  std::string lambdas = "x = ";
  for (int i = 0; i < 5000; ++i) lambdas += "\\a -> ";
  lambdas += "a";
  CHECK(CodesOf(lambdas) == std::multiset<std::string>{"E0107"});
  std::string negs = "x = ";
  for (int i = 0; i < 50000; ++i) negs += "- ";
  negs += "1";
  CHECK(CodesOf(negs).count("E0107") == 1);
  std::string types = "f : " + std::string(50000, '(') + "a";
  CHECK(CodesOf(types).count("E0107") == 1);
  std::string chain = "x = 1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  CHECK(CodesOf(chain) == std::multiset<std::string>{"E0107"});
  // Moderate nesting is fine.
  CHECK(CodesOf("x = " + std::string(100, '(') + "1" + std::string(100, ')')).empty());
}

TEST_CASE("ParseFile reports an unreadable file") {
  diag::Diagnostics diags;
  CHECK_FALSE(parse::ParseFile("/nonexistent/file.atl", diags).has_value());
  CHECK(test::Codes(diags) == std::multiset<std::string>{"E0000"});
}

}  // namespace
}  // namespace atl
