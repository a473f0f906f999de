// Lexer: token kinds, literal values, positions and lexical errors.
#include <doctest/doctest.h>

#include "compiler/lex/lex.h"
#include "tests/frontend/test_util.h"

namespace atl {
namespace {

using lex::TokenKind;

struct Lexed {
  lex::TokenBuffer tokens;
  diag::Diagnostics diags;
};

auto LexText(std::string text) -> std::unique_ptr<Lexed> {
  auto result = std::make_unique<Lexed>();
  result->tokens = lex::Lex(test::File(std::move(text)), result->diags);
  return result;
}

auto Kinds(const lex::TokenBuffer& buffer) -> std::string {
  std::string out;
  for (const lex::Token& t : buffer.tokens) {
    if (!out.empty()) out += ' ';
    out += lex::KindName(t.kind);
  }
  return out;
}

TEST_CASE("keywords, names and punctuation") {
  auto l = LexText("module M where\nf x' _ _y = (a, b) [c] {d}; \\z -> Just z");
  CHECK(l->diags.error_count() == 0);
  CHECK(Kinds(l->tokens) ==
        "module UpperId where LowerId LowerId _ LowerId = ( LowerId , LowerId ) [ LowerId ] "
        "{ LowerId } ; \\ LowerId -> UpperId LowerId Eof");
  CHECK(l->tokens.Text(l->tokens.tokens[4]) == "x'");
  CHECK(l->tokens.Text(l->tokens.tokens[6]) == "_y");
}

TEST_CASE("every operator of the language") {
  auto l = LexText("* / % *. /. + - +. -. :: ++ == /= < <= > >= && || >>= >> $ = : -> <- | .");
  CHECK(l->diags.error_count() == 0);
  CHECK(Kinds(l->tokens) ==
        "* / % *. /. + - +. -. :: ++ == /= < <= > >= && || >>= >> $ = : -> <- | . Eof");
}

TEST_CASE("unknown operators are reported and skipped") {
  auto l = LexText("a <> b ==- c");
  CHECK(test::Codes(l->diags) == std::multiset<std::string>{"E0009", "E0009"});
  CHECK(Kinds(l->tokens) == "LowerId LowerId LowerId Eof");
}

TEST_CASE("integer literals: decimal, hex, separators, range") {
  auto l = LexText("0 42 1_000_000 0xFF 0x7f_ff 4611686018427387903");
  REQUIRE(l->diags.error_count() == 0);
  std::vector<int64_t> values;
  for (const auto& t : l->tokens.tokens) {
    if (t.kind == TokenKind::IntLit) values.push_back(l->tokens.Int(t));
  }
  CHECK(values == std::vector<int64_t>{0, 42, 1000000, 255, 0x7fff, lex::kMaxIntLiteral});

  CHECK(test::Codes(LexText("4611686018427387904")->diags) == std::multiset<std::string>{"E0007"});
  CHECK(test::Codes(LexText("0xFFFFFFFFFFFFFFFFFF")->diags) == std::multiset<std::string>{"E0007"});
  CHECK(test::Codes(LexText("1_")->diags) == std::multiset<std::string>{"E0006"});
  CHECK(test::Codes(LexText("12abc")->diags) == std::multiset<std::string>{"E0006"});
  CHECK(test::Codes(LexText("0x")->diags) == std::multiset<std::string>{"E0006"});
}

TEST_CASE("float literals and the decimal point versus field access") {
  auto l = LexText("1.5 2e9 1.5e-3 3E+2 r.f 1.x");
  REQUIRE(l->diags.error_count() == 0);
  CHECK(Kinds(l->tokens) ==
        "FloatLit FloatLit FloatLit FloatLit LowerId . LowerId IntLit . LowerId Eof");
  CHECK(l->tokens.Float(l->tokens.tokens[0]) == 1.5);
  CHECK(l->tokens.Float(l->tokens.tokens[1]) == 2e9);
  CHECK(l->tokens.Float(l->tokens.tokens[2]) == doctest::Approx(1.5e-3));
  CHECK(l->tokens.Float(l->tokens.tokens[3]) == 300.0);
  // `r.f`: the dot touches both sides.
  CHECK_FALSE(l->tokens.tokens[5].space_before);
  CHECK_FALSE(l->tokens.tokens[6].space_before);
  CHECK(test::Codes(LexText("1e999")->diags) == std::multiset<std::string>{"E0006"});
}

TEST_CASE("characters and strings with escapes") {
  auto l = LexText(R"('a' '\n' '\'' '\u{1F600}' "a\tb\n\"q\"\\ \u{E9}")");
  REQUIRE(l->diags.error_count() == 0);
  const auto& t = l->tokens.tokens;
  CHECK(l->tokens.Int(t[0]) == 'a');
  CHECK(l->tokens.Int(t[1]) == '\n');
  CHECK(l->tokens.Int(t[2]) == '\'');
  CHECK(l->tokens.Int(t[3]) == 0x1F600);
  CHECK(l->tokens.Text(t[4]) == "a\tb\n\"q\"\\ \xC3\xA9");
  // UTF-8 straight in a literal is kept.
  auto u = LexText("\"h\xC3\xA9\" '\xC3\xA9'");
  CHECK(u->diags.error_count() == 0);
  CHECK(u->tokens.Int(u->tokens.tokens[1]) == 0xE9);
}

TEST_CASE("malformed strings and characters") {
  CHECK(test::Codes(LexText("\"abc\nx")->diags) == std::multiset<std::string>{"E0002"});
  CHECK(test::Codes(LexText(R"("a\qb")")->diags) == std::multiset<std::string>{"E0004"});
  CHECK(test::Codes(LexText(R"("\u{110000}")")->diags) == std::multiset<std::string>{"E0004"});
  CHECK(test::Codes(LexText(R"("\u{D800}")")->diags) == std::multiset<std::string>{"E0004"});
  CHECK(test::Codes(LexText("''")->diags) == std::multiset<std::string>{"E0003"});
  CHECK(test::Codes(LexText("'ab'")->diags) == std::multiset<std::string>{"E0003"});
  // The unterminated string still yields a token, so parsing can continue.
  auto l = LexText("x = \"abc\ny = 1");
  CHECK(Kinds(l->tokens) == "LowerId = StringLit LowerId = IntLit Eof");
}

TEST_CASE("comments, nested block comments") {
  auto l = LexText("a -- line {- not a block\nb {- outer {- inner -} still -} c");
  CHECK(l->diags.error_count() == 0);
  CHECK(Kinds(l->tokens) == "LowerId LowerId LowerId Eof");
  CHECK(test::Codes(LexText("a {- {- -}")->diags) == std::multiset<std::string>{"E0005"});
}

TEST_CASE("positions: lines, layout columns with tabs, first-on-line") {
  auto l = LexText("ab cd\n\tef\n  gh");
  const auto& t = l->tokens.tokens;
  CHECK(t[0].line == 1);
  CHECK(t[0].column == 1);
  CHECK(t[1].column == 4);
  CHECK_FALSE(t[1].first_on_line);
  CHECK(t[2].line == 2);
  CHECK(t[2].column == 9);  // a tab advances to the next multiple of 8, plus one
  CHECK(t[2].first_on_line);
  CHECK(t[3].column == 3);
  CHECK(t[1].span.begin == 3);
  CHECK(t[1].span.end == 5);
  // One warning per file for tabs in indentation; a tab elsewhere is fine.
  CHECK(l->diags.warning_count() == 1);
  CHECK(l->diags.error_count() == 0);
  CHECK(LexText("a\tb\n\tc\n\td")->diags.warning_count() == 1);
  CHECK(LexText("a\tb")->diags.warning_count() == 0);
}

TEST_CASE("invalid characters and invalid UTF-8") {
  CHECK(test::Codes(LexText("a \xC3\xA9 b")->diags) == std::multiset<std::string>{"E0001"});
  CHECK(test::Codes(LexText("a \xFF b")->diags) == std::multiset<std::string>{"E0008"});
  CHECK(test::Codes(LexText("\"\xC0\x80\"")->diags) ==
        std::multiset<std::string>{"E0008", "E0008"});  // overlong: both bytes are bad
  CHECK(test::Codes(LexText("a ` b")->diags) == std::multiset<std::string>{"E0001"});
}

TEST_CASE("token dump is one line per token") {
  auto l = LexText("x = \"a\"");
  CHECK(lex::DumpTokens(l->tokens) == "1:1 LowerId x\n1:3 =\n1:5 StringLit \"a\"\n1:8 Eof\n");
}

}  // namespace
}  // namespace atl
