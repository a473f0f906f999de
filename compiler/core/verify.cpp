// Core's invariants (core.h), checked over a whole program: see README.md,
// "Verifier". One walk per function body and per lambda body keeps the
// variables and join labels in scope; a lambda starts from nothing but its
// self, parameters, region and captures.
#include <fmt/core.h>

#include <string>
#include <vector>

#include "compiler/core/core.h"
#include "compiler/core/util.h"

namespace atl::core {
namespace {

class Verifier {
 public:
  explicit Verifier(const Program& program)
      : p_(program),
        bound_(program.vars.size(), 0),
        in_scope_(program.vars.size(), 0),
        label_bound_(program.labels, 0),
        join_arity_(program.labels, -1) {}

  auto Run() -> std::string {
    const auto& functions = p_.checked->functions;
    if (p_.functions.size() != functions.size())
      Problem(fmt::format("program has {} functions, the checked module {}", p_.functions.size(),
                          functions.size()));
    for (size_t i = 0; i < p_.functions.size() && i < functions.size(); ++i)
      VerifyFunction(static_cast<int>(i));
    for (size_t i = 0; i < p_.lambdas.size(); ++i) VerifyLambda(static_cast<int>(i));
    std::string out;
    for (const std::string& line : problems_) out += line + "\n";
    return out;
  }

 private:
  void Problem(const std::string& text) {
    if (problems_.size() < 200) problems_.push_back(where_.empty() ? text : where_ + ": " + text);
  }

  auto Name(int v) const -> std::string { return fmt::format("v{} ({})", v, p_.vars[v].name); }
  auto ValidVar(int v) const -> bool { return v >= 0 && v < static_cast<int>(p_.vars.size()); }

  void Bind(int v) {
    if (!ValidVar(v)) {
      Problem(fmt::format("binds v{}, which is not a variable of the program", v));
      return;
    }
    if (++bound_[v] == 2) Problem(fmt::format("{} is bound more than once", Name(v)));
    in_scope_[v] = 1;
  }
  void Unbind(int v) {
    if (ValidVar(v)) in_scope_[v] = 0;
  }

  void Use(int v, const char* what) {
    if (!ValidVar(v)) {
      Problem(fmt::format("{} v{} is not a variable of the program", what, v));
      return;
    }
    if (!in_scope_[v])
      Problem(fmt::format("{} {} is not in scope{}", what, Name(v),
                          lambda_ >= 0 ? " (nor captured)" : ""));
  }
  void UseRegion(int v, const char* what) {
    Use(v, what);
    if (ValidVar(v) && !p_.vars[v].region)
      Problem(fmt::format("{} {} is not a region variable", what, Name(v)));
  }
  void UseValue(int v, const char* what) {
    Use(v, what);
    if (ValidVar(v) && p_.vars[v].region)
      Problem(fmt::format("{} {} is a region variable", what, Name(v)));
  }
  void UseAtom(const Atom& a) {
    if (a.IsVar()) UseValue(a.var, "operand");
  }

  void VerifyFunction(int index) {
    const check::Function& checked = p_.checked->functions[index];
    const Function& f = p_.functions[index];
    where_ = fmt::format("function `{}`", checked.name);
    lambda_ = -1;
    if (!f.body) {
      where_.clear();
      return;  // not translated (no code needed)
    }
    if (static_cast<int>(f.params.size()) != checked.arity)
      Problem(fmt::format("has {} parameters, its arity is {}", f.params.size(), checked.arity));
    if ((f.region >= 0) != checked.effect)
      Problem(checked.effect ? "is an action without a region parameter"
                             : "is not an action but has a region parameter");
    for (int v : f.params) Bind(v);
    if (f.region >= 0) {
      Bind(f.region);
      if (ValidVar(f.region) && !p_.vars[f.region].region)
        Problem(fmt::format("region parameter {} is not a region variable", Name(f.region)));
    }
    VerifyExpr(*f.body);
    for (int v : f.params) Unbind(v);
    if (f.region >= 0) Unbind(f.region);
    where_.clear();
  }

