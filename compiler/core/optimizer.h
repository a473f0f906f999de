// The optimiser's state and passes (internal to compiler/core): the class
// behind `Optimize`, its rounds in optimize.cpp, simplification in
// simplify.cpp, inlining and loop specialisation in inline.cpp. See
// README.md, "Optimiser".
#ifndef ATOLL_CORE_OPTIMIZER_H
#define ATOLL_CORE_OPTIMIZER_H

#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/core/core.h"
#include "compiler/core/util.h"

namespace atl::core::opt {

inline constexpr int kMaxRounds = 12;
inline constexpr int kCalledOnceLimit = 200;  // nodes up to which a function called once is inlined
inline constexpr int kSpecialiseLimit =
    120;  // nodes up to which a self-recursive function is specialised

// Inlining and specialisation copy code. What they copy over a whole run
// is bounded by kGrowthFactor times the size of the code main reaches plus
// kGrowthAllowance nodes, whatever the program: limits per call site alone
// let a chain of functions each calling the previous one twice double at
// every level.
inline constexpr int kGrowthFactor = 4;
inline constexpr int kGrowthAllowance = 4000;

// What a variable is bound to, when that helps a use: a closure (lambda
// `index`), a function value, or a constructed value with its fields.
struct Def {
  RhsKind kind = RhsKind::Atom;
  int index = -1;
  std::vector<Atom> args;
};

struct FunctionFacts {
  int size = 0;
  int calls = 0;            // CallGlobal sites and function values referring to it
  bool recursive = false;   // reaches itself through the call graph
  bool self_calls = false;  // calls itself directly (CallGlobal) outside lambdas
  bool specialisable = false;
  std::vector<bool> static_params;  // passed unchanged in every self call
};

// One run of the optimiser over a program. Contexts name the bodies code
// lives in: function f is f, lambda l is (number of functions) + l.
class Optimizer {
 public:
  Optimizer(Program& p, int level) : p_(p), small_(level >= 2 ? 40 : 20) {}

  auto Run() -> OptimizeStats;

 private:
  // ---- contexts: function f is f, lambda l is F + l --------------------
  auto LambdaContext(int l) const -> int { return static_cast<int>(p_.functions.size()) + l; }
  auto ContextLambda(int ctx) const -> int { return ctx - static_cast<int>(p_.functions.size()); }
  auto IsLambdaContext(int ctx) const -> bool {
    return ctx >= static_cast<int>(p_.functions.size());
  }

  void SetOwner(int v, int ctx);
  // Whether code in context `ctx` may mention `v`: it binds it, or it is a
  // lambda that captures it.
  auto Available(int v, int ctx) const -> bool;

  // Node count of the functions main reaches (all functions without a
  // main), the lambdas they build included.
  auto ProgramSize() const -> int;

  // ---- analysis ---------------------------------------------------------
  void Analyse();

  void AnalyseLambda(int l, std::vector<bool>& seen);

  // What `r` tells (AnalyseExpr walks the bodies it holds).
  void AnalyseRhs(const Rhs& r, int ctx, std::vector<bool>& seen, bool direct);

  void AnalyseExpr(const Expr& e, int ctx, std::vector<bool>& seen, bool direct);

  void Record(int var, const Rhs& r);

  void AnalyseFunctions();

  // A parameter is static when every self call passes it unchanged.
  void FindStaticParams(int f);

  // ---- simplification ---------------------------------------------------
  // Copy propagation reaches captures too: a captured `x` with `let x = y`
  // captures `y`, a constant is no longer captured (the body reads it).
  void MapCaptures(int l);

  auto Resolved(const Atom& a) const -> Atom;
  auto ResolvedVar(int v) const -> int;
  void Substitute(Atom& a);
  auto DefOf(const Atom& a) const -> const Def*;

  void SimplifyRhs(Rhs& r, int ctx);

  // A lambda calling its own code through a captured name (a letrec
  // variable) calls it through its self, so the lowering sees the loop.
  void OwnSelf(Rhs& r, int ctx);

  void FoldBinary(Rhs& r);

  // Apply of a known closure or function value with exactly its arity
  // (and a region exactly when it is an action) is a direct call.
  void KnownCall(Rhs& r);

  void Simplify(std::unique_ptr<Expr>& slot, int ctx);

  // The jumps to `label` in `e` (jumps never leave a Block, Region or
  // lambda, so those are not searched).
  static void FindJumps(std::unique_ptr<Expr>& slot, int label,
                        std::vector<std::unique_ptr<Expr>*>& out);

  // Sets what a variable is known to be (a constructor, kNilAlt or
  // kConsAlt) for the extent of a switch arm.
  class KnownScope {
   public:
    KnownScope(std::unordered_map<int, int>& known, int var, std::optional<int> con)
        : known_(known), var_(var) {
      if (var < 0) return;  // a switch on a literal: nothing to know
      if (auto it = known.find(var); it != known.end()) saved_ = it->second;
      if (con) {
        known[var] = *con;
      } else {
        known.erase(var);
      }
    }
    ~KnownScope() {
      if (var_ < 0) return;
      if (saved_) {
        known_[var_] = *saved_;
      } else {
        known_.erase(var_);
      }
    }
    KnownScope(const KnownScope&) = delete;
    auto operator=(const KnownScope&) -> KnownScope& = delete;

