// The checker's working state, shared by check/*.cpp (internal header).
#ifndef ATOLL_CHECK_CHECKER_H
#define ATOLL_CHECK_CHECKER_H

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/check/unify.h"

namespace atl::check {

// suggest.cpp: the candidate closest to `name` by edit distance (Damerau-
// Levenshtein, adjacent transpositions), at most 1 for names up to 4
// characters and 2 beyond; ties go to the earlier candidate. Only
// identifiers (no operators), never `name` itself, nothing for names of one
// character.
// A name a Haskell programmer reaches for that Atoll spells differently or
// leaves out on purpose: what to write instead (empty when nothing fits in
// place) and a note saying why (suggest.cpp).
struct HaskellName {
  std::string_view name;
  std::string_view replacement;
  std::string_view note;
};
auto HaskellNameHint(std::string_view name) -> const HaskellName*;

auto ClosestName(std::string_view name, const std::vector<std::string_view>& candidates)
    -> std::optional<std::string>;

// Source text for messages: one line, blanks collapsed, at most 40 characters.
auto Shorten(std::string_view source) -> std::string;

// The region tokens `t` mentions (region variables), each node visited once.
auto RegionsOf(Type* t) -> std::vector<Type*>;

// One pass of inference over a program, module by module in dependency order.
//
// Scopes are a stack of maps: primitives at the bottom, then the names the
// current module imports, then its own top-level definitions, then one map
// per clause/let/case alternative/do block. Type-level names (builtin types,
// data types, aliases) and constructors live in per-module tables built the
// same way (own definitions shadow imports; a name two imports define is
// ambiguous and reported where it is used).
//
// Subtyping lives only on region tokens and determinisms: `Sub(actual,
// expected)` walks both types by variance, unifies invariant positions and
// records `lower <= upper` constraints for covariant region/determinism
// positions. Constraints are solved at every runST/runIO/forkIO/parST body
// and when a top-level group is generalised. Skolem escape is caught by
// levels: the region a rank-2 form opens is a rigid variable one level deeper
// than its surroundings, and unification refuses to put it into a variable
// of an outer level.
//
// Invariants: every Expr reached gets an entry in out.expr_types; every
// VarPattern reached gets a local id; after a reported error, inference
// continues with fresh variables so one mistake yields one diagnostic.
class Checker {
 public:
  Checker(const std::vector<const parse::Module*>& modules, diag::Diagnostics& diags,
          CheckedModule& out);
  void Run();

 private:
  struct Binding {
    Ref ref;
    Scheme scheme;
    std::vector<std::string> clash;  // non-empty: defined by several imported modules (their names)
  };
  using Scope = std::map<std::string, Binding>;

  // A type-level name: builtin constructor, data type or alias.
  struct TypeEntry {
    enum class What { Builtin, Data, Alias } what = What::Builtin;
    std::string con;           // Builtin/Data: the constructor name in types
    std::vector<Kind> params;  // parameter kinds (inferred from use for data/alias)
    Kind result = Kind::Type;
    const parse::TypeAliasDecl* alias = nullptr;
    int module = 0;                  // where an alias is declared
    std::vector<std::string> clash;  // ambiguous between imports
  };
  struct ConEntry {
    int index = -1;
    std::vector<std::string> clash;
  };
  // The top-level names one module defines (what importing it brings).
  struct Exports {
    Scope values;
    std::map<std::string, TypeEntry> types;
    std::map<std::string, ConEntry> constructors;
  };
  // An expanded alias: its body over rigid parameter variables.
  struct AliasBody {
    std::vector<Type*> params;
    Type* body = nullptr;
    bool expanding = false;  // cycle detection
  };

  // A rank-2 form being checked (runST, runIO, forkIO, parST): for messages.
  struct RunContext {
    Builtin form;
    source::Span span;  // the form's name
    source::Span body;  // its body: the region ends where it ends
    int module = 0;
    Type* region = nullptr;  // the rigid region it opens
  };

  // `lower <= upper` on two regions or two determinisms, waiting for a solve.
  struct Constraint {
    Type* lower = nullptr;
    Type* upper = nullptr;
    source::Span span;
    int module = 0;
    int context = -1;  // index into run_contexts_ of the innermost rank-2 form, or -1
    std::string what;  // the value whose type produced it, for messages
  };

