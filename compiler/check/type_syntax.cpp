// Signature and annotation types: from parse::Type to type terms.
#include <fmt/core.h>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::Cast;

namespace {

// The built-in constructors the subset knows, with their argument kinds.
struct KnownCon {
  const char* name;
  std::vector<Kind> params;
  Kind result;
};

auto FindCon(const std::string& name) -> const KnownCon* {
  static const std::vector<KnownCon> known = {
      {"Int", {}, Kind::Type},
      {"Bool", {}, Kind::Type},
      {"String", {}, Kind::Type},
      {"List", {Kind::Type}, Kind::Type},
      {"Effect", {Kind::Region, Kind::Determinism, Kind::Type}, Kind::Type},
      {"Deterministic", {}, Kind::Determinism},
      {"Nondeterministic", {}, Kind::Determinism},
  };
  for (const KnownCon& c : known)
    if (name == c.name) return &c;
  return nullptr;
}

auto KindName(Kind k) -> const char* {
  switch (k) {
    case Kind::Type: return "a type";
    case Kind::Region: return "a region";
    case Kind::Determinism: return "a determinism";
  }
  return "?";
}

// Types of the language draft the subset does not implement yet.
auto IsDraftType(const std::string& name) -> bool {
  for (const char* n : {"Float", "Char", "Maybe", "Result", "Array", "Ref", "MutableArray", "MVar"})
    if (name == n) return true;
  return false;
}

}  // namespace

auto Checker::TypeFromSyntax(const parse::Type* t, std::map<std::string, Type*>& vars, Kind kind)
    -> Type* {
  auto fresh = [&] { return arena_.NewVar(level_, kind); };
  switch (t->kind) {
    case parse::TypeKind::Var: {
      const auto* v = Cast<parse::VarType>(t);
      auto it = vars.find(v->name);
      if (it == vars.end()) it = vars.emplace(v->name, arena_.NewRigid(v->name, kind)).first;
      if (it->second->var_kind != kind) {
        diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                      fmt::format("`{}` is used as {} here but as {} elsewhere", v->name,
                                  KindName(kind), KindName(it->second->var_kind)));
        return fresh();
      }
      return it->second;
    }
    case parse::TypeKind::Con:
    case parse::TypeKind::App: {
      const parse::Type* head = t;
      std::vector<const parse::Type*> args;
      if (const auto* app = parse::DynCast<parse::AppType>(t)) {
        head = app->fn;
        args.assign(app->args.begin(), app->args.end());
      }
      const auto* con = parse::DynCast<parse::ConType>(head);
      if (con == nullptr) {
        Unsupported(t->span, "applying a type variable is not supported yet");
        return fresh();
      }
      if (auto it = data_types_.find(con->name); it != data_types_.end() && con->qualifier.empty()) {
        if (static_cast<int>(args.size()) != it->second) {
          diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                        fmt::format("`{}` takes {} type argument{}, not {}", con->name, it->second,
                                    it->second == 1 ? "" : "s", args.size()));
          return fresh();
        }
        if (kind != Kind::Type) {
          diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                        fmt::format("`{}` is a type, but {} is expected here", con->name, KindName(kind)));
          return fresh();
        }
        std::vector<Type*> converted;
        for (const parse::Type* a : args) converted.push_back(TypeFromSyntax(a, vars, Kind::Type));
        return arena_.Con(con->name, std::move(converted));
      }
      const KnownCon* known = con->qualifier.empty() ? FindCon(con->name) : nullptr;
      if (known == nullptr) {
        if (IsDraftType(con->name))
          Unsupported(t->span, fmt::format("the type `{}` is not supported yet", con->name));
        else
          diags_.Report(diag::Kind::UnknownType, file_, con->span,
                        fmt::format("unknown type `{}`", con->name));
        return fresh();
      }
      if (known->params.size() != args.size()) {
        diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                      fmt::format("`{}` takes {} type argument{}, not {}", con->name,
                                  known->params.size(), known->params.size() == 1 ? "" : "s",
                                  args.size()));
        return fresh();
      }
      if (known->result != kind) {
        diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                      fmt::format("`{}` is {}, but {} is expected here", con->name,
                                  KindName(known->result), KindName(kind)));
        return fresh();
      }
      std::vector<Type*> converted;
      for (size_t i = 0; i < args.size(); ++i)
        converted.push_back(TypeFromSyntax(args[i], vars, known->params[i]));
      return arena_.Con(con->name, std::move(converted));
    }
    case parse::TypeKind::Function: {
      const auto* f = Cast<parse::FunctionType>(t);
      if (kind != Kind::Type) {
        diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                      fmt::format("a function type is a type, but {} is expected here", KindName(kind)));
        return fresh();
      }
      Type* param = TypeFromSyntax(f->param, vars, Kind::Type);
      return arena_.Fun(param, TypeFromSyntax(f->result, vars, Kind::Type));
    }
    case parse::TypeKind::Unit:
      return arena_.Unit();
    case parse::TypeKind::Tuple: {
      if (kind != Kind::Type) {
        diags_.Report(diag::Kind::KindMismatch, file_, t->span,
                      fmt::format("a tuple type is a type, but {} is expected here", KindName(kind)));
        return fresh();
      }
      std::vector<Type*> elements;
      for (const parse::Type* e : Cast<parse::TupleType>(t)->elements)
        elements.push_back(TypeFromSyntax(e, vars, Kind::Type));
      return arena_.Tuple(std::move(elements));
    }
    case parse::TypeKind::Record:
      Unsupported(t->span, "record types are not supported yet");
      return fresh();
    case parse::TypeKind::Forall:
      Unsupported(t->span, "explicit `forall` is not supported yet (type variables are implicitly quantified)");
      return fresh();
    case parse::TypeKind::Error:
      return fresh();
  }
  return fresh();
}

}  // namespace atl::check
