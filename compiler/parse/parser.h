// Internal to compiler/parse: the recursive-descent parser over laid-out tokens.
#ifndef ATOLL_PARSE_PARSER_H
#define ATOLL_PARSE_PARSER_H

#include <optional>
#include <string>
#include <string_view>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/lex/token.h"
#include "compiler/parse/ast.h"

namespace atl::parse {

// Parses one token stream (already through the layout pass, so brackets and
// blocks are balanced) into `module`. Recovery: after an error the parser
// stays in "recovering" mode, reporting nothing more, until the next item of
// a block (declaration, statement, case alternative), where it resynchronises
// by skipping to the item's end. Every loop consumes a token or stops, so the
// parser terminates on any input; recursion depth is capped (kMaxDepth).
class Parser {
 public:
  Parser(lex::TokenBuffer tokens, diag::Diagnostics& diags, Module& module)
      : tokens_(std::move(tokens)), diags_(diags), module_(module), arena_(*module.arena) {}

  auto ParseModule() -> void;

  static constexpr int kMaxDepth = 200;
  static constexpr size_t kMaxChain = 2000;

 private:
  using Token = lex::Token;
  using TokenKind = lex::TokenKind;

  // ---- tokens
  auto Peek(size_t ahead = 0) const -> const Token&;
  auto PeekKind(size_t ahead = 0) const -> TokenKind { return Peek(ahead).kind; }
  auto At(TokenKind kind) const -> bool { return PeekKind() == kind; }
  auto Advance() -> const Token&;
  auto Eat(TokenKind kind) -> bool;
  auto Expect(TokenKind kind, std::string_view context = {}) -> bool;
  // A closing bracket: if missing, skip to it (layout guarantees it exists).
  auto ExpectCloser(TokenKind kind, std::string_view context = {}) -> void;
  auto Text(const Token& t) const -> const std::string& { return tokens_.Text(t); }
  auto LiteralOf(const Token& t) const -> Literal;
  auto StartOf(const Token& t) const -> uint32_t { return t.span.begin; }
  auto SpanFrom(uint32_t begin) const -> Span {
    return {begin, last_end_ < begin ? begin : last_end_};
  }
  auto Found(const Token& t) const -> std::string;
  auto IsSeparator(TokenKind kind) const -> bool {
    return kind == TokenKind::Semicolon || kind == TokenKind::VSemicolon;
  }

  // ---- diagnostics and recovery
  auto Error(diag::Kind kind, Span span, std::string message) -> void;
  auto ErrorExpected(std::string_view what, diag::Kind kind = diag::Kind::UnexpectedToken) -> void;
  auto SkipToItemEnd() -> void;
  auto ItemHasLeftArrow() const -> bool;
  auto EnterDepth() -> bool;  // false (after reporting) when nesting is too deep
  struct DepthGuard {
    Parser& p;
    ~DepthGuard() { --p.depth_; }
  };

  // ---- blocks: `{ item; item }` with explicit or layout braces
  template <class ItemFn>
  auto ParseBlock(std::string_view what, ItemFn item) -> void;

  // ---- declarations (parser.cpp)
  auto ParseTopItem() -> void;
  auto AtExport() const -> bool;
  auto ParseDecl(bool top_level) -> Decl*;
  auto ParseData() -> Decl*;
  auto ParseTypeAlias() -> Decl*;
  auto ParseSignature() -> Decl*;
  auto ParseClauseDecl() -> Decl*;
  auto ParsePatternBind() -> Decl*;
  auto AddDecl(std::vector<Decl*>& decls, Decl* decl) -> void;
  auto ParseDeclBlock() -> std::vector<Decl*>;
  auto ParseName(TokenKind kind, std::string_view what) -> Name;

