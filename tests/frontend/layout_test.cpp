// Layout: implicit blocks from indentation, explicit braces, bracket closing,
// `let ... in` on one line, and bracket repair.
#include "compiler/layout/layout.h"

#include <doctest/doctest.h>

#include "compiler/lex/lex.h"
#include "tests/frontend/test_util.h"

namespace atl {
namespace {

using lex::TokenKind;

// The laid-out tokens as text: names as written, layout tokens as `{*` `;*` `}*`.
auto Laid(std::string text, diag::Diagnostics& diags) -> std::string {
  lex::TokenBuffer tokens = layout::Layout(lex::Lex(test::File(std::move(text)), diags), diags);
  std::string out;
  for (const lex::Token& t : tokens.tokens) {
    if (t.kind == TokenKind::Eof) break;
    if (!out.empty()) out += ' ';
    switch (t.kind) {
      case TokenKind::VLBrace:
        out += "{*";
        break;
      case TokenKind::VSemicolon:
        out += ";*";
        break;
      case TokenKind::VRBrace:
        out += "}*";
        break;
      case TokenKind::LowerId:
      case TokenKind::UpperId:
        out += tokens.Text(t);
        break;
      case TokenKind::IntLit:
        out += std::to_string(tokens.Int(t));
        break;
      default:
        out += lex::KindName(t.kind);
        break;
    }
  }
  return out;
}

auto Laid(std::string text) -> std::string {
  diag::Diagnostics diags;
  std::string out = Laid(std::move(text), diags);
  CHECK(diags.error_count() == 0);
  return out;
}

TEST_CASE("top-level declarations are items of the module block") {
  CHECK(Laid("f = 1\ng = 2\n") == "{* f = 1 ;* g = 2 }*");
  CHECK(Laid("module M where\nf = 1\n  + 2\ng = 3") == "module M where {* f = 1 + 2 ;* g = 3 }*");
  CHECK(Laid("") == "{* }*");
}

TEST_CASE("do, let, of open blocks at the next token's column") {
  CHECK(Laid("main = do\n  a\n  b\nx = 1") == "{* main = do {* a ;* b }* ;* x = 1 }*");
  CHECK(Laid("f x = case x of\n  A -> 1\n  B -> 2") ==
        "{* f x = case x of {* A -> 1 ;* B -> 2 }* }*");
  CHECK(Laid("f = do\n  let a = 1\n      b = 2\n  c") ==
        "{* f = do {* let {* a = 1 ;* b = 2 }* ;* c }* }*");
}

TEST_CASE("explicit braces switch layout off inside them") {
  CHECK(Laid("f = do { a;\n b\n ; c }") == "{* f = do { a ; b ; c } }*");
}

TEST_CASE("let ... in on one line: `in` closes the implicit let block") {
  CHECK(Laid("f = let x = 1 in x") == "{* f = let {* x = 1 }* in x }*");
  CHECK(Laid("f = let x = 1; y = 2 in x") == "{* f = let {* x = 1 ; y = 2 }* in x }*");
  CHECK(Laid("g = let a = 1\n        b = 2\n    in a") ==
        "{* g = let {* a = 1 ;* b = 2 }* in a }*");
}

TEST_CASE("a closing bracket closes the implicit blocks opened inside it") {
  CHECK(Laid("m = do\n  forRange 0 n (\\i -> do\n    p i\n    q i)\n  r") ==
        "{* m = do {* forRange 0 n ( \\ i -> do {* p i ;* q i }* ) ;* r }* }*");
  CHECK(Laid("x = (case y of A -> 1)") == "{* x = ( case y of {* A -> 1 }* ) }*");
  CHECK(Laid("x = [do a, b]") == "{* x = [ do {* a }* , b ] }*");
}

TEST_CASE("f $ \\x -> do: the block ends at the next less-indented line") {
  CHECK(Laid("m = do\n  f $ \\x -> do\n    p x\n  q") ==
        "{* m = do {* f $ \\ x -> do {* p x }* ;* q }* }*");
}

TEST_CASE("then/else close blocks opened after their if") {
  CHECK(Laid("x = if c then do a else do b") == "{* x = if c then do {* a }* else do {* b }* }*");
  CHECK(Laid("x = if a then case y of B -> 1 else 2") ==
        "{* x = if a then case y of {* B -> 1 }* else 2 }*");
}

TEST_CASE("leading-comma records and lists are continuation lines") {
  CHECK(Laid("type C =\n  { a : Int\n  , b : Int\n  }") == "{* type C = { a : Int , b : Int } }*");
  CHECK(Laid("xs = [ 1\n     , 2\n     ]") == "{* xs = [ 1 , 2 ] }*");
}

TEST_CASE("a block whose first line is not indented is empty") {
  CHECK(Laid("f = do\ng = 1") == "{* f = do {* }* ;* g = 1 }*");
}

TEST_CASE("unclosed and unmatched brackets are repaired and reported") {
  diag::Diagnostics diags;
  CHECK(Laid("f = (a\ng = 2", diags) == "{* f = ( a ) ;* g = 2 }*");
  CHECK(test::Codes(diags) == std::multiset<std::string>{"E0102"});

  diag::Diagnostics diags2;
  CHECK(Laid("f = a)\ng = 2", diags2) == "{* f = a ;* g = 2 }*");
  CHECK(test::Codes(diags2) == std::multiset<std::string>{"E0103"});

  diag::Diagnostics diags3;
  CHECK(Laid("f = [a", diags3) == "{* f = [ a ] }*");
  CHECK(test::Codes(diags3) == std::multiset<std::string>{"E0102"});

  diag::Diagnostics diags4;
  CHECK(Laid("f = (a]", diags4) == "{* f = ( a ) }*");
  CHECK(test::Codes(diags4) == std::multiset<std::string>{"E0103", "E0102"});
}

TEST_CASE("a line left of the block inside an open bracket closes the bracket") {
  diag::Diagnostics diags;
  CHECK(Laid("m = do\n  f (do\n    a\nh = 1", diags) ==
        "{* m = do {* f ( do {* a }* ) }* ;* h = 1 }*");
  CHECK(test::Codes(diags) == std::multiset<std::string>{"E0102"});
}

}  // namespace
}  // namespace atl
