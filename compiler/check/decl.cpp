// The program, module by module: imports, top-level declarations, `main`,
// and `let` groups.
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/checker.h"
#include "compiler/check/walk.h"
#include "compiler/parse/parse.h"

namespace atl::check {

using parse::Cast;
using parse::DeclKind;

namespace {

// When the program has no Prelude, these stand in for its data types.
constexpr const char* kBuiltinData =
    "data Maybe a = Nothing | Just a\n"
    "data Result e a = Err e | Ok a\n";

}  // namespace

Checker::Checker(const std::vector<const parse::Module*>& modules, diag::Diagnostics& diags,
                 CheckedModule& out)
    : modules_(modules),
      diags_(diags),
      out_(out),
      arena_(out.arena),
      rules_(Rules(out.discipline)) {
  uint32_t exprs = 0, patterns = 0, decls = 0;
  for (const parse::Module* m : modules) {
    exprs = std::max(exprs, m->expr_count);
    patterns = std::max(patterns, m->pattern_count);
    decls = std::max(decls, m->decl_count);
  }
  out_.modules = modules;
  out_.expr_types.assign(exprs, nullptr);
  out_.refs.assign(exprs, Ref{});
  out_.pattern_locals.assign(patterns, -1);
  out_.decl_locals.assign(decls, -1);
  out_.pattern_constructors.assign(patterns, kNoConstructor);
  pattern_types_.assign(patterns + 64, nullptr);
}

void Checker::Run() {
  AddBuiltins();
  for (size_t i = 0; i < modules_.size(); ++i) {
    const std::string name = modules_[i]->name.text.empty() ? "Main" : modules_[i]->name.text;
    module_ids_.try_emplace(name, static_cast<int>(i));
  }
  exports_.resize(modules_.size() + 1);  // the last one: builtin data when there is no Prelude
  if (!module_ids_.contains("Prelude")) {
    auto file = std::make_shared<source::SourceFile>("<builtin>", kBuiltinData);
    diag::Diagnostics local;
    parse::IdBase base;
    for (const parse::Module* m : modules_) {
      base.expr = std::max(base.expr, m->expr_count);
      base.pattern = std::max(base.pattern, m->pattern_count);
      base.type = std::max(base.type, m->type_count);
      base.decl = std::max(base.decl, m->decl_count);
      base.stmt = std::max(base.stmt, m->stmt_count);
    }
    builtin_module_ = std::make_unique<parse::Module>(parse::Parse(file, local, base));
    module_ = builtin_module_.get();
    file_ = file.get();
    module_index_ = static_cast<int>(modules_.size());
    types_.clear();
    AddBuiltinTypes(types_);
    CollectTypeDecls();
  }
  for (size_t i = 0; i < modules_.size(); ++i) CheckModule(static_cast<int>(i));
  CheckSendableInstances();
  ComputeRegionHops();
  // Effect flags need the final types, so they come after every body.
  for (Function& f : out_.functions) {
    auto [params, result] = SplitFun(f.type, f.arity);
    f.effect = static_cast<int>(params.size()) == f.arity && IsCon(result, "Effect");
  }
  out_.pattern_types = pattern_types_;
}

void Checker::CheckModule(int index) {
  module_ = modules_[index];
  file_ = module_->file.get();
  module_index_ = index;
  signatures_.clear();
  types_.clear();
  constructors_.clear();
  AddBuiltinTypes(types_);
  scopes_.resize(1);
  BuildImportScope();
  CollectTypeDecls();
  const size_t first_function = out_.functions.size();
  CollectTopLevel();
  CheckAllFunctions(first_function);
  if (index + 1 == static_cast<int>(modules_.size())) CheckMain();
}

// The names every import brings, Prelude's implicitly. A name two imports
// define is ambiguous: it is reported where it is used (E0207).
void Checker::BuildImportScope() {
  Scope& scope = scopes_.emplace_back();
  std::vector<std::pair<int, std::string>> imported;  // module index, name
  const std::string self = module_->name.text;
  auto prelude = module_ids_.find("Prelude");
  if (prelude != module_ids_.end() && self != "Prelude") {
    imported.emplace_back(prelude->second, "Prelude");
  } else if (prelude == module_ids_.end()) {
    imported.emplace_back(static_cast<int>(modules_.size()), "Prelude");
  }
  for (const parse::Import& import : module_->imports) {
    auto it = module_ids_.find(import.module.text);
    if (it == module_ids_.end() || it->second >= module_index_) continue;  // the loader reported it
    if (import.module.text == "Prelude") continue;
    imported.emplace_back(it->second, import.module.text);
  }
  std::map<std::string, std::string> value_from, type_from, con_from;
  for (const auto& [m, name] : imported) {
    const Exports& ex = exports_[m];
    for (const auto& [n, b] : ex.values) {
      auto [it, inserted] = scope.try_emplace(n, b);
      if (!inserted && value_from[n] != name) {
        if (it->second.clash.empty()) it->second.clash.push_back(value_from[n]);
        it->second.clash.push_back(name);
      }
      if (inserted) value_from[n] = name;
    }
    for (const auto& [n, t] : ex.types) {
      auto [it, inserted] = types_.try_emplace(n, t);
      if (!inserted && type_from[n] != name && it->second.what != TypeEntry::What::Builtin) {
        if (it->second.clash.empty()) it->second.clash.push_back(type_from[n]);
        it->second.clash.push_back(name);
      }
      if (inserted) type_from[n] = name;
    }
    for (const auto& [n, c] : ex.constructors) {
      auto [it, inserted] = constructors_.try_emplace(n, c);
      if (!inserted && con_from[n] != name) {
        if (it->second.clash.empty()) it->second.clash.push_back(con_from[n]);
        it->second.clash.push_back(name);
      }
      if (inserted) con_from[n] = name;
    }
  }
}

auto Checker::FunctionScheme(const Function& f, const parse::SignatureDecl* sig) -> Scheme {
  (void)f;
  Type* t = SignatureType(sig->type, sig->name.text);
  return Generalize(t, level_);
}

void Checker::CollectTopLevel() {
  Scope& globals = scopes_.emplace_back();
  std::map<std::string, const parse::ValueDecl*> defined;
  const size_t first = out_.functions.size();
  for (const parse::Decl* d : module_->decls) {
    switch (d->kind) {
      case DeclKind::Data:
      case DeclKind::TypeAlias:
        break;  // CollectTypeDecls
      case DeclKind::Signature: {
        const auto* sig = Cast<parse::SignatureDecl>(d);
        auto [it, inserted] = signatures_.try_emplace(sig->name.text, sig);
        if (!inserted) {
          diags_
              .Report(diag::Kind::DuplicateDefinition, *file_, sig->name.span,
                      fmt::format("`{}` has two signatures", sig->name.text))
              .AddNote(*file_, it->second->name.span, "the first one is here");
        }
        break;
      }
      case DeclKind::Value: {
        const auto* value = Cast<parse::ValueDecl>(d);
        auto [it, inserted] = defined.try_emplace(value->name.text, value);
        if (!inserted) {
          diags_
              .Report(diag::Kind::DuplicateDefinition, *file_, value->name.span,
                      fmt::format("`{}` is defined twice", value->name.text))
              .AddNote(*file_, it->second->name.span, "the first definition is here");
          break;
        }
        if (value->clauses.front().params.empty() && value->clauses.size() > 1) {
          // The parser groups adjacent equations of one name; for a value
          // (no parameters) a second equation is a second definition.
          diags_
              .Report(diag::Kind::DuplicateDefinition, *file_, value->clauses[1].span,
                      fmt::format("`{}` is defined twice", value->name.text))
              .AddNote(*file_, value->name.span, "the first definition is here");
        }
        Function f;
        f.decl = value;
        f.name = value->name.text;
        f.arity = static_cast<int>(value->clauses.front().params.size());
        f.module = module_index_;
        out_.functions.push_back(f);
        break;
      }
      case DeclKind::PatternBind:
        diags_.Report(diag::Kind::InvalidTopLevelPattern, *file_, d->span,
                      "a top-level definition binds one name; bind the parts with `case` or `let`");
        break;
      case DeclKind::Error:
        break;
    }
  }
  for (const auto& [name, sig] : signatures_) {
    if (!defined.contains(name)) {
      diags_.Report(diag::Kind::SignatureWithoutBinding, *file_, sig->name.span,
                    fmt::format("`{}` has a signature but no definition", name));
    }
  }
  function_signatures_.resize(out_.functions.size(), nullptr);
  for (size_t i = first; i < out_.functions.size(); ++i) {
    Function& f = out_.functions[i];
    Scheme scheme;
    if (auto it = signatures_.find(f.name); it != signatures_.end()) {
      function_signatures_[i] = it->second;
      scheme = FunctionScheme(f, it->second);
      f.type = scheme.body;
    } else {
      f.type = arena_.NewVar(level_);
      scheme = Scheme{{}, f.type};
    }
    globals[f.name] =
        Binding{Ref{RefKind::Global, static_cast<int>(i), Builtin::Print}, scheme, {}};
    if (f.name == "main" && module_index_ + 1 == static_cast<int>(modules_.size()))
      out_.main_index = static_cast<int>(i);
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
      diags_.Report(diag::Kind::ArityMismatch, *file_, decl->name.span,
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
// connected group at a time one level deeper, then their constraints are
// solved and they are generalised, so each use after its group is
// polymorphic (let-polymorphism at top level). Annotated definitions already
// have their scheme and are checked last.
void Checker::CheckAllFunctions(size_t first_function) {
  std::map<std::string, int> unannotated;
  std::vector<int> ids;
  for (size_t i = first_function; i < out_.functions.size(); ++i) {
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
  // scopes_[2] is re-indexed each time: pushing scopes moves the vector.
  for (const std::vector<int>& group : StronglyConnected(edges)) {
    level_ = 2;
    for (int k : group) {
      Function& f = out_.functions[ids[k]];
      f.type = arena_.NewVar(level_);
      scopes_[2][f.name].scheme = Scheme{{}, f.type};
    }
    for (int k : group) group_functions_.insert(ids[k]);
    for (int k : group) CheckFunction(ids[k]);
    group_functions_.clear();
    ResolveFields(true);
    Solve(true, 1);
    CheckAppends();
    CheckComparisons();
    for (int k : group) CheckBodyTypes(out_.functions[ids[k]].decl);
    level_ = 1;
    for (int k : group) {
      Function& f = out_.functions[ids[k]];
      scopes_[2][f.name].scheme = Generalize(f.type, level_);
    }
  }
  for (size_t i = first_function; i < out_.functions.size(); ++i) {
    if (!signatures_.contains(out_.functions[i].name)) continue;
    level_ = 2;
    CheckFunction(static_cast<int>(i));
    ResolveFields(true);
    Solve(true, 1);
    CheckAppends();
    CheckComparisons();
    CheckBodyTypes(out_.functions[i].decl);
    level_ = 1;
  }
  Exports& own = exports_[module_index_];
  for (size_t i = first_function; i < out_.functions.size(); ++i) {
    const std::string& name = out_.functions[i].name;
    own.values[name] = scopes_[2].at(name);
  }
}

void Checker::CheckFunction(int index) {
  const Function& f = out_.functions[index];
  current_decl_ = f.decl;
  for (const parse::Clause& clause : f.decl->clauses) {
    if (static_cast<int>(clause.params.size()) != f.arity) {
      diags_.Report(diag::Kind::ArityMismatch, *file_, clause.span,
                    fmt::format("this clause of `{}` has {} parameters, the first has {}", f.name,
                                clause.params.size(), f.arity));
      return;
    }
  }
  auto [params, result] = SplitParams(f.type, f.arity, f.decl);
  std::optional<Origin> origin;
  if (const parse::SignatureDecl* sig = function_signatures_[index])
    origin =
        Origin{file_, sig->span, fmt::format("expected because of this signature of `{}`", f.name)};
  std::vector<std::vector<const parse::Pattern*>> rows;
  std::vector<source::Span> spans;
  for (const parse::Clause& clause : f.decl->clauses) {
    scopes_.emplace_back();
    for (size_t i = 0; i < params.size(); ++i) BindPattern(clause.params[i], params[i]);
    Expect(clause.body, result, origin ? &*origin : nullptr);
    scopes_.pop_back();
    rows.emplace_back(clause.params.begin(), clause.params.end());
    spans.push_back(clause.span);
  }
  if (f.arity > 0)
    CheckCoverage(rows, spans, params, f.decl->name.span,
                  fmt::format("the clauses of `{}`", f.name));
}

void Checker::CheckMain() {
  if (out_.main_index < 0) return;
  const Function& main = out_.functions[out_.main_index];
  const Binding& b = scopes_[2].at("main");
  Type* actual = Instantiate(arena_, b.scheme, level_);
  Type* expected = arena_.Effect(arena_.NewVar(level_, Kind::Region),
                                 arena_.Con("Nondeterministic"), arena_.Unit());
  if (main.arity != 0 || !Sub(actual, expected, main.decl->name.span, "", false)) {
    auto sig = signatures_.find("main");
    const source::Span at =
        sig != signatures_.end() ? sig->second->type->span : main.decl->name.span;
    diags_.Report(
        diag::Kind::MainType, *file_, at,
        fmt::format("`main` must have type `Effect s Nondeterministic ()`, but it has type `{}`",
                    ToString(main.type)));
  }
  Solve(true, 0);
}

namespace {

// Every variable `t` mentions (flexible or rigid, of any kind), once each.
auto VarsOf(Type* t) -> std::vector<Type*> {
  std::vector<Type*> out;
  std::set<Type*> seen;
  std::function<void(Type*)> walk = [&](Type* u) {
    u = Resolve(u);
    if (!seen.insert(u).second) return;
    if (u->kind == TypeKind::Var) {
      out.push_back(u);
      return;
    }
    for (Type* a : u->args) walk(a);
  };
  walk(t);
  return out;
}

}  // namespace

void Checker::CheckLetDecls(const std::vector<parse::Decl*>& decls) {
  // Let groups are recursive: bind every name first, then check bodies, one
  // level deeper so the group's own variables can be told from the
  // environment's when the syntactic functions are generalised.
  ++level_;
  const size_t scope_index = scopes_.size() - 1;
  Scope& scope = scopes_.back();
  std::set<Type*> own_rigid;  // Type variables of the group's own signatures
  std::map<std::string, const parse::SignatureDecl*> sigs;
  std::vector<std::pair<const parse::ValueDecl*, Type*>> values;
  std::vector<const parse::PatternBindDecl*> pattern_binds;
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
          diags_.Report(diag::Kind::DuplicateDefinition, *file_, value->name.span,
                        fmt::format("`{}` is defined twice in this group", value->name.text));
          break;
        }
        if (value->clauses.front().params.empty() && value->clauses.size() > 1) {
          // As at top level: the parser groups adjacent equations of one
          // name, and for a value a second equation is a second definition.
          diags_
              .Report(diag::Kind::DuplicateDefinition, *file_, value->clauses[1].span,
                      fmt::format("`{}` is defined twice in this group", value->name.text))
              .AddNote(*file_, value->name.span, "the first definition is here");
        }
        Type* t = arena_.NewVar(level_);
        const int local = NewLocal(value->name.text, t, value->name.span);
        out_.decl_locals[value->id] = local;
        values.emplace_back(value, t);
        break;
      }
      case DeclKind::PatternBind:
        pattern_binds.push_back(Cast<parse::PatternBindDecl>(d));
        break;
      case DeclKind::Data:
      case DeclKind::TypeAlias:
      case DeclKind::Error:
        break;
    }
  }
  for (const parse::PatternBindDecl* p : pattern_binds) {
    Type* t = Infer(p->body);
    BindPattern(p->pattern, t);
  }
  for (auto& [value, t] : values) {
    if (auto it = sigs.find(value->name.text); it != sigs.end()) {
      Type* declared = SignatureType(it->second->type, value->name.text);
      for (Type* v : VarsOf(declared))
        if (v->rigid) own_rigid.insert(v);
      UnifyAt(declared, t, value->name.span, "its signature");
    }
    const size_t arity = value->clauses.front().params.size();
    if (arity == 0) {
      Expect(value->clauses.front().body, t);
      continue;
    }
    // A local function is a closure: `let f x = e` is `let f = \x -> e`.
    std::vector<Type*> params;
    for (size_t i = 0; i < arity; ++i) params.push_back(arena_.NewVar(level_));
    Type* result = arena_.NewVar(level_);
    UnifyAt(t, arena_.Fun(params, result), value->name.span, "the local function");
    std::vector<std::vector<const parse::Pattern*>> rows;
    std::vector<source::Span> spans;
    for (const parse::Clause& clause : value->clauses) {
      if (clause.params.size() != arity) {
        diags_.Report(diag::Kind::ArityMismatch, *file_, clause.span,
                      fmt::format("this clause of `{}` has {} parameters, the first has {}",
                                  value->name.text, clause.params.size(), arity));
        continue;
      }
      scopes_.emplace_back();
      for (size_t i = 0; i < arity; ++i) BindPattern(clause.params[i], params[i]);
      Expect(clause.body, result);
      scopes_.pop_back();
      rows.emplace_back(clause.params.begin(), clause.params.end());
      spans.push_back(clause.span);
    }
    if (!rows.empty())  // else every clause had the wrong arity, already reported
      CheckCoverage(rows, spans, params, value->name.span,
                    fmt::format("the clauses of `{}`", value->name.text));
  }
  --level_;
  GeneralizeLet(values, pattern_binds, own_rigid, scopes_[scope_index]);
}

// Let-polymorphism with the value restriction. Only syntactic functions (a
// binding with parameters, or bound to a lambda) are generalised, and only
// over variables that belong to the group: flexible ones deeper than the
// enclosing level, or the rigid variables of the group's own signatures.
// Region and determinism variables are generalised too (`let mk x = newRef
// x` may allocate in the region of each use, as a top-level `mk` does: a
// closure takes the region of its caller when it runs), once the group's
// own constraints are settled as at the end of a rank-2 body. Never
// generalised: a variable of a constraint still pending (it reaches the
// environment, and is decided at the enclosing runST/runIO/forkIO/parST or
// top-level group); anything reachable
// from a non-function binding of the group (a value's type is monomorphic,
// and a function sharing a variable with it must not generalise it); from a
// pending region/determinism constraint; from a `++` whose operands'
// type is still unknown (it defaults to String when the top-level group is
// solved, which would change a scheme after its uses were instantiated); or
// from a field access or update whose record type is still unknown (it is
// checked later, against the one type the record turns out to have).
// Variables left monomorphic are moved to the enclosing level: they are
// part of the environment now, so a region opened later at that depth is
// still "deeper" than them and skolem escape stays caught.
void Checker::GeneralizeLet(const std::vector<std::pair<const parse::ValueDecl*, Type*>>& values,
                            const std::vector<const parse::PatternBindDecl*>& pattern_binds,
                            const std::set<Type*>& own_rigid, Scope& scope) {
  ResolveFields(false);  // may add constraints (an update's fields are checked by Sub)
  // Settle the constraints among the group's own region and determinism
  // variables, as at the end of a rank-2 body, so that what no outer
  // constraint reaches can be generalised.
  Solve(false, level_);
  std::set<Type*> fixed;
  const auto fix_all = [&](Type* t) {
    for (Type* v : VarsOf(t)) fixed.insert(v);
  };
  std::vector<bool> is_function(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const parse::Clause& first = values[i].first->clauses.front();
    const parse::Expr* body = first.body;
    while (const auto* annot = parse::DynCast<parse::AnnotExpr>(body)) body = annot->expr;
    is_function[i] = !first.params.empty() || body->kind == parse::ExprKind::Lambda;
    if (!is_function[i]) fix_all(values[i].second);
  }
  // What is pending in the enclosing code only matters when there is a
  // function to generalise: a group of values skips it (scanning it at
  // every `let` of a long block was quadratic).
  if (std::find(is_function.begin(), is_function.end(), true) != is_function.end()) {
    for (const parse::PatternBindDecl* p : pattern_binds)
      if (Type* t = out_.expr_types[p->body->id]) fix_all(t);
    for (const Constraint& c : constraints_) {
      fix_all(c.lower);
      fix_all(c.upper);
    }
    for (const auto& [span, t] : pending_appends_) fix_all(t);
    for (const PendingField& p : pending_fields_) {
      fix_all(p.record);
      if (p.result != nullptr) fix_all(p.result);
      if (const auto* update = parse::DynCast<parse::RecordUpdateExpr>(p.e))
        for (const parse::FieldInit& f : update->fields) fix_all(TypeOf(f.value));
    }
  }
  for (size_t i = 0; i < values.size(); ++i) {
    auto it = scope.find(values[i].first->name.text);
    if (it == scope.end() || it->second.ref.index != out_.decl_locals[values[i].first->id])
      continue;
    std::vector<Type*> quantified;
    for (Type* v : VarsOf(values[i].second)) {
      const bool own = v->rigid ? own_rigid.contains(v) : v->level > level_;
      if (is_function[i] && own && !fixed.contains(v)) quantified.push_back(v);
    }
    it->second.scheme = Scheme{quantified, values[i].second};
  }
  // Everything of the group's types that stays monomorphic joins the
  // environment's level.
  // (The group's own bindings: a `let` of a `do` block may share its scope
  // with the statements before it.)
  std::set<Type*> quantified_all;
  for (const auto& [value, t] : values)
    if (auto it = scope.find(value->name.text); it != scope.end())
      quantified_all.insert(it->second.scheme.vars.begin(), it->second.scheme.vars.end());
  for (const auto& [value, t] : values)
    for (Type* v : VarsOf(t))
      if (!v->rigid && v->level > level_ && !quantified_all.contains(v)) v->level = level_;
  for (const parse::PatternBindDecl* p : pattern_binds)
    if (Type* t = out_.expr_types[p->body->id])
      for (Type* v : VarsOf(t))
        if (!v->rigid && v->level > level_) v->level = level_;
}

auto Check(const std::vector<const parse::Module*>& modules, diag::Diagnostics& diags,
           Discipline discipline) -> std::unique_ptr<CheckedModule> {
  auto out = std::make_unique<CheckedModule>();
  out->discipline = discipline;
  Checker(modules, diags, *out).Run();
  if (!diags.has_errors()) CheckValueCycles(*out, diags);
  if (!diags.has_errors()) CheckExports(*out, diags);
  if (!diags.has_errors()) AnalyseSends(*out);
  return out;
}

auto Check(const parse::Module& module, diag::Diagnostics& diags)
    -> std::unique_ptr<CheckedModule> {
  return Check(std::vector<const parse::Module*>{&module}, diags);
}

auto IsRunIOCastBody(const parse::Expr* body) -> bool {
  while (body->kind == parse::ExprKind::Annot) body = Cast<parse::AnnotExpr>(body)->expr;
  const auto* lambda = parse::DynCast<parse::LambdaExpr>(body);
  return lambda != nullptr && lambda->params.size() == 1;
}

auto FlattenApp(const parse::Expr* e) -> Spine {
  Spine spine;
  if (const auto* app = parse::DynCast<parse::AppExpr>(e)) {
    spine = FlattenApp(app->fn);
    spine.args.insert(spine.args.end(), app->args.begin(), app->args.end());
    return spine;
  }
  if (const auto* bin = parse::DynCast<parse::BinaryExpr>(e);
      bin && bin->op == parse::BinaryOp::Dollar) {
    spine = FlattenApp(bin->lhs);
    spine.args.push_back(bin->rhs);
    return spine;
  }
  spine.head = e;
  return spine;
}

auto LetFunctionClauses(const CheckedModule& checked, const parse::Decl* d)
    -> std::vector<ClauseView> {
  const auto* v = parse::DynCast<parse::ValueDecl>(d);
  if (v == nullptr || checked.decl_locals[d->id] < 0) return {};
  const parse::Clause& first = v->clauses.front();
  if (first.params.empty()) {
    const parse::Expr* body = first.body;
    while (const auto* annot = parse::DynCast<parse::AnnotExpr>(body)) body = annot->expr;
    if (const auto* lambda = parse::DynCast<parse::LambdaExpr>(body))
      return {ClauseView{&lambda->params, lambda->body}};
    if (!IsCon(Resolve(checked.expr_types[first.body->id]), "Effect")) return {};
  }
  std::vector<ClauseView> clauses;
  for (const parse::Clause& clause : v->clauses)
    clauses.push_back(ClauseView{&clause.params, clause.body});
  return clauses;
}

}  // namespace atl::check
