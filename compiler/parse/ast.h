// The Atoll abstract syntax tree, as produced by the parser.
//
// Five node families: Expr, Pattern, Type, Decl, DoStmt. Each family has a
// base struct holding `kind` (an enum with one value per construct), `span`
// (byte offsets into Module::file) and `id` (dense per family and module, in
// creation order: use it to index side tables such as inferred types). Each
// construct is a struct deriving from its family base with a static `kKind`.
// All nodes live in the Module's Arena; pointers between nodes are plain,
// non-owning and never null unless a field's comment says "may be null".
//
// How to walk it: switch on `kind` with no `default:` (the compiler then
// flags a construct you forgot) and downcast with Cast<T>:
//
//   auto Walk(const Expr* e) -> void {
//     switch (e->kind) {
//       case ExprKind::App: {
//         const auto* app = Cast<AppExpr>(e);
//         Walk(app->fn);
//         for (const Expr* arg : app->args) Walk(arg);
//         break;
//       }
//       ...
//     }
//   }
//
// Surface sugar kept as written (the checker decides what it means):
// `f $ x` is Binary(Dollar); `a :: b` is Binary(Cons); `-x` is Negate; a
// `do` block is a list of DoStmt; a function with several clauses is one
// ValueDecl with several Clauses (adjacent clauses of one name are grouped).
// Parenthesised expressions leave no node (their span is the inner one).
// Error nodes stand where the parser recovered from a syntax error; a module
// containing any has at least one error diagnostic, so later phases may
// simply skip them.
#ifndef ATOLL_PARSE_AST_H
#define ATOLL_PARSE_AST_H

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/parse/arena.h"
#include "compiler/source/source_file.h"

namespace atl::parse {

using source::Span;

// An identifier as written, with its position. `text` is the bare name
// (no module qualifier).
struct Name {
  std::string text;
  Span span;
};

// --------------------------------------------------------------------------
// Literals (shared by expressions and patterns)

enum class LiteralKind : uint8_t { Int, Float, Char, String };

// A literal with its decoded value. Only the field matching `kind` is meaningful.
struct Literal {
  LiteralKind kind = LiteralKind::Int;
  int64_t int_value = 0;     // Int: within 63-bit signed range
  double float_value = 0;    // Float
  char32_t char_value = 0;   // Char: a Unicode scalar value
  std::string string_value;  // String: decoded, UTF-8
};

// --------------------------------------------------------------------------
// Types

enum class TypeKind : uint8_t {
  Var,       // a, s            (lower-case)
  Con,       // Int, List, Effect, Deterministic (upper-case, possibly qualified)
  App,       // List a, Effect s d a
  Function,  // a -> b          (right associative)
  Tuple,     // (a, b, ...)     (2 or more elements)
  Unit,      // ()
  Record,    // { f : T, g : U }
  Forall,    // forall a (s | t <= s). T
  Error,
};

struct Type {
  TypeKind kind;
  Span span;
  uint32_t id = 0;

 protected:
  Type(TypeKind kind, Span span) : kind(kind), span(span) {}
};

struct VarType : Type {
  static constexpr TypeKind kKind = TypeKind::Var;
  explicit VarType(Span span) : Type(kKind, span) {}
  std::string name;
};

struct ConType : Type {
  static constexpr TypeKind kKind = TypeKind::Con;
  explicit ConType(Span span) : Type(kKind, span) {}
  std::string qualifier;  // "M" for `M.T`; empty when unqualified
  std::string name;
};

struct AppType : Type {
  static constexpr TypeKind kKind = TypeKind::App;
  explicit AppType(Span span) : Type(kKind, span) {}
  Type* fn = nullptr;       // a ConType or VarType in practice
  std::vector<Type*> args;  // at least one
};

struct FunctionType : Type {
  static constexpr TypeKind kKind = TypeKind::Function;
  explicit FunctionType(Span span) : Type(kKind, span) {}
  Type* param = nullptr;
  Type* result = nullptr;
};

struct TupleType : Type {
  static constexpr TypeKind kKind = TypeKind::Tuple;
  explicit TupleType(Span span) : Type(kKind, span) {}
  std::vector<Type*> elements;  // size >= 2
};

struct UnitType : Type {
  static constexpr TypeKind kKind = TypeKind::Unit;
  explicit UnitType(Span span) : Type(kKind, span) {}
};

struct FieldType {
  Name name;
  Type* type = nullptr;
};

struct RecordType : Type {
  static constexpr TypeKind kKind = TypeKind::Record;
  explicit RecordType(Span span) : Type(kKind, span) {}
  std::vector<FieldType> fields;  // in source order; duplicates are the checker's business
};

// `lower <= upper` inside a forall binder group: `(s | t <= s)`.
struct RegionBound {
  Name lower;
  Name upper;
  Span span;
};

// `forall a b (s | t <= s, u <= s). body`. `vars` lists every bound variable
// in order (plain and grouped); `bounds` every `x <= y` written in groups.
struct ForallType : Type {
  static constexpr TypeKind kKind = TypeKind::Forall;
  explicit ForallType(Span span) : Type(kKind, span) {}
  std::vector<Name> vars;
  std::vector<RegionBound> bounds;
  Type* body = nullptr;
};

struct ErrorType : Type {
  static constexpr TypeKind kKind = TypeKind::Error;
  explicit ErrorType(Span span) : Type(kKind, span) {}
};

// --------------------------------------------------------------------------
// Patterns

enum class PatternKind : uint8_t {
  Var,       // x
  Wildcard,  // _
  Literal,   // 0, -1, 'c', "s", 1.5
  Con,       // Nothing, Just x, Node l v r
  Tuple,     // (p, q, ...)  (2 or more)
  Unit,      // ()
  List,      // [] or [p, q]
  Cons,      // p :: ps     (right associative)
  Record,    // { f = p, g }  (`g` alone binds g)
  Annot,     // (p : T)
  Error,
};

struct Pattern {
  PatternKind kind;
  Span span;
  uint32_t id = 0;

