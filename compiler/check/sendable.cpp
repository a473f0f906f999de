// Sendability (docs/typing.md section 6).
//
// The contents of an MVar may mention no region. A type keeps a value "in a
// sendable position" when it is the element of an MVar, or an argument of a
// data type whose parameter reaches an MVar (`data Box a = Box (MVar a)`
// makes `a` of `Box a` such a position; computed per module to a fixpoint).
//
// Two checks enforce it:
// - on types: every signature, constructor field and (after its group is
//   solved) expression type of a definition is searched for a sendable
//   position whose contents mention a region (CheckSendable);
// - through polymorphism: a definition may keep a value of a quantified type
//   in an MVar without the MVar showing in its type (`stash x = newMVar x
//   >> pure ()`). Such a type variable is marked "must be sendable"; the mark
//   belongs to the scheme (it is keyed by the quantified variable, shared by
//   every copy of the scheme, also across modules). Every use of a binding
//   records what it instantiates each quantified variable with; at the end of
//   the program the marks are propagated through those instantiations (a
//   variable of the caller that flows into a marked one is marked in turn) and
//   an instantiation of a marked variable by a type that mentions a region is
//   reported where it happens, with notes leading to the MVar that requires it.
//   Signature variables are treated alike: `stash : a -> ...` whose body puts
//   `a` into an MVar is accepted, and its scheme carries the requirement
//   (printed by --dump=types as a comment, `-- sendable: a`).
#include <fmt/core.h>

#include <functional>

#include "compiler/check/checker.h"
#include "compiler/check/walk.h"

