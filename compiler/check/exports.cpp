// `export f` (docs/embedding.md): which top-level functions a
// host may call, and how their values cross the boundary.
//
// An export is checked on its final (generalised) type: split into every
// parameter and the result, an action (`... -> Effect s d a`) contributes
// its `a`. Each of those must be sendable — the rule for MVar contents
// (sendable.cpp): no region token, so nothing mutable leaves its region —
// and must have a boundary code (monomorphic, built from the types the
// runtime converts: scalars, lists, tuples, records, promises). The region `s` of the action itself
// is the thread's own and may appear in the Effect only.
#include <fmt/core.h>

#include "compiler/check/check.h"
#include "compiler/check/checker.h"

namespace atl::check {
namespace {

// The smallest part of `t` that mentions a region (for the message).
auto PartWithRegion(Type* t) -> Type* {
  t = Resolve(t);
  for (Type* a : t->args)
    if (!RegionsOf(a).empty()) {
      Type* ra = Resolve(a);
      return ra->kind == TypeKind::Var ? t : PartWithRegion(ra);
    }
  return t;
}

}  // namespace

auto BoundaryCode(Type* t) -> std::optional<std::string> {
  t = Resolve(t);
  if (t->kind != TypeKind::Con) return std::nullopt;
  if (t->args.empty()) {
    if (t->name == "Int") return "i";
    if (t->name == "Float") return "f";
    if (t->name == "Bool") return "b";
    if (t->name == "Char") return "c";
    if (t->name == "String") return "s";
    if (t->name == "()") return "u";
    return std::nullopt;
  }
  auto inner = [&](const char* prefix) -> std::optional<std::string> {
    std::string code = prefix;
    for (Type* a : t->args) {
      std::optional<std::string> c = BoundaryCode(a);
      if (!c) return std::nullopt;
      code += *c;
    }
    return code;
  };
  if (IsRecordName(t->name)) {
    // Fields by name, in the checker's (sorted) order; the runtime places
    // them by the program's record descriptor (its layout).
    const std::vector<std::string> fields = RecordFields(t->name);
    if (fields.empty() || fields.size() != t->args.size()) return std::nullopt;
    std::string code = "R{";
    for (size_t i = 0; i < fields.size(); ++i) {
      std::optional<std::string> c = BoundaryCode(t->args[i]);
      if (!c) return std::nullopt;
      code += (i > 0 ? "," : "") + fields[i] + ":" + *c;
    }
    return code + "}";
  }
  if (t->name == "List" && t->args.size() == 1) return inner("L");
  if (t->name == "Promise" && t->args.size() == 1) return inner("P");
  if (IsTupleName(t->name) && t->args.size() >= 2 && t->args.size() <= 9)
    return inner(fmt::format("T{}", t->args.size()).c_str());
  return std::nullopt;
}

void CheckExports(CheckedModule& checked, diag::Diagnostics& diags) {
  if (checked.modules.empty()) return;
  const int main_module = static_cast<int>(checked.modules.size()) - 1;
  const parse::Module& module = *checked.modules.back();
  const source::SourceFile& file = *module.file;
  std::set<std::string> seen;
  for (const parse::Name& name : module.exports) {
    if (!seen.insert(name.text).second) {
      diags.Report(diag::Kind::DuplicateDefinition, file, name.span,
                   fmt::format("`{}` is exported twice", name.text));
      continue;
    }
    int index = -1;
    for (size_t i = 0; i < checked.functions.size(); ++i)
      if (checked.functions[i].module == main_module && checked.functions[i].name == name.text)
        index = static_cast<int>(i);
    if (index < 0) {
      diags.Report(
          diag::Kind::UnknownName, file, name.span,
          fmt::format("`export {}`: this module defines no top-level `{}`", name.text, name.text));
      continue;
    }
    const Function& f = checked.functions[index];
    Export e;
    e.function = index;
    e.name = name.text;
    e.span = name.span;
    auto [params, result] = SplitFun(f.type);
    result = Resolve(result);
    if (IsCon(result, "Effect") && result->args.size() == 3) {
      e.action = true;
      result = result->args[2];
    }
    // ATL_EXPORT_MAX_PARAMS (runtime/abi/atoll_export_abi.h).
    constexpr size_t kMaxParams = 16;
    if (params.size() > kMaxParams) {
      diags.Report(diag::Kind::ExportType, file, name.span,
                   fmt::format("`{}` is exported, but it has {} parameters; an export may have "
                               "at most {}",
                               name.text, params.size(), kMaxParams));
      continue;
    }
    std::vector<std::pair<Type*, std::string>> parts;
    for (size_t i = 0; i < params.size(); ++i)
      parts.emplace_back(params[i], fmt::format("its parameter {}", i + 1));
    parts.emplace_back(result, e.action ? "its action's result" : "its result");
    bool ok = true;
    for (auto& [type, what] : parts) {
      if (std::vector<Type*> regions = RegionsOf(type); !regions.empty()) {
        diags
            .Report(diag::Kind::ExportNotSendable, file, name.span,
                    fmt::format("`{}` is exported, but {} has type `{}`, which is not "
                                "sendable: the part `{}` carries a region",
                                name.text, what, ToString(type), ToString(PartWithRegion(type))))
            .AddNote(*checked.modules[f.module]->file, f.decl->name.span,
                     fmt::format("`{}` has type `{}`", f.name, ToString(f.type)))
            .AddNote(
                "a host calls exports from outside every region: their values may mention "
                "no region (no Ref, MutableArray or closure over a region)");
        ok = false;
        break;
      }
      std::optional<std::string> code = BoundaryCode(type);
      if (!code) {
        diags
            .Report(diag::Kind::ExportType, file, name.span,
                    fmt::format("`{}` is exported, but {} has type `{}`, which cannot "
                                "cross the host boundary",
                                name.text, what, ToString(type)))
            .AddNote(
                "exports take and return Int, Float, Bool, Char, String, (), lists, "
                "tuples and records of these, and Promise; the type must be monomorphic");
        ok = false;
        break;
      }
      if (&type == &parts.back().first) {
        e.result_code = *code;
      } else {
        e.param_codes.push_back(*code);
      }
    }
    if (ok) checked.exports.push_back(std::move(e));
  }
}

}  // namespace atl::check
