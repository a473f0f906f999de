#include "compiler/check/type.h"

#include <functional>
#include <map>
#include <set>

namespace atl::check {

auto TypeArena::NewVar(int level, Kind kind) -> Type* {
  Type& t = nodes_.emplace_back();
  t.kind = TypeKind::Var;
  t.id = ++next_var_;
  t.level = level;
  t.var_kind = kind;
  return &t;
}

auto TypeArena::NewRigid(const std::string& name, Kind kind) -> Type* {
  Type* t = NewVar(0, kind);
  t->rigid = true;
  t->name = name;
  return t;
}

auto TypeArena::Con(const std::string& name, std::vector<Type*> args) -> Type* {
  Type& t = nodes_.emplace_back();
  t.kind = TypeKind::Con;
  t.name = name;
  t.args = std::move(args);
  return &t;
}

auto TypeArena::Fun(Type* param, Type* result) -> Type* {
  Type& t = nodes_.emplace_back();
  t.kind = TypeKind::Fun;
  t.args = {param, result};
  return &t;
}

auto TypeArena::Fun(const std::vector<Type*>& params, Type* result) -> Type* {
  Type* t = result;
  for (auto it = params.rbegin(); it != params.rend(); ++it) t = Fun(*it, t);
  return t;
}

auto TupleName(size_t arity) -> std::string { return "(" + std::string(arity - 1, ',') + ")"; }

auto IsTupleName(const std::string& name) -> bool { return name.size() > 2 && name[1] == ','; }

auto RecordName(const std::vector<std::string>& sorted_fields) -> std::string {
  std::string name = "{";
  for (size_t i = 0; i < sorted_fields.size(); ++i) name += (i ? "," : "") + sorted_fields[i];
  return name + "}";
}

auto IsRecordName(const std::string& name) -> bool { return !name.empty() && name[0] == '{'; }

auto RecordFields(const std::string& name) -> std::vector<std::string> {
  std::vector<std::string> fields;
  std::string current;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    if (name[i] == ',') {
      fields.push_back(current);
      current.clear();
    } else {
      current += name[i];
    }
  }
  if (!current.empty()) fields.push_back(current);
  return fields;
}

auto Resolve(Type* t) -> Type* {
  Type* root = t;
  while (root->kind == TypeKind::Var && root->link != nullptr) root = root->link;
  // Path compression: later lookups through t are one step.
  while (t->kind == TypeKind::Var && t->link != nullptr && t->link != root) {
    Type* next = t->link;
    t->link = root;
    t = next;
  }
  return root;
}

auto IsCon(Type* t, const std::string& name) -> bool {
  t = Resolve(t);
  return t->kind == TypeKind::Con && t->name == name;
}

auto SplitFun(Type* t, int max_params) -> std::pair<std::vector<Type*>, Type*> {
  std::vector<Type*> params;
  t = Resolve(t);
  while (t->kind == TypeKind::Fun &&
         (max_params < 0 || static_cast<int>(params.size()) < max_params)) {
    params.push_back(t->args[0]);
    t = Resolve(t->args[1]);
  }
  return {params, t};
}

// Precedences: 0 = top (arrows allowed), 1 = left of an arrow, 2 = argument.
auto TypePrinter::Print(Type* t) -> std::string {
  Reserve(t);
  return Print(t, 0);
}

void TypePrinter::Reserve(Type* t) {
  std::set<Type*> seen;
  std::function<void(Type*)> walk = [&](Type* u) {
    u = Resolve(u);
    if (!seen.insert(u).second) return;
    if (u->kind == TypeKind::Var) {
      if (u->rigid) taken_.insert(u->name);
      return;
    }
    for (Type* a : u->args) walk(a);
  };
  walk(t);
}