 protected:
  Pattern(PatternKind kind, Span span) : kind(kind), span(span) {}
};

struct VarPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Var;
  explicit VarPattern(Span span) : Pattern(kKind, span) {}
  std::string name;
};

struct WildcardPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Wildcard;
  explicit WildcardPattern(Span span) : Pattern(kKind, span) {}
};

struct LiteralPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Literal;
  explicit LiteralPattern(Span span) : Pattern(kKind, span) {}
  Literal literal;  // a negative number pattern `-1` is folded into the value
};

struct ConPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Con;
  explicit ConPattern(Span span) : Pattern(kKind, span) {}
  std::string qualifier;  // empty when unqualified
  Name name;
  std::vector<Pattern*> args;  // empty for a nullary constructor
};

struct TuplePattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Tuple;
  explicit TuplePattern(Span span) : Pattern(kKind, span) {}
  std::vector<Pattern*> elements;
};

struct UnitPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Unit;
  explicit UnitPattern(Span span) : Pattern(kKind, span) {}
};

struct ListPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::List;
  explicit ListPattern(Span span) : Pattern(kKind, span) {}
  std::vector<Pattern*> elements;  // empty for `[]`
};

struct ConsPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Cons;
  explicit ConsPattern(Span span) : Pattern(kKind, span) {}
  Pattern* head = nullptr;
  Pattern* tail = nullptr;
};

struct FieldPattern {
  Name name;
  Pattern* pattern = nullptr;  // for a punned field `{ g }`, a VarPattern named g
};

struct RecordPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Record;
  explicit RecordPattern(Span span) : Pattern(kKind, span) {}
  std::vector<FieldPattern> fields;
};

struct AnnotPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Annot;
  explicit AnnotPattern(Span span) : Pattern(kKind, span) {}
  Pattern* pattern = nullptr;
  Type* type = nullptr;
};

struct ErrorPattern : Pattern {
  static constexpr PatternKind kKind = PatternKind::Error;
  explicit ErrorPattern(Span span) : Pattern(kKind, span) {}
};

// --------------------------------------------------------------------------
// Expressions

enum class ExprKind : uint8_t {
  Var,           // x, M.x
  Con,           // Just, Nothing, True, M.C
  Literal,       // 42, 1.5, 'c', "s"
  Unit,          // ()
  Tuple,         // (a, b, ...)  (2 or more)
  List,          // [a, b, c], []
  App,           // f x y        (flattened: one node per application spine)
  Lambda,        // \p q -> e
  Let,           // let decls in e
  If,            // if c then a else b
  Case,          // case e of alts
  Annot,         // (e : T)
  Binary,        // a op b
  Negate,        // -e
  OpRef,         // (+), (++), ($): an operator used as a function value
  RecordLit,     // { f = e, g = e }
  RecordUpdate,  // { r | f = e }
  Field,         // r.f
  Do,            // do { stmts }
  Error,
};

// Binary operators, tightest-binding first (see BinaryPrecedence in parse.h).
enum class BinaryOp : uint8_t {
  Mul,
  Div,
  Mod,
  FMul,
  FDiv,  // * / % *. /.
  Add,
  Sub,
  FAdd,
  FSub,  // + - +. -.
  Cons,
  Append,  // :: ++   (right)
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,   // == /= < <= > >=  (non-associative)
  And,  // &&  (right)
  Or,   // ||  (right)
  Bind,
  Then,    // >>= >>  (left)
  Dollar,  // $   (right)
};

