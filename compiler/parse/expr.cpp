// Expressions and do statements.
#include <fmt/core.h>

#include <vector>

#include "compiler/parse/parse.h"
#include "compiler/parse/parser.h"

namespace atl::parse {

using diag::Kind;
using lex::TokenKind;

auto Parser::CanStartAtom(TokenKind kind) const -> bool {
  switch (kind) {
    case TokenKind::LowerId:
    case TokenKind::UpperId:
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

// Expressions that extend as far right as possible; allowed as the last argument.
auto Parser::IsBlockExprStart(TokenKind kind) const -> bool {
  return kind == TokenKind::Backslash || kind == TokenKind::KwDo || kind == TokenKind::KwCase ||
         kind == TokenKind::KwIf || kind == TokenKind::KwLet;
}

auto Parser::BinaryOpOf(TokenKind kind) const -> std::optional<BinaryOp> {
  switch (kind) {
    case TokenKind::Star:
      return BinaryOp::Mul;
    case TokenKind::Slash:
      return BinaryOp::Div;
    case TokenKind::Percent:
      return BinaryOp::Mod;
    case TokenKind::StarDot:
      return BinaryOp::FMul;
    case TokenKind::SlashDot:
      return BinaryOp::FDiv;
    case TokenKind::Plus:
      return BinaryOp::Add;
    case TokenKind::Minus:
      return BinaryOp::Sub;
    case TokenKind::PlusDot:
      return BinaryOp::FAdd;
    case TokenKind::MinusDot:
      return BinaryOp::FSub;
    case TokenKind::ColonColon:
      return BinaryOp::Cons;
    case TokenKind::PlusPlus:
      return BinaryOp::Append;
    case TokenKind::EqEq:
      return BinaryOp::Eq;
    case TokenKind::SlashEq:
      return BinaryOp::Ne;
    case TokenKind::Less:
      return BinaryOp::Lt;
    case TokenKind::LessEq:
      return BinaryOp::Le;
    case TokenKind::Greater:
      return BinaryOp::Gt;
    case TokenKind::GreaterEq:
      return BinaryOp::Ge;
    case TokenKind::AndAnd:
      return BinaryOp::And;
    case TokenKind::OrOr:
      return BinaryOp::Or;
    case TokenKind::BindOp:
      return BinaryOp::Bind;
    case TokenKind::ThenOp:
      return BinaryOp::Then;
    case TokenKind::Dollar:
      return BinaryOp::Dollar;
    default:
      return std::nullopt;
  }
}

// `A.B.x`: consumes a dotted name written without spaces and returns its last
// token; *qualifier receives "A.B" (empty when unqualified).
auto Parser::ParseQualified(std::string* qualifier) -> const Token& {
  while (PeekKind() == TokenKind::UpperId && PeekKind(1) == TokenKind::Dot &&
         !Peek(1).space_before &&
         (PeekKind(2) == TokenKind::UpperId || PeekKind(2) == TokenKind::LowerId) &&
         !Peek(2).space_before) {
    if (!qualifier->empty()) *qualifier += '.';
    *qualifier += Text(Advance());
    Advance();  // `.`
  }
  return Advance();
}

auto Parser::ParseExpr() -> Expr* {
  uint32_t begin = StartOf(Peek());
  if (!EnterDepth()) {
    --depth_;
    return NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  DepthGuard guard{*this};
  return ParseOpExpr();
}

// Operator precedence by shunting-yard: iterative, so long operator chains
// do not deepen the C++ stack.
auto Parser::ParseOpExpr() -> Expr* {
  struct PendingOp {
    BinaryOp op;
    Span span;
  };
  std::vector<Expr*> operands{ParsePrefixExpr()};
  std::vector<PendingOp> ops;
  size_t chain_length = 0;
  auto reduce = [&] {
    Expr* rhs = operands.back();
    operands.pop_back();
    Expr* lhs = operands.back();
    auto* bin = NewExpr<BinaryExpr>(Span::Join(lhs->span, rhs->span));
    bin->op = ops.back().op;
    bin->op_span = ops.back().span;
    bin->lhs = lhs;
    bin->rhs = rhs;
    operands.back() = bin;
    ops.pop_back();
  };
  while (auto op = BinaryOpOf(PeekKind())) {
    const Token& tok = Advance();
    int prec = BinaryPrecedence(*op);
    while (!ops.empty()) {
      int top = BinaryPrecedence(ops.back().op);
      if (top > prec || (top == prec && BinaryAssoc(*op) == Assoc::Left)) {
        reduce();
      } else {
        if (top == prec && BinaryAssoc(*op) == Assoc::None) {
          Error(Kind::UnexpectedToken, tok.span,
                fmt::format("comparison operators cannot be chained: `{}` after `{}` needs "
                            "parentheses",
                            Spelling(*op), Spelling(ops.back().op)));
        }
        break;
      }
    }
    ops.push_back({*op, tok.span});
    // The tree of a chain is as deep as the chain is long; later phases recurse on it.
    if (++chain_length > kMaxChain) {
      Error(Kind::NestingTooDeep, tok.span, "operator chain too long");
      SkipToItemEnd();
      operands.push_back(NewExpr<ErrorExpr>(tok.span));  // keeps operands == ops + 1
      break;
    }
    operands.push_back(ParsePrefixExpr());
  }
  while (!ops.empty()) reduce();
  return operands.back();
}

auto Parser::ParsePrefixExpr() -> Expr* {
  if (!At(TokenKind::Minus)) return ParseLExpr();
  uint32_t begin = StartOf(Advance());
  if (!EnterDepth()) {
    --depth_;
    return NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  DepthGuard guard{*this};
  Expr* operand = ParsePrefixExpr();
  auto* neg = NewExpr<NegateExpr>(SpanFrom(begin));
  neg->operand = operand;
  return neg;
}

auto Parser::ParseLExpr() -> Expr* {
  switch (PeekKind()) {
    case TokenKind::Backslash:
      return ParseLambda();
    case TokenKind::KwLet:
      return ParseLet();
    case TokenKind::KwIf:
      return ParseIf();
    case TokenKind::KwCase:
      return ParseCase();
    case TokenKind::KwDo:
      return ParseDo();
    default:
      return ParseApplication();
  }
}

auto Parser::ParseApplication() -> Expr* {
  uint32_t begin = StartOf(Peek());
  Expr* fn = ParseAExpr();
  std::vector<Expr*> args;
  while (!recovering_) {
    if (CanStartAtom(PeekKind())) {
      args.push_back(ParseAExpr());
    } else if (IsBlockExprStart(PeekKind())) {
      args.push_back(ParseLExpr());  // `f \x -> ...`, `when c do ...`: extends to the end
      break;
    } else {
      break;
    }
  }
  if (args.empty()) return fn;
  auto* app = NewExpr<AppExpr>(SpanFrom(begin));
  app->fn = fn;
  app->args = std::move(args);
  return app;
}

// An atom followed by field accesses `.f` written without spaces.
auto Parser::ParseAExpr() -> Expr* {
  uint32_t begin = StartOf(Peek());
  Expr* e = ParseAtom();
  size_t chain = 0;
  while (At(TokenKind::Dot) && !Peek().space_before && PeekKind(1) == TokenKind::LowerId &&
         !Peek(1).space_before) {
    Advance();
    const Token& field = Advance();
    auto* access = NewExpr<FieldExpr>(SpanFrom(begin));
    access->record = e;
    access->field = Name{Text(field), field.span};
    e = access;
    if (++chain > kMaxChain) {
      Error(Kind::NestingTooDeep, field.span, "field access chain too long");
      SkipToItemEnd();
      break;
    }
  }
  if (At(TokenKind::Dot) && !recovering_) {
    Error(Kind::UnexpectedToken, Peek().span,
          "`.` is field access and must touch both the record and the field name (`r.f`)");
  }
  return e;
}

auto Parser::ParseAtom() -> Expr* {
  const Token& t = Peek();
  switch (t.kind) {
    case TokenKind::LowerId: {
      Advance();
      auto* var = NewExpr<VarExpr>(t.span);
      var->name = Text(t);
      return var;
    }
    case TokenKind::UpperId: {
      uint32_t begin = t.span.begin;
      std::string qualifier;
      const Token& last = ParseQualified(&qualifier);
      if (last.kind == TokenKind::LowerId) {
        auto* var = NewExpr<VarExpr>(SpanFrom(begin));
        var->qualifier = qualifier;
        var->name = Text(last);
        return var;
      }
      auto* con = NewExpr<ConExpr>(SpanFrom(begin));
      con->qualifier = qualifier;
      con->name = Text(last);
      return con;
    }
    case TokenKind::IntLit:
    case TokenKind::FloatLit:
    case TokenKind::CharLit:
    case TokenKind::StringLit: {
      Advance();
      auto* lit = NewExpr<LiteralExpr>(t.span);
      lit->literal = LiteralOf(t);
      return lit;
    }
    case TokenKind::LParen:
      return ParseParenExpr();
    case TokenKind::LBracket:
      return ParseListExpr();
    case TokenKind::LBrace:
      return ParseRecordExpr();
    default:
      break;
  }
  ErrorExpected("an expression");
  return NewExpr<ErrorExpr>({t.span.begin, t.span.begin});
}

// `()`, `(op)`, `(e)`, `(e : T)`, `(a, b, ...)`.
auto Parser::ParseParenExpr() -> Expr* {
  uint32_t begin = StartOf(Advance());
  if (Eat(TokenKind::RParen)) return NewExpr<UnitExpr>(SpanFrom(begin));
  if (auto op = BinaryOpOf(PeekKind()); op && PeekKind(1) == TokenKind::RParen) {
    Advance();
    Advance();
    auto* ref = NewExpr<OpRefExpr>(SpanFrom(begin));
    ref->op = *op;
    return ref;
  }
  std::vector<Expr*> elements;
  do {
    uint32_t element_begin = StartOf(Peek());
    Expr* e = ParseExpr();
    if (Eat(TokenKind::Colon)) {
      auto* annot = NewExpr<AnnotExpr>({element_begin, element_begin});
      annot->expr = e;
      annot->type = ParseType();
      annot->span = SpanFrom(element_begin);
      e = annot;
    }
    elements.push_back(e);
  } while (!recovering_ && Eat(TokenKind::Comma));
  ExpectCloser(TokenKind::RParen);
  if (elements.size() == 1) {
    // Parentheses leave no node, but an annotation's span includes them.
    if (elements[0]->kind == ExprKind::Annot) elements[0]->span = SpanFrom(begin);
    return elements[0];
  }
  auto* tuple = NewExpr<TupleExpr>(SpanFrom(begin));
  tuple->elements = std::move(elements);
  return tuple;
}

auto Parser::ParseListExpr() -> Expr* {
  uint32_t begin = StartOf(Advance());
  auto* list = NewExpr<ListExpr>({begin, begin});
  if (!At(TokenKind::RBracket)) {
    do {
      list->elements.push_back(ParseExpr());
    } while (!recovering_ && Eat(TokenKind::Comma));
  }
  ExpectCloser(TokenKind::RBracket);
  list->span = SpanFrom(begin);
  return list;
}

auto Parser::ParseFieldInits(std::vector<FieldInit>& fields) -> void {
  do {
    FieldInit field;
    field.name = ParseName(TokenKind::LowerId, "a field name");
    if (Expect(TokenKind::Equals, "after the field name")) {
      field.value = ParseExpr();
    } else {
      field.value = NewExpr<ErrorExpr>(field.name.span);
    }
    fields.push_back(field);
  } while (!recovering_ && Eat(TokenKind::Comma));
}

// `{}`, `{ f = e, ... }` or `{ r | f = e, ... }`.
auto Parser::ParseRecordExpr() -> Expr* {
  uint32_t begin = StartOf(Advance());
  Expr* result = nullptr;
  if (At(TokenKind::RBrace) || (At(TokenKind::LowerId) && PeekKind(1) == TokenKind::Equals)) {
    auto* lit = NewExpr<RecordLitExpr>({begin, begin});
    if (!At(TokenKind::RBrace)) ParseFieldInits(lit->fields);
    result = lit;
  } else {
    auto* update = NewExpr<RecordUpdateExpr>({begin, begin});
    update->record = ParseExpr();
    if (Expect(TokenKind::Pipe, "in a record update `{ r | f = e }`"))
      ParseFieldInits(update->fields);
    result = update;
  }
  ExpectCloser(TokenKind::RBrace);
  result->span = SpanFrom(begin);
  return result;
}

auto Parser::ParseLambda() -> Expr* {
  uint32_t begin = StartOf(Advance());
  auto* lambda = NewExpr<LambdaExpr>({begin, begin});
  while (CanStartAPattern(PeekKind())) lambda->params.push_back(ParseAPattern());
  if (lambda->params.empty()) ErrorExpected("a parameter after `\\`", Kind::InvalidPattern);
  if (Expect(TokenKind::Arrow, "after the lambda's parameters")) {
    lambda->body = ParseExpr();
  } else {
    lambda->body = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  lambda->span = SpanFrom(begin);
  return lambda;
}

auto Parser::ParseLet() -> Expr* {
  uint32_t begin = StartOf(Advance());
  auto* let = NewExpr<LetExpr>({begin, begin});
  let->decls = ParseDeclBlock();
  if (Expect(TokenKind::KwIn, "after the `let` bindings")) {
    let->body = ParseExpr();
  } else {
    let->body = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  let->span = SpanFrom(begin);
  return let;
}

auto Parser::ParseIf() -> Expr* {
  uint32_t begin = StartOf(Advance());
  auto* e = NewExpr<IfExpr>({begin, begin});
  e->cond = ParseExpr();
  // Inside a do block `then`/`else` may sit at the statement column.
  if (At(TokenKind::VSemicolon) && PeekKind(1) == TokenKind::KwThen) Advance();
  if (Expect(TokenKind::KwThen, "after the condition")) {
    e->then_branch = ParseExpr();
  } else {
    e->then_branch = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  if (At(TokenKind::VSemicolon) && PeekKind(1) == TokenKind::KwElse) Advance();
  if (Expect(TokenKind::KwElse, "(an `if` needs both branches)")) {
    e->else_branch = ParseExpr();
  } else {
    e->else_branch = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  e->span = SpanFrom(begin);
  return e;
}

auto Parser::ParseCase() -> Expr* {
  uint32_t begin = StartOf(Advance());
  auto* e = NewExpr<CaseExpr>({begin, begin});
  e->scrutinee = ParseExpr();
  if (Expect(TokenKind::KwOf, "after the scrutinee of `case`")) {
    ParseBlock("case alternatives", [&] {
      CaseAlt alt;
      uint32_t alt_begin = StartOf(Peek());
      alt.pattern = ParsePattern();
      if (Expect(TokenKind::Arrow, "after the pattern")) {
        alt.body = ParseExpr();
      } else {
        alt.body = NewExpr<ErrorExpr>(SpanFrom(alt_begin));
      }
      alt.span = SpanFrom(alt_begin);
      e->alts.push_back(alt);
    });
  }
  e->span = SpanFrom(begin);
  return e;
}

auto Parser::ParseDo() -> Expr* {
  const Token& keyword = Advance();
  uint32_t begin = keyword.span.begin;
  auto* e = NewExpr<DoExpr>({begin, begin});
  ParseBlock("the statements of the `do` block", [&] { e->stmts.push_back(ParseStmt()); });
  e->span = SpanFrom(begin);
  if (e->stmts.empty()) {
    Error(Kind::EmptyDoBlock, {begin, begin + 2},
          "empty `do` block: put its statements on the following lines, indented");
  } else if (e->stmts.back()->kind != DoStmtKind::Expr) {
    Error(Kind::DoBlockEndsWithBind, e->stmts.back()->span,
          "the last statement of a `do` block must be an expression");
  }
  return e;
}

auto Parser::ParseStmt() -> DoStmt* {
  uint32_t begin = StartOf(Peek());
  if (At(TokenKind::KwLet)) {
    Advance();
    std::vector<Decl*> decls = ParseDeclBlock();
    if (At(TokenKind::KwIn)) {  // `let ... in e` used as a statement
      Advance();
      auto* let = NewExpr<LetExpr>({begin, begin});
      let->decls = std::move(decls);
      let->body = ParseExpr();
      let->span = SpanFrom(begin);
      auto* stmt = NewStmt<ExprStmt>(let->span);
      stmt->expr = let;
      return stmt;
    }
    auto* stmt = NewStmt<LetStmt>(SpanFrom(begin));
    stmt->decls = std::move(decls);
    return stmt;
  }
  if (ItemHasLeftArrow()) {
    auto* bind = NewStmt<BindStmt>({begin, begin});
    bind->pattern = ParsePattern();
    if (Expect(TokenKind::LeftArrow)) {
      bind->expr = ParseExpr();
    } else {
      bind->expr = NewExpr<ErrorExpr>(SpanFrom(begin));
    }
    bind->span = SpanFrom(begin);
    return bind;
  }
  Expr* e = ParseExpr();
  if (At(TokenKind::Equals) && !recovering_) {
    // `line = getLine`: a definition written as a statement.
    const Span equals = Peek().span;
    Advance();
    Expr* rhs = ParseExpr();
    const std::string_view text = tokens_.file->text();
    auto source_of = [&](Span span, std::string_view fallback) -> std::string {
      std::string_view part = span.end <= text.size() && span.begin < span.end
                                  ? text.substr(span.begin, span.end - span.begin)
                                  : std::string_view{};
      if (part.empty() || part.size() > 40 || part.find('\n') != std::string_view::npos)
        return std::string(fallback);
      return std::string(part);
    };
    const std::string lhs = source_of(e->span, "x");
    const std::string action =
        rhs->kind == ExprKind::Error ? std::string("...") : source_of(rhs->span, "...");
    if (e->kind == ExprKind::Var) {
      Error(diag::Kind::UnexpectedToken, equals,
            fmt::format("`=` does not bind in a do block: write `{} <- {}` to run an action, or "
                        "`let {} = ...` "
                        "for a value",
                        lhs, action, lhs));
    } else {
      Error(diag::Kind::UnexpectedToken, equals,
            fmt::format("`=` does not define in a do block: write `let {} = ...`", lhs));
    }
    e = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  auto* stmt = NewStmt<ExprStmt>(SpanFrom(begin));
  stmt->expr = e;
  return stmt;
}

}  // namespace atl::parse
