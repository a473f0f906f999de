// Top-level declarations, builtins, `main`, and `let` groups.
#include <fmt/core.h>

#include "compiler/check/checker.h"
#include "compiler/check/walk.h"

namespace atl::check {

using parse::Cast;
using parse::DeclKind;

Checker::Checker(const parse::Module& module, diag::Diagnostics& diags, CheckedModule& out)
    : module_(module), file_(*module.file), diags_(diags), out_(out), arena_(out.arena) {
  out_.expr_types.assign(module.expr_count, nullptr);
  out_.refs.assign(module.expr_count, Ref{});
  out_.pattern_locals.assign(module.pattern_count, -1);
  out_.decl_locals.assign(module.decl_count, -1);
  out_.pattern_constructors.assign(module.pattern_count, -1);
}

void Checker::Run() {
  AddBuiltins();
  CollectDataTypes();
  CollectTopLevel();
  CheckAllFunctions();
  CheckMain();
  // Effect flags need the final types, so they come after every body.
  for (Function& f : out_.functions) {
    auto [params, result] = SplitFun(f.type, f.arity);
    f.effect = static_cast<int>(params.size()) == f.arity && IsCon(result, "Effect");
  }
  if (diags_.has_errors()) return;  // the gate assumes well-typed code
  for (const Function& f : out_.functions) GateFunction(f);
}

auto BuiltinName(Builtin b) -> const char* {
  switch (b) {
    case Builtin::Print: return "print";
    case Builtin::PutStr: return "putStr";
    case Builtin::Show: return "show";
    case Builtin::Not: return "not";
    case Builtin::Pure: return "pure";
    case Builtin::Exit: return "exit";
  }
  return "?";
}

void Checker::AddBuiltins() {
  Scope& scope = scopes_.emplace_back();
  auto add = [&](Builtin b, Scheme scheme) {
    scope[BuiltinName(b)] = Binding{Ref{RefKind::Builtin, -1, b}, std::move(scheme)};
  };
  // Quantified variables are rigid placeholders; Instantiate replaces them.
  auto io = [&](Type* a) {
    Type* s = arena_.NewRigid("s", Kind::Region);
    return Scheme{{s}, arena_.Fun(a, arena_.Effect(s, arena_.Con("Nondeterministic"), arena_.Unit()))};
  };
  add(Builtin::Print, io(arena_.String()));
  add(Builtin::PutStr, io(arena_.String()));
  Type* a = arena_.NewRigid("a");
  add(Builtin::Show, Scheme{{a}, arena_.Fun(a, arena_.String())});
  add(Builtin::Not, Scheme{{}, arena_.Fun(arena_.Bool(), arena_.Bool())});
  Type* pa = arena_.NewRigid("a");
  Type* ps = arena_.NewRigid("s", Kind::Region);
  Type* pd = arena_.NewRigid("d", Kind::Determinism);
  add(Builtin::Pure, Scheme{{pa, ps, pd}, arena_.Fun(pa, arena_.Effect(ps, pd, pa))});
  Type* ea = arena_.NewRigid("a");
  Type* es = arena_.NewRigid("s", Kind::Region);
  add(Builtin::Exit,
      Scheme{{ea, es}, arena_.Fun(arena_.Int(), arena_.Effect(es, arena_.Con("Nondeterministic"), ea))});
}

// `data T a = C1 t1 | C2`: names first (types may be mutually recursive),
// then each constructor's scheme `forall a. t1 -> T a`.
void Checker::CollectDataTypes() {
  std::vector<const parse::DataDecl*> decls;
  for (const parse::Decl* d : module_.decls) {
    const auto* data = parse::DynCast<parse::DataDecl>(d);
    if (data == nullptr) continue;
    if (data_types_.contains(data->name.text) || data->name.text == "List" || data->name.text == "Int" ||
        data->name.text == "Bool" || data->name.text == "String" || data->name.text == "Effect") {
      diags_.Report(diag::Kind::DuplicateDefinition, file_, data->name.span,
                    fmt::format("the type `{}` is already defined", data->name.text));
      continue;
    }
    data_types_[data->name.text] = static_cast<int>(data->params.size());
    decls.push_back(data);
  }
  for (size_t k = 0; k < decls.size(); ++k) {
    const parse::DataDecl* data = decls[k];
    std::map<std::string, Type*> vars;
    std::vector<Type*> params;
    for (const parse::Name& p : data->params) {
      params.push_back(arena_.NewRigid(p.text));
      vars[p.text] = params.back();
    }
    for (size_t i = 0; i < data->constructors.size(); ++i) {
      const parse::ConstructorDecl& c = data->constructors[i];
      if (constructor_ids_.contains(c.name.text) || c.name.text == "True" || c.name.text == "False") {
        diags_.Report(diag::Kind::DuplicateDefinition, file_, c.name.span,
                      fmt::format("the constructor `{}` is already defined", c.name.text));
        continue;
      }
      std::vector<Type*> fields;
      for (const parse::Type* f : c.fields) {
        std::map<std::string, Type*> field_vars = vars;
        fields.push_back(TypeFromSyntax(f, field_vars, Kind::Type));
        if (field_vars.size() != vars.size())
          diags_.Report(diag::Kind::UnknownType, file_, f->span,
                        "a constructor field may only use the type's own parameters");
      }
      Constructor con;
      con.name = c.name.text;
      con.type_name = data->name.text;
      con.type_index = static_cast<int>(k);
      con.index = static_cast<int>(i);
      con.arity = static_cast<int>(fields.size());
      con.sibling_count = static_cast<int>(data->constructors.size());
      con.scheme = Scheme{params, arena_.Fun(fields, arena_.Con(data->name.text, params))};
      constructor_ids_[con.name] = static_cast<int>(out_.constructors.size());
      out_.constructors.push_back(std::move(con));
    }
  }
}

void Checker::CollectTopLevel() {
  for (const parse::Import& import : module_.imports)
    Unsupported(import.span, "imports are not supported yet");
  Scope& globals = scopes_.emplace_back();
  std::map<std::string, const parse::ValueDecl*> defined;
  for (const parse::Decl* d : module_.decls) {
    switch (d->kind) {
      case DeclKind::Data:
        break;  // CollectDataTypes
      case DeclKind::TypeAlias:
        Unsupported(d->span, "type aliases are not supported yet");
        break;
      case DeclKind::Signature: {
        const auto* sig = Cast<parse::SignatureDecl>(d);
        auto [it, inserted] = signatures_.try_emplace(sig->name.text, sig);
        if (!inserted) {
          diags_.Report(diag::Kind::DuplicateDefinition, file_, sig->name.span,
                        fmt::format("`{}` has two signatures", sig->name.text))
              .AddNote(file_, it->second->name.span, "the first one is here");
        }
        break;
      }
      case DeclKind::Value: {
        const auto* value = Cast<parse::ValueDecl>(d);
        auto [it, inserted] = defined.try_emplace(value->name.text, value);
        if (!inserted) {
          diags_.Report(diag::Kind::DuplicateDefinition, file_, value->name.span,
                        fmt::format("`{}` is defined twice", value->name.text))
              .AddNote(file_, it->second->name.span, "the first definition is here");
          break;
        }
        if (value->clauses.front().params.empty() && value->clauses.size() > 1) {
          // The parser groups adjacent equations of one name; for a value
          // (no parameters) a second equation is a second definition.
          diags_.Report(diag::Kind::DuplicateDefinition, file_, value->clauses[1].span,
                        fmt::format("`{}` is defined twice", value->name.text))
              .AddNote(file_, value->name.span, "the first definition is here");
        }
        Function f;
        f.decl = value;
        f.name = value->name.text;
        f.arity = static_cast<int>(value->clauses.front().params.size());
        out_.functions.push_back(f);
        break;
      }
      case DeclKind::PatternBind:
        Unsupported(d->span, "pattern bindings are not supported yet");
        break;
      case DeclKind::Error:
        break;
    }
  }
  for (const auto& [name, sig] : signatures_) {
    if (!defined.contains(name)) {
      diags_.Report(diag::Kind::SignatureWithoutBinding, file_, sig->name.span,
                    fmt::format("`{}` has a signature but no definition", name));
    }
  }
  // Types: a signature gives a scheme over its (rigid) variables; without
  // one the definition is monomorphic for now (generalisation of unannotated
  // bindings comes with issue 3).
  for (size_t i = 0; i < out_.functions.size(); ++i) {
    Function& f = out_.functions[i];
    Scheme scheme;
    if (auto it = signatures_.find(f.name); it != signatures_.end()) {
      std::map<std::string, Type*> vars;
      f.type = TypeFromSyntax(it->second->type, vars, Kind::Type);
      scheme = Generalize(f.type, level_);
    } else {
      f.type = arena_.NewVar(level_);
      scheme = Scheme{{}, f.type};
    }
    globals[f.name] = Binding{Ref{RefKind::Global, static_cast<int>(i), Builtin::Print}, scheme};
    if (f.name == "main") out_.main_index = static_cast<int>(i);
  }
}

// Splits `type` into `arity` parameter types and the result, refining a
// flexible type into a function type as needed.
auto Checker::SplitParams(Type* type, int arity, const parse::ValueDecl* decl)
    -> std::pair<std::vector<Type*>, Type*> {
  std::vector<Type*> params;
  Type* t = type;
  for (int i = 0; i < arity; ++i) {
    Type* r = Resolve(t);
    if (r->kind == TypeKind::Var && !r->rigid) {
      Type* fun = arena_.Fun(arena_.NewVar(level_), arena_.NewVar(level_));
      Unify(r, fun);
      r = fun;
    }
    if (r->kind != TypeKind::Fun) {
      diags_.Report(diag::Kind::ArityMismatch, file_, decl->name.span,
                    fmt::format("`{}` has {} parameter{} but its type `{}` has only {}",
                                decl->name.text, arity, arity == 1 ? "" : "s", ToString(type), i));
      for (; i < arity; ++i) params.push_back(arena_.NewVar(level_));
      return {params, arena_.NewVar(level_)};
    }
    params.push_back(r->args[0]);
    t = r->args[1];
  }
  return {params, t};
}

// Unannotated definitions are checked in dependency order, one strongly
// connected group at a time one level deeper, then generalised, so each use
// after its group is polymorphic (let-polymorphism at top level). Annotated
// definitions already have their scheme and are checked last.
void Checker::CheckAllFunctions() {
  std::map<std::string, int> unannotated;
  std::vector<int> ids;
  for (size_t i = 0; i < out_.functions.size(); ++i) {
    if (!signatures_.contains(out_.functions[i].name)) {
      unannotated[out_.functions[i].name] = static_cast<int>(ids.size());
      ids.push_back(static_cast<int>(i));
    }
  }
  // A local that shadows a global adds a spurious edge; that only merges
  // groups (less polymorphism), never checks a use before its definition.
  std::vector<std::vector<int>> edges(ids.size());
  for (size_t k = 0; k < ids.size(); ++k) {
    for (const parse::Clause& clause : out_.functions[ids[k]].decl->clauses) {
      ForEachVar(clause.body, [&](const parse::VarExpr* v) {
        if (auto it = unannotated.find(v->name); it != unannotated.end() && v->qualifier.empty())
          edges[k].push_back(it->second);
      });
    }
  }
  // scopes_[1] is re-indexed each time: pushing scopes moves the vector.
  for (const std::vector<int>& group : StronglyConnected(edges)) {
    level_ = 2;
    for (int k : group) {
      Function& f = out_.functions[ids[k]];
      f.type = arena_.NewVar(level_);
      scopes_[1][f.name].scheme = Scheme{{}, f.type};
    }
    for (int k : group) CheckFunction(ids[k]);
    level_ = 1;
    for (int k : group) {
      Function& f = out_.functions[ids[k]];
      scopes_[1][f.name].scheme = Generalize(f.type, level_);
    }
  }
  for (size_t i = 0; i < out_.functions.size(); ++i)
    if (signatures_.contains(out_.functions[i].name)) CheckFunction(static_cast<int>(i));
}

void Checker::CheckFunction(int index) {
  const Function& f = out_.functions[index];
  for (const parse::Clause& clause : f.decl->clauses) {
    if (static_cast<int>(clause.params.size()) != f.arity) {
      diags_.Report(diag::Kind::ArityMismatch, file_, clause.span,
                    fmt::format("this clause of `{}` has {} parameters, the first has {}", f.name,
                                clause.params.size(), f.arity));
      return;
    }
  }
  auto [params, result] = SplitParams(f.type, f.arity, f.decl);
  for (const parse::Clause& clause : f.decl->clauses) {
    scopes_.emplace_back();
    for (size_t i = 0; i < params.size(); ++i) BindPattern(clause.params[i], params[i]);
    Expect(clause.body, result);
    scopes_.pop_back();
  }
}

void Checker::CheckMain() {
  if (out_.main_index < 0) return;
  const Function& main = out_.functions[out_.main_index];
  const Binding& b = scopes_[1].at("main");
  Type* actual = Instantiate(arena_, b.scheme, level_);
  Type* expected = arena_.Effect(arena_.NewVar(level_, Kind::Region), arena_.Con("Nondeterministic"),
                                 arena_.Unit());
  if (main.arity != 0 || !Unify(expected, actual)) {
    auto sig = signatures_.find("main");
    const source::Span at = sig != signatures_.end() ? sig->second->type->span : main.decl->name.span;
    diags_.Report(diag::Kind::MainType, file_, at,
                  fmt::format("`main` must have type `Effect s Nondeterministic ()`, but it has type `{}`",
                              ToString(main.type)));
  }
}

void Checker::CheckLetDecls(const std::vector<parse::Decl*>& decls) {
  // Let groups are recursive: bind every name first, then check bodies.
  Scope& scope = scopes_.back();
  std::map<std::string, const parse::SignatureDecl*> sigs;
  std::vector<std::pair<const parse::ValueDecl*, Type*>> values;
  for (const parse::Decl* d : decls) {
    switch (d->kind) {
      case DeclKind::Signature: {
        const auto* sig = Cast<parse::SignatureDecl>(d);
        sigs[sig->name.text] = sig;
        break;
      }
      case DeclKind::Value: {
        const auto* value = Cast<parse::ValueDecl>(d);
        if (scope.contains(value->name.text)) {
          diags_.Report(diag::Kind::DuplicateDefinition, file_, value->name.span,
                        fmt::format("`{}` is defined twice in this group", value->name.text));
          break;
        }
        Type* t = arena_.NewVar(level_);
        const int local = NewLocal(value->name.text, t);
        out_.decl_locals[value->id] = local;
        values.emplace_back(value, t);
        if (value->clauses.size() > 1)
          Unsupported(value->span, "local functions with several clauses are not supported yet; "
                                   "use `case` or define it at top level");
        break;
      }
      case DeclKind::PatternBind:
        Unsupported(d->span, "pattern bindings are not supported yet");
        break;
      case DeclKind::Data:
      case DeclKind::TypeAlias:
      case DeclKind::Error:
        break;
    }
  }
  for (auto& [value, t] : values) {
    if (auto it = sigs.find(value->name.text); it != sigs.end()) {
      std::map<std::string, Type*> vars;
      Type* declared = TypeFromSyntax(it->second->type, vars, Kind::Type);
      UnifyAt(declared, t, value->name.span, "its signature");
    }
    const parse::Clause& clause = value->clauses.front();
    if (clause.params.empty()) {
      Expect(clause.body, t);
      continue;
    }
    // A local function is a closure: `let f x = e` is `let f = \x -> e`.
    scopes_.emplace_back();
    std::vector<Type*> params;
    for (const parse::Pattern* p : clause.params) {
      params.push_back(arena_.NewVar(level_));
      BindPattern(p, params.back());
    }
    Type* result = arena_.NewVar(level_);
    Expect(clause.body, result);
    scopes_.pop_back();
    UnifyAt(t, arena_.Fun(params, result), value->name.span, "the local function");
  }
}

auto Check(const parse::Module& module, diag::Diagnostics& diags) -> std::unique_ptr<CheckedModule> {
  auto out = std::make_unique<CheckedModule>();
  Checker(module, diags, *out).Run();
  return out;
}

auto FlattenApp(const parse::Expr* e) -> Spine {
  Spine spine;
  if (const auto* app = parse::DynCast<parse::AppExpr>(e)) {
    spine = FlattenApp(app->fn);
    spine.args.insert(spine.args.end(), app->args.begin(), app->args.end());
    return spine;
  }
  if (const auto* bin = parse::DynCast<parse::BinaryExpr>(e); bin && bin->op == parse::BinaryOp::Dollar) {
    spine = FlattenApp(bin->lhs);
    spine.args.push_back(bin->rhs);
    return spine;
  }
  spine.head = e;
  return spine;
}

}  // namespace atl::check