// The operator as written in source, e.g. "*." for FMul.
auto Spelling(BinaryOp op) -> std::string_view;

struct Expr {
  ExprKind kind;
  Span span;
  uint32_t id = 0;

 protected:
  Expr(ExprKind kind, Span span) : kind(kind), span(span) {}
};

struct Decl;
struct DoStmt;

struct VarExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Var;
  explicit VarExpr(Span span) : Expr(kKind, span) {}
  std::string qualifier;  // "Chan" for `Chan.new`; empty when unqualified
  std::string name;
};

struct ConExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Con;
  explicit ConExpr(Span span) : Expr(kKind, span) {}
  std::string qualifier;
  std::string name;
};

struct LiteralExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Literal;
  explicit LiteralExpr(Span span) : Expr(kKind, span) {}
  Literal literal;
};

struct UnitExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Unit;
  explicit UnitExpr(Span span) : Expr(kKind, span) {}
};

struct TupleExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Tuple;
  explicit TupleExpr(Span span) : Expr(kKind, span) {}
  std::vector<Expr*> elements;
};

struct ListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::List;
  explicit ListExpr(Span span) : Expr(kKind, span) {}
  std::vector<Expr*> elements;
};

// `f a b c`: fn applied to args left to right. fn is never itself an AppExpr
// written without parentheses (the spine is flattened); `(f a) b` keeps two nodes.
struct AppExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::App;
  explicit AppExpr(Span span) : Expr(kKind, span) {}
  Expr* fn = nullptr;
  std::vector<Expr*> args;  // at least one
};

struct LambdaExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Lambda;
  explicit LambdaExpr(Span span) : Expr(kKind, span) {}
  std::vector<Pattern*> params;  // at least one
  Expr* body = nullptr;
};

// `let d1; d2 in body`. The bindings are mutually recursive. decls holds
// SignatureDecl, ValueDecl and PatternBindDecl only.
struct LetExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Let;
  explicit LetExpr(Span span) : Expr(kKind, span) {}
  std::vector<Decl*> decls;
  Expr* body = nullptr;
};

struct IfExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::If;
  explicit IfExpr(Span span) : Expr(kKind, span) {}
  Expr* cond = nullptr;
  Expr* then_branch = nullptr;
  Expr* else_branch = nullptr;
};

struct CaseAlt {
  Span span;
  Pattern* pattern = nullptr;
  Expr* body = nullptr;
};

struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Case;
  explicit CaseExpr(Span span) : Expr(kKind, span) {}
  Expr* scrutinee = nullptr;
  std::vector<CaseAlt> alts;  // may be empty only after a syntax error
};

struct AnnotExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Annot;
  explicit AnnotExpr(Span span) : Expr(kKind, span) {}
  Expr* expr = nullptr;
  Type* type = nullptr;
};

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Binary;
  explicit BinaryExpr(Span span) : Expr(kKind, span) {}
  BinaryOp op = BinaryOp::Add;
  Span op_span;
  Expr* lhs = nullptr;
  Expr* rhs = nullptr;
};

struct NegateExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Negate;
  explicit NegateExpr(Span span) : Expr(kKind, span) {}
  Expr* operand = nullptr;
};

struct OpRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::OpRef;
  explicit OpRefExpr(Span span) : Expr(kKind, span) {}
  BinaryOp op = BinaryOp::Add;
};

struct FieldInit {
  Name name;
  Expr* value = nullptr;
};

struct RecordLitExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::RecordLit;
  explicit RecordLitExpr(Span span) : Expr(kKind, span) {}
  std::vector<FieldInit> fields;  // in source order; may be empty (`{}`)
};

struct RecordUpdateExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::RecordUpdate;
  explicit RecordUpdateExpr(Span span) : Expr(kKind, span) {}
  Expr* record = nullptr;
  std::vector<FieldInit> fields;  // at least one
};

// `r.f` (no space before the dot; binds tighter than application).
struct FieldExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Field;
  explicit FieldExpr(Span span) : Expr(kKind, span) {}
  Expr* record = nullptr;
  Name field;
};

struct DoExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Do;
  explicit DoExpr(Span span) : Expr(kKind, span) {}
  std::vector<DoStmt*>
      stmts;  // non-empty; the last is an ExprStmt unless a syntax error was reported
};

struct ErrorExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::Error;
  explicit ErrorExpr(Span span) : Expr(kKind, span) {}
};

// --------------------------------------------------------------------------
// Do statements

enum class DoStmtKind : uint8_t {
  Bind,  // p <- e
  Let,   // let decls   (no `in`; scope is the rest of the block)
  Expr,  // e
};

struct DoStmt {
  DoStmtKind kind;
  Span span;
  uint32_t id = 0;

 protected:
  DoStmt(DoStmtKind kind, Span span) : kind(kind), span(span) {}
};

