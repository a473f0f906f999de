// The primitives of primitives.def (their types parsed by the real parser)
// and the builtin type constructors with their parameter kinds.
#include <fmt/core.h>

#include "compiler/check/checker.h"
#include "compiler/parse/parse.h"

namespace atl::check {

auto Primitives() -> const std::vector<PrimitiveInfo>& {
  static const std::vector<PrimitiveInfo> table = {
#define PRIM(id, name, type, symbol) {Builtin::id, name, type, symbol, false},
#define SPECIAL(id, name) {Builtin::id, name, "", "", true},
#include "compiler/check/primitives.def"
  };
  return table;
}

auto Primitive(Builtin b) -> const PrimitiveInfo& {
  for (const PrimitiveInfo& p : Primitives())
    if (p.id == b) return p;
  return Primitives().front();
}

auto BuiltinName(Builtin b) -> const char* { return Primitive(b).name; }

void Checker::AddBuiltinTypes(std::map<std::string, TypeEntry>& types) {
  auto add = [&](const char* name, std::vector<Kind> params, Kind result = Kind::Type) {
    TypeEntry e;
    e.what = TypeEntry::What::Builtin;
    e.con = name;
    e.params = std::move(params);
    e.result = result;
    types[name] = e;
  };
  add("Int", {});
  add("Bool", {});
  add("String", {});
  add("Float", {});
  add("Char", {});
  add("List", {Kind::Type});
  add("Array", {Kind::Type});
  add("Ref", {Kind::Region, Kind::Type});
  add("MutableArray", {Kind::Region, Kind::Type});
  add("MVar", {Kind::Type});
  add("Effect", {Kind::Region, Kind::Determinism, Kind::Type});
  add("Deterministic", {}, Kind::Determinism);
  add("Nondeterministic", {}, Kind::Determinism);
}

// Parses every primitive's type from one synthetic source file of
// signatures `p0 : type`, so the table uses exactly the language's syntax.
void Checker::AddBuiltins() {
  Scope& scope = scopes_.emplace_back();
  std::string text;
  std::vector<const PrimitiveInfo*> typed;
  for (const PrimitiveInfo& p : Primitives()) {
    if (p.special) {
      // The rank-2 forms have no type of their own; InferApp recognises them.
      scope[p.name] = Binding{Ref{RefKind::Builtin, -1, p.id}, Scheme{}, {}};
      continue;
    }
    text += fmt::format("p{} : {}\n", typed.size(), p.type);
    typed.push_back(&p);
  }
  auto file = std::make_shared<source::SourceFile>("<primitives.def>", text);
  diag::Diagnostics local;
  parse::Module m = parse::Parse(file, local);
  const source::SourceFile* saved = file_;
  file_ = file.get();
  std::map<std::string, TypeEntry> saved_types = types_;
  AddBuiltinTypes(types_);
  size_t k = 0;
  for (const parse::Decl* d : m.decls) {
    const auto* sig = parse::DynCast<parse::SignatureDecl>(d);
    if (sig == nullptr || k >= typed.size()) continue;
    std::map<std::string, Type*> vars;
    Type* t = TypeFromSyntax(sig->type, vars, Kind::Type);
    scope[typed[k]->name] = Binding{Ref{RefKind::Builtin, -1, typed[k]->id}, Generalize(t, 0), {}};
    ++k;
  }
  types_ = std::move(saved_types);
  file_ = saved;
  // A malformed line in primitives.def is a bug of the compiler itself.
  if (local.has_errors() || k != typed.size()) {
    diags_.Report(diag::Kind::Unsupported, "internal error: compiler/check/primitives.def does not parse:\n" +
                                               local.RenderAll());
  }
}

}  // namespace atl::check