  // decl.cpp
  void CheckModule(int index);
  // discipline rules (rank2.cpp): the region a statement of a block of
  // region `block` runs in, and the hops after the last module.
  auto StatementRegionFor(const parse::Expr* stmt, Type* block) -> Type*;
  void ComputeRegionHops();
  auto IsCastBody(const parse::Expr* body) const -> bool;
  void BuildImportScope();
  void CollectTopLevel();
  void CheckAllFunctions(size_t first_function);
  void CheckFunction(int index);
  void CheckMain();
  auto SplitParams(Type* type, int arity, const parse::ValueDecl* decl)
      -> std::pair<std::vector<Type*>, Type*>;
  void CheckLetDecls(const std::vector<parse::Decl*>& decls);
  void GeneralizeLet(const std::vector<std::pair<const parse::ValueDecl*, Type*>>& values,
                     const std::vector<const parse::PatternBindDecl*>& pattern_binds,
                     const std::set<Type*>& own_rigid, Scope& scope);
  auto FunctionScheme(const Function& f, const parse::SignatureDecl* sig) -> Scheme;

  // builtins.cpp: primitives.def and the builtin types.
  void AddBuiltins();
  void AddBuiltinTypes(std::map<std::string, TypeEntry>& types);

  // types_decl.cpp: data types and aliases of the current module.
  void CollectTypeDecls();
  void InferParamKinds(const std::vector<const parse::Decl*>& decls);
  auto ExpandAlias(const std::string& name, const TypeEntry& entry) -> AliasBody*;

  // type_syntax.cpp: signature and annotation types. `vars` maps the type
  // variables seen so far to their (rigid) variables.
  auto TypeFromSyntax(const parse::Type* t, std::map<std::string, Type*>& vars, Kind kind) -> Type*;
  auto LookupType(const std::string& name, source::Span span) -> const TypeEntry*;
  // A signature's type with its `forall` bounds recorded as region facts,
  // then checked for well-formedness and sendability.
  auto SignatureType(const parse::Type* t, const std::string& owner) -> Type*;

  // Where an expected type comes from, for a note on a mismatch ("expected
  // because of this signature of `f`"). `file` null: a note without a place.
  struct Origin {
    const source::SourceFile* file = nullptr;
    source::Span span;
    std::string text;
  };

  // expr.cpp
  auto Infer(const parse::Expr* e) -> Type*;
  // Checks `e` against `expected`; `origin` (may be null) says where the
  // expectation comes from and is noted on a mismatch of `e` itself or of a
  // branch its value comes from (not of its subexpressions).
  void Expect(const parse::Expr* e, Type* expected, const Origin* origin = nullptr);
  auto InferApp(const parse::Expr* e, const Spine& spine, Type* expected) -> Type*;
  // Which argument of a call of `head` is a value put into an MVar (putMVar
  // and friends: 1; newMVar: 0), or -1.
  auto PutValueIndex(const parse::Expr* head) -> int;
  // Where the parameters of the function `head` get their types, if known.
  auto ParamOrigin(const parse::Expr* head, size_t index) -> std::optional<Origin>;
  auto InferBinary(const parse::BinaryExpr* e) -> Type*;
  auto InferDo(const parse::DoExpr* e, Type* expected, const Origin* origin = nullptr) -> Type*;
  void CheckAppends();  // after a group is solved
  // Comparison (E0308): the part of `t` that has no structure to compare (a
  // function, action, Ref, MutableArray or MVar, also inside tuples,
  // records, lists, arrays and the fields of data types under their
  // arguments), or null; type variables are comparable (a runtime error if
  // instantiated by a function).
  auto UncomparablePart(Type* t) -> Type*;
  // Reports `t` at `span` if it cannot be compared; if it still has flexible
  // variables, checks it again when the group is solved (CheckComparisons).
  void CheckComparable(Type* t, source::Span span);
  void CheckComparisons();  // after a group is solved
  auto Record(const parse::Expr* e, Type* t) -> Type*;
  auto InferVar(const parse::Expr* e, const std::string& qualifier, const std::string& name)
      -> Type*;
  // `Prelude.name` for a primitive (primitives.def is part of the Prelude's
  // interface, though not defined in lib/Prelude.atl); null otherwise.
  auto PreludePrimitive(const std::string& qualifier, const std::string& name) -> const Binding*;