struct BindStmt : DoStmt {
  static constexpr DoStmtKind kKind = DoStmtKind::Bind;
  explicit BindStmt(Span span) : DoStmt(kKind, span) {}
  Pattern* pattern = nullptr;  // usually a VarPattern
  Expr* expr = nullptr;
};

struct LetStmt : DoStmt {
  static constexpr DoStmtKind kKind = DoStmtKind::Let;
  explicit LetStmt(Span span) : DoStmt(kKind, span) {}
  std::vector<Decl*> decls;  // as in LetExpr
};

struct ExprStmt : DoStmt {
  static constexpr DoStmtKind kKind = DoStmtKind::Expr;
  explicit ExprStmt(Span span) : DoStmt(kKind, span) {}
  Expr* expr = nullptr;
};

// --------------------------------------------------------------------------
// Declarations

enum class DeclKind : uint8_t {
  Data,         // data T a = C1 t | C2
  TypeAlias,    // type T a = t
  Signature,    // name : Type
  Value,        // name p1 p2 = e  (one or more clauses)
  PatternBind,  // (a, b) = e     (only in let blocks)
  Error,
};

struct Decl {
  DeclKind kind;
  Span span;
  uint32_t id = 0;

 protected:
  Decl(DeclKind kind, Span span) : kind(kind), span(span) {}
};

struct ConstructorDecl {
  Span span;
  Name name;
  std::vector<Type*> fields;  // positional argument types, may be empty
};

struct DataDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Data;
  explicit DataDecl(Span span) : Decl(kKind, span) {}
  Name name;
  std::vector<Name> params;
  std::vector<ConstructorDecl> constructors;  // at least one unless an error was reported
};

struct TypeAliasDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::TypeAlias;
  explicit TypeAliasDecl(Span span) : Decl(kKind, span) {}
  Name name;
  std::vector<Name> params;
  Type* type = nullptr;
};

struct SignatureDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Signature;
  explicit SignatureDecl(Span span) : Decl(kKind, span) {}
  Name name;
  Type* type = nullptr;
};

// One equation `name p1 ... pn = body`.
struct Clause {
  Span span;
  std::vector<Pattern*> params;  // empty for `x = e`
  Expr* body = nullptr;
};

// A function or value: all adjacent clauses with the same name. Clauses of
// one ValueDecl may disagree in arity; that is the checker's error to report.
struct ValueDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Value;
  explicit ValueDecl(Span span) : Decl(kKind, span) {}
  Name name;
  std::vector<Clause> clauses;  // at least one
};

struct PatternBindDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::PatternBind;
  explicit PatternBindDecl(Span span) : Decl(kKind, span) {}
  Pattern* pattern = nullptr;
  Expr* body = nullptr;
};

struct ErrorDecl : Decl {
  static constexpr DeclKind kKind = DeclKind::Error;
  explicit ErrorDecl(Span span) : Decl(kKind, span) {}
};

// --------------------------------------------------------------------------
// Modules

struct Import {
  Span span;
  Name module;  // "Chan" (dotted names such as "Data.List" kept whole)
};

// One parsed file. Owns its nodes (arena) and shares its source file.
// `name` is empty (text "") when the file has no `module ... where` header;
// the checker treats such a file as module Main.
struct Module {
  std::shared_ptr<const source::SourceFile> file;
  std::unique_ptr<Arena> arena;
  Name name;
  std::vector<Import> imports;
  std::vector<Decl*> decls;   // in source order
  std::vector<Name> exports;  // `export f` and `export f : T`, in source order
  // Number of nodes per family, for sizing side tables: ids are below the
  // count (0 .. count-1, or from the IdBase given to Parse when the module is
  // one of several in a program).
  uint32_t expr_count = 0;
  uint32_t pattern_count = 0;
  uint32_t type_count = 0;
  uint32_t decl_count = 0;
  uint32_t stmt_count = 0;
};

// --------------------------------------------------------------------------
// Downcasts. Cast<T> asserts the kind; DynCast<T> returns nullptr on mismatch.

template <class T, class Base>
auto Cast(Base* node) -> T* {
  assert(node->kind == T::kKind);
  return static_cast<T*>(node);
}
template <class T, class Base>
auto Cast(const Base* node) -> const T* {
  assert(node->kind == T::kKind);
  return static_cast<const T*>(node);
}
template <class T, class Base>
auto DynCast(Base* node) -> T* {
  return node->kind == T::kKind ? static_cast<T*>(node) : nullptr;
}
template <class T, class Base>
auto DynCast(const Base* node) -> const T* {
  return node->kind == T::kKind ? static_cast<const T*>(node) : nullptr;
}

}  // namespace atl::parse

#endif  // ATOLL_PARSE_AST_H