  void VerifyLambda(int index) {
    const Lambda& l = p_.lambdas[index];
    where_ = fmt::format("lambda #{} `{}`", index, l.name);
    lambda_ = index;
    std::vector<int> opened;
    auto open = [&](int v) {
      if (ValidVar(v) && !in_scope_[v]) {
        in_scope_[v] = 1;
        opened.push_back(v);
      }
    };
    for (int c : l.captures) {
      if (!ValidVar(c)) {
        Problem(fmt::format("captures v{}, which is not a variable of the program", c));
        continue;
      }
      open(c);
    }
    if (l.self >= 0)
      Bind(l.self);
    else
      Problem("has no self variable");
    for (int v : l.params) Bind(v);
    if (l.region >= 0) {
      Bind(l.region);
      if (ValidVar(l.region) && !p_.vars[l.region].region)
        Problem(fmt::format("region parameter {} is not a region variable", Name(l.region)));
    }
    if (!l.body) {
      Problem("has no body");
    } else {
      VerifyExpr(*l.body);
    }
    if (l.self >= 0) Unbind(l.self);
    for (int v : l.params) Unbind(v);
    if (l.region >= 0) Unbind(l.region);
    for (int v : opened) in_scope_[v] = 0;
    where_.clear();
    lambda_ = -1;
  }

  void VerifyCallRegion(const Rhs& rhs, bool action, const std::string& callee) {
    if (action && rhs.region < 0)
      Problem(fmt::format("call of action {} passes no region", callee));
    if (!action && rhs.region >= 0)
      Problem(fmt::format("call of {} passes a region, but it is not an action", callee));
    if (rhs.region >= 0) UseRegion(rhs.region, "region");
  }