   private:
    std::unordered_map<int, int>& known_;
    int var_;
    std::optional<int> saved_;
  };

  // The one constructor a switch's default arm can see, if its
  // alternatives cover all the others.
  auto RemainingConstructor(const Expr& e) const -> std::optional<int>;

  // Switch on a variable bound to a known constructor, or inside an arm of
  // a switch on it: the matching arm.
  auto KnownAlternative(Expr& e) -> std::unique_ptr<Expr>;

  static auto BlockOf(std::unique_ptr<Expr> body, source::Span span) -> Rhs;

  // `let x = Block{lets; return rhs} in next` with a straight-line body
  // becomes `lets; let x = rhs in next`.
  auto FlattenBlock(std::unique_ptr<Expr>& slot) -> bool;

  // ---- inlining -----------------------------------------------------------
  // The body that replaces call `r` in context `ctx`, or null.
  auto Inline(const Rhs& r, int ctx) -> std::unique_ptr<Expr>;

  // Parameters are substituted by the arguments (atoms), unless the
  // representations differ: then a let converts once.
  void BindParameter(Copier& copy, int param, const Atom& arg,
                     std::vector<std::pair<int, Atom>>& lets);

  static auto WithLets(std::vector<std::pair<int, Atom>>& lets, std::unique_ptr<Expr> body)
      -> std::unique_ptr<Expr>;

  auto NewCopier(int ctx) -> Copier;

  // The source file whose byte offsets a context's spans are (as the
  // lowering reads them: a lambda without a file is the main module's).
  auto FileOfFunction(int f) const -> const source::SourceFile*;
  auto FileOfLambda(int l) const -> const source::SourceFile*;
  auto FileOf(int ctx) const -> const source::SourceFile*;
  // Code from another file placed at call `r` in `ctx` reports the call.
  void KeepLocations(Copier& copy, const source::SourceFile* from, const Rhs& r, int ctx) const;

  auto InlineFunction(const Rhs& r, int ctx) -> std::unique_ptr<Expr>;

  // Whether `body` as it is now (inlining earlier in the round may have
  // grown it) has at most `limit` nodes and fits in what the run may still
  // copy; if so its size is taken from that budget.
  auto Affordable(const Expr& body, int limit) -> bool;

  // A lambda is recursive when its body mentions its self or its letrec
  // group (a sibling may call back).
  auto LambdaRecursive(int l) -> bool;

  auto InlineLambda(const Rhs& r, int ctx) -> std::unique_ptr<Expr>;

  // ---- loop specialisation ---------------------------------------------
  // A self-recursive function called with a known function for one of its
  // static parameters becomes a local loop: a lambda with the static
  // parameters fixed to the call's atoms (captured), its self calls direct
  // tail calls of itself, so the known function can be inlined into it.
  auto Specialise(const Rhs& r, int ctx) -> std::unique_ptr<Expr>;

  void RedirectSelfCalls(Expr& e, int f, const std::vector<bool>& fixed, int lambda, int self);

  // ---- dead code ----------------------------------------------------------
  void RemoveDeadCode();

  void Dead(std::unique_ptr<Expr>& slot, UseCounter& counter);

  // ---- captures -----------------------------------------------------------
  // A lambda keeps only the captures its body still mentions (after
  // substitution and dead code), so dead closures free what they held.
  void TrimCaptures();

  void Trim(int l, std::vector<bool>& done);

  // Counts the uses `walk(counter, sign)` visits into scratch counters,
  // lets `read` look at them, then walks again with sign -1, so the
  // scratch is all zero afterwards: the cost is the walked code's size,
  // not the program's variable count (these run per lambda and letrec,
  // every round).
  template <typename Walk, typename Read>
  auto CountUses(Walk&& walk, Read&& read) {
    scratch_uses_.resize(p_.vars.size(), 0);
    scratch_jumps_.resize(static_cast<size_t>(p_.labels), 0);
    UseCounter counter(p_, scratch_uses_, scratch_jumps_);
    walk(counter, 1);
    auto result = read(static_cast<const std::vector<int>&>(scratch_uses_));
    walk(counter, -1);
    return result;
  }

  Program& p_;
  int small_;
  OptimizeStats stats_;
  bool changed_ = false;
  int64_t copy_budget_ = 0;  // nodes inlining and specialisation may still copy
  std::unordered_map<int, Def> defs_;
  std::unordered_map<int, Atom> subst_;
  std::vector<int> owner_;
  std::unordered_map<int, std::vector<int>> group_of_;  // lambda -> its letrec's variables
  std::vector<int> reachable_lambdas_;
  std::vector<FunctionFacts> facts_;
  std::vector<std::vector<int>> callees_;
  std::vector<bool> indirect_self_;
  std::vector<bool> applies_;                // functions (with their lambdas) making unknown calls
  std::vector<bool> address_taken_;          // functions used as values
  std::vector<bool> live_;                   // functions main reaches
  std::unordered_map<int, int> known_con_;   // variable -> its constructor, inside switch arms
  std::unordered_map<int, int> closure_of_;  // variable -> the lambda of its Closure (TrimCaptures)
  std::vector<int> uses_;
  std::vector<int> jumps_;
  std::vector<int> scratch_uses_, scratch_jumps_;  // CountUses; all zero between calls
  int current_function_ = -1;
};

}  // namespace atl::core::opt

#endif  // ATOLL_CORE_OPTIMIZER_H
