#include "compiler/layout/layout.h"

#include <fmt/core.h>

#include <optional>
#include <vector>

namespace atl::layout {
namespace {

using lex::Token;
using lex::TokenKind;

auto IsCloser(TokenKind kind) -> bool {
  return kind == TokenKind::RParen || kind == TokenKind::RBracket || kind == TokenKind::RBrace;
}
auto CloserOf(TokenKind opener) -> TokenKind {
  switch (opener) {
    case TokenKind::LParen:
      return TokenKind::RParen;
    case TokenKind::LBracket:
      return TokenKind::RBracket;
    default:
      return TokenKind::RBrace;
  }
}
auto OpenerOf(TokenKind closer) -> TokenKind {
  switch (closer) {
    case TokenKind::RParen:
      return TokenKind::LParen;
    case TokenKind::RBracket:
      return TokenKind::LBracket;
    default:
      return TokenKind::LBrace;
  }
}
auto OpensBlock(TokenKind kind) -> bool {
  return kind == TokenKind::KwWhere || kind == TokenKind::KwLet || kind == TokenKind::KwDo ||
         kind == TokenKind::KwOf;
}

// One entry of the layout stack.
//  Implicit: a block opened by where/let/do/of (or the module) at `column`.
//  Explicit: an open bracket; `block` when it is a `{` right after a block keyword.
//  IfMarker: an `if` still waiting for its `then`/`else`, so that those
//            keywords can close blocks opened inside the condition or branch.
struct Context {
  enum class Kind : uint8_t { Implicit, Explicit, IfMarker };
  Kind kind;
  TokenKind opener;  // the keyword or bracket that opened it
  uint32_t column = 0;
  bool block = false;
  bool fresh = false;  // implicit block that has not seen its first token yet
  Token opener_token;
};

// Invariant: out_ is the token stream so far, stack_ the open contexts, and
// the brackets in out_ are balanced against the Explicit entries of stack_.
class LayoutPass {
 public:
  LayoutPass(lex::TokenBuffer tokens, diag::Diagnostics& diags)
      : in_(std::move(tokens)), diags_(diags) {}

  // `case r of` followed by `{ f = p } -> e`: the brace starts a record
  // pattern of the first alternative (an implicit block opens at it), not an
  // explicit block of alternatives. Decided by the token after the matching
  // `}` being `->`.
  static auto RecordPatternAt(const std::vector<Token>& input, size_t open) -> bool {
    int depth = 0;
    for (size_t j = open; j < input.size(); ++j) {
      switch (input[j].kind) {
        case TokenKind::LParen:
        case TokenKind::LBracket:
        case TokenKind::LBrace:
          ++depth;
          break;
        case TokenKind::RParen:
        case TokenKind::RBracket:
        case TokenKind::RBrace:
          if (--depth == 0) return j + 1 < input.size() && input[j + 1].kind == TokenKind::Arrow;
          break;
        case TokenKind::Eof:
          return false;
        default:
          break;
      }
    }
    return false;
  }