  // record.cpp
  auto InferRecordLit(const parse::RecordLitExpr* e) -> Type*;
  auto InferRecordUpdate(const parse::RecordUpdateExpr* e) -> Type*;
  auto InferField(const parse::FieldExpr* e) -> Type*;
  void BindRecordPattern(const parse::RecordPattern* p, Type* t);
  // Checks the field accesses and updates whose record type was unknown
  // where they appear (pending_fields_) and has become known since. `final`
  // (the end of a top-level group): what is still unknown is E0311.
  void ResolveFields(bool final);
  void ResolveField(const parse::FieldExpr* e, Type* record, Type* result);
  void ResolveUpdate(const parse::RecordUpdateExpr* e, Type* record, bool quiet);

  // rank2.cpp: runST, runIO, forkIO, parST.
  auto InferRunForm(const parse::Expr* e, const Spine& spine, Builtin form, Type* expected)
      -> Type*;
  auto CheckRunBody(const parse::Expr* body, Builtin form, source::Span at, Type* parent,
                    bool deterministic) -> Type*;
  auto RegionOrigin(Type* region) -> std::string;

  // subtype.cpp
  // Checks actual <= expected, reporting at `span` on failure ("" = no report).
  auto SubAt(Type* actual, Type* expected, source::Span span, const std::string& what) -> bool;
  auto Sub(Type* actual, Type* expected, source::Span span, const std::string& what, bool report)
      -> bool;
  void AddConstraint(Type* lower, Type* upper, source::Span span, const std::string& what);
  // Solves pending constraints. `final`: settle every flexible variable
  // (generalisation); otherwise only what is forced or involves variables
  // deeper than `level` (the end of a rank-2 body).
  void Solve(bool final, int level);
  auto Outlives(Type* parent, Type* child, bool* unknown) -> bool;
  auto ReportConstraint(const Constraint& c) -> diag::Diagnostic&;
  // Well-formedness of a type written or inferred.
  // `seen`: nodes already checked (types are DAGs; see subtype.cpp).
  void CheckWellFormed(Type* t, source::Span span, const std::string& what,
                       std::set<Type*>* seen = nullptr);
  void CheckBodyTypes(const parse::ValueDecl* decl);

  // sendable.cpp: sendability, also through polymorphism (docs/typing.md section 6).
  void CheckSendable(Type* t, source::Span span, const std::string& what,
                     std::set<Type*>* seen = nullptr);
  // Which parameters of this module's data types end up inside an MVar.
  void ComputeSendableParams(const std::vector<const parse::DataDecl*>& datas);
  // Marks the type variables `decl` keeps in an MVar (after its group is solved).
  void MarkMVarContents(const parse::ValueDecl* decl);
  // Records that the use `e` of `name` instantiates `scheme_var` with `instance`.
  void AddSendObligation(Type* scheme_var, Type* instance, const parse::Expr* e,
                         const std::string& name);
  // After every module: propagates the marks through the recorded
  // instantiations and reports those of a marked variable by an unsendable type.
  void CheckSendableInstances();

  // pattern.cpp
  void BindPattern(const parse::Pattern* p, Type* t);
  void BindFresh(const std::vector<parse::Pattern*>& args);
  auto NewLocal(const std::string& name, Type* t, source::Span span) -> int;
  // `Nil` is the Prelude's name for `[]` (the language contract writes `length Nil = 0`;
  // docs/language.md) unless the program declares a constructor of that name.
  auto IsListNil(const std::string& qualifier, const std::string& name) const -> bool {
    return qualifier.empty() && name == "Nil" && !constructors_.contains("Nil");
  }
  auto LookupConstructor(const std::string& qualifier, const std::string& name, source::Span span)
      -> int;
  auto ResolveConstructor(const std::string& qualifier, const std::string& name, source::Span span)
      -> int;
  auto BuiltinConstructorType(int id) -> Type*;  // a fresh instance of a kCon* constructor's type

  // exhaustive.cpp: coverage and redundancy warnings.
  void CheckCoverage(const std::vector<std::vector<const parse::Pattern*>>& rows,
                     const std::vector<source::Span>& row_spans,
                     const std::vector<Type*>& column_types, source::Span at,
                     const std::string& what);