  void VerifyRhs(const Rhs& rhs) {
    for (const Atom& a : rhs.args) UseAtom(a);
    auto want_args = [&](size_t n, const char* what) {
      if (rhs.args.size() != n)
        Problem(fmt::format("{} has {} operands, expected {}", what, rhs.args.size(), n));
    };
    auto no_region = [&](const char* what) {
      if (rhs.region >= 0) Problem(fmt::format("{} passes a region", what));
    };
    switch (rhs.kind) {
      case RhsKind::Atom:
        want_args(1, "atom");
        no_region("atom");
        break;
      case RhsKind::CallGlobal: {
        if (rhs.function() < 0 || rhs.function() >= static_cast<int>(p_.functions.size())) {
          Problem(fmt::format("call of function #{}, which does not exist", rhs.function()));
          break;
        }
        const check::Function& f = p_.checked->functions[rhs.function()];
        std::string callee = fmt::format("`{}`", f.name);
        if (static_cast<int>(rhs.args.size()) != f.arity)
          Problem(fmt::format("call of {} with {} arguments, its arity is {}", callee,
                              rhs.args.size(), f.arity));
        VerifyCallRegion(rhs, p_.functions[rhs.function()].region >= 0, callee);
        break;
      }
      case RhsKind::CallLocal: {
        if (rhs.lambda() < 0 || rhs.lambda() >= static_cast<int>(p_.lambdas.size())) {
          Problem(fmt::format("call of lambda #{}, which does not exist", rhs.lambda()));
          break;
        }
        const Lambda& l = p_.lambdas[rhs.lambda()];
        std::string callee = fmt::format("lambda #{} `{}`", rhs.lambda(), l.name);
        UseValue(rhs.closure(), "closure");
        if (rhs.args.size() != l.params.size())
          Problem(fmt::format("call of {} with {} arguments, it has {} parameters", callee,
                              rhs.args.size(), l.params.size()));
        VerifyCallRegion(rhs, l.region >= 0, callee);
        break;
      }
      case RhsKind::Apply:
        if (rhs.args.empty() || (rhs.args.size() == 1 && rhs.region < 0))
          Problem("apply without a function and an argument (or a region)");
        if (rhs.region >= 0) UseRegion(rhs.region, "region");
        break;
      case RhsKind::Prim: {
        const check::PrimitiveInfo& info = check::Primitive(rhs.prim);
        const char* name = info.name;
        if (static_cast<int>(rhs.args.size()) != info.arity)
          Problem(fmt::format("primitive `{}` with {} arguments, its arity is {}", name,
                              rhs.args.size(), info.arity));
        if (!rhs.types.empty() && rhs.types.size() != rhs.args.size())
          Problem(fmt::format("primitive `{}` has {} argument types for {} arguments", name,
                              rhs.types.size(), rhs.args.size()));
        VerifyCallRegion(rhs, info.effect, fmt::format("primitive `{}`", name));
        break;
      }
      case RhsKind::Construct: {
        if (rhs.constructor() < 0 ||
            rhs.constructor() >= static_cast<int>(p_.checked->constructors.size())) {
          Problem(fmt::format("constructor #{} does not exist", rhs.constructor()));
          break;
        }
        const check::Constructor& c = p_.checked->constructors[rhs.constructor()];
        if (static_cast<int>(rhs.args.size()) != c.arity)
          Problem(fmt::format("constructor `{}` with {} fields, its arity is {}", c.name,
                              rhs.args.size(), c.arity));
        no_region("constructor");
        break;
      }
      case RhsKind::Nil:
        want_args(0, "[]");
        break;
      case RhsKind::Cons:
        want_args(2, "::");
        break;
      case RhsKind::Tuple:
        break;
      case RhsKind::Record:
        if (rhs.names.size() != rhs.args.size())
          Problem("record with as many names as fields expected");
        break;
      case RhsKind::Project:
        want_args(1, "projection");
        break;
      case RhsKind::Field:
        want_args(1, "field access");
        break;
      case RhsKind::Update:
        if (rhs.args.size() != rhs.names.size() + 1)
          Problem("record update with one value per name expected");
        break;
      case RhsKind::Binary:
        want_args(2, "binary operation");
        break;
      case RhsKind::Negate:
        want_args(1, "negation");
        break;
      case RhsKind::Closure: {
        if (rhs.lambda() < 0 || rhs.lambda() >= static_cast<int>(p_.lambdas.size())) {
          Problem(fmt::format("closure of lambda #{}, which does not exist", rhs.lambda()));
          break;
        }
        for (int c : p_.lambdas[rhs.lambda()].captures) Use(c, "captured variable");
        break;
      }
      case RhsKind::GlobalValue:
        if (rhs.function() < 0 || rhs.function() >= static_cast<int>(p_.functions.size()))
          Problem(fmt::format("function value #{} does not exist", rhs.function()));
        break;
      case RhsKind::PrimValue:
      case RhsKind::ConValue:
      case RhsKind::OpValue:
        break;
      case RhsKind::Static:
        if (rhs.expr == nullptr) Problem("static value without its expression");
        break;
      case RhsKind::Region: {
        if (rhs.prim != check::Builtin::RunST && rhs.prim != check::Builtin::RunIO)
          Problem("region opened by something other than runST or runIO");
        if (rhs.prim == check::Builtin::RunIO && rhs.region >= 0)
          UseRegion(rhs.region, "parent region");
        if (!rhs.body) {
          Problem("region without a body");
          break;
        }
        Bind(rhs.bound_region());
        if (ValidVar(rhs.bound_region()) && !p_.vars[rhs.bound_region()].region)
          Problem(fmt::format("region binds {}, which is not a region variable",
                              Name(rhs.bound_region())));
        NestedBody(*rhs.body);
        Unbind(rhs.bound_region());
        break;
      }
      case RhsKind::Block:
        if (!rhs.body) {
          Problem("block without a body");
          break;
        }
        NestedBody(*rhs.body);
        break;
    }
  }

  // A Region's or Block's body: a jump must not leave it.
  void NestedBody(const Expr& body) {
    size_t saved = barrier_;
    barrier_ = joins_.size();
    VerifyExpr(body);
    barrier_ = saved;
  }

