// `atoll check --dump=types`: the type of every top-level binding of the main
// module, with canonical variable names so the output is stable (golden
// tests): variables are named in order of first appearance, reading the
// printed type left to right, per kind: a b c ... (types), s t u ...
// (regions), d e f ... (determinisms); signature names are not kept.
// Requirements print as a `forall` prefix: bounds `(s <= t)` and type
// variables that must be sendable `(sendable a)`.
#include <fmt/core.h>

#include <map>

#include "compiler/check/check.h"

namespace atl::check {

namespace {

class CanonicalPrinter {
 public:
  auto Print(Type* t, int precedence) -> std::string {
    t = Resolve(t);
    switch (t->kind) {
      case TypeKind::Var:
        return Name(t);
      case TypeKind::Fun: {
        std::string s = Print(t->args[0], 1);
        s += " -> " + Print(t->args[1], 0);
        return precedence > 0 ? "(" + s + ")" : s;
      }
      case TypeKind::Con: {
        if (IsRecordName(t->name)) {
          const std::vector<std::string> fields = RecordFields(t->name);
          if (fields.empty()) return "{}";
          std::string s = "{ ";
          for (size_t i = 0; i < fields.size(); ++i)
            s += (i ? ", " : "") + fields[i] + " : " + Print(t->args[i], 0);
          return s + " }";
        }
        if (t->args.empty()) return t->name;
        if (IsTupleName(t->name)) {
          std::string s = "(";
          for (size_t i = 0; i < t->args.size(); ++i) s += (i ? ", " : "") + Print(t->args[i], 0);
          return s + ")";
        }
        std::string s = t->name;
        for (Type* a : t->args) s += " " + Print(a, 2);
        return precedence > 1 ? "(" + s + ")" : s;
      }
    }
    return "?";
  }

 auto Has(Type* v) -> bool { return names_.contains(Resolve(v)); }
 // The variables named so far, in order of appearance.
 auto Named() const -> const std::vector<Type*>& { return order_; }

 private:
  auto Name(Type* v) -> std::string {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    int& n = counts_[static_cast<int>(v->var_kind)];
    std::string base;
    switch (v->var_kind) {
      case Kind::Type: base = Letter("abcdefghijklmnopqr", n); break;
      case Kind::Region: base = Letter("stuvwxyz", n); break;
      case Kind::Determinism: base = Letter("defgh", n); break;
    }
    ++n;
    names_[v] = base;
    order_.push_back(v);
    return base;
  }
  static auto Letter(const std::string& letters, int n) -> std::string {
    const size_t size = letters.size();
    std::string s(1, letters[static_cast<size_t>(n) % size]);
    if (static_cast<size_t>(n) >= size) s += std::to_string(static_cast<size_t>(n) / size);
    return s;
  }
  std::map<Type*, std::string> names_;
  std::map<int, int> counts_;
  std::vector<Type*> order_;
};

}  // namespace

auto DumpTypes(const CheckedModule& checked) -> std::string {
  std::string out;
  const int main_module = static_cast<int>(checked.modules.size()) - 1;
  for (const Function& f : checked.functions) {
    if (f.module != main_module) continue;
    CanonicalPrinter p;
    const std::string body = p.Print(f.type, 0);
    // Bounds of the signature: `forall (t | s <= t). ...` over the names
    // just given (the body is printed first so names follow reading order).
    // Variables the scheme requires to be sendable (kept in an MVar).
    std::vector<std::string> bounds;
    for (Type* v : p.Named())
      if (checked.sendable_vars.contains(v)) bounds.push_back("sendable " + p.Print(v, 0));
    for (const auto& [lower, upper] : checked.region_bounds) {
      if (p.Has(lower) && p.Has(upper)) bounds.push_back(fmt::format("{} <= {}", p.Print(lower, 0), p.Print(upper, 0)));
    }
    std::string prefix;
    for (const std::string& b : bounds) prefix += "(" + b + ") ";
    out += fmt::format("{} : {}{}{}\n", f.name, prefix.empty() ? "" : "forall ", prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1) + ". ", body);
  }
  return out;
}

}  // namespace atl::check
