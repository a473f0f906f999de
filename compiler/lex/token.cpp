#include "compiler/lex/token.h"

#include <fmt/core.h>

namespace atl::lex {

auto KindName(TokenKind kind) -> std::string_view {
  switch (kind) {
    case TokenKind::LowerId:
      return "LowerId";
    case TokenKind::UpperId:
      return "UpperId";
    case TokenKind::IntLit:
      return "IntLit";
    case TokenKind::FloatLit:
      return "FloatLit";
    case TokenKind::CharLit:
      return "CharLit";
    case TokenKind::StringLit:
      return "StringLit";
    case TokenKind::KwModule:
      return "module";
    case TokenKind::KwWhere:
      return "where";
    case TokenKind::KwImport:
      return "import";
    case TokenKind::KwData:
      return "data";
    case TokenKind::KwType:
      return "type";
    case TokenKind::KwLet:
      return "let";
    case TokenKind::KwIn:
      return "in";
    case TokenKind::KwDo:
      return "do";
    case TokenKind::KwIf:
      return "if";
    case TokenKind::KwThen:
      return "then";
    case TokenKind::KwElse:
      return "else";
    case TokenKind::KwCase:
      return "case";
    case TokenKind::KwOf:
      return "of";
    case TokenKind::KwForall:
      return "forall";
    case TokenKind::LParen:
      return "(";
    case TokenKind::RParen:
      return ")";
    case TokenKind::LBracket:
      return "[";
    case TokenKind::RBracket:
      return "]";
    case TokenKind::LBrace:
      return "{";
    case TokenKind::RBrace:
      return "}";
    case TokenKind::Comma:
      return ",";
    case TokenKind::Semicolon:
      return ";";
    case TokenKind::Backslash:
      return "\\";
    case TokenKind::Underscore:
      return "_";
    case TokenKind::Equals:
      return "=";
    case TokenKind::Colon:
      return ":";
    case TokenKind::Arrow:
      return "->";
    case TokenKind::LeftArrow:
      return "<-";
    case TokenKind::Pipe:
      return "|";
    case TokenKind::Dot:
      return ".";
    case TokenKind::Star:
      return "*";
    case TokenKind::Slash:
      return "/";
    case TokenKind::Percent:
      return "%";
    case TokenKind::StarDot:
      return "*.";
    case TokenKind::SlashDot:
      return "/.";
    case TokenKind::Plus:
      return "+";
    case TokenKind::Minus:
      return "-";
    case TokenKind::PlusDot:
      return "+.";
    case TokenKind::MinusDot:
      return "-.";
    case TokenKind::ColonColon:
      return "::";
    case TokenKind::PlusPlus:
      return "++";
    case TokenKind::EqEq:
      return "==";
    case TokenKind::SlashEq:
      return "/=";
    case TokenKind::Less:
      return "<";
    case TokenKind::LessEq:
      return "<=";
    case TokenKind::Greater:
      return ">";
    case TokenKind::GreaterEq:
      return ">=";
    case TokenKind::AndAnd:
      return "&&";
    case TokenKind::OrOr:
      return "||";
    case TokenKind::BindOp:
      return ">>=";
    case TokenKind::ThenOp:
      return ">>";
    case TokenKind::Dollar:
      return "$";
    case TokenKind::VLBrace:
      return "{layout";
    case TokenKind::VSemicolon:
      return ";layout";
    case TokenKind::VRBrace:
      return "}layout";
    case TokenKind::Eof:
      return "Eof";
  }
  return "?";
}

auto Describe(TokenKind kind) -> std::string_view {
  switch (kind) {
    case TokenKind::LowerId:
      return "a name";
    case TokenKind::UpperId:
      return "a capitalised name";
    case TokenKind::IntLit:
      return "an integer literal";
    case TokenKind::FloatLit:
      return "a float literal";
    case TokenKind::CharLit:
      return "a character literal";
    case TokenKind::StringLit:
      return "a string literal";
    case TokenKind::VLBrace:
      return "the start of a block";
    case TokenKind::VSemicolon:
      return "a new line at the block's indentation";
    case TokenKind::VRBrace:
      return "the end of a block (a less indented line)";
    case TokenKind::Eof:
      return "the end of the file";
    default:
      return KindName(kind);
  }
}

auto DumpTokens(const TokenBuffer& buffer) -> std::string {
  std::string out;
  for (const Token& t : buffer.tokens) {
    out += fmt::format("{}:{} {}", t.line, t.column, KindName(t.kind));
    switch (t.kind) {
      case TokenKind::LowerId:
      case TokenKind::UpperId:
        out += fmt::format(" {}", buffer.Text(t));
        break;
      case TokenKind::StringLit: {
        out += " \"";
        for (char c : buffer.Text(t)) {
          if (c == '\n')
            out += "\\n";
          else if (c == '\t')
            out += "\\t";
          else if (c == '"' || c == '\\')
            out += std::string("\\") + c;
          else if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{{{:X}}}", int(c));
          else
            out += c;
        }
        out += '"';
        break;
      }
      case TokenKind::IntLit:
        out += fmt::format(" {}", buffer.Int(t));
        break;
      case TokenKind::CharLit:
        out += fmt::format(" U+{:04X}", buffer.Int(t));
        break;
      case TokenKind::FloatLit:
        out += fmt::format(" {}", buffer.Float(t));
        break;
      default:
        break;
    }
    out += '\n';
  }
  return out;
}

}  // namespace atl::lex