namespace atl::check {

namespace {

using SendableParams = std::map<std::string, std::vector<bool>>;

// Calls `visit(container, index)` for every sendable position of `t`, each
// node once (types are DAGs). Stops when `visit` returns true, and returns true.
auto ForEachSendablePosition(Type* t, const SendableParams& params, std::set<Type*>& seen,
                             const std::function<bool(Type*, size_t)>& visit) -> bool {
  t = Resolve(t);
  if (t->kind == TypeKind::Var || !seen.insert(t).second) return false;
  if (t->kind == TypeKind::Con) {
    if (t->name == "MVar" && t->args.size() == 1) {
      if (visit(t, 0)) return true;
    } else if (auto it = params.find(t->name); it != params.end()) {
      for (size_t i = 0; i < t->args.size() && i < it->second.size(); ++i)
        if (it->second[i] && visit(t, i)) return true;
    }
  }
  for (Type* a : t->args)
    if (ForEachSendablePosition(a, params, seen, visit)) return true;
  return false;
}

// The ordinary (kind Type) variables `t` mentions, flexible or rigid.
void TypeVarsOf(Type* t, std::vector<Type*>& out, std::set<Type*>& seen) {
  t = Resolve(t);
  if (!seen.insert(t).second) return;
  if (t->kind == TypeKind::Var) {
    if (t->var_kind == Kind::Type) out.push_back(t);
    return;
  }
  for (Type* a : t->args) TypeVarsOf(a, out, seen);
}

auto TypeVarsOf(Type* t) -> std::vector<Type*> {
  std::vector<Type*> out;
  std::set<Type*> seen;
  TypeVarsOf(t, out, seen);
  return out;
}

// The innermost part of `t` that carries `region` (for the message).
auto PartCarrying(Type* t, Type* region) -> Type* {
  t = Resolve(t);
  if (t->kind == TypeKind::Var) return t;
  for (Type* a : t->args) {
    for (Type* r : RegionsOf(a))
      if (r == region) {
        Type* ra = Resolve(a);
        if (ra->kind == TypeKind::Var) return t;
        return PartCarrying(a, region);
      }
  }
  return t;
}

auto DataName(const std::string& con) -> std::string {
  const size_t dot = con.rfind('.');
  return dot == std::string::npos ? con : con.substr(dot + 1);
}

constexpr const char* kWhyNote =
    "an MVar is shared between threads, which share no mutable data: its contents may mention no "
    "region (no "
    "Ref, MutableArray, action or closure over a region)";
constexpr const char* kFixNote =
    "send immutable data instead: `freeze` an array, or read the value out of a Ref";

}  // namespace

void Checker::CheckSendable(Type* t, source::Span span, const std::string& what,
                            std::set<Type*>* seen) {
  Type* container = nullptr;
  size_t index = 0;
  Type* region = nullptr;
  std::set<Type*> local;
  const bool found = ForEachSendablePosition(t, sendable_params_, seen != nullptr ? *seen : local,
                                             [&](Type* c, size_t i) {
                                               std::vector<Type*> regions = RegionsOf(c->args[i]);
                                               if (regions.empty()) return false;
                                               container = c;
                                               index = i;
                                               region = regions.front();
                                               return true;
                                             });
  if (!found) return;
  if (!sendable_reported_.insert({span.begin, module_index_}).second) return;
  Type* contents = container->args[index];
  Type* part = PartCarrying(contents, region);
  TypePrinter p;
  p.Reserve(container);
  const std::string container_text = p.Print(container);
  std::string message;
  if (container->name == "MVar") {
    message = fmt::format(
        "the contents of `{}` in {} are not sendable: the part `{}` carries the region {}",
        container_text, what, p.Print(part), DescribeRegion(region, p));
  } else {
    message = fmt::format(
        "the argument `{}` of `{}` in {} is not sendable (`{}` keeps it in an MVar): the part `{}` "
        "carries the region {}",
        p.Print(contents), container_text, what, DataName(container->name), p.Print(part),
        DescribeRegion(region, p));
  }
  diags_.Report(diag::Kind::NotSendable, *file_, span, message).AddNote(kWhyNote).AddNote(kFixNote);
}

void Checker::ComputeSendableParams(const std::vector<const parse::DataDecl*>& datas) {
  struct Data {
    std::string con;
    std::vector<Type*> params;
    std::vector<Type*> fields;
  };
  std::vector<Data> infos;
  for (const parse::DataDecl* data : datas) {
    auto entry = types_.find(data->name.text);
    if (entry == types_.end() || entry->second.what != TypeEntry::What::Data) continue;
    Data info;
    info.con = entry->second.con;
    for (int id : data_constructors_[info.con]) {
      const Constructor& c = out_.constructors[id];
      info.params = c.scheme.vars;
      auto [fields, result] = SplitFun(c.scheme.body, c.arity);
      info.fields.insert(info.fields.end(), fields.begin(), fields.end());
    }
    sendable_params_[info.con].assign(data->params.size(), false);
    infos.push_back(std::move(info));
  }
  // A parameter reaches an MVar when it occurs in a sendable position of a
  // field; positions of this module's types grow until nothing changes.
  bool changed = true;
  while (changed) {
    changed = false;
    for (const Data& info : infos) {
      std::vector<bool>& flags = sendable_params_[info.con];
      for (Type* field : info.fields) {
        std::set<Type*> seen;
        ForEachSendablePosition(field, sendable_params_, seen, [&](Type* c, size_t i) {
          for (Type* v : TypeVarsOf(c->args[i])) {
            for (size_t p = 0; p < info.params.size() && p < flags.size(); ++p) {
              if (info.params[p] == v && !flags[p]) {
                flags[p] = true;
                changed = true;
              }
            }
          }
          return false;
        });
      }
    }
  }
}

void Checker::MarkMVarContents(const parse::ValueDecl* decl) {
  std::set<Type*> seen;
  for (const parse::Clause& clause : decl->clauses) {
    ForEachExpr(clause.body, [&](const parse::Expr* e) {
      Type* t = out_.expr_types[e->id];
      if (t == nullptr) return;
      ForEachSendablePosition(t, sendable_params_, seen, [&](Type* c, size_t i) {
        for (Type* v : TypeVarsOf(c->args[i])) {
          if (must_send_.contains(v)) continue;
          TypePrinter p;
          must_send_[v] =
              SendReason{module_index_, e->span,
                         fmt::format("`{}` keeps it in an MVar here: `{}` has type `{}`",
                                     decl->name.text, Source(e), p.Print(t)),
                         nullptr};
        }
        return false;
      });
    });
  }
}

void Checker::AddSendObligation(Type* scheme_var, Type* instance, const parse::Expr* e,
                                const std::string& name) {
  if (scheme_var->var_kind != Kind::Type) return;
  send_obligations_.push_back(
      SendObligation{scheme_var, instance, e->span, module_index_, name, current_decl_});
}

void Checker::CheckSendableInstances() {
  std::map<Type*, std::vector<size_t>> by_var;
  for (size_t i = 0; i < send_obligations_.size(); ++i)
    by_var[send_obligations_[i].scheme_var].push_back(i);
  // Propagate: what instantiates a marked variable must be sendable, so the
  // variables it mentions are marked too (they belong to the using
  // definition's scheme, or are fixed later and then checked as types).
  std::vector<Type*> work;
  for (const auto& [v, reason] : must_send_) work.push_back(v);
  while (!work.empty()) {
    Type* v = work.back();
    work.pop_back();
    auto it = by_var.find(v);
    if (it == by_var.end()) continue;
    for (size_t i : it->second) {
      const SendObligation& ob = send_obligations_[i];
      const std::string user = ob.decl != nullptr ? ob.decl->name.text : "this definition";
      for (Type* u : TypeVarsOf(ob.instance)) {
        if (must_send_.contains(u)) continue;
        must_send_[u] = SendReason{ob.module, ob.span,
                                   fmt::format("`{}` passes it on to `{}` here", user, ob.name), v};
        work.push_back(u);
      }
    }
  }
  for (const auto& [v, reason] : must_send_)
    if (v->kind == TypeKind::Var && v->link == nullptr) out_.sendable_vars.insert(v);

  const source::SourceFile* saved_file = file_;
  const int saved_index = module_index_;
  for (const SendObligation& ob : send_obligations_) {
    if (!must_send_.contains(ob.scheme_var) || unsendable_decls_.contains(ob.decl)) continue;
    std::vector<Type*> regions = RegionsOf(ob.instance);
    if (regions.empty()) continue;
    if (!sendable_reported_.insert({ob.span.begin, ob.module}).second) continue;
    file_ = modules_[ob.module]->file.get();
    module_index_ = ob.module;
    TypePrinter p;
    const std::string instance = p.Print(ob.instance);
    const std::string part = p.Print(PartCarrying(ob.instance, regions.front()));
    const parse::ValueDecl* saved_decl = current_decl_;
    current_decl_ = ob.decl;
    diag::Diagnostic& d =
        diags_.Report(diag::Kind::NotSendable, *file_, ob.span,
                      fmt::format("`{}` keeps a value of type `{}` in an MVar (through its "
                                  "polymorphic type), and that type "
                                  "is not sendable: the part `{}` carries the region {}",
                                  ob.name, instance, part, DescribeRegion(regions.front(), p)));
    current_decl_ = saved_decl;
    // The chain of uses down to the MVar that requires it.
    Type* v = ob.scheme_var;
    for (int depth = 0; v != nullptr && depth < 6; ++depth) {
      auto it = must_send_.find(v);
      if (it == must_send_.end()) break;
      const SendReason& r = it->second;
      d.AddNote(*modules_[r.module]->file, r.span, r.text);
      v = r.from;
    }
    d.AddNote(kWhyNote).AddNote(kFixNote);
  }
  file_ = saved_file;
  module_index_ = saved_index;
}

}  // namespace atl::check
