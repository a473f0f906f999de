// Parser infrastructure, modules and declarations.
#include "compiler/parse/parser.h"

#include <fmt/core.h>

#include "compiler/layout/layout.h"
#include "compiler/lex/lex.h"
#include "compiler/parse/parse.h"

namespace atl::parse {

using diag::Kind;
using lex::TokenKind;

// ---------------------------------------------------------------- tokens

auto Parser::Peek(size_t ahead) const -> const Token& {
  size_t index = pos_ + ahead;
  return index < tokens_.tokens.size() ? tokens_.tokens[index] : tokens_.tokens.back();
}

auto Parser::Advance() -> const Token& {
  const Token& t = tokens_.tokens[pos_];
  if (t.kind == TokenKind::Eof) return t;
  if (t.span.end > t.span.begin) last_end_ = t.span.end;
  ++pos_;
  return t;
}

auto Parser::Eat(TokenKind kind) -> bool {
  if (!At(kind)) return false;
  Advance();
  return true;
}

auto Parser::Expect(TokenKind kind, std::string_view context) -> bool {
  if (Eat(kind)) return true;
  std::string what = fmt::format("`{}`", lex::KindName(kind));
  if (!context.empty()) what += fmt::format(" {}", context);
  ErrorExpected(what);
  return false;
}

auto Parser::ExpectCloser(TokenKind kind, std::string_view context) -> void {
  if (Expect(kind, context)) return;
  SkipToItemEnd();
  Eat(kind);
}

// The value of a literal token (IntLit, FloatLit, CharLit or StringLit);
// expressions and patterns share it.
auto Parser::LiteralOf(const Token& t) const -> Literal {
  Literal lit;
  switch (t.kind) {
    case TokenKind::IntLit:
      lit.kind = LiteralKind::Int;
      lit.int_value = tokens_.Int(t);
      break;
    case TokenKind::FloatLit:
      lit.kind = LiteralKind::Float;
      lit.float_value = tokens_.Float(t);
      break;
    case TokenKind::CharLit:
      lit.kind = LiteralKind::Char;
      lit.char_value = static_cast<char32_t>(tokens_.Int(t));
      break;
    default:
      lit.kind = LiteralKind::String;
      lit.string_value = Text(t);
      break;
  }
  return lit;
}

auto Parser::Found(const Token& t) const -> std::string {
  switch (t.kind) {
    case TokenKind::VLBrace:
    case TokenKind::VSemicolon:
    case TokenKind::VRBrace:
    case TokenKind::Eof:
      return std::string(lex::Describe(t.kind));
    default: {
      std::string_view text = tokens_.file->Slice(t.span);
      if (text.size() > 40) return fmt::format("`{}...`", text.substr(0, 40));
      return fmt::format("`{}`", text);
    }
  }
}

// ---------------------------------------------------------------- diagnostics

auto Parser::Error(Kind kind, Span span, std::string message) -> void {
  if (recovering_) return;
  diags_.Report(kind, *tokens_.file, span, std::move(message));
  recovering_ = true;
}

auto Parser::ErrorExpected(std::string_view what, Kind kind) -> void {
  const Token& t = Peek();
  // A layout token or the end of the file: point just after the previous token,
  // on the line where something is missing.
  bool virtual_token = t.kind == TokenKind::VSemicolon || t.kind == TokenKind::VRBrace ||
                       t.kind == TokenKind::VLBrace || t.kind == TokenKind::Eof;
  Span span = virtual_token && last_end_ > 0 ? Span{last_end_, last_end_} : t.span;
  if (span.begin > 0 && virtual_token && last_end_ > 0) {
    // Keep the caret on the previous token's line.
    span = {last_end_ - 1, last_end_};
  }
  Error(kind, span, fmt::format("expected {}, found {}", what, Found(t)));
}

auto Parser::SkipToItemEnd() -> void {
  int depth = 0;
  while (true) {
    TokenKind k = PeekKind();
    switch (k) {
      case TokenKind::Eof:
        return;
      case TokenKind::Semicolon:
      case TokenKind::VSemicolon:
        if (depth == 0) return;
        break;
      case TokenKind::LParen:
      case TokenKind::LBracket:
      case TokenKind::LBrace:
      case TokenKind::VLBrace:
        ++depth;
        break;
      case TokenKind::RParen:
      case TokenKind::RBracket:
      case TokenKind::RBrace:
      case TokenKind::VRBrace:
        if (depth == 0) return;
        --depth;
        break;
      default:
        break;
    }
    Advance();
  }
}

// Whether the current block item contains `<-` outside any bracket or nested block.
auto Parser::ItemHasLeftArrow() const -> bool {
  int depth = 0;
  for (size_t i = pos_; i < tokens_.tokens.size(); ++i) {
    switch (tokens_.tokens[i].kind) {
      case TokenKind::LeftArrow:
        if (depth == 0) return true;
        break;
      case TokenKind::Eof:
        return false;
      case TokenKind::Semicolon:
      case TokenKind::VSemicolon:
        if (depth == 0) return false;
        break;
      case TokenKind::LParen:
      case TokenKind::LBracket:
      case TokenKind::LBrace:
      case TokenKind::VLBrace:
        ++depth;
        break;
      case TokenKind::RParen:
      case TokenKind::RBracket:
      case TokenKind::RBrace:
      case TokenKind::VRBrace:
        if (depth == 0) return false;
        --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

auto Parser::EnterDepth() -> bool {
  ++depth_;
  if (depth_ <= kMaxDepth) return true;
  if (!depth_reported_) {
    bool was = recovering_;
    recovering_ = false;
    Error(Kind::NestingTooDeep, Peek().span,
          fmt::format("nesting deeper than {} levels", kMaxDepth));
    recovering_ = recovering_ || was;
    depth_reported_ = true;
  }
  recovering_ = true;
  SkipToItemEnd();
  return false;
}

// ---------------------------------------------------------------- module

auto Parser::ParseModule() -> void {
  if (Eat(TokenKind::KwModule)) {
    if (At(TokenKind::UpperId)) {
      uint32_t begin = StartOf(Peek());
      std::string qualifier;
      const Token& last = ParseQualified(&qualifier);
      module_.name.text = qualifier.empty() ? Text(last) : qualifier + "." + Text(last);
      module_.name.span = {begin, last.span.end};
    } else {
      ErrorExpected("a module name");
    }
    if (!Expect(TokenKind::KwWhere, "after the module name")) {
      // Resynchronise at the declarations' block.
      while (!At(TokenKind::VLBrace) && !At(TokenKind::LBrace) && !At(TokenKind::Eof)) Advance();
    }
  }
  ParseBlock("the module's declarations", [&] { ParseTopItem(); });
  if (!At(TokenKind::Eof)) {
    recovering_ = false;
    ErrorExpected("the end of the file", Kind::InvalidDeclaration);
  }
}

auto Parser::ParseTopItem() -> void {
  switch (PeekKind()) {
    case TokenKind::KwImport: {
      uint32_t begin = StartOf(Peek());
      Advance();
      if (!module_.decls.empty()) {
        Error(Kind::MisplacedModuleHeader, SpanFrom(begin),
              "`import` must come before every other declaration");
        recovering_ = false;
      }
      Import import;
      if (At(TokenKind::UpperId)) {
        uint32_t name_begin = StartOf(Peek());
        std::string qualifier;
        const Token& last = ParseQualified(&qualifier);
        import.module.text = qualifier.empty() ? Text(last) : qualifier + "." + Text(last);
        import.module.span = {name_begin, last.span.end};
      } else {
        ErrorExpected("a module name after `import`");
        return;
      }
      import.span = SpanFrom(begin);
      module_.imports.push_back(import);
      return;
    }
    case TokenKind::KwModule:
      Error(Kind::MisplacedModuleHeader, Peek().span,
            "`module ... where` may only appear once, at the start of the file");
      SkipToItemEnd();
      return;
    case TokenKind::LowerId:
      if (AtExport()) {
        // `export f` or `export f : T` (docs/embedding.md): `f` becomes callable
        // from a host when the module is built as a library.
        Advance();
        module_.exports.push_back(Name{Text(Peek()), Peek().span});
        if (PeekKind(1) != TokenKind::Colon) {
          Advance();
          return;
        }
      }
      break;
    default:
      break;
  }
  if (Decl* decl = ParseDecl(true)) AddDecl(module_.decls, decl);
}

// `export` is not a keyword: it starts an export only when a name follows
// and then the end of the item or `:`, so `export x = e` still defines a
// function named `export`.
auto Parser::AtExport() const -> bool {
  if (PeekKind() != TokenKind::LowerId || Text(Peek()) != "export" ||
      PeekKind(1) != TokenKind::LowerId)
    return false;
  const TokenKind after = PeekKind(2);
  return after == TokenKind::Colon || IsSeparator(after) || after == TokenKind::VRBrace ||
         after == TokenKind::RBrace || after == TokenKind::Eof;
}

// Adjacent clauses of one name form one ValueDecl.
auto Parser::AddDecl(std::vector<Decl*>& decls, Decl* decl) -> void {
  if (auto* value = DynCast<ValueDecl>(decl); value && !decls.empty()) {
    if (auto* last = DynCast<ValueDecl>(decls.back());
        last && last->name.text == value->name.text) {
      for (Clause& clause : value->clauses) last->clauses.push_back(clause);
      last->span = Span::Join(last->span, value->span);
      return;
    }
  }
  decls.push_back(decl);
}

auto Parser::ParseDecl(bool top_level) -> Decl* {
  switch (PeekKind()) {
    case TokenKind::KwData:
      if (!top_level) break;
      return ParseData();
    case TokenKind::KwType:
      if (!top_level) break;
      return ParseTypeAlias();
    case TokenKind::LowerId:
      if (PeekKind(1) == TokenKind::Colon) return ParseSignature();
      return ParseClauseDecl();
    case TokenKind::LParen:
    case TokenKind::LBracket:
    case TokenKind::LBrace:
    case TokenKind::Underscore:
    case TokenKind::UpperId:
      return ParsePatternBind();
    default:
      break;
  }
  uint32_t begin = StartOf(Peek());
  ErrorExpected(top_level ? "a declaration" : "a binding", Kind::InvalidDeclaration);
  SkipToItemEnd();
  return NewDecl<ErrorDecl>(SpanFrom(begin));
}

auto Parser::ParseName(TokenKind kind, std::string_view what) -> Name {
  Name name;
  if (At(kind)) {
    const Token& t = Advance();
    name.text = Text(t);
    name.span = t.span;
  } else {
    ErrorExpected(what);
    name.span = {Peek().span.begin, Peek().span.begin};
  }
  return name;
}

auto Parser::ParseData() -> Decl* {
  uint32_t begin = StartOf(Advance());
  auto* data = NewDecl<DataDecl>({begin, begin});
  data->name = ParseName(TokenKind::UpperId, "a type name after `data`");
  while (At(TokenKind::LowerId)) data->params.push_back(ParseName(TokenKind::LowerId, ""));
  if (Expect(TokenKind::Equals, "after the data type's name and parameters")) {
    Eat(TokenKind::Pipe);
    do {
      ConstructorDecl ctor;
      uint32_t ctor_begin = StartOf(Peek());
      ctor.name = ParseName(TokenKind::UpperId, "a constructor name");
      while (CanStartAType(PeekKind())) ctor.fields.push_back(ParseAType());
      ctor.span = SpanFrom(ctor_begin);
      data->constructors.push_back(std::move(ctor));
    } while (!recovering_ && Eat(TokenKind::Pipe));
  }
  data->span = SpanFrom(begin);
  return data;
}

auto Parser::ParseTypeAlias() -> Decl* {
  uint32_t begin = StartOf(Advance());
  auto* alias = NewDecl<TypeAliasDecl>({begin, begin});
  alias->name = ParseName(TokenKind::UpperId, "a type name after `type`");
  while (At(TokenKind::LowerId)) alias->params.push_back(ParseName(TokenKind::LowerId, ""));
  if (Expect(TokenKind::Equals, "after the type's name and parameters")) {
    alias->type = ParseType();
  } else {
    alias->type = NewType<ErrorType>(SpanFrom(begin));
  }
  alias->span = SpanFrom(begin);
  return alias;
}

auto Parser::ParseSignature() -> Decl* {
  uint32_t begin = StartOf(Peek());
  auto* sig = NewDecl<SignatureDecl>({begin, begin});
  sig->name = ParseName(TokenKind::LowerId, "a name");
  Advance();  // `:`
  sig->type = ParseType();
  sig->span = SpanFrom(begin);
  return sig;
}

auto Parser::ParseClauseDecl() -> Decl* {
  uint32_t begin = StartOf(Peek());
  auto* value = NewDecl<ValueDecl>({begin, begin});
  value->name = ParseName(TokenKind::LowerId, "a name");
  Clause clause;
  while (CanStartAPattern(PeekKind())) clause.params.push_back(ParseAPattern());
  if (At(TokenKind::ColonColon) && clause.params.empty()) {
    // The Haskell habit `f :: T`.
    Error(Kind::UnexpectedToken, Peek().span, "a signature is written `name : Type` (one colon)");
  }
  if (Expect(TokenKind::Equals,
             clause.params.empty() ? "after the name" : "after the parameters")) {
    clause.body = ParseExpr();
  } else {
    clause.body = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  clause.span = SpanFrom(begin);
  value->clauses.push_back(clause);
  value->span = clause.span;
  return value;
}

auto Parser::ParsePatternBind() -> Decl* {
  uint32_t begin = StartOf(Peek());
  auto* bind = NewDecl<PatternBindDecl>({begin, begin});
  bind->pattern = ParsePattern();
  if (Expect(TokenKind::Equals, "after the pattern")) {
    bind->body = ParseExpr();
  } else {
    bind->body = NewExpr<ErrorExpr>(SpanFrom(begin));
  }
  bind->span = SpanFrom(begin);
  return bind;
}

auto Parser::ParseDeclBlock() -> std::vector<Decl*> {
  std::vector<Decl*> decls;
  ParseBlock("bindings", [&] {
    if (Decl* decl = ParseDecl(false)) AddDecl(decls, decl);
  });
  return decls;
}

// ---------------------------------------------------------------- entry points

auto Parse(std::shared_ptr<const source::SourceFile> file, diag::Diagnostics& diags, IdBase base)
    -> Module {
  Module module;
  module.file = file;
  module.expr_count = base.expr;
  module.pattern_count = base.pattern;
  module.type_count = base.type;
  module.decl_count = base.decl;
  module.stmt_count = base.stmt;
  module.arena = std::make_unique<Arena>();
  lex::TokenBuffer tokens = layout::Layout(lex::Lex(file, diags), diags);
  Parser(std::move(tokens), diags, module).ParseModule();
  return module;
}

auto ParseFile(const std::string& path, diag::Diagnostics& diags, IdBase base)
    -> std::optional<Module> {
  std::string error;
  auto file = source::SourceFile::Load(path, &error);
  if (!file) {
    diags.Report(Kind::CannotReadFile, fmt::format("cannot read `{}`: {}", path, error));
    return std::nullopt;
  }
  return Parse(std::move(file), diags, base);
}

}  // namespace atl::parse
