#include "compiler/parse/ast.h"

#include "compiler/parse/parse.h"

namespace atl::parse {

auto Spelling(BinaryOp op) -> std::string_view {
  switch (op) {
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::Mod:
      return "%";
    case BinaryOp::FMul:
      return "*.";
    case BinaryOp::FDiv:
      return "/.";
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::FAdd:
      return "+.";
    case BinaryOp::FSub:
      return "-.";
    case BinaryOp::Cons:
      return "::";
    case BinaryOp::Append:
      return "++";
    case BinaryOp::Eq:
      return "==";
    case BinaryOp::Ne:
      return "/=";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::And:
      return "&&";
    case BinaryOp::Or:
      return "||";
    case BinaryOp::Bind:
      return ">>=";
    case BinaryOp::Then:
      return ">>";
    case BinaryOp::Dollar:
      return "$";
  }
  return "?";
}

auto BinaryPrecedence(BinaryOp op) -> int {
  switch (op) {
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
      return 9;
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
      return 8;
    case BinaryOp::Cons:
    case BinaryOp::Append:
      return 7;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      return 6;
    case BinaryOp::And:
      return 5;
    case BinaryOp::Or:
      return 4;
    case BinaryOp::Bind:
    case BinaryOp::Then:
      return 3;
    case BinaryOp::Dollar:
      return 2;
  }
  return 0;
}

auto BinaryAssoc(BinaryOp op) -> Assoc {
  switch (op) {
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod:
    case BinaryOp::FMul:
    case BinaryOp::FDiv:
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::FAdd:
    case BinaryOp::FSub:
    case BinaryOp::Bind:
    case BinaryOp::Then:
      return Assoc::Left;
    case BinaryOp::Cons:
    case BinaryOp::Append:
    case BinaryOp::And:
    case BinaryOp::Or:
    case BinaryOp::Dollar:
      return Assoc::Right;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      return Assoc::None;
  }
  return Assoc::Left;
}

}  // namespace atl::parse
