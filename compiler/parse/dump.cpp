#include "compiler/parse/dump.h"

#include <fmt/core.h>

namespace atl::parse {
namespace {

auto Quote(const std::string& text, char quote) -> std::string {
  std::string out(1, quote);
  for (unsigned char c : text) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20) {
          out += fmt::format("\\u{{{:X}}}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += quote;
  return out;
}

auto DumpLiteral(const Literal& lit) -> std::string {
  switch (lit.kind) {
    case LiteralKind::Int:
      return std::to_string(lit.int_value);
    case LiteralKind::Float:
      return fmt::format("{}f", lit.float_value);
    case LiteralKind::Char:
      if (lit.char_value >= 0x20 && lit.char_value < 0x7F && lit.char_value != '\'' &&
          lit.char_value != '\\') {
        return fmt::format("'{}'", static_cast<char>(lit.char_value));
      }
      return fmt::format("'\\u{{{:X}}}'", static_cast<uint32_t>(lit.char_value));
    case LiteralKind::String:
      return Quote(lit.string_value, '"');
  }
  return "?";
}

auto Qualified(const std::string& qualifier, const std::string& name) -> std::string {
  return qualifier.empty() ? name : qualifier + "." + name;
}

template <class T, class F>
auto Join(const std::vector<T>& items, F f) -> std::string {
  std::string out;
  for (const T& item : items) {
    if (!out.empty()) out += ' ';
    out += f(item);
  }
  return out;
}

auto DumpStmt(const DoStmt* stmt) -> std::string;
auto DumpDecl(const Decl* decl) -> std::string;

auto DumpDecls(const std::vector<Decl*>& decls) -> std::string {
  return "(" + Join(decls, [](const Decl* d) { return DumpDecl(d); }) + ")";
}

auto DumpFields(const std::vector<FieldInit>& fields) -> std::string {
  return Join(fields, [](const FieldInit& f) {
    return fmt::format("({} {})", f.name.text, DumpExpr(f.value));
  });
}

auto DumpStmt(const DoStmt* stmt) -> std::string {
  switch (stmt->kind) {
    case DoStmtKind::Bind: {
      const auto* s = Cast<BindStmt>(stmt);
      return fmt::format("(<- {} {})", DumpPattern(s->pattern), DumpExpr(s->expr));
    }
    case DoStmtKind::Let:
      return fmt::format("(let {})", DumpDecls(Cast<LetStmt>(stmt)->decls));
    case DoStmtKind::Expr:
      return DumpExpr(Cast<ExprStmt>(stmt)->expr);
  }
  return "?";
}

auto DumpNames(const std::vector<Name>& names) -> std::string {
  return "(" + Join(names, [](const Name& n) { return n.text; }) + ")";
}

auto DumpClause(const std::string& name, const Clause& clause) -> std::string {
  return fmt::format("(clause {} ({}) {})", name,
                     Join(clause.params, [](const Pattern* p) { return DumpPattern(p); }),
                     DumpExpr(clause.body));
}

auto DumpDecl(const Decl* decl) -> std::string {
  switch (decl->kind) {
    case DeclKind::Data: {
      const auto* d = Cast<DataDecl>(decl);
      std::string ctors = Join(d->constructors, [](const ConstructorDecl& c) {
        std::string fields = Join(c.fields, [](const Type* t) { return DumpType(t); });
        return fields.empty() ? fmt::format("({})", c.name.text)
                              : fmt::format("({} {})", c.name.text, fields);
      });
      return fmt::format("(data {} {} {})", d->name.text, DumpNames(d->params), ctors);
    }
    case DeclKind::TypeAlias: {
      const auto* d = Cast<TypeAliasDecl>(decl);
      return fmt::format("(type {} {} {})", d->name.text, DumpNames(d->params), DumpType(d->type));
    }
    case DeclKind::Signature: {
      const auto* d = Cast<SignatureDecl>(decl);
      return fmt::format("(sig {} {})", d->name.text, DumpType(d->type));
    }
    case DeclKind::Value: {
      const auto* d = Cast<ValueDecl>(decl);
      return fmt::format("(fun {} {})", d->name.text, Join(d->clauses, [&](const Clause& c) {
                           return DumpClause(d->name.text, c);
                         }));
    }
    case DeclKind::PatternBind: {
      const auto* d = Cast<PatternBindDecl>(decl);
      return fmt::format("(bind {} {})", DumpPattern(d->pattern), DumpExpr(d->body));
    }
    case DeclKind::Error:
      return "<error>";
  }
  return "?";
}

}  // namespace

auto DumpType(const Type* type) -> std::string {
  switch (type->kind) {
    case TypeKind::Var:
      return Cast<VarType>(type)->name;
    case TypeKind::Con: {
      const auto* t = Cast<ConType>(type);
      return Qualified(t->qualifier, t->name);
    }
    case TypeKind::App: {
      const auto* t = Cast<AppType>(type);
      return fmt::format("({} {})", DumpType(t->fn),
                         Join(t->args, [](const Type* a) { return DumpType(a); }));
    }
    case TypeKind::Function: {
      const auto* t = Cast<FunctionType>(type);
      return fmt::format("(-> {} {})", DumpType(t->param), DumpType(t->result));
    }
    case TypeKind::Tuple:
      return fmt::format("(tuple {})", Join(Cast<TupleType>(type)->elements,
                                            [](const Type* a) { return DumpType(a); }));
    case TypeKind::Unit:
      return "()";
    case TypeKind::Record:
      return fmt::format("(record {})",
                         Join(Cast<RecordType>(type)->fields, [](const FieldType& f) {
                           return fmt::format("({} {})", f.name.text, DumpType(f.type));
                         }));
    case TypeKind::Forall: {
      const auto* t = Cast<ForallType>(type);
      std::string bounds = Join(t->bounds, [](const RegionBound& b) {
        return fmt::format("(<= {} {})", b.lower.text, b.upper.text);
      });
      return fmt::format("(forall {} ({}) {})", DumpNames(t->vars), bounds, DumpType(t->body));
    }
    case TypeKind::Error:
      return "<error>";
  }
  return "?";
}

auto DumpPattern(const Pattern* pattern) -> std::string {
  switch (pattern->kind) {
    case PatternKind::Var:
      return Cast<VarPattern>(pattern)->name;
    case PatternKind::Wildcard:
      return "_";
    case PatternKind::Literal:
      return DumpLiteral(Cast<LiteralPattern>(pattern)->literal);
    case PatternKind::Con: {
      const auto* p = Cast<ConPattern>(pattern);
      std::string name = Qualified(p->qualifier, p->name.text);
      if (p->args.empty()) return name;
      return fmt::format("({} {})", name,
                         Join(p->args, [](const Pattern* a) { return DumpPattern(a); }));
    }
    case PatternKind::Tuple:
      return fmt::format("(tuple {})", Join(Cast<TuplePattern>(pattern)->elements,
                                            [](const Pattern* a) { return DumpPattern(a); }));
    case PatternKind::Unit:
      return "()";
    case PatternKind::List:
      return fmt::format("(list{}{})", Cast<ListPattern>(pattern)->elements.empty() ? "" : " ",
                         Join(Cast<ListPattern>(pattern)->elements,
                              [](const Pattern* a) { return DumpPattern(a); }));
    case PatternKind::Cons: {
      const auto* p = Cast<ConsPattern>(pattern);
      return fmt::format("(:: {} {})", DumpPattern(p->head), DumpPattern(p->tail));
    }
    case PatternKind::Record:
      return fmt::format("(record {})",
                         Join(Cast<RecordPattern>(pattern)->fields, [](const FieldPattern& f) {
                           return fmt::format("({} {})", f.name.text, DumpPattern(f.pattern));
                         }));
    case PatternKind::Annot: {
      const auto* p = Cast<AnnotPattern>(pattern);
      return fmt::format("(: {} {})", DumpPattern(p->pattern), DumpType(p->type));
    }
    case PatternKind::Error:
      return "<error>";
  }
  return "?";
}

auto DumpExpr(const Expr* expr) -> std::string {
  switch (expr->kind) {
    case ExprKind::Var: {
      const auto* e = Cast<VarExpr>(expr);
      return Qualified(e->qualifier, e->name);
    }
    case ExprKind::Con: {
      const auto* e = Cast<ConExpr>(expr);
      return Qualified(e->qualifier, e->name);
    }
    case ExprKind::Literal:
      return DumpLiteral(Cast<LiteralExpr>(expr)->literal);
    case ExprKind::Unit:
      return "()";
    case ExprKind::Tuple:
      return fmt::format("(tuple {})", Join(Cast<TupleExpr>(expr)->elements,
                                            [](const Expr* a) { return DumpExpr(a); }));
    case ExprKind::List: {
      const auto& elements = Cast<ListExpr>(expr)->elements;
      return fmt::format("(list{}{})", elements.empty() ? "" : " ",
                         Join(elements, [](const Expr* a) { return DumpExpr(a); }));
    }
    case ExprKind::App: {
      const auto* e = Cast<AppExpr>(expr);
      return fmt::format("(app {} {})", DumpExpr(e->fn),
                         Join(e->args, [](const Expr* a) { return DumpExpr(a); }));
    }
    case ExprKind::Lambda: {
      const auto* e = Cast<LambdaExpr>(expr);
      return fmt::format("(lambda ({}) {})",
                         Join(e->params, [](const Pattern* p) { return DumpPattern(p); }),
                         DumpExpr(e->body));
    }
    case ExprKind::Let: {
      const auto* e = Cast<LetExpr>(expr);
      return fmt::format("(let {} {})", DumpDecls(e->decls), DumpExpr(e->body));
    }
    case ExprKind::If: {
      const auto* e = Cast<IfExpr>(expr);
      return fmt::format("(if {} {} {})", DumpExpr(e->cond), DumpExpr(e->then_branch),
                         DumpExpr(e->else_branch));
    }
    case ExprKind::Case: {
      const auto* e = Cast<CaseExpr>(expr);
      return fmt::format(
          "(case {} {})", DumpExpr(e->scrutinee), Join(e->alts, [](const CaseAlt& a) {
            return fmt::format("(alt {} {})", DumpPattern(a.pattern), DumpExpr(a.body));
          }));
    }
    case ExprKind::Annot: {
      const auto* e = Cast<AnnotExpr>(expr);
      return fmt::format("(: {} {})", DumpExpr(e->expr), DumpType(e->type));
    }
    case ExprKind::Binary: {
      const auto* e = Cast<BinaryExpr>(expr);
      return fmt::format("({} {} {})", Spelling(e->op), DumpExpr(e->lhs), DumpExpr(e->rhs));
    }
    case ExprKind::Negate:
      return fmt::format("(neg {})", DumpExpr(Cast<NegateExpr>(expr)->operand));
    case ExprKind::OpRef:
      return fmt::format("(op {})", Spelling(Cast<OpRefExpr>(expr)->op));
    case ExprKind::RecordLit: {
      const auto& fields = Cast<RecordLitExpr>(expr)->fields;
      return fmt::format("(record{}{})", fields.empty() ? "" : " ", DumpFields(fields));
    }
    case ExprKind::RecordUpdate: {
      const auto* e = Cast<RecordUpdateExpr>(expr);
      return fmt::format("(update {} {})", DumpExpr(e->record), DumpFields(e->fields));
    }
    case ExprKind::Field: {
      const auto* e = Cast<FieldExpr>(expr);
      return fmt::format("(. {} {})", DumpExpr(e->record), e->field.text);
    }
    case ExprKind::Do:
      return fmt::format(
          "(do {})", Join(Cast<DoExpr>(expr)->stmts, [](const DoStmt* s) { return DumpStmt(s); }));
    case ExprKind::Error:
      return "<error>";
  }
  return "?";
}

auto DumpModule(const Module& module) -> std::string {
  std::string out = fmt::format("(module {})\n", module.name.text.empty() ? "-" : module.name.text);
  for (const Import& import : module.imports)
    out += fmt::format("(import {})\n", import.module.text);
  for (const Decl* decl : module.decls) out += DumpDecl(decl) + "\n";
  return out;
}

}  // namespace atl::parse
