#include "compiler/lex/lex.h"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>

namespace atl::lex {
namespace {

using diag::Kind;
using source::Span;

auto IsDigit(char c) -> bool { return c >= '0' && c <= '9'; }
auto IsHexDigit(char c) -> bool {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
auto IsLower(char c) -> bool { return (c >= 'a' && c <= 'z') || c == '_'; }
auto IsUpper(char c) -> bool { return c >= 'A' && c <= 'Z'; }
auto IsIdentChar(char c) -> bool { return IsLower(c) || IsUpper(c) || IsDigit(c) || c == '\''; }
// Characters that make up operator tokens (`\` is a token of its own).
auto IsSymbol(char c) -> bool {
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '*':
    case '+':
    case '.':
    case '/':
    case '<':
    case '=':
    case '>':
    case '?':
    case '@':
    case '^':
    case '|':
    case '-':
    case '~':
    case ':':
      return true;
    default:
      return false;
  }
}

struct OperatorSpelling {
  std::string_view text;
  TokenKind kind;
};
constexpr OperatorSpelling kOperators[] = {
    {"=", TokenKind::Equals},      {":", TokenKind::Colon},      {"->", TokenKind::Arrow},
    {"<-", TokenKind::LeftArrow},  {"|", TokenKind::Pipe},       {".", TokenKind::Dot},
    {"*", TokenKind::Star},        {"/", TokenKind::Slash},      {"%", TokenKind::Percent},
    {"*.", TokenKind::StarDot},    {"/.", TokenKind::SlashDot},  {"+", TokenKind::Plus},
    {"-", TokenKind::Minus},       {"+.", TokenKind::PlusDot},   {"-.", TokenKind::MinusDot},
    {"::", TokenKind::ColonColon}, {"++", TokenKind::PlusPlus},  {"==", TokenKind::EqEq},
    {"/=", TokenKind::SlashEq},    {"<", TokenKind::Less},       {"<=", TokenKind::LessEq},
    {">", TokenKind::Greater},     {">=", TokenKind::GreaterEq}, {"&&", TokenKind::AndAnd},
    {"||", TokenKind::OrOr},       {">>=", TokenKind::BindOp},   {">>", TokenKind::ThenOp},
    {"$", TokenKind::Dollar},
};

struct KeywordSpelling {
  std::string_view text;
  TokenKind kind;
};
constexpr KeywordSpelling kKeywords[] = {
    {"module", TokenKind::KwModule}, {"where", TokenKind::KwWhere},
    {"import", TokenKind::KwImport}, {"data", TokenKind::KwData},
    {"type", TokenKind::KwType},     {"let", TokenKind::KwLet},
    {"in", TokenKind::KwIn},         {"do", TokenKind::KwDo},
    {"if", TokenKind::KwIf},         {"then", TokenKind::KwThen},
    {"else", TokenKind::KwElse},     {"case", TokenKind::KwCase},
    {"of", TokenKind::KwOf},         {"forall", TokenKind::KwForall},
};

auto AppendUtf8(std::string& out, char32_t c) -> void {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Walks the text once, left to right. Invariant: pos_ is the next unread byte,
// line_/column_ its layout position.
class Lexer {
 public:
  Lexer(std::shared_ptr<const source::SourceFile> file, diag::Diagnostics& diags)
      : file_(*file), text_(file->text()), diags_(diags) {
    out_.file = std::move(file);
  }

  auto Run() -> TokenBuffer {
    // A UTF-8 byte order mark is allowed and ignored.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      LexToken();
    }
    Token eof;
    eof.span = {static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(text_.size())};
    eof.line = line_;
    eof.column = column_;
    eof.space_before = true;
    eof.first_on_line = true;
    out_.tokens.push_back(eof);
    return std::move(out_);
  }

 private:
  auto Peek(size_t ahead = 0) const -> char {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  auto Error(Kind kind, uint32_t begin, uint32_t end, std::string message = {}) -> void {
    diags_.Report(kind, file_, {begin, end}, std::move(message));
  }

  // Advances over one byte, keeping line/column right.
  auto Advance() -> void {
    char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
      at_line_start_ = true;
    } else if (c == '\t') {
      column_ = ((column_ - 1) / 8 + 1) * 8 + 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }

  // Decodes one UTF-8 code point at pos_ without consuming it; length 0 means invalid.
  auto DecodeUtf8(char32_t* code_point) const -> size_t {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(Peek(i)); };
    unsigned char b0 = byte(0);
    size_t length = b0 < 0x80         ? 1
                    : (b0 >> 5) == 6  ? 2
                    : (b0 >> 4) == 14 ? 3
                    : (b0 >> 3) == 30 ? 4
                                      : 0;
    if (length == 0 || pos_ + length > text_.size()) return 0;
    char32_t c = length == 1   ? b0
                 : length == 2 ? (b0 & 0x1F)
                 : length == 3 ? (b0 & 0x0F)
                               : (b0 & 0x07);
    for (size_t i = 1; i < length; ++i) {
      if ((byte(i) & 0xC0) != 0x80) return 0;
      c = (c << 6) | (byte(i) & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kMin[length] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
    *code_point = c;
    return length;
  }

  // Consumes one UTF-8 character inside a comment or literal, reporting bad bytes.
  auto AdvanceChar() -> char32_t {
    char32_t c = 0;
    size_t length = DecodeUtf8(&c);
    if (length == 0) {
      Error(Kind::InvalidUtf8, pos_, pos_ + 1);
      Advance();
      return 0xFFFD;
    }
    for (size_t i = 0; i < length; ++i) Advance();
    return c;
  }

  auto SkipSpaceAndComments() -> void {
    while (pos_ < text_.size()) {
      char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        // Once per file: tabs make the layout column depend on the tab width.
        if (c == '\t' && at_line_start_ && !tab_warned_) {
          Error(Kind::TabInIndentation, pos_, pos_ + 1);
          tab_warned_ = true;
        }
        Advance();
        space_ = true;
      } else if (c == '-' && Peek(1) == '-') {
        while (pos_ < text_.size() && Peek() != '\n') AdvanceChar();
        space_ = true;
      } else if (c == '{' && Peek(1) == '-') {
        SkipBlockComment();
        space_ = true;
      } else {
        return;
      }
    }
  }

  // Block comments nest; a counter (not recursion) tracks the depth.
  auto SkipBlockComment() -> void {
    uint32_t start = pos_;
    Advance();
    Advance();
    int depth = 1;
    while (pos_ < text_.size()) {
      if (Peek() == '{' && Peek(1) == '-') {
        Advance();
        Advance();
        ++depth;
      } else if (Peek() == '-' && Peek(1) == '}') {
        Advance();
        Advance();
        if (--depth == 0) return;
      } else {
        AdvanceChar();
      }
    }
    Error(Kind::UnterminatedComment, start, start + 2);
  }

  auto Begin() -> Token {
    Token t;
    t.space_before = space_ || out_.tokens.empty();
    t.first_on_line = at_line_start_ || out_.tokens.empty();
    t.span.begin = static_cast<uint32_t>(pos_);
    t.line = line_;
    t.column = column_;
    return t;
  }
  auto Finish(Token t, TokenKind kind) -> void {
    t.kind = kind;
    t.span.end = static_cast<uint32_t>(pos_);
    out_.tokens.push_back(t);
    space_ = false;
    at_line_start_ = false;
  }

  auto LexToken() -> void {
    Token t = Begin();
    char c = Peek();
    if (IsDigit(c)) return LexNumber(t);
    if (IsLower(c) || IsUpper(c)) return LexIdentifier(t);
    if (c == '"') return LexString(t);
    if (c == '\'') return LexChar(t);
    if (IsSymbol(c)) return LexOperator(t);
    TokenKind kind = TokenKind::Eof;
    switch (c) {
      case '(':
        kind = TokenKind::LParen;
        break;
      case ')':
        kind = TokenKind::RParen;
        break;
      case '[':
        kind = TokenKind::LBracket;
        break;
      case ']':
        kind = TokenKind::RBracket;
        break;
      case '{':
        kind = TokenKind::LBrace;
        break;
      case '}':
        kind = TokenKind::RBrace;
        break;
      case ',':
        kind = TokenKind::Comma;
        break;
      case ';':
        kind = TokenKind::Semicolon;
        break;
      case '\\':
        kind = TokenKind::Backslash;
        break;
      default:
        break;
    }
    if (kind != TokenKind::Eof) {
      Advance();
      return Finish(t, kind);
    }
    // Not a token: report it (decoded, if it is valid UTF-8) and skip it.
    char32_t code_point = 0;
    size_t length = DecodeUtf8(&code_point);
    if (length == 0) {
      Error(Kind::InvalidUtf8, pos_, pos_ + 1);
      Advance();
    } else {
      Error(Kind::InvalidCharacter, pos_, pos_ + length,
            fmt::format("invalid character U+{:04X} in source", static_cast<uint32_t>(code_point)));
      for (size_t i = 0; i < length; ++i) Advance();
    }
    space_ = true;
  }

  auto LexIdentifier(Token t) -> void {
    bool upper = IsUpper(Peek());
    while (pos_ < text_.size() && IsIdentChar(Peek())) Advance();
    std::string_view word = text_.substr(t.span.begin, pos_ - t.span.begin);
    if (word == "_") return Finish(t, TokenKind::Underscore);
    for (const KeywordSpelling& k : kKeywords) {
      if (k.text == word) return Finish(t, k.kind);
    }
    t.payload = static_cast<uint32_t>(out_.texts.size());
    out_.texts.emplace_back(word);
    Finish(t, upper ? TokenKind::UpperId : TokenKind::LowerId);
  }

  auto LexOperator(Token t) -> void {
    while (pos_ < text_.size() && IsSymbol(Peek())) {
      // `--` inside a run of symbols still starts a comment (`x =-- c` is `x =`).
      if (pos_ > t.span.begin && Peek() == '-' && Peek(1) == '-') break;
      Advance();
    }
    std::string_view op = text_.substr(t.span.begin, pos_ - t.span.begin);
    for (const OperatorSpelling& o : kOperators) {
      if (o.text == op) return Finish(t, o.kind);
    }
    Error(Kind::UnknownOperator, t.span.begin, static_cast<uint32_t>(pos_),
          fmt::format("unknown operator `{}`", op));
    space_ = true;
  }

  // Digits with `_` separators; returns them without separators. Reports a
  // separator that does not sit between two digits.
  auto Digits(bool hex, std::string& out) -> void {
    auto is_digit = [&](char c) { return hex ? IsHexDigit(c) : IsDigit(c); };
    while (pos_ < text_.size() && (is_digit(Peek()) || Peek() == '_')) {
      if (Peek() == '_' && (out.empty() || !is_digit(Peek(1)))) {
        if (!bad_number_)
          Error(Kind::InvalidNumber, pos_, pos_ + 1, "`_` must sit between two digits");
        bad_number_ = true;
      }
      if (Peek() != '_') out += Peek();
      Advance();
    }
  }

  auto LexNumber(Token t) -> void {
    bad_number_ = false;
    std::string digits;
    bool is_float = false;
    bool hex = Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X');
    if (hex) {
      Advance();
      Advance();
      Digits(true, digits);
      if (digits.empty() && !bad_number_) {
        Error(Kind::InvalidNumber, t.span.begin, pos_, "`0x` needs hexadecimal digits");
        bad_number_ = true;
      }
    } else {
      Digits(false, digits);
      if (Peek() == '.' && IsDigit(Peek(1))) {
        is_float = true;
        digits += '.';
        Advance();
        Digits(false, digits);
      }
      if ((Peek() == 'e' || Peek() == 'E') &&
          (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
        is_float = true;
        digits += 'e';
        Advance();
        if (Peek() == '+' || Peek() == '-') {
          digits += Peek();
          Advance();
        }
        Digits(false, digits);
      }
    }
    // A number running straight into a letter is one malformed token.
    if (pos_ < text_.size() && IsIdentChar(Peek())) {
      while (pos_ < text_.size() && IsIdentChar(Peek())) Advance();
      if (!bad_number_) Error(Kind::InvalidNumber, t.span.begin, pos_);
      bad_number_ = true;
    }
    if (is_float) {
      double value = bad_number_ ? 0 : std::strtod(digits.c_str(), nullptr);
      if (!bad_number_ && !std::isfinite(value)) {
        Error(Kind::InvalidNumber, t.span.begin, pos_, "float literal out of range");
        value = 0;
      }
      t.payload = static_cast<uint32_t>(out_.floats.size());
      out_.floats.push_back(value);
      return Finish(t, TokenKind::FloatLit);
    }
    int64_t value = 0;
    if (!bad_number_) {
      for (char d : digits) {
        int v = IsDigit(d) ? d - '0' : (d | 0x20) - 'a' + 10;
        if (value > (kMaxIntLiteral - v) / (hex ? 16 : 10)) {
          Error(Kind::IntegerOutOfRange, t.span.begin, pos_);
          value = 0;
          break;
        }
        value = value * (hex ? 16 : 10) + v;
      }
    }
    t.payload = static_cast<uint32_t>(out_.ints.size());
    out_.ints.push_back(value);
    Finish(t, TokenKind::IntLit);
  }

  // After a backslash inside a string or char literal: decodes one escape.
  // Returns nullopt (after reporting) when it is invalid.
  auto Escape() -> std::optional<char32_t> {
    uint32_t start = pos_;
    Advance();  // the backslash
    char c = Peek();
    switch (c) {
      case 'n':
        Advance();
        return U'\n';
      case 't':
        Advance();
        return U'\t';
      case 'r':
        Advance();
        return U'\r';
      case '0':
        Advance();
        return U'\0';
      case '\\':
        Advance();
        return U'\\';
      case '"':
        Advance();
        return U'"';
      case '\'':
        Advance();
        return U'\'';
      case 'u': {
        Advance();
        if (Peek() != '{') break;
        Advance();
        char32_t value = 0;
        int count = 0;
        while (IsHexDigit(Peek()) && count < 7) {
          char d = Peek();
          value = value * 16 + (IsDigit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
          ++count;
          Advance();
        }
        if (Peek() != '}' || count == 0 || count > 6 || value > 0x10FFFF ||
            (value >= 0xD800 && value <= 0xDFFF)) {
          break;
        }
        Advance();
        return value;
      }
      default:
        break;
    }
    // Do not swallow the closing quote or the line end.
    if (pos_ == start + 1 && c != '\n' && c != '\0' && c != '"' && c != '\'') AdvanceChar();
    Error(Kind::InvalidEscape, start, pos_);
    return std::nullopt;
  }

  auto LexString(Token t) -> void {
    Advance();  // opening quote
    std::string value;
    bool closed = false;
    while (pos_ < text_.size()) {
      char c = Peek();
      if (c == '"') {
        Advance();
        closed = true;
        break;
      }
      if (c == '\n') break;
      if (c == '\\') {
        if (auto e = Escape()) AppendUtf8(value, *e);
      } else {
        AppendUtf8(value, AdvanceChar());
      }
    }
    if (!closed) Error(Kind::UnterminatedString, t.span.begin, pos_);
    t.payload = static_cast<uint32_t>(out_.texts.size());
    out_.texts.push_back(std::move(value));
    Finish(t, TokenKind::StringLit);
  }

  auto LexChar(Token t) -> void {
    Advance();  // opening quote
    char32_t value = 0;
    bool ok = true;
    if (Peek() == '\'' || Peek() == '\n' || pos_ >= text_.size()) {
      ok = false;  // empty or unterminated
    } else if (Peek() == '\\') {
      if (auto e = Escape()) {
        value = *e;
      } else {
        ok = false;
        reported_ = true;  // Escape already said what is wrong
      }
    } else {
      value = AdvanceChar();
    }
    if (Peek() == '\'') {
      Advance();
    } else {
      // Recover: skip to a closing quote on this line, if one is near.
      size_t limit = pos_ + 16;
      while (pos_ < text_.size() && pos_ < limit && Peek() != '\'' && Peek() != '\n') AdvanceChar();
      if (Peek() == '\'') Advance();
      ok = false;
    }
    if (!ok && !reported_) Error(Kind::InvalidCharLiteral, t.span.begin, pos_);
    reported_ = false;
    t.payload = static_cast<uint32_t>(out_.ints.size());
    out_.ints.push_back(value);
    Finish(t, TokenKind::CharLit);
  }

  const source::SourceFile& file_;
  std::string_view text_;
  diag::Diagnostics& diags_;
  TokenBuffer out_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  bool space_ = true;
  bool at_line_start_ = true;
  bool bad_number_ = false;
  bool reported_ = false;
  bool tab_warned_ = false;
};

}  // namespace

auto Lex(std::shared_ptr<const source::SourceFile> file, diag::Diagnostics& diags) -> TokenBuffer {
  return Lexer(std::move(file), diags).Run();
}

}  // namespace atl::lex