  // ---- expressions (expr.cpp)
  auto ParseExpr() -> Expr*;
  auto ParseOpExpr() -> Expr*;
  auto ParsePrefixExpr() -> Expr*;
  auto ParseLExpr() -> Expr*;
  auto ParseApplication() -> Expr*;
  auto ParseAExpr() -> Expr*;
  auto ParseAtom() -> Expr*;
  auto ParseParenExpr() -> Expr*;
  auto ParseListExpr() -> Expr*;
  auto ParseRecordExpr() -> Expr*;
  auto ParseFieldInits(std::vector<FieldInit>& fields) -> void;
  auto ParseLambda() -> Expr*;
  auto ParseLet() -> Expr*;
  auto ParseIf() -> Expr*;
  auto ParseCase() -> Expr*;
  auto ParseDo() -> Expr*;
  auto ParseStmt() -> DoStmt*;
  auto CanStartAtom(TokenKind kind) const -> bool;
  auto IsBlockExprStart(TokenKind kind) const -> bool;
  auto BinaryOpOf(TokenKind kind) const -> std::optional<BinaryOp>;
  auto ParseQualified(std::string* qualifier) -> const Token&;

  // ---- patterns (pattern.cpp)
  auto ParsePattern() -> Pattern*;
  auto ParseConPattern() -> Pattern*;
  auto ParseAPattern() -> Pattern*;
  auto CanStartAPattern(TokenKind kind) const -> bool;

  // ---- types (type.cpp)
  auto ParseType() -> Type*;
  auto ParseForall() -> Type*;
  auto ParseBType() -> Type*;
  auto ParseAType() -> Type*;
  auto CanStartAType(TokenKind kind) const -> bool;

  // ---- node creation (ids are dense per family)
  template <class T>
  auto NewExpr(Span span) -> T* {
    T* node = arena_.New<T>(span);
    node->id = module_.expr_count++;
    return node;
  }
  template <class T>
  auto NewPattern(Span span) -> T* {
    T* node = arena_.New<T>(span);
    node->id = module_.pattern_count++;
    return node;
  }
  template <class T>
  auto NewType(Span span) -> T* {
    T* node = arena_.New<T>(span);
    node->id = module_.type_count++;
    return node;
  }
  template <class T>
  auto NewDecl(Span span) -> T* {
    T* node = arena_.New<T>(span);
    node->id = module_.decl_count++;
    return node;
  }
  template <class T>
  auto NewStmt(Span span) -> T* {
    T* node = arena_.New<T>(span);
    node->id = module_.stmt_count++;
    return node;
  }

  lex::TokenBuffer tokens_;
  diag::Diagnostics& diags_;
  Module& module_;
  Arena& arena_;
  size_t pos_ = 0;
  uint32_t last_end_ = 0;  // end of the last consumed real (non-layout) token
  bool recovering_ = false;
  int depth_ = 0;
  bool depth_reported_ = false;
};

template <class ItemFn>
auto Parser::ParseBlock(std::string_view what, ItemFn item) -> void {
  TokenKind close = TokenKind::VRBrace;
  if (Eat(TokenKind::LBrace)) {
    close = TokenKind::RBrace;
  } else if (!Eat(TokenKind::VLBrace)) {
    ErrorExpected(what);
    return;
  }
  while (true) {
    while (IsSeparator(PeekKind())) Advance();
    if (At(close)) {
      Advance();
      return;
    }
    if (At(TokenKind::Eof)) return;
    recovering_ = false;
    item();
    if (IsSeparator(PeekKind()) || At(close)) continue;
    if (!recovering_ && At(TokenKind::KwWhere)) {
      Error(diag::Kind::UnexpectedToken, Peek().span,
            "`where` only follows `module Name`; use `let ... in` for local definitions");
    } else if (!recovering_) {
      ErrorExpected(close == TokenKind::RBrace ? "`;` or `}`" : "the end of the line");
    }
    SkipToItemEnd();
    // Layout balances brackets, so this only triggers on a stray closer; drop it.
    if (!(IsSeparator(PeekKind()) || At(close) || At(TokenKind::Eof))) Advance();
  }
}

}  // namespace atl::parse

#endif  // ATOLL_PARSE_PARSER_H
