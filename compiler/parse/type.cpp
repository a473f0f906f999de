// Types.
#include <fmt/core.h>

#include "compiler/parse/parser.h"

namespace atl::parse {

using diag::Kind;
using lex::TokenKind;

auto Parser::CanStartAType(TokenKind kind) const -> bool {
  return kind == TokenKind::LowerId || kind == TokenKind::UpperId || kind == TokenKind::LParen ||
         kind == TokenKind::LBrace;
}

// `forall ... . T` or `b1 -> b2 -> ... -> T` (right associative, built iteratively).
auto Parser::ParseType() -> Type* {
  uint32_t begin = StartOf(Peek());
  if (!EnterDepth()) {
    --depth_;
    return NewType<ErrorType>(SpanFrom(begin));
  }
  DepthGuard guard{*this};
  if (At(TokenKind::KwForall)) return ParseForall();
  std::vector<Type*> parts{ParseBType()};
  while (!recovering_ && Eat(TokenKind::Arrow)) {
    if (At(TokenKind::KwForall)) {
      parts.push_back(ParseType());
      break;
    }
    parts.push_back(ParseBType());
    if (parts.size() > kMaxChain) {
      Error(Kind::NestingTooDeep, Peek().span, "function type too long");
      SkipToItemEnd();
      break;
    }
  }
  Type* result = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) {
    auto* fn = NewType<FunctionType>(Span::Join(parts[i]->span, result->span));
    fn->param = parts[i];
    fn->result = result;
    result = fn;
  }
  return result;
}

// `forall a b (s | t <= s, u <= s). body`
auto Parser::ParseForall() -> Type* {
  uint32_t begin = StartOf(Advance());
  auto* forall = NewType<ForallType>({begin, begin});
  while (!recovering_) {
    if (At(TokenKind::LowerId)) {
      forall->vars.push_back(ParseName(TokenKind::LowerId, ""));
    } else if (At(TokenKind::LParen)) {
      Advance();
      while (At(TokenKind::LowerId)) forall->vars.push_back(ParseName(TokenKind::LowerId, ""));
      if (Eat(TokenKind::Pipe)) {
        do {
          RegionBound bound;
          uint32_t bound_begin = StartOf(Peek());
          bound.lower = ParseName(TokenKind::LowerId, "a region variable");
          Expect(TokenKind::LessEq, "in a region bound `t <= s`");
          bound.upper = ParseName(TokenKind::LowerId, "a region variable");
          bound.span = SpanFrom(bound_begin);
          forall->bounds.push_back(bound);
        } while (!recovering_ && Eat(TokenKind::Comma));
      }
      ExpectCloser(TokenKind::RParen, "to close the bounded binder");
    } else {
      break;
    }
  }
  if (forall->vars.empty()) ErrorExpected("a type variable after `forall`");
  Expect(TokenKind::Dot, "after the `forall` binders");
  forall->body = ParseType();
  forall->span = SpanFrom(begin);
  return forall;
}

auto Parser::ParseBType() -> Type* {
  uint32_t begin = StartOf(Peek());
  Type* fn = ParseAType();
  std::vector<Type*> args;
  while (!recovering_ && CanStartAType(PeekKind())) args.push_back(ParseAType());
  if (args.empty()) return fn;
  auto* app = NewType<AppType>(SpanFrom(begin));
  app->fn = fn;
  app->args = std::move(args);
  return app;
}

auto Parser::ParseAType() -> Type* {
  const Token& t = Peek();
  uint32_t begin = t.span.begin;
  switch (t.kind) {
    case TokenKind::LowerId: {
      Advance();
      auto* var = NewType<VarType>(t.span);
      var->name = Text(t);
      return var;
    }
    case TokenKind::UpperId: {
      auto* con = NewType<ConType>({begin, begin});
      const Token& name = ParseQualified(&con->qualifier);
      con->name = Text(name);
      con->span = SpanFrom(begin);
      return con;
    }
    case TokenKind::LParen: {
      Advance();
      if (Eat(TokenKind::RParen)) return NewType<UnitType>(SpanFrom(begin));
      std::vector<Type*> elements;
      do {
        elements.push_back(ParseType());
      } while (!recovering_ && Eat(TokenKind::Comma));
      ExpectCloser(TokenKind::RParen);
      if (elements.size() == 1) return elements[0];
      auto* tuple = NewType<TupleType>(SpanFrom(begin));
      tuple->elements = std::move(elements);
      return tuple;
    }
    case TokenKind::LBrace: {
      Advance();
      auto* record = NewType<RecordType>({begin, begin});
      if (!At(TokenKind::RBrace)) {
        do {
          FieldType field;
          field.name = ParseName(TokenKind::LowerId, "a field name");
          Expect(TokenKind::Colon, "after the field name");
          field.type = ParseType();
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
  ErrorExpected("a type");
  return NewType<ErrorType>({begin, begin});
}

}  // namespace atl::parse