  auto Run() -> lex::TokenBuffer {
    std::vector<Token> input = std::move(in_.tokens);
    in_.tokens.clear();
    out_.reserve(input.size() + input.size() / 4);
    // Without a `module ... where` header, the module block opens at the first token.
    if (input.front().kind != TokenKind::KwModule) OpenBlock(TokenKind::KwModule, input.front());
    bool pending_open = false;
    TokenKind pending_keyword = TokenKind::KwWhere;
    for (size_t i = 0; i < input.size(); ++i) {
      const Token& t = input[i];
      if (pending_open) {
        pending_open = false;
        if (t.kind == TokenKind::LBrace &&
            !(pending_keyword == TokenKind::KwOf && RecordPatternAt(input, i))) {
          out_.push_back(t);
          stack_.push_back({Context::Kind::Explicit, TokenKind::LBrace, 0, true, false, t});
          continue;
        }
        OpenBlock(pending_keyword, t);
      }
      if (t.kind == TokenKind::Eof) {
        CloseAll(t);
        out_.push_back(t);
        break;
      }
      if (t.first_on_line) ApplyIndentation(t);
      if (Context* top = TopImplicit(); top && top->fresh) top->fresh = false;
      if (IsCloser(t.kind)) {
        CloseBracket(t);
        continue;
      }
      switch (t.kind) {
        case TokenKind::Comma:
          CloseImplicitAboveBracket(t);
          break;
        case TokenKind::KwIn:
          CloseLetFor(t);
          break;
        case TokenKind::KwThen:
        case TokenKind::KwElse:
          CloseToIfMarker(t, t.kind == TokenKind::KwElse);
          break;
        default:
          break;
      }
      out_.push_back(t);
      switch (t.kind) {
        case TokenKind::LParen:
        case TokenKind::LBracket:
        case TokenKind::LBrace:
          stack_.push_back({Context::Kind::Explicit, t.kind, 0, false, false, t});
          break;
        case TokenKind::KwIf:
          stack_.push_back({Context::Kind::IfMarker, t.kind, 0, false, false, t});
          break;
        default:
          if (OpensBlock(t.kind)) {
            pending_open = true;
            pending_keyword = t.kind;
          }
          break;
      }
    }
    in_.tokens = std::move(out_);
    return std::move(in_);
  }

 private:
  auto Virtual(TokenKind kind, const Token& at) -> Token {
    Token v = at;
    v.kind = kind;
    v.span = {at.span.begin, at.span.begin};
    v.payload = 0;
    v.first_on_line = false;
    return v;
  }

  // The innermost context that is not an IfMarker, or nullptr.
  auto TopNonMarker() -> Context* {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind != Context::Kind::IfMarker) return &*it;
    }
    return nullptr;
  }
  auto TopImplicit() -> Context* {
    Context* top = TopNonMarker();
    return top && top->kind == Context::Kind::Implicit ? top : nullptr;
  }

  // Opens an implicit block whose first token is `first`. If that token is not
  // indented past the enclosing block, the block is empty (as in Haskell).
  auto OpenBlock(TokenKind keyword, const Token& first) -> void {
    Context* enclosing = TopNonMarker();
    uint32_t min_column =
        enclosing && enclosing->kind == Context::Kind::Implicit ? enclosing->column : 0;
    out_.push_back(Virtual(TokenKind::VLBrace, first));
    if (first.kind == TokenKind::Eof || first.column <= min_column) {
      out_.push_back(Virtual(TokenKind::VRBrace, first));
      return;
    }
    stack_.push_back({Context::Kind::Implicit, keyword, first.column, false, true, first});
  }

  // Pops the top context, emitting what closes it at `at`.
  auto PopOne(const Token& at) -> void {
    Context c = stack_.back();
    stack_.pop_back();
    switch (c.kind) {
      case Context::Kind::Implicit:
        out_.push_back(Virtual(TokenKind::VRBrace, at));
        break;
      case Context::Kind::Explicit:
        diags_
            .Report(diag::Kind::UnclosedBracket, *in_.file, c.opener_token.span,
                    fmt::format("unclosed `{}`", lex::KindName(c.opener)))
            .AddNote(*in_.file, {at.span.begin, at.span.begin}, "expected a closing bracket here");
        out_.push_back(Virtual(CloserOf(c.opener), at));
        break;
      case Context::Kind::IfMarker:
        break;
    }
  }

  // A token first on its line: close blocks it is left of, or start a new item.
  auto ApplyIndentation(const Token& t) -> void {
    while (Context* top = TopNonMarker()) {
      if (top->kind == Context::Kind::Implicit) {
        if (t.column < top->column) {
          PopThrough(top, t);
          continue;
        }
        if (t.column == top->column && !top->fresh)
          out_.push_back(Virtual(TokenKind::VSemicolon, t));
        return;
      }
      // An open bracket: a line left of the block around it cannot belong inside it,
      // so the bracket was left unclosed (better than swallowing the rest of the file).
      if (top->block || IsCloser(t.kind) || t.kind == TokenKind::Comma ||
          t.kind == TokenKind::Semicolon) {
        return;
      }
      auto [implicit, index] = ImplicitBelow(top);
      if (!implicit) return;
      bool outermost = index == 0;
      if (outermost ? t.column > implicit->column : t.column >= implicit->column) return;
      PopThrough(top, t);
    }
  }