  // region_notes.cpp: what region, determinism and sendability errors name
  // (the culprit, the container, where regions open and end, the fix).
  // The outermost expression of the current module with exactly `span`.
  auto FindExpr(source::Span span) -> const parse::Expr*;
  // The first action under `root`, in source order, whose own type is
  // Nondeterministic (print, an MVar operation, forkIO, runIO, a function
  // whose type says so); the expression of a determinism-polymorphic call
  // (forRange, when) is searched, not blamed. Null when there is none.
  auto NondeterministicCulprit(const parse::Expr* root) -> const parse::Expr*;
  // E0501 for a failed `Nondeterministic <= Deterministic` constraint.
  auto ReportNondeterminism(const Constraint& c) -> diag::Diagnostic&;
  // E0404 for a variable of an outer scope that would hold `region`, where
  // `what` is the expression checked at `span` against `expected`.
  void ReportEscape(Type* outer, Type* region, Type* expected, Type* actual, source::Span span,
                    const std::string& context);
  // `kind` (E0402/E0404) for data or an action of a region outside the
  // runST/forkIO/parST `run` used inside it; `outer_region` is that region
  // (to find, in `a >> b`, the call that runs there).
  auto ReportOuterData(diag::Kind kind, const parse::Expr* e, source::Span span, Type* value_type,
                       Type* outer_region, const RunContext* run) -> diag::Diagnostic&;
  // The rank-2 form that opened the rigid `region`, or null.
  auto RunOf(Type* region) -> const RunContext*;
  // Where a local variable or top-level function named by `e` is bound.
  auto BindingSite(const parse::Expr* e) -> std::optional<std::pair<int, source::Span>>;
  // E0601 at a put (putMVar, newMVar, ...) whose value `arg` has the
  // unsendable type `t`; returns whether it reported.
  auto ReportUnsendablePut(const parse::Expr* call, const parse::Expr* head, const parse::Expr* arg,
                           Type* t) -> bool;
  // Region and determinism names for a message: `s3`, the region opened by
  // runIO at 3:3; `s`, a region of `main`.
  auto DescribeRegion(Type* region, TypePrinter& p) -> std::string;

  // Reporting helpers.
  // Unifies and, on failure, reports "expected X, found Y" at `span`;
  // `what` names the thing checked ("the condition of `if`").
  auto UnifyAt(Type* expected, Type* actual, source::Span span, const std::string& what,
               const Origin* origin = nullptr) -> bool;
  // SubAt with `origin` noted on a type mismatch.
  auto SubFrom(Type* actual, Type* expected, source::Span span, const Origin* origin) -> bool;
  void ReportUnifyFailure(const UnifyResult& r, Type* expected, Type* actual, source::Span span,
                          const std::string& what);
  auto Lookup(const std::string& name) -> const Binding*;
  // suggest.cpp: "did you mean" for an unknown value (scopes, innermost
  // first), constructor or type.
  auto SuggestValue(const std::string& name) const -> std::optional<std::string>;
  auto SuggestConstructor(const std::string& name) const -> std::optional<std::string>;
  auto SuggestType(const std::string& name) const -> std::optional<std::string>;
  auto TypeOf(const parse::Expr* e) -> Type*;
  auto Where(source::Span span) -> std::string;      // "12:5"
  auto Source(const parse::Expr* e) -> std::string;  // the text of e, shortened

  const std::vector<const parse::Module*>& modules_;
  const parse::Module* module_ = nullptr;  // the module being checked
  const source::SourceFile* file_ = nullptr;
  int module_index_ = 0;
  diag::Diagnostics& diags_;
  CheckedModule& out_;
  TypeArena& arena_;
  const DisciplineRules& rules_;  // the region discipline (discipline.h)
  // Statements checked at a region of their own, `region <= block` (a
  // discipline with a covariant Effect token): resolved into
  // CheckedModule::region_hops after the last module.
  struct StatementRegion {
    uint32_t expr = 0;
    int module = 0;
    source::Span span;
    Type* region = nullptr;
    Type* block = nullptr;
  };
  std::vector<StatementRegion> statement_regions_;
  std::vector<Scope> scopes_;     // [0] primitives, [1] imports, [2] own top level, then locals
  std::vector<Exports> exports_;  // per module
  std::map<std::string, TypeEntry> types_;        // visible type names of the current module
  std::map<std::string, ConEntry> constructors_;  // visible constructors of the current module
  std::map<std::string, int> module_ids_;         // module name -> index
  std::map<const parse::TypeAliasDecl*, AliasBody> aliases_;
  std::map<std::string, const parse::SignatureDecl*> signatures_;
  std::set<std::string> data_names_;  // constructor names of data types already used program-wide
  int data_type_count_ = 0;

