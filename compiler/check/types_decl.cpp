// `data` and `type` declarations of one module: names, parameter kinds
// inferred from use, constructor schemes, alias bodies.
#include <fmt/core.h>

#include "compiler/check/checker.h"

namespace atl::check {

using parse::Cast;

namespace {

// The first position of each parameter with a known kind, found by walking
// the written type: `s` in `Ref s Int` is a region, `d` in `Effect s d a` a
// determinism, and the parameters of other declarations propagate.
struct KindScanner {
  const std::map<std::string, std::vector<Kind>>& known;  // constructor -> parameter kinds
  std::map<std::string, Kind>& found;                     // parameter -> kind

  void Scan(const parse::Type* t, Kind kind) {
    switch (t->kind) {
      case parse::TypeKind::Var: {
        const auto* v = Cast<parse::VarType>(t);
        if (kind != Kind::Type) found.try_emplace(v->name, kind);
        return;
      }
      case parse::TypeKind::Con:
        return;
      case parse::TypeKind::App: {
        const auto* app = Cast<parse::AppType>(t);
        const auto* con = parse::DynCast<parse::ConType>(app->fn);
        const std::vector<Kind>* params = nullptr;
        if (con != nullptr) {
          auto it = known.find(con->name);
          if (it != known.end()) params = &it->second;
        }
        for (size_t i = 0; i < app->args.size(); ++i)
          Scan(app->args[i], params != nullptr && i < params->size() ? (*params)[i] : Kind::Type);
        return;
      }
      case parse::TypeKind::Function: {
        const auto* f = Cast<parse::FunctionType>(t);
        Scan(f->param, Kind::Type);
        Scan(f->result, Kind::Type);
        return;
      }
      case parse::TypeKind::Tuple:
        for (const parse::Type* e : Cast<parse::TupleType>(t)->elements) Scan(e, Kind::Type);
        return;
      case parse::TypeKind::Record:
        for (const parse::FieldType& f : Cast<parse::RecordType>(t)->fields)
          Scan(f.type, Kind::Type);
        return;
      case parse::TypeKind::Forall:
        Scan(Cast<parse::ForallType>(t)->body, kind);
        return;
      case parse::TypeKind::Unit:
      case parse::TypeKind::Error:
        return;
    }
  }
};

}  // namespace

// Kinds of the parameters of this module's data types and aliases, to a
// fixpoint (a declaration may pass its parameter to another's region slot).
void Checker::InferParamKinds(const std::vector<const parse::Decl*>& decls) {
  std::map<std::string, std::vector<Kind>> known;
  for (const auto& [name, entry] : types_) known[name] = entry.params;
  for (int round = 0; round < 8; ++round) {
    bool changed = false;
    for (const parse::Decl* d : decls) {
      std::string name;
      const std::vector<parse::Name>* params = nullptr;
      std::map<std::string, Kind> found;
      KindScanner scanner{known, found};
      if (const auto* data = parse::DynCast<parse::DataDecl>(d)) {
        name = data->name.text;
        params = &data->params;
        for (const parse::ConstructorDecl& c : data->constructors)
          for (const parse::Type* f : c.fields) scanner.Scan(f, Kind::Type);
      } else if (const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d)) {
        name = alias->name.text;
        params = &alias->params;
        scanner.Scan(alias->type, Kind::Type);
      } else {
        continue;
      }
      std::vector<Kind> kinds;
      for (const parse::Name& p : *params) {
        auto it = found.find(p.text);
        kinds.push_back(it == found.end() ? Kind::Type : it->second);
      }
      if (known[name] != kinds) {
        known[name] = kinds;
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const parse::Decl* d : decls) {
    std::string name;
    if (const auto* data = parse::DynCast<parse::DataDecl>(d)) name = data->name.text;
    if (const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d)) name = alias->name.text;
    if (auto it = types_.find(name); it != types_.end() && known.contains(name))
      it->second.params = known[name];
  }
}

void Checker::CollectTypeDecls() {
  Exports& own = exports_[module_index_];
  std::vector<const parse::Decl*> decls;
  std::vector<const parse::DataDecl*> datas;
  for (const parse::Decl* d : module_->decls) {
    const parse::Name* name = nullptr;
    std::size_t param_count = 0;
    if (const auto* data = parse::DynCast<parse::DataDecl>(d)) {
      name = &data->name;
      param_count = data->params.size();
    } else if (const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d)) {
      name = &alias->name;
      param_count = alias->params.size();
    } else {
      continue;
    }
    if (own.types.contains(name->text) ||
        (types_.contains(name->text) && types_.at(name->text).what == TypeEntry::What::Builtin)) {
      diags_.Report(diag::Kind::DuplicateDefinition, *file_, name->span,
                    fmt::format("the type `{}` is already defined", name->text));
      continue;
    }
    TypeEntry e;
    e.params.assign(param_count, Kind::Type);
    e.module = module_index_;
    if (const auto* data = parse::DynCast<parse::DataDecl>(d)) {
      e.what = TypeEntry::What::Data;
      // Constructor names of types are unique program-wide so two modules'
      // `T` never unify.
      const bool builtin = builtin_module_ != nullptr && module_ == builtin_module_.get();
      const std::string module_name = module_->name.text.empty() ? "Main" : module_->name.text;
      e.con = builtin || data_names_.insert(name->text).second ? name->text
                                                               : module_name + "." + name->text;
      datas.push_back(data);
    } else {
      e.what = TypeEntry::What::Alias;
      e.alias = Cast<parse::TypeAliasDecl>(d);
    }
    own.types[name->text] = e;
    types_[name->text] = e;  // own definitions shadow imports
    decls.push_back(d);
  }
  InferParamKinds(decls);
  for (const parse::Decl* d : decls) {
    const std::string& n = parse::DynCast<parse::DataDecl>(d)
                               ? Cast<parse::DataDecl>(d)->name.text
                               : Cast<parse::TypeAliasDecl>(d)->name.text;
    own.types[n] = types_[n];
  }
  // Aliases are expanded on first use; expanding each here reports cycles
  // and unknown names once, at the declaration.
  for (const parse::Decl* d : decls) {
    if (const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d)) {
      const TypeEntry copy = types_[alias->name.text];
      ExpandAlias(alias->name.text, copy);
    }
  }
  struct FieldCheck {
    Type* type;
    source::Span span;
    std::string constructor;
  };
  std::vector<FieldCheck> field_checks;  // sendability, once every type's MVar parameters are known
  for (const parse::DataDecl* data : datas) {
    const TypeEntry entry = types_[data->name.text];
    const int type_index = data_type_count_++;
    std::map<std::string, Type*> vars;
    std::vector<Type*> params;
    for (size_t i = 0; i < data->params.size(); ++i) {
      params.push_back(arena_.NewRigid(data->params[i].text, entry.params[i]));
      vars[data->params[i].text] = params.back();
    }
    for (size_t i = 0; i < data->constructors.size(); ++i) {
      const parse::ConstructorDecl& c = data->constructors[i];
      if (own.constructors.contains(c.name.text) || c.name.text == "True" ||
          c.name.text == "False") {
        diags_.Report(diag::Kind::DuplicateDefinition, *file_, c.name.span,
                      fmt::format("the constructor `{}` is already defined", c.name.text));
        continue;
      }
      std::vector<Type*> fields;
      for (const parse::Type* f : c.fields) {
        std::map<std::string, Type*> field_vars = vars;
        fields.push_back(TypeFromSyntax(f, field_vars, Kind::Type));
        if (field_vars.size() != vars.size())
          diags_.Report(diag::Kind::UnknownType, *file_, f->span,
                        "a constructor field may only use the type's own parameters");
        field_checks.push_back({fields.back(), f->span, c.name.text});
      }
      Constructor con;
      con.name = c.name.text;
      con.type_name = data->name.text;
      con.type_index = type_index;
      con.index = static_cast<int>(i);
      con.arity = static_cast<int>(fields.size());
      con.sibling_count = static_cast<int>(data->constructors.size());
      con.scheme = Scheme{params, arena_.Fun(fields, arena_.Con(entry.con, params))};
      con.module = module_index_;
      const int id = static_cast<int>(out_.constructors.size());
      out_.constructors.push_back(std::move(con));
      own.constructors[c.name.text] = ConEntry{id, {}};
      data_constructors_[entry.con].push_back(id);
      constructors_[c.name.text] = ConEntry{id, {}};
    }
  }
  ComputeSendableParams(datas);
  for (const FieldCheck& f : field_checks)
    CheckSendable(f.type, f.span, fmt::format("the constructor `{}`", f.constructor));
}