  // The innermost Implicit context strictly below `c`, and its stack index.
  auto ImplicitBelow(const Context* c) -> std::pair<Context*, size_t> {
    for (size_t i = static_cast<size_t>(c - stack_.data()); i-- > 0;) {
      if (stack_[i].kind == Context::Kind::Implicit) return {&stack_[i], i};
    }
    return {nullptr, 0};
  }

  // Pops every context above `c`, and `c` itself.
  auto PopThrough(const Context* c, const Token& at) -> void {
    size_t index = static_cast<size_t>(c - stack_.data());
    while (stack_.size() > index) PopOne(at);
  }

  // Index of the innermost Explicit context, or stack_.size() when there is none.
  auto InnermostExplicit() const -> size_t {
    for (size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].kind == Context::Kind::Explicit) return i;
    }
    return stack_.size();
  }

  auto CloseBracket(const Token& t) -> void {
    TokenKind opener = OpenerOf(t.kind);
    for (size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].kind == Context::Kind::Explicit && stack_[i].opener == opener) {
        while (stack_.size() > i + 1) PopOne(t);
        stack_.pop_back();
        out_.push_back(t);
        return;
      }
    }
    diags_.Report(diag::Kind::UnmatchedClosingBracket, *in_.file, t.span,
                  fmt::format("unmatched `{}`", lex::KindName(t.kind)));
  }

  // `,` ends every implicit block opened inside the innermost bracket.
  auto CloseImplicitAboveBracket(const Token& t) -> void {
    size_t bracket = InnermostExplicit();
    if (bracket == stack_.size()) return;
    while (stack_.size() > bracket + 1) PopOne(t);
  }

  // `in` ends the innermost implicit `let` block (inside the innermost bracket).
  auto CloseLetFor(const Token& t) -> void {
    size_t bracket = InnermostExplicit();
    for (size_t i = stack_.size(); i-- > 0;) {
      if (bracket != stack_.size() && i <= bracket) return;
      if (stack_[i].kind == Context::Kind::Implicit && stack_[i].opener == TokenKind::KwLet) {
        while (stack_.size() > i) PopOne(t);
        return;
      }
    }
  }

  // `then`/`else` end the blocks opened since their `if`.
  auto CloseToIfMarker(const Token& t, bool remove_marker) -> void {
    size_t bracket = InnermostExplicit();
    for (size_t i = stack_.size(); i-- > 0;) {
      if (bracket != stack_.size() && i <= bracket) return;
      if (stack_[i].kind == Context::Kind::IfMarker) {
        while (stack_.size() > i + 1) PopOne(t);
        if (remove_marker) stack_.pop_back();
        return;
      }
    }
  }

  // At the end of the file. Only the innermost unclosed bracket is reported:
  // the others are almost always the same mistake seen from further out.
  auto CloseAll(const Token& eof) -> void {
    bool reported = false;
    while (!stack_.empty()) {
      if (stack_.back().kind == Context::Kind::Explicit && reported) {
        TokenKind opener = stack_.back().opener;
        stack_.pop_back();
        out_.push_back(Virtual(CloserOf(opener), eof));
        continue;
      }
      reported = reported || stack_.back().kind == Context::Kind::Explicit;
      PopOne(eof);
    }
  }

  lex::TokenBuffer in_;
  diag::Diagnostics& diags_;
  std::vector<Token> out_;
  std::vector<Context> stack_;
};

}  // namespace

auto Layout(lex::TokenBuffer tokens, diag::Diagnostics& diags) -> lex::TokenBuffer {
  return LayoutPass(std::move(tokens), diags).Run();
}

}  // namespace atl::layout