  // Regions: facts `parent <= child` from runIO nesting and bounded
  // quantifiers (by child rigid variable), and where each region came from.
  std::map<Type*, std::vector<Type*>> parents_;
  std::map<Type*, Type*> runio_parent_;  // the region each runIO body's region was opened in
  std::map<Type*, std::string> region_origins_;
  std::vector<Constraint> constraints_;
  std::vector<RunContext> run_contexts_;
  std::vector<int> run_stack_;  // indices into run_contexts_
  // The application whose argument `arg_index_` is being checked (InferApp),
  // so an escape can name the container the argument goes into.
  const Spine* arg_spine_ = nullptr;
  size_t arg_index_ = 0;
  std::set<std::pair<uint32_t, int>> sendable_reported_;  // (offset, module)

  // Sendability through polymorphism. A type variable (flexible or rigid) is
  // marked when some expression type of the definition that quantifies it
  // keeps it in an MVar (or in a data type parameter that reaches an MVar),
  // or when it flows into a marked variable of a scheme it instantiates. A
  // scheme's marked variables must be instantiated with sendable types.
  struct SendReason {
    int module = 0;
    source::Span span;
    std::string text;      // for the note: what keeps it in an MVar here
    Type* from = nullptr;  // propagated: the callee's marked variable
  };
  struct SendObligation {
    Type* scheme_var = nullptr;  // a quantified variable of the used binding
    Type* instance = nullptr;    // what this use instantiates it with
    source::Span span;
    int module = 0;
    std::string name;                        // the used binding
    const parse::ValueDecl* decl = nullptr;  // the top-level definition containing the use
  };
  std::map<Type*, SendReason> must_send_;
  std::vector<SendObligation> send_obligations_;
  // Data type constructor name (Type::name) -> which parameters reach an MVar.
  std::map<std::string, std::vector<bool>> sendable_params_;
  std::set<const parse::ValueDecl*>
      unsendable_decls_;                            // already reported: one mistake, one diagnostic
  const parse::ValueDecl* current_decl_ = nullptr;  // the top-level definition being checked

  // Type-mismatch origins: the signature of each top-level function (by
  // index into out_.functions, null when it has none), the functions of the
  // group being inferred (their types are not final yet), and the origin
  // ReportUnifyFailure notes, set only around one SubAt/UnifyAt.
  std::vector<const parse::SignatureDecl*> function_signatures_;
  std::set<int> group_functions_;
  const Origin* report_origin_ = nullptr;
  std::set<std::string>
      bad_signatures_;  // owners of signatures already reported ill-formed/unsendable

  // `++` (or `(++)`) on operands of a type still unknown: where (the
  // operator) and the operand type, checked and defaulted by CheckAppends.
  std::vector<std::pair<source::Span, Type*>> pending_appends_;
  // Compared types not fully known where compared: rechecked by CheckComparisons.
  std::vector<std::pair<source::Span, Type*>> pending_comparisons_;
  // A field access `r.f` or update `{ r | f = v }` on a record whose type
  // is still a flexible variable (a lambda's parameter, known only once the
  // lambda is applied): checked when the variable is bound (ResolveFields),
  // at the latest when the top-level group is solved. `result` is the
  // access's type (null for an update); `quiet`: an error inside an updated
  // value was reported already, so a mismatch there stays silent.
  struct PendingField {
    const parse::Expr* e = nullptr;  // FieldExpr or RecordUpdateExpr
    Type* record = nullptr;
    Type* result = nullptr;
    bool quiet = false;
  };
  std::vector<PendingField> pending_fields_;
  std::vector<Type*> pattern_types_;  // by Pattern id: the type it matches (coverage)
  std::map<std::string, std::vector<int>>
      data_constructors_;                          // type constructor name -> constructor ids
  std::unique_ptr<parse::Module> builtin_module_;  // data Maybe/Result when there is no Prelude
  int level_ = 1;
};

}  // namespace atl::check

#endif  // ATOLL_CHECK_CHECKER_H
