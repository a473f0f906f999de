// The primitives of primitives.def (their types parsed by the real parser)
// and the builtin type constructors with their parameter kinds.
#include <fmt/core.h>

#include <string_view>

#include "compiler/check/checker.h"
#include "compiler/parse/parse.h"

namespace atl::check {

namespace {

// Arity and effect from the type text: arrows at bracket depth 0, and
// whether what follows the last one starts with `Effect`. The rank-2 forms:
// runST and parST are pure, runIO and forkIO actions of the enclosing region.
void Describe(PrimitiveInfo& p) {
  if (p.special) {
    p.arity = p.id == Builtin::ParST ? 2 : 1;
    p.effect = p.id == Builtin::RunIO || p.id == Builtin::ForkIO;
    return;
  }
  int depth = 0;
  const std::string_view text(p.type);
  size_t result = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(' || text[i] == '{') ++depth;
    if (text[i] == ')' || text[i] == '}') --depth;
    if (depth == 0 && text.substr(i, 2) == "->") {
      ++p.arity;
      result = i + 2;
    }
  }
  while (result < text.size() && text[result] == ' ') ++result;
  p.effect = text.substr(result).starts_with("Effect");
}

}  // namespace

auto Primitives() -> const std::vector<PrimitiveInfo>& {
  static const std::vector<PrimitiveInfo> table = [] {
    std::vector<PrimitiveInfo> t = {
#define PRIM(id, name, type, symbol) {Builtin::id, name, type, symbol, false},
#define SPECIAL(id, name) {Builtin::id, name, "", "", true},
#include "compiler/check/primitives.def"
    };
    for (PrimitiveInfo& p : t) Describe(p);
    return t;
  }();
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
  add("Bytes", {});
  add("FileHandle", {});
  add("Float", {});
  add("Char", {});
  add("List", {Kind::Type});
  add("Array", {Kind::Type});
  add("Ref", {Kind::Region, Kind::Type});
  add("MutableArray", {Kind::Region, Kind::Type});
  add("MVar", {Kind::Type});
  add("Cast", {Kind::Region, Kind::Region});  // runIO's cast under --regions=cast (discipline.h)
  add("Promise", {Kind::Type});
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
    diags_.Report(
        diag::Kind::Unsupported,
        "internal error: compiler/check/primitives.def does not parse:\n" + local.RenderAll());
  }
}

}  // namespace atl::check
