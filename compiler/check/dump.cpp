// `atoll check --dump=types`: the type of every top-level binding of the main
// module as the user would write its signature. A signature's variables
// keep their names; inferred ones are named in order of first appearance,
// reading the printed type left to right, per kind: a b c ... (types),
// s t u ... (regions), d e f ... (determinisms), skipping names the
// signature uses, so the output is stable (golden tests). Region bounds
// print in source syntax, `forall t (s | t <= s). ...`; type variables that
// must be sendable (kept in an MVar), which no syntax can state, follow as a
// comment: `-- sendable: a`.
#include <fmt/core.h>
#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

#include "compiler/check/check.h"

namespace atl::check {

namespace {

class CanonicalPrinter {
 public:
  auto Print(Type* t, int precedence) -> std::string {
    return PrintType(t, precedence, [this](Type* v) { return v->rigid ? Keep(v) : Name(v); });
  }

  auto Has(Type* v) -> bool { return names_.contains(Resolve(v)); }
  // The variables named so far, in order of appearance.
  auto Named() const -> const std::vector<Type*>& { return order_; }

  // The rigid names of `t` (a signature's) are not given to others.
  void Reserve(Type* t) {
    t = Resolve(t);
    if (t->kind == TypeKind::Var) {
      if (t->rigid) taken_.insert(t->name);
      return;
    }
    for (Type* a : t->args) Reserve(a);
  }

 private:
  auto Keep(Type* v) -> std::string {
    if (!names_.contains(v)) {
      names_[v] = v->name;
      order_.push_back(v);
    }
    return v->name;
  }
  auto Name(Type* v) -> std::string {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    int& n = counts_[static_cast<int>(v->var_kind)];
    std::string base;
    do {
      switch (v->var_kind) {
        case Kind::Type:
          base = Letter("abcdefghijklmnopqr", n);
          break;
        case Kind::Region:
          base = Letter("stuvwxyz", n);
          break;
        case Kind::Determinism:
          base = Letter("defgh", n);
          break;
      }
      ++n;
    } while (taken_.contains(base));
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
  std::set<std::string> taken_;
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
    p.Reserve(f.type);
    const std::string body = p.Print(f.type, 0);
    // Bounds as the signature writes them, `forall t (s | t <= s). ...`,
    // over the names just given (the body is printed first so names follow
    // reading order): each bounded variable with its bounds, after the
    // variables it is bounded by.
    std::map<Type*, std::vector<Type*>> bounds;  // upper -> lowers
    for (const auto& [lower, upper] : checked.region_bounds)
      if (p.Has(lower) && p.Has(upper)) bounds[Resolve(upper)].push_back(Resolve(lower));
    std::vector<std::string> binders;
    std::set<Type*> listed;
    std::function<void(Type*)> list = [&](Type* v) {
      if (!listed.insert(v).second) return;
      auto it = bounds.find(v);
      if (it == bounds.end()) {
        binders.push_back(p.Print(v, 0));
        return;
      }
      std::vector<std::string> parts;
      for (Type* lower : it->second) {
        list(lower);
        parts.push_back(fmt::format("{} <= {}", p.Print(lower, 0), p.Print(v, 0)));
      }
      binders.push_back(fmt::format("({} | {})", p.Print(v, 0), fmt::join(parts, ", ")));
    };
    for (Type* v : p.Named())
      if (bounds.contains(v)) list(v);
    std::vector<std::string> sendable;
    for (Type* v : p.Named())
      if (checked.sendable_vars.contains(v)) sendable.push_back(p.Print(v, 0));
    out += fmt::format(
        "{} : {}{}{}\n", f.name,
        binders.empty() ? "" : fmt::format("forall {}. ", fmt::join(binders, " ")), body,
        sendable.empty() ? "" : fmt::format("  -- sendable: {}", fmt::join(sendable, " ")));
  }
  return out;
}

}  // namespace atl::check
