// Signature and annotation types: from parse::Type to type terms, expanding
// aliases, checking kinds and recording the bounds of `forall (s | t <= s)`.
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::Cast;

namespace {

auto KindName(Kind k) -> const char* {
  switch (k) {
    case Kind::Type:
      return "a type";
    case Kind::Region:
      return "a region";
    case Kind::Determinism:
      return "a determinism";
  }
  return "?";
}

}  // namespace

auto Checker::LookupType(const std::string& name, source::Span span) -> const TypeEntry* {
  auto it = types_.find(name);
  if (it == types_.end()) {
    auto& d = diags_.Report(diag::Kind::UnknownType, *file_, span,
                            fmt::format("unknown type `{}`", name));
    if (auto near = SuggestType(name))
      d.AddFix(*file_, span, *near, fmt::format("did you mean `{}`?", *near));
    return nullptr;
  }
  if (!it->second.clash.empty()) {
    diags_.Report(diag::Kind::AmbiguousName, *file_, span,
                  fmt::format("the type `{}` is defined by several imported modules: {}", name,
                              fmt::format("{}", fmt::join(it->second.clash, ", "))));
    return nullptr;
  }
  return &it->second;
}

auto Checker::TypeFromSyntax(const parse::Type* t, std::map<std::string, Type*>& vars, Kind kind)
    -> Type* {
  auto fresh = [&] { return arena_.NewVar(level_, kind); };
  switch (t->kind) {
    case parse::TypeKind::Var: {
      const auto* v = Cast<parse::VarType>(t);
      auto it = vars.find(v->name);
      if (it == vars.end()) it = vars.emplace(v->name, arena_.NewRigid(v->name, kind)).first;
      if (it->second->var_kind != kind) {
        diags_.Report(diag::Kind::KindMismatch, *file_, t->span,
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
        diags_.Report(
            diag::Kind::KindMismatch, *file_, t->span,
            "a type variable cannot be applied to arguments (types of higher kind are not "
            "part of the language)");
        return fresh();
      }
      std::string name = con->name;
      if (!con->qualifier.empty()) {
        // M.T: the type T that module M defines.
        auto m = module_ids_.find(con->qualifier);
        const TypeEntry* q = nullptr;
        if (m != module_ids_.end()) {
          auto found = exports_[m->second].types.find(con->name);
          if (found != exports_[m->second].types.end()) q = &found->second;
        }
        if (q == nullptr) {
          diags_.Report(diag::Kind::UnknownType, *file_, con->span,
                        fmt::format("unknown type `{}.{}`", con->qualifier, con->name));
          return fresh();
        }
        name = con->qualifier + "." + con->name;
        types_.try_emplace(name, *q);
      }
      const TypeEntry* entry = LookupType(name, con->span);
      if (entry == nullptr) return fresh();
      if (entry->params.size() != args.size()) {
        diags_.Report(
            diag::Kind::KindMismatch, *file_, t->span,
            fmt::format("`{}` takes {} type argument{}, not {}", con->name, entry->params.size(),
                        entry->params.size() == 1 ? "" : "s", args.size()));
        return fresh();
      }
      std::vector<Type*> converted;
      for (size_t i = 0; i < args.size(); ++i)
        converted.push_back(TypeFromSyntax(args[i], vars, entry->params[i]));
      if (entry->what == TypeEntry::What::Alias) {
        const TypeEntry copy = *entry;  // ExpandAlias may grow types_
        AliasBody* alias = ExpandAlias(name, copy);
        if (alias == nullptr) return fresh();
        std::map<Type*, Type*> subst;
        for (size_t i = 0; i < alias->params.size() && i < converted.size(); ++i)
          subst[alias->params[i]] = converted[i];
        Type* expanded = Substitute(arena_, alias->body, subst);
        Type* r = Resolve(expanded);
        const Kind got = r->kind == TypeKind::Var ? r->var_kind
                         : (IsCon(r, "Deterministic") || IsCon(r, "Nondeterministic"))
                             ? Kind::Determinism
                             : Kind::Type;
        if (got != kind) {
          diags_.Report(diag::Kind::KindMismatch, *file_, t->span,
                        fmt::format("`{}` is {}, but {} is expected here", con->name, KindName(got),
                                    KindName(kind)));
          return fresh();
        }
        return expanded;
      }
      if (entry->result != kind) {
        diags_.Report(diag::Kind::KindMismatch, *file_, t->span,
                      fmt::format("`{}` is {}, but {} is expected here", con->name,
                                  KindName(entry->result), KindName(kind)));
        return fresh();
      }
      return arena_.Con(entry->con, std::move(converted));
    }
    case parse::TypeKind::Function: {
      const auto* f = Cast<parse::FunctionType>(t);
      if (kind != Kind::Type) {
        diags_.Report(
            diag::Kind::KindMismatch, *file_, t->span,
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
        diags_.Report(
            diag::Kind::KindMismatch, *file_, t->span,
            fmt::format("a tuple type is a type, but {} is expected here", KindName(kind)));
        return fresh();
      }
      std::vector<Type*> elements;
      for (const parse::Type* e : Cast<parse::TupleType>(t)->elements)
        elements.push_back(TypeFromSyntax(e, vars, Kind::Type));
      return arena_.Tuple(std::move(elements));
    }
    case parse::TypeKind::Record: {
      const auto* r = Cast<parse::RecordType>(t);
      if (kind != Kind::Type) {
        diags_.Report(
            diag::Kind::KindMismatch, *file_, t->span,
            fmt::format("a record type is a type, but {} is expected here", KindName(kind)));
        return fresh();
      }
      std::map<std::string, Type*> fields;
      for (const parse::FieldType& f : r->fields) {
        Type* ft = TypeFromSyntax(f.type, vars, Kind::Type);
        if (!fields.emplace(f.name.text, ft).second) {
          diags_.Report(
              diag::Kind::DuplicateField, *file_, f.name.span,
              fmt::format("the field `{}` appears twice in this record type", f.name.text));
        }
      }
      std::vector<std::string> names;
      std::vector<Type*> args;
      for (auto& [n, ft] : fields) {
        names.push_back(n);
        args.push_back(ft);
      }
      return arena_.Con(RecordName(names), std::move(args));
    }
    case parse::TypeKind::Forall: {
      const auto* f = Cast<parse::ForallType>(t);
      // Bound variables are quantified like implicit ones; a bounded group
      // `(s | t <= s)` declares region variables and the fact t <= s.
      for (const parse::RegionBound& b : f->bounds) {
        for (const parse::Name* n : {&b.lower, &b.upper}) {
          if (!vars.contains(n->text))
            vars.emplace(n->text, arena_.NewRigid(n->text, Kind::Region));
        }
      }
      Type* body = TypeFromSyntax(f->body, vars, kind);
      for (const parse::RegionBound& b : f->bounds) {
        Type* lower = vars.at(b.lower.text);
        Type* upper = vars.at(b.upper.text);
        if (lower->var_kind != Kind::Region || upper->var_kind != Kind::Region) {
          diags_.Report(diag::Kind::KindMismatch, *file_, b.span,
                        "a bound `t <= s` relates two region variables");
          continue;
        }
        parents_[upper].push_back(lower);
        out_.region_bounds.emplace_back(lower, upper);
      }
      return body;
    }
    case parse::TypeKind::Error:
      return fresh();
  }
  return fresh();
}

auto Checker::SignatureType(const parse::Type* t, const std::string& owner) -> Type* {
  std::map<std::string, Type*> vars;
  Type* type = TypeFromSyntax(t, vars, Kind::Type);
  for (auto& [name, v] : vars) {
    if (v->var_kind == Kind::Region && !region_origins_.contains(v))
      region_origins_[v] = fmt::format("`{}`, a region of the signature of `{}`", name, owner);
  }
  const uint32_t before = diags_.error_count();
  CheckWellFormed(type, t->span, fmt::format("the signature of `{}`", owner));
  CheckSendable(type, t->span, fmt::format("the signature of `{}`", owner));
  // Its body's types repeat the signature's; one mistake, one diagnostic.
  if (diags_.error_count() != before) bad_signatures_.insert(owner);
  return type;
}

}  // namespace atl::check