auto Checker::ExpandAlias(const std::string& name, const TypeEntry& entry) -> AliasBody* {
  AliasBody& body = aliases_[entry.alias];
  if (body.body != nullptr) return &body;
  if (body.expanding) {
    diags_.Report(
        diag::Kind::RecursiveAlias, *file_, entry.alias->name.span,
        fmt::format("the type alias `{}` refers to itself; use `data` for recursive types", name));
    return nullptr;
  }
  body.expanding = true;
  // The alias body is read in its own module's scope.
  const parse::Module* saved_module = module_;
  const source::SourceFile* saved_file = file_;
  const int saved_index = module_index_;
  module_ = modules_[entry.module];
  file_ = module_->file.get();
  module_index_ = entry.module;
  std::map<std::string, Type*> vars;
  std::vector<Type*> params;
  for (size_t i = 0; i < entry.alias->params.size(); ++i) {
    params.push_back(arena_.NewRigid(entry.alias->params[i].text, entry.params[i]));
    vars[entry.alias->params[i].text] = params.back();
  }
  const size_t declared = vars.size();
  Type* t = TypeFromSyntax(entry.alias->type, vars, Kind::Type);
  if (vars.size() != declared) {
    diags_.Report(diag::Kind::UnknownType, *file_, entry.alias->type->span,
                  "a type alias may only use its own parameters");
  }
  module_ = saved_module;
  file_ = saved_file;
  module_index_ = saved_index;
  body.expanding = false;
  body.params = std::move(params);
  body.body = t;
  return &body;
}

}  // namespace atl::check
