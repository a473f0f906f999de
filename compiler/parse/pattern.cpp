// Patterns.
#include <fmt/core.h>

#include "compiler/parse/parser.h"

namespace atl::parse {

using diag::Kind;
using lex::TokenKind;

auto Parser::CanStartAPattern(TokenKind kind) const -> bool {
  switch (kind) {
    case TokenKind::LowerId:
    case TokenKind::UpperId:
    case TokenKind::Underscore:
    case TokenKind::IntLit:
    case TokenKind::FloatLit:
    case TokenKind::CharLit:
    case TokenKind::StringLit:
    case TokenKind::LParen:
    case TokenKind::LBracket:
    case TokenKind::LBrace:
      return true;
    default:
      return false;
  }
}

// `p :: q :: rest` (right associative), built without recursion on the chain.
auto Parser::ParsePattern() -> Pattern* {
  uint32_t begin = StartOf(Peek());
  if (!EnterDepth()) {
    --depth_;
    return NewPattern<ErrorPattern>(SpanFrom(begin));
  }
  DepthGuard guard{*this};
  std::vector<Pattern*> parts{ParseConPattern()};
  while (!recovering_ && Eat(TokenKind::ColonColon)) {
    parts.push_back(ParseConPattern());
    if (parts.size() > kMaxChain) {
      Error(Kind::NestingTooDeep, Peek().span, "pattern too long");
      SkipToItemEnd();
      break;
    }
  }
  Pattern* result = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) {
    auto* cons = NewPattern<ConsPattern>(Span::Join(parts[i]->span, result->span));
    cons->head = parts[i];
    cons->tail = result;
    result = cons;
  }
  return result;
}

// A constructor with arguments, a negative number, or an atomic pattern.
auto Parser::ParseConPattern() -> Pattern* {
  uint32_t begin = StartOf(Peek());
  if (At(TokenKind::UpperId)) {
    auto* con = NewPattern<ConPattern>({begin, begin});
    const Token& name = ParseQualified(&con->qualifier);
    con->name = Name{Text(name), name.span};
    while (CanStartAPattern(PeekKind())) con->args.push_back(ParseAPattern());
    con->span = SpanFrom(begin);
    return con;
  }
  if (At(TokenKind::Minus) &&
      (PeekKind(1) == TokenKind::IntLit || PeekKind(1) == TokenKind::FloatLit)) {
    Advance();
    const Token& number = Advance();
    auto* lit = NewPattern<LiteralPattern>(SpanFrom(begin));
    if (number.kind == TokenKind::IntLit) {
      lit->literal.kind = LiteralKind::Int;
      lit->literal.int_value = -tokens_.Int(number);
    } else {
      lit->literal.kind = LiteralKind::Float;
      lit->literal.float_value = -tokens_.Float(number);
    }
    return lit;
  }
  return ParseAPattern();
}

auto Parser::ParseAPattern() -> Pattern* {
  const Token& t = Peek();
  uint32_t begin = t.span.begin;
  switch (t.kind) {
    case TokenKind::LowerId: {
      Advance();
      auto* var = NewPattern<VarPattern>(t.span);
      var->name = Text(t);
      return var;
    }
    case TokenKind::Underscore:
      Advance();
      return NewPattern<WildcardPattern>(t.span);
    case TokenKind::UpperId: {
      auto* con = NewPattern<ConPattern>({begin, begin});
      const Token& name = ParseQualified(&con->qualifier);
      con->name = Name{Text(name), name.span};
      con->span = SpanFrom(begin);
      return con;
    }
    case TokenKind::IntLit:
    case TokenKind::FloatLit:
    case TokenKind::CharLit:
    case TokenKind::StringLit: {
      Advance();
      auto* lit = NewPattern<LiteralPattern>(t.span);
      lit->literal = LiteralOf(t);
      return lit;
    }
    case TokenKind::LParen: {
      Advance();
      if (Eat(TokenKind::RParen)) return NewPattern<UnitPattern>(SpanFrom(begin));
      std::vector<Pattern*> elements;
      do {
        uint32_t element_begin = StartOf(Peek());
        Pattern* p = ParsePattern();
        if (Eat(TokenKind::Colon)) {
          auto* annot = NewPattern<AnnotPattern>({element_begin, element_begin});
          annot->pattern = p;
          annot->type = ParseType();
          annot->span = SpanFrom(element_begin);
          p = annot;
        }
        elements.push_back(p);
      } while (!recovering_ && Eat(TokenKind::Comma));
      ExpectCloser(TokenKind::RParen);
      if (elements.size() == 1) return elements[0];
      auto* tuple = NewPattern<TuplePattern>(SpanFrom(begin));
      tuple->elements = std::move(elements);
      return tuple;
    }
    case TokenKind::LBracket: {
      Advance();
      auto* list = NewPattern<ListPattern>({begin, begin});
      if (!At(TokenKind::RBracket)) {
        do {
          list->elements.push_back(ParsePattern());
        } while (!recovering_ && Eat(TokenKind::Comma));
      }
      ExpectCloser(TokenKind::RBracket);
      list->span = SpanFrom(begin);
      return list;
    }
    case TokenKind::LBrace: {
      Advance();
      auto* record = NewPattern<RecordPattern>({begin, begin});
      if (!At(TokenKind::RBrace)) {
        do {
          FieldPattern field;
          field.name = ParseName(TokenKind::LowerId, "a field name");
          if (Eat(TokenKind::Equals)) {
            field.pattern = ParsePattern();
          } else {
            auto* var = NewPattern<VarPattern>(field.name.span);
            var->name = field.name.text;
            field.pattern = var;
          }
          record->fields.push_back(field);
        } while (!recovering_ && Eat(TokenKind::Comma));
      }
      ExpectCloser(TokenKind::RBrace);
      record->span = SpanFrom(begin);
      return record;
    }
    default:
      break;
  }
  ErrorExpected("a pattern", Kind::InvalidPattern);
  return NewPattern<ErrorPattern>({begin, begin});
}

}  // namespace atl::parse