// A flexible variable is named as a user would name it, by kind: a b c for
// types, s t u for regions, d e for determinisms; a name a rigid variable of
// the printed types already has (a signature's `s`) is skipped.
auto TypePrinter::FlexName(Type* v) -> std::string {
  static const char* const kLetters[] = {"abcpqr", "stuvw", "de"};
  const std::string letters = kLetters[static_cast<int>(v->var_kind)];
  int& n = counts_[static_cast<int>(v->var_kind)];
  for (;; ++n) {
    std::string name(1, letters[static_cast<size_t>(n) % letters.size()]);
    if (static_cast<size_t>(n) >= letters.size()) name += std::to_string(n / letters.size());
    if (!taken_.contains(name)) {
      ++n;
      taken_.insert(name);
      return name;
    }
  }
}

auto PrintType(Type* t, int precedence, const std::function<std::string(Type*)>& variable)
    -> std::string {
  t = Resolve(t);
  switch (t->kind) {
    case TypeKind::Var:
      return variable(t);
    case TypeKind::Fun: {
      std::string s = PrintType(t->args[0], 1, variable);  // sequenced: names follow reading order
      s += " -> " + PrintType(t->args[1], 0, variable);
      return precedence > 0 ? "(" + s + ")" : s;
    }
    case TypeKind::Con: {
      if (IsRecordName(t->name)) {
        const std::vector<std::string> fields = RecordFields(t->name);
        if (fields.empty()) return "{}";
        std::string s = "{ ";
        for (size_t i = 0; i < fields.size(); ++i)
          s += (i ? ", " : "") + fields[i] + " : " + PrintType(t->args[i], 0, variable);
        return s + " }";
      }
      if (t->args.empty()) return t->name;
      if (IsTupleName(t->name)) {
        std::string s = "(";
        for (size_t i = 0; i < t->args.size(); ++i)
          s += (i ? ", " : "") + PrintType(t->args[i], 0, variable);
        return s + ")";
      }
      std::string s = t->name;
      for (Type* a : t->args) s += " " + PrintType(a, 2, variable);
      return precedence > 1 ? "(" + s + ")" : s;
    }
  }
  return "?";
}

auto TypePrinter::Print(Type* t, int precedence) -> std::string {
  return PrintType(t, precedence, [this](Type* v) -> std::string {
    if (v->rigid) return v->name;
    auto it = names_.find(v->id);
    if (it == names_.end()) it = names_.emplace(v->id, FlexName(v)).first;
    return it->second;
  });
}

auto ToString(Type* t) -> std::string { return TypePrinter().Print(t); }

auto Substitute(TypeArena& arena, Type* t, const std::map<Type*, Type*>& subst) -> Type* {
  t = Resolve(t);
  switch (t->kind) {
    case TypeKind::Var: {
      auto it = subst.find(t);
      return it == subst.end() ? t : it->second;
    }
    case TypeKind::Fun:
      return arena.Fun(Substitute(arena, t->args[0], subst), Substitute(arena, t->args[1], subst));
    case TypeKind::Con: {
      if (t->args.empty()) return t;
      std::vector<Type*> args;
      for (Type* a : t->args) args.push_back(Substitute(arena, a, subst));
      return arena.Con(t->name, std::move(args));
    }
  }
  return t;
}

auto Instantiate(TypeArena& arena, const Scheme& scheme, int level) -> Type* {
  if (scheme.vars.empty()) return scheme.body;
  std::map<Type*, Type*> fresh;
  for (Type* v : scheme.vars) fresh[v] = arena.NewVar(level, v->var_kind);
  return Substitute(arena, scheme.body, fresh);
}

auto Generalize(Type* t, int level) -> Scheme {
  Scheme scheme{{}, t};
  std::set<Type*> seen;
  std::function<void(Type*)> walk = [&](Type* u) {
    u = Resolve(u);
    switch (u->kind) {
      case TypeKind::Var:
        // Rigid variables of a signature are quantified by that signature.
        if ((u->rigid || u->level > level) && seen.insert(u).second) scheme.vars.push_back(u);
        return;
      case TypeKind::Fun:
      case TypeKind::Con:
        for (Type* a : u->args) walk(a);
        return;
    }
  };
  walk(t);
  return scheme;
}

}  // namespace atl::check