  // Along continuations in a loop, other children by recursion (util.h).
  // What the loop binds and the joins it enters stay in scope until the
  // end of the chain.
  void VerifyExpr(const Expr& e) {
    std::vector<int> bound;  // unbound at the end of the chain
    size_t entered = 0;      // joins pushed on joins_ by this chain
    for (const Expr* x = &e; x != nullptr;) {
      const std::unique_ptr<Expr>* continuation = ContinuationSlot(*x);
      auto others = [&] {
        ForEachChildSlot(*x, continuation,
                         [&](const std::unique_ptr<Expr>* slot) { VerifyExpr(**slot); });
      };
      switch (x->kind) {
        case ExprKind::Let:
          VerifyRhs(x->rhs);
          Bind(x->var);
          bound.push_back(x->var);
          if (ValidVar(x->var) && p_.vars[x->var].region)
            Problem(fmt::format("let binds region variable {}", Name(x->var)));
          if (!x->next) Problem("let without a body");
          break;
        case ExprKind::LetRec:
          if (x->vars.size() != x->group.size())
            Problem("letrec with as many variables as closures expected");
          for (int v : x->vars) {
            Bind(v);
            bound.push_back(v);
          }
          for (const Rhs& r : x->group) {
            if (r.kind != RhsKind::Closure) Problem("letrec binds something other than a closure");
            VerifyRhs(r);
          }
          if (!x->next) Problem("letrec without a body");
          break;
        case ExprKind::Return:
          VerifyRhs(x->rhs);
          break;
        case ExprKind::If:
          UseAtom(x->cond);
          if (!x->then_branch || !x->else_branch) {
            Problem("if without both branches");
            continuation = nullptr;
            break;
          }
          others();
          break;
        case ExprKind::Switch:
          UseAtom(x->cond);
          if (!x->cond.IsVar()) Problem("switch on a literal");
          for (const Alt& alt : x->alts) {
            if (alt.constructor != kNilAlt && alt.constructor != kConsAlt &&
                (alt.constructor < 0 ||
                 alt.constructor >= static_cast<int>(p_.checked->constructors.size())))
              Problem(fmt::format("switch alternative for constructor #{}, which does not exist",
                                  alt.constructor));
            if (!alt.body) Problem("switch alternative without a body");
          }
          if (x->alts.empty() && !x->else_branch) Problem("switch without alternatives");
          others();
          break;
        case ExprKind::Join: {
          if (x->label < 0 || x->label >= p_.labels) {
            Problem(fmt::format("join label {} out of range (the program has {})", x->label,
                                p_.labels));
            continuation = nullptr;
            break;
          }
          if (++label_bound_[x->label] == 2)
            Problem(fmt::format("join label {} is declared more than once", x->label));
          if (!x->join_body || !x->next) {
            Problem(!x->join_body ? "join without a body" : "join without a scope");
            continuation = nullptr;
            break;
          }
          join_arity_[x->label] = static_cast<int>(x->vars.size());
          // The join body runs after a jump: it sees what encloses the
          // join, never what `next` binds, nor the join itself unless the
          // join is recursive (a loop).
          if (continuation == &x->next) {
            for (int v : x->vars) Bind(v);
            if (x->recursive) joins_.push_back(x->label);
            VerifyExpr(*x->join_body);
            if (x->recursive) joins_.pop_back();
            for (int v : x->vars) Unbind(v);
            joins_.push_back(x->label);
            ++entered;
          } else {
            joins_.push_back(x->label);
            VerifyExpr(*x->next);
            if (x->recursive) {
              ++entered;
            } else {
              joins_.pop_back();
            }
            for (int v : x->vars) {
              Bind(v);
              bound.push_back(v);
            }
          }
          break;
        }
        case ExprKind::Jump: {
          for (const Atom& a : x->args) UseAtom(a);
          bool found = false, beyond = false;
          for (size_t i = joins_.size(); i-- > 0;) {
            if (joins_[i] != x->label) continue;
            found = i >= barrier_;
            beyond = i < barrier_;
            break;
          }
          if (beyond) {
            Problem(fmt::format("jump to join label {} leaves a block or region", x->label));
          } else if (!found) {
            Problem(fmt::format("jump to join label {}, which does not enclose it", x->label));
          } else if (static_cast<int>(x->args.size()) != join_arity_[x->label]) {
            Problem(fmt::format("jump to join label {} with {} arguments, it has {} parameters",
                                x->label, x->args.size(), join_arity_[x->label]));
          }
          break;
        }
        case ExprKind::Fail:
          break;
      }
      x = continuation != nullptr ? continuation->get() : nullptr;
    }
    for (int v : bound) Unbind(v);
    joins_.resize(joins_.size() - entered);
  }

  const Program& p_;
  std::vector<std::string> problems_;
  std::vector<int> bound_;
  std::vector<char> in_scope_;
  std::vector<int> label_bound_;
  std::vector<int> join_arity_;
  std::vector<int> joins_;  // labels of the enclosing joins, innermost last
  size_t barrier_ = 0;      // joins_ below this index are outside the current block
  int lambda_ = -1;
  std::string where_;
};

}  // namespace

auto Verify(const Program& program) -> std::string {
  if (program.checked == nullptr) return "program without its checked module\n";
  return Verifier(program).Run();
}

}  // namespace atl::core
