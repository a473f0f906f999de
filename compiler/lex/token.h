// Tokens and the token buffer produced by the lexer (and rewritten by layout).
#ifndef ATOLL_LEX_TOKEN_H
#define ATOLL_LEX_TOKEN_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source_file.h"

namespace atl::lex {

enum class TokenKind : uint8_t {
  // Names and literals (payload indexes TokenBuffer's value tables).
  LowerId,
  UpperId,
  IntLit,
  FloatLit,
  CharLit,
  StringLit,
  // Keywords.
  KwModule,
  KwWhere,
  KwImport,
  KwData,
  KwType,
  KwLet,
  KwIn,
  KwDo,
  KwIf,
  KwThen,
  KwElse,
  KwCase,
  KwOf,
  KwForall,
  // Brackets and punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Semicolon,
  Backslash,
  Underscore,
  // Reserved operators.
  Equals,
  Colon,
  Arrow,
  LeftArrow,
  Pipe,
  Dot,
  // Binary operators.
  Star,
  Slash,
  Percent,
  StarDot,
  SlashDot,
  Plus,
  Minus,
  PlusDot,
  MinusDot,
  ColonColon,
  PlusPlus,
  EqEq,
  SlashEq,
  Less,
  LessEq,
  Greater,
  GreaterEq,
  AndAnd,
  OrOr,
  BindOp,
  ThenOp,
  Dollar,
  // Inserted by the layout pass: implicit `{`, `;`, `}` (zero-width spans).
  VLBrace,
  VSemicolon,
  VRBrace,
  Eof,
};

auto KindName(TokenKind kind) -> std::string_view;  // "LowerId", "Arrow", ...
auto Describe(TokenKind kind) -> std::string_view;  // for messages: "`->`", "identifier"

// One token. `column` is the layout column (1-based; a tab advances to the
// next multiple of 8 plus one), `line` the 1-based line. `space_before` is set
// when white space or a comment (or the start of the file) precedes the token;
// `r.f` field access requires a `.` with no space on either side.
struct Token {
  TokenKind kind = TokenKind::Eof;
  bool space_before = false;
  bool first_on_line = false;
  uint32_t payload = 0;  // index into the matching value table, for names/literals
  source::Span span;
  uint32_t line = 0;
  uint32_t column = 0;
};

// The tokens of one file, always ending with exactly one Eof token.
// Names and decoded string literals live in `texts`, integers and chars in
// `ints`, floats in `floats`; Token::payload indexes the table for its kind.
struct TokenBuffer {
  std::shared_ptr<const source::SourceFile> file;
  std::vector<Token> tokens;
  std::vector<std::string> texts;  // LowerId, UpperId, StringLit
  std::vector<int64_t> ints;       // IntLit, CharLit (code point)
  std::vector<double> floats;      // FloatLit

  auto Text(const Token& t) const -> const std::string& { return texts[t.payload]; }
  auto Int(const Token& t) const -> int64_t { return ints[t.payload]; }
  auto Float(const Token& t) const -> double { return floats[t.payload]; }
};

// One line per token: `LINE:COL Kind [value]`, for `atoll check --dump=tokens`.
auto DumpTokens(const TokenBuffer& buffer) -> std::string;

}  // namespace atl::lex

#endif  // ATOLL_LEX_TOKEN_H
