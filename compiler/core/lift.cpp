// Passes the optimiser runs once after its rounds (see README.md,
// "Optimiser"): lambda lifting of local functions whose closure never
// escapes, and stubs for the lambdas nothing builds any more.
#include "compiler/core/lift.h"

#include <unordered_map>
#include <vector>

#include "compiler/core/util.h"

namespace atl::core {

// A local function whose closure never escapes (every use of the
// variables bound to it, its self included, is the closure of a
// CallLocal of its code) gets its captures as extra parameters, passed
// unchanged by its self calls. Its closure then captures nothing: a
// constant, so a specialised loop allocates nothing at all.
auto LiftLocalFunctions(Program& program) -> int {
  std::vector<int> lambdas = ReachableLambdas(program);
  std::vector<int> uses(program.vars.size(), 0), jumps(program.labels, 0);
  UseCounter(program, uses, jumps).Exprs(program);
  // Closure variables of each lambda, and their uses as CallLocal closures.
  // A Closure no variable names (the result of a block: `return
  // closure`) escapes with no use to see, so the Closures each lambda's
  // code is built by are counted against those a binding names.
  std::unordered_map<int, std::vector<int>> names;
  std::unordered_map<int, int> built, bound;
  std::vector<int> call_uses(program.vars.size(), 0);
  auto scan = [&](const Expr& body) {
    ForEachDirectRhs(body, [&](const Rhs& r) {
      if (r.kind == RhsKind::CallLocal && r.closure() >= 0 &&
          r.closure() < static_cast<int>(call_uses.size()))
        ++call_uses[r.closure()];
      if (r.kind == RhsKind::Closure) ++built[r.lambda()];
    });
    ForEachBinding(body, [&](int var, const Rhs& r) {
      if (r.kind != RhsKind::Closure) return;
      ++bound[r.lambda()];
      names[r.lambda()].push_back(var);
    });
  };
  for (const Function& f : program.functions)
    if (f.body) scan(*f.body);
  for (int l : lambdas) {
    names[l].push_back(program.lambdas[l].self);
    if (program.lambdas[l].body) scan(*program.lambdas[l].body);
  }
  std::unordered_map<int, std::vector<int>> lifted;  // lambda -> its former captures
  for (int l : lambdas) {
    const Lambda& lam = program.lambdas[l];
    if (lam.captures.empty() || !lam.body) continue;
    bool escapes = built[l] != bound[l];
    for (int v : names[l]) escapes = escapes || uses[v] != call_uses[v];
    if (!escapes) lifted[l] = lam.captures;
  }
  if (lifted.empty()) return 0;
  // Every call passes the captured values (self calls: the new
  // parameters, by the substitution below).
  auto extend = [&](Expr& body) {
    ForEachDirectRhs(body, [&](Rhs& r) {
      if (r.kind != RhsKind::CallLocal) return;
      auto it = lifted.find(r.lambda());
      if (it == lifted.end()) return;
      for (int c : it->second) r.args.push_back(Atom::Variable(c));
    });
  };
  for (Function& f : program.functions)
    if (f.body) extend(*f.body);
  for (int l : lambdas)
    if (program.lambdas[l].body) extend(*program.lambdas[l].body);
  // Outer lambdas first (the order of ReachableLambdas), each with its
  // captures as they are now: renaming an outer lambda's body renames the
  // captures of the lambdas it builds too (they read the same variables),
  // so a list taken before that would name variables the body no longer
  // mentions.
  for (int l : lambdas) {
    if (lifted.count(l) == 0) continue;
    const std::vector<int> captures = program.lambdas[l].captures;
    std::unordered_map<int, int> to_param;
    for (int c : captures) {
      VarInfo info = program.vars[c];
      program.vars.push_back(info);
      int param = static_cast<int>(program.vars.size()) - 1;
      to_param[c] = param;
      program.lambdas[l].params.push_back(param);
    }
    program.lambdas[l].captures.clear();
    RenameUses(program, *program.lambdas[l].body, to_param);
  }
  return static_cast<int>(lifted.size());
}

// Lambdas no Closure builds any more (inlined, or copied by a
// specialisation) keep their index but lose their code: a body that
// fails, with no captures. Their old bodies could call lambdas whose
// parameters lifting changed, and nothing needs them.
void StubDeadLambdas(Program& program) {
  std::vector<bool> live(program.lambdas.size(), false);
  for (int l : ReachableLambdas(program)) live[l] = true;
  for (size_t l = 0; l < program.lambdas.size(); ++l) {
    Lambda& lam = program.lambdas[l];
    if (live[l] || !lam.body || lam.body->kind == ExprKind::Fail) continue;
    auto fail = std::make_unique<Expr>();
    fail->kind = ExprKind::Fail;
    fail->span = lam.span;
    fail->message = "unreachable: removed by the Core optimiser";
    lam.body = std::move(fail);
    lam.captures.clear();
  }
}

}  // namespace atl::core
